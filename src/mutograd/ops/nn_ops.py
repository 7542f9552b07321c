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


# --- batch norm ----------------------------------------------------------------------------------


def _native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    # As aten's native_batch_norm: (output, save_mean, save_invstd), the batch statistics
    # per channel (dim 1) in training and empty tensors in evaluation. The running
    # statistics are updated by the nn.functional layer (through the in-place door).
    shape = (1, input.shape[1]) + (1,) * (input.ndim - 2)
    dtype = input.dtype
    if training:
        axes = (0,) + tuple(range(2, input.ndim))
        mean = input.mean(axis=axes)
        centred = input - mean.reshape(shape)
        invstd = 1.0 / np.sqrt((centred * centred).mean(axis=axes) + eps)
        out = centred * invstd.reshape(shape)
        save_mean, save_invstd = mean.astype(dtype, copy=False), invstd.astype(dtype, copy=False)
    else:
        invstd = 1.0 / np.sqrt(running_var + eps)
        out = (input - running_mean.reshape(shape)) * invstd.reshape(shape)
        save_mean = save_invstd = np.empty(0, dtype)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    # NB: PyTorch's kernel writes a contiguous output whatever the input's layout.
    return np.ascontiguousarray(out, dtype=dtype), save_mean, save_invstd


def native_batch_norm_backward(
    grad, input, weight, running_mean, running_var, save_mean, save_invstd, training, eps, wanted
):
    """PyTorch's native_batch_norm_backward for one input (``wanted``)."""
    shape = (1, input.shape[1]) + (1,) * (input.dim() - 2)
    dims = (0,) + tuple(range(2, input.dim()))
    if training:
        mean, invstd = save_mean.view(shape), save_invstd.view(shape)
    else:
        mean, invstd = running_mean.view(shape), (running_var.view(shape) + eps).rsqrt()
    xhat = (input - mean) * invstd
    if wanted == "input":
        scale = invstd * weight.view(shape) if weight is not None else invstd
        if not training:
            return grad * scale
        centred_grad = grad - grad.mean(dims, keepdim=True)
        return scale * (centred_grad - xhat * (grad * xhat).mean(dims, keepdim=True))
    if wanted == "weight":
        return (grad * xhat).sum(dims)
    return grad.sum(dims)


def _batch_norm_formula(wanted):
    def formula(grad, input, weight, running_mean, running_var, result1, result2, training, eps):
        return native_batch_norm_backward(
            grad, input, weight, running_mean, running_var, result1, result2, training, eps, wanted
        )

    return formula


native_batch_norm = defop(
    "native_batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, "
    "Tensor? running_var, bool training, float momentum, float eps) "
    "-> (Tensor result0, Tensor result1, Tensor result2)",
    forward=_native_batch_norm,
    node="NativeBatchNormBackward0",
    input=_batch_norm_formula("input"),
    weight=_batch_norm_formula("weight"),
    bias=_batch_norm_formula("bias"),
)
