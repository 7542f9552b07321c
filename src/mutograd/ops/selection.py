"""Clamping, selection (where, maximum, lerp, addcmul...), masked_fill and the in-place-only writers (fill_, zero_, copy_).

Formulas follow tools/autograd/derivatives.yaml; each names what it reads
(``self``, ``other``, ``result`` ...) and the registry derives what is saved.
"""

from __future__ import annotations

import numpy as np

from .. import _errors
from .._creation import zeros_like
from .._dispatch import broadcast_shape, call, compute_dtype
from .._dtype import (
    bool_,
    scalar_type_name,
)
from .._inplace import apply_inplace, apply_out
from .._layout import contiguous
from .._tensor import Tensor
from .._write_rules import check_scalar_cast, cpp_type_name
from ..autograd.grad_mode import GradMode, no_grad
from ._api import FUNCTIONS, expose, method, overloads, public, require_tensor
from ._api import promoted as _promoted
from ._api import promoted_dtype as _promoted_dtype
from ._iterator import iterator_layout
from ._registry import PROMOTE, PROMOTE_FLOAT, defop
from .pointwise import _tensors_only

# --- NumPy forwards -------------------------------------------------------------------


def _addcdiv(self, tensor1, tensor2, value=1, out=None):
    quotient = np.true_divide(tensor1, tensor2)
    if value != 1:
        quotient = np.multiply(quotient, value)
    return np.add(self, quotient, out=out)


def _addcmul(self, tensor1, tensor2, value=1, out=None):
    product = np.multiply(tensor1, tensor2)
    if product.dtype.kind in "iub" and isinstance(value, float):
        value = int(value)  # as PyTorch: the value is cast to the integer compute type
    if value != 1:
        if product.dtype.kind in "iu":
            value = int(value)  # NB: PyTorch's integer kernel takes value as the integer type
        product = np.multiply(product, value)
    return np.add(self, product, out=out)


def _clamp(self, min=None, max=None, out=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if min is None:
        return np.minimum(self, max, out=out)
    if max is None:
        return np.maximum(self, min, out=out)
    result = np.maximum(self, min, out=out)
    return np.minimum(result, max, out=out)


def _copy(self, src, non_blocking=False, out=None):
    np.copyto(out, src, casting="unsafe")
    return out


def _fill(self, value, out=None):
    np.copyto(out, np.asarray(value).astype(out.dtype))
    return out


def _lerp(self, end, weight, out=None):
    return np.add(self, np.multiply(np.subtract(end, self), weight), out=out)


def _masked_fill(self, mask, value, out=None):
    if out is None:
        return np.where(mask, np.asarray(value, dtype=self.dtype), self)
    np.copyto(out, np.asarray(value).astype(out.dtype), where=np.broadcast_to(mask, out.shape))
    return out


def _where(condition, self, other):
    return np.where(condition.astype(bool, copy=False), self, other)


def _zero(self, out=None):
    out.fill(0)
    return out


# --- clamping -------------------------------------------------------------------------------


def _check_clamp(kernel: str):
    """PyTorch has no clamp kernel for bool results (but a single Tensor bound runs
    maximum/minimum's kernel, which has one: ``bools.clamp_min_(tensor(True))``)."""

    def check(self, min=None, max=None) -> None:
        bounds = [b for b in (min, max) if b is not None]
        tensors = [b for b in bounds if isinstance(b, Tensor)]
        if tensors and len(bounds) == 1:
            return
        if tensors:
            d = compute_dtype(clamp_tensor, (self, *tensors))[1]
        else:
            d = _promoted_dtype(self, *bounds)
        if d is bool_ and tensors and len(bounds) == 1:
            return  # NB: one Tensor bound runs maximum/minimum, which take bools
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
    layout=iterator_layout,
    node="ClampBackward1",
    inplace="clamp_",
    check=_check_clamp("clamp_scalar_cpu"),
    self=_clamp_self_grad,
)
clamp_tensor = defop(
    "clamp.Tensor(Tensor self, Tensor? min=None, Tensor? max=None) -> Tensor",
    forward=_clamp,
    layout=iterator_layout,
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
    layout=iterator_layout,
    node="ClampMinBackward0",
    inplace="clamp_min_",
    check=lambda self, min: None if isinstance(min, Tensor) else _check_clamp("")(self, min=min),
    self=lambda grad, self, min: _where_grad(self >= min, grad),
)
expose(clamp_min_op, inplace="clamp_min_")
clamp_max_op = defop(
    "clamp_max(Tensor self, Scalar max) -> Tensor",
    forward=np.minimum,
    layout=iterator_layout,
    node="ClampMaxBackward0",
    inplace="clamp_max_",
    check=lambda self, max: None if isinstance(max, Tensor) else _check_clamp("")(self, max=max),
    self=lambda grad, self, max: _where_grad(self <= max, grad),
)
expose(clamp_max_op, inplace="clamp_max_")
clamp_min_tensor = defop(
    "clamp_min.Tensor(Tensor self, Tensor min) -> Tensor",
    forward=np.maximum,
    layout=iterator_layout,
    node="ClampMinBackward1",
    dtype=PROMOTE,
    inplace="clamp_min_",
    self=lambda grad, self, min: _where_grad(self >= min, grad),
    min=lambda grad, self, min: _where_grad(self < min, grad),
)
clamp_max_tensor = defop(
    "clamp_max.Tensor(Tensor self, Tensor max) -> Tensor",
    forward=np.minimum,
    layout=iterator_layout,
    node="ClampMaxBackward1",
    dtype=PROMOTE,
    inplace="clamp_max_",
    self=lambda grad, self, max: _where_grad(self <= max, grad),
    max=lambda grad, self, max: _where_grad(self > max, grad),
)
_TENSOR_ROW = {clamp_min_op.name: clamp_min_tensor, clamp_max_op.name: clamp_max_tensor}


