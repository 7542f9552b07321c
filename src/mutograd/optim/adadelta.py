"""Adadelta and Adamax (torch/optim/adadelta.py, adamax.py), single-tensor steps."""

from __future__ import annotations

from typing import Any, Iterable

from .._creation import tensor, zeros_like
from .._tensor import Tensor
from ..ops._api import FUNCTIONS
from ._checks import (
    RefuseCapturableOnCPU,
    capturable_message,
    check_betas,
    check_lr,
    check_nonnegative,
    scalar,
)
from .optimizer import Optimizer, _get_scalar_dtype
from .sgd import _check_unsupported

__all__ = ["Adadelta", "Adamax"]

_maximum = FUNCTIONS["maximum"]


class Adadelta(RefuseCapturableOnCPU, Optimizer):
    """Adadelta (Zeiler 2012): steps scaled by the ratio of running RMS of updates and gradients."""

    _capturable_message = capturable_message(devices="['cuda', 'xpu', 'hpu', 'privateuseone']")

    def __init__(
        self,
        params: Iterable,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative(eps, "epsilon")
        check_nonnegative(weight_decay, "weight_decay")
        _check_unsupported(foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any], params: list[Tensor]) -> None:
        # NB: PyTorch's _single_tensor_adadelta.
        lr, rho, eps = scalar(group["lr"]), group["rho"], group["eps"]
        weight_decay = group["weight_decay"]
        for param in params:
            state = self.state[param]
            if len(state) == 0:
                state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
                state["square_avg"] = zeros_like(param)
                state["acc_delta"] = zeros_like(param)
            square_avg, acc_delta = state["square_avg"], state["acc_delta"]
            state["step"] += 1
            grad = param.grad if not group["maximize"] else -param.grad
            if weight_decay != 0:
                grad = grad.add(param, alpha=weight_decay)
            square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
            std = square_avg.add(eps).sqrt_()
            delta = acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
            acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
            param.add_(delta, alpha=-lr)


class Adamax(RefuseCapturableOnCPU, Optimizer):
    """Adamax: Adam with the infinity norm in place of the second moment."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonnegative(eps, "epsilon")
        check_betas(betas)
        check_nonnegative(weight_decay, "weight_decay")
        _check_unsupported(foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any], params: list[Tensor]) -> None:
        # NB: PyTorch's _single_tensor_adamax.
        beta1, beta2 = group["betas"]
        lr, eps, weight_decay = scalar(group["lr"]), group["eps"], group["weight_decay"]
        for param in params:
            state = self.state[param]
            if len(state) == 0:
                state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
                state["exp_avg"] = zeros_like(param)
                state["exp_inf"] = zeros_like(param)
            exp_avg, exp_inf, step_t = state["exp_avg"], state["exp_inf"], state["step"]
            grad = param.grad if not group["maximize"] else -param.grad
            step_t += 1
            if weight_decay != 0:
                grad = grad.add(param, alpha=weight_decay)
            exp_avg.lerp_(grad, 1 - beta1)
            _maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
            clr = lr / (1 - beta1 ** step_t.item())
            param.addcdiv_(exp_avg, exp_inf, value=-clr)
