"""A custom autograd.Function whose forward clamps its input in place.

The input is a sigmoid output that SigmoidBackward0 saved.

EXPECT: aten::clamp_
EXPECT: inside ClampPass.forward
EXPECT: mark_dirty
"""

import sys

import torch

FIXED = "--fixed" in sys.argv


class ClampPass(torch.autograd.Function):
    """Clamp in forward, straight-through gradient in backward."""

    @staticmethod
    def forward(ctx, x):
        if FIXED:
            x = x.clone()
        x.clamp_(0.2, 0.8)  # CULPRIT
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


torch.manual_seed(0)
w = torch.randn(5, requires_grad=True)
h = torch.sigmoid(w * 3)  # SAVED
y = ClampPass.apply(h)
loss = (y * h).sum()
loss.backward()
print("loss", loss.item())
print("grads", w.grad.tolist())
