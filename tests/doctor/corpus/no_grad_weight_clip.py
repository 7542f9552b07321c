"""Weight clipping under torch.no_grad() between forward and backward.

EXPECT: aten::clamp_
EXPECT: under torch.no_grad()
EXPECT: does not make such a write safe
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
critic = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.SGD(critic.parameters(), lr=0.1)
x = torch.randn(10, 4)
loss = critic(x).mean()  # SAVED
if not FIXED:
    with torch.no_grad():
        for p in critic.parameters():
            p.clamp_(-0.1, 0.1)  # CULPRIT
opt.zero_grad()
loss.backward()
opt.step()
if FIXED:
    with torch.no_grad():
        for p in critic.parameters():
            p.clamp_(-0.1, 0.1)
print("loss", loss.item())
print("params", [p.sum().item() for p in critic.parameters()])
