"""Reductions: sum, mean, var/std, prod, max/min, amax/amin, argmax, logsumexp, softmax."""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from .. import _dtype
from .._creation import eye
from .._dispatch import call
from .._inplace import apply_out, check_out_grad
from .._layout import contiguous
from .._tensor import Tensor, _c_type, _wrap_dim
from ..autograd.grad_mode import GradMode, no_grad
from . import _return_types
from ._api import FUNCTIONS, method, public
from ._registry import COMPARE, LONG, REGISTRY, SUM, defop


def reduce_dims(dim, ndim: int) -> tuple:
    """Normalise ``dim`` (None, int or sequence) to sorted non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        dim = (dim,)
    dims = []
    for d in dim:
        d = _wrap_dim(d, ndim)
        if d in dims:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        dims.append(d)
    return tuple(sorted(d for d in dims if ndim > 0))


def expand_reduced(grad, dims, keepdim: bool, sizes):
    """Broadcast a reduction's gradient back over the reduced dims (sum_backward)."""
    if not keepdim and len(sizes):
        for d in dims:
            grad = grad.unsqueeze(d)
    return grad.expand(sizes)


def _restore(t, dims, keepdim: bool):
    if keepdim:
        return t
    for d in dims:
        t = t.unsqueeze(d)
    return t


# --- forwards ---------------------------------------------------------------------------


def _sum(self, dim=None, keepdim=False, dtype=None):
    out_dtype = dtype._np if dtype is not None else (None if self.dtype.kind == "f" else np.int64)
    # NB: np.add.reduce is what np.sum runs, without its Python wrapper (~2 us a call).
    if dim is None and not keepdim:
        # A full sum written into a 0-dim array: no NumPy scalar to wrap again.
        out = np.empty((), out_dtype or self.dtype)
        return np.add.reduce(self, axis=None, dtype=out_dtype, out=out)
    return np.add.reduce(self, axis=dim, keepdims=keepdim, dtype=out_dtype)


def _mean(self, dim=None, keepdim=False, dtype=None):
    # NB: not np.mean, which warns on empty input; PyTorch returns nan silently.
    total = np.sum(self, axis=dim, keepdims=keepdim, dtype=None if dtype is None else dtype._np)
    return np.true_divide(total, _count(self.shape, dim)).astype(total.dtype, copy=False)


def _var(self, dim=None, correction=1, keepdim=False):
    count = _count(self.shape, dim)
    mean = np.mean(self, axis=dim, keepdims=True)
    squares = np.sum(np.square(self - mean), axis=dim, keepdims=keepdim)
    return np.true_divide(squares, builtins.max(count - correction, 0)).astype(
        self.dtype, copy=False
    )


def _std(self, dim=None, correction=1, keepdim=False):
    return np.sqrt(_var(self, dim, correction, keepdim))


def _count(shape, dims) -> int:
    count = 1
    for d in dims if dims is not None else range(len(shape)):
        count *= shape[d]
    return count


def _prod(self, dim=None, keepdim=False, dtype=None):
    if dtype is not None:
        self = self.astype(dtype._np, copy=False)  # NB: PyTorch casts, then multiplies
    out_dtype = dtype._np if dtype is not None else (None if self.dtype.kind == "f" else np.int64)
    return np.prod(self, axis=dim, keepdims=keepdim, dtype=out_dtype)


def _max_dim(self, dim, keepdim=False):
    indices = np.argmax(self, axis=dim, keepdims=True) if self.ndim else np.zeros((), np.int64)
    return _select(self, indices, dim, keepdim)


def _min_dim(self, dim, keepdim=False):
    indices = np.argmin(self, axis=dim, keepdims=True) if self.ndim else np.zeros((), np.int64)
    return _select(self, indices, dim, keepdim)


def _select(self, indices, dim, keepdim):
    if self.ndim == 0:
        return self.copy(), indices
    values = np.take_along_axis(self, indices, axis=dim)
    if not keepdim:
        values = np.squeeze(values, axis=dim)
        indices = np.squeeze(indices, axis=dim)
    return contiguous(values), contiguous(indices.astype(np.int64))


