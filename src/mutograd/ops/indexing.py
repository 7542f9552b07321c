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
from .._dispatch import call
from .._inplace import apply_inplace
from .._tensor import Tensor, _wrap_dim
from ._api import method, public
from ._registry import KEEP, defop
from .shape import select, slice_dim

# --- forwards --------------------------------------------------------------------------------


def _index_key(indices):
    return tuple(slice(None) if i is None else i for i in indices)


def _index(self, indices):
    return self[_index_key(indices)]


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
    np.add.at(out, _scatter_positions(self.shape, dim, index), src[tuple(slice(0, n) for n in index.shape)])
    return out


_REDUCERS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _scatter_reduce(self, dim, index, src, reduce, include_self=True, out=None):
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
    return (slice(None),) * dim + (index,)


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
    forward=_index, node="IndexBackward0",
    self=lambda grad, self_sizes, indices: _index_backward(grad, self_sizes, indices),
)
index_put_op = defop(
    "index_put(Tensor self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor",
    forward=_index_put, node="IndexPutBackward0", inplace="index_put_",
    self=lambda grad, indices, accumulate: (
        grad if accumulate else grad.index_put(indices, grad.new_zeros(()), accumulate=False)
    ),
    values=lambda grad, indices: call(index_op, (grad, list(indices))),
)
gather_op = defop(
    "gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False) -> Tensor",
    forward=_gather, node="GatherBackward0",
    self=lambda grad, self, dim, index, sparse_grad: self.new_zeros(self.shape).scatter_add(dim, index, grad),
)
scatter_src_op = defop(
    "scatter.src(Tensor self, int dim, Tensor index, Tensor src) -> Tensor",
    forward=_scatter, node="ScatterBackward0", inplace="scatter_",
    self=lambda grad, dim, index: grad.scatter(dim, index, 0),
    src=lambda grad, dim, index: grad.gather(dim, index),
)
scatter_value_op = defop(
    "scatter.value(Tensor self, int dim, Tensor index, Scalar value) -> Tensor",
    forward=_scatter, node="ScatterBackward1", inplace="scatter_",
    self=lambda grad, dim, index: grad.scatter(dim, index, 0),
)
scatter_add_op = defop(
    "scatter_add(Tensor self, int dim, Tensor index, Tensor src) -> Tensor",
    forward=_scatter_add, node="ScatterAddBackward0", inplace="scatter_add_",
    self=lambda grad: grad,
    src=lambda grad, dim, index: grad.gather(dim, index),
)
scatter_reduce_op = defop(
    "scatter_reduce.two(Tensor self, int dim, Tensor index, Tensor src, str reduce, *, bool include_self=True) -> Tensor",
    forward=_scatter_reduce, node="ScatterReduceBackward0", inplace="scatter_reduce_",
    self=lambda grad, self, dim, index, src, reduce, include_self, result: _scatter_reduce_grad(
        grad, self, dim, index, src, reduce, include_self, result
    )[0],
    src=lambda grad, self, dim, index, src, reduce, include_self, result: _scatter_reduce_grad(
        grad, self, dim, index, src, reduce, include_self, result
    )[1],
)


def _scatter_reduce_grad(grad, self, dim, index, src, reduce, include_self, result):
    if reduce == "sum":
        self_grad = grad if include_self else grad.scatter(dim, index, 0)
        return self_grad, grad.gather(dim, index)
    if reduce == "mean":
        ones = self.new_ones(self.shape) if include_self else self.new_zeros(self.shape)
        counts = ones.scatter_add(dim, index, src.new_ones(index.shape))
        counts = counts.masked_fill(counts == 0, 1)
        self_grad = grad / counts if include_self else (grad / counts).scatter(dim, index, 0)
        return self_grad, (grad / counts).gather(dim, index)
    if reduce in ("amax", "amin"):
        value = result.gather(dim, index)
        self_is = self == result if include_self else self.new_zeros(self.shape).bool()
        src_is = src == value
        counts = self_is.to(grad.dtype).scatter_add(dim, index, src_is.to(grad.dtype))
        shared = grad / counts.masked_fill(counts == 0, 1)
        return shared * self_is, shared.gather(dim, index) * src_is
    raise NotImplementedError(f"mutograd: backward of scatter_reduce with reduce='{reduce}'")


