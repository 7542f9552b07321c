"""Indexing: ``x[key]`` and ``x[key] = value``, gather/scatter and the index_* family.

As PyTorch's applySlicing: ints, slices, None and Ellipsis become views
(SelectBackward0, SliceBackward0, UnsqueezeBackward0) applied one after the
other; tensor and list indices then go to ``index`` (a copy, IndexBackward0).
``x[key] = value`` takes the same views and writes through ``copy_``/``fill_``
or ``index_put_``, so the write passes through the in-place door once.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype, _errors
from .._creation import tensor as make_tensor
from .._dispatch import broadcast_shape, call
from .._inplace import apply_inplace
from .._tensor import Tensor, _wrap_dim
from ._api import method, public
from ._registry import LONG, defop
from .shape import select, slice_dim

# --- forwards --------------------------------------------------------------------------------


def _index_key(indices):
    return tuple(slice(None) if i is None else i for i in indices)


def _index(self, indices):
    return np.asarray(self[_index_key(indices)], order="C")


def _index_put(self, indices, values, accumulate=False, out=None):
    if out is None:
        out = self.copy()
    key = _index_key(indices)
    if accumulate:
        np.add.at(out, key, values)
    else:
        out[key] = values
    return out


def _gather(self, dim, index, sparse_grad=False):
    return np.take_along_axis(self, index, axis=dim)


def _scatter_positions(self_shape, dim, index):
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


def _scatter(self, dim, index, src, out=None):
    out = self.copy() if out is None else out
    values = src if np.ndim(src) == 0 else src[tuple(slice(0, n) for n in index.shape)]
    out[_scatter_positions(self.shape, dim, index)] = values
    return out


def _scatter_add(self, dim, index, src, out=None):
    out = self.copy() if out is None else out
    np.add.at(
        out,
        _scatter_positions(self.shape, dim, index),
        src[tuple(slice(0, n) for n in index.shape)],
    )
    return out


_REDUCERS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _scatter_reduce(self, dim, index, src, reduce, include_self=True, out=None):
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
    out = self.copy() if out is None else out
    positions = _scatter_positions(self.shape, dim, index)
    values = src[tuple(slice(0, n) for n in index.shape)]
    if reduce == "mean":
        counts = np.zeros(self.shape, dtype=np.int64)
        np.add.at(counts, positions, 1)
        if not include_self:
            out[positions] = 0
        np.add.at(out, positions, values)
        divisor = counts + (1 if include_self else 0)
        touched = counts > 0
        quotient = out[touched] / divisor[touched]
        out[touched] = np.floor(quotient) if out.dtype.kind in "iu" else quotient
        return out
    if not include_self:
        identity = {"sum": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
        if out.dtype.kind in "iub" and reduce in ("amax", "amin"):
            info = np.iinfo(out.dtype)
            identity = info.min if reduce == "amax" else info.max
        out[positions] = identity
    _REDUCERS[reduce].at(out, positions, values)
    return out


def _index_select(self, dim, index):
    return np.take(self, index.reshape(-1), axis=dim) if self.ndim else self.copy()


def _along(dim, index):
    # NB: a 0-dim index selects like a one-element index (the dim is kept).
    return (slice(None),) * dim + (np.reshape(index, -1),)


def _index_add(self, dim, index, source, alpha=1, out=None):
    out = self.copy() if out is None else out
    values = source if alpha == 1 else source * alpha
    if out.ndim == 0:
        np.add.at(out.reshape(1), index, values.reshape(-1))
        return out
    np.add.at(out, _along(dim, index), values)
    return out


def _index_copy(self, dim, index, source, out=None):
    out = self.copy() if out is None else out
    if out.ndim == 0:
        out[...] = source
        return out
    out[_along(dim, index)] = source
    return out


def _index_fill(self, dim, index, value, out=None):
    out = self.copy() if out is None else out
    if out.ndim == 0:
        out[...] = value
        return out
    out[_along(dim, index)] = value
    return out


def _masked_scatter(self, mask, source, out=None):
    out = self.copy() if out is None else out
    mask = np.broadcast_to(mask, out.shape)
    count = int(mask.sum())
    out[mask] = source.reshape(-1)[:count]
    return out


def _nonzero(self):
    # NB: PyTorch's nonzero result is column-major: strides (1, N).
    positions = np.argwhere(self)
    out = np.empty(positions.shape[::-1], dtype=np.int64).T
    np.copyto(out, positions)
    return out


def _masked_select(self, mask):
    shape = np.broadcast_shapes(self.shape, mask.shape)
    return np.broadcast_to(self, shape)[np.broadcast_to(mask, shape)]


# --- formulas helpers --------------------------------------------------------------------------


def _index_backward(grad, self_sizes, indices):
    return grad.new_zeros(self_sizes).index_put(indices, grad, accumulate=True)


def _masked_scatter_source_grad(grad, mask, source_sizes):
    numel = 1
    for s in source_sizes:
        numel *= s
    selected = grad.masked_select(mask)
    missing = numel - selected.numel()
    if missing:
        from .shape import cat

        selected = cat([selected, grad.new_zeros((missing,))])
    return selected.view(source_sizes)


# --- the table -----------------------------------------------------------------------------------

index_op = defop(
    "index.Tensor(Tensor self, Tensor?[] indices) -> Tensor",
    forward=_index,
    node="IndexBackward0",
    self=lambda grad, self_sizes, indices: _index_backward(grad, self_sizes, indices),
)
index_put_op = defop(
    "index_put(Tensor self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor",
    forward=_index_put,
    node="IndexPutBackward0",
    inplace="index_put_",
    # NB: PyTorch allows index_put_ on an expanded tensor, with this warning.
    overlap_ok="Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor "
    "before performing this operation. This also applies to advanced indexing e.g. "
    "tensor[indices] = tensor",
    self=lambda grad, indices, accumulate: (
        grad if accumulate else grad.index_put(indices, grad.new_zeros(()), accumulate=False)
    ),
    values=lambda grad, indices: call(index_op, (grad, list(indices))),
)
gather_op = defop(
    "gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False) -> Tensor",
    forward=_gather,
    node="GatherBackward0",
    self=lambda grad, self, dim, index, sparse_grad: self.new_zeros(self.shape).scatter_add(
        dim, index, grad
    ),
)
scatter_src_op = defop(
    "scatter.src(Tensor self, int dim, Tensor index, Tensor src) -> Tensor",
    forward=_scatter,
    node="ScatterBackward0",
    inplace="scatter_",
    self=lambda grad, dim, index: grad.scatter(dim, index, 0),
    src=lambda grad, dim, index: grad.gather(dim, index),
)
scatter_value_op = defop(
    "scatter.value(Tensor self, int dim, Tensor index, Scalar value) -> Tensor",
    forward=_scatter,
    node="ScatterBackward1",
    inplace="scatter_",
    self=lambda grad, dim, index: grad.scatter(dim, index, 0),
)
scatter_add_op = defop(
    "scatter_add(Tensor self, int dim, Tensor index, Tensor src) -> Tensor",
    forward=_scatter_add,
    node="ScatterAddBackward0",
    inplace="scatter_add_",
    self=lambda grad: grad,
    src=lambda grad, dim, index: grad.gather(dim, index),
)
scatter_reduce_op = defop(
    "scatter_reduce.two(Tensor self, int dim, Tensor index, Tensor src, str reduce, *, bool include_self=True) -> Tensor",
    forward=_scatter_reduce,
    node="ScatterReduceBackward0",
    inplace="scatter_reduce_",
    self=lambda grad, self, dim, index, src, reduce, include_self, result: _scatter_reduce_grad(
        grad, self, dim, index, src, reduce, include_self, result
    )[0],
    src=lambda grad, self, dim, index, src, reduce, include_self, result: _scatter_reduce_grad(
        grad, self, dim, index, src, reduce, include_self, result
    )[1],
)


def _scatter_reduce_grad(grad, self, dim, index, src, reduce, include_self, result):
    # NB: in PyTorch this is scatter_reduce_backward (FunctionsManual.cpp).
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(
            f"Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', 'amin' but got {reduce}."
        )
    if reduce == "sum":
        grad_self, grad_src = grad, grad.gather(dim, index)
    elif reduce == "prod":
        masked_self = self.masked_fill(self == 0, 1)
        masked_self_result = masked_self.scatter_reduce(
            dim, index, src, reduce, include_self=include_self
        )
        grad_self = grad * masked_self_result / masked_self
        src_zero = src == 0
        src_num_zeros = (
            self.new_zeros(self.shape)
            .scatter_add(dim, index, src_zero.to(self.dtype))
            .gather(dim, index)
        )
        src_single_zero = src_zero.logical_and(src_num_zeros == 1)
        masked_src = src.masked_fill(src_single_zero, 1)
        masked_src_result = self.scatter_reduce(
            dim, index, masked_src, reduce, include_self=include_self
        )
        grad_src = (
            (grad * masked_src_result)
            .gather(dim, index)
            .where(
                src_single_zero, (grad * result).gather(dim, index) / src.masked_fill(src_zero, 1)
            )
        )
    elif reduce == "mean":
        counts = self.new_ones(grad.shape) if include_self else self.new_zeros(grad.shape)
        counts = counts.scatter_add(dim, index, src.new_ones(src.shape))
        counts = counts.masked_fill(counts == 0, 1)
        grad_self = grad / counts
        grad_src = grad.gather(dim, index) / counts.gather(dim, index)
    else:
        # amax / amin: the gradient is shared evenly between equal extremes.
        value = result.gather(dim, index)
        self_is_result = self == result
        src_is_result = src == value
        shares = self_is_result.to(self.dtype).scatter_add(dim, index, src_is_result.to(self.dtype))
        distributed = grad / shares
        grad_self = self_is_result * distributed
        grad_src = src_is_result * distributed.gather(dim, index)
    if not include_self:
        grad_self = grad_self.scatter(dim, index, 0)
    return grad_self, grad_src


index_select_op = defop(
    "index_select(Tensor self, int dim, Tensor index) -> Tensor",
    forward=_index_select,
    node="IndexSelectBackward0",
    self=lambda grad, self_sizes, dim, index: grad.new_zeros(self_sizes).index_add(
        dim, index, grad
    ),
)
index_add_op = defop(
    "index_add(Tensor self, int dim, Tensor index, Tensor source, *, Scalar alpha=1) -> Tensor",
    forward=_index_add,
    node="IndexAddBackward0",
    inplace="index_add_",
    self=lambda grad: grad,
    source=lambda grad, dim, index, source, alpha: (
        grad.index_select(dim, index).expand_as(source) * alpha
        if source.dim()
        else grad.index_select(dim, index).sum() * alpha
    ),
)
index_copy_op = defop(
    "index_copy(Tensor self, int dim, Tensor index, Tensor source) -> Tensor",
    forward=_index_copy,
    node="IndexCopyBackward0",
    inplace="index_copy_",
    self=lambda grad, dim, index: grad.index_fill(dim, index, 0),
    source=lambda grad, dim, index, source: (
        grad.index_select(dim, index).expand_as(source)
        if source.dim()
        else grad.index_select(dim, index).sum()
    ),
)
index_fill_op = defop(
    "index_fill.int_Scalar(Tensor self, int dim, Tensor index, Scalar value) -> Tensor",
    forward=_index_fill,
    node="IndexFillBackward0",
    inplace="index_fill_",
    # NB: PyTorch allows index_fill_ on an expanded tensor, with this warning.
    overlap_ok="Use of index_fill_ on expanded tensors is deprecated. Please clone() the tensor "
    "before performing this operation. This also applies to advanced indexing e.g. "
    "tensor[mask] = scalar",
    self=lambda grad, dim, index: grad.index_fill(dim, index, 0),
)
masked_scatter_op = defop(
    "masked_scatter(Tensor self, Tensor mask, Tensor source) -> Tensor",
    forward=_masked_scatter,
    node="MaskedScatterBackward0",
    inplace="masked_scatter_",
    self=lambda grad, mask: grad.masked_fill(mask, 0),
    source=lambda grad, mask, source_sizes: _masked_scatter_source_grad(grad, mask, source_sizes),
)
masked_select_op = defop(
    "masked_select(Tensor self, Tensor mask) -> Tensor",
    forward=_masked_select,
    node="MaskedSelectBackward0",
    self=lambda grad, self, mask: (
        self.new_zeros(self.shape)
        .expand(tuple(np.broadcast_shapes(tuple(self.shape), tuple(mask.shape))))
        .clone()
        .masked_scatter(mask, grad)
        .sum_to_size(self.shape)
    ),
)
nonzero_op = defop(
    "nonzero(Tensor self) -> Tensor",
    forward=lambda self: _nonzero(self),
    dtype=LONG,
)


# --- checks (run before any write; see the in-place protocol) -----------------------------------


def _check_index_tensor(index: Tensor, name: str) -> None:
    """The index dtype check, with each kernel's own wording (int32 is accepted by most)."""
    if index.dtype is _dtype.int64 or (index.dtype is _dtype.int32 and name not in _LONG_ONLY):
        return
    got = _dtype.scalar_type_name(index.dtype)
    if name == "index_fill":
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if name == "index_copy":
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {got}")
    if name == "index_select":
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if name == "index_add":
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: {got}")
    raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")


