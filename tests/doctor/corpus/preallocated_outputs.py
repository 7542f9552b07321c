"""Writing each step's hidden state into a preallocated buffer read by the next step.

`buf[t] = h` writes another row of the buffer whose previous row was saved:
one version counter per base tensor.

EXPECT: aten::copy_
EXPECT: into another part of the same base tensor
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
ih = nn.Linear(3, 4)
hh = nn.Linear(4, 4)
x = torch.randn(5, 2, 3)
h0 = torch.zeros(2, 4)
buf = torch.zeros(5, 2, 4)
states = []
for t in range(5):
    if FIXED:
        prev = states[-1] if states else h0
    else:
        prev = buf[t - 1] if t else h0
    h = torch.tanh(ih(x[t]) + hh(prev))  # SAVED
    if FIXED:
        states.append(h)
    else:
        buf[t] = h  # CULPRIT
outputs = torch.stack(states) if FIXED else buf
loss = outputs.pow(2).sum()
loss.backward()
print("loss", loss.item())
print("grads", ih.weight.grad.sum().item(), hh.weight.grad.sum().item())