index_select_op = defop(
    "index_select(Tensor self, int dim, Tensor index) -> Tensor",
    forward=_index_select, node="IndexSelectBackward0",
    self=lambda grad, self_sizes, dim, index: grad.new_zeros(self_sizes).index_add(dim, index, grad),
)
index_add_op = defop(
    "index_add(Tensor self, int dim, Tensor index, Tensor source, *, Scalar alpha=1) -> Tensor",
    forward=_index_add, node="IndexAddBackward0", inplace="index_add_",
    self=lambda grad: grad,
    source=lambda grad, dim, index, source, alpha: (
        grad.index_select(dim, index).expand_as(source) * alpha
        if source.dim()
        else grad.index_select(dim, index).sum() * alpha
    ),
)
index_copy_op = defop(
    "index_copy(Tensor self, int dim, Tensor index, Tensor source) -> Tensor",
    forward=_index_copy, node="IndexCopyBackward0", inplace="index_copy_",
    self=lambda grad, dim, index: grad.index_fill(dim, index, 0),
    source=lambda grad, dim, index, source: grad.index_select(dim, index).expand_as(source)
    if source.dim()
    else grad.index_select(dim, index).sum(),
)
index_fill_op = defop(
    "index_fill.int_Scalar(Tensor self, int dim, Tensor index, Scalar value) -> Tensor",
    forward=_index_fill, node="IndexFillBackward0", inplace="index_fill_",
    self=lambda grad, dim, index: grad.index_fill(dim, index, 0),
)
masked_scatter_op = defop(
    "masked_scatter(Tensor self, Tensor mask, Tensor source) -> Tensor",
    forward=_masked_scatter, node="MaskedScatterBackward0", inplace="masked_scatter_",
    self=lambda grad, mask: grad.masked_fill(mask, 0),
    source=lambda grad, mask, source_sizes: _masked_scatter_source_grad(grad, mask, source_sizes),
)
masked_select_op = defop(
    "masked_select(Tensor self, Tensor mask) -> Tensor",
    forward=_masked_select, node="MaskedSelectBackward0",
    self=lambda grad, self, mask: self.new_zeros(self.shape).expand(
        tuple(np.broadcast_shapes(tuple(self.shape), tuple(mask.shape)))
    ).clone().masked_scatter(mask, grad).sum_to_size(self.shape),
)
nonzero_op = defop(
    "nonzero(Tensor self) -> Tensor",
    forward=lambda self: np.argwhere(self).astype(np.int64), dtype=KEEP,
)


# --- checks (run before any write; see the in-place protocol) -----------------------------------


def _check_index_tensor(index: Tensor, name: str) -> None:
    if index.dtype is not _dtype.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")


def _check_range(index: np.ndarray, size: int, dim: int) -> None:
    if index.size and (index.max() >= size or index.min() < -size):
        bad = int(index.max()) if index.max() >= size else int(index.min())
        raise _errors.index_out_of_range(bad, dim, size)


def _check_scatter(self, dim, index, src, name):
    _check_index_tensor(index, name)
    if index.dim() != self.dim() and index.numel():
        raise RuntimeError(f"Index tensor must have the same number of dimensions as self tensor")
    size = self.shape[dim] if self.dim() else 1
    idx = index._data
    if idx.size and (idx.max() >= size or idx.min() < 0):
        bad = int(idx.max()) if idx.max() >= size else int(idx.min())
        raise RuntimeError(
            f"index {bad} is out of bounds for dimension {dim} with size {size}"
        )


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
        inputs, attrs = (self, index, src if isinstance(src, Tensor) else make_tensor(src, dtype=self.dtype)), {
            "dim": dim, "reduce": mapped, "include_self": True}
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
    _check_scatter(self, dim, index, src, "scatter_add")
    if inplace:
        return apply_inplace(scatter_add_op, (self, index, src), {"dim": dim}, "scatter_add_", pointwise=False)
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
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    _check_scatter(self, dim, index, src, "scatter_reduce")
    attrs = {"dim": dim, "reduce": reduce, "include_self": include_self}
    if inplace:
        return apply_inplace(scatter_reduce_op, (self, index, src), attrs, "scatter_reduce_", pointwise=False)
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
    size = input.shape[dim] if input.dim() else 1
    idx = index._data.reshape(-1)
    if idx.size and (idx.max() >= size or idx.min() < -size):
        raise IndexError("index out of range in self")
    return call(index_select_op, (input, index), {"dim": dim})