_LONG_ONLY = ("index_fill", "index_copy")


def _check_range(index: np.ndarray, size: int, dim: int) -> None:
    if index.size and (index.max() >= size or index.min() < -size):
        bad = int(index.max()) if index.max() >= size else int(index.min())
        raise _errors.index_out_of_range(bad, dim, size)


def _check_scatter(self, dim, index, src, name):
    _check_index_tensor(index, name)
    if index.dim() != self.dim() and index.numel():
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    size = self.shape[dim] if self.dim() else 1
    idx = index._data
    if idx.size and (idx.max() >= size or idx.min() < 0):
        bad = int(idx.max()) if idx.max() >= size else int(idx.min())
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


# --- public API ----------------------------------------------------------------------------------


@public
def gather(input, dim, index, *, sparse_grad=False):
    dim = _wrap_dim(dim, input.dim())
    _check_scatter(input, dim, index, None, "gather")
    return call(gather_op, (input, index), {"dim": dim, "sparse_grad": sparse_grad})


method(gather)


def _scatter_call(self, dim, index, src, reduce, inplace):
    dim = _wrap_dim(dim, self.dim())
    _check_scatter(self, dim, index, src, "scatter")
    if reduce is not None:
        op = scatter_reduce_op
        mapped = {"add": "sum", "multiply": "prod"}[reduce]
        inputs, attrs = (
            (self, index, src if isinstance(src, Tensor) else make_tensor(src, dtype=self.dtype)),
            {"dim": dim, "reduce": mapped, "include_self": True},
        )
    elif isinstance(src, Tensor):
        op, inputs, attrs = scatter_src_op, (self, index, src), {"dim": dim}
    else:
        op, inputs, attrs = scatter_value_op, (self, index), {"dim": dim, "value": src}
    if inplace:
        return apply_inplace(op, inputs, attrs, "scatter_", pointwise=False)
    return call(op, inputs, attrs)


