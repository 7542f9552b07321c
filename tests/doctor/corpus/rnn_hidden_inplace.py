"""RNN loop that updates the hidden state in place: `h.copy_(h_new)`.

The previous step's matmul saved h for backward.

EXPECT: aten::copy_
EXPECT: MmBackward0
EXPECT: `h = <new value>` instead of `h.copy_(h_new)`
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
W = nn.Linear(3, 5)
U = nn.Linear(5, 5, bias=False)
xs = torch.randn(4, 2, 3)
h = torch.zeros(2, 5)
for t in range(4):
    h_new = torch.tanh(W(xs[t]) + U(h))  # SAVED
    if FIXED:
        h = h_new
    else:
        h.copy_(h_new)  # CULPRIT
loss = h.pow(2).sum()
loss.backward()
print("loss", loss.item())
print("grads", W.weight.grad.sum().item(), U.weight.grad.sum().item())
