"""Loss kernels: nll_loss_forward, the op under F.nll_loss and F.cross_entropy.

As aten's nll_loss_forward it returns (output, total_weight), and its backward
(NllLossBackward0) saves self, target, weight and total_weight.
"""

from __future__ import annotations

import numpy as np

from ._registry import defop

# reduction: 0 none, 1 mean, 2 sum (PyTorch's Reduction enum)


def _nll_loss_forward(self, target, weight=None, reduction=1, ignore_index=-100):
    class_dim = 0 if self.ndim == 1 else 1
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    picked = np.take_along_axis(self, np.expand_dims(safe, class_dim), class_dim)
    picked = picked.squeeze(class_dim)
    w = weight[safe] if weight is not None else np.ones_like(picked)
    w = np.where(valid, w, 0).astype(self.dtype)
    losses = -(picked * w)
    total_weight = np.asarray(w.sum(), dtype=self.dtype)
    if reduction == 0:
        return losses, total_weight
    if reduction == 2:
        return np.asarray(losses.sum(), dtype=self.dtype), total_weight
    # A weighted mean: divided by the summed weights of the counted targets (0/0 is nan).
    return np.asarray(losses.sum() / total_weight, dtype=self.dtype), total_weight


def _nll_loss_backward(grad, self, target, weight, reduction, ignore_index, total_weight):
    class_dim = 0 if self.dim() == 1 else 1
    valid = target != ignore_index
    safe = target.masked_fill(valid.logical_not(), 0)
    if weight is None:
        w = valid.to(grad.dtype)
    else:
        w = weight.index_select(0, safe.reshape(-1)).view(safe.shape)
        w = w.masked_fill(valid.logical_not(), 0)
    if reduction == 1:
        w = w / total_weight
    g = -(w * grad)
    return grad.new_zeros(self.shape).scatter(
        class_dim, safe.unsqueeze(class_dim), g.unsqueeze(class_dim)
    )


nll_loss_forward = defop(
    "nll_loss_forward(Tensor self, Tensor target, Tensor? weight, int reduction, "
    "SymInt ignore_index) -> (Tensor output, Tensor total_weight)",
    forward=_nll_loss_forward,
    node="NllLossBackward0",
    self=lambda grad, self, target, weight, reduction, ignore_index, total_weight: (
        _nll_loss_backward(grad, self, target, weight, reduction, ignore_index, total_weight)
    ),
)
