"""Attention: q, k, v split from one projection, then q scaled in place.

KIND: write-time
EXPECT: aten::split
EXPECT: `q = q * scale`
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
d = 8
proj = nn.Linear(d, 3 * d)
x = torch.randn(2, 5, d)
scale = d**-0.5
q, k, v = proj(x).split(d, dim=-1)  # ORIGIN
if FIXED:
    q = q * scale
else:
    q *= scale  # CULPRIT
att = (q @ k.transpose(-2, -1)).softmax(-1)
loss = (att @ v).sum()
loss.backward()
print("loss", round(loss.item(), 4))
