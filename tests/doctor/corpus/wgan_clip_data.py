"""WGAN weight clipping through `.data` between the critic's forward and backward.

The backward silently uses the clipped weights: wrong gradients, no error.

MODE: paranoid
EXPECT: aten::clamp_
EXPECT: AddmmBackward0
EXPECT: autograd did not see this write
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
critic = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.RMSprop(critic.parameters(), lr=5e-3)
x = torch.randn(10, 4)
loss = -critic(x).mean()  # SAVED
if not FIXED:
    for p in critic.parameters():
        p.data.clamp_(-0.1, 0.1)  # CULPRIT
opt.zero_grad()
loss.backward()
opt.step()
if FIXED:
    for p in critic.parameters():
        p.data.clamp_(-0.1, 0.1)
print("loss", loss.item())
print("params", [p.sum().item() for p in critic.parameters()])
