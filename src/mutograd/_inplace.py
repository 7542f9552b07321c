"""The in-place protocol: the one door through which every write to a tensor passes.

    apply_inplace(op, inputs, attrs)
      1. validate everything first, in PyTorch's order: autograd's rules
         (check_inplace) and the edges to the inputs' histories (a view whose
         history cannot be followed raises here), then the kernel's: self is
         not expanded and no input partially aliases it, self is not
         broadcast, the result dtype can be cast to self's, the op's own
         checks (index ranges, mask shapes); last, self is not an inference
         tensor (PyTorch raises that one after writing; we raise it before)
      2. build the node and save what it needs from *before* the write
         (a clone of self when a formula that will run reads ``self``, see
         Note [Which formulas run]; other inputs)
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
    v.grad_fn    = AsStridedBackward0 -> CopySlices   (regenerated at once)

CopySlices' backward takes the slice of the base's gradient that the view
covers, runs ``fn`` on it, and puts fn's gradient for ``self`` back in place;
backward without retain_graph then drops ``fn`` itself, so a second backward
through CopySlices raises. Any other view's grad_fn is regenerated when it is
next needed, because the shared version moved since it was last computed
(``ViewMeta.attr_version``); a restricted view (made under no_grad, by a
multi-output op, in inference mode or inside a custom Function) refuses that
instead (PyTorch's handle_view_on_rebase).
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _capture, _dtype, _errors, _layout
from ._dispatch import (
    broadcast_shape,
    compute_dtype,
    edges_for,
    make_node,
    plain_arrays,
    run_kernel,
    save_outputs,
    to_arrays,
)
from ._location import format_location, user_location
from ._storage import data_ptr
from ._tensor import Tensor, _c_type
from ._tensor import _geometry as geometry
from .autograd.grad_mode import GradMode
from .autograd.graph import Node, gradient_edge
from .autograd.inference import only_inference_tensors
from .ops._iterator import iterator_layout
from .ops._registry import KEEP, PLAIN_RULES, REGISTRY, OpDef


def has_internal_overlap(array: np.ndarray) -> bool:
    """True when two elements share memory (an expanded tensor), as PyTorch's has_internal_overlap."""
    if array.size == 0:
        return False
    for size, stride in zip(array.shape, array.strides, strict=True):
        if stride == 0 and size > 1:
            return True
    return False


def _non_overlapping_and_dense(array: np.ndarray) -> bool:
    """PyTorch's is_non_overlapping_and_dense: some permutation of the dims is contiguous."""
    expected = array.itemsize
    for size, stride in sorted(
        zip(array.shape, array.strides, strict=True), key=lambda d: (abs(d[1]), d[0])
    ):
        if size == 1:
            continue
        if stride != expected:
            return False
        expected *= size
    return True


def partially_overlaps(out: np.ndarray, x: np.ndarray) -> bool:
    """PyTorch's get_overlap_status(out, x) == PARTIAL.

    Two dense tensors of one storage whose byte ranges intersect, unless they
    are the same elements in the same layout (``x.add_(x)`` is fine). Tensors
    that are not dense are "too hard" for PyTorch, which lets them through.
    """
    # NB: the bounds test first: most operands share no memory with the destination.
    if out.size == 0 or x.size == 0 or not np.may_share_memory(out, x):
        return False
    if not (_non_overlapping_and_dense(out) and _non_overlapping_and_dense(x)):
        return False
    out_begin = data_ptr(out)
    x_begin = data_ptr(x)
    out_end = out_begin + out.size * out.itemsize
    x_end = x_begin + x.size * x.itemsize
    if out_begin == x_begin and out_end == x_end:
        return out.strides != x.strides
    return out_begin < x_end and x_begin < out_end


def check_overlap(op: OpDef, self: Tensor, inputs, pointwise: bool) -> None:
    """PyTorch's memory-overlap checks on the destination of a write (TensorIterator's first).

    An expanded destination is refused, unless the op table allows it
    (``overlap_ok``: True for fill_/zero_, or the text of the deprecation
    warning PyTorch gives for masked_fill_/index_put_/index_fill_). For
    pointwise ops an input partially aliasing the destination is refused too.
    """
    allowed = op.overlap_ok
    # NB: a C-contiguous array never has internal overlap (the common case).
    if (
        allowed is not True
        and not self._data.flags.c_contiguous
        and has_internal_overlap(self._data)
    ):
        if not allowed:
            raise _errors.internal_overlap()
        warnings.warn(allowed, UserWarning, stacklevel=4)
    if pointwise:
        storage = self._storage
        for x in inputs[1:]:
            if isinstance(x, Tensor) and x is not self:
                other = x._storage
                if other is not storage and other.base is None and storage.base is None:
                    continue  # NB: two buffers that own their memory never overlap
                if partially_overlaps(self._data, x._data):
                    raise _errors.partial_overlap()


