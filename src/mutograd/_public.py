"""Small top-level helpers of the ``torch`` namespace that are not ops."""

from __future__ import annotations

from ._tensor import Tensor


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.dtype.is_floating_point


def numel(input: Tensor) -> int:
    return input.numel()


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """``torch.allclose``: |input - other| <= atol + rtol * |other| everywhere."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype!r} did not match {other.dtype!r}".replace("torch.", ""))
    close = (input - other).abs() <= atol + rtol * other.abs()
    close = close | (input == other)
    if equal_nan:
        close = close | (input.isnan() & other.isnan())
    return close


def equal(input: Tensor, other: Tensor) -> bool:
    """``torch.equal``: same shape and same values."""
    return input.shape == other.shape and bool((input == other).all())


Tensor.allclose = allclose
Tensor.isclose = isclose
Tensor.equal = equal
