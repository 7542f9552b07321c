"""Unary math and activations, with the backward ops PyTorch gives them.

Formulas follow tools/autograd/derivatives.yaml; each names what it reads
(``self``, ``other``, ``result`` ...) and the registry derives what is saved.
"""

from __future__ import annotations

import math

import numpy as np

from .._creation import zeros_like
from .._dispatch import call
from .._dtype import (
    scalar_type_name,
)
from .._inplace import apply_inplace, apply_out
from ._api import expose, method, public
from ._iterator import iterator_layout
from ._registry import FLOAT, PROMOTE, defop

# --- NumPy forwards -------------------------------------------------------------------


def _check_frac(self) -> None:
    if not self.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"frac_cpu\" not implemented for '{scalar_type_name(self.dtype)}'"
        )


_check_frac.dispatch = True  # a missing kernel: found after the out= checks (see apply_out)


def _check_relu(self) -> None:
    if self.dtype._name == "bool":
        raise RuntimeError("Boolean inputs not supported for relu")


def _no_bool_kernel(kernel: str):
    """The check of an op PyTorch has no Bool kernel for (abs, floor, round...)."""

    def check(self, **attrs) -> None:
        if self.dtype._name == "bool":
            raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")

    check.dispatch = True  # a missing kernel: found after the out= checks (see apply_out)
    return check


def _frac(self, out=None):
    return np.subtract(self, np.trunc(self), out=out)


def _elu(self, alpha=1.0, scale=1.0, input_scale=1.0):
    negative = (np.exp(self * input_scale) - 1) * alpha
    return (np.where(self > 0, self, negative) * scale).astype(self.dtype)


def _erf_np(x):
    # NumPy has no erf ufunc; math.erf elementwise is exact and fine for our sizes.
    return (
        np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)
        if np.size(x)
        else np.asarray(x)
    )


def _gelu(self, approximate="none"):
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (self + 0.044715 * self**3)
        return (0.5 * self * (1 + np.tanh(inner))).astype(self.dtype)
    return (0.5 * self * (1 + _erf_np(self / math.sqrt(2)))).astype(self.dtype)


def _hardtanh(self, min_val=-1.0, max_val=1.0, out=None):
    return np.clip(self, min_val, max_val, out=out)


def _leaky_relu(self, negative_slope=0.01):
    return np.where(self > 0, self, self * np.asarray(negative_slope, dtype=self.dtype))


# NB: a 0-dim zero of the input's dtype: NumPy's maximum takes it about twice as
# fast as the Python int 0 (no weak-scalar resolution); never written to.
_ZEROS: dict = {}


def _zero(dtype: np.dtype) -> np.ndarray:
    zero = _ZEROS.get(dtype)
    if zero is None:
        zero = _ZEROS[dtype] = np.zeros((), dtype)
    return zero


def _relu(self, out=None):
    return np.maximum(self, _zero(self.dtype), out=out)


def _round(self, decimals=0, out=None):
    return np.round(self, decimals, out=out)


def _rsqrt(self, out=None):
    result = np.sqrt(self, out=np.empty_like(self) if out is None else out)
    return np.reciprocal(result, out=result)


def _sigmoid(self, out=None):
    # 1 / (1 + exp(-x)), written in place: no temporary as large as x.
    # NB: not np.negative: NumPy 2.4's negative reads the wrong elements when its input
    # has a stride of 4 items into a strided out (sigmoid_ of a column of a 4-wide matrix).
    result = np.multiply(self, -1, out=np.empty_like(self) if out is None else out)
    np.exp(result, out=result)
    np.add(result, 1, out=result)
    return np.reciprocal(result, out=result)


def _sign(self, out=None):
    if self.dtype == np.bool_:
        if out is None:
            return self.copy()
        np.copyto(out, self)
        return out
    return np.sign(self, out=out)


def _silu(self):
    return self / (1 + np.exp(-self))


_SAME_SIZE_INT = {2: np.int16, 4: np.int32, 8: np.int64}
# Below this size np.where's branches cost less than the four calls of the bitwise select.
_BRANCHLESS_MIN_SIZE = 4096


