"""Strides of fresh tensors, as PyTorch lays them out.

NumPy chooses an output's memory order by its own rules (``order="K"``); PyTorch's
differ in ways a program can observe through ``stride()``: ``empty_like`` keeps a dense
tensor's strides exactly (size-1 dims included) and orders a non-dense one's dims by
stride (``infer_dense_strides``), and TensorIterator orders a pointwise output's dims by
its inputs' strides, the first input that decides winning. Everything here works on
ndarrays and element strides; the ops apply it to their NumPy results.
"""

from __future__ import annotations

import numpy as np


def strides_of(array: np.ndarray) -> tuple:
    """Strides in elements, as ``Tensor.stride()`` reports them."""
    return tuple(s // array.itemsize for s in array.strides)


def strided(array: np.ndarray, shape, strides) -> np.ndarray:
    """A writable view of ``array`` from its first element, with element ``strides``."""
    return np.lib.stride_tricks.as_strided(
        array, tuple(shape), tuple(s * array.itemsize for s in strides), writeable=True
    )


def is_non_overlapping_and_dense(array: np.ndarray) -> bool:
    """PyTorch's is_non_overlapping_and_dense: some permutation of the dims is contiguous."""
    strides = strides_of(array)
    order = sorted((d for d in range(array.ndim) if array.shape[d] > 1), key=lambda d: strides[d])
    required = 1
    for d in order:
        if strides[d] != required:
            return False
        required *= array.shape[d]
    return True


def iterator_perm(shape, operand_strides) -> list:
    """Dimensions from fastest to slowest, as TensorIterator sorts them."""

    def should_swap(d0, d1) -> int:
        for strides in operand_strides:
            s0, s1 = strides[d0], strides[d1]
            if s0 == 0 or s1 == 0:
                continue  # a broadcast dimension decides nothing
            if s0 != s1:
                return 1 if s0 > s1 else -1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    ndim = len(shape)
    perm = list(range(ndim - 1, -1, -1))
    for i in range(1, ndim):
        dim1 = i
        for dim0 in range(i - 1, -1, -1):
            comparison = should_swap(perm[dim0], perm[dim1])
            if comparison > 0:
                perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
                dim1 = dim0
            elif comparison < 0:
                break
    return perm


def dense_strides(shape, operand_strides) -> tuple:
    """Dense strides (in elements) with the dims ordered as ``iterator_perm`` orders them."""
    strides = [0] * len(shape)
    step = 1
    for d in iterator_perm(shape, operand_strides):
        strides[d] = step
        step *= shape[d]
    return tuple(strides)


def like_strides(result: np.ndarray, strides) -> np.ndarray:
    """A fresh copy of ``result`` with the given dense element strides."""
    buffer = np.empty(result.size, dtype=result.dtype)
    out = strided(buffer, result.shape, strides)
    np.copyto(out, result)
    return out


def like_layout(result: np.ndarray, template: np.ndarray, copy: bool = False) -> np.ndarray:
    """``result`` laid out as PyTorch's ``empty_like(template)`` (memory_format=preserve):
    the template's strides when it is non-overlapping and dense, else dense strides in the
    template's stride order (``infer_dense_strides``). With ``copy`` the answer never
    shares memory with ``result`` (which may be a view)."""
    if is_non_overlapping_and_dense(template):
        strides = strides_of(template)
    else:
        strides = dense_strides(template.shape, [strides_of(template)])
    if strides_of(result) == strides and not copy:
        return result
    return like_strides(result, strides)


def empty_like(template: np.ndarray, dtype=None) -> np.ndarray:
    """An uninitialised array laid out as PyTorch's ``empty_like(template)``."""
    dtype = template.dtype if dtype is None else dtype
    if template.flags.c_contiguous and 1 not in template.shape:
        return np.empty(template.shape, dtype)  # the common case: exactly contiguous
    if is_non_overlapping_and_dense(template):
        strides = strides_of(template)
    else:
        strides = dense_strides(template.shape, [strides_of(template)])
    return strided(np.empty(template.size, dtype=dtype), template.shape, strides)


def contiguous_strides(shape) -> tuple:
    """PyTorch's contiguous strides (a size-1 dim gets the stride of the dims after it)."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def contiguous(raw: np.ndarray, inputs=None) -> np.ndarray:
    """``raw`` with PyTorch's contiguous strides exactly, copying only when they differ.

    NB: NumPy calls an array C-contiguous whatever its size-1 dims' strides are, and its
    reductions keep the input's memory order; PyTorch allocates reduction results with
    ``at::empty``.
    """
    if raw.size and raw.flags.c_contiguous and 1 not in raw.shape:
        return raw  # NumPy's flag is exact when no dim has size 1 (or 0)
    if strides_of(raw) == contiguous_strides(raw.shape):
        return raw
    return like_strides(raw, contiguous_strides(raw.shape))


def compute_stride(old_shape, old_strides, new_shape):
    """The strides of ``view(new_shape)``, or None when no view can have that shape.

    NB: in PyTorch this is at::detail::computeStride; NumPy's own no-copy reshape picks
    other strides for size-1 dims.
    """
    if not old_shape:
        return (1,) * len(new_shape)
    numel = 1
    for s in old_shape:
        numel *= s
    if numel == 0:
        if tuple(old_shape) == tuple(new_shape):
            return tuple(old_strides)
        return contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base_stride = old_strides[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        if tensor_d == 0 or (
            old_shape[tensor_d - 1] != 1
            and old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride
        ):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = old_strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)
