"""conv1d and the transposed convolutions, built on conv2d's im2col.

Note [Transposed convolution as a convolution]
----------------------------------------------
A transposed convolution is the input-gradient of a convolution. Written
forward, it is a plain stride-1 convolution of a spread-out input: insert
``stride - 1`` zeros between input elements, pad each side with
``dilation * (k - 1) - padding`` (the far side also gets ``output_padding``),
and convolve with the kernel flipped in space, its in/out channel axes swapped
per group. A negative pad means cropping. Every step is a table op (cat,
reshape, narrow, flip), so the gradients come from autograd.
"""

from __future__ import annotations

from ..._creation import zeros
from ..._tensor import Tensor
from ...ops._api import FUNCTIONS
from .conv import _pad_2d, conv2d

__all__ = ["conv1d", "conv_transpose1d", "conv_transpose2d"]

_stack = FUNCTIONS["stack"]


def _single(value, name: str = "") -> int:
    if isinstance(value, (tuple, list)):
        return int(value[0])
    return int(value)


def _pair(value) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        return (int(value[0]), int(value[-1]))
    return (int(value), int(value))


def _dims(t: Tensor) -> str:
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple = 1,
    padding: int | tuple | str = 0,
    dilation: int | tuple = 1,
    groups: int = 1,
) -> Tensor:
    """1-d cross-correlation of ``input`` (N, C, L) with ``weight`` (O, C/groups, k)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
            f"{_dims(input)}"
        )
    if weight.dim() != 3:
        raise RuntimeError(
            f"weight should have at least three dimensions, but got {weight.dim()}"
            if weight.dim() < 3
            else f"Expected 3-dimensional weight for 3-dimensional input {_dims(input)}, "
            f"but got {weight.dim()}-dimensional weight of size {_dims(weight)} instead"
        )
    if input.shape[-2] != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {_dims(weight)}, expected input"
            f"{_dims(input)} to have {weight.shape[1] * groups} channels, but got "
            f"{input.shape[-2]} channels instead"
        )
    pad = padding if isinstance(padding, str) else (0, _single(padding))
    out = conv2d(
        input.unsqueeze(-2),
        weight.unsqueeze(-2),
        bias,
        (1, _single(stride)),
        pad,
        (1, _single(dilation)),
        groups,
    )
    return out.squeeze(-2)


def _spread(x: Tensor, stride: tuple[int, int]) -> Tensor:
    """Insert ``stride - 1`` zeros between the elements of the last two dims."""
    n, c, h, w = x.shape
    if stride[1] > 1:
        filler = zeros((n, c, h, w), dtype=x.dtype)
        x = _stack([x] + [filler] * (stride[1] - 1), -1).reshape(n, c, h, w * stride[1])
        x = x.narrow(3, 0, (w - 1) * stride[1] + 1)
        w = x.shape[3]
    if stride[0] > 1:
        filler = zeros((n, c, h, w), dtype=x.dtype)
        x = _stack([x] + [filler] * (stride[0] - 1), -2).reshape(n, c, h * stride[0], w)
        x = x.narrow(2, 0, (h - 1) * stride[0] + 1)
    return x


def _pad_or_crop(x: Tensor, dim: int, before: int, after: int) -> Tensor:
    if before < 0:
        x = x.narrow(dim, -before, x.shape[dim] + before)
        before = 0
    if after < 0:
        x = x.narrow(dim, 0, x.shape[dim] + after)
        after = 0
    if before or after:
        x = (
            _pad_2d(x, before, after, 0, 0, 0.0)
            if dim == 2
            else _pad_2d(x, 0, 0, before, after, 0.0)
        )
    return x


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple = 1,
    padding: int | tuple = 0,
    output_padding: int | tuple = 0,
    groups: int = 1,
    dilation: int | tuple = 1,
) -> Tensor:
    """The transpose of conv2d; ``weight`` is (C_in, C_out / groups, kh, kw).

    See Note [Transposed convolution as a convolution].
    """
    if input.dim() not in (3, 4):
        raise RuntimeError(
            "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input "
            f"of size: {_dims(input)}"
        )
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    stride, padding = _pair(stride), _pair(padding)
    output_padding, dilation = _pair(output_padding), _pair(dilation)
    in_channels, out_per_group, kh, kw = weight.shape
    if x.shape[1] != in_channels:
        raise RuntimeError(
            f"Given transposed=1, weight of size {_dims(weight)}, expected input {_dims(x)} "
            f"to have {in_channels} channels, but got {x.shape[1]} channels instead"
        )
    for op, s, d in zip(output_padding, stride, dilation, strict=True):
        if op >= s and op >= d:
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                f"output_padding_height: {output_padding[0]} output_padding_width: "
                f"{output_padding[1]} stride_height: {stride[0]} stride_width: {stride[1]} "
                f"dilation_height: {dilation[0]} dilation_width: {dilation[1]}"
            )
    x = _spread(x, stride)
    for dim, k, p, op, d in (
        (2, kh, padding[0], output_padding[0], dilation[0]),
        (3, kw, padding[1], output_padding[1], dilation[1]),
    ):
        edge = d * (k - 1) - p
        x = _pad_or_crop(x, dim, edge, edge + op)
    # (C_in, C_out/g, kh, kw) -> (C_out, C_in/g, kh, kw), flipped in space.
    in_per_group = in_channels // groups
    kernel = (
        weight.reshape(groups, in_per_group, out_per_group, kh, kw)
        .transpose(1, 2)
        .reshape(groups * out_per_group, in_per_group, kh, kw)
        .flip((2, 3))
    )
    out = conv2d(x, kernel, bias, 1, 0, dilation, groups)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple = 1,
    padding: int | tuple = 0,
    output_padding: int | tuple = 0,
    groups: int = 1,
    dilation: int | tuple = 1,
) -> Tensor:
    """The transpose of conv1d; ``weight`` is (C_in, C_out / groups, k)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            "Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input "
            f"of size: {_dims(input)}"
        )
    out = conv_transpose2d(
        input.unsqueeze(-2),
        weight.unsqueeze(-2),
        bias,
        (1, _single(stride)),
        (0, _single(padding)),
        (0, _single(output_padding)),
        groups,
        (1, _single(dilation)),
    )
    return out.squeeze(-2)
