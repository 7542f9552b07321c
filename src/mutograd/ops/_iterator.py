"""TensorIterator's output layout for pointwise ops (shared by the pointwise family files)."""

from __future__ import annotations

import numpy as np

from .._layout import contiguous, contiguous_strides, dense_strides, like_strides, strides_of
from .._tensor import Tensor

# --- output layout ------------------------------------------------------------------------
#
# NB: in PyTorch this is TensorIterator::reorder_dimensions. A fresh output of a
# pointwise op is dense, with its dimensions ordered as the inputs' strides order
# them; the first input whose strides decide a pair of dimensions wins. NumPy's
# order="K" lets *any* C-ordered input keep C order, so a transposed first input
# with a contiguous second one gives different strides; we re-lay those out.


def _broadcast_strides(array: np.ndarray, shape) -> list:
    lead = len(shape) - array.ndim
    strides = [0] * lead
    for size, out_size, stride in zip(array.shape, shape[lead:], array.strides, strict=True):
        strides.append(0 if size == 1 and out_size != 1 else stride)
    return strides


def _canonical(array: np.ndarray) -> bool:
    """Contiguous with PyTorch's exact strides (NumPy's flag ignores size-1 dims' strides)."""
    if not array.flags.c_contiguous:
        return False
    return 1 not in array.shape or strides_of(array) == contiguous_strides(array.shape)


def iterator_layout(raw: np.ndarray, inputs) -> np.ndarray:
    """``raw`` with the strides PyTorch's TensorIterator gives a fresh output."""
    if raw.size == 0:
        return contiguous(raw)
    if raw.ndim < 2:
        return raw
    if all(_canonical(x._data) for x in inputs if isinstance(x, Tensor)):
        # NB: operands with exactly contiguous strides (scalars and broadcasting aside)
        # never reorder the dims: the output is contiguous. The common case, kept cheap.
        return contiguous(raw)
    shape = raw.shape
    operands = [x for x in inputs if x is not None]
    # NB: TensorIterator's fast path needs every operand (a Python scalar is a 0-dim one)
    # of the output's shape and contiguous; the output is then contiguous.
    if all(
        isinstance(x, Tensor) and x._data.shape == shape and x._data.flags.c_contiguous
        for x in operands
    ):
        return contiguous(raw)
    arrays = [x._data for x in operands if isinstance(x, Tensor) and x._data.ndim]
    strides = dense_strides(shape, [_broadcast_strides(a, shape) for a in arrays])
    if raw.strides == tuple(st * raw.itemsize for st in strides):
        return raw
    return like_strides(raw, strides)
