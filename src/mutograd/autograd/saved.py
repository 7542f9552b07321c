"""Saved tensors that remember the version they were saved at.

NB: in PyTorch this is SavedVariable (torch/csrc/autograd/saved_variable.cpp).
An input (or a leaf) is saved as the tensor itself, so the version error names
its *current* grad_fn; an output is saved as a grad_fn-less alias and gets its
grad_fn back from the node that unpacks it (no reference cycle).
"""

from __future__ import annotations

import weakref

from .. import _dtype, _errors
from .._location import _Recording, format_location
from .._tensor import Tensor, _new
from .grad_mode import _AnomalyMode
from .graph import grad_accumulator
from .saved_hooks import SavedHooks


class _Packed:
    """What a pack hook returned (any object, None included)."""

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        self.value = value


class SavedTensor:
    __slots__ = (
        "_tensor",
        "_version",
        "_is_output",
        "_output_nr",
        "_freed",
        "_view_grad_fn",
        "_unpack_hook",  # set when a saved_tensors_hooks pack hook holds the tensor
        "_non_leaf",  # an input that had a grad_fn when saved (see unpack)
        "_identity",  # with a pack hook: the saved input's (grad_fn, requires_grad, accumulator)
    )

    def __init__(self, t, is_output: bool = False, is_inplace_on_view: bool = False) -> None:
        if t._inference:
            raise _errors.inference_tensor_saved()
        vc = t._vc
        if vc.writes is None:
            vc.watch()  # the version error may have to name the writes from now on
        self._version = vc.version
        self._output_nr = t._output_nr
        self._freed = False
        # NB: as SavedVariable's weak_grad_fn_: the output of an in-place op on a
        # view is named after the view's grad_fn at save time (AsStridedBackward0),
        # for as long as the view keeps that node.
        self._view_grad_fn = weakref.ref(t.grad_fn) if is_inplace_on_view else None
        if is_output and t._grad_fn is not None:
            self._is_output = True
            alias = _new(t._data, t.dtype, t._vc, t._storage)
            alias._base = t._base
            self._tensor = alias
        else:
            self._is_output = False
            self._tensor = t
        self._non_leaf = not self._is_output and t._grad_fn is not None
        self._unpack_hook = None
        if SavedHooks.stack:
            self._pack(t)

    def _pack(self, t) -> None:
        """Hand the tensor to the innermost pack hook; keep only what it returns."""
        pack_hook, unpack_hook = SavedHooks.stack[-1]
        self._tensor = None  # NB: as PyTorch, nothing but the packed object is kept
        version = t._vc.version
        packed = pack_hook(t)
        if t._vc.version != version:
            raise RuntimeError(
                "A saved tensor pack hook is modifying its input in place. Tensors provided as "
                "input to pack hook cannot be modified by in-place operations as this can lead to "
                "unexpected side-effects. Please open an issue if you need to perform in-place "
                "operations on the input to a pack hook."
            )
        self._tensor = _Packed(packed)
        self._unpack_hook = unpack_hook
        if not self._is_output:
            # As SavedVariable: what unpack gives back carries the saved tensor's
            # autograd identity (its grad_fn, or the leaf's AccumulateGrad, held weakly).
            leaf = t._grad_fn is None and t._requires_grad
            acc = weakref.ref(grad_accumulator(t)) if leaf else None
            self._identity = (t._grad_fn, t._requires_grad, acc)

    @classmethod
    def wrapped_number(cls, value) -> SavedTensor:
        """A Python scalar passed where the schema says Tensor (``x * 3``).

        PyTorch wraps it in a 0-d tensor and saves that, so it too is freed
        after backward: a second backward through the node raises.
        """
        saved = cls.__new__(cls)
        saved._tensor = value
        saved._version = None
        saved._is_output = False
        saved._output_nr = 0
        saved._freed = False
        saved._view_grad_fn = None
        saved._unpack_hook = None
        saved._non_leaf = False
        return saved

    def unpack(self, node):
        """The saved tensor, after checking that no in-place op changed it."""
        t = self._tensor
        if t is None:
            raise _errors.backward_twice()
        if self._unpack_hook is not None:
            return self._unpack_packed(t.value, node)
        if self._version is None:
            return t
        if self._non_leaf and t._grad_fn is None:
            # As SavedVariable::unpack: the saved non-leaf lost its grad_fn to detach_().
            raise RuntimeError(
                "Trying to use a saved tensor that has been detached in-place, i.e. with "
                ".detach_().This is not supported, please use out-of-place `.detach()` instead"
            )
        if t._vc.version != self._version:
            raise self._version_error(node)
        if self._is_output:
            out = _new(t._data, t.dtype, t._vc, t._storage)
            out._base = t._base
            out._grad_fn = node
            out._output_nr = self._output_nr
            return out
        return t

    def _unpack_packed(self, packed, node):
        t = self._unpack_hook(packed)
        if not isinstance(t, Tensor):
            raise TypeError(
                "Output of saved tensor unpack_hook expected to be a Tensor but got result of "
                f"type {type(t).__name__}"
            )
        if self._is_output:
            # An output gets its grad_fn back from the node, as an unhooked one does.
            out = _new(t._data, t.dtype, t._vc, t._storage)
            out._base = t._base
            out._grad_fn = node
            out._output_nr = self._output_nr
            return out
        grad_fn, requires_grad, acc = self._identity
        out = _new(t._data, t.dtype, t._vc, t._storage)
        out._base = t._base
        if grad_fn is not None:
            out._grad_fn = grad_fn
            out._output_nr = self._output_nr
        elif requires_grad:
            out._requires_grad = True
            out._grad_acc = acc
        return out

    def release(self) -> None:
        self._tensor = None

    def _version_error(self, node) -> RuntimeError:
        t = self._tensor
        if not self._is_output:
            grad_fn = t.grad_fn
        elif self._view_grad_fn is not None and self._view_grad_fn() is not None:
            grad_fn = self._view_grad_fn()
        else:
            grad_fn = node
        error = _errors.saved_version_mismatch(
            _version_error_type_name(t.dtype),
            t._data.shape,
            None if grad_fn is None else grad_fn._label(),
            self._output_nr,
            t._vc.version,
            self._version,
            _AnomalyMode.enabled,
        )
        error.args = (error.args[0] + self._diagnosis(node),)
        return error

    def _diagnosis(self, node) -> str:
        """mutograd's addition to PyTorch's message: who saved the tensor, who wrote it."""
        t = self._tensor
        described = f"[{_version_error_type_name(t.dtype)} {list(t._data.shape)}]"
        where = ""
        if node._location is not None:
            where = f"; the forward op ran at {format_location(node._location)}"
        lines = [
            "",
            "",
            f"mutograd: this tensor {described} was saved for backward by {node.name()} "
            f"at version {self._version}{where}.",
        ]
        writes = t._vc.writes_since(self._version)
        missing = t._vc.version - self._version - len(writes)
        if writes:
            lines.append("It was then modified by these in-place operations:")
            if missing > 0:
                lines.append(f"  ({missing} earlier in-place writes are no longer remembered)")
            for version_after, op_name, location in writes:
                at = "" if location is None else f" at {format_location(location)}"
                lines.append(f"  {op_name}{at}: version {version_after - 1} -> {version_after}")
        else:
            lines.append("The in-place write that changed it was not recorded.")
        if not _Recording.enabled:
            lines.append(
                "(Op locations are not recorded: mutograd.autograd.set_record_locations(False).)"
            )
        lines.append(
            "Fix: use the out-of-place form of that operation (e.g. `y = y.add(1)` instead of "
            "`y.add_(1)`), or `.clone()` the tensor before writing to it, or make the write after "
            "backward() has run."
        )
        return "\n".join(lines)


