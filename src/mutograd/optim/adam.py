"""Adam and AdamW, with amsgrad and weight decay (torch/optim/adam.py, adamw.py)."""

from __future__ import annotations

from typing import Any, Iterable

from .. import _capture
from .._creation import tensor, zeros_like
from .._tensor import Tensor
from ..ops._api import FUNCTIONS
from .optimizer import Optimizer, _get_scalar_dtype
from .sgd import _check_unsupported

__all__ = ["Adam", "AdamW"]

_maximum = FUNCTIONS["maximum"]


class Adam(Optimizer):
    """Adam (Kingma & Ba), PyTorch's single-tensor algorithm step for step.

    ``decoupled_weight_decay=True`` is AdamW: the parameter is multiplied by
    ``1 - lr * weight_decay`` instead of adding ``weight_decay * param`` to the gradient.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors")
        _check_unsupported(foreach, fused, differentiable)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _init_state(self, group: dict[str, Any], param: Tensor) -> dict[str, Tensor]:
        state = self.state[param]
        if len(state) == 0:
            # As PyTorch: 'step' is a float tensor on the CPU, the averages start at zero.
            state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
            state["exp_avg"] = zeros_like(param)
            state["exp_avg_sq"] = zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_like(param)
        return state

    def _step_group(self, group: dict[str, Any], params: list[Tensor]) -> None:
        # NB: in PyTorch this is _single_tensor_adam (capturable=False, differentiable=False).
        beta1, beta2 = group["betas"]
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        for param in params:
            grad = param.grad if not group["maximize"] else -param.grad
            state = self._init_state(group, param)
            exp_avg, exp_avg_sq, step_t = state["exp_avg"], state["exp_avg_sq"], state["step"]
            step_t += 1
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    param.mul_(1 - lr * weight_decay)
                else:
                    grad = grad.add(param, alpha=weight_decay)
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            # While a graph is captured (mutograd.graphs) the step count stays a tensor, so a
            # replay computes this step's bias corrections; in float64, as Python's floats
            # here, so a replay gives the eager step's values bit for bit.
            step = step_t.item() if _capture.recorder is None else step_t.double()
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2**0.5
            if group["amsgrad"]:
                max_exp_avg_sq = state["max_exp_avg_sq"]
                _maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
                denom = (max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
            else:
                denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
            if isinstance(step_size, Tensor):
                # addcdiv_ takes a number: the same float32 quotient, product and sum.
                param.add_(exp_avg.div(denom).mul_(-step_size))
            else:
                param.addcdiv_(exp_avg, denom, value=-step_size)


class AdamW(Adam):
    """Adam with decoupled weight decay (default 1e-2), as PyTorch's AdamW."""

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
