"""Resetting the padding row of an embedding parameter in place.

KIND: write-time
EXPECT: a view of a leaf tensor that requires grad
EXPECT: emb.weight
EXPECT: with torch.no_grad():
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
emb = nn.Embedding(10, 4)
pad = emb.weight[0]  # ORIGIN
if FIXED:
    with torch.no_grad():
        pad.zero_()
else:
    pad.zero_()  # CULPRIT
loss = emb(torch.tensor([0, 3, 5])).sum()
loss.backward()
print("grad", round(emb.weight.grad.sum().item(), 4))
