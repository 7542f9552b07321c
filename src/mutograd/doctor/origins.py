"""Where the tensors PyTorch refuses to write into came from.

PyTorch raises at the write itself (not in backward) for an in-place op on:
an output of a multi-output view op (``unbind``, ``split``, ``chunk``, and
``for row in t:``, which unbinds), a view made under ``no_grad``, a view a
custom Function returned, an inference tensor.  Its message does not say which
line made that tensor; these records do.  Only those few kinds of tensors are
noted (multi-output views always, single views under no_grad, everything made
in inference mode, custom Function outputs), keyed by their memory geometry,
so the common path costs one dict lookup per aten op.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch

from .frames import Where, user_frame
from .records import memory_extent, op_name


class Origin(NamedTuple):
    """How and where a tensor was made."""

    #: "multi-output view", "no_grad view", "inference tensor" or "custom Function"
    kind: str
    #: the aten op (``aten::unbind.int``) or the custom Function's class name
    op: str
    where: Where | None
    #: which output of the op (the loop index for ``for row in t:``)
    index: int


# OpOverload -> "multi" (returns a list of views), "single" (returns one view), or None
_view_kinds: dict[Any, str | None] = {}
_LIMIT = 100_000  # a long run must not grow the tables forever


def view_kind(func: Any) -> str | None:
    """Whether an aten op returns views of its input, from its schema (cached)."""
    if func in _view_kinds:
        return _view_kinds[func]
    kind = None
    try:
        returns = func._schema.returns
    except AttributeError:
        returns = []
    if len(returns) == 1 and returns[0].alias_info is not None:
        info = returns[0].alias_info
        if not info.is_write:
            kind = "multi" if str(returns[0].type).startswith("List[") else "single"
    _view_kinds[func] = kind
    return kind


def _geometry(t: torch.Tensor) -> tuple[Any, ...] | None:
    extent = memory_extent(t)
    if extent is None:
        return None
    return extent[0], extent[1], tuple(t.shape), tuple(t.stride())


class Origins:
    """Tables of notable tensors' origins, filled by the recorder's dispatch mode."""

    def __init__(self) -> None:
        self._by_geometry: dict[tuple[Any, ...], Origin] = {}
        # storage base address -> origin, for tensors made in inference mode
        self._inference: dict[int, Origin] = {}

    def note_op(self, func: Any, kind: str | None, out: Any) -> None:
        """Called after an aten op that returns views (``kind``), or any op in inference mode."""
        if kind == "multi":
            self._note(out, "multi-output view", op_name(func))
        elif kind == "single" and not torch.is_grad_enabled():
            self._note(out, "no_grad view", op_name(func))
        if torch.is_inference_mode_enabled():
            self._note_inference(out, op_name(func))

    def note_function(self, name: str, out: Any) -> None:
        """Outputs of a custom autograd.Function's ``apply``."""
        self._note(out, "custom Function", name)

    def _note(self, out: Any, kind: str, op: str) -> None:
        tensors = out if isinstance(out, (list, tuple)) else (out,)
        where = None
        if len(self._by_geometry) > _LIMIT:
            self._by_geometry.clear()
        for index, t in enumerate(tensors):
            if not isinstance(t, torch.Tensor):
                continue
            key = _geometry(t)
            if key is None:
                continue
            if where is None:
                where = user_frame()
            self._by_geometry[key] = Origin(kind, op, where, index)

    def _note_inference(self, out: Any, op: str) -> None:
        tensors = out if isinstance(out, (list, tuple)) else (out,)
        if len(self._inference) > _LIMIT:
            self._inference.clear()
        for t in tensors:
            if isinstance(t, torch.Tensor):
                extent = memory_extent(t)
                if extent is not None:
                    self._inference[extent[0]] = Origin("inference tensor", op, user_frame(), 0)

    def find(self, t: torch.Tensor, kind: str | None = None) -> Origin | None:
        """The origin of ``t`` (or of the tensor it views), of the given kind if named."""
        key = _geometry(t)
        if key is None:
            return None
        if kind == "inference tensor":
            return self._inference.get(key[0])
        found = self._by_geometry.get(key)
        if found is not None and (kind is None or found.kind == kind):
            return found
        # t may be a view of the noted tensor (x[0] of a no_grad view x): the
        # newest noted tensor of the same memory that contains t
        lo = key[1]
        for other_key, origin in reversed(self._by_geometry.items()):
            if other_key[0] == key[0] and (kind is None or origin.kind == kind):
                if other_key[1] <= lo:
                    return origin
        return None
