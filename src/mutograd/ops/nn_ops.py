"""Rows for torch.nn.functional ops that PyTorch runs as one aten op with its own node,
so that their outputs carry PyTorch's grad_fn names (F.mse_loss is MseLossBackward0, not
the MeanBackward0 of its composition).

Declared here, outside the family files, and imported by the nn.functional layer that
calls them. The backward formulas are PyTorch's (derivatives.yaml), written with
mutograd's tensor ops so that double backward works.
"""

from __future__ import annotations

import numpy as np

from ._registry import PROMOTE, defop

# reduction: 0 none, 1 mean, 2 sum (PyTorch's Reduction enum)


def _mse_loss(self, target, reduction=1):
    diff = self - target
    squared = diff * diff
    if reduction == 0:
        return squared
    total = squared.mean() if reduction == 1 else squared.sum()
    return np.asarray(total, dtype=squared.dtype)


def mse_loss_backward(grad, self, target, reduction):
    # As PyTorch's mse_loss_backward: norm * (input - target) * grad_output, with
    # norm = 2 / numel for a mean and 2 otherwise.
    norm = 2.0 / self.numel() if reduction == 1 else 2.0
    return norm * (self - target) * grad


mse_loss = defop(
    "mse_loss(Tensor self, Tensor target, int reduction=1) -> Tensor",
    forward=_mse_loss,
    node="MseLossBackward0",
    dtype=PROMOTE,
    self=lambda grad, self, target, reduction: mse_loss_backward(grad, self, target, reduction),
    target=lambda grad, self, target, reduction: mse_loss_backward(grad, target, self, reduction),
)


# --- layer norm ----------------------------------------------------------------------------------


def _native_layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    # As aten's native_layer_norm: (output, mean, rstd), the statistics kept with size 1
    # in the normalised dims (they are the node's saved result1 and result2).
    axes = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    mean = input.mean(axis=axes, keepdims=True)
    centred = input - mean
    rstd = 1.0 / np.sqrt((centred * centred).mean(axis=axes, keepdims=True) + eps)
    out = centred * rstd
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    dtype = input.dtype
    return out.astype(dtype, copy=False), mean.astype(dtype, copy=False), rstd.astype(dtype, copy=False)


def native_layer_norm_backward(grad, input, normalized_shape, mean, rstd, weight, bias, wanted):
    """PyTorch's native_layer_norm_backward for one input (``wanted``): the gradients of
    input, weight and bias from the saved mean and reciprocal standard deviation."""
    count = len(normalized_shape)
    inner = tuple(range(input.dim() - count, input.dim()))
    outer = tuple(range(input.dim() - count))
    xhat = (input - mean) * rstd
    if wanted == "input":
        g = grad * weight if weight is not None else grad
        return rstd * (g - g.mean(inner, keepdim=True) - xhat * (g * xhat).mean(inner, keepdim=True))
    part = grad * xhat if wanted == "weight" else grad
    return part.sum(outer) if outer else part


native_layer_norm = defop(
    "native_layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight, Tensor? bias, "
    "float eps) -> (Tensor result0, Tensor result1, Tensor result2)",
    forward=_native_layer_norm,
    node="NativeLayerNormBackward0",
    input=lambda grad, input, normalized_shape, result1, result2, weight, bias: (
        native_layer_norm_backward(grad, input, normalized_shape, result1, result2, weight, bias, "input")
    ),
    weight=lambda grad, input, normalized_shape, result1, result2, weight, bias: (
        native_layer_norm_backward(grad, input, normalized_shape, result1, result2, weight, bias, "weight")
    ),
    bias=lambda grad, input, normalized_shape, result1, result2, weight, bias: (
        native_layer_norm_backward(grad, input, normalized_shape, result1, result2, weight, bias, "bias")
    ),
)
