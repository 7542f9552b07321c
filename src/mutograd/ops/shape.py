"""Shape ops. Views (``view=True``) return NumPy views of input 0 and share its
storage and version counter; copying shape ops (cat, stack, clone, flip...) return
fresh tensors.

Each view op's backward is the inverse view or a ``*_backward`` op that places the
gradient into zeros of the input's shape, as in derivatives.yaml; those ``*_backward``
ops are themselves differentiable (their gradient is the view again).
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from .. import _errors
from .._dispatch import _mark_views, call
from .._dtype import dtype as _dtype_cls
from .._inplace import apply_out, apply_view_inplace
from .._layout import compute_stride, like_layout
from .._storage import _Interface, strided_view
from .._tensor import Size, Tensor, _new_view, _wrap_dim
from ..autograd.grad_mode import GradMode, no_grad
from ._api import FUNCTIONS, method, public
from ._registry import CAST, PROMOTE, defop

# --- helpers ------------------------------------------------------------------------------


def infer_size(shape, numel: int) -> tuple:
    """Resolve one -1 in ``shape``, with PyTorch's error for impossible shapes."""
    shape = tuple(map(int, shape))
    if -1 not in shape and math.prod(shape) == numel and (not shape or min(shape) >= 0):
        return shape  # NB: the common case, checked at C speed; errors take the loop below
    known, infer = 1, None
    for k, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = k
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s}")
        else:
            known *= s
    if infer is not None:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape [{', '.join(map(str, shape))}] "
                    "because the unspecified dimension size -1 can be any value and is ambiguous"
                )
            raise _errors.invalid_view_shape(shape, numel)
        if numel % known:
            raise _errors.invalid_view_shape(shape, numel)
        shape = shape[:infer] + (numel // known,) + shape[infer + 1 :]
    elif known != numel:
        raise _errors.invalid_view_shape(shape, numel)
    return shape


def _sizes(args) -> tuple:
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return tuple(args[0])
    return tuple(args)


def _nocopy_reshape(array: np.ndarray, shape) -> np.ndarray | None:
    """The view of ``array`` with ``shape``, or None when strides forbid one (computeStride)."""
    strides = compute_stride(array.shape, _strides(array), tuple(shape))
    if strides is None:
        return None
    return _restrided(array, shape, strides)


def _restrided(array: np.ndarray, shape, strides) -> np.ndarray:
    """A view of ``array`` with the given shape and element strides (same elements, in order)."""
    out = array.view()
    try:
        out.shape = shape  # NumPy's reshape-in-place: cheap, and usually the same strides
    except AttributeError:
        return _element_view(array, shape, strides)
    return out if _strides(out) == tuple(strides) else _element_view(array, shape, strides)


def _strides(array: np.ndarray) -> tuple:
    itemsize = array.itemsize
    return tuple([s // itemsize for s in array.strides])


def _element_view(array: np.ndarray, shape, strides) -> np.ndarray:
    """A writable view of ``array`` starting at its first element (no read-only broadcast_to)."""
    itemsize = array.itemsize
    return _byte_view(array, shape, tuple([s * itemsize for s in strides]))


def _byte_view(array: np.ndarray, shape, byte_strides: tuple) -> np.ndarray:
    """``_element_view`` with the strides in bytes."""
    try:
        # NB: about 1 us where as_strided costs 4 (it is on every sum's backward, via
        # expand); it needs an array that exports its buffer, i.e. a contiguous one.
        return np.ndarray(shape, array.dtype, buffer=array, strides=byte_strides)
    except (TypeError, ValueError, BufferError):
        return np.lib.stride_tricks.as_strided(array, tuple(shape), byte_strides, writeable=True)


# --- view forwards ------------------------------------------------------------------------


def _view(self, size):
    # NB: the common case without computeStride: a C-contiguous array (NumPy's flag
    # ignores the strides of size-1 dims) whose last stride is one element is a single
    # computeStride chunk with base stride 1, so the view gets C strides, as NumPy's
    # reshape gives them (it keeps the old strides only for an unchanged shape).
    if (
        self.flags.c_contiguous
        and self.size
        and size != self.shape
        and (not self.ndim or self.strides[-1] == self.itemsize)
    ):
        return self.reshape(size)
    out = _nocopy_reshape(self, size)
    if out is None:
        raise _errors.view_stride_incompatible()
    return out


def _expand(self, size):
    # NB: in PyTorch this is inferExpandGeometry: walking from the last dim, a new
    # leading dim of size 1 gets the stride that keeps it contiguous, an expanded one 0.
    # (Strides in bytes here.)
    ndim = len(size)
    old_ndim = self.ndim
    if old_ndim == 0 and -1 not in size:
        return _byte_view(self, size, (0,) * ndim)  # every stride 0, even for sizes of 1
    shape, strides = [0] * ndim, [0] * ndim
    old_shape, old_strides = self.shape, self.strides
    lead = ndim - old_ndim
    for i in range(ndim - 1, -1, -1):
        dim = i - lead
        if dim >= 0:
            current, stride = old_shape[dim], old_strides[dim]
        else:
            current = 1
            stride = shape[i + 1] * strides[i + 1] if i + 1 < ndim else self.itemsize
        target = size[i]
        if target == -1:
            if dim < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            target = current
        if current != target:
            if current != 1:
                raise RuntimeError(
                    f"The expanded size of the tensor ({target}) must match the existing size "
                    f"({current}) at non-singleton dimension {i}.  Target sizes: "
                    f"[{', '.join(map(str, size))}].  Tensor sizes: [{', '.join(map(str, self.shape))}]"
                )
            stride = 0
        shape[i], strides[i] = target, stride
    return _byte_view(self, shape, tuple(strides))


def _unsqueeze(self, dim):
    # As PyTorch's inferUnsqueezeGeometry: the new dim's stride is size * stride of the
    # dim it precedes (1 at the end).
    shape, strides = self.shape, self.strides
    stride = self.itemsize if dim >= self.ndim else shape[dim] * strides[dim]
    shape = shape[:dim] + (1,) + shape[dim:]
    strides = strides[:dim] + (stride,) + strides[dim:]
    out = self.view()
    try:
        out.shape = shape  # NB: NumPy inserts a size-1 dim without a copy
    except AttributeError:
        pass
    else:
        if out.strides == strides:
            return out
    return _byte_view(self, shape, strides)


def _diagonal(self, offset=0, dim1=0, dim2=1):
    strides = _strides(self)
    shape = self.shape
    if offset >= 0:
        length = builtins.max(builtins.min(shape[dim1], shape[dim2] - offset), 0)
        start = offset * strides[dim2] if length else 0
    else:
        length = builtins.max(builtins.min(shape[dim1] + offset, shape[dim2]), 0)
        start = -offset * strides[dim1] if length else 0
    keep = [k for k in range(self.ndim) if k not in (dim1, dim2)]
    new_shape = [shape[k] for k in keep] + [length]
    new_strides = [strides[k] for k in keep] + [strides[dim1] + strides[dim2]]
    return _offset_view(self, start, new_shape, new_strides)


def _offset_view(array: np.ndarray, start: int, shape, strides) -> np.ndarray:
    """A writable view of ``array``'s memory at element ``start`` past its first element."""
    interface = dict(array.__array_interface__)
    interface["data"] = (interface["data"][0] + start * array.itemsize, False)
    interface["shape"] = tuple(shape)
    interface["strides"] = tuple(st * array.itemsize for st in strides)
    interface["version"] = 3
    return np.asarray(_Interface(interface, array))


def _select(self, dim, index):
    # NB: the trailing Ellipsis keeps a 0-d result a view (a[0] alone is a NumPy scalar copy).
    if dim == 0:
        return self[index, ...]
    return self[(slice(None),) * dim + (index, Ellipsis)]


def _slice(self, dim, start, end, step=1):
    result = (
        self[start:end:step]
        if dim == 0
        else self[(slice(None),) * dim + (slice(start, end, step),)]
    )
    if result.size:
        return result
    # NB: NumPy leaves an empty slice's data pointer where it likes; PyTorch's storage
    # offset still moves to the (clamped) start, so build the empty view explicitly.
    start = slice(start, end, step).indices(self.shape[dim])[0]
    strides = list(_strides(self))
    offset = start * strides[dim]
    strides[dim] *= step
    return _offset_view(self, offset, result.shape, strides)


def _as_strided(self, size, stride, storage_offset=None, storage=None, self_offset=0):
    offset = self_offset if storage_offset is None else storage_offset
    return strided_view(storage, size, stride, offset)


def _select_backward_fwd(grad, input_sizes, dim, index):
    out = np.zeros(input_sizes, dtype=grad.dtype)
    out[(slice(None),) * dim + (index,)] = grad
    return out


def _slice_backward_fwd(grad, input_sizes, dim, start, end, step):
    out = np.zeros(input_sizes, dtype=grad.dtype)
    out[(slice(None),) * dim + (slice(start, end, step),)] = grad
    return out


def _diagonal_backward_fwd(grad, input_sizes, offset, dim1, dim2):
    out = np.zeros(input_sizes, dtype=grad.dtype)
    view = _diagonal(out, offset, dim1, dim2)
    view[...] = grad
    return out


def _as_strided_backward_fwd(grad, input_geometry, size, stride, storage_offset):
    shape, strides, offset = input_geometry
    extent = builtins.max(_extent(shape, strides, offset), _extent(size, stride, storage_offset), 1)
    storage = np.zeros(extent, dtype=grad.dtype)
    if _overlaps(size, stride):
        # Several view elements share memory: their gradients add up. Split off trailing
        # dims until the leading ones form a non-overlapping view, then add whole slices
        # in place, one per trailing index (e.g. conv windows: kh * kw adds, no index arrays).
        split = len(size)
        while split > 0 and _overlaps(size[:split], stride[:split]):
            split -= 1
        trailing = size[split:]
        if split > 0 and math.prod(trailing) <= 4096:
            for index in np.ndindex(*trailing):
                start = storage_offset + builtins.sum(
                    i * st for i, st in zip(index, stride[split:], strict=True)
                )
                target = strided_view(storage, size[:split], stride[:split], start)
                np.add(target, grad[(Ellipsis,) + index], out=target)
        else:
            positions = storage_offset + builtins.sum(
                index * st for index, st in zip(np.indices(size), stride, strict=True)
            )
            np.add.at(storage, np.ravel(positions), np.ravel(grad))
    else:
        np.copyto(strided_view(storage, size, stride, storage_offset), grad)
    return np.array(strided_view(storage, shape, strides, offset))


def _extent(shape, strides, offset):
    if any(s == 0 for s in shape):
        return offset
    return offset + 1 + builtins.sum((a - 1) * b for a, b in zip(shape, strides, strict=True))


def _overlaps(size, stride) -> bool:
    pairs = sorted((st, sz) for sz, st in zip(size, stride, strict=True) if sz > 1)
    reach = 0
    for st, sz in pairs:
        if st <= reach:
            return True
        reach += st * (sz - 1)
    return False


# --- the table: views ---------------------------------------------------------------------

view_op = defop(
    "view(Tensor self, SymInt[] size) -> Tensor",
    forward=_view,
    node="ViewBackward0",
    view=True,
    self=lambda grad, self_sizes: grad.reshape(self_sizes),
)
alias_op = defop(
    "alias(Tensor self) -> Tensor",
    forward=lambda self: self.view(),
    node="AliasBackward0",
    view=True,
    self=lambda grad: grad,
)
unsafe_view = defop(
    "_unsafe_view(Tensor self, SymInt[] size) -> Tensor",
    forward=lambda self, size: _nocopy_reshape(self, size),
    node="UnsafeViewBackward0",
    self=lambda grad, self_sizes: grad.reshape(self_sizes),
)
reshape_alias_op = defop(
    "_reshape_alias(Tensor self, SymInt[] size, SymInt[] stride) -> Tensor",
    forward=lambda self, size, stride: _element_view(self, size, stride),
    node="ReshapeAliasBackward0",
    view=True,
    self=lambda grad, self_sizes: grad.reshape(self_sizes),
)
t_op = defop(
    "t(Tensor self) -> Tensor",
    forward=lambda self: self.T,  # NB: np.transpose, at a sixth of the cost (ndim <= 2)
    node="TBackward0",
    view=True,
    self=lambda grad: grad.t(),
)
transpose_op = defop(
    "transpose.int(Tensor self, int dim0, int dim1) -> Tensor",
    forward=lambda self, dim0, dim1: self.swapaxes(dim0, dim1) if self.ndim else self.view(),
    node="TransposeBackward0",
    view=True,
    self=lambda grad, dim0, dim1: grad.transpose(dim0, dim1),
)
permute_op = defop(
    "permute(Tensor self, int[] dims) -> Tensor",
    forward=lambda self, dims: np.transpose(self, dims),
    node="PermuteBackward0",
    view=True,
    self=lambda grad, dims: grad.permute(tuple(np.argsort(dims).tolist())),
)
unsqueeze_op = defop(
    "unsqueeze(Tensor self, int dim) -> Tensor",
    forward=lambda self, dim: _unsqueeze(self, dim),
    node="UnsqueezeBackward0",
    view=True,
    self=lambda grad, dim: grad.squeeze(dim),
)
squeeze_op = defop(
    "squeeze(Tensor self) -> Tensor",
    forward=lambda self: np.squeeze(self),
    node="SqueezeBackward0",
    view=True,
    self=lambda grad, self_sizes: grad.reshape(self_sizes),
)
squeeze_dim_op = defop(
    "squeeze.dim(Tensor self, int dim) -> Tensor",
    forward=lambda self, dim: (
        np.squeeze(self, dim) if self.ndim and self.shape[dim] == 1 else self.view()
    ),
    node="SqueezeBackward1",
    view=True,
    self=lambda grad, dim, self_sizes: grad.reshape(self_sizes),
)
squeeze_dims_op = defop(
    "squeeze.dims(Tensor self, int[] dim) -> Tensor",
    forward=lambda self, dim: np.squeeze(self, tuple(d for d in dim if self.shape[d] == 1)),
    node="SqueezeBackward2",
    view=True,
    self=lambda grad, dim, self_sizes: grad.reshape(self_sizes),
)
expand_op = defop(
    "expand(Tensor self, SymInt[] size, *, bool implicit=False) -> Tensor",
    forward=lambda self, size, implicit=False: _expand(self, size),
    node="ExpandBackward0",
    view=True,
    self=lambda grad, self_sizes: grad.sum_to_size(self_sizes),
)
select_op = defop(
    "select.int(Tensor self, int dim, SymInt index) -> Tensor",
    forward=lambda self, dim, index: _select(self, dim, index),
    node="SelectBackward0",
    view=True,
    self=lambda grad, self_sizes, dim, index: select_backward(grad, self_sizes, dim, index),
)
slice_op = defop(
    "slice.Tensor(Tensor self, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) -> Tensor",
    forward=lambda self, dim=0, start=None, end=None, step=1: _slice(self, dim, start, end, step),
    node="SliceBackward0",
    view=True,
    self=lambda grad, self_sizes, dim, start, end, step: slice_backward(
        grad, self_sizes, dim, start, end, step
    ),
)
diagonal_op = defop(
    "diagonal(Tensor(a) self, int offset=0, int dim1=0, int dim2=1) -> Tensor",
    forward=lambda self, offset=0, dim1=0, dim2=1: _diagonal(self, offset, dim1, dim2),
    node="DiagonalBackward0",
    view=True,
    self=lambda grad, self_sizes, offset, dim1, dim2: diagonal_backward(
        grad, self_sizes, offset, dim1, dim2
    ),
)
as_strided_op = defop(
    "as_strided(Tensor self, SymInt[] size, SymInt[] stride, SymInt? storage_offset=None) -> Tensor",
    forward=_as_strided,
    node="AsStridedBackward0",
    view=True,
    self=lambda grad, self_geometry, size, stride, storage_offset: as_strided_backward(
        grad, self_geometry, size, stride, storage_offset
    ),
)
unbind_op = defop(
    "unbind.int(Tensor self, int dim=0) -> Tensor[]",
    forward=lambda self, dim=0: tuple(
        self[(slice(None),) * dim + (k, Ellipsis)] for k in range(self.shape[dim])
    ),
    node="UnbindBackward0",
    view=True,
    self=lambda grads, dim: stack(_fill_missing(grads), dim),
)
split_op = defop(
    "split.Tensor(Tensor self, SymInt split_size, int dim=0) -> Tensor[]",
    forward=lambda self, split_size, dim=0: _split_arrays(self, split_size, dim),
    node="SplitBackward0",
    view=True,
    self=lambda grads, self_sizes, split_size, dim: cat(
        _fill_split(grads, self_sizes, split_size, dim), dim
    ),
)
split_sizes_op = defop(
    "split_with_sizes(Tensor self, SymInt[] split_sizes, int dim=0) -> Tensor[]",
    forward=lambda self, split_sizes, dim=0: _split_arrays(self, split_sizes, dim),
    node="SplitWithSizesBackward0",
    view=True,
    self=lambda grads, self_sizes, split_sizes, dim: cat(
        _fill_split(grads, self_sizes, split_sizes, dim), dim
    ),
)


def _split_arrays(array, split_size, dim):
    size = array.shape[dim]
    if isinstance(split_size, int):
        if split_size == 0 and size:
            raise RuntimeError(
                "split_size can only be 0 if dimension size is 0, but got dimension size of "
                + str(size)
            )
        bounds = list(range(0, size, split_size or 1)) or [0]
        sizes = [builtins.min(split_size, size - b) for b in bounds]
    else:
        sizes = list(split_size)
        if builtins.sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
                f"dimension {dim}), but got split_sizes=[{', '.join(map(str, sizes))}]"
            )
    out, start = [], 0
    for n in sizes:
        out.append(_slice(array, dim, start, start + n))
        start += n
    return tuple(out)


def _fill_missing(grads):
    like = next(g for g in grads if g is not None)
    return [g if g is not None else like * 0 for g in grads]


def _fill_split(grads, self_sizes, split_size, dim):
    size = self_sizes[dim]
    if isinstance(split_size, int):
        bounds = list(range(0, size, split_size or 1)) or [0]
        sizes = [builtins.min(split_size, size - b) for b in bounds]
    else:
        sizes = list(split_size)
    like = next(g for g in grads if g is not None)
    out = []
    for g, n in zip(grads, sizes, strict=True):
        if g is None:
            shape = list(self_sizes)
            shape[dim] = n
            g = like.new_zeros(shape)
        out.append(g)
    return out


# --- the *_backward ops (differentiable: their gradient is the view) ----------------------

select_backward_op = defop(
    "select_backward(Tensor grad_output, SymInt[] input_sizes, int dim, SymInt index) -> Tensor",
    forward=_select_backward_fwd,
    node="SelectBackwardBackward0",
    grad_output=lambda grad, dim, index: grad.select(dim, index),
)
slice_backward_op = defop(
    "slice_backward(Tensor grad_output, SymInt[] input_sizes, int dim, SymInt? start, SymInt? end, SymInt step) -> Tensor",
    forward=_slice_backward_fwd,
    node="SliceBackwardBackward0",
    grad_output=lambda grad, dim, start, end, step: call(
        slice_op, (grad,), {"dim": dim, "start": start, "end": end, "step": step}
    ),
)
diagonal_backward_op = defop(
    "diagonal_backward(Tensor grad_output, SymInt[] input_sizes, int offset, int dim1, int dim2) -> Tensor",
    forward=_diagonal_backward_fwd,
    node="DiagonalBackwardBackward0",
    grad_output=lambda grad, offset, dim1, dim2: grad.diagonal(offset, dim1, dim2),
)
as_strided_backward_op = defop(
    "as_strided_backward(Tensor grad_output, Any input_geometry, SymInt[] size, SymInt[] stride, SymInt? storage_offset) -> Tensor",
    forward=_as_strided_backward_fwd,
    node="AsStridedBackwardBackward0",
    grad_output=lambda grad, input_geometry, size, stride, storage_offset: _geometry_gather(
        grad, input_geometry, (tuple(size), tuple(stride), storage_offset)
    ),
)


def select_backward(grad, input_sizes, dim, index):
    return call(
        select_backward_op, (grad,), {"input_sizes": input_sizes, "dim": dim, "index": index}
    )


def slice_backward(grad, input_sizes, dim, start, end, step):
    attrs = {"input_sizes": input_sizes, "dim": dim, "start": start, "end": end, "step": step}
    return call(slice_backward_op, (grad,), attrs)


def diagonal_backward(grad, input_sizes, offset, dim1, dim2):
    attrs = {"input_sizes": input_sizes, "offset": offset, "dim1": dim1, "dim2": dim2}
    return call(diagonal_backward_op, (grad,), attrs)


def as_strided_backward(grad, input_geometry, size, stride, storage_offset):
    attrs = {
        "input_geometry": input_geometry,
        "size": tuple(size),
        "stride": tuple(stride),
        "storage_offset": storage_offset,
    }
    return call(as_strided_backward_op, (grad,), attrs)


# --- geometry ops: CopySlices' backward (see Note [In-place on views] in _inplace.py) ---------


def _geometry_gather_fwd(self, base_geometry, view_geometry):
    shape, strides, offset = base_geometry
    storage = np.zeros(
        builtins.max(_extent(shape, strides, offset), _extent(*view_geometry), 1), self.dtype
    )
    np.copyto(strided_view(storage, shape, strides, offset), self)
    return np.array(strided_view(storage, *view_geometry))


def _geometry_put_fwd(self, src, base_geometry, view_geometry):
    shape, strides, offset = base_geometry
    storage = np.zeros(
        builtins.max(_extent(shape, strides, offset), _extent(*view_geometry), 1), self.dtype
    )
    np.copyto(strided_view(storage, shape, strides, offset), self)
    np.copyto(strided_view(storage, *view_geometry), src)
    return np.array(strided_view(storage, shape, strides, offset))


geometry_gather_op = defop(
    "_geometry_gather(Tensor self, Any base_geometry, Any view_geometry) -> Tensor",
    forward=_geometry_gather_fwd,
    node="GeometryGatherBackward0",
    self=lambda grad, base_geometry, view_geometry: as_strided_backward(
        grad, base_geometry, *view_geometry
    ),
)
geometry_put_op = defop(
    "_geometry_put(Tensor self, Tensor src, Any base_geometry, Any view_geometry) -> Tensor",
    forward=_geometry_put_fwd,
    node="GeometryPutBackward0",
    dtype=PROMOTE,
    self=lambda grad, base_geometry, view_geometry: _geometry_put(
        grad, grad.new_zeros(view_geometry[0]), base_geometry, view_geometry
    ),
    src=lambda grad, base_geometry, view_geometry: _geometry_gather(
        grad, base_geometry, view_geometry
    ),
)


def _geometry_gather(t, base_geometry, view_geometry):
    return call(
        geometry_gather_op, (t,), {"base_geometry": base_geometry, "view_geometry": view_geometry}
    )


def _geometry_put(t, src, base_geometry, view_geometry):
    return call(
        geometry_put_op, (t, src), {"base_geometry": base_geometry, "view_geometry": view_geometry}
    )


# --- copying shape ops --------------------------------------------------------------------


def _cat(tensors, dim=0):
    # NB: as PyTorch, 1-d empty tensors (legacy) are skipped whatever their shape.
    arrays = [a for a in tensors if not (a.ndim == 1 and a.shape[0] == 0)] or tensors[:1]
    shape = list(arrays[0].shape)
    shape[dim] = builtins.sum(a.shape[dim] for a in arrays)
    out = np.empty(shape, dtype=arrays[0].dtype)
    return np.concatenate(arrays, axis=dim, out=out)


def _stack(tensors, dim=0):
    shape = list(tensors[0].shape)
    shape.insert(dim, len(tensors))
    return np.stack(tensors, axis=dim, out=np.empty(shape, dtype=tensors[0].dtype))


def _split_grad(grad, dim, tensors_sizes):
    sizes = [s[dim] if len(s) else 0 for s in tensors_sizes]
    out, start = [], 0
    for s, n in zip(tensors_sizes, sizes, strict=True):
        if len(s) == 1 and s[0] == 0:
            out.append(grad.new_zeros(s))
            continue
        out.append(grad.narrow(dim, start, n))
        start += n
    return out


cat_op = defop(
    "cat(Tensor[] tensors, int dim=0) -> Tensor",
    forward=_cat,
    node="CatBackward0",
    dtype=PROMOTE,
    tensors=lambda grad, dim, tensors_sizes: _split_grad(grad, dim, tensors_sizes),
)
stack_op = defop(
    "stack(Tensor[] tensors, int dim=0) -> Tensor",
    forward=lambda tensors, dim=0: _stack(tensors, dim),
    node="StackBackward0",
    dtype=PROMOTE,
    tensors=lambda grad, dim: list(grad.unbind(dim)),
)
clone_op = defop(
    "clone(Tensor self, *, MemoryFormat? memory_format=None) -> Tensor",
    forward=lambda self, memory_format=None: (
        np.array(self, order="C")
        if memory_format == "contiguous"
        else like_layout(self, self, True)
    ),
    node="CloneBackward0",
    self=lambda grad: grad,
)
to_copy_op = defop(
    "_to_copy(Tensor self, *, ScalarType? dtype=None) -> Tensor",
    forward=lambda self, dtype=None: self.astype(dtype._np, order="K"),
    node="ToCopyBackward0",
    dtype=CAST,
    self=lambda grad, self_dtype: grad.to(self_dtype),
)
flip_op = defop(
    "flip(Tensor self, int[] dims) -> Tensor",
    forward=lambda self, dims: like_layout(np.flip(self, dims), self, True),
    node="FlipBackward0",
    self=lambda grad, dims: grad.flip(dims),
)
repeat_op = defop(
    "repeat(Tensor self, SymInt[] repeats) -> Tensor",
    forward=lambda self, repeats: np.tile(self, repeats),
    node="RepeatBackward0",
    self=lambda grad, repeats, self_sizes: _repeat_backward(grad, repeats, self_sizes),
)
zeros_like_op = defop(
    "zeros_like(Tensor self) -> Tensor",
    forward=np.zeros_like,
)


def _repeat_backward(grad, repeats, self_sizes):
    lead = len(repeats) - len(self_sizes)
    shape = []
    for k, r in enumerate(repeats):
        size = self_sizes[k - lead] if k >= lead else 1
        shape.extend([r, size])
    g = grad.reshape(shape)
    g = g.sum(tuple(range(0, len(shape), 2)))
    return g.reshape(self_sizes)


# --- public functions and methods ------------------------------------------------------------


def _plain_view(op, self, raw):
    """What ``call(op, (self,), attrs)`` returns for a view op when no node is recorded
    (grad mode is off or ``self`` does not require grad), ``raw`` being its forward:
    ``raw`` wrapped as a view of ``self`` (its storage, version counter and ``_base``),
    with the view's CreationMeta. The generic dispatch steps (edges, dtype rule,
    errstate) cost more than the view itself.

    NB: call it from the public function itself, as call is: _mark_views finds the
    location of a no_grad view at a fixed frame depth.
    """
    out = _new_view(self, raw)
    _mark_views(op, (out,), None, self)
    return out


@method
def view(self, *shape):
    if len(shape) == 1:
        if isinstance(shape[0], _dtype_cls):
            raise NotImplementedError("Tensor.view(dtype) is not supported by mutograd")
        if isinstance(shape[0], (tuple, list)):
            shape = shape[0]
    size = infer_size(shape, self._data.size)
    if GradMode.enabled and self.requires_grad:
        return call(view_op, (self,), {"size": size})
    return _plain_view(view_op, self, _view(self._data, size))


@public
def reshape(input, *shape):
    # As PyTorch's reshape: a view of a contiguous tensor, _reshape_alias when the strides
    # allow a view anyway, else a contiguous copy (CloneBackward0) and _unsafe_view.
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    data = input._data
    size = infer_size(shape, data.size)
    recording = GradMode.enabled and input.requires_grad
    if data.flags.c_contiguous:
        if recording:
            return call(view_op, (input,), {"size": size})
        return _plain_view(view_op, input, _view(data, size))
    viewed = _nocopy_reshape(data, size)
    if viewed is not None:
        if recording:
            return call(reshape_alias_op, (input,), {"size": size, "stride": _strides(viewed)})
        return _plain_view(reshape_alias_op, input, viewed)
    return call(unsafe_view, (input.clone(memory_format="contiguous"),), {"size": size})


method(reshape)


@method
def view_as(self, other):
    return self.view(other.shape)


@method
def reshape_as(self, other):
    return self.reshape(other.shape)


@public
def flatten(input, start_dim=0, end_dim=-1):
    ndim = input.dim()
    if ndim == 0:
        return input.reshape(1)
    start, end = _wrap_dim(start_dim, ndim), _wrap_dim(end_dim, ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input.shape
    middle = 1
    for s in shape[start : end + 1]:
        middle *= s
    return input.reshape(tuple(shape[:start]) + (middle,) + tuple(shape[end + 1 :]))


method(flatten)


@public
def unflatten(input, dim, sizes):
    dim = _wrap_dim(dim, input.dim())
    sizes = infer_size(sizes, input.shape[dim]) if -1 in sizes else tuple(sizes)
    count = 1
    for s in sizes:
        count *= s
    if count != input.shape[dim]:
        raise RuntimeError(
            f"unflatten: Provided sizes [{', '.join(map(str, sizes))}] don't multiply up to the "
            f"size of dim {dim} ({input.shape[dim]}) in the input tensor"
        )
    shape = tuple(input.shape[:dim]) + tuple(sizes) + tuple(input.shape[dim + 1 :])
    return input.view(shape)


method(unflatten)


@public
def t(input):
    data = input._data
    if data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {data.ndim}D")
    if GradMode.enabled and input.requires_grad:
        return call(t_op, (input,))
    return _plain_view(t_op, input, data.T)


method(t)


@public
def transpose(input, dim0, dim1):
    data = input._data
    ndim = data.ndim
    dim0, dim1 = _wrap_dim(dim0, ndim), _wrap_dim(dim1, ndim)
    if GradMode.enabled and input.requires_grad:
        return call(transpose_op, (input,), {"dim0": dim0, "dim1": dim1})
    return _plain_view(transpose_op, input, data.swapaxes(dim0, dim1) if ndim else data.view())


method(transpose)
FUNCTIONS["swapaxes"] = FUNCTIONS["swapdims"] = transpose
Tensor.swapaxes = Tensor.swapdims = transpose


@public
def permute(input, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = tuple(_wrap_dim(d, input.dim()) for d in _sizes(dims))
    if sorted(dims) != list(range(input.dim())):
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
            f"of the desired ordering of dimensions i.e. input.dim() = {input.dim()} is not equal to "
            f"len(dims) = {len(dims)}"
            if len(dims) != input.dim()
            else "permute(): duplicate dims are not allowed."
        )
    return call(permute_op, (input,), {"dims": dims})


method(permute)
Tensor.T = property(lambda self: self.permute(tuple(range(self.dim() - 1, -1, -1))))
Tensor.mT = property(lambda self: self.transpose(-2, -1))
Tensor.H = Tensor.T
Tensor.mH = Tensor.mT


@public
def unsqueeze(input, dim):
    data = input._data
    dim = _wrap_dim(dim, data.ndim + 1)
    if GradMode.enabled and input.requires_grad:
        return call(unsqueeze_op, (input,), {"dim": dim})
    return _plain_view(unsqueeze_op, input, _unsqueeze(data, dim))


method(unsqueeze)


@public
def squeeze(input, dim=None):
    if dim is None:
        return call(squeeze_op, (input,))
    if isinstance(dim, (tuple, list)):
        dims = tuple(_wrap_dim(d, input.dim()) for d in dim)
        return call(squeeze_dims_op, (input,), {"dim": dims})
    return call(squeeze_dim_op, (input,), {"dim": _wrap_dim(dim, input.dim())})


method(squeeze)


@method
def expand(self, *sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if len(sizes) < self._data.ndim:
        raise RuntimeError(
            f"expand(torch.FloatTensor{{[{', '.join(map(str, self.shape))}]}}, size=[{', '.join(map(str, sizes))}]): "
            "the number of sizes provided ("
            + str(len(sizes))
            + ") must be greater or equal to the "
            "number of dimensions in the tensor (" + str(self.dim()) + ")"
        )
    if GradMode.enabled and self.requires_grad:
        return call(expand_op, (self,), {"size": sizes, "implicit": False})
    return _plain_view(expand_op, self, _expand(self._data, sizes))


@method
def expand_as(self, other):
    return self.expand(other.shape)


@public
def broadcast_to(input, size):
    return input.expand(size)


@method
def sum_to_size(self, *size):
    size = _sizes(size)
    if not size:
        return self.sum()  # NB: as at::sum_to, a 0-dim target is a full sum (not a view)
    shape = self.shape
    lead = len(shape) - len(size)
    dims = tuple(range(lead)) + tuple(
        lead + k for k, s in enumerate(size) if s == 1 and shape[lead + k] != 1
    )
    out = self.sum(dims, keepdim=True) if dims else self
    return out.view(size) if lead else out


@public
def narrow(input, dim, start, length):
    dim = _wrap_dim(dim, input.dim())
    if isinstance(start, Tensor):
        start = int(start.item())
    size = input.shape[dim]
    if start < 0:
        start += size
    if not (0 <= start <= size and 0 <= length and start + length <= size):
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return call(slice_op, (input,), {"dim": dim, "start": start, "end": start + length, "step": 1})


method(narrow)


@public
def select(input, dim, index):
    data = input._data
    ndim = data.ndim
    if ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = _wrap_dim(dim, ndim)
    size = data.shape[dim]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"[{', '.join(map(str, input.shape))}] at dimension {dim}"
        )
    if index < 0:
        index += size
    if GradMode.enabled and input.requires_grad:
        return call(select_op, (input,), {"dim": dim, "index": index})
    return _plain_view(select_op, input, _select(data, dim, index))


method(select)


def slice_dim(input, dim, start, end, step):
    """``input[..., start:end:step, ...]`` along ``dim`` with Python's clamping, as a view."""
    if step <= 0:
        raise ValueError("step must be greater than zero")
    size = input.shape[dim]
    start, end, _ = slice(start, end, step).indices(size)
    if end < start:
        end = start
    if GradMode.enabled and input.requires_grad:
        return call(slice_op, (input,), {"dim": dim, "start": start, "end": end, "step": step})
    return _plain_view(slice_op, input, _slice(input._data, dim, start, end, step))


@public
def diagonal(input, offset=0, dim1=0, dim2=1):
    ndim = input.dim()
    dim1, dim2 = _wrap_dim(dim1, ndim), _wrap_dim(dim2, ndim)
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return call(diagonal_op, (input,), {"offset": offset, "dim1": dim1, "dim2": dim2})


method(diagonal)


@public
def as_strided(input, size, stride, storage_offset=None):
    attrs = {
        "size": tuple(size),
        "stride": tuple(stride),
        "storage_offset": input.storage_offset() if storage_offset is None else storage_offset,
        "storage": input._storage,
    }
    return call(as_strided_op, (input,), attrs)


method(as_strided)


@public
def unbind(input, dim=0):
    if input.dim() == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return call(unbind_op, (input,), {"dim": _wrap_dim(dim, input.dim())})


method(unbind)


@public
def split(tensor, split_size_or_sections, dim=0):
    dim = _wrap_dim(dim, tensor.dim())
    if isinstance(split_size_or_sections, int):
        return call(split_op, (tensor,), {"split_size": split_size_or_sections, "dim": dim})
    return call(
        split_sizes_op, (tensor,), {"split_sizes": tuple(split_size_or_sections), "dim": dim}
    )


method(split)


@public
def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    dim = _wrap_dim(dim, input.dim())
    size = input.shape[dim]
    split_size = -(-size // chunks) if size else 0
    if split_size == 0 and size == 0:
        return tuple(call(split_sizes_op, (input,), {"split_sizes": (0,) * chunks, "dim": dim}))
    return call(split_op, (input,), {"split_size": split_size, "dim": dim})


method(chunk)


def _check_cat(tensors, dim):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"cat() received an invalid combination of arguments - got ({type(tensors).__name__}), "
            "but expected (tuple of Tensors tensors, int dim = 0)"
        )
    if len(tensors) == 0:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for k, t in enumerate(tensors):
        if t.dim() == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {k}) cannot be concatenated")
    ref = next((t for t in tensors if not (t.dim() == 1 and t.shape[0] == 0)), tensors[0])
    dim = _wrap_dim(dim, ref.dim())
    for k, t in enumerate(tensors):
        if t.dim() == 1 and t.shape[0] == 0:
            continue
        if t.dim() != ref.dim():
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.dim()} and {t.dim()}"
            )
        for d in range(ref.dim()):
            if d != dim and t.shape[d] != ref.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{ref.shape[d]} but got size {t.shape[d]} for tensor number {k} in the list."
                )
    return dim


