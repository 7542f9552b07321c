"""Pointwise ops: arithmetic, unary math, activations, comparisons.

Formulas follow tools/autograd/derivatives.yaml; each names what it reads
(``self``, ``other``, ``result`` ...) and the registry derives what is saved.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _errors
from .._creation import wrapped_number, zeros_like
from .._dispatch import broadcast_shape, call, compute_dtype
from .._dtype import (
    bool_,
    result_type_from,
    scalar_dtype,
    scalar_type_name,
)
from .._inplace import apply_inplace, apply_out
from .._layout import contiguous, contiguous_strides, dense_strides, like_strides, strides_of
from .._tensor import Tensor
from ..autograd.grad_mode import GradMode
from ._api import FUNCTIONS, binary_operator, expose, method, public
from ._registry import COMPARE, FLOAT, KEEP, PROMOTE, PROMOTE_FLOAT, REGISTRY, defop

_FIRST_OP = len(REGISTRY)  # the ops declared below get TensorIterator's output layout

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


def _relu(self, out=None):
    return np.maximum(self, 0, out=out)


def _sigmoid(self, out=None):
    # 1 / (1 + exp(-x)), written in place: no temporary as large as x.
    result = np.negative(self, out=np.empty_like(self) if out is None else out)
    np.exp(result, out=result)
    np.add(result, 1, out=result)
    return np.reciprocal(result, out=result)


def _rsqrt(self, out=None):
    result = np.sqrt(self, out=np.empty_like(self) if out is None else out)
    return np.reciprocal(result, out=result)


def _sign(self, out=None):
    if self.dtype == np.bool_:
        if out is None:
            return self.copy()
        np.copyto(out, self)
        return out
    return np.sign(self, out=out)


def _frac(self, out=None):
    return np.subtract(self, np.trunc(self), out=out)


def _check_frac(self) -> None:
    if not self.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"frac_cpu\" not implemented for '{scalar_type_name(self.dtype)}'"
        )


def _leaky_relu(self, negative_slope=0.01):
    return np.where(self > 0, self, self * np.asarray(negative_slope, dtype=self.dtype))


def _gelu(self, approximate="none"):
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (self + 0.044715 * self**3)
        return (0.5 * self * (1 + np.tanh(inner))).astype(self.dtype)
    return (0.5 * self * (1 + _erf_np(self / math.sqrt(2)))).astype(self.dtype)


def _erf_np(x):
    # NumPy has no erf ufunc; math.erf elementwise is exact and fine for our sizes.
    return (
        np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)
        if np.size(x)
        else np.asarray(x)
    )


def _clamp(self, min=None, max=None, out=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if min is None:
        return np.minimum(self, max, out=out)
    if max is None:
        return np.maximum(self, min, out=out)
    result = np.maximum(self, min, out=out)
    return np.minimum(result, max, out=out)


def _where(condition, self, other):
    return np.where(condition.astype(bool, copy=False), self, other)


def _lerp(self, end, weight, out=None):
    return np.add(self, np.multiply(np.subtract(end, self), weight), out=out)


def _addcmul(self, tensor1, tensor2, value=1, out=None):
    product = np.multiply(tensor1, tensor2)
    if value != 1:
        product = np.multiply(product, value)
    return np.add(self, product, out=out)


def _addcdiv(self, tensor1, tensor2, value=1, out=None):
    quotient = np.true_divide(tensor1, tensor2)
    if value != 1:
        quotient = np.multiply(quotient, value)
    return np.add(self, quotient, out=out)


def _silu(self):
    return self / (1 + np.exp(-self))


def _elu(self, alpha=1.0, scale=1.0, input_scale=1.0):
    negative = (np.exp(self * input_scale) - 1) * alpha
    return (np.where(self > 0, self, negative) * scale).astype(self.dtype)


def _hardtanh(self, min_val=-1.0, max_val=1.0, out=None):
    return np.clip(self, min_val, max_val, out=out)


def _round(self, decimals=0, out=None):
    return np.round(self, decimals, out=out)


def _masked_fill(self, mask, value, out=None):
    if out is None:
        return np.where(mask, np.asarray(value, dtype=self.dtype), self)
    np.copyto(out, np.asarray(value).astype(out.dtype), where=np.broadcast_to(mask, out.shape))
    return out


def _fill(self, value, out=None):
    np.copyto(out, np.asarray(value).astype(out.dtype))
    return out


def _zero(self, out=None):
    out.fill(0)
    return out


def _copy(self, src, non_blocking=False, out=None):
    np.copyto(out, src, casting="unsafe")
    return out


def _trunc_divide(self, other, out=None):
    quotient = np.trunc(np.true_divide(self, other))
    if out is None:
        return quotient.astype(np.result_type(self, other))
    np.copyto(out, quotient, casting="unsafe")
    return out


# --- arithmetic ---------------------------------------------------------------------------

add = defop(
    "add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
    forward=_add,
    node="AddBackward0",
    dtype=PROMOTE,
    inplace="add_",
    self=lambda grad, alpha: grad,
    other=lambda grad, alpha: grad if alpha == 1 else grad * alpha,
)
expose(
    add, "add", "add", "add_", operators=("__add__", "__radd__"), inplace_operators=("__iadd__",)
)


def _operand_dtype(x):
    """The dtype of a tensor operand, or of the wrapped number a Python scalar becomes."""
    return x.dtype if isinstance(x, Tensor) else scalar_dtype(x)


def _check_alpha(self, other, alpha=1) -> None:
    # NB: in PyTorch this is alpha_check (BinaryOps.h).
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


add.check = _check_alpha

sub = defop(
    "sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
    forward=_sub,
    node="SubBackward0",
    dtype=PROMOTE,
    inplace="sub_",
    self=lambda grad, alpha: grad,
    other=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
)
sub.check = _check_sub
expose(sub, "sub", "sub", "sub_", operators=("__sub__",), inplace_operators=("__isub__",))
expose(sub, "subtract", "subtract", "subtract_")

rsub_tensor = defop(
    "rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
    forward=_rsub,
    node="RsubBackward0",
    dtype=PROMOTE,
    self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
    other=lambda grad, alpha: grad,
)
rsub_scalar = defop(
    "rsub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
    forward=_rsub,
    node="RsubBackward1",
    dtype=PROMOTE,
    self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
)


rsub_tensor.check = rsub_scalar.check = lambda self, other, alpha=1: _check_sub(other, self, alpha)


@public
def rsub(input, other, *, alpha=1):
    if isinstance(other, Tensor):
        return call(rsub_tensor, (input, other), {"alpha": alpha})
    return call(rsub_scalar, (_promoted(input, other, alpha),), {"other": other, "alpha": alpha})


@method
def __rsub__(self, other):
    return rsub(self, other)


mul = defop(
    "mul.Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.multiply,
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

div = defop(
    "div.Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.true_divide,
    node="DivBackward0",
    dtype=PROMOTE_FLOAT,
    inplace="div_",
    self=lambda grad, other: grad / other,
    other=lambda grad, self, other: -grad * ((self / other) / other),
)
div_mode = defop(
    "div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor",
    forward=_div_mode,
    node="DivBackward2",
    dtype=PROMOTE_FLOAT,
    inplace="div_",
    self=lambda grad, self, other, rounding_mode: (
        grad / other if rounding_mode is None else zeros_like(grad)
    ),
    other=lambda grad, self, other, rounding_mode: (
        -grad * ((self / other) / other) if rounding_mode is None else zeros_like(grad)
    ),
)
expose(div, method="__truediv__", operators=("__truediv__",), inplace="__itruediv__")
div_tensor = div  # NB: the op row; the name div is rebound to the public function below


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


def _promoted(t: Tensor, *scalars) -> Tensor:
    """``t`` cast to the result type of ``t`` and the Python ``scalars``.

    Only an integer or bool tensor ever changes (``int_tensor.clamp(0.5)`` is float),
    and those never require grad, so the cast records nothing.
    """
    d = _promoted_dtype(t, *scalars)
    return t if d is t.dtype else t.to(d)


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


def _promoted_dtype(t: Tensor, *scalars):
    dims, zeros = ([t.dtype], []) if t.dim() else ([], [t.dtype])
    return result_type_from(dims, zeros, [s for s in scalars if s is not None])


def _check_integer_division(self, other, **attrs) -> None:
    """PyTorch's integer kernels raise on a zero divisor (NumPy would warn and give 0)."""
    if compute_dtype(floor_divide, (self, other))[1].is_floating_point:
        return
    divisor = other._data if isinstance(other, Tensor) else other
    if np.any(divisor == 0):
        raise RuntimeError("ZeroDivisionError")


