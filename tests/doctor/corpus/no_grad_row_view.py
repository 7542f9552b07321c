"""A row of the weight taken under no_grad for logging, rescaled later outside it.

KIND: write-time
EXPECT: under torch.no_grad()
EXPECT: same `with torch.no_grad():` block
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
model = nn.Linear(4, 3)
with torch.no_grad():
    first_row = model.weight[0]  # ORIGIN
    print("norm", round(first_row.norm().item(), 4))
    if FIXED:
        first_row.mul_(0.5)
if not FIXED:
    first_row.mul_(0.5)  # CULPRIT
loss = model(torch.randn(2, 4)).sum()
loss.backward()
print("grad", round(model.weight.grad.sum().item(), 4))
