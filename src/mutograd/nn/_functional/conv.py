"""Convolution and pooling, built from strided views (im2col) and matmul.

Note [im2col on strided views]
------------------------------
A 2-d convolution reads, for every output position, a kh x kw window of the
(padded) input. ``as_strided`` exposes all windows at once as a view of the
input's memory, without a copy:

    x: (N, C, H, W), strides (sN, sC, sH, sW)
    windows = x.as_strided((N, C, Ho, Wo, kh, kw),
                           (sN, sC, sH*stride_h, sW*stride_w, sH*dil_h, sW*dil_w))

Windows overlap whenever stride < kernel size, so the view aliases elements;
AsStridedBackward0 sums the gradients of aliased elements, which is exactly
the convolution's input gradient. A reshape then copies the windows into the
column matrix (the one copy im2col needs) and a matmul with the weight does the
rest. Pooling reads the same windows and reduces them (max or mean).
"""

from __future__ import annotations

import math

from ..._creation import full, ones, zeros
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops._api import FUNCTIONS

_cat = FUNCTIONS["cat"]
_matmul = FUNCTIONS["matmul"]


def _pair(value: int | tuple, name: str = "") -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            return (int(value[0]), int(value[0]))
        return (int(value[0]), int(value[1]))
    return (int(value), int(value))


def _pad_2d(x: Tensor, top: int, bottom: int, left: int, right: int, value: float) -> Tensor:
    """Pad the last two dims of a 4-d tensor with ``value`` (CatBackward0 for the gradient)."""
    n, c, h, w = x.shape
    if left or right:
        parts = [x]
        if left:
            parts.insert(0, full((n, c, h, left), value, dtype=x.dtype))
        if right:
            parts.append(full((n, c, h, right), value, dtype=x.dtype))
        x = _cat(parts, 3)
        w = x.shape[3]
    if top or bottom:
        parts = [x]
        if top:
            parts.insert(0, full((n, c, top, w), value, dtype=x.dtype))
        if bottom:
            parts.append(full((n, c, bottom, w), value, dtype=x.dtype))
        x = _cat(parts, 2)
    return x


def _windows(x: Tensor, kernel: tuple, stride: tuple, dilation: tuple, out: tuple) -> Tensor:
    """The (N, C, Ho, Wo, kh, kw) view of every window; see Note [im2col on strided views]."""
    s_n, s_c, s_h, s_w = x.stride()
    size = (x.shape[0], x.shape[1], out[0], out[1], kernel[0], kernel[1])
    strides = (s_n, s_c, s_h * stride[0], s_w * stride[1], s_h * dilation[0], s_w * dilation[1])
    return x.as_strided(size, strides, x.storage_offset())


def _batched(input: Tensor, name: str, channels_hint: str = "") -> tuple[Tensor, bool]:
    if input.dim() == 3:
        return input.unsqueeze(0), True
    if input.dim() == 4:
        return input, False
    raise RuntimeError(
        f"Expected 3D (unbatched) or 4D (batched) input to {name}, but got input of size: "
        f"[{', '.join(str(s) for s in input.shape)}]"
    )


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple = 1,
    padding: int | tuple | str = 0,
    dilation: int | tuple = 1,
    groups: int = 1,
) -> Tensor:
    """2-d cross-correlation of ``input`` (N, C, H, W) with ``weight`` (O, C/groups, kh, kw)."""
    x, unbatched = _batched(input, "conv2d")
    stride, dilation = _pair(stride), _pair(dilation)
    out_channels, in_per_group, kh, kw = weight.shape
    n, c, h, w = x.shape
    if c != in_per_group * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size "
            f"[{', '.join(str(s) for s in weight.shape)}], expected input"
            f"[{', '.join(str(s) for s in input.shape)}] to have {in_per_group * groups} "
            f"channels, but got {c} channels instead"
        )
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0, 0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
            # As PyTorch: extra padding (when the total is odd) goes on the right/bottom.
            total_h, total_w = dilation[0] * (kh - 1), dilation[1] * (kw - 1)
            pads = (total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2)
        else:
            raise ValueError(
                f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}"
            )
    else:
        ph, pw = _pair(padding)
        pads = (ph, ph, pw, pw)
    padded_h, padded_w = h + pads[0] + pads[1], w + pads[2] + pads[3]
    eff_h, eff_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    if padded_h < eff_h or padded_w < eff_w:
        raise RuntimeError(
            f"Calculated padded input size per channel: ({padded_h} x {padded_w}). "
            f"Kernel size: ({eff_h} x {eff_w}). Kernel size can't be greater than actual input size"
        )
    out_h = (padded_h - eff_h) // stride[0] + 1
    out_w = (padded_w - eff_w) // stride[1] + 1
    if any(pads):
        x = _pad_2d(x, *pads, 0.0)
    windows = _windows(x, (kh, kw), stride, dilation, (out_h, out_w))
    # (N, C, Ho, Wo, kh, kw) -> (N, groups, C/groups * kh * kw, Ho * Wo): the one copy.
    cols = windows.permute(0, 1, 4, 5, 2, 3).reshape(
        n, groups, in_per_group * kh * kw, out_h * out_w
    )
    kernels = weight.reshape(groups, out_channels // groups, in_per_group * kh * kw)
    out = _matmul(kernels, cols).reshape(n, out_channels, out_h, out_w)
    if bias is not None:
        out = out + bias.view(1, out_channels, 1, 1)
    return out.squeeze(0) if unbatched else out


def _pool_geometry(
    h: int,
    w: int,
    kernel: tuple,
    stride: tuple,
    padding: tuple,
    dilation: tuple,
    ceil_mode: bool,
    input: Tensor,
) -> tuple[int, int]:
    """PyTorch's pooling_output_shape and its checks."""
    for k, p, d in zip(kernel, padding, dilation, strict=True):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    sizes = []
    for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation, strict=True):
        numerator = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
        out = math.floor(numerator / s) + 1
        if ceil_mode and (out - 1) * s >= size + p:
            out -= 1
        sizes.append(out)
    if sizes[0] < 1 or sizes[1] < 1:
        c = input.shape[-3]
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: "
            f"({c}x{sizes[0]}x{sizes[1]}). Output size is too small"
        )
    return sizes[0], sizes[1]


