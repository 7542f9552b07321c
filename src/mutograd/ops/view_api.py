"""The public view functions and methods: view, reshape, flatten, t, transpose, permute,
(un)squeeze, expand, narrow, select, diagonal, as_strided, unbind, split, chunk..., and
the metadata-only in-place methods (``t_``, ``transpose_``, ``squeeze_``, ``resize_``...).

A view with no node to record (grad mode off, or an input that needs no grad) skips the
generic dispatch: see ``_plain_view``.
"""

from __future__ import annotations

import warnings

from .._dispatch import _mark_views, call
from .._dtype import dtype as _dtype_cls
from .._inplace import apply_view_inplace
from .._tensor import Tensor, _new_view, _wrap_dim
from ..autograd.grad_mode import GradMode
from ._api import FUNCTIONS, method, public
from ._view_kernels import (
    _expand,
    _nocopy_reshape,
    _select,
    _sizes,
    _slice,
    _strides,
    _unsqueeze,
    _view,
    infer_size,
)
from .views import (
    as_strided_inplace_op,
    as_strided_op,
    diagonal_op,
    expand_op,
    permute_op,
    reshape_alias_op,
    select_op,
    slice_op,
    split_op,
    split_sizes_op,
    squeeze_dim_inplace_op,
    squeeze_dim_op,
    squeeze_dims_op,
    squeeze_inplace_op,
    squeeze_op,
    t_inplace_op,
    t_op,
    transpose_inplace_op,
    transpose_op,
    unbind_op,
    unsafe_split_op,
    unsafe_view,
    unsqueeze_inplace_op,
    unsqueeze_op,
    view_op,
)

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
    if input.dim() == 0:
        # As PyTorch, which wraps the dim error of a 0-dim tensor in this one.
        raise RuntimeError(
            "unflatten got an unexpected error:\n"
            f"Dimension specified as {_wrap_dim(dim, 0)} but tensor has no dimensions"
        )
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
Tensor.H = Tensor.T


def _matrix_transpose(name: str, zero_dim_hint: str):
    # As PyTorch's Tensor.mT/mH: the last two dims swapped; a 0-dim tensor is returned
    # itself (deprecated, with a warning); a 1-dim one is an error.
    def transposed(self):
        ndim = self._data.ndim
        if ndim == 0:
            warnings.warn(
                f"Tensor.{name} is deprecated on 0-D tensors. {zero_dim_hint}",
                UserWarning,
                stacklevel=2,
            )
            return self
        if ndim < 2:
            raise RuntimeError(
                f"tensor.{name} is only supported on matrices or batches of matrices. "
                f"Got {ndim}-D tensor."
            )
        return self.transpose(-2, -1)

    return property(transposed)


Tensor.mT = _matrix_transpose("mT", "This function is the identity in these cases.")
Tensor.mH = _matrix_transpose("mH", "Consider using x.conj().")


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
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
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
    if input.dim() == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
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
    wrapped1, wrapped2 = _wrap_dim(dim1, ndim), _wrap_dim(dim2, ndim)
    if wrapped1 == wrapped2:
        # NB: PyTorch names the dims as given, before wrapping.
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    dim1, dim2 = wrapped1, wrapped2
    return call(diagonal_op, (input,), {"offset": offset, "dim1": dim1, "dim2": dim2})


method(diagonal)


def _check_as_strided(storage, size, stride, offset: int) -> None:
    """PyTorch's checks before as_strided points at memory: the geometry must stay
    inside the storage (NumPy would read past its end)."""
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(
            "as_strided: Negative strides are not supported at the moment, got strides: "
            f"[{', '.join(map(str, stride))}]"
        )
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(n < 0 for n in size):
        raise RuntimeError(
            f"Storage size calculation overflowed with sizes=[{', '.join(map(str, size))}] and "
            f"strides=[{', '.join(map(str, stride))}]"
        )
    if 0 in size:
        return
    itemsize = storage.itemsize
    needed = (offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True)) + 1) * itemsize
    if needed > storage.nbytes:
        raise RuntimeError(
            f"setStorage: sizes [{', '.join(map(str, size))}], strides "
            f"[{', '.join(map(str, stride))}], storage offset {offset}, and itemsize {itemsize} "
            f"requiring a storage size of {needed} are out of bounds for storage of size "
            f"{storage.nbytes}"
        )


