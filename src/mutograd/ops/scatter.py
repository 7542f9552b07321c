"""Gather/scatter and the index_* family: ops that read or write along one dim at the
positions an index tensor names (gather, scatter, scatter_add, scatter_reduce,
index_select, index_add, index_copy, index_fill).
"""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._creation import tensor as make_tensor
from .._dispatch import call
from .._inplace import apply_inplace, apply_out
from .._tensor import Tensor, _wrap_dim
from .._write_rules import check_no_overlap, check_source_dtype
from ._api import method, public, require_tensor
from ._registry import defop

# --- forwards --------------------------------------------------------------------------------


# NB: PyTorch's scatter/gather kernels treat a 0-dim self or index as one element along
# dim 0 (``ensure_nonempty_dim``): ``scalar.scatter_(0, tensor(0), v)`` writes the scalar.
def _is_scalar_case(self, index) -> bool:
    return self.ndim == 0 or np.ndim(index) == 0


def _flat(value):
    return value if np.ndim(value) == 0 else value.reshape(-1)


def _gather(self, dim, index, sparse_grad=False):
    if _is_scalar_case(self, index):
        return np.take_along_axis(self.reshape(-1), index.reshape(-1), 0).reshape(index.shape)
    # NB: PyTorch's result has index's shape; index may be smaller than self in the
    # other dims (take_along_axis would broadcast it to self's instead).
    if self.ndim:
        self = self[
            tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index.shape))
        ]
    return np.take_along_axis(self, index, axis=dim)


def _scatter_positions(self_shape, dim, index):
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


def _scatter(self, dim, index, src, out=None):
    out = self.copy() if out is None else out
    if _is_scalar_case(out, index):
        _scatter(out, 0, index.reshape(-1), _flat(src), out=out.reshape(-1))
        return out
    values = src if np.ndim(src) == 0 else src[tuple(slice(0, n) for n in index.shape)]
    out[_scatter_positions(self.shape, dim, index)] = values
    return out


def _scatter_add(self, dim, index, src, out=None):
    out = self.copy() if out is None else out
    if _is_scalar_case(out, index):
        _scatter_add(out, 0, index.reshape(-1), np.reshape(src, -1), out=out.reshape(-1))
        return out
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
    if index.size == 0:
        return out  # as PyTorch, an empty index writes nothing (src's shape is not read)
    if _is_scalar_case(out, index):
        flat = out.reshape(-1)
        _scatter_reduce(flat, 0, index.reshape(-1), np.reshape(src, -1), reduce, include_self, flat)
        return out
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
        if out.dtype.kind == "b" and reduce in ("amax", "amin"):
            identity = reduce == "amin"
        elif out.dtype.kind in "iu" and reduce in ("amax", "amin"):
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


def _put_along(self, dim, index, values, out):
    """``self`` (or ``out``) with ``values`` written at ``index`` along ``dim``."""
    out = self.copy() if out is None else out
    if out.ndim == 0:
        out[...] = values
        return out
    out[_along(dim, index)] = values
    return out


def _index_copy(self, dim, index, source, out=None):
    return _put_along(self, dim, index, source, out)


def _index_fill(self, dim, index, value, out=None):
    return _put_along(self, dim, index, value, out)


# --- the table -----------------------------------------------------------------------------------


def _same_scalar_type(name: str):
    """index_select / masked_select(out=): out must have self's dtype, in their words."""

    def check(out, result, inputs) -> None:
        if out is not inputs[0].dtype:
            raise RuntimeError(f"{name}(): self and result must have the same scalar type")

    return check


def _run(op, inputs, attrs, out):
    """The op out of place, or written into ``out`` through the in-place door."""
    if out is None:
        return call(op, inputs, attrs)
    return apply_out(op, inputs, attrs, out)


