"""Hyper-parameter checks shared by the optimizers, with PyTorch's ValueError texts."""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor

__all__ = ["check_betas", "check_lr", "check_nonnegative", "scalar"]


def check_lr(lr: Any) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonnegative(value: float, what: str) -> None:
    # PyTorch's "Invalid epsilon value: ..." / "Invalid weight_decay value: ..." family.
    if not 0.0 <= value:
        raise ValueError(f"Invalid {what} value: {value}")


def check_betas(betas: tuple[float, float]) -> None:
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def scalar(value: Any) -> float:
    """A Python number from a float or a 1-element tensor lr (PyTorch's _to_scalar)."""
    return value.item() if isinstance(value, Tensor) else value
