"""Saved tensors that remember the version they were saved at.

NB: in PyTorch this is SavedVariable (torch/csrc/autograd/saved_variable.cpp).
An input (or a leaf) is saved as the tensor itself, so the version error names
its *current* grad_fn; an output is saved as a grad_fn-less alias and gets its
grad_fn back from the node that unpacks it (no reference cycle).
"""

from __future__ import annotations

from .. import _dtype, _errors
from .._location import format_location
from .._tensor import _new
from .grad_mode import _AnomalyMode


class SavedTensor:
    __slots__ = ("_tensor", "_version", "_is_output", "_output_nr", "_freed")

    def __init__(self, t, is_output: bool = False) -> None:
        self._version = t._vc.version
        self._output_nr = t._output_nr
        self._freed = False
        if is_output and t._grad_fn is not None:
            self._is_output = True
            alias = _new(t._data, t.dtype, t._vc, t._storage)
            alias._base = t._base
            self._tensor = alias
        else:
            self._is_output = False
            self._tensor = t

    def unpack(self, node):
        """The saved tensor, after checking that no in-place op changed it."""
        t = self._tensor
        if t is None:
            raise _errors.backward_twice()
        if t._vc.version != self._version:
            raise self._version_error(node)
        if self._is_output:
            out = _new(t._data, t.dtype, t._vc, t._storage)
            out._base = t._base
            out._grad_fn = node
            out._output_nr = self._output_nr
            return out
        return t

    def release(self) -> None:
        self._tensor = None

    def _version_error(self, node) -> RuntimeError:
        t = self._tensor
        grad_fn = node if self._is_output else t.grad_fn
        error = _errors.saved_version_mismatch(
            _dtype.legacy_type_name(t.dtype),
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
        described = f"[{_dtype.legacy_type_name(t.dtype)} {list(t._data.shape)}]"
        lines = [
            "",
            "",
            f"mutograd: this tensor {described} was saved for backward by {node.name()} "
            f"at version {self._version}; the forward op ran at {format_location(node._location)}.",
        ]
        writes = t._vc.writes_since(self._version)
        if writes:
            lines.append("It was then modified by these in-place operations:")
            for version_after, op_name, location in writes:
                lines.append(
                    f"  {op_name} at {format_location(location)}: "
                    f"version {version_after - 1} -> {version_after}"
                )
        else:
            lines.append("The in-place write that changed it was not recorded.")
        lines.append(
            "Fix: use the out-of-place form of that operation (e.g. `y = y.add(1)` instead of "
            "`y.add_(1)`), or `.clone()` the tensor before writing to it, or make the write after "
            "backward() has run."
        )
        return "\n".join(lines)
