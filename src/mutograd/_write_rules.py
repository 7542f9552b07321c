"""Rules a write must pass before it touches memory, each as PyTorch words it.

Small checks shared by the in-place door (_inplace.py) and the index/scatter
families: the dtype a source may have, when a scalar cannot be written into an
integer or bool tensor, and which memory the destination may share with the
other operands. Each raises PyTorch's exception with PyTorch's text; none writes.
"""

from __future__ import annotations

import numpy as np

from . import _dtype, _errors
from ._storage import data_ptr


def _name(t) -> str:
    return _dtype.scalar_type_name(t.dtype)


# --- a source tensor of the destination's dtype --------------------------------------------------

# NB: these kernels (index_add_, index_copy_, scatter*, index_put_, masked_scatter_)
# refuse a source of another dtype instead of promoting; each words it its own way.
_SAME_DTYPE = {
    "index_add": "index_add_(): self ({self}) and source ({source}) must have the same scalar type",
    "index_copy": "index_copy_(): self and source expected to have the same dtype, but got "
    "(self) {self} and (source) {source}",
    "scatter": "scatter(): Expected self.dtype to be equal to src.dtype",
    "index_put": "Index put requires the source and destination dtypes match, got {self} for "
    "the destination and {source} for the source.",
    "masked_scatter": "masked_scatter: expected self and source to have same dtypes but "
    "got{self} and {source}",
}


def check_source_dtype(kernel: str, self, source) -> None:
    """The source of ``kernel`` (a key of ``_SAME_DTYPE``) must have self's dtype."""
    if source.dtype is not self.dtype:
        raise RuntimeError(_SAME_DTYPE[kernel].format(self=_name(self), source=_name(source)))


# --- a result that cannot be cast to the destination ---------------------------------------------

# NB: some kernels (clamp_ with Scalar bounds) check the cast against the C++ type
# they dispatched to and name it so: "desired output type long int".
_CPP_NAMES = {
    "bool": "bool",
    "uint8": "unsigned char",
    "int8": "signed char",
    "int16": "short int",
    "int32": "int",
    "int64": "long int",
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
}


def cpp_type_name(dtype) -> str:
    return _CPP_NAMES[dtype._name]


def check_scalar_cast(result, self) -> None:
    """A Scalar-bound kernel's result dtype ``result`` must cast to self's (C++ wording)."""
    if result is not self.dtype and not _dtype.can_cast(result, self.dtype):
        raise RuntimeError(
            f"result type {_dtype.scalar_type_name(result)} can't be cast to the desired "
            f"output type {cpp_type_name(self.dtype)}"
        )


# --- operands that share memory with the destination ---------------------------------------------

NO, PARTIAL, FULL, TOO_HARD = "no", "partial", "full", "too_hard"


def _dense(array: np.ndarray) -> bool:
    """PyTorch's is_non_overlapping_and_dense: some permutation of the dims is contiguous."""
    expected = array.itemsize
    for size, stride in sorted(
        zip(array.shape, array.strides, strict=True), key=lambda d: (abs(d[1]), d[0])
    ):
        if size == 1:
            continue
        if stride != expected:
            return False
        expected *= size
    return True


def overlap_status(a, b) -> str:
    """PyTorch's get_overlap_status for two tensors (MemOverlapStatus)."""
    if a is b:
        return FULL
    x, y = a._data, b._data
    if x.size == 0 or y.size == 0 or not np.may_share_memory(x, y):
        return NO
    if not (_dense(x) and _dense(y)):
        return TOO_HARD
    x_begin, y_begin = data_ptr(x), data_ptr(y)
    x_end, y_end = x_begin + x.nbytes, y_begin + y.nbytes
    if x_begin == y_begin and x_end == y_end:
        return FULL if x.strides == y.strides else PARTIAL
    if x_begin < y_end and y_begin < x_end:
        return PARTIAL
    return NO


def check_no_overlap(self, *others) -> None:
    """PyTorch's assert_no_overlap: the index writes read none of self's memory."""
    for other in others:
        if other is not None and overlap_status(self, other) in (PARTIAL, FULL):
            raise _errors.partial_overlap()


def check_no_partial_overlap(self, *others) -> None:
    """PyTorch's assert_no_partial_overlap: the same elements in the same layout are fine."""
    for other in others:
        if other is not None and overlap_status(self, other) == PARTIAL:
            raise _errors.partial_overlap()
