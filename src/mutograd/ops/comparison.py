"""Comparisons, logical and bitwise ops (no gradient).

Formulas follow tools/autograd/derivatives.yaml; each names what it reads
(``self``, ``other``, ``result`` ...) and the registry derives what is saved.
"""

from __future__ import annotations

import numpy as np

from .._dtype import (
    result_type_from,
    scalar_type_name,
)
from .._tensor import Tensor
from ._api import FUNCTIONS, expose
from ._iterator import iterator_layout
from ._registry import COMPARE, PROMOTE, defop
from .pointwise import _tensors_only

# --- comparisons and logic (no gradient) ----------------------------------------------------

for _name, _ufunc, _dunder in [
    ("eq", np.equal, "__eq__"),
    ("ne", np.not_equal, "__ne__"),
    ("lt", np.less, "__lt__"),
    ("le", np.less_equal, "__le__"),
    ("gt", np.greater, "__gt__"),
    ("ge", np.greater_equal, "__ge__"),
]:
    _op = defop(
        f"{_name}.Tensor(Tensor self, Tensor other) -> Tensor",
        forward=_ufunc,
        dtype=COMPARE,
        layout=iterator_layout,
    )
    expose(_op, _name, _name, operators=(_dunder,))
for _alias, _name in [
    ("greater", "gt"),
    ("less", "lt"),
    ("greater_equal", "ge"),
    ("less_equal", "le"),
    ("not_equal", "ne"),
]:
    FUNCTIONS[_alias] = FUNCTIONS[_name]
    setattr(Tensor, _alias, getattr(Tensor, _name))

for _name, _ufunc in [
    ("logical_and", np.logical_and),
    ("logical_or", np.logical_or),
    ("logical_xor", np.logical_xor),
]:
    _op = defop(
        f"{_name}(Tensor self, Tensor other) -> Tensor",
        forward=_ufunc,
        dtype=COMPARE,
        layout=iterator_layout,
    )
    expose(_op, _name, _name)
    _tensors_only(_name)
logical_not = defop(
    "logical_not(Tensor self) -> Tensor",
    forward=np.logical_not,
    dtype=COMPARE,
    layout=iterator_layout,
)
expose(logical_not, "logical_not", "logical_not")


def _integral_only(name: str):
    """The check of a bitwise op: PyTorch has no floating-point kernel for it."""

    def check(*operands) -> None:
        dims = [x.dtype for x in operands if isinstance(x, Tensor) and x.dim()]
        zeros = [x.dtype for x in operands if isinstance(x, Tensor) and not x.dim()]
        scalars = [x for x in operands if not isinstance(x, Tensor)]
        d = result_type_from(dims, zeros, scalars)
        if d.is_floating_point:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{scalar_type_name(d)}'")

    check.dispatch = True  # a missing kernel: found after the out= checks (see apply_out)

    return check


for _name, _ufunc, _dunders, _idunder in [
    ("bitwise_and", np.bitwise_and, ("__and__", "__rand__"), "__iand__"),
    ("bitwise_or", np.bitwise_or, ("__or__", "__ror__"), "__ior__"),
    ("bitwise_xor", np.bitwise_xor, ("__xor__", "__rxor__"), "__ixor__"),
]:
    _op = defop(
        f"{_name}.Tensor(Tensor self, Tensor other) -> Tensor",
        forward=_ufunc,
        layout=iterator_layout,
        dtype=PROMOTE,
        inplace=_name + "_",
        check=_integral_only(_name),
    )
    expose(_op, _name, _name, _name + "_", operators=_dunders, inplace_operators=(_idunder,))
bitwise_not = defop(
    "bitwise_not(Tensor self) -> Tensor",
    forward=np.invert,
    layout=iterator_layout,
    inplace="bitwise_not_",
    check=_integral_only("bitwise_not"),
    out_dtype="same",
)
expose(bitwise_not, "bitwise_not", "bitwise_not", "bitwise_not_", operators=("__invert__",))

for _name, _ufunc in [("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite)]:
    _op = defop(
        f"{_name}(Tensor self) -> Tensor",
        forward=_ufunc,
        dtype=COMPARE,
        layout=iterator_layout,
        out_dtype=None,
    )
    expose(_op, _name, _name)
for _name, _ufunc in [
    ("isposinf", np.isposinf),
    ("isneginf", np.isneginf),
    ("signbit", np.signbit),
]:
    _op = defop(
        f"{_name}(Tensor self) -> Tensor", forward=_ufunc, dtype=COMPARE, layout=iterator_layout
    )
    expose(_op, _name, _name)