def _logsumexp(self, dim, keepdim=False):
    if self.size == 0:
        return np.log(np.sum(np.exp(self), axis=dim, keepdims=keepdim))
    shift = np.max(self, axis=dim, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    out = np.log(np.sum(np.exp(self - shift), axis=dim, keepdims=True)) + shift
    return out if keepdim else np.squeeze(out, axis=dim)


def _softmax(self, dim, half_to_float=False):
    shifted = self - np.maximum.reduce(self, axis=dim, keepdims=True) if self.size else self
    e = np.exp(shifted)
    # NB: PyTorch computes on input.contiguous(): the result is contiguous whatever the input.
    return np.asarray(e / np.add.reduce(e, axis=dim, keepdims=True), order="C")


def _log_softmax(self, dim, half_to_float=False):
    if not self.size:
        return self.copy()
    # NB: PyTorch's order (vec_log_softmax): (x - max) - log(sum(exp(x - max))), computed on
    # input.contiguous() (a contiguous result), written into the one temporary.
    shifted = np.subtract(self, np.maximum.reduce(self, axis=dim, keepdims=True), order="C")
    total = np.add.reduce(np.exp(shifted), axis=dim, keepdims=True)
    if not self.ndim:
        return np.asarray(shifted - np.log(total))  # NumPy's 0-d results are scalars
    return np.subtract(shifted, np.log(total, out=total), out=shifted)


def _norm(self, ord=2, dim=None, keepdim=False, dtype=None):
    a = np.abs(self)
    if ord == 2:
        return np.sqrt(np.sum(a * a, axis=dim, keepdims=keepdim))
    if ord == float("inf"):
        return np.max(a, axis=dim, keepdims=keepdim)
    if ord == 1:
        return np.sum(a, axis=dim, keepdims=keepdim)
    if ord == 0:
        # NB: the "0-norm" counts the nonzero elements (no 1 / ord).
        return np.sum(a != 0, axis=dim, keepdims=keepdim).astype(a.dtype)
    return np.power(np.sum(np.power(a, ord), axis=dim, keepdims=keepdim), 1.0 / ord)


# --- formulas ---------------------------------------------------------------------------


def _var_backward(grad, self, dim, correction, keepdim):
    dof = builtins.max(_count(self.shape, dim) - correction, 0)
    grad = _restore(grad, dim if dim is not None else range(self.dim()), keepdim) if dim else grad
    # NB: with no degrees of freedom PyTorch's gradient is inf * 0 = nan, not an exception.
    scale = 2.0 / dof if dof else float("inf")
    return grad * scale * (self - self.mean(dim, keepdim=True))


def _moments_backward(var_grad, mean_grad, self, dim, correction, keepdim):
    # NB: in PyTorch this is var_mean_backward / std_mean_backward: a missing
    # output gradient contributes nothing.
    out = None
    if var_grad is not None:
        out = _var_backward(var_grad, self, dim, correction, keepdim)
    if mean_grad is not None:
        if dim is None:
            spread = mean_grad.expand(self.shape)
        else:
            spread = expand_reduced(mean_grad, dim, keepdim, self.shape)
        spread = spread / builtins.max(_count(self.shape, dim), 1)
        out = spread if out is None else out + spread
    return out


def _norm_backward(grad, self, ord, dim, keepdim, result):
    # NB: in PyTorch this is norm_backward (FunctionsManual.cpp).
    dims = dim if dim is not None else tuple(range(self.dim()))
    if not keepdim and self.dim():
        grad = _restore(grad, dims, False)
        result = _restore(result, dims, False)
    if ord == 0:
        return None  # PyTorch returns an undefined gradient
    if ord == 1:
        return self.sign() * grad
    if ord == 2:
        return grad * (self / result).masked_fill(result == 0, 0)
    if ord in (float("inf"), float("-inf")):
        magnitude = self.abs()
        mask = (magnitude == result).logical_or(magnitude.isnan())
        return self.sign() * ((grad / mask.sum(dims, keepdim=True)) * mask)
    if ord < 1:
        scaled = self.sign() * self.abs().pow(ord - 1).masked_fill(self == 0, 0)
        return scaled * grad * result.pow(1 - ord)
    if ord < 2:
        scaled = self.sign() * self.abs().pow(ord - 1)
    else:
        scaled = self * self.abs().pow(ord - 2)
    return scaled * (grad / result.pow(ord - 1)).masked_fill(result == 0, 0)


def _prod_backward(grad, self, result, dim, keepdim):
    # NB: in PyTorch this is prod_backward (FunctionsManual.cpp).
    if self.dim() == 0:
        return grad
    if dim is not None and not keepdim:
        grad = grad.unsqueeze(dim)
        result = result.unsqueeze(dim)
    if not (self == 0).any().item():
        return grad * (result / self)
    if dim is None:
        return (grad * _prod_of_others(self.reshape(-1), 0)).view(self.shape)
    return grad * _prod_of_others(self, dim)


def _prod_of_others(x, dim: int):
    """For each element, the product of the others along ``dim``; exact with zeros.

    Row k of ``x`` repeated n times with its k-th entry set to 1, multiplied out:
    written in differentiable ops, so the gradient of this gradient is exact too.
    """
    n = x.shape[dim]
    rows = x.transpose(dim, -1).unsqueeze(-2)
    repeated = rows.expand(tuple(rows.shape[:-2]) + (n, n))
    return repeated.masked_fill(eye(n, dtype=_dtype.bool_), 1).prod(-1).transpose(dim, -1)


def _evenly_distribute(grad, self, result):
    mask = self == result
    return mask * (grad / mask.sum())


def _amax_backward(grad, self, dim, keepdim, result):
    grad = _restore(grad, dim, keepdim)
    mask = self == _restore(result, dim, keepdim)
    return grad * mask / mask.sum(dim, keepdim=True)


def _cumsum_backward(grad, dim):
    # NB: in PyTorch this is cumsum_backward: a reversed cumulative sum.
    if grad.numel() <= 1 or grad.shape[dim] == 1:
        return grad
    return grad.flip([dim]).cumsum(dim).flip([dim])


def _select_backward(grad, dim, indices, self_sizes, keepdim):
    if len(self_sizes) == 0:
        return grad
    if not keepdim:
        grad = grad.unsqueeze(dim)
        indices = indices.unsqueeze(dim)
    return grad.new_zeros(self_sizes).scatter(dim, indices, grad)


# --- the table --------------------------------------------------------------------------

# NB: PyTorch allocates reduction results contiguous, whatever the input's layout.
sum_all = defop(
    "sum(Tensor self, *, ScalarType? dtype=None) -> Tensor",
    forward=_sum,
    layout=contiguous,
    node="SumBackward0",
    dtype=SUM,
    self=lambda grad, self_sizes: grad.expand(self_sizes),
)
sum_dim = defop(
    "sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
    forward=_sum,
    layout=contiguous,
    node="SumBackward1",
    dtype=SUM,
    self=lambda grad, dim, keepdim, self_sizes: expand_reduced(grad, dim, keepdim, self_sizes),
)
# --- out= dtype rules: each op's own check and words (see OpDef.out_dtype) -------------------------


def _name(d) -> str:
    return _dtype.scalar_type_name(d)


def _mean_out_dtype(out, result, inputs) -> None:
    # NB: PyTorch's full mean(out=) runs mean.dtype_out, which names itself.
    if not _dtype.can_cast(result, out):
        raise RuntimeError(
            f"mean.dtype_out(): input types can't be cast to the desired output type {_name(out)}"
        )


def _extreme_out_dtype(out, result, inputs) -> None:
    # max(input, out=) / min(input, out=): a bare TORCH_CHECK in PyTorch.
    if not _dtype.can_cast(result, out):
        raise RuntimeError(
            "Expected canCast( typeMetaToScalarType(self.dtype()), "
            "typeMetaToScalarType(out.dtype())) to be true, but got false.  (Could this error "
            "message be improved?  If so, please report an enhancement request to PyTorch.)"
        )


def _amax_out_dtype(out, result, inputs) -> None:
    if out is not result:
        raise RuntimeError(
            f"Expected the dtype for input and out to match, but got {_name(result)} for input's "
            f"dtype and {_name(out)} for out's dtype."
        )


def _logsumexp_out_dtype(out, result, inputs) -> None:
    if not out.is_floating_point:
        raise RuntimeError(
            f"logsumexp(): Expected floating point type for result tensor, but got: {_name(out)}"
        )


def _bool_out_dtype(name: str):
    def check(out, result, inputs) -> None:
        if out is not _dtype.bool_:
            raise RuntimeError(f"{name} only supports bool tensor for result, got: {_name(out)}")

    return check


mean_all = defop(
    "mean(Tensor self, *, ScalarType? dtype=None) -> Tensor",
    forward=_mean,
    layout=contiguous,
    out_dtype=_mean_out_dtype,
    node="MeanBackward0",
    self=lambda grad, self_sizes: (
        grad.expand(self_sizes) / builtins.max(_count(self_sizes, None), 1)
    ),
)
mean_dim = defop(
    "mean.dim(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
    forward=_mean,
    layout=contiguous,
    node="MeanBackward1",
    self=lambda grad, dim, keepdim, self_sizes: (
        expand_reduced(grad, dim, keepdim, self_sizes) / builtins.max(_count(self_sizes, dim), 1)
    ),
)
var_op = defop(
    "var.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, bool keepdim=False) -> Tensor",
    forward=_var,
    layout=contiguous,
    node="VarBackward0",
    self=lambda grad, self, dim, correction, keepdim: _var_backward(
        grad, self, dim, correction, keepdim
    ),
)
std_op = defop(
    "std.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, bool keepdim=False) -> Tensor",
    forward=_std,
    layout=contiguous,
    node="StdBackward0",
    self=lambda grad, self, dim, correction, keepdim, result: _var_backward(
        (grad / (result * 2)).masked_fill(result == 0, 0), self, dim, correction, keepdim
    ),
)
var_mean_op = defop(
    "var_mean.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, "
    "bool keepdim=False) -> (Tensor result0, Tensor result1)",
    forward=lambda self, dim=None, correction=1, keepdim=False: (
        _var(self, dim, correction, keepdim),
        _mean(self, dim, keepdim),
    ),
    node="VarMeanBackward0",
    self=lambda grads, self, dim, correction, keepdim: _moments_backward(
        grads[0], grads[1], self, dim, correction, keepdim
    ),
)
std_mean_op = defop(
    "std_mean.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, "
    "bool keepdim=False) -> (Tensor result0, Tensor result1)",
    forward=lambda self, dim=None, correction=1, keepdim=False: (
        _std(self, dim, correction, keepdim),
        _mean(self, dim, keepdim),
    ),
    node="StdMeanBackward0",
    self=lambda grads, self, dim, correction, keepdim, result0: _moments_backward(
        None if grads[0] is None else (grads[0] / (result0 * 2)).masked_fill(result0 == 0, 0),
        grads[1],
        self,
        dim,
        correction,
        keepdim,
    ),
)
prod_all = defop(
    "prod(Tensor self, *, ScalarType? dtype=None) -> Tensor",
    forward=_prod,
    layout=contiguous,
    node="ProdBackward0",
    dtype=SUM,
    self=lambda grad, self, result: _prod_backward(grad, self, result, None, False),
)
prod_dim = defop(
    "prod.dim_int(Tensor self, int dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
    forward=_prod,
    layout=contiguous,
    node="ProdBackward1",
    dtype=SUM,
    self=lambda grad, self, result, dim, keepdim: _prod_backward(grad, self, result, dim, keepdim),
)
max_all = defop(
    "max(Tensor self) -> Tensor",
    forward=np.max,
    out_dtype=_extreme_out_dtype,
    node="MaxBackward1",
    self=lambda grad, self, result: _evenly_distribute(grad, self, result),
)
min_all = defop(
    "min(Tensor self) -> Tensor",
    forward=np.min,
    out_dtype=_extreme_out_dtype,
    node="MinBackward1",
    self=lambda grad, self, result: _evenly_distribute(grad, self, result),
)
max_dim = defop(
    "max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
    forward=_max_dim,
    node="MaxBackward0",
    self=lambda grad, dim, indices, self_sizes, keepdim: _select_backward(
        grad, dim, indices, self_sizes, keepdim
    ),
)
min_dim = defop(
    "min.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
    forward=_min_dim,
    node="MinBackward0",
    self=lambda grad, dim, indices, self_sizes, keepdim: _select_backward(
        grad, dim, indices, self_sizes, keepdim
    ),
)
amax_op = defop(
    "amax(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor",
    forward=lambda self, dim, keepdim=False: np.max(self, axis=dim, keepdims=keepdim),
    layout=contiguous,
    out_dtype=_amax_out_dtype,
    node="AmaxBackward0",
    self=lambda grad, self, dim, keepdim, result: _amax_backward(grad, self, dim, keepdim, result),
)
amin_op = defop(
    "amin(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor",
    forward=lambda self, dim, keepdim=False: np.min(self, axis=dim, keepdims=keepdim),
    layout=contiguous,
    out_dtype=_amax_out_dtype,
    node="AminBackward0",
    self=lambda grad, self, dim, keepdim, result: _amax_backward(grad, self, dim, keepdim, result),
)
argmax_op = defop(
    "argmax(Tensor self, int? dim=None, bool keepdim=False) -> Tensor",
    forward=lambda self, dim=None, keepdim=False: np.argmax(self, axis=dim, keepdims=keepdim),
    layout=contiguous,
    dtype=LONG,
    out_dtype="exact",
)
argmin_op = defop(
    "argmin(Tensor self, int? dim=None, bool keepdim=False) -> Tensor",
    forward=lambda self, dim=None, keepdim=False: np.argmin(self, axis=dim, keepdims=keepdim),
    layout=contiguous,
    dtype=LONG,
    out_dtype="exact",
)
logsumexp_op = defop(
    "logsumexp(Tensor self, int[1] dim, bool keepdim=False) -> Tensor",
    forward=_logsumexp,
    layout=contiguous,
    out_dtype=_logsumexp_out_dtype,
    node="LogsumexpBackward0",
    self=lambda grad, self, dim, keepdim, result: (
        _restore(grad, dim, keepdim) * (self - _restore(result, dim, keepdim)).exp()
    ),
)
softmax_op = defop(
    "_softmax(Tensor self, int dim, bool half_to_float) -> Tensor",
    forward=_softmax,
    out_dtype="exact",
    node="SoftmaxBackward0",
    self=lambda grad, result, dim, self_dtype: softmax_backward_data(grad, result, dim, self_dtype),
)
log_softmax_op = defop(
    "_log_softmax(Tensor self, int dim, bool half_to_float) -> Tensor",
    forward=_log_softmax,
    out_dtype="exact",
    node="LogSoftmaxBackward0",
    self=lambda grad, result, dim, self_dtype: log_softmax_backward_data(
        grad, result, dim, self_dtype
    ),
)


def _softmax_backward_data(grad_output, output, dim, input_dtype):
    return output * (grad_output - np.add.reduce(grad_output * output, axis=dim, keepdims=True))


def _log_softmax_backward_data(grad_output, output, dim, input_dtype):
    return grad_output - np.exp(output) * np.add.reduce(grad_output, axis=dim, keepdims=True)


def _softmax_double_backward(grad, grad_output, dim, output):
    # NB: in PyTorch this is softmax_double_backward (FunctionsManual.cpp).
    return (
        grad_output * grad
        - (output * grad_output).sum(dim, keepdim=True) * grad
        - grad_output * (output * grad).sum(dim, keepdim=True)
    )


softmax_backward_data_op = defop(
    "_softmax_backward_data(Tensor grad_output, Tensor output, int dim, ScalarType input_dtype) -> Tensor",
    forward=_softmax_backward_data,
    node="SoftmaxBackwardDataBackward0",
    grad_output=lambda grad, output, dim, input_dtype: softmax_backward_data(
        grad.to(output.dtype), output, dim, input_dtype
    ),
    output=lambda grad, grad_output, dim, output: _softmax_double_backward(
        grad.to(output.dtype), grad_output, dim, output
    ).to(output.dtype),
)
log_softmax_backward_data_op = defop(
    "_log_softmax_backward_data(Tensor grad_output, Tensor output, int dim, ScalarType input_dtype) -> Tensor",
    forward=_log_softmax_backward_data,
    node="LogSoftmaxBackwardDataBackward0",
    grad_output=lambda grad, output, dim: (
        grad.to(output.dtype) - (grad.to(output.dtype) * output.exp()).sum(dim, keepdim=True)
    ),
    output=lambda grad, grad_output, dim, output: (
        -grad_output.sum(dim, keepdim=True) * output.exp() * grad.to(output.dtype)
    ).to(output.dtype),
)


def softmax_backward_data(grad_output, output, dim, input_dtype):
    attrs = {"dim": dim, "input_dtype": input_dtype}
    return call(softmax_backward_data_op, (grad_output, output), attrs)


def log_softmax_backward_data(grad_output, output, dim, input_dtype):
    attrs = {"dim": dim, "input_dtype": input_dtype}
    return call(log_softmax_backward_data_op, (grad_output, output), attrs)


norm_op = defop(
    "linalg_vector_norm(Tensor self, Scalar ord=2, int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
    forward=_norm,
    layout=contiguous,
    out_dtype="exact",
    node="LinalgVectorNormBackward0",
    self=lambda grad, self, ord, dim, keepdim, result: _norm_backward(
        grad, self, ord, dim, keepdim, result
    ),
)
all_op = defop(
    "all(Tensor self, int[1]? dim=None, bool keepdim=False) -> Tensor",
    forward=lambda self, dim=None, keepdim=False: np.all(self, axis=dim, keepdims=keepdim),
    layout=contiguous,
    dtype=COMPARE,
    out_dtype=_bool_out_dtype("all"),
)
any_op = defop(
    "any(Tensor self, int[1]? dim=None, bool keepdim=False) -> Tensor",
    forward=lambda self, dim=None, keepdim=False: np.any(self, axis=dim, keepdims=keepdim),
    layout=contiguous,
    dtype=COMPARE,
    out_dtype=_bool_out_dtype("any"),
)
cumsum_op = defop(
    "cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor",
    forward=lambda self, dim, dtype=None: np.cumsum(
        self.reshape(-1) if self.ndim == 0 else self, axis=dim
    ).reshape(self.shape),
    node="CumsumBackward0",
    dtype=SUM,
    self=lambda grad, dim: _cumsum_backward(grad, dim),
)


# --- public functions (choosing the overload as PyTorch's argument parser does) -----------


def _check_nonempty_dims(name: str, t: Tensor, dims) -> None:
    """PyTorch refuses to take an extreme (max, argmax, amax...) over an empty dim."""
    for d in dims:
        if t.dim() and t.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _float_check(name: str, t: Tensor, dtype) -> None:
    if dtype is None and not t.dtype.is_floating_point:
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_dtype.scalar_type_name(t.dtype)}"
        )
    if dtype is not None and not dtype.is_floating_point:
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Optional dtype must be either a floating "
            f"point or complex dtype. Got: {_dtype.scalar_type_name(dtype)}"
        )


