"""Copying shape ops and conversions: cat, stack, clone, contiguous, ``to``/``type``,
flip, repeat. They return fresh tensors; the views are in views.py and view_api.py.
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import _device
from .._creation import empty, empty_like
from .._dispatch import call
from .._dtype import dtype as _dtype_cls
from .._inplace import apply_out
from .._layout import like_layout
from .._tensor import Tensor, _wrap_dim
from ..autograd.grad_mode import GradMode, no_grad
from ._api import FUNCTIONS, method, public
from ._registry import CAST, PROMOTE, defop
from ._view_kernels import _sizes

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
    # NB: as PyTorch's _to_copy (empty_like with preserve_format): a dense input keeps
    # its strides, size-1 dims included; an expanded one gets dense strides in its
    # stride order (NumPy's order="K" orders stride-0 dims otherwise).
    forward=lambda self, dtype=None: like_layout(self.astype(dtype._np, order="K"), self),
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


def _copy_of_inference(input: Tensor, dtype, memory_format) -> Tensor:
    """clone / contiguous / to of an inference tensor outside inference mode.

    NB: as PyTorch: an inference tensor has no autograd kernel there, so these
    ops run their composite, empty_like + copy_: a normal tensor at version 1,
    whose grad_fn is CopyBackwards when the input requires grad.
    """
    if memory_format == "contiguous":
        out = empty(input.shape, dtype=dtype)
    else:
        out = empty_like(input, dtype=dtype)
    return out.copy_(input)


@public
def clone(input, *, memory_format=None):
    if input._inference and not GradMode.inference:
        return _copy_of_inference(input, input.dtype, memory_format)
    return call(clone_op, (input,), {"memory_format": memory_format})


method(clone)


@method
def contiguous(self, memory_format=None):
    if self._data.flags.c_contiguous:
        return self
    if self._inference and not GradMode.inference:
        return _copy_of_inference(self, self.dtype, "contiguous")
    return call(clone_op, (self,), {"memory_format": "contiguous"})


@method
def to(self, *args, dtype=None, copy=False, non_blocking=False, device=None, memory_format=None):
    for arg in args:
        if isinstance(arg, _dtype_cls):
            dtype = arg
        elif isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, (str, _device.device)):
            device = arg
    if device is not None:
        _device.check(device)  # see Note [A CPU-only build]
    if dtype is None or (dtype is self.dtype and not copy):
        return self
    if self._inference and not GradMode.inference:
        return _copy_of_inference(self, dtype, None)
    return call(to_copy_op, (self,), {"dtype": dtype})


@method
def type(self, dtype=None, non_blocking=False):
    if dtype is None:
        from .._dtype import legacy_type_name

        return legacy_type_name(self.dtype)
    if isinstance(dtype, str):
        from .. import _dtype as d

        dtype = {f"torch.{d._LEGACY[x]}": x for x in d.ALL}[dtype]
    # NB: a legacy type (torch.LongTensor) names its dtype.
    return self.to(getattr(dtype, "dtype", dtype))


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


@method
def cuda(self, device=None, non_blocking=False, memory_format=None):
    # NB: as PyTorch built without CUDA: an index asks for an accelerator there is none of.
    if isinstance(device, int):
        raise RuntimeError(_device.NO_ACCELERATOR)
    raise _device.cuda_not_compiled()


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