def check_inplace(t: Tensor, name: str) -> None:
    """PyTorch's check_inplace: the autograd rules for recording a write into ``t``.

    NB: in PyTorch this is check_inplace in VariableTypeUtils.h, in this order:
    a restricted view (handle_view_on_rebase), a view of a leaf, a leaf.
    """
    base = t._base
    meta = t._view_meta
    if base is not None and meta is not None:
        handle_view_on_rebase(t, meta, name, indirect=False)
        # NB: PyTorch's can_mutate_inplace asks whether the *view* requires grad and
        # its base is a leaf (grad_fn None), whether or not the base requires grad.
        if t.requires_grad and base._grad_fn is None:
            raise _with_location(_errors.view_of_leaf_inplace(), name, _FIX_LEAF)
    # NB: PyTorch's is_leaf() reads the raw grad_fn, without regenerating a view's.
    if t.requires_grad and t._grad_fn is None:
        raise _with_location(_errors.leaf_inplace(), name, _FIX_LEAF)


_FIX_LEAF = (
    "Fix: if the write must not be recorded (an initialisation or a parameter update), do it "
    "under `with torch.no_grad():`; otherwise write into a copy (`x = x.clone()`) or use the "
    "out-of-place form of the operation."
)
_FIX_VIEW = {
    "no_grad_mode": "Fix: create the view and write into it both inside the no_grad block or "
    "both outside it, or write into a clone of the view.",
    "inference_mode": "Fix: create the view and write into it both inside the inference_mode "
    "block or both outside it, or write into a clone of the view.",
    "multi_output_node": "Fix: use the out-of-place form of the operation, or clone the output "
    "first (`a = a.clone()`).",
    "in_custom_function": "Fix: clone the output of the custom Function before writing into it.",
}


def handle_view_on_rebase(t: Tensor, meta, name: str | None, indirect: bool) -> None:
    """Refuse to rebase the history of a restricted view (PyTorch's handle_view_on_rebase).

    Direct (``indirect=False``): an in-place op is about to record a write into
    the view. Indirect: the view's base or another view of it was written, found
    when the view's grad_fn is next needed.
    """
    creation = meta.creation
    if creation == "default":
        return
    fn = t._grad_fn
    error = _errors.view_modified_inplace(
        creation, None if fn is None else fn._label(), t._output_nr, indirect
    )
    lines = []
    if meta.location is not None:
        lines.append(f"The view was created at {format_location(meta.location)}.")
    if indirect:
        for version_after, op_name, location in t._vc.writes_since(meta.attr_version):
            at = "" if location is None else f" at {format_location(location)}"
            lines.append(
                f"Its memory was then written by {op_name}{at} "
                f"(version {version_after - 1} -> {version_after})."
            )
    lines.append(_FIX_VIEW[creation])
    raise _with_location(error, name, "\n".join(lines))


def _with_location(error: RuntimeError, name: str | None, explanation: str) -> RuntimeError:
    """Append mutograd's diagnosis (the user's line and the fix) after PyTorch's exact text."""
    location = user_location(3)
    if location is None and not explanation:
        return error
    if location is None:
        where = ""
    elif name is None:
        where = f"mutograd: this happened at {format_location(location)}.\n"
    else:
        where = f"mutograd: the in-place operation {name} is at {format_location(location)}.\n"
    error.args = (f"{error.args[0]}\n\n{where}{explanation}",)
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


def _any_tensor_requires_grad(inputs) -> bool:
    return any(isinstance(x, Tensor) and x.requires_grad for x in inputs)


