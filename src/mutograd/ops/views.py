"""The view ops' table. Views (``view=True``) return NumPy views of input 0 and share
its storage and version counter.

Each view op's backward is the inverse view or a ``*_backward`` op that places the
gradient into zeros of the input's shape, as in derivatives.yaml; those ``*_backward``
ops are themselves differentiable (their gradient is the view again). Also declared
here: the geometry ops of CopySlices' backward and the metadata-only in-place ops
(``t_``, ``squeeze_``...). Their NumPy forwards are in _view_kernels.py, the public
functions and methods in view_api.py.
"""

from __future__ import annotations

import builtins

import numpy as np

from .._dispatch import call
from .._storage import strided_view
from ._registry import PROMOTE, defop
from ._view_kernels import (
    _as_strided,
    _as_strided_backward_fwd,
    _diagonal,
    _diagonal_backward_fwd,
    _element_view,
    _expand,
    _extent,
    _nocopy_reshape,
    _select,
    _select_backward_fwd,
    _slice,
    _slice_backward_fwd,
    _unsqueeze,
    _view,
)
from .shape import cat, stack

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

# NB: as PyTorch's unsafe_split, the outputs share the input's memory but are
# not views: no _base, their own version counters, no view rules on writes.
unsafe_split_op = defop(
    "unsafe_split.Tensor(Tensor self, SymInt split_size, int dim=0) -> Tensor[]",
    forward=lambda self, split_size, dim=0: _split_arrays(self, split_size, dim),
    node="UnsafeSplitBackward0",
    self=lambda grads, self_sizes, split_size, dim: cat(
        _fill_split(grads, self_sizes, split_size, dim), dim
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
    # NB: zeros, not ``like * 0``: an inf or NaN in one slot's gradient must not
    # spill into the others (PyTorch's unbind_backward stacks zeros).
    like = next(g for g in grads if g is not None)
    return [g if g is not None else like.new_zeros(like.shape) for g in grads]


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


# --- metadata-only in-place ops: they change the view, not the data -------------------------

# PyTorch gives these their own derivatives.yaml rows, hence their own node names.
t_inplace_op = defop(
    "t_(Tensor self) -> Tensor", forward=np.transpose, node="TBackward1", self=lambda grad: grad.t()
)
transpose_inplace_op = defop(
    "transpose_(Tensor self, int dim0, int dim1) -> Tensor",
    # NB: a 0-dim tensor takes dims 0/-1 and stays as it is, as transpose's forward.
    forward=lambda self, dim0, dim1: np.swapaxes(self, dim0, dim1) if self.ndim else self.view(),
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
