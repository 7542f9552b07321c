"""Scaling an activation through `.data`: PyTorch raises nothing, gradients are wrong.

MODE: paranoid
EXPECT: aten::mul_.Tensor
EXPECT: SigmoidBackward0
EXPECT: autograd did not see this write
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
fc = nn.Linear(3, 4)
x = torch.randn(5, 3)
h = torch.sigmoid(fc(x))  # SAVED
if FIXED:
    h = h * 0.5
else:
    h.data.mul_(0.5)  # CULPRIT
loss = h.pow(2).sum()
loss.backward()
print("loss", loss.item())
print("grads", fc.weight.grad.tolist())
