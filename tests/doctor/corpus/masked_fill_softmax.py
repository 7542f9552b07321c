"""Attention: masked_fill_ on the softmax output, which softmax saved.

EXPECT: aten::masked_fill_.Scalar
EXPECT: SoftmaxBackward0
EXPECT: attn = attn.masked_fill(...)
"""

import sys

import torch

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
q = torch.randn(2, 4, 8, requires_grad=True)
k = torch.randn(2, 4, 8, requires_grad=True)
v = torch.randn(2, 4, 8, requires_grad=True)
mask = torch.ones(4, 4).triu(1).bool()
attn = torch.softmax(q @ k.transpose(1, 2) / 8**0.5, dim=-1)  # SAVED
if FIXED:
    attn = attn.masked_fill(mask, 0.0)
else:
    attn.masked_fill_(mask, 0.0)  # CULPRIT
out = attn @ v
loss = out.pow(2).sum()
loss.backward()
print("loss", loss.item())
print("grads", q.grad.sum().item(), k.grad.sum().item(), v.grad.sum().item())