def _check_recordable(t: Tensor, dtype) -> None:
    """As PyTorch's set_history: a recorded op (sum, prod, cumsum) cannot output integers."""
    if dtype is not None and not dtype.is_floating_point and t.requires_grad and GradMode.enabled:
        raise RuntimeError(f"Autograd not support dtype: {_dtype.scalar_type_name(dtype)}")


def _cast(t: Tensor, dtype):
    return t if dtype is None or dtype is t.dtype else t.to(dtype)


_NO_ATTRS: dict = {}


def _run(op, inputs, attrs, out):
    """The op out of place, or written into ``out`` through the in-place door."""
    if out is None:
        return call(op, inputs, attrs)
    return apply_out(op, inputs, attrs, out)


def _no_full_out(name: str) -> TypeError:
    # PyTorch's full sum/prod have no out= overload: its argument parser refuses the call.
    return TypeError(
        f"{name}() received an invalid combination of arguments - got (Tensor, out=Tensor), but "
        f"expected out= only with a dim"
    )


@public
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if dim is None and dtype is None and out is None:
        return call(sum_all, (input,))  # the common case, on every loss.sum()
    _check_recordable(input, dtype)
    if dim is None:
        if out is not None:
            raise _no_full_out("sum")
        return call(sum_all, (_cast(input, dtype),))
    dims = reduce_dims(dim, input.dim())
    if out is not None and dtype is None:
        dtype = out.dtype  # As PyTorch's sum.IntList_out: it sums in out's dtype.
    return _run(sum_dim, (_cast(input, dtype),), {"dim": dims, "keepdim": keepdim}, out)


