"""Pointwise ops: arithmetic, unary math, activations, comparisons.

Formulas follow tools/autograd/derivatives.yaml; each names what it reads
(``self``, ``other``, ``result`` ...) and the registry derives what is saved.
"""

from __future__ import annotations

import math

import numpy as np

from .._creation import wrapped_number
from .._dispatch import call
from .._dtype import get_default_dtype, scalar_type_name
from .._inplace import apply_inplace, apply_out
from .._tensor import Tensor
from ._api import FUNCTIONS, expose, method, public
from ._registry import COMPARE, FLOAT, KEEP, PROMOTE, PROMOTE_FLOAT, defop

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


def _relu(self, out=None):
    return np.maximum(self, 0, out=out)


def _sigmoid(self, out=None):
    # 1 / (1 + exp(-x)), written in place when asked: no temporary as large as x.
    result = np.negative(self, out=out)
    np.exp(result, out=result)
    np.add(result, 1, out=result)
    return np.reciprocal(result, out=result)


def _rsqrt(self, out=None):
    result = np.sqrt(self, out=out)
    return np.reciprocal(result, out=result)


def _sign(self, out=None):
    return np.sign(self, out=out)


def _leaky_relu(self, negative_slope=0.01):
    return np.where(self > 0, self, self * np.asarray(negative_slope, dtype=self.dtype))


def _gelu(self, approximate="none"):
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (self + 0.044715 * self**3)
        return (0.5 * self * (1 + np.tanh(inner))).astype(self.dtype)
    return (0.5 * self * (1 + _erf_np(self / math.sqrt(2)))).astype(self.dtype)


def _erf_np(x):
    # NumPy has no erf ufunc; math.erf elementwise is exact and fine for our sizes.
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype) if np.size(x) else np.asarray(x)


def _clamp(self, min=None, max=None, out=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if min is None:
        return np.minimum(self, max, out=out)
    if max is None:
        return np.maximum(self, min, out=out)
    result = np.maximum(self, min, out=out)
    return np.minimum(result, max, out=result)


def _where(condition, self, other):
    return np.where(condition.astype(bool, copy=False), self, other)


def _lerp(self, end, weight, out=None):
    result = np.subtract(end, self)
    np.multiply(result, weight, out=result)
    return np.add(self, result, out=out)


def _addcmul(self, tensor1, tensor2, value=1, out=None):
    product = np.multiply(tensor1, tensor2)
    if value != 1:
        np.multiply(product, value, out=product)
    return np.add(self, product, out=out)


def _addcdiv(self, tensor1, tensor2, value=1, out=None):
    quotient = np.true_divide(tensor1, tensor2)
    if value != 1:
        np.multiply(quotient, value, out=quotient)
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
    forward=_add, node="AddBackward0", dtype=PROMOTE, inplace="add_",
    self=lambda grad, alpha: grad,
    other=lambda grad, alpha: grad if alpha == 1 else grad * alpha,
)
expose(add, "add", "add", "add_", operators=("__add__", "__radd__"), inplace_operators=("__iadd__",))

sub = defop(
    "sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
    forward=_sub, node="SubBackward0", dtype=PROMOTE, inplace="sub_",
    self=lambda grad, alpha: grad,
    other=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
)
expose(sub, "sub", "sub", "sub_", operators=("__sub__",), inplace_operators=("__isub__",))
expose(sub, "subtract", "subtract", "subtract_")

rsub_tensor = defop(
    "rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
    forward=_rsub, node="RsubBackward0", dtype=PROMOTE,
    self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
    other=lambda grad, alpha: grad,
)
rsub_scalar = defop(
    "rsub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor",
    forward=_rsub, node="RsubBackward1", dtype=PROMOTE,
    self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
)


@public
def rsub(input, other, *, alpha=1):
    if isinstance(other, Tensor):
        return call(rsub_tensor, (input, other), {"alpha": alpha})
    return call(rsub_scalar, (input,), {"other": other, "alpha": alpha})


@method
def __rsub__(self, other):
    return rsub(self, other)