@public
def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    return _scatter_call(input, dim, index, value if src is None else src, reduce, False)


method(scatter)


@method
def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    return _scatter_call(self, dim, index, value if src is None else src, reduce, True)


def _scatter_add_call(self, dim, index, src, inplace):
    dim = _wrap_dim(dim, self.dim())
    _check_scatter(self, dim, index, src, "scatter")
    if inplace:
        return apply_inplace(
            scatter_add_op, (self, index, src), {"dim": dim}, "scatter_add_", pointwise=False
        )
    return call(scatter_add_op, (self, index, src), {"dim": dim})


@public
def scatter_add(input, dim, index, src):
    return _scatter_add_call(input, dim, index, src, False)


method(scatter_add)


@method
def scatter_add_(self, dim, index, src):
    return _scatter_add_call(self, dim, index, src, True)


def _scatter_reduce_call(self, dim, index, src, reduce, include_self, inplace):
    dim = _wrap_dim(dim, self.dim())
    # NB: PyTorch's forward also takes the legacy spellings "max" and "min" (its backward
    # does not).
    if reduce not in ("sum", "prod", "mean", "amax", "amin", "max", "min"):
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    _check_scatter(self, dim, index, src, "scatter")
    attrs = {"dim": dim, "reduce": reduce, "include_self": include_self}
    if inplace:
        return apply_inplace(
            scatter_reduce_op, (self, index, src), attrs, "scatter_reduce_", pointwise=False
        )
    return call(scatter_reduce_op, (self, index, src), attrs)