@public
def cat(tensors, dim=0, *, out=None):
    dim = _check_cat(tensors, dim)
    if out is not None:
        return _write_out("cat", lambda: cat(tensors, dim), tensors, out)
    return call(cat_op, (list(tensors),), {"dim": dim})


def _write_out(name: str, compute, inputs, out: Tensor) -> Tensor:
    """``torch.<name>(..., out=out)`` for an op whose result shape is not a broadcast:
    PyTorch's autograd check, then the result written through the in-place door."""
    if GradMode.enabled and (out.requires_grad or builtins.any(t.requires_grad for t in inputs)):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    with no_grad():
        result = compute()
    return apply_out(clone_op, (result,), {"memory_format": None}, out)


FUNCTIONS["concat"] = FUNCTIONS["concatenate"] = cat


@public
def stack(tensors, dim=0, *, out=None):
    if len(tensors) == 0:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]
    for k, t in enumerate(tensors):
        if t.shape != ref.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got "
                f"[{', '.join(map(str, ref.shape))}] at entry 0 and "
                f"[{', '.join(map(str, t.shape))}] at entry {k}"
            )
    if out is not None:
        return _write_out("stack", lambda: stack(tensors, dim), tensors, out)
    return call(stack_op, (list(tensors),), {"dim": _wrap_dim(dim, ref.dim() + 1)})


