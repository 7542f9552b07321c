"""Indexing: ``x[key]`` and ``x[key] = value``, boolean masks (masked_select,
masked_scatter, nonzero) and embedding. Gather/scatter and the index_* family are in
scatter.py.

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
from .._inplace import apply_inplace, apply_out
from .._tensor import Tensor
from .._write_rules import check_no_overlap, check_no_partial_overlap, check_source_dtype
from ._api import method, public, require_tensor
from ._registry import LONG, defop
from .view_api import select, slice_dim

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
masked_scatter_op = defop(
    "masked_scatter(Tensor self, Tensor mask, Tensor source) -> Tensor",
    forward=_masked_scatter,
    node="MaskedScatterBackward0",
    inplace="masked_scatter_",
    self=lambda grad, mask: grad.masked_fill(mask, 0),
    source=lambda grad, mask, source_sizes: _masked_scatter_source_grad(grad, mask, source_sizes),
)


def _masked_select_out_dtype(out, result, inputs) -> None:
    if out is not inputs[0].dtype:
        raise RuntimeError("masked_select(): self and result must have the same scalar type")


def _nonzero_out_dtype(out, result, inputs) -> None:
    if out is not _dtype.int64:
        raise RuntimeError(
            "nonzero: Expected out tensor to have scalar type Long but got scalar type"
            + _dtype.scalar_type_name(out)
        )


masked_select_op = defop(
    "masked_select(Tensor self, Tensor mask) -> Tensor",
    forward=_masked_select,
    out_dtype=_masked_select_out_dtype,
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
    out_dtype=_nonzero_out_dtype,
)


# --- checks (run before any write; see the in-place protocol) -----------------------------------


def _check_range(index: np.ndarray, size: int, dim: int) -> None:
    if index.size and (index.max() >= size or index.min() < -size):
        if size == 0:
            # As PyTorch's index kernel, which names no index or dim for an empty dim.
            raise IndexError("index is out of bounds for dimension with size 0")
        bad = int(index.max()) if index.max() >= size else int(index.min())
        raise _errors.index_out_of_range(bad, dim, size)


# --- public API ----------------------------------------------------------------------------------


def _check_mask(self, mask, name):
    if mask.dtype is not _dtype.bool_:
        raise RuntimeError(f"{name}: expected BoolTensor for mask")


@public
def masked_select(input, mask, *, out=None):
    _check_mask(input, mask, "masked_select")
    broadcast_shape((mask, input))  # NB: PyTorch's expand_outplace(mask, self) names mask "a"
    if out is not None:
        return apply_out(masked_select_op, (input, mask), {}, out)
    return call(masked_select_op, (input, mask))


method(masked_select)


def _check_masked_scatter(self, mask, source):
    check_source_dtype("masked_scatter", self, source)
    _check_mask(self, mask, "masked_scatter_")
    needed = int(np.broadcast_to(mask._data, self._data.shape).sum())
    if needed > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")


@public
def masked_scatter(input, mask, source):
    require_tensor("masked_scatter", "source", 3, source)
    _check_masked_scatter(input, mask, source)
    return call(masked_scatter_op, (input, mask, source))


method(masked_scatter)


@method
def masked_scatter_(self, mask, source):
    require_tensor("masked_scatter_", "source", 2, source)
    _check_masked_scatter(self, mask, source)
    check_no_partial_overlap(self, mask)
    return apply_inplace(
        masked_scatter_op, (self, mask, source), {}, "masked_scatter_", pointwise=False
    )


@public
def nonzero(input, *, out=None, as_tuple=False):
    if out is not None and not as_tuple:
        return apply_out(nonzero_op, (input,), {}, out)
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
    # NB: PyTorch treats a Python range like the list of its integers (x[range(n), y]).
    if isinstance(value, range):
        value = list(value)
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
    if array.size == 0 and array.dtype == np.float64:
        array = array.astype(np.int64)  # NB: as PyTorch, x[[]] and x[range(0)] select nothing
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
                # NB: the mask itself goes to index/index_put, which save it as
                # PyTorch's do (a later write into the mask makes backward raise).
                advanced.append(index)
                dim += index.dim()
            else:
                size = result.shape[dim]
                # NB: PyTorch's index kernel numbers the dimension among the index tensors.
                _check_range(index._data, size, _index_count(advanced))
                advanced.append(index)
                dim += 1
    return result, advanced


def _index_count(advanced) -> int:
    """How many index tensors precede, a mask counting once per dimension it spans."""
    count = 0
    for a in advanced:
        if a is not None:
            count += a.dim() if a.dtype is _dtype.bool_ else 1
    return count


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
    from .views import alias_op

    return alias_op


@method
def __setitem__(self, key, value):
    result, advanced = apply_basic(self, key)
    if any(a is not None for a in advanced):
        while advanced and advanced[-1] is None:
            advanced.pop()
        if not isinstance(value, Tensor):
            value = make_tensor(value, dtype=self.dtype)
        elif value.dim() == 0 and value.dtype is not self.dtype:
            # As PyTorch's setitem: a 0-dim value takes self's dtype (index_put_
            # itself refuses another dtype).
            value = value.to(self.dtype)
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
    if len(indices) > self.dim():
        raise IndexError(
            f"too many indices for tensor of dimension {self.dim()} (got {len(indices)})"
        )
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
    check_source_dtype("index_put", self, values)


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
    require_tensor("index_put", "values", 3, values)
    given = [i if i is None or isinstance(i, Tensor) else _as_index_tensor(i) for i in indices]
    _check_index_put(input, _expand_masks(given), values)
    return call(index_put_op, (input, given, values), {"accumulate": accumulate})


method(index_put)


@method
def index_put_(self, indices, values, accumulate=False):
    require_tensor("index_put_", "values", 2, values)
    given = [i if i is None or isinstance(i, Tensor) else _as_index_tensor(i) for i in indices]
    _check_index_put(self, _expand_masks(given), values)
    # As PyTorch's index_put_: no index or value may read self's memory (masks are
    # expanded to fresh positions first); a lone mask with one value is a
    # masked_fill_ there, which reads the value first.
    lone_mask = len(given) == 1 and given[0] is not None and given[0].dtype is _dtype.bool_
    check_no_overlap(
        self,
        None if lone_mask and values.numel() == 1 else values,
        *[i for i in given if i is not None and i.dtype is not _dtype.bool_],
    )
    # NB: the node saves the indices as given, masks included, as PyTorch's.
    return apply_inplace(
        index_put_op,
        (self, given, values),
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
