"""Install PyTorch's printed forms on Tensor and autograd nodes (see _printing.py)."""

from __future__ import annotations

from . import _capture
from ._printing import format_tensor
from ._tensor import Tensor
from .autograd.graph import Node


def _tensor_repr(self, *, tensor_contents=None) -> str:
    _capture.refuse("printing a tensor")
    try:
        fn = self.grad_fn
        fn_name = None if fn is None else type(fn).__name__
    except RuntimeError:
        # As PyTorch's _tensor_str: a no_grad view written in place (under no_grad)
        # cannot regenerate its grad_fn; the repr says so instead of raising.
        fn_name = "Invalid"
    prefix = "Parameter containing:\ntensor(" if type(self).__name__ == "Parameter" else "tensor("
    text = format_tensor(
        self._data,
        self.dtype._name,
        requires_grad=self.requires_grad,
        grad_fn_name=fn_name,
        prefix="tensor(",
    )
    if prefix != "tensor(":
        return "Parameter containing:\n" + text
    return text


def _node_repr(self) -> str:
    return f"<{type(self).__name__} object at {hex(id(self))}>"


Tensor.__repr__ = _tensor_repr
Tensor.__str__ = _tensor_repr


def _tensor_format(self, spec: str) -> str:
    # As PyTorch's Tensor.__format__: a 0-dim plain tensor formats as its value
    # (f"{t}" of tensor(3.5) is "3.5"); anything else as object.__format__ does.
    if self.dim() == 0 and type(self) is Tensor:
        return format(self.item(), spec)
    return object.__format__(self, spec)


Tensor.__format__ = _tensor_format
Node.__repr__ = _node_repr