@public
def hstack(tensors):
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1)


@public
def vstack(tensors):
    return cat([t.reshape(1, -1) if t.dim() < 2 else t for t in tensors], 0)


@public
def clone(input, *, memory_format=None):
    return call(clone_op, (input,), {"memory_format": memory_format})


method(clone)


@method
def contiguous(self, memory_format=None):
    if self._data.flags.c_contiguous:
        return self
    return call(clone_op, (self,), {"memory_format": "contiguous"})


@method
def to(self, *args, dtype=None, copy=False, non_blocking=False, device=None, memory_format=None):
    for arg in args:
        if isinstance(arg, _dtype_cls):
            dtype = arg
        elif isinstance(arg, Tensor):
            dtype = arg.dtype
    if dtype is None or (dtype is self.dtype and not copy):
        return self
    return call(to_copy_op, (self,), {"dtype": dtype})


@method
def type(self, dtype=None, non_blocking=False):
    if dtype is None:
        from .._dtype import legacy_type_name

        return legacy_type_name(self.dtype)
    if isinstance(dtype, str):
        from .. import _dtype as d

        dtype = {f"torch.{d._LEGACY[x]}": x for x in d.ALL}[dtype]
    return self.to(dtype)


@method
def type_as(self, other):
    return self.to(other.dtype)


