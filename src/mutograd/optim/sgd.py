"""SGD with momentum, dampening, Nesterov, weight decay and maximize (torch/optim/sgd.py)."""

from __future__ import annotations

from typing import Any, Iterable

from .._tensor import Tensor
from .optimizer import Optimizer

__all__ = ["SGD"]


def _check_unsupported(foreach: bool | None, fused: bool | None, differentiable: bool) -> None:
    # NB: foreach/fused select faster kernels in PyTorch, same arithmetic up to rounding;
    # mutograd always runs the single-tensor algorithm, which PyTorch uses on CPU by default.
    if differentiable:
        raise NotImplementedError("mutograd's optimizers do not support differentiable=True")


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's single-tensor algorithm step for step.

    >>> import mutograd as torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    >>> w.grad = torch.tensor([0.5, -0.5])
    >>> torch.optim.SGD([w], lr=0.1).step()
    >>> w
    Parameter containing:
    tensor([0.9500, 2.0500], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_unsupported(foreach, fused, differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group: dict[str, Any], params: list[Tensor]) -> None:
        # NB: in PyTorch this is _single_tensor_sgd.
        lr = group["lr"]
        weight_decay = group["weight_decay"]
        momentum = group["momentum"]
        dampening = group["dampening"]
        for param in params:
            grad = param.grad if not group["maximize"] else -param.grad
            if weight_decay != 0:
                grad = grad.add(param, alpha=weight_decay)
            if momentum != 0:
                state = self.state[param]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = grad.detach().clone()
                    state["momentum_buffer"] = buf
                else:
                    buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                if group["nesterov"]:
                    grad = grad.add(buf, alpha=momentum)
                else:
                    grad = buf
            param.add_(grad, alpha=-lr)
