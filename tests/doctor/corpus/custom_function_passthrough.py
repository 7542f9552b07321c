"""A straight-through estimator Function returns its input as-is; the caller clamps in place.

KIND: write-time
EXPECT: custom Function RoundSTE
EXPECT: .clone()
"""

import sys

import torch

FIXED = "--fixed" in sys.argv


class RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x if not FIXED else x.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad


torch.manual_seed(0)
w = torch.randn(4, requires_grad=True)
q = RoundSTE.apply(w * 3)  # ORIGIN
q.clamp_(-2, 2)  # CULPRIT
loss = q.sum()
loss.backward()
print("grad", w.grad.tolist())