def apply_inplace(
    op: OpDef, inputs: tuple, attrs: dict, name: str, pointwise: bool = True
) -> Tensor:
    """Run ``op`` writing into ``inputs[0]``; see the module docstring for the order."""
    self = inputs[0]
    # 1. validate everything before touching data, in PyTorch's order of checks:
    #    autograd's (VariableType), then the kernel's (overlap, shape, dtype).
    track = GradMode.enabled and op.node_cls is not None and _any_requires_grad(op, inputs)
    if track and self._inference:
        track = not only_inference_tensors(inputs)  # NB: see autograd.inference
    if track:
        check_inplace(self, name)
        # As PyTorch's VariableType, the edges are collected before the kernel's
        # checks: an input view whose history cannot be followed raises first.
        edges, _ = edges_for(op, inputs)
        wanted = op.wanted(edges)
    elif op.node_cls is None and GradMode.enabled and _any_tensor_requires_grad(inputs):
        # As PyTorch's VariableType, a non-differentiable op (``leaf |= 1``) checks the
        # write too, before its kernel's checks.
        check_inplace(self, name)
    meta_check = getattr(op.check, "meta", False)
    if meta_check:
        # A check PyTorch makes in the op's meta function (sub's bool check), before
        # TensorIterator looks at overlap, shapes and dtypes.
        op.check(*inputs, **attrs)
    if len(inputs) > 1 or not self._data.flags.c_contiguous:
        # NB: a C-contiguous self with no other operand cannot overlap anything.
        check_overlap(op, self, inputs, pointwise)
    if pointwise:
        shape = self._data.shape
        for x in inputs:
            if isinstance(x, Tensor) and x._data.shape != shape:
                # NB: the same shapes everywhere is the common case, checked inline.
                shape = broadcast_shape(inputs)
                if shape != self._data.shape:
                    raise _errors.inplace_broadcast(self._data.shape, shape)
                break
    keep = op.dtype_rule == KEEP
    arrays = None
    if keep:
        cdtype = odtype = self.dtype
    elif (
        self.dtype.is_floating_point
        and op.dtype_rule in PLAIN_RULES
        and (arrays := plain_arrays(self, inputs)) is not None
    ):
        # Note [The plain path]: one floating dtype computes in and returns that dtype.
        cdtype = odtype = self.dtype
    else:
        cdtype, odtype = compute_dtype(op, inputs, attrs)
    if odtype is not self.dtype and not _dtype.can_cast(odtype, self.dtype):
        raise _errors.cannot_cast(
            _dtype.scalar_type_name(odtype), _dtype.scalar_type_name(self.dtype)
        )
    if op.check is not None and not meta_check:
        op.check(*inputs, **attrs)
    if self._inference:
        check_not_inference(self)
    # 2. the node, and what it saves from before the write
    node = None
    if track:
        saved_inputs = inputs
        if op.saves_input("self", wanted):
            # NB: as PyTorch's codegen, a formula that will run and reads self gets a
            # clone of the old value (original_self), made before the write; no
            # clone when no such formula runs (``y.mul_(2)``: only other is read).
            saved_inputs = (_clone(self),) + tuple(inputs[1:])
        node = make_node(op, saved_inputs, attrs, edges, wanted)
    # 3. write into the existing buffer
    if arrays is None:
        arrays = to_arrays(inputs, None if keep else cdtype)
    if op.forward_writes_out:
        run_kernel(op, arrays, attrs, inputs, out=self._data)
    else:
        raw = run_kernel(op, arrays, attrs, inputs)
        np.copyto(self._data, raw, casting="unsafe")
        _capture.copied(self._data, raw)
    # 4. bump the version once (the node already knows where the write is)
    vc = self._vc
    vc.version += 1
    if vc.writes is not None:  # NB: record_write, inlined with its location lookup
        vc.writes.append((vc.version, name, user_location(2) if node is None else node._location))
    # 5-6. rebase history, save outputs
    if node is not None:
        rebase_history(self, node)
        on_view = self._base is not None and self._view_meta is not None
        save_outputs(op, node, (self,), on_view)
    return self


def check_not_inference(t: Tensor) -> None:
    """Inference tensors cannot be written outside inference mode.

    NB: PyTorch raises this when bumping the version, after its kernel has
    written; mutograd raises it last among the checks but before the write, so
    that a failed in-place op changes nothing.
    """
    if t._inference and not GradMode.inference:
        raise _errors.inference_tensor_inplace()


def bump_version(t: Tensor, name: str, location=None) -> None:
    vc = t._vc
    vc.version += 1
    if vc.writes is not None:
        vc.record_write(name, user_location(3) if location is None else location)


def _clone(t: Tensor) -> Tensor:
    from ._dispatch import call

    return call(REGISTRY["clone"], (t,), {"memory_format": None})