gather_op = defop(
    "gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False) -> Tensor",
    forward=_gather,
    out_dtype="exact",
    node="GatherBackward0",
    self=lambda grad, self, dim, index, sparse_grad: self.new_zeros(self.shape).scatter_add(
        dim, index, grad
    ),
)
scatter_src_op = defop(
    "scatter.src(Tensor self, int dim, Tensor index, Tensor src) -> Tensor",
    forward=_scatter,
    out_dtype="exact",
    node="ScatterBackward0",
    inplace="scatter_",
    self=lambda grad, dim, index: grad.scatter(dim, index, 0),
    src=lambda grad, dim, index: grad.gather(dim, index),
)
scatter_value_op = defop(
    "scatter.value(Tensor self, int dim, Tensor index, Scalar value) -> Tensor",
    forward=_scatter,
    out_dtype="exact",
    node="ScatterBackward1",
    inplace="scatter_",
    self=lambda grad, dim, index: grad.scatter(dim, index, 0),
)
scatter_add_op = defop(
    "scatter_add(Tensor self, int dim, Tensor index, Tensor src) -> Tensor",
    forward=_scatter_add,
    out_dtype="exact",
    node="ScatterAddBackward0",
    inplace="scatter_add_",
    self=lambda grad: grad,
    src=lambda grad, dim, index: grad.gather(dim, index),
)
scatter_reduce_op = defop(
    "scatter_reduce.two(Tensor self, int dim, Tensor index, Tensor src, str reduce, *, bool include_self=True) -> Tensor",
    forward=_scatter_reduce,
    out_dtype="exact",
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
    out_dtype=_same_scalar_type("index_select"),
    node="IndexSelectBackward0",
    self=lambda grad, self_sizes, dim, index: grad.new_zeros(self_sizes).index_add(
        dim, index, grad
    ),
)
index_add_op = defop(
    "index_add(Tensor self, int dim, Tensor index, Tensor source, *, Scalar alpha=1) -> Tensor",
    forward=_index_add,
    out_dtype="exact",
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
    out_dtype="exact",
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
index_fill_tensor_op = defop(
    "index_fill.int_Tensor(Tensor self, int dim, Tensor index, Tensor value) -> Tensor",
    forward=_index_fill,
    node="IndexFillBackward1",
    inplace="index_fill_",
    overlap_ok=index_fill_op.overlap_ok,
    self=lambda grad, dim, index: grad.index_fill(dim, index, 0),
    # NB: the sum of the filled slots, each once however often the index names it
    # (PyTorch sums over the unique indices).
    value=lambda grad, dim, index: grad.sum() - grad.index_fill(dim, index, 0).sum(),
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


def _check_scatter_shapes(self, dim, index, src, name) -> None:
    """PyTorch's gather_shape_check / scatter_shape_check (a 0-dim tensor counts as 1-dim)."""
    ndim = max(self.dim(), 1)

    def size(t, d):
        return t.shape[d] if t.dim() else 1

    if name == "gather":
        if ndim != max(index.dim(), 1):
            raise RuntimeError(
                "Index tensor must have the same number of dimensions as input tensor"
            )
        for d in range(ndim):
            if d != dim and size(index, d) > size(self, d):
                raise RuntimeError(
                    f"Size does not match at dimension {d} expected index {_sizes(index.shape)} "
                    f"to be no larger than self {_sizes(self.shape)} apart from dimension {dim}"
                )
        return
    if index.numel() == 0:
        return
    if ndim != max(index.dim(), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    source = src if isinstance(src, Tensor) else None
    wrong = any(d != dim and size(index, d) > size(self, d) for d in range(ndim))
    if not wrong and source is not None:
        for d in range(ndim):
            if d >= max(source.dim(), 1):
                # NB: as PyTorch, src's size is read along every dim of self.
                n = max(source.dim(), 1)
                raise IndexError(
                    f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but "
                    f"got {d})"
                )
            if size(index, d) > size(source, d):
                wrong = True
                break
    if source is not None and max(source.dim(), 1) != ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if wrong:
        message = (
            f"Expected index {_sizes(index.shape)} to be no larger than self "
            f"{_sizes(self.shape)} apart from dimension {dim}"
        )
        if source is not None:
            message += f" and to be no larger size than src {_sizes(source.shape)}"
        raise RuntimeError(message)


def _check_scatter(self, dim, index, src, name):
    _check_index_tensor(index, name)
    if name == "scatter" and isinstance(src, Tensor):
        check_source_dtype("scatter", self, src)
    _check_scatter_shapes(self, dim, index, src, name)
    size = self.shape[dim] if self.dim() else 1
    idx = index._data
    if idx.size and (idx.max() >= size or idx.min() < 0):
        bad = int(idx.max()) if idx.max() >= size else int(idx.min())
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


# --- public API ----------------------------------------------------------------------------------


@public
def gather(input, dim, index, *, sparse_grad=False, out=None):
    dim = _wrap_dim(dim, input.dim())
    _check_scatter(input, dim, index, None, "gather")
    return _run(gather_op, (input, index), {"dim": dim, "sparse_grad": sparse_grad}, out)


method(gather)


def _scatter_call(self, dim, index, src, reduce, inplace, out=None):
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
        check_no_overlap(self, index, src if isinstance(src, Tensor) else None)
        return apply_inplace(op, inputs, attrs, "scatter_", pointwise=False)
    return _run(op, inputs, attrs, out)


@public
def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):
    return _scatter_call(input, dim, index, value if src is None else src, reduce, False, out)


method(scatter)


@method
def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    return _scatter_call(self, dim, index, value if src is None else src, reduce, True)


def _scatter_add_call(self, dim, index, src, inplace, out=None):
    dim = _wrap_dim(dim, self.dim())
    _check_scatter(self, dim, index, src, "scatter")
    if inplace:
        check_no_overlap(self, index, src)
        return apply_inplace(
            scatter_add_op, (self, index, src), {"dim": dim}, "scatter_add_", pointwise=False
        )
    return _run(scatter_add_op, (self, index, src), {"dim": dim}, out)


@public
def scatter_add(input, dim, index, src, *, out=None):
    return _scatter_add_call(input, dim, index, src, False, out)


method(scatter_add)


@method
def scatter_add_(self, dim, index, src):
    require_tensor("scatter_add_", "src", 3, src)
    return _scatter_add_call(self, dim, index, src, True)


def _scatter_reduce_call(self, dim, index, src, reduce, include_self, inplace, out=None):
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
        check_no_overlap(self, index, src)
        return apply_inplace(
            scatter_reduce_op, (self, index, src), attrs, "scatter_reduce_", pointwise=False
        )
    return _run(scatter_reduce_op, (self, index, src), attrs, out)


@public
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    return _scatter_reduce_call(input, dim, index, src, reduce, include_self, False, out)


method(scatter_reduce)


@method
def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    require_tensor("scatter_reduce_", "src", 3, src)
    return _scatter_reduce_call(self, dim, index, src, reduce, include_self, True)


@public
def index_select(input, dim, index, *, out=None):
    dim = _wrap_dim(dim, input.dim())
    _check_index_tensor(index, "index_select")
    if index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    size = input.shape[dim] if input.dim() else 1
    idx = index._data.reshape(-1)
    if idx.size and (idx.max() >= size or idx.min() < 0):
        raise IndexError("index out of range in self")
    return _run(index_select_op, (input, index), {"dim": dim}, out)


method(index_select)


def _sizes(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _without(shape, dim: int) -> list:
    shape = list(shape)
    if shape:
        del shape[dim]
    return shape


def _check_index_first(name, self, index, source) -> None:
    """The index-shape checks PyTorch's index_add_/index_copy_ make before the dtypes."""
    if name == "index_add" and index.dim() > 1:
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {index.dim()} with "
            f"type: {_dtype.scalar_type_name(index.dtype)} and size: {_sizes(index.shape)}"
        )
    if name == "index_copy":
        if index.dim() > 1:
            raise IndexError(
                f"index_copy_(): Index should have dimension 1 or 0 (got {index.dim()})"
            )
        if source.dim() == 0 and index.numel() != 1:
            raise IndexError(
                "index_copy_(): When source is scalar, index should have one element "
                f"(got {index.numel()})"
            )
        if source.dim() != self.dim() and source.dim() != 0 and self.dim() != 0:
            raise IndexError(
                "index_copy_(): When source and destination are not scalars, their "
                f"dimensionality must match. Source dimensionality ({source.dim()}), "
                f"destination dimensionality ({self.dim()})"
            )


def _check_index_shapes(name, self, dim, index, source) -> None:
    """The source-shape checks of index_add_/index_copy_ (after the dtypes), index_fill_'s
    index check: PyTorch's words, never NumPy's broadcasting error."""
    if name == "index_fill":
        if index.dim() > 1:
            raise RuntimeError("Index has to be a vector/scalar")
        return
    count = index.numel()
    if name == "index_add":
        if dim != 0 and dim >= source.dim():
            raise RuntimeError(
                f"index_add_(): Indexing dim {dim} is out of bounds of the source tensor with "
                f"dim {source.dim()}"
            )
        size = 1 if source.dim() == 0 else source.shape[dim]
        if count != size:
            raise RuntimeError(
                f"index_add_(): Number of indices ({count}) should be equal to "
                f"source.size(dim): ({size}), for dim: {dim}"
            )
        self_rest, source_rest = list(self.shape), list(source.shape)
        if source.dim() != 0 and self.dim() != 0:
            self_rest, source_rest = _without(self.shape, dim), _without(source.shape, dim)
        if self_rest != source_rest:
            raise RuntimeError(
                "source tensor shape must match self tensor shape, excluding the specified "
                f"dimension. Got self.shape = {_sizes(self.shape)} source.shape = "
                f"{_sizes(source.shape)}"
            )
        return
    self_rest, source_rest = _without(self.shape, dim), _without(source.shape, dim)
    if self_rest != source_rest:
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination "
            f"slice shape: {' '.join(map(str, self_rest))} at dimension {dim} and source slice "
            f"shape: {' '.join(map(str, source_rest))} at dimension 0."
        )
    if source.dim() != 0 and count != source.shape[dim]:
        raise IndexError(
            f"index_copy_(): Number of indices ({count}) should be equal to source.size(dim) "
            f"({source.shape[dim]})"
        )


def _dim_index_call(op, name, self, dim, index, others, attrs, inplace, out=None):
    dim = _wrap_dim(dim, self.dim())
    source = others[0] if others and name != "index_fill" else None
    if source is not None:
        _check_index_first(name, self, index, source)
    _check_index_tensor(index, name)
    if source is not None:
        check_source_dtype(name, self, source)
    _check_index_shapes(name, self, dim, index, source)
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
        # NB: index_fill_ reads its 0-dim value first: it may be an element of self.
        check_no_overlap(self, index, *(others if name != "index_fill" else ()))
        return apply_inplace(op, inputs, attrs, name + "_", pointwise=False)
    return _run(op, inputs, attrs, out)


@public
def index_add(input, dim, index, source, *, alpha=1, out=None):
    return _dim_index_call(
        index_add_op, "index_add", input, dim, index, (source,), {"alpha": alpha}, False, out
    )


method(index_add)


@method
def index_add_(self, dim, index, source, *, alpha=1):
    require_tensor("index_add_", "source", 3, source)
    return _dim_index_call(
        index_add_op, "index_add", self, dim, index, (source,), {"alpha": alpha}, True
    )


@public
def index_copy(input, dim, index, source, *, out=None):
    return _dim_index_call(
        index_copy_op, "index_copy", input, dim, index, (source,), {}, False, out
    )


method(index_copy)


@method
def index_copy_(self, dim, index, source):
    require_tensor("index_copy_", "source", 3, source)
    return _dim_index_call(index_copy_op, "index_copy", self, dim, index, (source,), {}, True)


def _index_fill_call(self, dim, index, value, inplace):
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.dim()} dimension(s)."
            )
        # As PyTorch: a 0-dim tensor value is an input of the op (IndexFillBackward1),
        # so a value that requires grad gets its gradient (cast to self's dtype when
        # written, even into an integer self, which PyTorch then marks requiring grad).
        return _dim_index_call(
            index_fill_tensor_op, "index_fill", self, dim, index, (value,), {}, inplace
        )
    return _dim_index_call(
        index_fill_op, "index_fill", self, dim, index, (), {"value": value}, inplace
    )


@public
def index_fill(input, dim, index, value):
    return _index_fill_call(input, dim, index, value, False)


method(index_fill)


@method
def index_fill_(self, dim, index, value):
    return _index_fill_call(self, dim, index, value, True)