@public
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    return _scatter_reduce_call(input, dim, index, src, reduce, include_self, False)


method(scatter_reduce)


@method
def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    return _scatter_reduce_call(self, dim, index, src, reduce, include_self, True)


@public
def index_select(input, dim, index):
    dim = _wrap_dim(dim, input.dim())
    _check_index_tensor(index, "index_select")
    if index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    size = input.shape[dim] if input.dim() else 1
    idx = index._data.reshape(-1)
    if idx.size and (idx.max() >= size or idx.min() < 0):
        raise IndexError("index out of range in self")
    return call(index_select_op, (input, index), {"dim": dim})


method(index_select)


def _dim_index_call(op, name, self, dim, index, others, attrs, inplace):
    dim = _wrap_dim(dim, self.dim())
    _check_index_tensor(index, name)
    size = self.shape[dim] if self.dim() else 1
    idx = index._data.reshape(-1)
    # NB: as PyTorch's kernels: index_add_ takes no negative indices and reports
    # as a RuntimeError (an IndexError "index out of range in self" for 0-d/1-d self);
    # index_copy_ prefixes its name.
    low = 0 if name == "index_add" else -size
    if idx.size and (idx.max() >= size or idx.min() < low):
        bad = int(idx.max()) if idx.max() >= size else int(idx.min())
        message = f"index {bad} is out of bounds for dimension {dim} with size {size}"
        if name == "index_add":
            if self.dim() <= 1:
                raise IndexError("index out of range in self")
            raise RuntimeError(message)
        if name == "index_copy":
            message = "index_copy_(): " + message
        raise IndexError(message)
    inputs = (self, index) + others
    attrs = dict(attrs, dim=dim)
    if inplace:
        return apply_inplace(op, inputs, attrs, name + "_", pointwise=False)
    return call(op, inputs, attrs)


