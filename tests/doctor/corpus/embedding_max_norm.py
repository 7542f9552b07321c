"""nn.Embedding(max_norm=...) renormalizes its weight in place during forward,
after another expression already saved that weight (see the nn.Embedding docs).

EXPECT: aten::embedding_renorm_
EXPECT: inside Embedding(10, 3, max_norm=1.0).forward
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
emb = nn.Embedding(10, 3, max_norm=1.0)
W = torch.randn(4, 3, requires_grad=True)
idx = torch.tensor([1, 2, 4, 5])
weight = emb.weight.clone() if FIXED else emb.weight
a = weight @ W.t()  # SAVED
b = emb(idx) @ W.t()  # CULPRIT
loss = a.sum() + b.sum()
loss.backward()
print("loss", loss.item())
print("grads", W.grad.tolist())