mul = defop(
    "mul.Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.multiply, node="MulBackward0", dtype=PROMOTE, inplace="mul_",
    self=lambda grad, other: grad * other,
    other=lambda grad, self: grad * self,
)
expose(mul, "mul", "mul", "mul_", operators=("__mul__", "__rmul__"), inplace_operators=("__imul__",))
expose(mul, "multiply", "multiply", "multiply_")

div = defop(
    "div.Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.true_divide, node="DivBackward0", dtype=PROMOTE_FLOAT, inplace="div_",
    self=lambda grad, other: grad / other,
    other=lambda grad, self, other: -grad * self / (other * other),
)
div_mode = defop(
    "div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor",
    forward=_div_mode, node="DivBackward2", dtype=PROMOTE_FLOAT, inplace="div_",
    self=lambda grad, self, other, rounding_mode: (
        grad / other if rounding_mode is None else grad * 0
    ),
    other=lambda grad, self, other, rounding_mode: (
        -grad * self / (other * other) if rounding_mode is None else grad * 0
    ),
)
expose(div, method="__truediv__", operators=("__truediv__",), inplace="__itruediv__")


def _div_op(other, rounding_mode):
    if rounding_mode is None:
        return div, {}
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
        op = floor_divide if rounding_mode == "floor" else trunc_divide
    return apply_inplace(op, (self, other), attrs, "div_")


@method
def __rtruediv__(self, other):
    # As PyTorch: other / self is computed as self.reciprocal() * other.
    return self.reciprocal() * other


floor_divide = defop(
    "floor_divide(Tensor self, Tensor other) -> Tensor",
    forward=np.floor_divide, dtype=PROMOTE, inplace="floor_divide_",
)
expose(floor_divide, "floor_divide", "floor_divide", "floor_divide_", operators=("__floordiv__",),
       inplace_operators=("__ifloordiv__",))
trunc_divide = defop("_trunc_divide(Tensor self, Tensor other) -> Tensor", forward=_trunc_divide,
                     dtype=PROMOTE)


def _reflected(op, self, other):
    """``other <op> self`` for a Python scalar ``other`` (as a weak 0-dim operand)."""
    return call(op, (wrapped_number(other), self))


@method
def __rfloordiv__(self, other):
    return _reflected(floor_divide, self, other)


remainder = defop(
    "remainder.Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.remainder, node="RemainderBackward0", dtype=PROMOTE, inplace="remainder_",
    self=lambda grad: grad,
    other=lambda grad, self, other: -grad * self.div(other, rounding_mode="floor"),
)
expose(remainder, "remainder", "remainder", "remainder_", operators=("__mod__",),
       inplace_operators=("__imod__",))
fmod = defop(
    "fmod.Tensor(Tensor self, Tensor other) -> Tensor",
    forward=np.fmod, node="FmodBackward1", dtype=PROMOTE, inplace="fmod_",
    self=lambda grad: grad,
    other=lambda grad, self, other: -grad * self.div(other, rounding_mode="trunc"),
)
expose(fmod, "fmod", "fmod", "fmod_")


@method
def __rmod__(self, other):
    return _reflected(remainder, self, other)


neg = defop(
    "neg(Tensor self) -> Tensor", forward=np.negative, node="NegBackward0", inplace="neg_",
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
    forward=np.power, node="PowBackward0", dtype=KEEP, inplace="pow_",
    self=lambda grad, self, exponent: (
        grad * 0 if exponent == 0 else grad * exponent * self.pow(exponent - 1)
    ),
)
pow_tensor_tensor = defop(
    "pow.Tensor_Tensor(Tensor self, Tensor exponent) -> Tensor",
    forward=np.power, node="PowBackward1", dtype=PROMOTE, inplace="pow_",
    self=lambda grad, self, exponent: (grad * exponent * self.pow(exponent - 1)).masked_fill(
        exponent == 0, 0
    ),
    exponent=lambda grad, self, exponent, result: (grad * result * self.log()).masked_fill(
        (self == 0) & (exponent >= 0), 0
    ),
)


def _pow_scalar_base_grad(grad, self, exponent, result):
    # d(b**e)/de = b**e * log(b); PyTorch defines it as 0 where b == 0 and e >= 0.
    if self == 0:
        return (grad * result * float("-inf")).masked_fill(exponent >= 0, 0)
    return grad * result * (math.log(self) if self > 0 else float("nan"))


