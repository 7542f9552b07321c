"""Pointwise arithmetic: add, sub, mul, div, pow, remainder... and their in-place twins.

Formulas follow tools/autograd/derivatives.yaml; each names what it reads
(``self``, ``other``, ``result`` ...) and the registry derives what is saved.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _errors
from .._creation import wrapped_number, zeros_like
from .._dispatch import call, compute_dtype
from .._dtype import (
    bool_,
    can_cast,
    scalar_dtype,
    scalar_type_name,
)
from .._inplace import apply_inplace, apply_out
from .._tensor import Tensor
from ._api import FUNCTIONS, binary_operator, expose, method, overloads, public
from ._api import promoted as _promoted
from ._api import promoted_dtype as _promoted_dtype
from ._iterator import iterator_layout
from ._registry import KEEP, PROMOTE, PROMOTE_FLOAT, defop

# --- NumPy forwards that are not plain ufuncs -----------------------------------------


def _add(self, other, alpha=1, out=None):
    if alpha != 1:
        other = np.multiply(other, alpha)
    return np.add(self, other, out=out)


def _sub(self, other, alpha=1, out=None):
    if alpha != 1:
        other = np.multiply(other, alpha)
    return np.subtract(self, other, out=out)


def _rsub(self, other, alpha=1, out=None):
    if alpha != 1:
        self = np.multiply(self, alpha)
    return np.subtract(other, self, out=out)


def _div_mode(self, other, rounding_mode=None, out=None):
    # Floating point only: integer operands are routed to floor_divide/_trunc_divide.
    quotient = np.true_divide(self, other)
    rounded = np.floor(quotient) if rounding_mode == "floor" else np.trunc(quotient)
    if out is None:
        return rounded
    np.copyto(out, rounded, casting="unsafe")
    return out


def _power_keep(self, exponent, out=None):
    """pow.Tensor_Scalar's kernel: the result keeps self's dtype (bool ** True is bool;
    NumPy's power of bools is int8)."""
    if self.dtype != np.bool_:
        return np.power(self, exponent, out=out)
    result = np.power(self, exponent).astype(np.bool_)
    if out is None:
        return result
    out[...] = result
    return out


def _power(self, exponent, out=None):
    """np.power, except that integers to negative powers give PyTorch's answer (1, -1 or 0)
    instead of NumPy's error."""
    kind = np.result_type(self, exponent).kind
    if kind not in "iu" or not np.any(np.asarray(exponent) < 0):
        return np.power(self, exponent, out=out)
    negative = np.asarray(exponent) < 0
    result = np.power(self, np.where(negative, 0, exponent))
    odd = np.asarray(exponent) % 2 != 0
    reciprocal = np.where(self == 1, 1, np.where(self == -1, np.where(odd, -1, 1), 0))
    result = np.where(negative, reciprocal, result).astype(result.dtype, copy=False)
    if out is None:
        return result
    np.copyto(out, result, casting="unsafe")
    return out


def _trunc_divide(self, other, out=None):
    quotient = np.trunc(np.true_divide(self, other))
    if out is None:
        return quotient.astype(np.result_type(self, other))
    np.copyto(out, quotient, casting="unsafe")
    return out


# --- arithmetic ---------------------------------------------------------------------------


def _operand_dtype(x):
    """The dtype of a tensor operand, or of the wrapped number a Python scalar becomes."""
    return x.dtype if isinstance(x, Tensor) else scalar_dtype(x)


def _check_alpha(self, other, alpha=1) -> None:
    # NB: in PyTorch this is alpha_check (BinaryOps.h).
    if type(alpha) is int:
        return  # an integer alpha suits every result dtype
    if type(alpha) is float and isinstance(self, Tensor) and self.dtype.is_floating_point:
        return  # a floating self makes a floating result
    result = compute_dtype(add, (self, other))[1]
    if isinstance(alpha, bool) and result is not bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, float) and not result.is_floating_point:
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )


def _check_sub(self, other, alpha=1) -> None:
    # NB: in PyTorch this is sub_check (BinaryOps.h).
    self_bool = _operand_dtype(self) is bool_
    other_bool = _operand_dtype(other) is bool_
    if self_bool and other_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    if self_bool or other_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    _check_alpha(self, other, alpha)


_check_sub.meta = True  # PyTorch's sub_check runs before the dtype checks (see apply_inplace)


def _check_rsub(self, other, alpha=1) -> None:
    _check_sub(other, self, alpha)


add = defop(
    "add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
    forward=_add,
    layout=iterator_layout,
    node="AddBackward0",
    dtype=PROMOTE,
    inplace="add_",
    check=_check_alpha,
    self=lambda grad, alpha: grad,
    other=lambda grad, alpha: grad if alpha == 1 else grad * alpha,
)
expose(
    add, "add", "add", "add_", operators=("__add__", "__radd__"), inplace_operators=("__iadd__",)
)


sub = defop(
    "sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
    forward=_sub,
    layout=iterator_layout,
    node="SubBackward0",
    dtype=PROMOTE,
    inplace="sub_",
    check=_check_sub,
    self=lambda grad, alpha: grad,
    other=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
)
expose(sub, "sub", "sub", "sub_", operators=("__sub__",), inplace_operators=("__isub__",))
expose(sub, "subtract", "subtract", "subtract_")

rsub_tensor = defop(
    "rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
    forward=_rsub,
    layout=iterator_layout,
    node="RsubBackward0",
    dtype=PROMOTE,
    check=_check_rsub,
    self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
    other=lambda grad, alpha: grad,
)
rsub_scalar = defop(
    "rsub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
    forward=_rsub,
    layout=iterator_layout,
    node="RsubBackward1",
    dtype=PROMOTE,
    check=_check_rsub,
    self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
)


# NB: Tensor.__rsub__(self, other) is other - self: rsub as it is, not swapped.
overloads("rsub", rsub_tensor, rsub_scalar, method=False, operators=("__rsub__",))


mul = defop(
    "mul.Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.multiply,
    layout=iterator_layout,
    node="MulBackward0",
    dtype=PROMOTE,
    inplace="mul_",
    self=lambda grad, other: grad * other,
    other=lambda grad, self: grad * self,
)
expose(
    mul, "mul", "mul", "mul_", operators=("__mul__", "__rmul__"), inplace_operators=("__imul__",)
)
expose(mul, "multiply", "multiply", "multiply_")

div_tensor = defop(
    "div.Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.true_divide,
    layout=iterator_layout,
    node="DivBackward0",
    dtype=PROMOTE_FLOAT,
    inplace="div_",
    self=lambda grad, other: grad / other,
    other=lambda grad, self, other: -grad * ((self / other) / other),
)
div_mode = defop(
    "div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor",
    forward=_div_mode,
    layout=iterator_layout,
    node="DivBackward2",
    dtype=PROMOTE_FLOAT,
    inplace="div_",
    self=lambda grad, other, rounding_mode: (
        grad / other if rounding_mode is None else zeros_like(grad)
    ),
    other=lambda grad, self, other, rounding_mode: (
        -grad * ((self / other) / other) if rounding_mode is None else zeros_like(grad)
    ),
)
expose(div_tensor, method="__truediv__", operators=("__truediv__",), inplace="__itruediv__")


