"""`h[:, 0] = 0` on an activation whose op saved its output (tanh).

EXPECT: aten::fill_
EXPECT: TanhBackward0
EXPECT: through a view of it
EXPECT: h = h.clone()
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
fc = nn.Linear(3, 4)
x = torch.randn(6, 3)
h = torch.tanh(fc(x))  # SAVED
if FIXED:
    h = h.clone()
h[:, 0] = 0  # CULPRIT
loss = h.sum()
loss.backward()
print("loss", loss.item())
print("grads", fc.weight.grad.tolist(), fc.bias.grad.tolist())