def rebase_history(self: Tensor, node: Node, output_nr: int = 0) -> None:
    """Make output ``output_nr`` of ``node`` the history of ``self``; see Note [In-place on views]."""
    base = self._base
    if base is not None and self._view_meta is not None:
        copy_slices = CopySlices(base, geometry(base), geometry(self), node)
        copy_slices.next_functions = (gradient_edge(base),) + tuple(node.next_functions[1:])
        copy_slices._input_meta = ((base._data.shape, base.dtype),) + tuple(node._input_meta[1:])
        copy_slices._output_meta = ((base._data.shape, base.dtype),)
        copy_slices._location = node._location
        copy_slices._anomaly_trace = node._anomaly_trace
        _set_history(base, copy_slices)
        # As PyTorch, regenerate the view's grad_fn now (AsStridedBackward0 onto
        # CopySlices), which also lets its previous grad_fn go.
        _view_grad_fn(self)
        return
    _set_history(self, node, output_nr)


def _set_history(t: Tensor, node: Node, output_nr: int = 0) -> None:
    t._grad_fn = node
    t._output_nr = output_nr
    if t._view_meta is not None:
        # As PyTorch's set_gradient_edge: a view given a new grad_fn directly
        # (t_, transpose_ on a view) keeps it; it is not regenerated.
        t._view_meta.attr_version = t._vc.version
    if node._output_meta is None:
        node._output_meta = ((t._data.shape, t.dtype),)
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

    def apply(self, grads: list) -> tuple:
        from ._dispatch import call

        if self.fn is None:
            raise _errors.backward_twice()
        grad = grads[0]
        geometry_args = {"base_geometry": self._base_geometry, "view_geometry": self._view_geometry}
        grad_slice = call(REGISTRY["_geometry_gather"], (grad,), geometry_args)
        res = self.fn.apply([grad_slice])
        out = [None]
        if self.next_functions[0][0] is not None:
            shape, strides, _ = self._view_geometry
            if 0 not in shape and any(
                stride == 0 and size > 1 for size, stride in zip(shape, strides, strict=True)
            ):
                # NB: PyTorch's CopySlices writes fn's gradient back with
                # grad_slice.copy_(), which refuses an expanded view: a write into
                # an expanded view of a tensor requiring grad cannot be backpropagated.
                raise _errors.internal_overlap()
            slice_grad = res[0]
            if slice_grad is None:
                slice_grad = call(REGISTRY["zeros_like"], (grad_slice,), {})
            out[0] = call(REGISTRY["_geometry_put"], (grad, slice_grad), geometry_args)
        out.extend(res[1:])
        return tuple(out)

    def _release_saved(self) -> None:
        # As PyTorch's CopySlices::release_variables, fn itself is dropped: a
        # second backward through this node raises even if fn saved nothing.
        if self.fn is not None:
            self.fn._release_saved()
        self.fn = None


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
        # The base or another view of it was written: as PyTorch, a restricted
        # view cannot follow (an indirect rebase), others get AsStridedBackward0.
        handle_view_on_rebase(self, meta, None, indirect=True)
        op = REGISTRY["as_strided"]
        node = op.node_cls()
        node.next_functions = (gradient_edge(base),)
        node._input_meta = ((base._data.shape, base.dtype),)
        node._output_meta = ((self._data.shape, self.dtype),)
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
        if self._retains_grad:
            # As PyTorch's VariableHooks::grad_fn: retain_grad moves to the new node.
            from .autograd.engine import install_retain_grad

            install_retain_grad(self)
        return node
    return fn


# The one definition of Tensor.grad_fn: the raw grad_fn, regenerated for views.
Tensor.grad_fn = property(_view_grad_fn, doc="The node that made this tensor (None for leaves).")