floor_divide = defop(
    "floor_divide(Tensor self, Tensor other) -> Tensor",
    forward=np.floor_divide,
    node="NotImplemented",
    dtype=PROMOTE,
    inplace="floor_divide_",
    check=_check_integer_division,
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
    dtype=PROMOTE,
    check=_check_integer_division,
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
    node="RemainderBackward1",
    dtype=PROMOTE,
    inplace="remainder_",
    check=_check_integer_division,
    self=lambda grad: grad,
    other=lambda grad, self, other: -grad * self.div(other, rounding_mode="floor"),
)
remainder_scalar = defop(
    "remainder.Scalar(Tensor self, Scalar other) -> Tensor",
    forward=np.remainder,
    node="RemainderBackward0",
    inplace="remainder_",
    check=_check_integer_division,
    self=lambda grad: grad,
)
# NB: PyTorch's schema is remainder.Scalar_Tensor(Scalar self, Tensor other); the scalar
# travels as a wrapped 0-dim tensor here so that it takes part in type promotion.
remainder_scalar_tensor = defop(
    "remainder.Scalar_Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.remainder,
    node="NotImplemented",
    dtype=PROMOTE,
    check=_check_integer_division,
    other=_not_implemented("remainder"),
)
expose(remainder_tensor, inplace="remainder_", inplace_operators=("__imod__",))
fmod_tensor = defop(
    "fmod.Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.fmod,
    node="FmodBackward1",
    dtype=PROMOTE,
    inplace="fmod_",
    check=_check_integer_division,
    self=lambda grad: grad,
    other=lambda grad, self, other: -grad * self.div(other, rounding_mode="trunc"),
)
fmod_scalar = defop(
    "fmod.Scalar(Tensor self, Scalar other) -> Tensor",
    forward=np.fmod,
    node="FmodBackward0",
    inplace="fmod_",
    check=_check_integer_division,
    self=lambda grad: grad,
)
expose(fmod_tensor, inplace="fmod_")


