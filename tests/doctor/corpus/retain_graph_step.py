"""Several backward passes through one graph (retain_graph=True) with a step in between.

EXPECT: inside SGD.step()
EXPECT: only after every backward()
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(5, 3)
targets = [torch.randn(5, 2), torch.randn(5, 2)]
out = model(x)  # SAVED
for target in targets:
    if FIXED:
        out = model(x)
    loss = nn.functional.mse_loss(out, target)
    opt.zero_grad()
    loss.backward(retain_graph=not FIXED)
    opt.step()  # CULPRIT
    print("loss", loss.item())
print("params", [p.sum().item() for p in model.parameters()])