def _as_strided_attrs(t, size, stride, storage_offset) -> dict:
    # As PyTorch, a missing storage_offset keeps the tensor's own.
    offset = t.storage_offset() if storage_offset is None else storage_offset
    _check_as_strided(t._storage, tuple(size), tuple(stride), offset)
    return {
        "size": tuple(size),
        "stride": tuple(stride),
        "storage_offset": offset,
        "storage": t._storage,
    }


@public
def as_strided(input, size, stride, storage_offset=None):
    return call(as_strided_op, (input,), _as_strided_attrs(input, size, stride, storage_offset))


method(as_strided)


@public
def unbind(input, dim=0):
    if input.dim() == 0:
        # NB: PyTorch names the dim after wrapping it as for a 1-dim tensor (-1 is 0).
        raise IndexError(f"Dimension specified as {_wrap_dim(dim, 0)} but tensor has no dimensions")
    return call(unbind_op, (input,), {"dim": _wrap_dim(dim, input.dim())})


method(unbind)


@public
def split(tensor, split_size_or_sections, dim=0):
    if tensor.dim() == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = _wrap_dim(dim, tensor.dim())
    if isinstance(split_size_or_sections, int):
        if split_size_or_sections < 0:
            raise RuntimeError(
                "split expects split_size be non-negative, but got "
                f"split_size={split_size_or_sections}"
            )
        return call(split_op, (tensor,), {"split_size": split_size_or_sections, "dim": dim})
    return call(
        split_sizes_op, (tensor,), {"split_sizes": tuple(split_size_or_sections), "dim": dim}
    )


method(split)


@public
def split_with_sizes(input, split_sizes, dim=0):
    if isinstance(split_sizes, int):
        raise TypeError(
            "split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, not int"
        )
    dim = _wrap_dim(dim, input.dim())
    return call(split_sizes_op, (input,), {"split_sizes": tuple(split_sizes), "dim": dim})


method(split_with_sizes)


@public
def unsafe_split(input, split_size, dim=0):
    if not isinstance(split_size, int):
        raise TypeError(
            "unsafe_split(): argument 'split_size' (position 2) must be int, not "
            f"{type(split_size).__name__}"
        )
    dim = _wrap_dim(dim, input.dim())
    outputs = call(unsafe_split_op, (input,), {"split_size": split_size, "dim": dim})
    for out in outputs:
        out._storage = input._storage  # the same memory, seen at its offsets
    return outputs


method(unsafe_split)


@public
def chunk(input, chunks, dim=0):
    if input.dim() == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    dim = _wrap_dim(dim, input.dim())
    size = input.shape[dim]
    split_size = -(-size // chunks) if size else 0
    if split_size == 0 and size == 0:
        return tuple(call(split_sizes_op, (input,), {"split_sizes": (0,) * chunks, "dim": dim}))
    return call(split_op, (input,), {"split_size": split_size, "dim": dim})


method(chunk)


@method
def __iter__(self):
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(self.unbind(0))


# --- metadata-only in-place ops: they change the view, not the data -------------------------


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
    attrs = _as_strided_attrs(self, size, stride, storage_offset)
    return apply_view_inplace(as_strided_inplace_op, self, attrs, "as_strided_")


@method
def resize_(self, *sizes, memory_format=None):
    from .._inplace import resize

    return resize(self, _sizes(sizes))


@method
def resize_as_(self, other, memory_format=None):
    return self.resize_(other.shape)