def _modulo(tensor_op, scalar_op, input, other):
    if isinstance(other, Tensor):
        return call(tensor_op, (input, other))
    return call(scalar_op, (_promoted(input, other),), {"other": other})


@public
def remainder(input, other):
    if not isinstance(input, Tensor):
        return _reflected(remainder_scalar_tensor, other, input)
    return _modulo(remainder_tensor, remainder_scalar, input, other)


@public
def fmod(input, other):
    return _modulo(fmod_tensor, fmod_scalar, input, other)


method(remainder)
method(fmod)
Tensor.__mod__ = remainder


@method
def __rmod__(self, other):
    return _reflected(remainder_scalar_tensor, self, other)


neg = defop(
    "neg(Tensor self) -> Tensor",
    forward=np.negative,
    node="NegBackward0",
    inplace="neg_",
    self=lambda grad: -grad,
)


def _check_neg(t):
    if t.dtype._name == "bool":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )


neg.check = lambda self: _check_neg(self)
expose(neg, "neg", "neg", "neg_", operators=("__neg__",))
expose(neg, "negative", "negative", "negative_")


@method
def __pos__(self):
    return self


pow_tensor_scalar = defop(
    "pow.Tensor_Scalar(Tensor self, Scalar exponent) -> Tensor",
    forward=np.power,
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
    node="PowBackward1",
    dtype=PROMOTE,
    inplace="pow_",
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
    return where(condition, values.new_zeros(()), values)


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
    node="PowBackward2",
    exponent=_pow_scalar_base_grad,
)


def _check_pow(self, exponent) -> None:
    """PyTorch has no pow kernel for bool results (but bool ** scalar is allowed)."""
    if _operand_dtype(self) is bool_ and _operand_dtype(exponent) is bool_:
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")


pow_tensor_tensor.check = _check_pow
pow_scalar.check = lambda exponent, self: _check_pow(self, exponent)


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
    op = _pow_op(self, exponent)
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


# --- unary math -------------------------------------------------------------------------

# --- the backward ops of activations (their own nodes in a double backward) ------------

tanh_backward_op = defop(
    "tanh_backward(Tensor grad_output, Tensor output) -> Tensor",
    forward=lambda grad_output, output: grad_output * (1 - output * output),
    node="TanhBackwardBackward0",
    dtype=PROMOTE,
    grad_output=lambda grad, output: tanh_backward(grad, output),
    output=lambda grad, output, grad_output: grad * (-2 * output * grad_output),
)
sigmoid_backward_op = defop(
    "sigmoid_backward(Tensor grad_output, Tensor output) -> Tensor",
    forward=lambda grad_output, output: grad_output * (1 - output) * output,
    node="SigmoidBackwardBackward0",
    dtype=PROMOTE,
    grad_output=lambda grad, output: sigmoid_backward(grad, output),
    output=lambda grad, output, grad_output: grad * grad_output * (-2 * output + 1),
)
threshold_backward_op = defop(
    "threshold_backward(Tensor grad_output, Tensor self, Scalar threshold) -> Tensor",
    forward=lambda grad_output, self, threshold: np.where(self <= threshold, 0, grad_output).astype(
        grad_output.dtype, copy=False
    ),
    node="ThresholdBackwardBackward0",
    dtype=PROMOTE,
    grad_output=lambda grad, self, threshold: threshold_backward(grad, self, threshold),
    self=lambda grad: zeros_like(grad),
)


def tanh_backward(grad_output, output):
    return call(tanh_backward_op, (grad_output, output))


def sigmoid_backward(grad_output, output):
    return call(sigmoid_backward_op, (grad_output, output))


def threshold_backward(grad_output, self, threshold):
    return call(threshold_backward_op, (grad_output, self), {"threshold": threshold})


