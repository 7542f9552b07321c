"""Helpers shared by the distributions (torch/distributions/utils.py)."""

from __future__ import annotations

from functools import update_wrapper
from numbers import Number
from typing import Any, Callable

from .. import _dtype
from .._creation import empty, tensor
from .._tensor import Size, Tensor
from ..autograd.grad_mode import enable_grad
from ..ops._api import FUNCTIONS

__all__ = [
    "broadcast_all",
    "broadcast_shapes",
    "clamp_probs",
    "lazy_property",
    "logits_to_probs",
    "probs_to_logits",
]

# torch.finfo(dtype).eps and .min for the floating dtypes mutograd computes in.
_EPS = {
    "float16": 0.0009765625,
    "float32": 1.1920928955078125e-07,
    "float64": 2.220446049250313e-16,
}
_MIN = {"float16": -65504.0, "float32": -3.4028234663852886e38, "float64": -1.7976931348623157e308}


def finfo_eps(dtype: _dtype.dtype) -> float:
    return _EPS[dtype._name]


def finfo_min(dtype: _dtype.dtype) -> float:
    return _MIN[dtype._name]


def broadcast_shapes(*shapes: tuple) -> Size:
    """PyTorch's broadcasting of shapes (right-aligned, size-1 dims stretch)."""
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for shape in shapes:
        for i, size in enumerate(shape, ndim - len(shape)):
            if size == result[i] or size == 1:
                continue
            if result[i] != 1:
                raise RuntimeError(
                    f"shape mismatch: objects cannot be broadcast to a single shape.  Mismatch "
                    f"is between {list(shapes[0])} and {list(shape)}"
                )
            result[i] = size
    return Size(result)


def broadcast_all(*values: Tensor | Number) -> tuple[Tensor, ...]:
    """Numbers become tensors (of the first tensor's dtype, else the default), all broadcast."""
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError(
            "Input arguments must all be instances of Number, "
            "torch.Tensor or objects implementing __torch_function__."
        )
    dtype = next((v.dtype for v in values if isinstance(v, Tensor)), _dtype.get_default_dtype())
    tensors = [v if isinstance(v, Tensor) else tensor(v, dtype=dtype) for v in values]
    shape = broadcast_shapes(*(tuple(t.shape) for t in tensors))
    return tuple(t if tuple(t.shape) == tuple(shape) else t.expand(shape) for t in tensors)


def standard_normal(shape: tuple, dtype: _dtype.dtype) -> Tensor:
    """N(0, 1) draws from mutograd's generator, as PyTorch's ``empty(shape).normal_()``."""
    return empty(shape, dtype=dtype).normal_()


def clamp_probs(probs: Tensor) -> Tensor:
    eps = finfo_eps(probs.dtype)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    clamped = clamp_probs(probs)
    if is_binary:
        return clamped.log() - (-clamped).log1p()
    return clamped.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    if is_binary:
        return logits.sigmoid()
    return FUNCTIONS["softmax"](logits, -1)


class lazy_property:
    """Computed on first access (with grad enabled), then stored on the instance."""

    def __init__(self, wrapped: Callable[[Any], Any]) -> None:
        self.wrapped = wrapped
        update_wrapper(self, wrapped)  # type: ignore[arg-type]

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value
