"""Features precomputed under inference_mode, then augmented in place during training.

KIND: write-time
EXPECT: inference tensor
EXPECT: feats = feats.clone()
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
backbone = nn.Linear(5, 4)
head = nn.Linear(4, 1)
with torch.inference_mode():
    feats = backbone(torch.randn(8, 5))  # ORIGIN
if FIXED:
    feats = feats.clone()
feats.add_(0.01 * torch.randn(8, 4))  # CULPRIT
loss = head(feats).pow(2).mean()
loss.backward()
print("loss", round(loss.item(), 4))