def check_out_grad(op: OpDef, inputs: tuple, out: Tensor) -> None:
    """PyTorch's VariableType refuses out= when autograd would have to record the write."""
    if GradMode.enabled and (_any_requires_grad(op, inputs) or out.requires_grad):
        raise RuntimeError(
            f"{op.name.split('.')[0]}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )


def apply_out(op: OpDef, inputs: tuple, attrs: dict, out: Tensor) -> Tensor:
    """``torch.add(a, b, out=c)``: an in-place write into ``out`` through the same door."""
    check_out_grad(op, inputs, out)
    # As PyTorch's structured kernels: the op's own checks (its meta function) run
    # before TensorIterator checks the output's dtype, and a kernel missing for a
    # dtype (a check marked ``dispatch``) is found after it.
    dispatch_check = op.check if getattr(op.check, "dispatch", False) else None
    if op.check is not None and dispatch_check is None:
        op.check(*inputs, **attrs)
    cdtype, odtype = compute_dtype(op, inputs, attrs)
    rule = op.out_dtype
    if rule == "same" and out.dtype is not inputs[0].dtype:
        raise RuntimeError(
            f"Found dtype {_dtype.scalar_type_name(out.dtype)} but expected "
            f"{_dtype.scalar_type_name(inputs[0].dtype)}"
        )
    if rule == "exact" and out.dtype is not odtype:
        # As PyTorch's structured kernels' check_inplace / resize_output (mm, gather...).
        raise RuntimeError(
            f"Expected out tensor to have dtype {_c_type(odtype)}, but got {_c_type(out.dtype)} "
            "instead"
        )
    if callable(rule):
        rule(out.dtype, odtype, inputs)  # the op's own out dtype check, with its own words
    if not _dtype.can_cast(odtype, out.dtype):
        raise _errors.cannot_cast(
            _dtype.scalar_type_name(odtype), _dtype.scalar_type_name(out.dtype)
        )
    if dispatch_check is not None:
        dispatch_check(*inputs, **attrs)
    check_not_inference(out)
    arrays = to_arrays(inputs, None if op.dtype_rule == KEEP else cdtype)
    raw = None
    if op.layout is iterator_layout:
        shape = broadcast_shape(inputs)  # TensorIterator's: the inputs' broadcast shape
    else:
        # Reductions, products, gathers...: the result's shape is the kernel's.
        raw = run_kernel(op, arrays, attrs, inputs)
        if type(raw) is not np.ndarray:
            raw = np.asarray(raw)
        shape = raw.shape
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
    if shape != out._data.shape:
        # As PyTorch's TensorIterator, a resized output takes the layout the op
        # computes in: NumPy's order="K" follows the inputs' strides likewise.
        if raw is None:
            raw = run_kernel(op, arrays, attrs, inputs)
        if op.layout is not None:
            raw = op.layout(raw, inputs)
        storage = out._storage
        offset = out.storage_offset()
        if (
            raw.flags.c_contiguous
            and storage.flags.c_contiguous
            and raw.size
            and offset + raw.size <= storage.size
        ):
            # As PyTorch's resize_: a storage large enough is kept (mm into a [5] out
            # resized to [1, 5] keeps its data_ptr).
            out._data = storage.reshape(-1)[offset : offset + raw.size].reshape(raw.shape)
            np.copyto(out._data, raw, casting="unsafe")
            _capture.copied(out._data, raw)
        else:
            fresh = _layout.empty_like(raw, out.dtype._np)  # NB: raw's strides (nonzero's)
            if not fresh.size:
                # NB: NumPy gives an empty array zero strides; PyTorch's are contiguous ones.
                fresh = _layout.contiguous(fresh)
            np.copyto(fresh, raw, casting="unsafe")
            _capture.copied(fresh, raw)
            out._data = fresh
            out._storage = fresh
    elif raw is not None:
        np.copyto(out._data, raw, casting="unsafe")
        _capture.copied(out._data, raw)
    elif op.forward_writes_out and odtype is out.dtype:
        run_kernel(op, arrays, attrs, inputs, out=out._data)
    else:
        raw = run_kernel(op, arrays, attrs, inputs)
        np.copyto(out._data, raw, casting="unsafe")
        _capture.copied(out._data, raw)
    bump_version(out, op.name.split(".")[0])
    return out


def apply_view_inplace(op: OpDef, self: Tensor, attrs: dict, name: str) -> Tensor:
    """``t_``, ``transpose_``, ``unsqueeze_``...: self becomes a new view of its own memory.

    As in PyTorch they bump the version (the metadata changed) and, when
    recording, rebase self's history onto the view op's node.
    """
    track = GradMode.enabled and self.requires_grad and not self._inference
    if track:
        check_inplace(self, name)
    new_data = run_kernel(op, [self._data], attrs, (self,))
    check_not_inference(self)
    node = None
    if track:
        node = make_node(op, (self,), attrs, (gradient_edge(self),))
    self._data = new_data
    bump_version(self, name)
    if node is not None:
        _set_history(self, node)
    return self


def resize(self: Tensor, sizes) -> Tensor:
    """``resize_``: reshape self's storage, growing it when needed (PyTorch's resize_)."""
    # NB: as PyTorch's VariableType::resize_, refused for a tensor requiring
    # grad even under no_grad; the version moves only when the shape changes.
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    sizes = tuple(int(s) for s in sizes)
    numel = 1
    for s in sizes:
        numel *= s
    if sizes == self._data.shape:
        return self
    check_not_inference(self)
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
    bump_version(self, "resize_")
    return self