def _div_op(other, rounding_mode):
    if rounding_mode is None:
        return div_tensor, {}
    if rounding_mode not in ("floor", "trunc"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return div_mode, {"rounding_mode": rounding_mode}


def _integer_division(self, other, rounding_mode) -> bool:
    if rounding_mode is None:
        return False
    other_int = (isinstance(other, Tensor) and not other.dtype.is_floating_point) or (
        isinstance(other, int)
    )
    return not self.dtype.is_floating_point and other_int


@public
def div(input, other, *, rounding_mode=None, out=None):
    op, attrs = _div_op(other, rounding_mode)
    if _integer_division(input, other, rounding_mode):
        return _int_div(input, other, rounding_mode)
    if out is not None:
        return apply_out(op, (input, other), attrs, out)
    return call(op, (input, other), attrs)


def _int_div(input, other, rounding_mode):
    return call(floor_divide if rounding_mode == "floor" else trunc_divide, (input, other))


method(div)
FUNCTIONS["divide"] = FUNCTIONS["true_divide"] = div


@method
def div_(self, other, *, rounding_mode=None):
    op, attrs = _div_op(other, rounding_mode)
    if _integer_division(self, other, rounding_mode):
        op, attrs = (floor_divide if rounding_mode == "floor" else trunc_divide), {}
    return apply_inplace(op, (self, other), attrs, "div_")


@method
def __rtruediv__(self, other):
    # As PyTorch: other / self is computed as self.reciprocal() * other.
    return self.reciprocal() * other


def _not_implemented(name: str):
    """The formula of an op PyTorch declares ``not_implemented`` (its node is NotImplemented)."""

    def formula(grad):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")

    return formula


def _tensors_only(name: str) -> None:
    """Refuse Python scalars for ``torch.<name>`` / ``Tensor.<name>``, as PyTorch's parser does
    for ops without a Scalar overload (``torch.maximum(x, 2)`` is a TypeError)."""
    function = FUNCTIONS[name]
    bound = getattr(Tensor, name)

    def check(value, param: str, position: int) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{name}(): argument '{param}' (position {position}) must be Tensor, not "
                f"{type(value).__name__}"
            )

    def checked_function(input, other, *, out=None):
        check(input, "input", 1)
        check(other, "other", 2)
        return function(input, other, out=out)

    def checked_method(self, other):
        check(other, "other", 1)
        return bound(self, other)

    checked_function.__name__ = checked_method.__name__ = name
    public(checked_function)
    setattr(Tensor, name, checked_method)


def _division_check(kernel: str):
    """The check of a division kernel: PyTorch has none for bool, and its integer kernels
    raise on a zero divisor."""

    def check(self, other, **attrs) -> None:
        if compute_dtype(floor_divide, (self, other))[1] is bool_:
            raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
        _check_integer_division(self, other)

    return check


def _check_integer_division(self, other, **attrs) -> None:
    """PyTorch's integer kernels raise on a zero divisor (NumPy would warn and give 0)."""
    if compute_dtype(floor_divide, (self, other))[1].is_floating_point:
        return
    if isinstance(self, Tensor) and 0 in self._data.shape:
        return  # no element is divided (PyTorch's kernel never runs)
    divisor = other._data if isinstance(other, Tensor) else other
    if np.any(divisor == 0):
        raise RuntimeError("ZeroDivisionError")


def _division_check(kernel: str):
    """_check_integer_division, after PyTorch's kernel dispatch: none of these has a kernel
    for bool results (``"remainder_cpu" not implemented for 'Bool'``)."""

    def check(self, other, **attrs) -> None:
        if compute_dtype(floor_divide, (self, other))[1] is bool_:
            raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
        _check_integer_division(self, other, **attrs)

    return check


floor_divide = defop(
    "floor_divide(Tensor self, Tensor other) -> Tensor",
    forward=np.floor_divide,
    layout=iterator_layout,
    node="NotImplemented",
    dtype=PROMOTE,
    inplace="floor_divide_",
    check=_division_check("div_floor_cpu"),
    self=_not_implemented("floor_divide"),
    other=_not_implemented("floor_divide"),
)
expose(
    floor_divide,
    "floor_divide",
    "floor_divide",
    "floor_divide_",
    operators=("__floordiv__",),
    inplace_operators=("__ifloordiv__",),
)
trunc_divide = defop(
    "_trunc_divide(Tensor self, Tensor other) -> Tensor",
    forward=_trunc_divide,
    layout=iterator_layout,
    dtype=PROMOTE,
    check=_division_check("div_trunc_cpu"),
)


def _reflected(op, self, other):
    """``other <op> self`` for a Python scalar ``other`` (as a weak 0-dim operand)."""
    return call(op, (wrapped_number(other), self))


@method
def __rfloordiv__(self, other):
    return _reflected(floor_divide, self, other)


