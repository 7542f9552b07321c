"""Rows for torch.nn.functional ops that PyTorch runs as one aten op with its own node,
so that their outputs carry PyTorch's grad_fn names (F.mse_loss is MseLossBackward0, not
the MeanBackward0 of its composition).

Declared here, outside the family files, and imported by the nn.functional layer that
calls them. The backward formulas are PyTorch's (derivatives.yaml), written with
mutograd's tensor ops so that double backward works.
"""

from __future__ import annotations

import numpy as np

from ._registry import PROMOTE, defop

# reduction: 0 none, 1 mean, 2 sum (PyTorch's Reduction enum)


def _mse_loss(self, target, reduction=1):
    diff = self - target
    squared = diff * diff
    if reduction == 0:
        return squared
    total = squared.mean() if reduction == 1 else squared.sum()
    return np.asarray(total, dtype=squared.dtype)


def mse_loss_backward(grad, self, target, reduction):
    # As PyTorch's mse_loss_backward: norm * (input - target) * grad_output, with
    # norm = 2 / numel for a mean and 2 otherwise.
    norm = 2.0 / self.numel() if reduction == 1 else 2.0
    return norm * (self - target) * grad


mse_loss = defop(
    "mse_loss(Tensor self, Tensor target, int reduction=1) -> Tensor",
    forward=_mse_loss,
    node="MseLossBackward0",
    dtype=PROMOTE,
    self=lambda grad, self, target, reduction: mse_loss_backward(grad, self, target, reduction),
    target=lambda grad, self, target, reduction: mse_loss_backward(grad, target, self, reduction),
)