@public
def clamp_min(input, min, *, out=None):
    return _clamp_call(clamp_min_op, input, {"min": min}, out)


@public
def clamp_max(input, max, *, out=None):
    return _clamp_call(clamp_max_op, input, {"max": max}, out)


def _clamp_call(op, input, bounds: dict, out):
    (bound,) = bounds.values() if op.name in _TENSOR_ROW else (None,)
    if isinstance(bound, Tensor):
        # PyTorch's clamp_min.Tensor / clamp_max.Tensor rows: the dtypes promote.
        if out is not None:
            return apply_out(_TENSOR_ROW[op.name], (input, bound), {}, out)
        return call(_TENSOR_ROW[op.name], (input, bound))
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


def _clamp_bound_(op, self, bound_name: str, bound, name: str) -> Tensor:
    """clamp_min_/clamp_max_: a Tensor bound takes PyTorch's .Tensor row (the dtypes
    promote, then cast back as any in-place op); a number is checked against self's
    dtype first, never NumPy's casting error."""
    if isinstance(bound, Tensor):
        return apply_inplace(_TENSOR_ROW[op.name], (self, bound), {}, name)
    check_scalar_cast(_promoted_dtype(self, bound), self)
    return apply_inplace(op, (self,), {bound_name: bound}, name)


@method
def clamp_min_(self, min):
    return _clamp_bound_(clamp_min_op, self, "min", min, "clamp_min_")


@method
def clamp_max_(self, max):
    return _clamp_bound_(clamp_max_op, self, "max", max, "clamp_max_")


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
        check_scalar_cast(result_dtype, self)
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
    layout=iterator_layout,
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
    layout=iterator_layout,
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
    layout=iterator_layout,
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


def _check_lerp(self, end, weight=None) -> None:
    # NB: in PyTorch this is lerp's meta function, then its kernel's dispatch.
    for name, other in (("end", end), ("weight", weight)):
        if isinstance(other, Tensor) and other.dtype is not self.dtype:
            raise RuntimeError(
                f"expected dtype {cpp_type_name(self.dtype)} for `{name}` but got dtype "
                f"{cpp_type_name(other.dtype)}"
            )
    if not self.dtype.is_floating_point:
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{scalar_type_name(self.dtype)}'"
        )


_check_lerp.meta = True


def _check_addcmul(self, tensor1, tensor2, value=1) -> None:
    if compute_dtype(addcmul, (self, tensor1, tensor2))[1] is bool_:
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")


def _check_addcdiv(self, tensor1, tensor2, value=1) -> None:
    # As PyTorch: two integral (or bool) divisor operands are refused, whatever self is.
    if not (tensor1.dtype.is_floating_point or tensor2.dtype.is_floating_point):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes."
        )


lerp_scalar = defop(
    "lerp.Scalar(Tensor self, Tensor end, Scalar weight) -> Tensor",
    forward=_lerp,
    layout=iterator_layout,
    node="LerpBackward0",
    check=_check_lerp,
    dtype=PROMOTE,
    inplace="lerp_",
    self=lambda grad, weight: grad * (1 - weight),
    end=lambda grad, weight: grad * weight,
)
lerp_tensor = defop(
    "lerp.Tensor(Tensor self, Tensor end, Tensor weight) -> Tensor",
    forward=_lerp,
    layout=iterator_layout,
    node="LerpBackward1",
    check=_check_lerp,
    dtype=PROMOTE,
    inplace="lerp_",
    self=lambda grad, weight: grad * (1 - weight),
    end=lambda grad, weight: grad * weight,
    weight=lambda grad, self, end: grad * (end - self),
)
overloads("lerp", lerp_tensor, lerp_scalar, promote=False, out=True, inplace="lerp_")