remainder_tensor = defop(
    "remainder.Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.remainder,
    layout=iterator_layout,
    node="RemainderBackward1",
    dtype=PROMOTE,
    inplace="remainder_",
    check=_division_check("remainder_cpu"),
    self=lambda grad: grad,
    other=lambda grad, self, other: -grad * self.div(other, rounding_mode="floor"),
)
remainder_scalar = defop(
    "remainder.Scalar(Tensor self, Scalar other) -> Tensor",
    forward=np.remainder,
    layout=iterator_layout,
    node="RemainderBackward0",
    inplace="remainder_",
    check=_division_check("remainder_cpu"),
    self=lambda grad: grad,
)
# NB: PyTorch's schema is remainder.Scalar_Tensor(Scalar self, Tensor other); the scalar
# travels as a wrapped 0-dim tensor here so that it takes part in type promotion.
remainder_scalar_tensor = defop(
    "remainder.Scalar_Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.remainder,
    layout=iterator_layout,
    node="NotImplemented",
    dtype=PROMOTE,
    check=_division_check("remainder_cpu"),
    other=_not_implemented("remainder"),
)
overloads(
    "remainder",
    remainder_tensor,
    remainder_scalar,
    reflected=remainder_scalar_tensor,
    out=True,
    inplace="remainder_",
    operators=("__mod__",),
    reflected_operators=("__rmod__",),
    inplace_operators=("__imod__",),
)
fmod_tensor = defop(
    "fmod.Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.fmod,
    layout=iterator_layout,
    node="FmodBackward1",
    dtype=PROMOTE,
    inplace="fmod_",
    check=_division_check("fmod_cpu"),
    self=lambda grad: grad,
    other=lambda grad, self, other: -grad * self.div(other, rounding_mode="trunc"),
)
fmod_scalar = defop(
    "fmod.Scalar(Tensor self, Scalar other) -> Tensor",
    forward=np.fmod,
    layout=iterator_layout,
    node="FmodBackward0",
    inplace="fmod_",
    check=_division_check("fmod_cpu"),
    self=lambda grad: grad,
)
overloads("fmod", fmod_tensor, fmod_scalar, out=True, inplace="fmod_")


def _negative(self, out=None):
    # NB: NumPy 2.4's np.negative with out= reads the wrong elements of some strided
    # inputs (a stride of 16 or 64 bytes); those negate into a fresh array, then copy.
    if out is None or (self.flags.c_contiguous and out.flags.c_contiguous):
        return np.negative(self, out=out)
    np.copyto(out, np.negative(self), casting="unsafe")
    return out


def _check_neg(t):
    if t.dtype._name == "bool":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )


neg = defop(
    "neg(Tensor self) -> Tensor",
    forward=_negative,
    layout=iterator_layout,
    node="NegBackward0",
    inplace="neg_",
    check=_check_neg,
    out_dtype="same",
    self=lambda grad: -grad,
)


expose(neg, "neg", "neg", "neg_", operators=("__neg__",))
expose(neg, "negative", "negative", "negative_")


@method
def __pos__(self):
    return self


def _check_pow(self, exponent) -> None:
    """PyTorch has no pow kernel for bool results (but bool ** scalar is allowed)."""
    if _operand_dtype(self) is bool_ and _operand_dtype(exponent) is bool_:
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")


def _check_pow_scalar(exponent, self) -> None:
    _check_pow(self, exponent)


pow_tensor_scalar = defop(
    "pow.Tensor_Scalar(Tensor self, Scalar exponent) -> Tensor",
    forward=_power_keep,
    layout=iterator_layout,
    node="PowBackward0",
    dtype=KEEP,
    inplace="pow_",
    self=lambda grad, self, exponent: (
        zeros_like(self) if exponent == 0 else grad * (exponent * self.pow(exponent - 1))
    ),
)
pow_tensor_tensor = defop(
    "pow.Tensor_Tensor(Tensor self, Tensor exponent) -> Tensor",
    forward=_power,
    layout=iterator_layout,
    node="PowBackward1",
    dtype=PROMOTE,
    inplace="pow_",
    check=_check_pow,
    self=lambda grad, self, exponent: _zero_where(
        exponent == 0, grad * (exponent * self.pow(exponent - 1))
    ),
    exponent=lambda grad, self, exponent, result: (
        grad
        * _zero_where((self == 0).logical_and(exponent >= 0), result * self.to(result.dtype).log())
    ),
)