method(index_select)


def _dim_index_call(op, name, self, dim, index, others, attrs, inplace):
    dim = _wrap_dim(dim, self.dim())
    _check_index_tensor(index, name)
    size = self.shape[dim] if self.dim() else 1
    idx = index._data.reshape(-1)
    if idx.size and (idx.max() >= size or idx.min() < -size):
        bad = int(idx.max()) if idx.max() >= size else int(idx.min())
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    inputs = (self, index) + others
    attrs = dict(attrs, dim=dim)
    if inplace:
        return apply_inplace(op, inputs, attrs, name + "_", pointwise=False)
    return call(op, inputs, attrs)


@public
def index_add(input, dim, index, source, *, alpha=1):
    return _dim_index_call(index_add_op, "index_add", input, dim, index, (source,), {"alpha": alpha}, False)


method(index_add)


@method
def index_add_(self, dim, index, source, *, alpha=1):
    return _dim_index_call(index_add_op, "index_add", self, dim, index, (source,), {"alpha": alpha}, True)


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
    return _dim_index_call(index_fill_op, "index_fill", input, dim, index, (), {"value": value}, False)


method(index_fill)


@method
def index_fill_(self, dim, index, value):
    if isinstance(value, Tensor):
        value = value.item()
    return _dim_index_call(index_fill_op, "index_fill", self, dim, index, (), {"value": value}, True)


def _check_mask(self, mask, name):
    if mask.dtype is not _dtype.bool_:
        raise RuntimeError(f"{name}: expected BoolTensor for mask")


@public
def masked_select(input, mask):
    _check_mask(input, mask, "masked_select")
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
    return apply_inplace(masked_scatter_op, (self, mask, source), {}, "masked_scatter_")


@public
def nonzero(input, *, as_tuple=False):
    result = call(nonzero_op, (input,))
    if as_tuple:
        return tuple(result[:, k] for k in range(result.shape[1])) if input.dim() else (result.view(-1),)
    return result


method(nonzero)


@public
def argwhere(input):
    return nonzero(input)


# --- x[key] and x[key] = value ---------------------------------------------------------------------


def _as_index_tensor(value, dim_size=None) -> Tensor:
    if isinstance(value, Tensor):
        return value
    array = np.asarray(value)
    if array.dtype == np.bool_:
        return make_tensor(array.tolist(), dtype=_dtype.bool_)
    if array.dtype.kind not in "iu":
        raise IndexError(
            "tensors used as indices must be long, int, byte or bool tensors"
        )
    return make_tensor(array.astype(np.int64).tolist(), dtype=_dtype.int64)


def apply_basic(self: Tensor, key):
    """Apply the int/slice/None/Ellipsis parts of ``key`` as views.

    Returns the view and a per-dimension list of the remaining advanced indices
    (None where the dimension is taken whole), as PyTorch's applySlicing.
    """
    if not isinstance(key, tuple):
        key = (key,)
    consumed = sum(
        0 if k is None or k is Ellipsis or isinstance(k, bool) else
        (k.dim() if isinstance(k, Tensor) and k.dtype is _dtype.bool_ else 1)
        for k in key
    )
    if consumed > self.dim():
        raise IndexError(
            f"too many indices for tensor of dimension {self.dim()}"
        )
    result = self
    dim = 0
    advanced: list = []
    for k in key:
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
            if step is not None and step <= 0:
                raise ValueError("step must be greater than zero")
            if not (start is None and stop is None and step in (None, 1)):
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
                _check_range(index._data, size, dim)
                advanced.append(index)
                dim += 1
    return result, advanced


def _int(value):
    if isinstance(value, Tensor):
        return int(value.item())
    return value


@method
def __getitem__(self, key):
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
    from .shape import view_op

    return view_op


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
    if isinstance(value, Tensor):
        result.copy_(value)
    else:
        result.fill_(value)


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
    return apply_inplace(index_put_op, (self, list(indices), values), {"accumulate": accumulate},
                         "index_put_", pointwise=False)

