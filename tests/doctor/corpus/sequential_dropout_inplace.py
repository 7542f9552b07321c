"""nn.Sequential with an in-place Dropout right after Tanh (which saves its output).

Both the saving op and the write happen inside `model(x)`; the doctor names the
module that wrote.

EXPECT: inside Dropout(p=0.5, inplace=True).forward
EXPECT: TanhBackward0
EXPECT: inplace=False
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
model = nn.Sequential(
    nn.Linear(4, 8), nn.Tanh(), nn.Dropout(0.5, inplace=not FIXED), nn.Linear(8, 1)
)
x = torch.randn(6, 4)
loss = model(x).pow(2).mean()  # SAVED CULPRIT
loss.backward()
print("loss", loss.item())
print("grads", [p.grad.sum().item() for p in model.parameters()])
