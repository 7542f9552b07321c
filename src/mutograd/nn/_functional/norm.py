"""layer_norm and batch_norm.

Each is PyTorch's one op, a row of ops/nn_ops.py: native_layer_norm
(NativeLayerNormBackward0) and native_batch_norm (NativeBatchNormBackward0). batch_norm
with parameters of another dtype than the input keeps the composition of reductions and
pointwise ops.
"""

from __future__ import annotations

from ... import _dtype
from ..._dispatch import call
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.nn_ops import native_batch_norm, native_layer_norm

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


def _update_running_stats(input, running_mean, running_var, momentum, dims, channels) -> None:
    """As PyTorch's kernel: running = (1 - momentum) * running + momentum * batch statistic,
    with the unbiased batch variance, written without moving the version counters (through
    .data, which shares the storage but not the counter)."""
    if running_mean is None and running_var is None:
        return
    with no_grad():
        mean = input.mean(dims, keepdim=True)
        centred = input - mean
        var = (centred * centred).mean(dims, keepdim=True)
        count = input.numel() // channels
        if running_mean is not None:
            running_mean.data.copy_(running_mean * (1 - momentum) + mean.view(channels) * momentum)
        if running_var is not None:
            unbiased = var.view(channels) * (count / max(count - 1, 1))
            running_var.data.copy_(running_var * (1 - momentum) + unbiased * momentum)


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
    tensors = (weight, bias, running_mean, running_var)
    if (training or (running_mean is not None and running_var is not None)) and all(
        t is None or t.dtype is input.dtype for t in tensors
    ):
        # PyTorch's one op, native_batch_norm (NativeBatchNormBackward0); its output 0.
        if training:
            _update_running_stats(input, running_mean, running_var, momentum, dims, channels)
        attrs = {"training": bool(training), "momentum": momentum, "eps": eps}
        return call(native_batch_norm, (input, *tensors), attrs)[0]
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
