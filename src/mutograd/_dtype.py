"""dtype objects and PyTorch's type promotion, including "weak" Python scalars.

NumPy is the storage, so each dtype maps to one NumPy dtype. Promotion follows
PyTorch's rules (c10/core/ScalarType.h promoteTypes and TensorIterator's
compute_types), not NumPy's: dimensioned tensors outrank zero-dim tensors, which
outrank Python scalars, and a lower-priority operand only matters when it is of
a higher *category* (bool < integer < floating).
"""

from __future__ import annotations

import numpy as np

__all__ = ["dtype", "float32", "float64", "float16", "int64", "int32", "int16", "int8"]


class dtype:
    """A tensor element type; prints as ``torch.float32`` like PyTorch's."""

    __slots__ = (
        "_name",
        "_np",
        "is_floating_point",
        "is_complex",
        "is_signed",
        "itemsize",
        "_category",
    )

    def __init__(self, name: str, np_dtype: np.dtype, category: int, legacy: str) -> None:
        self._name = name
        self._np = np.dtype(np_dtype)
        self._category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_complex = False
        self.is_signed = name != "bool" and name != "uint8"
        self.itemsize = self._np.itemsize
        _LEGACY[self] = legacy

    def __repr__(self) -> str:
        return "torch." + self._name

    def __reduce__(self):
        return (_by_name, (self._name,))

    def to_real(self) -> dtype:
        return self


_LEGACY: dict = {}

bool_ = dtype("bool", np.bool_, 0, "BoolTensor")
uint8 = dtype("uint8", np.uint8, 1, "ByteTensor")
int8 = dtype("int8", np.int8, 1, "CharTensor")
int16 = dtype("int16", np.int16, 1, "ShortTensor")
int32 = dtype("int32", np.int32, 1, "IntTensor")
int64 = dtype("int64", np.int64, 1, "LongTensor")
float16 = dtype("float16", np.float16, 2, "HalfTensor")
float32 = dtype("float32", np.float32, 2, "FloatTensor")
float64 = dtype("float64", np.float64, 2, "DoubleTensor")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NP = {d._np: d for d in ALL}
_BY_NAME = {d._name: d for d in ALL}
# PyTorch's ScalarType names used in messages ("result type Float can't be cast ...").
_SCALAR_TYPE_NAME = {
    bool_: "Bool",
    uint8: "Byte",
    int8: "Char",
    int16: "Short",
    int32: "Int",
    int64: "Long",
    float16: "Half",
    float32: "Float",
    float64: "Double",
}


def _by_name(name: str) -> dtype:
    return _BY_NAME[name]


def legacy_type_name(d: dtype) -> str:
    """``torch.FloatTensor``-style name used by the saved-tensor version error."""
    return "torch." + _LEGACY[d]


def scalar_type_name(d: dtype) -> str:
    return _SCALAR_TYPE_NAME[d]


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, int32, "
            "int16, int8, uint64, uint32, uint16, uint8, and bool."
        ) from None


class _DefaultDtype:
    """Holds ``torch.get_default_dtype()``; a class attribute so lookups stay cheap."""

    float = float32


def get_default_dtype() -> dtype:
    return _DefaultDtype.float


def set_default_dtype(d: dtype) -> None:
    if d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    _DefaultDtype.float = d


# NB: in PyTorch this is c10::promoteTypes for the types we support.
_ORDER = {
    bool_: 0,
    uint8: 1,
    int8: 1,
    int16: 2,
    int32: 3,
    int64: 4,
    float16: 5,
    float32: 6,
    float64: 7,
}


def promote_types(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if {a, b} == {uint8, int8}:
        return int16
    return a if _ORDER[a] >= _ORDER[b] else b


def _scalar_category(value) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return 1
    return 2


def _default_for_category(category: int) -> dtype:
    return (bool_, int64, _DefaultDtype.float)[category]


def scalar_dtype(value) -> dtype:
    """dtype of ``torch.tensor(value)`` for a Python scalar."""
    if isinstance(value, bool) or isinstance(value, np.bool_):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return _DefaultDtype.float
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def result_type_from(dim_dtypes, zero_dim_dtypes, scalars) -> dtype:
    """PyTorch's result type of an operation.

    As in PyTorch (ResultTypeState), each priority class is promoted on its own,
    then a lower class wins only when its category is higher.
    """
    result = None
    for d in dim_dtypes:
        result = d if result is None else promote_types(result, d)
    zero = None
    for d in zero_dim_dtypes:
        zero = d if zero is None else promote_types(zero, d)
    if zero is not None and (result is None or zero._category > result._category):
        result = zero
    wrapped = None
    for value in scalars:
        category = _scalar_category(value)
        if wrapped is None or category > wrapped:
            wrapped = category
    if wrapped is not None:
        if result is None:
            result = _default_for_category(wrapped)
        elif wrapped > result._category:
            result = _default_for_category(wrapped)
    return result


def can_cast(src: dtype, dst: dtype) -> bool:
    """PyTorch's canCast: no float->integral, no non-bool->bool."""
    if src._category == 2 and dst._category < 2:
        return False
    if src._category > 0 and dst._category == 0:
        return False
    return True