@public
def index_add(input, dim, index, source, *, alpha=1):
    return _dim_index_call(
        index_add_op, "index_add", input, dim, index, (source,), {"alpha": alpha}, False
    )


method(index_add)


@method
def index_add_(self, dim, index, source, *, alpha=1):
    return _dim_index_call(
        index_add_op, "index_add", self, dim, index, (source,), {"alpha": alpha}, True
    )


@public
def index_copy(input, dim, index, source):
    return _dim_index_call(index_copy_op, "index_copy", input, dim, index, (source,), {}, False)


method(index_copy)


@method
def index_copy_(self, dim, index, source):
    return _dim_index_call(index_copy_op, "index_copy", self, dim, index, (source,), {}, True)


@public
def index_fill(input, dim, index, value):
    if isinstance(value, Tensor):
        value = value.item()
    return _dim_index_call(
        index_fill_op, "index_fill", input, dim, index, (), {"value": value}, False
    )


method(index_fill)


@method
def index_fill_(self, dim, index, value):
    if isinstance(value, Tensor):
        value = value.item()
    return _dim_index_call(
        index_fill_op, "index_fill", self, dim, index, (), {"value": value}, True
    )


def _check_mask(self, mask, name):
    if mask.dtype is not _dtype.bool_:
        raise RuntimeError(f"{name}: expected BoolTensor for mask")