def _threshold_backward(grad_output, self, threshold):
    """PyTorch's threshold_backward kernel: ``self <= threshold ? 0 : grad_output``."""
    drop = np.less_equal(self, threshold)  # NB: NaN compares false, its gradient passes
    if (
        grad_output.size >= _BRANCHLESS_MIN_SIZE
        and grad_output.dtype.kind == "f"
        and drop.shape == grad_output.shape
    ):
        # NB: np.where branches on every element and runs ~10x slower than PyTorch's
        # vectorised select on a random mask (1.1 ms on 256x1024 float32). The same select
        # without a branch: AND the gradient's bits with 0 (drop) or all ones (keep). A
        # zeroed float is +0.0, PyTorch's 0; inf and NaN gradients are dropped as in PyTorch.
        bits = _SAME_SIZE_INT[grad_output.dtype.itemsize]
        mask = drop.astype(bits)
        np.subtract(mask, 1, out=mask)  # 0 where dropped, -1 (all ones) elsewhere
        return np.bitwise_and(grad_output.view(bits), mask, out=mask).view(grad_output.dtype)
    if drop.shape == grad_output.shape:
        return np.where(drop, _zero(grad_output.dtype), grad_output)
    return np.where(drop, 0, grad_output).astype(grad_output.dtype, copy=False)


# --- unary math -------------------------------------------------------------------------

# --- the backward ops of activations (their own nodes in a double backward) ------------

tanh_backward_op = defop(
    "tanh_backward(Tensor grad_output, Tensor output) -> Tensor",
    forward=lambda grad_output, output: grad_output * (1 - output * output),
    layout=iterator_layout,
    node="TanhBackwardBackward0",
    dtype=PROMOTE,
    grad_output=lambda grad, output: tanh_backward(grad, output),
    output=lambda grad, output, grad_output: grad * (-2 * output * grad_output),
)
sigmoid_backward_op = defop(
    "sigmoid_backward(Tensor grad_output, Tensor output) -> Tensor",
    forward=lambda grad_output, output: grad_output * (1 - output) * output,
    layout=iterator_layout,
    node="SigmoidBackwardBackward0",
    dtype=PROMOTE,
    grad_output=lambda grad, output: sigmoid_backward(grad, output),
    output=lambda grad, output, grad_output: grad * grad_output * (-2 * output + 1),
)
threshold_backward_op = defop(
    "threshold_backward(Tensor grad_output, Tensor self, Scalar threshold) -> Tensor",
    forward=lambda grad_output, self, threshold: _threshold_backward(grad_output, self, threshold),
    layout=iterator_layout,
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
        layout=iterator_layout,
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
        layout=iterator_layout,
        node=_node,
        inplace=_name + "_",
        check=_no_bool_kernel(f"{_name}_vml_cpu"),
        out_dtype="same",
        self=lambda grad: zeros_like(grad),
    )
    expose(_op, _name, _name, _name + "_")
frac = defop(
    "frac(Tensor self) -> Tensor",
    forward=_frac,
    layout=iterator_layout,
    node="FracBackward0",
    inplace="frac_",
    check=_check_frac,
    out_dtype="same",
    self=lambda grad: grad,
)
expose(frac, "frac", "frac", "frac_")

round_op = defop(
    "round(Tensor self) -> Tensor",
    forward=_round,
    layout=iterator_layout,
    node="RoundBackward0",
    inplace="round_",
    check=_no_bool_kernel("round_vml_cpu"),
    out_dtype="same",
    self=lambda grad: zeros_like(grad),
)
round_decimals = defop(
    "round.decimals(Tensor self, *, int decimals) -> Tensor",
    forward=_round,
    layout=iterator_layout,
    node="RoundBackward1",
    inplace="round_",
    check=_no_bool_kernel("round_cpu"),
    out_dtype="same",
    self=lambda grad, decimals: zeros_like(grad),
)