_unary = [
    # name, forward, node, formula for self
    ("exp", np.exp, "ExpBackward0", lambda grad, result: grad * result),
    ("log", np.log, "LogBackward0", lambda grad, self: grad / self),
    ("log1p", np.log1p, "Log1PBackward0", lambda grad, self: grad / (self + 1)),
    ("log2", np.log2, "Log2Backward0", lambda grad, self: grad / (self * math.log(2.0))),
    ("log10", np.log10, "Log10Backward0", lambda grad, self: grad / (self * math.log(10.0))),
    ("expm1", np.expm1, "Expm1Backward0", lambda grad, result: grad * (result + 1)),
    ("sqrt", np.sqrt, "SqrtBackward0", lambda grad, result: grad / (result * 2)),
    ("rsqrt", _rsqrt, "RsqrtBackward0", lambda grad, result: -0.5 * grad * result.pow(3)),
    ("sin", np.sin, "SinBackward0", lambda grad, self: grad * self.cos()),
    ("cos", np.cos, "CosBackward0", lambda grad, self: grad * -self.sin()),
    ("tan", np.tan, "TanBackward0", lambda grad, result: grad * (1 + result.pow(2))),
    ("tanh", np.tanh, "TanhBackward0", lambda grad, result: tanh_backward(grad, result)),
    ("sigmoid", _sigmoid, "SigmoidBackward0", lambda grad, result: sigmoid_backward(grad, result)),
    (
        "reciprocal",
        np.reciprocal,
        "ReciprocalBackward0",
        lambda grad, result: -grad * (result * result),
    ),
    (
        "erf",
        None,
        "ErfBackward0",
        lambda grad, self: 2.0 / math.sqrt(math.pi) * (-self.pow(2)).exp() * grad,
    ),
    ("asin", np.arcsin, "AsinBackward0", lambda grad, self: grad * (1 - self.pow(2)).rsqrt()),
    ("acos", np.arccos, "AcosBackward0", lambda grad, self: -grad * (1 - self.pow(2)).rsqrt()),
    ("atan", np.arctan, "AtanBackward0", lambda grad, self: grad / (self.pow(2) + 1)),
    ("sinh", np.sinh, "SinhBackward0", lambda grad, self: grad * self.cosh()),
    ("cosh", np.cosh, "CoshBackward0", lambda grad, self: grad * self.sinh()),
]
for _name, _forward, _node, _formula in _unary:
    if _name == "erf":
        _forward = _erf_np
    _op = defop(
        f"{_name}(Tensor self) -> Tensor",
        forward=_forward,
        node=_node,
        dtype=FLOAT,
        inplace=_name + "_",
        self=_formula,
    )
    expose(_op, _name, _name, _name + "_")

_zero_grad_unary = [
    ("floor", np.floor, "FloorBackward0"),
    ("ceil", np.ceil, "CeilBackward0"),
    ("trunc", np.trunc, "TruncBackward0"),
]
for _name, _forward, _node in _zero_grad_unary:
    _op = defop(
        f"{_name}(Tensor self) -> Tensor",
        forward=_forward,
        node=_node,
        inplace=_name + "_",
        self=lambda grad: zeros_like(grad),
    )
    expose(_op, _name, _name, _name + "_")
frac = defop(
    "frac(Tensor self) -> Tensor",
    forward=_frac,
    node="FracBackward0",
    inplace="frac_",
    check=_check_frac,
    self=lambda grad: grad,
)
expose(frac, "frac", "frac", "frac_")

round_op = defop(
    "round(Tensor self) -> Tensor",
    forward=_round,
    node="RoundBackward0",
    inplace="round_",
    self=lambda grad: zeros_like(grad),
)
round_decimals = defop(
    "round.decimals(Tensor self, *, int decimals) -> Tensor",
    forward=_round,
    node="RoundBackward1",
    inplace="round_",
    self=lambda grad, decimals: zeros_like(grad),
)


@public
def round(input, *, decimals=0):
    if decimals:
        return call(round_decimals, (input,), {"decimals": decimals})
    return call(round_op, (input,))


method(round)


@method
def __round__(self, ndigits=None):
    return round(self) if ndigits is None else round(self, decimals=ndigits)


@method
def round_(self, *, decimals=0):
    if decimals:
        return apply_inplace(round_decimals, (self,), {"decimals": decimals}, "round_")
    return apply_inplace(round_op, (self,), {}, "round_")


abs_op = defop(
    "abs(Tensor self) -> Tensor",
    forward=np.absolute,
    node="AbsBackward0",
    inplace="abs_",
    self=lambda grad, self: grad * self.sign(),
)
expose(abs_op, "abs", "abs", "abs_", operators=("__abs__",))
expose(abs_op, "absolute", "absolute", "absolute_")
sign = defop(
    "sign(Tensor self) -> Tensor",
    forward=_sign,
    node="SignBackward0",
    inplace="sign_",
    self=lambda grad: zeros_like(grad),
)
expose(sign, "sign", "sign", "sign_")
# NB: for real inputs sgn's gradient is zero too, but PyTorch's sgn_backward reads
# both the input and the result, so they are saved.
sgn = defop(
    "sgn(Tensor self) -> Tensor",
    forward=_sign,
    node="SgnBackward0",
    inplace="sgn_",
    self=lambda grad, self, result: zeros_like(grad),
)
expose(sgn, "sgn", "sgn", "sgn_")

# --- activations ----------------------------------------------------------------------------

