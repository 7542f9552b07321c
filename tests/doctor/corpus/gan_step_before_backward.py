"""GAN: the discriminator's optimizer steps between D(fake) and the generator's backward.

opt_d.step() updates D's weights in place, but D(fake) saved the old weights
for the generator loss computed from it.

EXPECT: inside Adam.step()
EXPECT: aten::addcdiv_
EXPECT: only after every backward()
EARLY: the fix recomputes D(fake) after the step, but the old d_fake graph is
still alive at the step, so --early warns about it there.
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
G = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
D = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
opt_g = torch.optim.Adam(G.parameters(), lr=1e-2)
opt_d = torch.optim.Adam(D.parameters(), lr=1e-2)
bce = nn.BCEWithLogitsLoss()
real = torch.randn(16, 2) + 3
z = torch.randn(16, 2)

fake = G(z)
d_fake = D(fake)  # SAVED
d_loss = bce(D(real), torch.ones(16, 1)) + bce(D(fake.detach()), torch.zeros(16, 1))
opt_d.zero_grad()
d_loss.backward()
opt_d.step()  # CULPRIT
if FIXED:
    d_fake = D(fake)  # recompute with the updated discriminator
g_loss = bce(d_fake, torch.ones(16, 1))
opt_g.zero_grad()
g_loss.backward()
opt_g.step()
print("losses", d_loss.item(), g_loss.item())
print("g grads", [p.grad.sum().item() for p in G.parameters()])