@public
def round(input, *, decimals=0, out=None):
    op, attrs = (round_decimals, {"decimals": decimals}) if decimals else (round_op, {})
    if out is not None:
        return apply_out(op, (input,), attrs, out)
    return call(op, (input,), attrs)


def _round_method(self, *, decimals=0):
    # NB: Tensor.round has no out=, as PyTorch's.
    op, attrs = (round_decimals, {"decimals": decimals}) if decimals else (round_op, {})
    return call(op, (self,), attrs)


_round_method.__name__ = _round_method.__qualname__ = "round"
method(_round_method)


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
    layout=iterator_layout,
    node="AbsBackward0",
    inplace="abs_",
    check=_no_bool_kernel("abs_cpu"),
    out_dtype="same",
    self=lambda grad, self: grad * self.sign(),
)
expose(abs_op, "abs", "abs", "abs_", operators=("__abs__",))
expose(abs_op, "absolute", "absolute", "absolute_")
sign = defop(
    "sign(Tensor self) -> Tensor",
    forward=_sign,
    layout=iterator_layout,
    node="SignBackward0",
    inplace="sign_",
    out_dtype="same",
    self=lambda grad: zeros_like(grad),
)
expose(sign, "sign", "sign", "sign_")
# NB: for real inputs sgn's gradient is zero too, but PyTorch's sgn_backward reads
# both the input and the result, so they are saved.
sgn = defop(
    "sgn(Tensor self) -> Tensor",
    forward=_sign,
    layout=iterator_layout,
    node="SgnBackward0",
    inplace="sgn_",
    out_dtype="same",
    self=lambda grad, self, result: zeros_like(grad),
)
expose(sgn, "sgn", "sgn", "sgn_")

# --- activations ----------------------------------------------------------------------------

relu = defop(
    "relu(Tensor self) -> Tensor",
    forward=_relu,
    layout=iterator_layout,
    node="ReluBackward0",
    inplace="relu_",
    check=_check_relu,
    out_dtype=None,  # torch.relu has no out=
    self=lambda grad, result: threshold_backward(grad, result, 0),
)
expose(relu, "relu", "relu", "relu_")
leaky_relu = defop(
    "leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor",
    forward=_leaky_relu,
    layout=iterator_layout,
    node="LeakyReluBackward0",
    inplace="leaky_relu_",
    self=lambda grad, self, negative_slope: grad.where(self > 0, grad * negative_slope),
)


def _check_gelu(self, approximate="none") -> None:
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")


gelu = defop(
    "gelu(Tensor self, *, str approximate='none') -> Tensor",
    forward=_gelu,
    layout=iterator_layout,
    node="GeluBackward0",
    inplace="gelu_",
    check=_check_gelu,
    self=lambda grad, self, approximate: gelu_backward(grad, self, approximate),
)


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
    layout=iterator_layout,
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
    layout=iterator_layout,
    node="SiluBackward0",
    inplace="silu_",
    self=lambda grad, self: grad * self.sigmoid() * (1 + self * (1 - self.sigmoid())),
)
elu = defop(
    "elu(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor",
    forward=_elu,
    layout=iterator_layout,
    node="EluBackward0",
    inplace="elu_",
    self=lambda grad, self, alpha, scale, input_scale: (grad * scale).where(
        self > 0, grad * (self * input_scale).exp() * (alpha * scale * input_scale)
    ),
)
hardtanh = defop(
    "hardtanh(Tensor self, Scalar min_val=-1, Scalar max_val=1) -> Tensor",
    forward=_hardtanh,
    layout=iterator_layout,
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
    layout=iterator_layout,
    node="LeakyReluBackward1",
    self=lambda grad, result, negative_slope: grad.where(result > 0, grad * negative_slope),
)
elu_inplace = defop(
    "elu_(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor",
    forward=_elu,
    layout=iterator_layout,
    node="EluBackward1",
    self=lambda grad, result, alpha, scale, input_scale: (grad * scale).where(
        result > 0, grad * input_scale * (result + alpha * scale)
    ),
)
