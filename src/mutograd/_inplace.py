"""The in-place protocol: the one door through which every write to a tensor passes.

    apply_inplace(op, inputs, attrs)
      1. validate everything first: inference tensors, autograd's rules
         (PyTorch's check_inplace), the result dtype can be cast to self's,
         self is not broadcast, self has no internal overlap, the op's own checks
      2. build the node and save what it needs from *before* the write
         (a clone of self when a formula reads ``self``; other inputs)
      3. write into self's existing buffer (ufunc ``out=``: no new array)
      4. bump the shared version counter exactly once, recording where
      5. rebase history: self's grad_fn becomes the node, or, for a view,
         its base's grad_fn becomes CopySlices (see Note [In-place on views])
      6. save outputs (``result`` is now self)

Nothing else writes to a tensor's data; a failure in step 1 leaves data, shape
and version untouched.

Note [In-place on views]
------------------------
As in PyTorch (torch/csrc/autograd/VariableTypeUtils.h rebase_history), an
in-place op on a view ``v`` of ``base`` rewrites the base's history:

    base.grad_fn = CopySlices(fn)          fn = the op's node (e.g. MulBackward0)
        next_functions = [base's old edge] + fn.next_functions[1:]
    v.grad_fn    = AsStridedBackward0 -> CopySlices   (regenerated lazily)

CopySlices' backward takes the slice of the base's gradient that the view
covers, runs ``fn`` on it, and puts fn's gradient for ``self`` back in place.
A view's grad_fn is regenerated whenever the shared version moved since it was
last computed (``ViewMeta.attr_version``), so every view of a modified base
sees the new history.
"""

from __future__ import annotations

import numpy as np

from . import _dtype, _errors
from ._dispatch import broadcast_shape, compute_dtype, edges_for, make_node, save_outputs, to_arrays
from ._location import user_location
from ._npquiet import loud, quiet
from ._tensor import Tensor
from ._tensor import _geometry as geometry
from .autograd.graph import Node, gradient_edge
from .autograd.grad_mode import GradMode
from .ops._registry import KEEP, REGISTRY, OpDef


def has_internal_overlap(array: np.ndarray) -> bool:
    """True when two elements share memory (an expanded tensor), as PyTorch's has_internal_overlap."""
    for size, stride in zip(array.shape, array.strides):
        if stride == 0 and size > 1:
            return True
    return False


def check_inplace(t: Tensor) -> None:
    """PyTorch's check_inplace: the autograd rules for writing into ``t``."""
    base = t._base
    meta = t._view_meta
    if base is not None and meta is not None:
        if meta.creation != "default":
            _raise_view_creation(t, meta)
        if base._grad_fn is None and base.requires_grad:
            raise _with_location(_errors.view_of_leaf_inplace())
    if t._grad_fn is None and t._requires_grad and base is None:
        raise _with_location(_errors.leaf_inplace())


def _raise_view_creation(t: Tensor, meta) -> None:
    if meta.creation == "no_grad_mode":
        if t._base.requires_grad:
            raise _errors.no_grad_view_inplace()
        return
    if meta.creation == "multi_output_node":
        raise _errors.multi_output_view_inplace(meta.origin_output_nr, meta.origin_node_name)
    if meta.creation == "in_custom_function":
        raise _errors.custom_function_view_inplace(meta.origin_output_nr, meta.origin_node_name)
    if meta.creation == "inference_mode":
        raise _errors.inference_tensor_inplace()


def _with_location(error: RuntimeError) -> RuntimeError:
    location = user_location(3)
    if location is not None:
        error.args = (
            f"{error.args[0]}\n\nmutograd: the in-place operation is at {location[0]}:{location[1]} "
            f"(in {location[2]}). Do it under `with torch.no_grad():` if it must not be "
            "recorded, or write into a clone.",
        )
    return error


def _any_requires_grad(op: OpDef, inputs) -> bool:
    for position in op.differentiable_positions:
        x = inputs[position]
        if isinstance(x, Tensor):
            if x.requires_grad:
                return True
        elif isinstance(x, (list, tuple)):
            if any(t.requires_grad for t in x):
                return True
    return False