relu = defop(
    "relu(Tensor self) -> Tensor",
    forward=_relu,
    node="ReluBackward0",
    inplace="relu_",
    self=lambda grad, result: threshold_backward(grad, result, 0),
)
expose(relu, "relu", "relu", "relu_")
leaky_relu = defop(
    "leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor",
    forward=_leaky_relu,
    node="LeakyReluBackward0",
    inplace="leaky_relu_",
    self=lambda grad, self, negative_slope: grad.where(self > 0, grad * negative_slope),
)
gelu = defop(
    "gelu(Tensor self, *, str approximate='none') -> Tensor",
    forward=_gelu,
    node="GeluBackward0",
    inplace="gelu_",
    self=lambda grad, self, approximate: gelu_backward(grad, self, approximate),
)


def _check_gelu(self, approximate="none") -> None:
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")


gelu.check = _check_gelu

_GELU_BETA = math.sqrt(2) * (2 / math.sqrt(math.pi)) * 0.5  # sqrt(2 / pi)
_GELU_KAPPA = 0.044715


def _gelu_backward(grad_output, self, approximate="none"):
    if approximate == "tanh":
        inner = _GELU_BETA * (self + _GELU_KAPPA * self**3)
        t = np.tanh(inner)
        derivative = 0.5 * (1 + t) + 0.5 * self * (1 - t * t) * _GELU_BETA * (
            1 + 3 * _GELU_KAPPA * self * self
        )
    else:
        cdf = 0.5 * (1 + _erf_np(self / math.sqrt(2)))
        pdf = np.exp(-0.5 * self * self) / math.sqrt(2 * math.pi)
        derivative = cdf + self * pdf
    return (grad_output * derivative).astype(grad_output.dtype, copy=False)


def _gelu_double_backward(grad, grad_output, self, approximate):
    # NB: in PyTorch this is gelu_double_backward (FunctionsManual.cpp).
    if approximate == "tanh":
        inner = _GELU_BETA * (self + _GELU_KAPPA * self.pow(3))
        tanh_inner = inner.tanh()
        sech_inner = 1 / inner.cosh()
        f = 0.5 * self
        g = 1 - tanh_inner * tanh_inner
        h = _GELU_BETA * (1 + 3 * _GELU_KAPPA * self * self)
        f_prime_gh = 0.5 * g * h
        g_prime_fh = f * h * ((2 * sech_inner) * (-sech_inner * tanh_inner) * h)
        h_prime_fg = f * g * (6 * _GELU_KAPPA * self * _GELU_BETA)
        return grad * grad_output * (f_prime_gh + f_prime_gh + g_prime_fh + h_prime_fg)
    beta = (2 / math.sqrt(math.pi)) * math.sqrt(0.5) * 0.5
    self_sq = self * self
    pdf = beta * (-0.5 * self_sq).exp()
    return grad * grad_output * (2 * pdf - self_sq * pdf)


gelu_backward_op = defop(
    "gelu_backward(Tensor grad_output, Tensor self, *, str approximate='none') -> Tensor",
    forward=_gelu_backward,
    node="GeluBackwardBackward0",
    dtype=PROMOTE,
    grad_output=lambda grad, self, approximate: gelu_backward(grad, self, approximate),
    self=lambda grad, grad_output, self, approximate: _gelu_double_backward(
        grad, grad_output, self, approximate
    ),
)


def gelu_backward(grad_output, self, approximate):
    return call(gelu_backward_op, (grad_output, self), {"approximate": approximate})


silu = defop(
    "silu(Tensor self) -> Tensor",
    forward=_silu,
    node="SiluBackward0",
    inplace="silu_",
    self=lambda grad, self: grad * self.sigmoid() * (1 + self * (1 - self.sigmoid())),
)
elu = defop(
    "elu(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor",
    forward=_elu,
    node="EluBackward0",
    inplace="elu_",
    self=lambda grad, self, alpha, scale, input_scale: (grad * scale).where(
        self > 0, grad * (self * input_scale).exp() * (alpha * scale * input_scale)
    ),
)
hardtanh = defop(
    "hardtanh(Tensor self, Scalar min_val=-1, Scalar max_val=1) -> Tensor",
    forward=_hardtanh,
    node="HardtanhBackward0",
    inplace="hardtanh_",
    self=lambda grad, self, min_val, max_val: grad.masked_fill(
        (self <= min_val) | (self >= max_val), 0
    ),
)
# In-place overrides (derivatives.yaml's leaky_relu_/elu_ rows): the backward reads the
# result, so the write saves self after it instead of a clone from before it.
leaky_relu_inplace = defop(
    "leaky_relu_(Tensor self, Scalar negative_slope=0.01) -> Tensor",
    forward=_leaky_relu,
    node="LeakyReluBackward1",
    self=lambda grad, result, negative_slope: grad.where(result > 0, grad * negative_slope),
)
elu_inplace = defop(
    "elu_(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor",
    forward=_elu,
    node="EluBackward1",
    self=lambda grad, result, alpha, scale, input_scale: (grad * scale).where(
        result > 0, grad * input_scale * (result + alpha * scale)
    ),
)

# --- clamping -------------------------------------------------------------------------------


