"""Small top-level helpers of the ``torch`` namespace that are not ops."""

from __future__ import annotations

from ._tensor import Tensor


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.dtype.is_floating_point


def numel(input: Tensor) -> int:
    return input.numel()