pow_scalar = defop(
    "pow.Scalar(Scalar self, Tensor exponent) -> Tensor",
    forward=np.power, node="PowBackward2", dtype=FLOAT,
    exponent=_pow_scalar_base_grad,
)


def _pow_op(self, exponent):
    if isinstance(exponent, Tensor):
        return pow_tensor_tensor
    if not self.dtype.is_floating_point and isinstance(exponent, float):
        return pow_tensor_tensor
    return pow_tensor_scalar


def _pow_float_exponent(self, exponent):
    # int tensor ** float scalar promotes (PyTorch computes in the default float dtype)
    return not isinstance(exponent, Tensor) and isinstance(exponent, float) and not self.dtype.is_floating_point


@public
def pow(input, exponent, *, out=None):
    if not isinstance(input, Tensor):
        return _pow_scalar(input, exponent)
    if _pow_float_exponent(input, exponent):
        input = input.to(get_default_dtype())
    if isinstance(exponent, int) and not input.dtype.is_floating_point and exponent < 0:
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
    return call(pow_scalar, (exponent,), {"self": base})


method(pow)


@method
def __pow__(self, exponent):
    return pow(self, exponent)


@method
def __rpow__(self, other):
    return _pow_scalar(other, self)


@method
def pow_(self, exponent):
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
    ("tanh", np.tanh, "TanhBackward0", lambda grad, result: grad * (1 - result * result)),
    ("sigmoid", _sigmoid, "SigmoidBackward0", lambda grad, result: grad * (1 - result) * result),
    ("reciprocal", np.reciprocal, "ReciprocalBackward0", lambda grad, result: -grad * (result * result)),
    ("erf", None, "ErfBackward0", lambda grad, self: 2.0 / math.sqrt(math.pi) * (-self.pow(2)).exp() * grad),
    ("asin", np.arcsin, "AsinBackward0", lambda grad, self: grad * (1 - self.pow(2)).rsqrt()),
    ("acos", np.arccos, "AcosBackward0", lambda grad, self: -grad * (1 - self.pow(2)).rsqrt()),
    ("atan", np.arctan, "AtanBackward0", lambda grad, self: grad / (self.pow(2) + 1)),
    ("sinh", np.sinh, "SinhBackward0", lambda grad, self: grad * self.cosh()),
    ("cosh", np.cosh, "CoshBackward0", lambda grad, self: grad * self.sinh()),
]
for _name, _forward, _node, _formula in _unary:
    if _name == "erf":
        _forward = _erf_np
    _op = defop(f"{_name}(Tensor self) -> Tensor", forward=_forward, node=_node, dtype=FLOAT,
                inplace=_name + "_", self=_formula)
    expose(_op, _name, _name, _name + "_")

_zero_grad_unary = [
    ("floor", np.floor, "FloorBackward0"),
    ("ceil", np.ceil, "CeilBackward0"),
    ("trunc", np.trunc, "TruncBackward0"),
    ("frac", lambda self, out=None: np.subtract(self, np.trunc(self), out=out), None),
]
for _name, _forward, _node in _zero_grad_unary:
    if _node is None:
        _op = defop(f"{_name}(Tensor self) -> Tensor", forward=_forward, node="FracBackward0",
                    inplace=_name + "_", self=lambda grad: grad)
    else:
        _op = defop(f"{_name}(Tensor self) -> Tensor", forward=_forward, node=_node,
                    inplace=_name + "_", self=lambda grad: grad * 0)
    expose(_op, _name, _name, _name + "_")

round_ = defop("round(Tensor self) -> Tensor", forward=_round, node="RoundBackward0",
               inplace="round_", self=lambda grad: grad * 0)
round_decimals = defop("round.decimals(Tensor self, *, int decimals) -> Tensor", forward=_round,
                       node="RoundBackward1", inplace="round_", self=lambda grad, decimals: grad * 0)


@public
def round(input, *, decimals=0):
    if decimals:
        return call(round_decimals, (input,), {"decimals": decimals})
    return call(round_, (input,))


method(round)


@method
def __round__(self, ndigits=None):
    return round(self) if ndigits is None else round(self, decimals=ndigits)