@public
def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    _float_check("mean", input, dtype)
    input = _cast(input, dtype)
    if dim is None:
        return _run(mean_all, (input,), _NO_ATTRS, out)
    dims = reduce_dims(dim, input.dim())
    return _run(mean_dim, (input,), {"dim": dims, "keepdim": keepdim}, out)


def _correction(unbiased, correction) -> float:
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _variance(op, name, input, dim, unbiased, keepdim, correction, out=None):
    positional = isinstance(dim, bool)
    if positional:
        dim, unbiased = None, dim
    if out is not None and dim is None and unbiased is not None:
        # PyTorch's var(input, unbiased) overload has no out=: its argument parser refuses.
        got = "Tensor, bool, out=Tensor" if positional else "Tensor, out=Tensor, unbiased=bool"
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got ({got}), but expected "
            "one of:\n"
            " * (Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, "
            "Tensor out = None)\n"
            " * (Tensor input, tuple of ints dim = None, *, Number correction = None, "
            "bool keepdim = False, Tensor out = None)\n"
            " * (Tensor input, bool unbiased = True)\n"
        )
    if not input.dtype.is_floating_point:
        what = "std and var" if name in ("std", "var") else name
        raise RuntimeError(f"{what} only support floating point and complex dtypes")
    dims = None if dim is None else reduce_dims(dim, input.dim())
    c = _correction(unbiased, correction)
    if out is not None:
        check_out_grad(op, (input,), out)  # NB: as PyTorch, before the kernel's warning
    if _count(input.shape, dims) - c <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
            "than the reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )
    return _run(op, (input,), {"dim": dims, "correction": c, "keepdim": keepdim}, out)


