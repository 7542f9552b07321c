"""GAN: the discriminator loss uses fake without detach(); the generator's backward then fails.

KIND: write-time
EXPECT: earlier backward
EXPECT: `opt_d` (Adam)
EXPECT: fake.detach()
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
gen = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
disc = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
opt_g = torch.optim.Adam(gen.parameters(), lr=1e-3)
opt_d = torch.optim.Adam(disc.parameters(), lr=1e-3)
fake = gen(torch.randn(8, 2))  # ORIGIN
d_loss = disc(fake.detach() if FIXED else fake).mean() - disc(torch.randn(8, 2) + 2).mean()
opt_d.zero_grad()
d_loss.backward()  # ORIGIN
opt_d.step()  # ORIGIN
g_loss = -disc(fake).mean()
opt_g.zero_grad()
g_loss.backward()  # CULPRIT
opt_g.step()
print("losses", round(d_loss.item(), 4), round(g_loss.item(), 4))