@method
def round_(self, *, decimals=0):
    if decimals:
        return apply_inplace(round_decimals, (self,), {"decimals": decimals}, "round_")
    return apply_inplace(round_, (self,), {}, "round_")


abs_op = defop("abs(Tensor self) -> Tensor", forward=np.absolute, node="AbsBackward0",
               inplace="abs_", self=lambda grad, self: grad * self.sign())
expose(abs_op, "abs", "abs", "abs_", operators=("__abs__",))
expose(abs_op, "absolute", "absolute", "absolute_")
sign = defop("sign(Tensor self) -> Tensor", forward=_sign, node="SignBackward0", inplace="sign_",
             self=lambda grad: grad * 0)
expose(sign, "sign", "sign", "sign_")
expose(sign, "sgn", "sgn", "sgn_")

# --- activations ----------------------------------------------------------------------------

relu = defop("relu(Tensor self) -> Tensor", forward=_relu, node="ReluBackward0", inplace="relu_",
             self=lambda grad, result: grad.masked_fill(result <= 0, 0))
expose(relu, "relu", "relu", "relu_")
leaky_relu = defop(
    "leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor",
    forward=_leaky_relu, node="LeakyReluBackward0", inplace="leaky_relu_",
    self=lambda grad, self, negative_slope: grad.where(self > 0, grad * negative_slope),
)
gelu = defop(
    "gelu(Tensor self, *, str approximate='none') -> Tensor",
    forward=_gelu, node="GeluBackward0", inplace="gelu_",
    self=lambda grad, self, approximate: grad * _gelu_derivative(self, approximate),
)


def _gelu_derivative(x, approximate):
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        inner = k * (x + 0.044715 * x.pow(3))
        t = inner.tanh()
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x.pow(2))
    cdf = 0.5 * (1 + (x * (1 / math.sqrt(2))).erf())
    pdf = (-0.5 * x * x).exp() * (1 / math.sqrt(2 * math.pi))
    return cdf + x * pdf


silu = defop("silu(Tensor self) -> Tensor", forward=_silu, node="SiluBackward0", inplace="silu_",
             self=lambda grad, self: grad * self.sigmoid() * (1 + self * (1 - self.sigmoid())))
elu = defop(
    "elu(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor",
    forward=_elu, node="EluBackward0", inplace="elu_",
    self=lambda grad, self, alpha, scale, input_scale: (grad * scale).where(
        self > 0, grad * (self * input_scale).exp() * (alpha * scale * input_scale)
    ),
)
hardtanh = defop(
    "hardtanh(Tensor self, Scalar min_val=-1, Scalar max_val=1) -> Tensor",
    forward=_hardtanh, node="HardtanhBackward0", inplace="hardtanh_",
    self=lambda grad, self, min_val, max_val: grad.masked_fill((self <= min_val) | (self >= max_val), 0),
)

# --- clamping -------------------------------------------------------------------------------

clamp_scalar = defop(
    "clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor",
    forward=_clamp, node="ClampBackward1", inplace="clamp_",
    self=lambda grad, self, min, max: grad.masked_fill(_outside(self, min, max), 0),
)
clamp_tensor = defop(
    "clamp.Tensor(Tensor self, Tensor? min=None, Tensor? max=None) -> Tensor",
    forward=_clamp, node="ClampBackward0", dtype=PROMOTE, inplace="clamp_",
    self=lambda grad, self, min, max: grad.masked_fill(_outside(self, min, max), 0),
    min=lambda grad, self, min: grad.masked_fill(self >= min, 0),
    max=lambda grad, self, max: grad.masked_fill(self <= max, 0),
)


def _outside(self, min, max):
    if min is None:
        return self > max
    if max is None:
        return self < min
    return (self < min) | (self > max)


clamp_min = defop("clamp_min(Tensor self, Scalar min) -> Tensor", forward=np.maximum,
                  node="ClampMinBackward0", inplace="clamp_min_",
                  self=lambda grad, self, min: grad.masked_fill(self < min, 0))
expose(clamp_min, "clamp_min", "clamp_min", "clamp_min_")
clamp_max = defop("clamp_max(Tensor self, Scalar max) -> Tensor", forward=np.minimum,
                  node="ClampMaxBackward0", inplace="clamp_max_",
                  self=lambda grad, self, max: grad.masked_fill(self > max, 0))
