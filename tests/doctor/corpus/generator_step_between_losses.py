"""GAN generator: two losses from one forward, the generator's own step between their backwards.

The adversarial loss is backpropagated and opt_g steps; the feature-matching
loss, computed from the same forward, is backpropagated afterwards and needs
the generator's old weights.  The step that broke it is the generator's own,
not the discriminator's.

EXPECT: `opt_g` (Adam) updated `generator.out.weight`
EXPECT: call opt_g.step() only after every backward()
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.out = nn.Linear(4, 2)

    def forward(self, z):
        return self.out(torch.tanh(self.fc(z)))  # SAVED


torch.manual_seed(0)
generator = Generator()
critic = nn.Linear(2, 1)
opt_g = torch.optim.Adam(generator.parameters(), lr=1e-2)
opt_d = torch.optim.Adam(critic.parameters(), lr=1e-2)
z = torch.randn(8, 4)
real = torch.randn(8, 2)

fake = generator(z)
adv_loss = -critic(fake).mean()
match_loss = (fake.mean(0) - real.mean(0)).pow(2).sum()
opt_g.zero_grad()
if FIXED:
    (adv_loss + match_loss).backward()
else:
    adv_loss.backward(retain_graph=True)
opt_g.step()  # CULPRIT
if not FIXED:
    match_loss.backward()
print("losses", round(adv_loss.item(), 4), round(match_loss.item(), 4))
print("grads", [round(p.grad.sum().item(), 4) for p in generator.parameters()])