def _converter(name, dtype_name):
    from .. import _dtype as d

    target = d._by_name(dtype_name)

    def convert(self, memory_format=None):
        return self.to(target)

    convert.__name__ = name
    setattr(Tensor, name, convert)


for _name, _dt in [
    ("float", "float32"),
    ("double", "float64"),
    ("half", "float16"),
    ("long", "int64"),
    ("int", "int32"),
    ("short", "int16"),
    ("char", "int8"),
    ("byte", "uint8"),
    ("bool", "bool"),
]:
    _converter(_name, _dt)


@method
def cpu(self, memory_format=None):
    return self


@public
def flip(input, dims):
    if isinstance(dims, int):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    return _flip(input, dims)


def _flip(input, dims):
    dims = tuple(_wrap_dim(d, input.dim()) for d in dims)
    return call(flip_op, (input,), {"dims": dims})


def _flip_method(self, *dims):
    """``Tensor.flip(0, 1)`` or ``Tensor.flip((0, 1))``: the method also takes varargs."""
    return _flip(self, _sizes(dims))


Tensor.flip = _flip_method


@method
def repeat(self, *repeats):
    repeats = _sizes(repeats)
    if len(repeats) < self.dim():
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
        )
    return call(repeat_op, (self,), {"repeats": tuple(repeats)})