@public
def masked_select(input, mask):
    _check_mask(input, mask, "masked_select")
    broadcast_shape((mask, input))  # NB: PyTorch's expand_outplace(mask, self) names mask "a"
    return call(masked_select_op, (input, mask))


method(masked_select)


def _check_masked_scatter(self, mask, source):
    _check_mask(self, mask, "masked_scatter_")
    needed = int(np.broadcast_to(mask._data, self._data.shape).sum())
    if needed > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")


@public
def masked_scatter(input, mask, source):
    _check_masked_scatter(input, mask, source)
    return call(masked_scatter_op, (input, mask, source))


method(masked_scatter)


@method
def masked_scatter_(self, mask, source):
    _check_masked_scatter(self, mask, source)
    return apply_inplace(
        masked_scatter_op, (self, mask, source), {}, "masked_scatter_", pointwise=False
    )


@public
def nonzero(input, *, as_tuple=False):
    result = call(nonzero_op, (input,))
    if as_tuple:
        return (
            tuple(result[:, k] for k in range(result.shape[1]))
            if input.dim()
            else (result.view(-1),)
        )
    return result


method(nonzero)


@public
def argwhere(input):
    return nonzero(input)


# --- x[key] and x[key] = value ---------------------------------------------------------------------


def _as_index_tensor(value, dim_size=None) -> Tensor:
    if not isinstance(value, (Tensor, np.ndarray, list, tuple)):
        raise IndexError(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
            f"valid indices (got {type(value).__name__})"
        )
    if isinstance(value, Tensor):
        if value.dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return value
    array = np.asarray(value)
    if array.dtype == np.bool_:
        return make_tensor(array.tolist(), dtype=_dtype.bool_)
    if array.dtype.kind not in "iu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return make_tensor(array.astype(np.int64).tolist(), dtype=_dtype.int64)


