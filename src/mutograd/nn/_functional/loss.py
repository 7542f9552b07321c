"""Loss functions, composed from mutograd ops with PyTorch's formulas and checks.

Each follows the ATen kernel it names (nll_loss_nd, cross_entropy_loss,
binary_cross_entropy, ...): the same arithmetic, the same reductions (a
weighted mean divides by the summed weights), the same errors, raised before
any computation.
"""

from __future__ import annotations

import warnings

from ... import _dtype
from ..._dispatch import call
from ..._tensor import Tensor
from ...ops import nn_ops
from ...ops._api import FUNCTIONS
from . import _ops

_broadcast_to = FUNCTIONS["broadcast_to"]


def _legacy_get_string(size_average: bool | None, reduce: bool | None) -> str:
    """PyTorch's _Reduction.legacy_get_string: the old size_average/reduce flags."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        stacklevel=3,
    )
    return ret


_REDUCTION_ENUM = {"none": 0, "mean": 1, "sum": 2}  # PyTorch's Reduction enum


def _check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduction_of(size_average, reduce, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    _check_reduction(reduction)
    return reduction


def _expanded(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    if target.size() != input.size():
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )
    # (input - target) broadcasts with PyTorch's error message when the shapes clash.
    shape = (input - target).shape if target.size() != input.size() else input.shape
    return _expanded_to(input, shape), _expanded_to(target, shape)


def _expanded_to(t: Tensor, shape) -> Tensor:
    # NB: as PyTorch's broadcast_tensors (expand_outplace): a tensor that already has the
    # shape is itself, not an expand view of it.
    return t if t.shape == shape else _broadcast_to(t, shape)


def _pointwise_loss(errors: Tensor, weight: Tensor | None, input: Tensor, reduction: str) -> Tensor:
    if weight is None:
        return _reduce(errors, reduction)
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    return _weighted_reduce(errors * weight, weight, reduction)


def _weighted_reduce(losses: Tensor, weight: Tensor, reduction: str) -> Tensor:
    """As PyTorch's weighted losses: "mean" divides by the total weight, not the count."""
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / weight.sum()


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error: reduce((input - target) ** 2)."""
    reduction = _reduction_of(size_average, reduce, reduction)
    input, target = _expanded(input, target)
    if weight is None and input.dtype.is_floating_point and target.dtype.is_floating_point:
        # PyTorch's one op, MseLossBackward0 (the weighted form is a composition there too).
        return call(nn_ops.mse_loss, (input, target), {"reduction": _REDUCTION_ENUM[reduction]})
    return _pointwise_loss((input - target).pow(2), weight, input, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error: reduce(|input - target|)."""
    reduction = _reduction_of(size_average, reduce, reduction)
    input, target = _expanded(input, target)
    return _pointwise_loss((input - target).abs(), weight, input, reduction)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Huber-like loss: 0.5 z^2 / beta where z = |input - target| < beta, else z - beta / 2."""
    reduction = _reduction_of(size_average, reduce, reduction)
    input, target = _expanded(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    z = (input - target).abs()
    if beta == 0.0:
        return _reduce(z, reduction)
    loss = (z * z * (0.5 / beta)).where(z < beta, z - 0.5 * beta)
    return _reduce(loss, reduction)


# --- classification ---------------------------------------------------------------------------


def _check_nll(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int) -> None:
    shape, target_shape = input._data.shape, target._data.shape
    if not shape:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if len(shape) != 1 and shape[0] != (target_shape[0] if target_shape else target.size(0)):
        raise ValueError(
            f"Expected input batch_size ({input.size(0)}) to match target batch_size "
            f"({target.size(0)})."
        )
    classes = shape[0 if len(shape) == 1 else 1]
    if len(shape) <= 2:
        if len(target_shape) > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    elif tuple(target.shape) != (input.size(0),) + tuple(input.shape[2:]):
        expected = [input.size(0)] + list(input.shape[2:])
        raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
    if target.dtype not in (_dtype.int64, _dtype.uint8):
        raise RuntimeError(
            "expected target dtype to be Long or Byte, but got "
            f"{_dtype.scalar_type_name(target.dtype)}"
        )
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes but "
            f"got weight tensor of shape: {list(weight.shape)}"
        )
    # NB: the targets' range is checked by the nll_loss_forward kernel, as in PyTorch
    # (LossNLL.cpp), with no tensor ops here; the composed (N, C, d1, ...) form checks in _nll.


def _nll(
    input: Tensor, target: Tensor, weight: Tensor | None, reduction: str, ignore_index: int
) -> Tensor:
    """PyTorch's nll_loss_nd: -weight[t] * input[t] per element; mean divides by sum of weights."""
    if target.dtype is not _dtype.int64:
        target = target.long()
    if input.dim() <= 2:
        # The op table's nll_loss_forward: NllLossBackward0, as PyTorch.
        enum = {"none": 0, "mean": 1, "sum": 2}[reduction]
        return _ops.nll_loss_forward(input, target, weight, enum, ignore_index)[0]
    # NB: (N, C, d1, ...) inputs are composed here (PyTorch: NllLoss2DBackward0 and views).
    class_dim = 1
    out_of_bounds = ((target < 0) | (target >= input.size(1))) & (target != ignore_index)
    if out_of_bounds.any():
        bad = target.masked_select(out_of_bounds)[0].item()
        raise IndexError(f"Target {bad} is out of bounds.")
    valid = target != ignore_index
    safe_target = target.masked_fill(valid.logical_not(), 0)
    picked = input.gather(class_dim, safe_target.unsqueeze(class_dim)).squeeze(class_dim)
    if weight is None:
        w = valid.to(input.dtype)
    else:
        w = weight.index_select(0, safe_target.reshape(-1)).view(target.shape)
        w = w.masked_fill(valid.logical_not(), 0)
    return _weighted_reduce(-(picked * w), w, reduction)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood of class indices ``target`` under log-probabilities ``input``."""
    reduction = _reduction_of(size_average, reduce, reduction)
    _check_nll(input, target, weight, ignore_index)
    return _nll(input, target, weight, reduction, ignore_index)


def _class_weight(weight: Tensor, dim: int) -> Tensor:
    """``weight`` viewed to broadcast along the class dim (dim 1) of a ``dim``-d input."""
    if dim <= 1:
        return weight
    shape = [1] * dim
    shape[1] = weight.size(0)
    return weight.view(shape)


def _cross_entropy_probs(
    input: Tensor, target: Tensor, weight: Tensor | None, reduction: str, label_smoothing: float
) -> Tensor:
    class_dim = 0 if input.dim() == 1 else 1
    classes = input.size(class_dim)
    if weight is not None and (weight.dim() != 1 or weight.numel() != classes):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {classes} classes or "
            f"no classes but got weight tensor of shape: {list(weight.shape)}"
        )
    log_probs = input.log_softmax(class_dim)
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + (label_smoothing / classes)
    products = log_probs * target
    if weight is not None:
        products = products * _class_weight(weight, input.dim())
    if reduction == "mean":
        return -products.sum() / (input.numel() // classes)
    if reduction == "sum":
        return -products.sum()
    return -products.sum(class_dim)


def _cross_entropy_smoothed(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None,
    reduction: str,
    ignore_index: int,
    label_smoothing: float,
) -> Tensor:
    # PyTorch's cross_entropy_loss_label_smoothing, term by term.
    class_dim = 0 if input.dim() == 1 else 1
    classes = input.size(class_dim)
    log_probs = input.log_softmax(class_dim)
    nll = _nll(log_probs, target, weight, reduction, ignore_index)
    ignore_mask = target == ignore_index
    if weight is not None:
        smooth = -(log_probs * _class_weight(weight, input.dim())).sum(class_dim)
    else:
        smooth = -log_probs.sum(class_dim)
    smooth = smooth.masked_fill(ignore_mask, 0.0)
    if reduction == "mean":
        kept = ignore_mask.logical_not()
        if weight is not None:
            smooth = smooth.sum() / weight.gather(0, target.masked_select(kept).flatten()).sum()
        else:
            smooth = smooth.sum() / kept.sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / classes)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """log_softmax + nll_loss for class indices; -sum(p * log_softmax) for class probabilities.

    A ``target`` with the same shape as ``input`` holds probabilities (it must
    be floating point); otherwise it holds class indices (int64).
    """
    reduction = _reduction_of(size_average, reduce, reduction)
    if input._data.shape == target._data.shape:
        if not target.dtype.is_floating_point:
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, got "
                f"{_dtype.scalar_type_name(target.dtype)}"
            )
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if label_smoothing > 1.0:
            raise RuntimeError(
                f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
            )
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    _check_nll(input, target, weight, ignore_index)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(
                f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
            )
        return _cross_entropy_smoothed(
            input, target, weight, reduction, ignore_index, label_smoothing
        )
    class_dim = 0 if input.dim() == 1 else 1
    return _nll(input.log_softmax(class_dim), target, weight, reduction, ignore_index)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """-(t log x + (1 - t) log(1 - x)), each log clamped at -100 as PyTorch's kernel."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    if ((input < 0) | (input > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = (target - 1) * (1 - input).log().clamp_min(-100) - target * input.log().clamp_min(-100)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """(1 - t) x - w_pos log(sigmoid(x)), with a stable log-sigmoid (PyTorch 2.x's formula)."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(
            f"Target size ({target.size()}) must be the same as input size ({input.size()})"
        )
    # log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))
    log_sigmoid = input.clamp_max(0) - (-input.abs()).exp().log1p()
    if pos_weight is not None:
        log_sigmoid = log_sigmoid * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * input - log_sigmoid
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
