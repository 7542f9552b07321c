"""ASGD and Rprop (torch/optim/asgd.py, rprop.py), single-tensor steps."""

from __future__ import annotations

from typing import Any, Iterable

from .._creation import full_like, ones, tensor, zeros, zeros_like
from .._tensor import Tensor
from ._checks import (
    RefuseCapturableOnCPU,
    capturable_message,
    check_lr,
    check_nonnegative,
    scalar,
)
from .optimizer import Optimizer, _get_scalar_dtype
from .sgd import _check_unsupported

__all__ = ["ASGD", "Rprop"]


class ASGD(RefuseCapturableOnCPU, Optimizer):
    """Averaged SGD (Polyak & Juditsky): SGD with a decaying step and a running average ``ax``."""

    _capturable_message = capturable_message("params, mus, etas, and state_steps")

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonnegative(weight_decay, "weight_decay")
        _check_unsupported(foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any], params: list[Tensor]) -> None:
        # NB: PyTorch's _single_tensor_asgd; eta and mu live in the state as 0-d tensors.
        lr, lambd, alpha, t0 = scalar(group["lr"]), group["lambd"], group["alpha"], group["t0"]
        weight_decay = group["weight_decay"]
        for param in params:
            state = self.state[param]
            if len(state) == 0:
                state["step"] = zeros((), dtype=_get_scalar_dtype())
                state["eta"] = tensor(lr, dtype=_get_scalar_dtype())
                state["mu"] = ones((), dtype=_get_scalar_dtype())
                state["ax"] = zeros_like(param)
            mu, ax, eta, step_t = state["mu"], state["ax"], state["eta"], state["step"]
            grad = param.grad if not group["maximize"] else -param.grad
            step_t += 1
            if weight_decay != 0:
                grad = grad.add(param, alpha=weight_decay)
            eta_value = eta.item()
            param.mul_(1 - lambd * eta_value)
            param.add_(grad, alpha=-eta_value)
            if mu.item() != 1:
                ax.add_(param.sub(ax).mul_(mu))
            else:
                ax.copy_(param)
            step = step_t.item()
            # As PyTorch: the new values pass through a default-dtype tensor (as_tensor).
            eta.copy_(tensor(lr / ((1 + lambd * lr * step) ** alpha)))
            mu.copy_(tensor(1 / max(1, step - t0)))


class Rprop(RefuseCapturableOnCPU, Optimizer):
    """Resilient backpropagation: per-element step sizes driven by the sign of the gradient."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_unsupported(foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any], params: list[Tensor]) -> None:
        # NB: PyTorch's _single_tensor_rprop.
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        for param in params:
            state = self.state[param]
            if len(state) == 0:
                state["step"] = zeros((), dtype=_get_scalar_dtype())
                state["prev"] = zeros_like(param)
                state["step_size"] = full_like(param.grad, scalar(group["lr"]))
            prev, step_size = state["prev"], state["step_size"]
            state["step"] += 1
            grad = param.grad if not group["maximize"] else -param.grad
            sign = grad.mul(prev).sign()
            # The factor of each step size: etaplus where the sign held, etaminus where it
            # flipped, 1 where either gradient was zero.
            factor = sign.masked_fill(sign.gt(0), etaplus)
            factor.masked_fill_(factor.lt(0), etaminus).masked_fill_(factor.eq(0), 1)
            step_size.mul_(factor).clamp_(step_size_min, step_size_max)
            # After a sign flip the gradient counts as zero: no step, and no flip next time.
            grad = grad.masked_fill(factor.eq(etaminus), 0)
            param.addcmul_(grad.sign(), step_size, value=-1)
            prev.copy_(grad)