addcmul = defop(
    "addcmul(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
    forward=_addcmul,
    layout=iterator_layout,
    node="AddcmulBackward0",
    check=_check_addcmul,
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
    layout=iterator_layout,
    node="AddcdivBackward0",
    check=_check_addcdiv,
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
    layout=iterator_layout,
    node="Atan2Backward0",
    dtype=PROMOTE_FLOAT,
    inplace="atan2_",
    self=lambda grad, self, other: grad * other / (self * self + other * other),
    other=lambda grad, self, other: grad * -self / (self * self + other * other),
)
expose(atan2, "atan2", "atan2", "atan2_")
_tensors_only("atan2")
_atan2_inplace = Tensor.atan2_


@method
def atan2_(self, other):
    require_tensor("atan2_", "other", 1, other)
    return _atan2_inplace(self, other)


# --- masked fill and the in-place-only writers ----------------------------------------------

# NB: PyTorch allows masked_fill_ on an expanded tensor, with this warning.
_EXPANDED_MASKED_FILL = (
    "Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. tensor[mask] = scalar"
)
masked_fill_scalar = defop(
    "masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor",
    forward=_masked_fill,
    layout=contiguous,  # NB: PyTorch's masked_fill works on self.clone(contiguous)
    node="MaskedFillBackward0",
    inplace="masked_fill_",
    overlap_ok=_EXPANDED_MASKED_FILL,
    self=lambda grad, mask: grad.masked_fill(mask, 0),
)
masked_fill_tensor = defop(
    "masked_fill.Tensor(Tensor self, Tensor mask, Tensor value) -> Tensor",
    forward=_masked_fill,
    layout=contiguous,  # NB: PyTorch's masked_fill works on self.clone(contiguous)
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
    if op is masked_fill_tensor:
        # As PyTorch's masked_fill_, the 0-dim value is read first: it may be an
        # element of self (no overlap check); the mask still broadcasts to self.
        shape = broadcast_shape((self, mask))
        if shape != self._data.shape:
            raise _errors.inplace_broadcast(self._data.shape, shape)
        return apply_inplace(op, inputs, attrs, "masked_fill_", pointwise=False)
    return apply_inplace(op, inputs, attrs, "masked_fill_")


FUNCTIONS["masked_fill"] = masked_fill

fill_scalar = defop(
    "fill_.Scalar(Tensor self, Scalar value) -> Tensor",
    forward=_fill,
    layout=iterator_layout,
    node="FillBackward2",
    inplace="fill_",
    overlap_ok=True,
    self=lambda grad: zeros_like(grad),
)
fill_tensor = defop(
    "fill_.Tensor(Tensor self, Tensor value) -> Tensor",
    forward=_fill,
    layout=iterator_layout,
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
        # NB: the 0-dim value is read first, as PyTorch's fill_: it may be an element of self.
        return apply_inplace(fill_tensor, (self, value), {}, "fill_", pointwise=False)
    return apply_inplace(fill_scalar, (self,), {"value": value}, "fill_")


zero = defop(
    "zero_(Tensor self) -> Tensor",
    forward=_zero,
    layout=iterator_layout,
    node="ZeroBackward0",
    inplace="zero_",
    overlap_ok=True,
    self=lambda grad: zeros_like(grad),
)
expose(zero, inplace="zero_")
copy = defop(
    "copy_(Tensor self, Tensor src, bool non_blocking=False) -> Tensor",
    forward=_copy,
    layout=iterator_layout,
    node="CopyBackwards",
    inplace="copy_",
    self=lambda grad: zeros_like(grad),
    src=lambda grad: grad,
)
expose(copy, inplace="copy_")
_record_copy_ = Tensor.copy_


@method
def copy_(self, src, non_blocking=False):
    if GradMode.enabled and not self.dtype.is_floating_point:
        # As PyTorch's copy_ (VariableTypeManual.cpp): an integer or bool destination
        # records nothing, even from a source that requires grad.
        with no_grad():
            return _record_copy_(self, src, non_blocking=non_blocking)
    return _record_copy_(self, src, non_blocking=non_blocking)