def _zero_where(condition, values):
    """``where(condition, 0, values)``, as PyTorch's formulas spell it (WhereBackward0)."""
    return values.new_zeros(()).where(condition, values)


def _pow_scalar_base_grad(grad, self, exponent, result):
    # NB: in PyTorch this is pow_backward_exponent for a Scalar base: d(b**e)/de is
    # b**e * log(b), defined as 0 where b == 0 and e >= 0.
    log_base = math.log(self) if self > 0 else (float("-inf") if self == 0 else float("nan"))
    if self == 0:
        return grad * _zero_where(exponent >= 0, result * log_base)
    return grad * (result * log_base)


pow_scalar = defop(
    "pow.Scalar(Scalar self, Tensor exponent) -> Tensor",
    forward=_power,
    layout=iterator_layout,
    node="PowBackward2",
    check=_check_pow_scalar,
    exponent=_pow_scalar_base_grad,
)


def _pow_op(self, exponent):
    if isinstance(exponent, Tensor):
        return pow_tensor_tensor
    if not self.dtype.is_floating_point and isinstance(exponent, float):
        return pow_tensor_tensor
    return pow_tensor_scalar


@public
def pow(input, exponent, *, out=None):
    if not isinstance(input, Tensor):
        return _pow_scalar(input, exponent)
    if not isinstance(exponent, Tensor):
        # NB: a weak scalar exponent still promotes: int ** 2.5 is float, bool ** 2 is int64.
        input = _promoted(input, exponent)
        if type(exponent) is int and exponent < 0 and not input.dtype.is_floating_point:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
    op = _pow_op(input, exponent)
    if op is pow_tensor_tensor:
        inputs, attrs = (input, exponent), {}
    else:
        inputs, attrs = (input,), {"exponent": exponent}
    if out is not None:
        return apply_out(op, inputs, attrs, out)
    return call(op, inputs, attrs)


def _pow_scalar(base, exponent):
    # NB: the result type is that of the base (a weak scalar) with the exponent tensor.
    return call(pow_scalar, (_promoted(exponent, base),), {"self": base})


method(pow)


@method
def __pow__(self, exponent):
    return pow(self, exponent)


@method
def __rpow__(self, other):
    return _pow_scalar(other, self)


@method
def pow_(self, exponent):
    if isinstance(exponent, int) and not self.dtype.is_floating_point and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if not isinstance(exponent, Tensor):
        # As TensorIterator: the promoted result type must cast to self's (bool ** 2 is Long).
        result = _promoted_dtype(self, exponent)
        if result is not self.dtype and not can_cast(result, self.dtype):
            raise _errors.cannot_cast(scalar_type_name(result), scalar_type_name(self.dtype))
    op = _pow_op(self, exponent)
    if not isinstance(exponent, Tensor):
        # As TensorIterator: the weak scalar's result type must cast to self's (bool ** 2).
        result = _promoted_dtype(self, exponent)
        if not can_cast(result, self.dtype):
            raise _errors.cannot_cast(scalar_type_name(result), scalar_type_name(self.dtype))
    if op is pow_tensor_tensor:
        return apply_inplace(op, (self, exponent), {}, "pow_")
    return apply_inplace(op, (self,), {"exponent": exponent}, "pow_")


@method
def __ipow__(self, exponent):
    return pow_(self, exponent)


@public
def square(input):
    return pow(input, 2)


method(square)


@method
def square_(self):
    return pow_(self, 2)


# The hand-written binary dunders answer NotImplemented too (see binary_operator).
for _dunder in (
    "__rtruediv__",
    "__rfloordiv__",
    "__pow__",
    "__rpow__",
):
    setattr(Tensor, _dunder, binary_operator(getattr(Tensor, _dunder)))
