"""A weight is frozen mid-way and rescaled by a learnable gate in place.

KIND: write-time
EXPECT: turned into a non-leaf by an in-place write
EXPECT: is now the output of MulBackward0
"""

import sys

import torch

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
weight = torch.randn(3, requires_grad=True)
gate = torch.ones(3, requires_grad=True)
loss = (weight * 2).sum()
weight.requires_grad_(False)
if FIXED:
    weight = weight * gate
else:
    weight.mul_(gate)  # ORIGIN
loss.backward()  # CULPRIT
print("loss", loss.item())