def apply_inplace(op: OpDef, inputs: tuple, attrs: dict, name: str, pointwise: bool = True) -> Tensor:
    """Run ``op`` writing into ``inputs[0]``; see the module docstring for the order."""
    self = inputs[0]
    # 1. validate everything before touching data
    if self._inference and not GradMode.inference:
        raise _errors.inference_tensor_inplace()
    track = GradMode.enabled and op.node_cls is not None and _any_requires_grad(op, inputs)
    if track:
        check_inplace(self)
    cdtype, odtype = compute_dtype(op, inputs)
    if not _dtype.can_cast(odtype, self.dtype):
        raise _errors.cannot_cast(_dtype.scalar_type_name(odtype), _dtype.scalar_type_name(self.dtype))
    if pointwise:
        shape = broadcast_shape(inputs)
        if shape != self._data.shape:
            raise _errors.inplace_broadcast(self._data.shape, shape)
    if not op.overlap_ok and has_internal_overlap(self._data):
        raise _errors.internal_overlap()
    if op.check is not None:
        op.check(*inputs, **attrs)
    # 2. the node, and what it saves from before the write
    node = None
    if track:
        edges, _ = edges_for(op, inputs)
        saved_inputs = inputs
        if "self" in op.saves:
            # NB: as PyTorch's codegen, a formula that reads self gets a clone of
            # the old value (original_self), made before the write.
            saved_inputs = (_clone(self),) + tuple(inputs[1:])
        node = make_node(op, saved_inputs, attrs, edges)
    # 3. write into the existing buffer
    arrays = to_arrays(inputs, None if op.dtype_rule == KEEP else cdtype)
    token = quiet()
    try:
        if op.forward_writes_out:
            op.forward(*arrays, out=self._data, **attrs)
        else:
            np.copyto(self._data, op.forward(*arrays, **attrs), casting="unsafe")
    finally:
        loud(token)
    # 4. bump the version once
    bump_version(self, name)
    # 5-6. rebase history, save outputs
    if node is not None:
        rebase_history(self, node)
        save_outputs(op, node, (self,))
    return self


def bump_version(t: Tensor, name: str) -> None:
    vc = t._vc
    vc.version += 1
    vc.record_write(name, user_location(3))


def _clone(t: Tensor) -> Tensor:
    from ._dispatch import call

    return call(REGISTRY["clone"], (t,), {"memory_format": None})


def rebase_history(self: Tensor, node: Node) -> None:
    """Make ``node`` the history of ``self``; see Note [In-place on views]."""
    base = self._base
    if base is not None and self._view_meta is not None:
        copy_slices = CopySlices(base, geometry(base), geometry(self), node)
        copy_slices.next_functions = (gradient_edge(base),) + tuple(node.next_functions[1:])
        copy_slices._input_meta = ((base._data.shape, base.dtype),) + tuple(node._input_meta[1:])
        copy_slices._location = node._location
        _set_history(base, copy_slices)
        # self.grad_fn regenerates lazily: its attr_version is now stale.
        return
    _set_history(self, node)


def _set_history(t: Tensor, node: Node) -> None:
    t._grad_fn = node
    t._output_nr = 0
    if t._retains_grad:
        # As PyTorch, retain_grad follows the tensor to its new grad_fn.
        from .autograd.engine import install_retain_grad

        install_retain_grad(t)


class CopySlices(Node):
    """The base's node after an in-place op on one of its views (PyTorch's CopySlices)."""

    __slots__ = ("_base_geometry", "_view_geometry", "fn", "_base_dtype")

    def __init__(self, base: Tensor, base_geometry, view_geometry, fn: Node) -> None:
        super().__init__()
        self._base_geometry = base_geometry
        self._view_geometry = view_geometry
        self._base_dtype = base.dtype
        self.fn = fn

    def name(self) -> str:
        return "CopySlices"

    def apply(self, grads: list) -> tuple:
        from ._dispatch import call

        grad = grads[0]
        geometry_args = {"base_geometry": self._base_geometry, "view_geometry": self._view_geometry}
        grad_slice = call(REGISTRY["_geometry_gather"], (grad,), geometry_args)
        res = self.fn.apply([grad_slice])
        out = [None]
        if self.next_functions[0][0] is not None:
            slice_grad = res[0]
            if slice_grad is None:
                slice_grad = call(REGISTRY["zeros_like"], (grad_slice,), {})
            out[0] = call(REGISTRY["_geometry_put"], (grad, slice_grad), geometry_args)
        out.extend(res[1:])
        return tuple(out)

    def _release_saved(self) -> None:
        self.fn._release_saved()