@public
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    return _variance(var_op, "var", input, dim, unbiased, keepdim, correction, out)


@public
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    return _variance(std_op, "std", input, dim, unbiased, keepdim, correction, out)


@public
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _variance(var_mean_op, "var_mean", input, dim, unbiased, keepdim, correction)


@public
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _variance(std_mean_op, "std_mean", input, dim, unbiased, keepdim, correction)


@public
def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    # NB: as PyTorch's prod, dtype= is the kernel's, not a cast first: the node
    # saves the input itself (a later write into it makes backward raise).
    _check_recordable(input, dtype)
    if dim is None:
        if out is not None:
            raise _no_full_out("prod")
        return call(prod_all, (input,), {"dtype": dtype})
    if out is not None and dtype is None:
        dtype = out.dtype  # As PyTorch's prod.int_out: it multiplies in out's dtype.
    attrs = {"dim": _wrap_dim(dim, input.dim()), "keepdim": keepdim, "dtype": dtype}
    return _run(prod_dim, (input,), attrs, out)


def _extreme(full_op, dim_op, binary, name, return_type, input, dim, keepdim, other, out=None):
    if isinstance(dim, Tensor):
        return binary(input, dim, out=out)
    if other is not None:
        return binary(input, other, out=out)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                "the reduction dim with the 'dim' argument."
            )
        return _run(full_op, (input,), _NO_ATTRS, out)
    dim = _wrap_dim(dim, input.dim())
    _check_nonempty_dims(name, input, (dim,))
    if out is not None:
        return _extreme_out(dim_op, name, input, {"dim": dim, "keepdim": keepdim}, out)
    values, indices = call(dim_op, (input,), {"dim": dim, "keepdim": keepdim})
    return return_type(values, indices)


