"""An alias made with torch.from_numpy(t.detach().numpy()) shares memory but not
the version counter: writing through it goes unnoticed by autograd.

MODE: paranoid
EXPECT: aten::mul_.Tensor
EXPECT: TanhBackward0
EXPECT: autograd did not see this write
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
fc = nn.Linear(3, 4)
x = torch.randn(5, 3)
h = torch.tanh(fc(x))  # SAVED
alias = torch.from_numpy(h.detach().numpy())
if FIXED:
    alias = alias.clone()
alias.mul_(2)  # CULPRIT
loss = h.pow(3).sum()
loss.backward()
print("loss", loss.item(), "alias", alias.sum().item())
print("grads", fc.weight.grad.tolist())
