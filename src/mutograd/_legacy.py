"""PyTorch's legacy constructors: ``Tensor.new`` and ``torch.FloatTensor``-style types.

As PyTorch's ``legacy_tensor_new``: ``new(*sizes)`` or ``new(torch.Size)`` is
an uninitialised tensor of that size, ``new(sequence)`` copies data, and
``new(tensor)`` is an alias of a tensor of the same dtype (an AliasBackward0
view). Only ``device=`` is accepted as a keyword. ``torch.FloatTensor`` and
its siblings construct the same way with their dtype, and ``isinstance(t,
torch.FloatTensor)`` holds for tensors of that dtype.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _creation, _dtype
from ._dispatch import call
from ._tensor import Size, Tensor, _c_type
from .ops.views import alias_op

_SIGNATURES = (
    " * (*, torch.device device = None)\n"
    "{keywords}"
    " * (torch.Storage storage)\n"
    " * (Tensor other)\n"
    " * (tuple of ints size, *, torch.device device = None)\n"
    " * (object data, *, torch.device device = None)\n"
)


def _type_label(value) -> str:
    if isinstance(value, list):
        inner = sorted({type(v).__name__ for v in value})
        return f"list of [{', '.join(inner)}]" if inner else "list"
    return type(value).__name__


def _value_type(value) -> str:
    return "torch.dtype" if isinstance(value, _dtype.dtype) else type(value).__name__


def _invalid(args, kwargs) -> TypeError:
    """PyTorch's argument-parser error for a combination ``new()`` has no overload for."""
    got = [type(a).__name__ if not isinstance(a, Tensor) else "Tensor" for a in args]
    got += [f"{k}={_value_type(v)}" for k, v in kwargs.items()]
    if kwargs:
        reason = (
            "      didn't match because some of the keywords were incorrect: "
            + ", ".join(kwargs)
            + "\n"
        )
    else:
        labels = ", ".join(
            f"!{_type_label(a) if not isinstance(a, Tensor) else 'Tensor'}!" for a in args
        )
        reason = (
            f"      didn't match because some of the arguments have invalid types: ({labels})\n"
        )
    return TypeError(
        f"new() received an invalid combination of arguments - got ({', '.join(got)}), but "
        "expected one of:\n" + _SIGNATURES.format(keywords=reason)
    )


def _options(d: _dtype.dtype) -> str:
    return (
        f"TensorOptions(dtype={_c_type(d)}, device=cpu, layout=Strided, requires_grad=false "
        "(default), pinned_memory=false (default), memory_format=(nullopt))"
    )


def legacy_new(dtype: _dtype.dtype, args: tuple, kwargs: dict) -> Tensor:
    """Construct a tensor of ``dtype`` the way PyTorch's legacy constructors do."""
    kwargs = dict(kwargs)
    kwargs.pop("device", None)
    size = kwargs.pop("size", None)
    if kwargs:
        raise _invalid(args, kwargs)
    if size is not None and not args:
        args = tuple(size)
    if not args:
        return _creation.empty(0, dtype=dtype)
    first = args[0]
    if len(args) == 1:
        if isinstance(first, Tensor):
            if first.dtype is not dtype:
                raise TypeError(f"expected {_options(dtype)} (got {_options(first.dtype)})")
            return call(alias_op, (first,))
        if isinstance(first, Size):
            return _creation.empty(*first, dtype=dtype)
        if isinstance(first, (list, tuple, np.ndarray)):
            return _creation.tensor(first, dtype=dtype)
        if isinstance(first, str):
            raise TypeError(f"new(): invalid data type '{type(first).__name__}'")
        if not isinstance(first, numbers.Integral) or isinstance(first, bool):
            raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
    if not isinstance(first, numbers.Integral) or isinstance(first, bool):
        raise _invalid(args, {})
    return _creation.empty(*_sizes(args), dtype=dtype)


def _sizes(args) -> tuple:
    for k, s in enumerate(args):
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(
                f"new(): argument 'size' failed to unpack the object at pos {k + 1} with error "
                f'"type must be tuple of ints,but got {type(s).__name__}"'
            )
    return tuple(int(s) for s in args)


def new(self, *args, **kwargs) -> Tensor:
    """``Tensor.new``: a legacy constructor with ``self``'s dtype."""
    return legacy_new(self.dtype, args, kwargs)


Tensor.new = new


class _LegacyTensorType(type):
    """The metaclass of ``torch.FloatTensor`` & co.: call to construct, isinstance by dtype."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype

    def __call__(cls, *args, **kwargs) -> Tensor:
        return legacy_new(cls.dtype, args, kwargs)

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _legacy_type(name: str, dtype: _dtype.dtype) -> type:
    return _LegacyTensorType(
        name, (), {"dtype": dtype, "is_sparse": False, "is_cuda": False, "__module__": "mutograd"}
    )


FloatTensor = _legacy_type("FloatTensor", _dtype.float32)
DoubleTensor = _legacy_type("DoubleTensor", _dtype.float64)
HalfTensor = _legacy_type("HalfTensor", _dtype.float16)
LongTensor = _legacy_type("LongTensor", _dtype.int64)
IntTensor = _legacy_type("IntTensor", _dtype.int32)
ShortTensor = _legacy_type("ShortTensor", _dtype.int16)
CharTensor = _legacy_type("CharTensor", _dtype.int8)
ByteTensor = _legacy_type("ByteTensor", _dtype.uint8)
BoolTensor = _legacy_type("BoolTensor", _dtype.bool_)
