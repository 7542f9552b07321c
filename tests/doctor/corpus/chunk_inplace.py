"""In-place on a chunk() output after the model used it: the Linear saved it.

EXPECT: aten::mul_.Tensor
EXPECT: AddmmBackward0
EXPECT: first = first.mul(...)
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
model = nn.Linear(3, 2)
data = torch.randn(8, 3)
first, second = data.chunk(2)
out = model(first)  # SAVED
if FIXED:
    first = first * 0.5
else:
    first.mul_(0.5)  # CULPRIT
loss = out.sum() + model(second).sum() + first.sum()
loss.backward()
print("loss", loss.item())
print("grads", model.weight.grad.tolist())
