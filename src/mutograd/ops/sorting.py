"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, mode, unique.

Each differentiable row routes the gradient back to the positions its indices name, as
PyTorch's value_selecting_reduction_backward does (a scatter into zeros), so the
backward is itself made of table ops and can be differentiated again.
"""

from __future__ import annotations

import numpy as np

from .. import _creation
from .._dispatch import call
from .._inplace import apply_out
from .._layout import contiguous
from .._tensor import Tensor, _wrap_dim
from . import _return_types
from ._api import method, public
from ._registry import defop
from .out_copy import write_out, write_outs
from .reduction import _select_backward

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique"]


def _order(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """A stable order along ``axis``; NaN is the largest value, as in PyTorch's sort."""
    if a.ndim == 0:
        return np.zeros((), np.int64)
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    moved = np.moveaxis(a, axis, -1)
    if moved.dtype.kind == "f":
        nan = np.isnan(moved)
        key = np.where(nan, 0, -moved)
        order = np.lexsort((key, ~nan), axis=-1)  # NaN first, then largest first
    else:
        order = np.argsort(-moved.astype(np.int64), axis=-1, kind="stable")
    return np.moveaxis(order, -1, axis)


def _like_input(raw: np.ndarray, like: np.ndarray) -> np.ndarray:
    """PyTorch's sort keeps the input's layout (its strides) when the input is dense."""
    if like.ndim and like.flags.f_contiguous and not like.flags.c_contiguous:
        return np.asfortranarray(raw)
    return contiguous(raw)


def _sort(self, stable=None, dim=-1, descending=False):
    order = _order(self, dim, descending)
    if self.ndim == 0:
        return self.copy(), order
    values = np.take_along_axis(self, order, axis=dim)
    return _like_input(values, self), _like_input(order.astype(np.int64), self)


def _gather_backward(grad, dim, indices, self_sizes):
    return _select_backward(grad, dim, indices, self_sizes, True)


sort_op = defop(
    "sort(Tensor self, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)",
    forward=lambda self, dim=-1, descending=False: _sort(self, None, dim, descending),
    node="SortBackward0",
    self=_gather_backward,
)
sort_stable_op = defop(
    "sort.stable(Tensor self, *, bool? stable, int dim=-1, bool descending=False) "
    "-> (Tensor values, Tensor indices)",
    forward=_sort,
    node="SortBackward1",
    self=_gather_backward,
)


def _topk(self, k, dim=-1, largest=True, sorted=True):
    order = _order(self, dim, largest)
    if self.ndim == 0:
        return self.copy(), order
    indices = np.take(order, np.arange(k), axis=dim)
    values = np.take_along_axis(self, indices, axis=dim)
    return contiguous(values), contiguous(indices.astype(np.int64))


topk_op = defop(
    "topk(Tensor self, SymInt k, int dim=-1, bool largest=True, bool sorted=True) "
    "-> (Tensor values, Tensor indices)",
    forward=_topk,
    node="TopkBackward0",
    self=_gather_backward,
)


def _kth(self, position, dim, keepdim):
    """The value at sorted ``position`` along ``dim`` (ascending) and its index."""
    if self.ndim == 0:
        return self.copy(), np.zeros((), np.int64)
    order = _order(self, dim, False)
    index = np.take(order, [position], axis=dim)
    values = np.take_along_axis(self, index, axis=dim)
    if not keepdim:
        values, index = np.squeeze(values, dim), np.squeeze(index, dim)
    return contiguous(values), contiguous(index.astype(np.int64))


kthvalue_op = defop(
    "kthvalue(Tensor self, SymInt k, int dim=-1, bool keepdim=False) "
    "-> (Tensor values, Tensor indices)",
    forward=lambda self, k, dim=-1, keepdim=False: _kth(self, k - 1, dim, keepdim),
    node="KthvalueBackward0",
    self=lambda grad, dim, indices, self_sizes, keepdim: _select_backward(
        grad, dim, indices, self_sizes, keepdim
    ),
)