def _view_grad_fn(self: Tensor):
    """Tensor.grad_fn: for views, regenerated after in-place writes (PyTorch's VariableHooks::grad_fn)."""
    fn = self._grad_fn
    base = self._base
    if base is None:
        return fn
    meta = self._view_meta
    if meta is None:
        return fn
    if fn is None and not base.requires_grad:
        return None
    version = self._vc.version
    if meta.attr_version != version:
        op = REGISTRY["as_strided"]
        node = op.node_cls()
        node.next_functions = (gradient_edge(base),)
        node._input_meta = ((base._data.shape, base.dtype),)
        node._n_outputs = 1
        shape, strides, offset = geometry(self)
        node._saved = {
            "self_geometry": geometry(base),
            "size": shape,
            "stride": strides,
            "storage_offset": offset,
        }
        node._location = fn._location if fn is not None else None
        self._grad_fn = node
        self._output_nr = 0
        meta.attr_version = version
        return node
    return fn


Tensor.grad_fn = property(_view_grad_fn)


def apply_out(op: OpDef, inputs: tuple, attrs: dict, out: Tensor) -> Tensor:
    """``torch.add(a, b, out=c)``: an in-place write into ``out`` through the same door."""
    from ._dispatch import run_forward

    if GradMode.enabled and (_any_requires_grad(op, inputs) or out.requires_grad):
        raise RuntimeError(
            f"{op.name.split('.')[0]}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    cdtype, odtype = compute_dtype(op, inputs)
    if not _dtype.can_cast(odtype, out.dtype):
        raise _errors.cannot_cast(_dtype.scalar_type_name(odtype), _dtype.scalar_type_name(out.dtype))
    shape = broadcast_shape(inputs)
    if shape != out._data.shape:
        if out._data.size != 0:
            import warnings

            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"[{', '.join(map(str, out._data.shape))}], which does not match the required output "
                f"shape [{', '.join(map(str, shape))}]. This behavior is deprecated, and in a future "
                "PyTorch release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0).",
                UserWarning,
                stacklevel=3,
            )
        fresh = np.empty(shape, dtype=out.dtype._np)
        out._data = fresh
        out._storage = fresh
    arrays = to_arrays(inputs, None if op.dtype_rule == KEEP else cdtype)
    if op.forward_writes_out and odtype is out.dtype:
        token = quiet()
        try:
            op.forward(*arrays, out=out._data, **attrs)
        finally:
            loud(token)
    else:
        np.copyto(out._data, run_forward(op, arrays, attrs, inputs), casting="unsafe")
    bump_version(out, op.name.split(".")[0])
    return out


def apply_view_inplace(op: OpDef, self: Tensor, attrs: dict, name: str) -> Tensor:
    """``t_``, ``transpose_``, ``unsqueeze_``...: self becomes a new view of its own memory.

    As in PyTorch they bump the version (the metadata changed) and, when
    recording, rebase self's history onto the view op's node.
    """
    from ._dispatch import run_forward

    if self._inference and not GradMode.inference:
        raise _errors.inference_tensor_inplace()
    track = GradMode.enabled and self.requires_grad
    if track:
        check_inplace(self)
    new_data = run_forward(op, [self._data], attrs, (self,))
    node = None
    if track:
        node = make_node(op, (self,), attrs, [gradient_edge(self)])
    self._data = new_data
    bump_version(self, name)
    if node is not None:
        _set_history(self, node)
    return self


def resize(self: Tensor, sizes) -> Tensor:
    """``resize_``: reshape self's storage, growing it when needed (PyTorch's resize_)."""
    if self.requires_grad and GradMode.enabled:
        raise RuntimeError("cannot resize variables that require grad")
    sizes = tuple(int(s) for s in sizes)
    numel = 1
    for s in sizes:
        numel *= s
    if sizes == self._data.shape:
        return self
    offset = self.storage_offset()
    if offset + numel <= self._storage.size and self._storage.flags.c_contiguous:
        flat = self._storage.reshape(-1)
        self._data = flat[offset : offset + numel].reshape(sizes)
    else:
        fresh = np.zeros(numel, dtype=self.dtype._np)
        old = self._data.reshape(-1)[: min(numel, self._data.size)]
        fresh[: old.size] = old
        self._storage = fresh
        self._data = fresh.reshape(sizes)
    return self