expose(clamp_max, "clamp_max", "clamp_max", "clamp_max_")


def _clamp_args(min, max):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return clamp_tensor, True
    return clamp_scalar, False


@public
def clamp(input, min=None, max=None, *, out=None):
    op, tensors = _clamp_args(min, max)
    inputs, attrs = ((input, min, max), {}) if tensors else ((input,), {"min": min, "max": max})
    if out is not None:
        return apply_out(op, inputs, attrs, out)
    return call(op, inputs, attrs)


@method
def clamp_(self, min=None, max=None):
    op, tensors = _clamp_args(min, max)
    inputs, attrs = ((self, min, max), {}) if tensors else ((self,), {"min": min, "max": max})
    return apply_inplace(op, inputs, attrs, "clamp_")


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
    forward=_where, node="WhereBackward0", dtype=PROMOTE,
    self=lambda grad, condition: grad.masked_fill(condition.logical_not(), 0),
    other=lambda grad, condition: grad.masked_fill(condition, 0),
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
    forward=np.maximum, node="MaximumBackward0", dtype=PROMOTE,
    self=lambda grad, self, other: (grad.masked_fill(self < other, 0)).where(self != other, grad / 2),
    other=lambda grad, self, other: (grad.masked_fill(self > other, 0)).where(self != other, grad / 2),
)
expose(maximum, "maximum", "maximum")
minimum = defop(
    "minimum(Tensor self, Tensor other) -> Tensor",
    forward=np.minimum, node="MinimumBackward0", dtype=PROMOTE,
    self=lambda grad, self, other: (grad.masked_fill(self > other, 0)).where(self != other, grad / 2),
    other=lambda grad, self, other: (grad.masked_fill(self < other, 0)).where(self != other, grad / 2),
)
expose(minimum, "minimum", "minimum")

lerp_scalar = defop(
    "lerp.Scalar(Tensor self, Tensor end, Scalar weight) -> Tensor",
    forward=_lerp, node="LerpBackward0", dtype=PROMOTE, inplace="lerp_",
    self=lambda grad, weight: grad * (1 - weight),
    end=lambda grad, weight: grad * weight,
)
lerp_tensor = defop(
    "lerp.Tensor(Tensor self, Tensor end, Tensor weight) -> Tensor",
    forward=_lerp, node="LerpBackward1", dtype=PROMOTE, inplace="lerp_",
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
    forward=_addcmul, node="AddcmulBackward0", dtype=PROMOTE, inplace="addcmul_",
    self=lambda grad: grad,
    tensor1=lambda grad, tensor2, value: grad * tensor2 * value,
    tensor2=lambda grad, tensor1, value: grad * tensor1 * value,
)
expose(addcmul, "addcmul", "addcmul", "addcmul_")
addcdiv = defop(
    "addcdiv(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
    forward=_addcdiv, node="AddcdivBackward0", dtype=PROMOTE, inplace="addcdiv_",
    self=lambda grad: grad,
    tensor1=lambda grad, tensor2, value: grad * value / tensor2,
    tensor2=lambda grad, tensor1, tensor2, value: -grad * value * tensor1 / (tensor2 * tensor2),
)
expose(addcdiv, "addcdiv", "addcdiv", "addcdiv_")
atan2 = defop(
    "atan2(Tensor self, Tensor other) -> Tensor",
    forward=np.arctan2, node="Atan2Backward0", dtype=PROMOTE_FLOAT, inplace="atan2_",
    self=lambda grad, self, other: grad * other / (self * self + other * other),
    other=lambda grad, self, other: grad * -self / (self * self + other * other),
)
expose(atan2, "atan2", "atan2", "atan2_")

# --- masked fill and the in-place-only writers ----------------------------------------------

