"""A noise buffer refilled with out= while a product still needs the old noise.

EXPECT: aten::normal.float_float_out
EXPECT: as its out= argument
EXPECT: do not pass a tensor saved for backward as out=
"""

import sys

import torch

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
w = torch.randn(4, 3, requires_grad=True)
noise = torch.empty(4, 3)
torch.normal(0.0, 1.0, size=(4, 3), out=noise)
y = w * noise  # SAVED
if FIXED:
    noise = torch.normal(0.0, 1.0, size=(4, 3))
else:
    torch.normal(0.0, 1.0, size=(4, 3), out=noise)  # CULPRIT
z = y + w * noise
loss = z.pow(2).sum()
loss.backward()
print("loss", loss.item())
print("grads", w.grad.tolist())