def _extreme_out(dim_op, name, input, attrs, out):
    """max(input, dim, out=(values, indices)): both checked, then each written through the
    in-place door (each resized with its own warning, as PyTorch's max.dim_max)."""
    values, indices = out
    check_out_grad(dim_op, (input,), values)
    check_out_grad(dim_op, (input,), indices)
    for t, want in ((values, input.dtype), (indices, _dtype.int64)):
        if t.dtype is not want:
            raise RuntimeError(
                f"Expected out tensor to have dtype {_c_type(want)}, but got {_c_type(t.dtype)} "
                "instead"
            )
    with no_grad():
        v, i = call(dim_op, (input,), attrs)
    clone = REGISTRY["clone"]
    apply_out(clone, (v,), _NO_ATTRS, values)
    apply_out(clone, (i,), _NO_ATTRS, indices)
    return getattr(_return_types, name + "_out")(values, indices)


@public
def max(input, dim=None, keepdim=False, *, other=None, out=None):
    return _extreme(
        max_all,
        max_dim,
        FUNCTIONS["maximum"],
        "max",
        _return_types.max,
        input,
        dim,
        keepdim,
        other,
        out,
    )


@public
def min(input, dim=None, keepdim=False, *, other=None, out=None):
    return _extreme(
        min_all,
        min_dim,
        FUNCTIONS["minimum"],
        "min",
        _return_types.min,
        input,
        dim,
        keepdim,
        other,
        out,
    )


