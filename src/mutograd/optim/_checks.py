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


_DEVICES = "['cuda', 'xpu', 'hpu', 'privateuseone', 'xla']"


def capturable_message(what: str = "params and state_steps", devices: str = _DEVICES) -> str:
    return f"If capturable=True, {what} must be on supported devices: {devices}."


class RefuseCapturableOnCPU:
    """capturable=True is for CUDA graphs: PyTorch's step asserts on CPU parameters, so
    mutograd's does too, before anything is written."""

    _capturable_message = capturable_message()

    def _check_step(self) -> None:
        super()._check_step()  # type: ignore[misc]
        for group in self.param_groups:  # type: ignore[attr-defined]
            if group.get("capturable") and any(p.grad is not None for p in group["params"]):
                raise AssertionError(self._capturable_message)