def _check_clamp(kernel: str):
    """PyTorch has no clamp kernel for bool results."""

    def check(self, min=None, max=None) -> None:
        bounds = [b for b in (min, max) if b is not None]
        tensors = [b for b in bounds if isinstance(b, Tensor)]
        if tensors:
            d = compute_dtype(clamp_tensor, (self, *tensors))[1]
        else:
            d = _promoted_dtype(self, *bounds)
        if d is bool_:
            name = (
                kernel
                if tensors or (min is not None and max is not None)
                else ("clamp_min_scalar_cpu" if max is None else "clamp_max_scalar_cpu")
            )
            raise NotImplementedError(f"\"{name}\" not implemented for 'Bool'")

    return check


def _where_grad(condition, grad):
    """``where(condition, grad, 0)``: the form of PyTorch's clamp formulas (NaN gets 0)."""
    return where(condition, grad, 0.0)


def _clamp_self_grad(grad, self, min, max):
    # NB: in PyTorch this is clamp_backward / clamp_backward_min_max.
    if min is not None and max is not None:
        return _where_grad((self >= min).logical_and(self <= max), grad)
    if min is not None:
        return _where_grad(self >= min, grad)
    return _where_grad(self <= max, grad)


def _clamp_min_grad(grad, self, min, max):
    if max is None:
        return _where_grad(self < min, grad)
    return _where_grad((self < min).logical_and(min < max), grad)


def _clamp_max_grad(grad, self, min, max):
    if min is None:
        return _where_grad(self > max, grad)
    return _where_grad((self > max).logical_or(max < min), grad)


clamp_scalar = defop(
    "clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor",
    forward=_clamp,
    node="ClampBackward1",
    inplace="clamp_",
    check=_check_clamp("clamp_scalar_cpu"),
    self=_clamp_self_grad,
)
clamp_tensor = defop(
    "clamp.Tensor(Tensor self, Tensor? min=None, Tensor? max=None) -> Tensor",
    forward=_clamp,
    node="ClampBackward0",
    dtype=PROMOTE,
    inplace="clamp_",
    check=_check_clamp("clamp_cpu"),
    self=_clamp_self_grad,
    min=_clamp_min_grad,
    max=_clamp_max_grad,
)
clamp_min_op = defop(
    "clamp_min(Tensor self, Scalar min) -> Tensor",
    forward=np.maximum,
    node="ClampMinBackward0",
    inplace="clamp_min_",
    check=lambda self, min: _check_clamp("")(self, min=min),
    self=lambda grad, self, min: _where_grad(self >= min, grad),
)
expose(clamp_min_op, inplace="clamp_min_")
clamp_max_op = defop(
    "clamp_max(Tensor self, Scalar max) -> Tensor",
    forward=np.minimum,
    node="ClampMaxBackward0",
    inplace="clamp_max_",
    check=lambda self, max: _check_clamp("")(self, max=max),
    self=lambda grad, self, max: _where_grad(self <= max, grad),
)
expose(clamp_max_op, inplace="clamp_max_")


@public
def clamp_min(input, min, *, out=None):
    return _clamp_call(clamp_min_op, input, {"min": min}, out)


@public
def clamp_max(input, max, *, out=None):
    return _clamp_call(clamp_max_op, input, {"max": max}, out)


def _clamp_call(op, input, bounds: dict, out):
    # As TensorIterator: a float bound makes an integer input's result float.
    inputs = (_promoted(input, *bounds.values()),)
    if out is not None:
        expected = inputs[0].dtype
        grad = GradMode.enabled and (input.requires_grad or out.requires_grad)
        if out.dtype is not expected and not grad:
            # NB: clamp's out= must have the result dtype exactly (no cast, unlike add's).
            raise RuntimeError(
                f"Found dtype {scalar_type_name(out.dtype)} but expected {scalar_type_name(expected)}"
            )
        return apply_out(op, inputs, bounds, out)
    return call(op, inputs, bounds)


method(clamp_min)
method(clamp_max)


def _clamp_args(min, max):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return clamp_tensor, True
    return clamp_scalar, False


@public
def clamp(input, min=None, max=None, *, out=None):
    op, tensors = _clamp_args(min, max)
    if not tensors:
        return _clamp_call(op, input, {"min": min, "max": max}, out)
    if out is not None:
        return apply_out(op, (input, min, max), {}, out)
    return call(op, (input, min, max))


@method
def clamp_(self, min=None, max=None):
    op, tensors = _clamp_args(min, max)
    if tensors:
        return apply_inplace(op, (self, min, max), {}, "clamp_")
    result_dtype = _promoted_dtype(self, min, max)
    if result_dtype is not self.dtype:
        raise _errors.cannot_cast(scalar_type_name(result_dtype), scalar_type_name(self.dtype))
    return apply_inplace(op, (self,), {"min": min, "max": max}, "clamp_")


method(clamp)
FUNCTIONS["clip"] = clamp


@method
def clip(self, min=None, max=None):
    return clamp(self, min, max)


@method
def clip_(self, min=None, max=None):
    return clamp_(self, min, max)


# --- selection ------------------------------------------------------------------------------

where_op = defop(
    "where.self(Tensor condition, Tensor self, Tensor other) -> Tensor",
    forward=_where,
    node="WhereBackward0",
    dtype=PROMOTE,
    self=lambda grad, condition: where(condition, grad, 0),
    other=lambda grad, condition: where(condition, 0, grad),
)


