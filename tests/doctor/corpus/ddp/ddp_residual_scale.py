"""DDP training step: the rank-local loss scales the model output in place.

The output of the last Linear feeds a sigmoid whose result autograd saves;
scaling it in place (on every rank) breaks backward on every rank.

EXPECT: SigmoidBackward0
EXPECT: `probs = probs * weight`
"""

import sys

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

FIXED = "--fixed" in sys.argv

dist.init_process_group("gloo")
rank = dist.get_rank()
torch.manual_seed(0)
model = DistributedDataParallel(nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
torch.manual_seed(rank)
x, target = torch.randn(6, 4), torch.rand(6, 1)
weight = torch.full((6, 1), 2.0)
probs = torch.sigmoid(model(x))  # SAVED
if FIXED:
    probs = probs * weight
else:
    probs *= weight  # CULPRIT
loss = nn.functional.mse_loss(probs, target)
opt.zero_grad()
loss.backward()
opt.step()
print(f"rank {rank} loss {loss.item():.4f}")
dist.destroy_process_group()