def _median_dim(self, dim, keepdim=False, ignore_nan=False):
    if self.ndim == 0:
        return self.copy(), np.zeros((), np.int64)
    n = self.shape[dim]
    if ignore_nan:
        # nanmedian: the lower median of the non-NaN values of each slice.
        count = np.sum(~np.isnan(self), axis=dim, keepdims=True)
        position = np.maximum((count - 1) // 2, 0)
        order = _order(self, dim, False)
        index = np.take_along_axis(order, position, axis=dim)
    else:
        # A NaN anywhere in the slice is the median (NaN sorts last, PyTorch reports it).
        order = _order(self, dim, False)
        has_nan = np.isnan(self).any(axis=dim, keepdims=True) if self.dtype.kind == "f" else False
        position = np.where(has_nan, n - 1, (n - 1) // 2)
        position = np.broadcast_to(position, index_shape(self.shape, dim)).astype(np.int64)
        index = np.take_along_axis(order, position, axis=dim)
    values = np.take_along_axis(self, index, axis=dim)
    if not keepdim:
        values, index = np.squeeze(values, dim), np.squeeze(index, dim)
    return contiguous(values), contiguous(index.astype(np.int64))


def index_shape(shape, dim):
    return tuple(1 if d == dim else s for d, s in enumerate(shape))


def _evenly_distribute(grad, self, result):
    # PyTorch's evenly_distribute_backward: a NaN result came from the NaN inputs.
    mask = (self == result) | (self.isnan() & result.isnan())
    return mask * (grad / mask.sum())


def _median_all(self, ignore_nan=False):
    flat = self.reshape(-1)
    values, _ = _median_dim(flat, 0, False, ignore_nan)
    return np.asarray(values)


median_all_op = defop(
    "median(Tensor self) -> Tensor",
    forward=_median_all,
    node="MedianBackward0",
    self=lambda grad, self, result: _evenly_distribute(grad, self, result),
)
median_dim_op = defop(
    "median.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
    forward=_median_dim,
    node="MedianBackward1",
    self=lambda grad, dim, indices, self_sizes, keepdim: _select_backward(
        grad, dim, indices, self_sizes, keepdim
    ),
)
nanmedian_all_op = defop(
    "nanmedian(Tensor self) -> Tensor",
    forward=lambda self: _median_all(self, True),
    node="NanmedianBackward0",
    self=lambda grad, self, result: _evenly_distribute(grad, self, result),
)
nanmedian_dim_op = defop(
    "nanmedian.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
    forward=lambda self, dim, keepdim=False: _median_dim(self, dim, keepdim, True),
    node="NanmedianBackward1",
    self=lambda grad, dim, indices, self_sizes, keepdim: _select_backward(
        grad, dim, indices, self_sizes, keepdim
    ),
)


def _mode(self, dim=-1, keepdim=False):
    """The most frequent value of each slice (the smallest among equally frequent ones) and
    the index of its last occurrence, as PyTorch's CPU kernel reports."""
    if self.ndim == 0:
        return self.copy(), np.zeros((), np.int64)
    moved = np.moveaxis(self, dim, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    values = np.empty(flat.shape[0], self.dtype)
    indices = np.empty(flat.shape[0], np.int64)
    for row, data in enumerate(flat):
        uniq, counts = np.unique(data, return_counts=True)
        best = uniq[np.argmax(counts)]  # np.unique is sorted: ties go to the smallest
        values[row] = best
        indices[row] = np.flatnonzero(data == best)[-1]
    shape = moved.shape[:-1]
    values, indices = values.reshape(shape), indices.reshape(shape)
    if keepdim:
        values, indices = np.expand_dims(values, dim), np.expand_dims(indices, dim)
    return contiguous(values), contiguous(indices)


mode_op = defop(
    "mode(Tensor self, int dim=-1, bool keepdim=False) -> (Tensor values, Tensor indices)",
    forward=_mode,
    node="ModeBackward0",
    self=lambda grad, dim, indices, self_sizes, keepdim: _select_backward(
        grad, dim, indices, self_sizes, keepdim
    ),
)


# --- public functions ----------------------------------------------------------------------


def _dim(input: Tensor, dim) -> int:
    return _wrap_dim(dim, max(input.dim(), 1))


@public
def sort(input, dim=-1, descending=False, *, stable=None, out=None):
    dim = _dim(input, dim)
    if stable is None:
        values, indices = call(sort_op, (input,), {"dim": dim, "descending": descending})
    else:
        attrs = {"stable": stable, "dim": dim, "descending": descending}
        values, indices = call(sort_stable_op, (input,), attrs)
    return write_outs("sort", _return_types.sort(values, indices), out, _return_types.sort)


@public
def argsort(input, dim=-1, descending=False, *, stable=False):
    return sort(input, dim, descending, stable=stable).indices


@public
def msort(input, *, out=None):
    return write_out("msort", sort(input, 0).values, out)


@public
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    dim = _dim(input, dim)
    size = input.shape[dim] if input.dim() else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    attrs = {"k": int(k), "dim": dim, "largest": largest, "sorted": sorted}
    values, indices = call(topk_op, (input,), attrs)
    return write_outs("topk", _return_types.topk(values, indices), out, _return_types.topk)


@public
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    dim = _dim(input, dim)
    size = input.shape[dim] if input.dim() else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    attrs = {"k": int(k), "dim": dim, "keepdim": keepdim}
    result = _return_types.kthvalue(*call(kthvalue_op, (input,), attrs))
    return write_outs("kthvalue", result, out, _return_types.kthvalue)


def _median(all_op, dim_op, name, input, dim, keepdim, out=None):
    if dim is None:
        if input.numel() == 0:
            return _creation.tensor(float("nan"), dtype=input.dtype)
        if out is not None:
            return apply_out(all_op, (input,), {}, out)
        return call(all_op, (input,))
    dim = _dim(input, dim)
    if input.dim() and input.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    result = _return_types.median(*call(dim_op, (input,), {"dim": dim, "keepdim": keepdim}))
    return write_outs(name, result, out, _return_types.median)


@public
def median(input, dim=None, keepdim=False, *, out=None):
    return _median(median_all_op, median_dim_op, "median", input, dim, keepdim, out)


@public
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    return _median(nanmedian_all_op, nanmedian_dim_op, "nanmedian", input, dim, keepdim, out)


@public
def mode(input, dim=-1, keepdim=False, *, out=None):
    dim = _dim(input, dim)
    if input.dim() and input.shape[dim] == 0:
        raise IndexError(f"mode(): Expected reduction dim {dim} to have non-zero size.")
    result = _return_types.mode(*call(mode_op, (input,), {"dim": dim, "keepdim": keepdim}))
    return write_outs("mode", result, out, _return_types.mode)


def _unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
    if dim is None:
        values, inverse, counts = np.unique(self, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(self.shape)
    else:
        values, inverse, counts = np.unique(self, return_inverse=True, return_counts=True, axis=dim)
        inverse = inverse.reshape(-1)
    return np.ascontiguousarray(values), inverse.astype(np.int64), counts.astype(np.int64)


def _not_implemented(name):
    # PyTorch declares unique's derivative "not_implemented": the result has a node whose
    # backward raises.
    def formula(grad):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")

    return formula


unique_op = defop(
    "_unique2(Tensor self, bool sorted=True, bool return_inverse=False, "
    "bool return_counts=False) -> (Tensor output, Tensor inverse_indices, Tensor counts)",
    forward=_unique,
    node="Unique2Backward0",
    self=_not_implemented("_unique2"),
)
unique_dim_op = defop(
    "unique_dim(Tensor self, int dim, bool sorted=True, bool return_inverse=False, "
    "bool return_counts=False) -> (Tensor output, Tensor inverse_indices, Tensor counts)",
    forward=lambda self, dim, sorted=True, return_inverse=False, return_counts=False: _unique(
        self, sorted, return_inverse, return_counts, dim
    ),
    node="UniqueDimBackward0",
    self=_not_implemented("unique_dim"),
)


@public
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """``torch.unique``: always sorted, as PyTorch's CPU kernel; not differentiable."""
    attrs = {"sorted": sorted, "return_inverse": return_inverse, "return_counts": return_counts}
    if dim is None:
        values, inverse, counts = call(unique_op, (input,), attrs)
    else:
        attrs["dim"] = _wrap_dim(dim, input.dim())
        values, inverse, counts = call(unique_dim_op, (input,), attrs)
    result = [values]
    if return_inverse:
        result.append(inverse)
    if return_counts:
        result.append(counts)
    return result[0] if len(result) == 1 else tuple(result)


@public
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    if dim is not None:
        raise NotImplementedError(
            "torch.unique_consecutive(dim=...) is not supported by mutograd yet"
        )
    data = input.detach().numpy().reshape(-1)
    starts = np.ones(data.shape, bool)
    starts[1:] = data[1:] != data[:-1]
    values = data[starts]
    result = [_creation.tensor(values, dtype=input.dtype)]
    if return_inverse:
        inverse = (np.cumsum(starts) - 1).reshape(input.shape)
        result.append(_creation.tensor(inverse.astype(np.int64)))
    if return_counts:
        edges = np.flatnonzero(np.append(starts, True))
        result.append(_creation.tensor(np.diff(edges).astype(np.int64)))
    return result[0] if len(result) == 1 else tuple(result)


for _fn in (
    sort,
    argsort,
    msort,
    topk,
    kthvalue,
    median,
    nanmedian,
    mode,
    unique,
    unique_consecutive,
):
    method(_fn)
