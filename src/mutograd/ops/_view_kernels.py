"""The NumPy side of views: shape inference, element strides, and the forwards of the
view ops and of their ``*_backward`` ops.

Everything here takes and returns ndarrays (no Tensor, no autograd): a view forward
returns a NumPy view of its input with PyTorch's sizes, strides and storage offset.
The op table that uses them is views.py.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from .. import _errors
from .._layout import compute_stride
from .._storage import _Interface, strided_view
from .._tensor import Size

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
