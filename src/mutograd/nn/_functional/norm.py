"""layer_norm and batch_norm.

layer_norm is PyTorch's one op native_layer_norm (NativeLayerNormBackward0, a row of
ops/nn_ops.py). batch_norm is composed from reductions and pointwise ops: autograd
differentiates the composition, so gradients agree to rounding while the result's grad_fn
is the last op's (PyTorch's is NativeBatchNormBackward0).
"""

from __future__ import annotations

from ... import _dtype
from ..._dispatch import call
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.nn_ops import native_layer_norm

_SCALAR_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double"}


def _check_layer_norm_dtypes(input, weight, bias) -> None:
    """PyTorch's mixed-dtype rules for layer_norm on CPU: parameters share the input's
    dtype, except float32 parameters for a half input."""
    params = [t for t in (weight, bias) if t is not None]
    if all(t.dtype is input.dtype for t in params):
        return
    if input.dtype is _dtype.float16 and all(t.dtype is _dtype.float32 for t in params):
        return
    if input.dtype is _dtype.float64:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    name = _SCALAR_NAMES.get(repr(input.dtype)[6:], repr(input.dtype)[6:])
    if weight is None or weight.dtype is not input.dtype:
        raise RuntimeError(f"mixed dtype (CPU): expect parameter to have scalar type of {name}")
    found = _SCALAR_NAMES.get(repr(bias.dtype)[6:], repr(bias.dtype)[6:])
    raise RuntimeError(f"expected scalar type {name} but found {found}")


def layer_norm(
    input: Tensor,
    normalized_shape: list[int] | tuple[int, ...],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims, then scale and shift."""
    normalized_shape = tuple(normalized_shape)
    count = len(normalized_shape)
    if count == 0 or tuple(input.shape[input.dim() - count :]) != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape=[{', '.join(str(s) for s in normalized_shape)}], expected "
            f"input with shape [*, {', '.join(str(s) for s in normalized_shape)}], but got input "
            f"of size{list(input.shape)}"
        )
    _check_layer_norm_dtypes(input, weight, bias)
    # PyTorch's one op, native_layer_norm (NativeLayerNormBackward0); its output 0.
    attrs = {"normalized_shape": normalized_shape, "eps": eps}
    return call(native_layer_norm, (input, weight, bias), attrs)[0]


def _verify_batch_size(size: tuple) -> None:
    size_prods = size[0]
    for s in size[2:]:
        size_prods *= s
    if size_prods == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}"
        )


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dim 1) by batch statistics (training) or running ones (eval).

    In training, ``running_mean``/``running_var`` are updated in place as
    PyTorch's kernel does: ``(1 - momentum) * running + momentum * batch_stat``,
    with the unbiased batch variance, and without a version bump.
    """
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    channels = input.shape[1]
    shape = (1, channels) + (1,) * (input.dim() - 2)
    dims = (0,) + tuple(range(2, input.dim()))
    if training:
        mean = input.mean(dims, keepdim=True)
        centred = input - mean
        var = (centred * centred).mean(dims, keepdim=True)
        if running_mean is not None or running_var is not None:
            # NB: PyTorch's kernel writes the running statistics in place without moving
            # their version counters; writing through .data (which shares the storage
            # but not the counter) does the same.
            with no_grad():
                count = input.numel() // channels
                if running_mean is not None:
                    new_mean = running_mean * (1 - momentum) + mean.view(channels) * momentum
                    running_mean.data.copy_(new_mean)
                if running_var is not None:
                    unbiased = var.view(channels) * (count / max(count - 1, 1))
                    running_var.data.copy_(running_var * (1 - momentum) + unbiased * momentum)
        out = centred * (var + eps).rsqrt()
    else:
        out = (input - running_mean.view(shape)) * (running_var.view(shape) + eps).rsqrt()
    if weight is not None:
        out = out * weight.view(shape)
    if bias is not None:
        out = out + bias.view(shape)
    return out