@method
def __iter__(self):
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(self.unbind(0))


# --- metadata-only in-place ops: they change the view, not the data -------------------------

# PyTorch gives these their own derivatives.yaml rows, hence their own node names.
t_inplace_op = defop(
    "t_(Tensor self) -> Tensor", forward=np.transpose, node="TBackward1", self=lambda grad: grad.t()
)
transpose_inplace_op = defop(
    "transpose_(Tensor self, int dim0, int dim1) -> Tensor",
    forward=lambda self, dim0, dim1: np.swapaxes(self, dim0, dim1),
    node="TransposeBackward1",
    self=lambda grad, dim0, dim1: grad.transpose(dim0, dim1),
)
unsqueeze_inplace_op = defop(
    "unsqueeze_(Tensor self, int dim) -> Tensor",
    forward=lambda self, dim: _unsqueeze(self, dim),
    node="UnsqueezeBackward1",
    self=lambda grad, dim: grad.squeeze(dim),
)
squeeze_inplace_op = defop(
    "squeeze_(Tensor self) -> Tensor",
    forward=lambda self: np.squeeze(self),
    node="SqueezeBackward3",
    self=lambda grad, self_sizes: grad.reshape(self_sizes),
)
squeeze_dim_inplace_op = defop(
    "squeeze_.dim(Tensor self, int dim) -> Tensor",
    forward=lambda self, dim: (
        np.squeeze(self, dim) if self.ndim and self.shape[dim] == 1 else self.view()
    ),
    node="SqueezeBackward4",
    self=lambda grad, dim, self_sizes: grad.reshape(self_sizes),
)
as_strided_inplace_op = defop(
    "as_strided_(Tensor self, SymInt[] size, SymInt[] stride, SymInt? storage_offset=None) -> Tensor",
    forward=_as_strided,
    node="AsStridedBackward1",
    self=lambda grad, self_geometry, size, stride, storage_offset: as_strided_backward(
        grad, self_geometry, size, stride, storage_offset
    ),
)