def _pool_windows(
    x: Tensor,
    kernel: tuple,
    stride: tuple,
    padding: tuple,
    dilation: tuple,
    out: tuple,
    fill: float,
) -> Tensor:
    """Pad with ``fill`` (explicit padding, then whatever ceil_mode windows overhang) and view."""
    h, w = x.shape[2], x.shape[3]
    need_h = (out[0] - 1) * stride[0] + dilation[0] * (kernel[0] - 1) + 1
    need_w = (out[1] - 1) * stride[1] + dilation[1] * (kernel[1] - 1) + 1
    bottom = max(need_h - h - padding[0], 0)
    right = max(need_w - w - padding[1], 0)
    if padding[0] or padding[1] or bottom or right:
        x = _pad_2d(x, padding[0], bottom, padding[1], right, fill)
    return _windows(x, kernel, stride, dilation, out)


def max_pool2d(
    input: Tensor,
    kernel_size: int | tuple,
    stride: int | tuple | None = None,
    padding: int | tuple = 0,
    dilation: int | tuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """The maximum of each window; the gradient goes to the first maximal element."""
    if return_indices:
        raise NotImplementedError("mutograd's max_pool2d does not return indices")
    x, unbatched = _batched(input, "max_pool2d")
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or stride == [] else _pair(stride)
    padding, dilation = _pair(padding), _pair(dilation)
    out = _pool_geometry(x.shape[2], x.shape[3], kernel, stride, padding, dilation, ceil_mode, x)
    windows = _pool_windows(x, kernel, stride, padding, dilation, out, -math.inf)
    n, c = x.shape[0], x.shape[1]
    flat = windows.reshape(n, c, out[0], out[1], kernel[0] * kernel[1])
    result = flat.max(dim=-1).values
    return result.squeeze(0) if unbatched else result


def avg_pool2d(
    input: Tensor,
    kernel_size: int | tuple,
    stride: int | tuple | None = None,
    padding: int | tuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each window, with PyTorch's divisor rules for padding and ceil_mode."""
    x, unbatched = _batched(input, "avg_pool2d")
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or stride == [] else _pair(stride)
    padding = _pair(padding)
    h, w = x.shape[2], x.shape[3]
    out = _pool_geometry(h, w, kernel, stride, padding, (1, 1), ceil_mode, x)
    windows = _pool_windows(x, kernel, stride, padding, (1, 1), out, 0.0)
    sums = windows.sum((-2, -1))
    if divisor_override is not None:
        result = sums / divisor_override
    elif not any(padding) and not ceil_mode:
        result = sums / (kernel[0] * kernel[1])
    else:
        # The divisor of each window: its cells inside the input (count_include_pad=False)
        # or inside input + explicit padding (True), never the ceil_mode overhang.
        with no_grad():
            if count_include_pad:
                mask = ones((1, 1, h + 2 * padding[0], w + 2 * padding[1]), dtype=x.dtype)
                mask_windows = _pool_windows(mask, kernel, stride, (0, 0), (1, 1), out, 0.0)
            else:
                mask = ones((1, 1, h, w), dtype=x.dtype)
                mask_windows = _pool_windows(mask, kernel, stride, padding, (1, 1), out, 0.0)
            divisor = mask_windows.sum((-2, -1))
        result = sums / divisor
    return result.squeeze(0) if unbatched else result


def _adaptive_matrix(size: int, out: int, dtype) -> Tensor:
    """(out, size) averaging matrix: row i averages [floor(i*size/out), ceil((i+1)*size/out))."""
    matrix = zeros((out, size), dtype=dtype)
    with no_grad():
        for i in range(out):
            start = (i * size) // out
            end = -((-(i + 1) * size) // out)
            matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple) -> Tensor:
    """Average over PyTorch's adaptive windows so the output is ``output_size``."""
    if input.dim() not in (3, 4):
        raise RuntimeError(
            "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
            f"[{', '.join(str(s) for s in input.shape)}]"
        )
    h, w = input.shape[-2], input.shape[-1]
    if isinstance(output_size, (tuple, list)):
        out_h = h if output_size[0] is None else output_size[0]
        out_w = w if output_size[-1] is None else output_size[-1]
    else:
        out_h = out_w = output_size
    if out_h == 1 and out_w == 1:
        # As PyTorch: a global average is a mean over the last two dims (MeanBackward1).
        return input.mean((-1, -2), keepdim=True)
    rows = _adaptive_matrix(h, out_h, input.dtype)
    cols = _adaptive_matrix(w, out_w, input.dtype)
    return _matmul(_matmul(rows, input), cols.t())