def _check_dim_given(name: str, input: Tensor, dim) -> None:
    if dim == () and input.numel() == 0:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )


@public
def amax(input, dim=(), keepdim=False, *, out=None):
    _check_dim_given("amax", input, dim)
    dims = reduce_dims(dim if dim != () else None, input.dim())
    _check_nonempty_dims("amax", input, dims)
    return _run(amax_op, (input,), {"dim": dims, "keepdim": keepdim}, out)


@public
def amin(input, dim=(), keepdim=False, *, out=None):
    _check_dim_given("amin", input, dim)
    dims = reduce_dims(dim if dim != () else None, input.dim())
    _check_nonempty_dims("amin", input, dims)
    return _run(amin_op, (input,), {"dim": dims, "keepdim": keepdim}, out)


def _arg_dim(name: str, input: Tensor, dim):
    if input.dtype is _dtype.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if input.numel() == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        return None
    dim = _wrap_dim(dim, input.dim())
    _check_nonempty_dims(name, input, (dim,))
    return dim


@public
def argmax(input, dim=None, keepdim=False, *, out=None):
    dim = _arg_dim("argmax", input, dim)
    return _run(argmax_op, (input,), {"dim": dim, "keepdim": keepdim}, out)


@public
def argmin(input, dim=None, keepdim=False, *, out=None):
    dim = _arg_dim("argmin", input, dim)
    return _run(argmin_op, (input,), {"dim": dim, "keepdim": keepdim}, out)