@method
def t_(self):
    if self.dim() > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self.dim()}D")
    return apply_view_inplace(t_inplace_op, self, {}, "t_")


@method
def transpose_(self, dim0, dim1):
    ndim = self.dim()
    attrs = {"dim0": _wrap_dim(dim0, ndim), "dim1": _wrap_dim(dim1, ndim)}
    return apply_view_inplace(transpose_inplace_op, self, attrs, "transpose_")


Tensor.swapaxes_ = Tensor.swapdims_ = transpose_


@method
def unsqueeze_(self, dim):
    return apply_view_inplace(
        unsqueeze_inplace_op, self, {"dim": _wrap_dim(dim, self.dim() + 1)}, "unsqueeze_"
    )


@method
def squeeze_(self, dim=None):
    if dim is None:
        return apply_view_inplace(squeeze_inplace_op, self, {}, "squeeze_")
    return apply_view_inplace(
        squeeze_dim_inplace_op, self, {"dim": _wrap_dim(dim, self.dim())}, "squeeze_"
    )


@method
def as_strided_(self, size, stride, storage_offset=None):
    attrs = {
        "size": tuple(size),
        "stride": tuple(stride),
        "storage_offset": self.storage_offset() if storage_offset is None else storage_offset,
        "storage": self._storage,
    }
    return apply_view_inplace(as_strided_inplace_op, self, attrs, "as_strided_")


@method
def resize_(self, *sizes, memory_format=None):
    from .._inplace import resize

    return resize(self, _sizes(sizes))


@method
def resize_as_(self, other, memory_format=None):
    return self.resize_(other.shape)