def apply_basic(self: Tensor, key):
    """Apply the int/slice/None/Ellipsis parts of ``key`` as views.

    Returns the view and a per-dimension list of the remaining advanced indices
    (None where the dimension is taken whole), as PyTorch's applySlicing.
    """
    if not isinstance(key, tuple):
        key = (key,)
    consumed = sum(
        0
        if k is None or k is Ellipsis or isinstance(k, bool)
        else (k.dim() if isinstance(k, Tensor) and k.dtype is _dtype.bool_ else 1)
        for k in key
    )
    if consumed > self.dim():
        raise IndexError(f"too many indices for tensor of dimension {self.dim()}")
    result = self
    dim = 0
    advanced: list = []
    for k in key:
        if isinstance(k, Tensor) and k.dim() == 0 and k.dtype._category == 1:
            # NB: as PyTorch's applySlicing, a 0-dim integer tensor indexes like an int.
            k = int(k.item())
        if k is Ellipsis:
            skip = self.dim() - consumed
            dim += skip
            advanced.extend([None] * skip)
            consumed = self.dim()
        elif k is None:
            result = result.unsqueeze(dim)
            advanced.append(None)
            dim += 1
        elif isinstance(k, bool):
            result = result.unsqueeze(dim)
            if not k:
                result = slice_dim(result, dim, 0, 0, 1)
            advanced.append(None)
            dim += 1
        elif isinstance(k, slice):
            start, stop, step = k.start, k.stop, k.step
            if step == 0:
                raise ValueError("slice step cannot be zero")
            if step is not None and step < 0:
                raise ValueError("step must be greater than zero")
            # As PyTorch's applySlice: a slice starting at 0 (a negative start is not
            # wrapped) and reaching the end with step 1 is skipped.
            length = result.shape[dim]
            whole = (start is None or _int(start) == 0) and (stop is None or _int(stop) >= length)
            if not (whole and step in (None, 1)):
                result = slice_dim(result, dim, _int(start), _int(stop), step or 1)
            advanced.append(None)
            dim += 1
        elif isinstance(k, (int, np.integer)):
            size = result.shape[dim]
            if not -size <= k < size:
                raise _errors.index_out_of_range(int(k), len(advanced), size)
            result = select(result, dim, int(k))
        else:
            index = _as_index_tensor(k)
            if index.dtype is _dtype.bool_:
                for d in range(index.dim()):
                    if index.shape[d] != result.shape[dim + d]:
                        raise IndexError(
                            f"The shape of the mask [{', '.join(map(str, index.shape))}] at index {d} does "
                            f"not match the shape of the indexed tensor "
                            f"[{', '.join(map(str, result.shape))}] at index {dim + d}"
                        )
                if index.dim() == 0:
                    result = result.unsqueeze(dim)
                    advanced.append(index.view(1))
                    dim += 1
                    continue
                positions = index.nonzero(as_tuple=True)
                advanced.extend(positions)
                dim += index.dim()
            else:
                size = result.shape[dim]
                # NB: PyTorch's index kernel numbers the dimension among the index tensors.
                _check_range(index._data, size, sum(a is not None for a in advanced))
                advanced.append(index)
                dim += 1
    return result, advanced


def _int(value):
    if isinstance(value, Tensor):
        return int(value.item())
    return value


@method
def __getitem__(self, key):
    if type(key) is int:
        # NB: the common x[i], as apply_basic would do it (its errors for a 0-d tensor
        # or an index out of range).
        data = self._data
        if data.ndim and -data.shape[0] <= key < data.shape[0]:
            return select(self, 0, key)
    elif isinstance(key, slice):
        # As PyTorch's fast path for a lone slice: always a slice (x[:] is SliceBackward0).
        if self.dim() == 0:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        if key.step == 0:
            raise ValueError("slice step cannot be zero")
        if key.step is not None and key.step < 0:
            raise ValueError("step must be greater than zero")
        return slice_dim(self, 0, _int(key.start), _int(key.stop), key.step or 1)
    result, advanced = apply_basic(self, key)
    if any(a is not None for a in advanced):
        advanced = advanced + [None] * (result.dim() - len(advanced))
        while advanced and advanced[-1] is None:
            advanced.pop()
        return call(index_op, (result, advanced))
    if result is self:
        # x[...] and x[()] still return a new view, as PyTorch's alias.
        return call(_alias_op(), (self,))
    return result


def _alias_op():
    from .shape import alias_op

    return alias_op


@method
def __setitem__(self, key, value):
    result, advanced = apply_basic(self, key)
    if any(a is not None for a in advanced):
        while advanced and advanced[-1] is None:
            advanced.pop()
        if not isinstance(value, Tensor):
            value = make_tensor(value, dtype=self.dtype)
        result.index_put_(tuple(advanced), value)
        return
    # As PyTorch's copy_to: a scalar becomes a 0-d tensor of self's dtype; equal
    # shapes copy_, a 0-d value fill_(Tensor) (which, unlike fill_(Scalar), refuses
    # an expanded destination), anything else is expanded to the destination.
    if not isinstance(value, Tensor):
        value = make_tensor(value, dtype=self.dtype)
    if tuple(result.shape) == tuple(value.shape):
        result.copy_(value)
    elif value.dim() == 0:
        result.fill_(value)
    else:
        shape = tuple(value.shape)
        while shape and shape[0] == 1:
            shape = shape[1:]
        result.copy_(value.view(shape).expand(result.shape))