_NO_DIM = object()


@public
def logsumexp(input, dim=_NO_DIM, keepdim=False, *, out=None):
    if dim is _NO_DIM:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    if not input.dtype.is_floating_point:
        input = input.to(_dtype.get_default_dtype())
    dims = reduce_dims(dim, input.dim())
    return _run(logsumexp_op, (input,), {"dim": dims, "keepdim": keepdim}, out)


_MISSING = object()


def _softmax_like(op, name, input, dim, dtype, out=None):
    if dim is _MISSING:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    if dim is None:
        raise TypeError(f"{name}(): argument 'dim' must be int, not NoneType")
    input = _cast(input, dtype)
    dim = _wrap_dim(dim, input.dim())
    if not input.dtype.is_floating_point:
        kernel = name + (
            "_lastdim_kernel_impl" if dim == input.dim() - 1 or input.dim() == 0 else "_kernel_impl"
        )
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{_dtype.scalar_type_name(input.dtype)}'"
        )
    return _run(op, (input,), {"dim": dim, "half_to_float": False}, out)


@public
def softmax(input, dim=_MISSING, dtype=None, *, out=None):
    return _softmax_like(softmax_op, "softmax", input, dim, dtype, out)


@public
def log_softmax(input, dim=_MISSING, dtype=None, *, out=None):
    return _softmax_like(log_softmax_op, "log_softmax", input, dim, dtype, out)


@public
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    if not input.dtype.is_floating_point and dtype is None:
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{_dtype.scalar_type_name(input.dtype)}"
        )
    ord = 2 if p in ("fro", None) else p
    dims = None if dim is None else reduce_dims(dim, input.dim())
    attrs = {"ord": ord, "dim": dims, "keepdim": keepdim, "dtype": dtype}
    return _run(norm_op, (input,), attrs, out)


@public
def all(input, dim=None, keepdim=False, *, out=None):
    dims = None if dim is None else reduce_dims(dim, input.dim())
    return _run(all_op, (input,), {"dim": dims, "keepdim": keepdim}, out)


@public
def any(input, dim=None, keepdim=False, *, out=None):
    dims = None if dim is None else reduce_dims(dim, input.dim())
    return _run(any_op, (input,), {"dim": dims, "keepdim": keepdim}, out)


@public
def cumsum(input, dim, *, dtype=None, out=None):
    _check_recordable(input, dtype)
    if out is not None and dtype is None:
        if out.dtype is _dtype.bool_:
            raise NotImplementedError("\"cumsum_out_cpu\" not implemented for 'Bool'")
        dtype = out.dtype  # As PyTorch's cumsum.out: it sums in out's dtype.
    attrs = {"dim": _wrap_dim(dim, input.dim()), "dtype": None}
    return _run(cumsum_op, (_cast(input, dtype),), attrs, out)


for _fn in (
    sum,
    mean,
    var,
    std,
    prod,
    max,
    min,
    amax,
    amin,
    argmax,
    argmin,
    logsumexp,
    softmax,
    log_softmax,
    norm,
    all,
    any,
    cumsum,
):
    method(_fn)
