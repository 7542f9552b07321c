"""Loss kernels: nll_loss_forward, the op under F.nll_loss and F.cross_entropy, and its
backward nll_loss_backward.

As aten's nll_loss_forward it returns (output, total_weight), and its backward
(NllLossBackward0) saves self, target, weight and total_weight. As in ATen, the backward
is one kernel (nll_loss_backward, NllLossBackwardBackward0 in a double backward), and the
target's range is checked by the kernels (LossNLL.cpp), not by extra tensor ops.
"""

from __future__ import annotations

import numpy as np

from .._creation import zeros_like
from .._dispatch import call
from ._registry import defop

# reduction: 0 none, 1 mean, 2 sum (PyTorch's Reduction enum)


def _targets(target, classes, ignore_index, check=True):
    """``(safe, valid)`` for a 1-d ``target``: the targets with ignored ones read as class 0,
    and the mask of the counted ones (None when every target counts). With ``check``, raises
    PyTorch's error for the first target out of ``[0, classes)`` that is not ignore_index.
    """
    if not target.size:
        return target, None
    low, high = target.min(), target.max()
    valid = target != ignore_index if low <= ignore_index <= high else None
    if check and (low < 0 or high >= classes):
        bad = (target < 0) | (target >= classes)
        if valid is not None:
            bad &= valid
        if bad.any():
            raise IndexError(f"Target {target[bad][0]} is out of bounds.")
    if valid is None:
        return target, None
    return np.where(valid, target, 0), valid


# NB: both kernels see the input as (N, C) rows (a 1-d input is one row), index the
# targets' entries with one fancy index (np.take_along_axis/put_along_axis cost ~10 us
# each at batch 64), and skip ignored targets as PyTorch's loops do.


def _nll_loss_forward(self, target, weight=None, reduction=1, ignore_index=-100):
    classes = self.shape[-1]  # the class dim: 0 of a 1-d input, 1 of a 2-d one
    safe, valid = _targets(target.reshape(-1), classes, ignore_index)
    picked = self.reshape(-1, classes)[np.arange(safe.size), safe]
    if weight is None and valid is None:
        # Every target counts with weight 1 (the common case): no weight gather, no products.
        losses = np.negative(picked)
        total_weight = np.asarray(losses.size, dtype=self.dtype)
    else:
        w = weight[safe].astype(self.dtype, copy=False) if weight is not None else None
        if w is None:
            w = np.ones_like(picked)
        if valid is not None:
            w[~valid] = 0
        losses = -(picked * w)
        if valid is not None:
            # NB: as PyTorch's kernel, an ignored target's loss is 0 (never 0 * -inf).
            losses[~valid] = 0
        total_weight = np.asarray(w.sum(), dtype=self.dtype)
    if reduction == 0:
        return losses.reshape(target.shape), total_weight
    if reduction == 2:
        return np.asarray(losses.sum(), dtype=self.dtype), total_weight
    # A weighted mean: divided by the summed weights of the counted targets (0/0 is nan).
    return np.asarray(losses.sum() / total_weight, dtype=self.dtype), total_weight


def _nll_loss_backward(grad_output, self, target, weight, reduction, ignore_index, total_weight):
    # NB: in PyTorch this is nll_loss_backward_out_frame: grad_input is zero but at each
    # counted target, where it is weight[t] * -(grad / total_weight) (mean), -grad (sum), or
    # -weight[t] * grad[i] (none).
    classes = self.shape[-1]
    # The forward checked the targets (a saved target cannot change since).
    safe, valid = _targets(target.reshape(-1), classes, ignore_index, check=False)
    grad = grad_output / total_weight if reduction == 1 else grad_output
    grad = np.negative(grad)
    if reduction == 0:
        grad = grad.reshape(-1)
    if weight is not None:
        grad = weight[safe] * grad
    count = safe.size
    rows = np.arange(count)
    if valid is not None:
        rows, safe = rows[valid], safe[valid]
        if np.ndim(grad):
            grad = grad[valid]
    grad_input = np.zeros((count, classes), self.dtype)
    grad_input[rows, safe] = grad
    return grad_input.reshape(self.shape)


nll_loss_forward = defop(
    "nll_loss_forward(Tensor self, Tensor target, Tensor? weight, int reduction, "
    "SymInt ignore_index) -> (Tensor output, Tensor total_weight)",
    forward=_nll_loss_forward,
    node="NllLossBackward0",
    self=lambda grad, self, target, weight, reduction, ignore_index, total_weight: (
        nll_loss_backward(grad, self, target, weight, reduction, ignore_index, total_weight)
    ),
)
nll_loss_backward_op = defop(
    "nll_loss_backward(Tensor grad_output, Tensor self, Tensor target, Tensor? weight, "
    "int reduction, SymInt ignore_index, Tensor total_weight) -> Tensor",
    forward=_nll_loss_backward,
    node="NllLossBackwardBackward0",
    grad_output=lambda grad, target, weight, reduction, ignore_index: call(
        nll_loss_forward,
        (grad, target, weight),
        {"reduction": reduction, "ignore_index": ignore_index},
    )[0],
    self=lambda grad: zeros_like(grad),
)


def nll_loss_backward(grad_output, self, target, weight, reduction, ignore_index, total_weight):
    return call(
        nll_loss_backward_op,
        (grad_output, self, target, weight, total_weight),
        {"reduction": reduction, "ignore_index": ignore_index},
    )