masked_fill_scalar = defop(
    "masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor",
    forward=_masked_fill, node="MaskedFillBackward0", inplace="masked_fill_",
    self=lambda grad, mask: grad.masked_fill(mask, 0),
)
masked_fill_tensor = defop(
    "masked_fill.Tensor(Tensor self, Tensor mask, Tensor value) -> Tensor",
    forward=_masked_fill, node="MaskedFillBackward1", inplace="masked_fill_",
    self=lambda grad, mask: grad.masked_fill(mask, 0),
    value=lambda grad, mask: grad.where(mask, grad * 0).sum(),
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
    return call(op, inputs, attrs)


@method
def masked_fill_(self, mask, value):
    op, inputs, attrs = _masked_fill_op(self, mask, value)
    return apply_inplace(op, inputs, attrs, "masked_fill_")


FUNCTIONS["masked_fill"] = masked_fill

fill_scalar = defop("fill_.Scalar(Tensor self, Scalar value) -> Tensor", forward=_fill,
                    node="FillBackward2", inplace="fill_", overlap_ok=True, self=lambda grad: grad * 0)
fill_tensor = defop("fill_.Tensor(Tensor self, Tensor value) -> Tensor", forward=_fill,
                    node="FillBackward3", inplace="fill_", overlap_ok=True, self=lambda grad: grad * 0,
                    value=lambda grad: grad.sum())


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


zero = defop("zero_(Tensor self) -> Tensor", forward=_zero, node="ZeroBackward0", inplace="zero_",
             overlap_ok=True, self=lambda grad: grad * 0)
expose(zero, inplace="zero_")
copy = defop(
    "copy_(Tensor self, Tensor src, bool non_blocking=False) -> Tensor",
    forward=_copy, node="CopyBackwards", inplace="copy_",
    self=lambda grad: grad * 0,
    src=lambda grad: grad,
)
expose(copy, inplace="copy_")

# --- comparisons and logic (no gradient) ----------------------------------------------------

for _name, _ufunc, _dunder in [
    ("eq", np.equal, "__eq__"), ("ne", np.not_equal, "__ne__"), ("lt", np.less, "__lt__"),
    ("le", np.less_equal, "__le__"), ("gt", np.greater, "__gt__"), ("ge", np.greater_equal, "__ge__"),
]:
    _op = defop(f"{_name}.Tensor(Tensor self, Tensor other) -> Tensor", forward=_ufunc, dtype=COMPARE)
    expose(_op, _name, _name, operators=(_dunder,))
for _alias, _name in [("greater", "gt"), ("less", "lt"), ("greater_equal", "ge"),
                     ("less_equal", "le"), ("not_equal", "ne")]:
    FUNCTIONS[_alias] = FUNCTIONS[_name]
    setattr(Tensor, _alias, getattr(Tensor, _name))

for _name, _ufunc in [("logical_and", np.logical_and), ("logical_or", np.logical_or),
                      ("logical_xor", np.logical_xor)]:
    _op = defop(f"{_name}(Tensor self, Tensor other) -> Tensor", forward=_ufunc, dtype=COMPARE)
    expose(_op, _name, _name)
logical_not = defop("logical_not(Tensor self) -> Tensor", forward=np.logical_not, dtype=COMPARE)
expose(logical_not, "logical_not", "logical_not")

for _name, _ufunc, _dunders, _idunder in [
    ("bitwise_and", np.bitwise_and, ("__and__", "__rand__"), "__iand__"),
    ("bitwise_or", np.bitwise_or, ("__or__", "__ror__"), "__ior__"),
    ("bitwise_xor", np.bitwise_xor, ("__xor__", "__rxor__"), "__ixor__"),
]:
    _op = defop(f"{_name}.Tensor(Tensor self, Tensor other) -> Tensor", forward=_ufunc, dtype=PROMOTE,
                inplace=_name + "_")
    expose(_op, _name, _name, _name + "_", operators=_dunders, inplace_operators=(_idunder,))
bitwise_not = defop("bitwise_not(Tensor self) -> Tensor", forward=np.invert, inplace="bitwise_not_")
expose(bitwise_not, "bitwise_not", "bitwise_not", "bitwise_not_", operators=("__invert__",))

for _name, _ufunc in [("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite)]:
    _op = defop(f"{_name}(Tensor self) -> Tensor", forward=_ufunc, dtype=COMPARE)
    expose(_op, _name, _name)
for _name, _ufunc in [("isposinf", np.isposinf), ("isneginf", np.isneginf), ("signbit", np.signbit)]:
    _op = defop(f"{_name}(Tensor self) -> Tensor", forward=_ufunc, dtype=COMPARE)
    expose(_op, _name, _name)
