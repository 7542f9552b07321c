"""Small helpers of nn and optim: PyTorch's typename, repr indentation, hook handles."""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor

__all__ = ["RemovableHandle"]


def _typename(obj: Any) -> str:
    """``torch.typename``: 'torch.FloatTensor' for tensors, 'module.QualName' otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    if not hasattr(obj, "__qualname__"):
        module = type(obj).__module__
    if module in ("", "builtins"):
        return qualname
    return f"{module}.{qualname}"


def _addindent(text: str, num_spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    return first + "\n" + "\n".join(num_spaces * " " + line for line in lines)


class RemovableHandle:
    """A handle that removes a hook from its registry (torch.utils.hooks.RemovableHandle)."""

    next_id: int = 0

    def __init__(self, *registries: dict) -> None:
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        self._registries = registries

    def remove(self) -> None:
        for registry in self._registries:
            if isinstance(registry, dict):
                registry.pop(self.id, None)
            else:
                registry.discard(self.id)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
