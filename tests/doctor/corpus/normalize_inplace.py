"""`v /= v.norm()`: norm saves v for backward, then the division overwrites it.

EXPECT: aten::div_.Tensor
EXPECT: LinalgVectorNormBackward0
EXPECT: `v = v / v.norm(dim=1, keepdim=True)`
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
encoder = nn.Linear(5, 3)
x = torch.randn(4, 5)
v = encoder(x)
if FIXED:
    v = v / v.norm(dim=1, keepdim=True)
else:
    v /= v.norm(dim=1, keepdim=True)  # SAVED CULPRIT
loss = (v @ v.T).sum()
loss.backward()
print("loss", loss.item())
print("grads", encoder.weight.grad.tolist())
