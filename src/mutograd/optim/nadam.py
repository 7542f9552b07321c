"""NAdam and RAdam (torch/optim/nadam.py, radam.py), single-tensor steps."""

from __future__ import annotations

from typing import Any, Iterable

from .._creation import tensor, zeros_like
from .._tensor import Tensor
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

__all__ = ["NAdam", "RAdam"]


def _adam_defaults(lr, betas, eps, weight_decay, foreach, differentiable) -> None:
    check_lr(lr)
    check_nonnegative(eps, "epsilon")
    check_betas(betas)
    check_nonnegative(weight_decay, "weight_decay")
    _check_unsupported(foreach, None, differentiable)


class NAdam(RefuseCapturableOnCPU, Optimizer):
    """Adam with Nesterov momentum and PyTorch's momentum-decay schedule (Dozat 2016)."""

    _capturable_message = capturable_message("params, mu_products and state_steps")

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _adam_defaults(lr, betas, eps, weight_decay, foreach, differentiable)
        check_nonnegative(momentum_decay, "momentum_decay")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any], params: list[Tensor]) -> None:
        # NB: PyTorch's _single_tensor_nadam; mu_product is a 0-d tensor in the state.
        beta1, beta2 = group["betas"]
        lr, eps, weight_decay = scalar(group["lr"]), group["eps"], group["weight_decay"]
        momentum_decay = group["momentum_decay"]
        for param in params:
            state = self.state[param]
            if len(state) == 0:
                state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
                state["mu_product"] = tensor(1.0, dtype=_get_scalar_dtype())
                state["exp_avg"] = zeros_like(param)
                state["exp_avg_sq"] = zeros_like(param)
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            mu_product, step_t = state["mu_product"], state["step"]
            grad = param.grad if not group["maximize"] else -param.grad
            step_t += 1
            step = step_t.item()
            bias_correction2 = 1 - beta2**step
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    param.mul_(1 - lr * weight_decay)
                else:
                    grad = grad.add(param, alpha=weight_decay)
            # The momentum cache mu_t and mu_{t+1}.
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            mu_product *= mu
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = exp_avg_sq.div(bias_correction2).sqrt()
            product = mu_product.item()
            product_next = product * mu_next
            denom.add_(eps)
            param.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - product)))
            param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - product_next))


class RAdam(RefuseCapturableOnCPU, Optimizer):
    """Rectified Adam (Liu et al. 2019): plain momentum SGD until the variance is tractable."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _adam_defaults(lr, betas, eps, weight_decay, foreach, differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any], params: list[Tensor]) -> None:
        # NB: PyTorch's _single_tensor_radam (capturable=False).
        beta1, beta2 = group["betas"]
        lr, eps, weight_decay = scalar(group["lr"]), group["eps"], group["weight_decay"]
        for param in params:
            state = self.state[param]
            if len(state) == 0:
                state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
                state["exp_avg"] = zeros_like(param)
                state["exp_avg_sq"] = zeros_like(param)
            exp_avg, exp_avg_sq, step_t = state["exp_avg"], state["exp_avg_sq"], state["step"]
            grad = param.grad if not group["maximize"] else -param.grad
            step_t += 1
            step = step_t.item()
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    param.mul_(1 - lr * weight_decay)
                else:
                    grad = grad.add(param, alpha=weight_decay)
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            corrected = exp_avg / bias_correction1
            # The length of the approximated simple moving average, and its limit.
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
            if rho_t > 5.0:
                rect = (
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                ) ** 0.5
                adaptive_lr = (bias_correction2**0.5) / exp_avg_sq.sqrt().add_(eps)
                param.add_(corrected * lr * adaptive_lr * rect, alpha=-1.0)
            else:
                param.add_(corrected * lr, alpha=-1.0)
