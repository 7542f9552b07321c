"""torch.finfo and torch.iinfo: the numerical limits of a dtype, read from NumPy.

Attributes, printed forms and errors mirror PyTorch's (torch/csrc/TypeInfo.cpp): floats
carry bits, eps, max, min, tiny (= smallest_normal), resolution and dtype (its short name);
integers carry bits, max, min and dtype.
"""

from __future__ import annotations

import numpy as np

from . import _dtype


def _check(kind: str, value) -> None:
    if not isinstance(value, _dtype.dtype):
        raise TypeError(
            f"{kind}(): argument 'type' (position 1) must be torch.dtype, not {type(value).__name__}"
        )


def _short(value: float) -> str:
    # PyTorch prints each limit with six significant digits, as C's %g.
    return f"{value:.6g}"


class finfo:
    """Machine limits of a floating point dtype; ``finfo()`` is the default dtype's."""

    def __init__(self, type=None):
        if type is None:
            type = _dtype.get_default_dtype()
        _check("finfo", type)
        if not type.is_floating_point:
            raise TypeError(
                "torch.finfo() requires a floating point input type. "
                "Use torch.iinfo to handle 'torch.finfo'"
            )
        info = np.finfo(type._np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.tiny)
        self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = type._name

    def __eq__(self, other):
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (
            f"finfo(resolution={_short(self.resolution)}, min={_short(self.min)}, "
            f"max={_short(self.max)}, eps={_short(self.eps)}, "
            f"smallest_normal={_short(self.smallest_normal)}, tiny={_short(self.tiny)}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """Machine limits of an integer dtype."""

    def __init__(self, type):
        _check("iinfo", type)
        if type is _dtype.bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.is_floating_point:
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'"
            )
        info = np.iinfo(type._np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type._name

    def __eq__(self, other):
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={_short(self.min)}, max={_short(self.max)}, dtype={self.dtype})"