@public
def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if condition.dtype._name != "bool":
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{scalar_type_name(condition.dtype)}"
        )
    return call(where_op, (condition, input, other))


def _tensor_where(self, condition, other):
    """``Tensor.where(condition, other)``: self where condition holds, else other."""
    return where(condition, self, other)


Tensor.where = _tensor_where

maximum = defop(
    "maximum(Tensor self, Tensor other) -> Tensor",
    forward=np.maximum,
    node="MaximumBackward0",
    dtype=PROMOTE,
    self=lambda grad, self, other: (grad.masked_fill(self < other, 0)).where(
        self != other, grad / 2
    ),
    other=lambda grad, self, other: (grad.masked_fill(self > other, 0)).where(
        self != other, grad / 2
    ),
)
expose(maximum, "maximum", "maximum")
_tensors_only("maximum")
minimum = defop(
    "minimum(Tensor self, Tensor other) -> Tensor",
    forward=np.minimum,
    node="MinimumBackward0",
    dtype=PROMOTE,
    self=lambda grad, self, other: (grad.masked_fill(self > other, 0)).where(
        self != other, grad / 2
    ),
    other=lambda grad, self, other: (grad.masked_fill(self < other, 0)).where(
        self != other, grad / 2
    ),
)
expose(minimum, "minimum", "minimum")
_tensors_only("minimum")

lerp_scalar = defop(
    "lerp.Scalar(Tensor self, Tensor end, Scalar weight) -> Tensor",
    forward=_lerp,
    node="LerpBackward0",
    dtype=PROMOTE,
    inplace="lerp_",
    self=lambda grad, weight: grad * (1 - weight),
    end=lambda grad, weight: grad * weight,
)
lerp_tensor = defop(
    "lerp.Tensor(Tensor self, Tensor end, Tensor weight) -> Tensor",
    forward=_lerp,
    node="LerpBackward1",
    dtype=PROMOTE,
    inplace="lerp_",
    self=lambda grad, weight: grad * (1 - weight),
    end=lambda grad, weight: grad * weight,
    weight=lambda grad, self, end: grad * (end - self),
)


def _lerp_op(weight):
    if isinstance(weight, Tensor):
        return lerp_tensor, lambda s, e: ((s, e, weight), {})
    return lerp_scalar, lambda s, e: ((s, e), {"weight": weight})


@public
def lerp(input, end, weight, *, out=None):
    op, args = _lerp_op(weight)
    inputs, attrs = args(input, end)
    return call(op, inputs, attrs)


method(lerp)


@method
def lerp_(self, end, weight):
    op, args = _lerp_op(weight)
    inputs, attrs = args(self, end)
    return apply_inplace(op, inputs, attrs, "lerp_")


addcmul = defop(
    "addcmul(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
    forward=_addcmul,
    node="AddcmulBackward0",
    dtype=PROMOTE,
    inplace="addcmul_",
    self=lambda grad: grad,
    tensor1=lambda grad, tensor2, value: grad * tensor2 * value,
    tensor2=lambda grad, tensor1, value: grad * tensor1 * value,
)
expose(addcmul, "addcmul", "addcmul", "addcmul_")
addcdiv = defop(
    "addcdiv(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
    forward=_addcdiv,
    node="AddcdivBackward0",
    dtype=PROMOTE,
    inplace="addcdiv_",
    self=lambda grad: grad,
    tensor1=lambda grad, tensor2, value: grad * value / tensor2,
    tensor2=lambda grad, tensor1, tensor2, value: -grad * value * tensor1 / (tensor2 * tensor2),
)
expose(addcdiv, "addcdiv", "addcdiv", "addcdiv_")
atan2 = defop(
    "atan2(Tensor self, Tensor other) -> Tensor",
    forward=np.arctan2,
    node="Atan2Backward0",
    dtype=PROMOTE_FLOAT,
    inplace="atan2_",
    self=lambda grad, self, other: grad * other / (self * self + other * other),
    other=lambda grad, self, other: grad * -self / (self * self + other * other),
)
expose(atan2, "atan2", "atan2", "atan2_")

# --- masked fill and the in-place-only writers ----------------------------------------------

# NB: PyTorch allows masked_fill_ on an expanded tensor, with this warning.
_EXPANDED_MASKED_FILL = (
    "Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. tensor[mask] = scalar"
)
masked_fill_scalar = defop(
    "masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor",
    forward=_masked_fill,
    node="MaskedFillBackward0",
    inplace="masked_fill_",
    overlap_ok=_EXPANDED_MASKED_FILL,
    self=lambda grad, mask: grad.masked_fill(mask, 0),
)
masked_fill_tensor = defop(
    "masked_fill.Tensor(Tensor self, Tensor mask, Tensor value) -> Tensor",
    forward=_masked_fill,
    node="MaskedFillBackward1",
    inplace="masked_fill_",
    overlap_ok=_EXPANDED_MASKED_FILL,
    self=lambda grad, mask: grad.masked_fill(mask, 0),
    value=lambda grad, mask: grad.masked_select(mask).sum(),
)