def _check_index_put(self, indices, values):
    key_arrays = []
    for k, index in enumerate(indices):
        if index is None:
            key_arrays.append(slice(None))
            continue
        if index.dtype is _dtype.bool_:
            raise AssertionError("masks are expanded to positions before index_put_")
        _check_range(index._data, self.shape[k], k)
        key_arrays.append(index._data)
    target_shape = np.empty(self._data.shape, dtype=np.bool_)[tuple(key_arrays)].shape
    try:
        np.broadcast_shapes(tuple(values.shape), target_shape)
        if np.broadcast_shapes(tuple(values.shape), target_shape) != target_shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape [{', '.join(map(str, values.shape))}] cannot be "
            f"broadcast to indexing result of shape [{', '.join(map(str, target_shape))}]"
        ) from None


def _expand_masks(indices):
    out = []
    for index in indices:
        if index is not None and not isinstance(index, Tensor):
            index = _as_index_tensor(index)
        if index is not None and index.dtype is _dtype.bool_:
            out.extend(index.nonzero(as_tuple=True))
        else:
            out.append(index)
    return out


@public
def index_put(input, indices, values, accumulate=False):
    indices = _expand_masks(indices)
    _check_index_put(input, indices, values)
    return call(index_put_op, (input, list(indices), values), {"accumulate": accumulate})


method(index_put)


@method
def index_put_(self, indices, values, accumulate=False):
    indices = _expand_masks(indices)
    if not isinstance(values, Tensor):
        values = make_tensor(values, dtype=self.dtype)
    _check_index_put(self, indices, values)
    return apply_inplace(
        index_put_op,
        (self, list(indices), values),
        {"accumulate": accumulate},
        "index_put_",
        pointwise=False,
    )


# --- embedding (nn.functional.embedding's op) -----------------------------------------------


def _embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return weight[indices]


def _embedding_backward(grad, indices, weight_sizes, padding_idx, scale_grad_by_freq):
    # PyTorch's embedding_dense_backward: each index's rows of grad summed into its
    # weight row; the padding row gets nothing; optionally scaled by 1 / frequency.
    flat_indices = indices.reshape(-1)
    flat_grad = grad.reshape(-1, weight_sizes[1])
    if scale_grad_by_freq:
        counts = grad.new_zeros(weight_sizes[0]).index_add(
            0, flat_indices, grad.new_ones(flat_indices.shape[0])
        )
        flat_grad = flat_grad / counts.index_select(0, flat_indices).unsqueeze(1)
    if padding_idx >= 0:
        flat_grad = flat_grad.masked_fill((flat_indices == padding_idx).unsqueeze(1), 0)
    return grad.new_zeros(weight_sizes).index_add(0, flat_indices, flat_grad)


embedding_op = defop(
    "embedding(Tensor weight, Tensor indices, SymInt padding_idx=-1, bool scale_grad_by_freq=False, "
    "bool sparse=False) -> Tensor",
    forward=_embedding,
    node="EmbeddingBackward0",
    weight=lambda grad, indices, weight_sizes, padding_idx, scale_grad_by_freq: _embedding_backward(
        grad, indices, weight_sizes, padding_idx, scale_grad_by_freq
    ),
)


@public
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    if indices.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got {indices.type()} instead (while checking arguments for embedding)"
        )
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = indices._data
    if idx.size and (idx.max() >= weight.shape[0] or idx.min() < 0):
        raise IndexError("index out of range in self")
    attrs = {"padding_idx": padding_idx, "scale_grad_by_freq": scale_grad_by_freq, "sparse": sparse}
    return call(embedding_op, (weight, indices), attrs)