def _version_error_type_name(dtype) -> str:
    """The tensor's type as SavedVariable's version error prints it.

    NB: PyTorch prints the legacy class name ("torch.FloatTensor") where one
    exists and the backend type otherwise: a bool tensor is "CPUBoolType".
    """
    if dtype is _dtype.bool_:
        return "CPUBoolType"
    return _dtype.legacy_type_name(dtype)


def check_all_saved(node) -> None:
    """Check every tensor ``node`` saved before any formula runs.

    NB: PyTorch's generated apply() unpacks all of a node's SavedVariables first,
    so a saved tensor written in place since raises even when the formula that
    reads it will not run (PowBackward1's result when only self needs a gradient).
    """
    for value in node._saved.values():
        if type(value) is SavedTensor:
            _check_saved(value, node)
        elif type(value) is list:
            for v in value:
                if type(v) is SavedTensor:
                    _check_saved(v, node)


def _check_saved(saved: SavedTensor, node) -> None:
    # NB: a tensor saved through a pack hook is not version-checked (PyTorch's
    # SavedVariable with hooks); unpacking it is left to the formula that reads it.
    t = saved._tensor
    if type(t) is _Packed:
        return
    if t is None or (saved._version is not None and t._vc.version != saved._version):
        saved.unpack(node)