def _masked_fill_op(self, mask, value):
    if mask.dtype._name != "bool":
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {_c_name(mask.dtype)}"
        )
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.dim()} dimension(s)."
            )
        return masked_fill_tensor, (self, mask, value), {}
    return masked_fill_scalar, (self, mask), {"value": value}


def _c_name(d):
    return {"uint8": "unsigned char", "int64": "long int", "float32": "float"}.get(d._name, d._name)


@method
def masked_fill(self, mask, value):
    op, inputs, attrs = _masked_fill_op(self, mask, value)
    broadcast_shape((mask, self))  # NB: PyTorch's expand_outplace(mask, self) names mask "a"
    return call(op, inputs, attrs)


@method
def masked_fill_(self, mask, value):
    op, inputs, attrs = _masked_fill_op(self, mask, value)
    return apply_inplace(op, inputs, attrs, "masked_fill_")


FUNCTIONS["masked_fill"] = masked_fill

fill_scalar = defop(
    "fill_.Scalar(Tensor self, Scalar value) -> Tensor",
    forward=_fill,
    node="FillBackward2",
    inplace="fill_",
    overlap_ok=True,
    self=lambda grad: zeros_like(grad),
)
fill_tensor = defop(
    "fill_.Tensor(Tensor self, Tensor value) -> Tensor",
    forward=_fill,
    node="FillBackward3",
    inplace="fill_",
    self=lambda grad: zeros_like(grad),
    value=lambda grad: grad.sum(),
)


@method
def fill_(self, value):
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value.dim()} dimensions."
            )
        return apply_inplace(fill_tensor, (self, value), {}, "fill_")
    return apply_inplace(fill_scalar, (self,), {"value": value}, "fill_")


zero = defop(
    "zero_(Tensor self) -> Tensor",
    forward=_zero,
    node="ZeroBackward0",
    inplace="zero_",
    overlap_ok=True,
    self=lambda grad: zeros_like(grad),
)
expose(zero, inplace="zero_")
copy = defop(
    "copy_(Tensor self, Tensor src, bool non_blocking=False) -> Tensor",
    forward=_copy,
    node="CopyBackwards",
    inplace="copy_",
    self=lambda grad: zeros_like(grad),
    src=lambda grad: grad,
)
expose(copy, inplace="copy_")

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
        f"{_name}.Tensor(Tensor self, Tensor other) -> Tensor", forward=_ufunc, dtype=COMPARE
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
    _op = defop(f"{_name}(Tensor self, Tensor other) -> Tensor", forward=_ufunc, dtype=COMPARE)
    expose(_op, _name, _name)
    _tensors_only(_name)
logical_not = defop("logical_not(Tensor self) -> Tensor", forward=np.logical_not, dtype=COMPARE)
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

    return check


for _name, _ufunc, _dunders, _idunder in [
    ("bitwise_and", np.bitwise_and, ("__and__", "__rand__"), "__iand__"),
    ("bitwise_or", np.bitwise_or, ("__or__", "__ror__"), "__ior__"),
    ("bitwise_xor", np.bitwise_xor, ("__xor__", "__rxor__"), "__ixor__"),
]:
    _op = defop(
        f"{_name}.Tensor(Tensor self, Tensor other) -> Tensor",
        forward=_ufunc,
        dtype=PROMOTE,
        inplace=_name + "_",
        check=_integral_only(_name),
    )
    expose(_op, _name, _name, _name + "_", operators=_dunders, inplace_operators=(_idunder,))
bitwise_not = defop(
    "bitwise_not(Tensor self) -> Tensor",
    forward=np.invert,
    inplace="bitwise_not_",
    check=_integral_only("bitwise_not"),
)
expose(bitwise_not, "bitwise_not", "bitwise_not", "bitwise_not_", operators=("__invert__",))

for _name, _ufunc in [("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite)]:
    _op = defop(f"{_name}(Tensor self) -> Tensor", forward=_ufunc, dtype=COMPARE)
    expose(_op, _name, _name)
for _name, _ufunc in [
    ("isposinf", np.isposinf),
    ("isneginf", np.isneginf),
    ("signbit", np.signbit),
]:
    _op = defop(f"{_name}(Tensor self) -> Tensor", forward=_ufunc, dtype=COMPARE)
    expose(_op, _name, _name)

for _op in list(REGISTRY.values())[_FIRST_OP:]:
    _op.layout = iterator_layout
# NB: PyTorch's masked_fill works on self.clone(at::MemoryFormat::Contiguous).
masked_fill_scalar.layout = masked_fill_tensor.layout = contiguous

# The hand-written binary dunders answer NotImplemented too (see binary_operator).
for _dunder in (
    "__rsub__",
    "__rtruediv__",
    "__rfloordiv__",
    "__mod__",
    "__rmod__",
    "__pow__",
    "__rpow__",
):
    setattr(Tensor, _dunder, binary_operator(getattr(Tensor, _dunder)))
