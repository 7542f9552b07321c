"""Scans along a dim: cumprod, cummax, cummin, logcumsumexp, and ``Tensor.cumsum_``.

The backward formulas are PyTorch's (cumprod_backward, cummaxmin_backward,
logcumsumexp_backward) written in table ops, so they can be differentiated again.
"""

from __future__ import annotations

import numpy as np

from .. import _creation
from .._dispatch import call
from .._inplace import apply_out
from .._layout import contiguous
from .._tensor import Tensor, _wrap_dim
from . import _return_types
from ._api import make_inplace, method, public
from ._registry import SUM, defop
from .out_copy import write_outs
from .reduction import cumsum_op

__all__ = ["cumprod", "cummax", "cummin", "logcumsumexp"]

cummax_type = _return_types.return_type("cummax")
cummin_type = _return_types.return_type("cummin")


def _along(fn, self, dim):
    """``fn(array, axis)`` on ``self``, with a 0-d input treated as one element."""
    if self.ndim == 0:
        return fn(self.reshape(1), 0).reshape(())
    return fn(self, dim)


def _reverse_cumsum(t, dim):
    if t.dim() == 0:
        return t
    return t.flip([dim]).cumsum(dim).flip([dim])


def _cumprod_backward(grad, self, dim, result):
    if self.numel() <= 1:
        return grad
    if not bool((self == 0).any()):
        # d/dx_k of y_j = y_j / x_k for j >= k.
        return _reverse_cumsum(grad * result, dim) / self
    # With zeros, dividing is not possible: prod over i <= j, i != k, for every (k, j).
    n = self.shape[dim]
    x = self.movedim(dim, -1)
    rows = x.unsqueeze(-2).expand(*x.shape[:-1], n, n)
    eye = _creation.eye(n, dtype=rows.dtype).bool()
    partial = rows.masked_fill(eye, 1).cumprod(-1)  # [..., k, j]
    upper = _creation.ones(n, n, dtype=rows.dtype).triu()  # j >= k
    g = grad.movedim(dim, -1).unsqueeze(-2)
    return (partial * upper * g).sum(-1).movedim(-1, dim)


cumprod_op = defop(
    "cumprod(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor",
    forward=lambda self, dim, dtype=None: _along(
        lambda a, axis: np.cumprod(a, axis=axis, dtype=None if dtype is None else dtype._np),
        self,
        dim,
    ),
    node="CumprodBackward0",
    dtype=SUM,
    self=_cumprod_backward,
)


def _cum_extreme(self, dim, better):
    """Running max/min and the index where it was last reached (PyTorch: ties move it)."""
    if self.ndim == 0:
        return self.copy(), np.zeros((), np.int64)
    moved = np.moveaxis(self, dim, 0)
    values = np.empty_like(moved)
    indices = np.empty(moved.shape, np.int64)
    best = moved[0].copy()
    where = np.zeros(best.shape, np.int64)
    for k in range(moved.shape[0]):
        x = moved[k]
        take = better(x, best) | (x == best)
        if moved.dtype.kind == "f":
            take |= np.isnan(x)  # NaN wins and stays (a NaN best compares False)
        best = np.where(take, x, best)
        where = np.where(take, k, where)
        values[k], indices[k] = best, where
    return (
        contiguous(np.moveaxis(values, 0, dim)),
        contiguous(np.moveaxis(indices, 0, dim)),
    )


def _scatter_back(grad, self, dim, indices):
    # PyTorch's cummaxmin_backward: each output's gradient goes to the element it copied.
    if self.numel() == 0 or self.dim() == 0:
        return grad
    return self.new_zeros(self.shape).scatter_add(dim, indices, grad)


cummax_op = defop(
    "cummax(Tensor self, int dim) -> (Tensor values, Tensor indices)",
    forward=lambda self, dim: _cum_extreme(self, dim, np.greater),
    node="CummaxBackward0",
    self=_scatter_back,
)
cummin_op = defop(
    "cummin(Tensor self, int dim) -> (Tensor values, Tensor indices)",
    forward=lambda self, dim: _cum_extreme(self, dim, np.less),
    node="CumminBackward0",
    self=_scatter_back,
)


def _logcumsumexp(self, dim):
    def scan(a, axis):
        return np.logaddexp.accumulate(a, axis=axis) if a.shape[axis] else a.copy()

    return _along(scan, self, dim)


def _logcumsumexp_backward(grad, self, result, dim):
    # d y_j / d x_k = exp(x_k - y_j) for j >= k: a reversed cumulative sum of grad e^{-y}.
    if self.numel() <= 1:
        return grad  # one element: y = x, as PyTorch's logcumsumexp_backward short-cuts
    return _reverse_cumsum(grad * (-result).exp(), dim) * self.exp()


logcumsumexp_op = defop(
    "logcumsumexp(Tensor self, int dim) -> Tensor",
    forward=_logcumsumexp,
    node="LogcumsumexpBackward0",
    self=_logcumsumexp_backward,
)

_cumsum_inplace = make_inplace(cumsum_op, "cumsum_", pointwise=False)
_cumprod_inplace = make_inplace(cumprod_op, "cumprod_", pointwise=False)


def _cast(t: Tensor, dtype):
    return t if dtype is None or dtype is t.dtype else t.to(dtype)


@public
def cumprod(input, dim, *, dtype=None, out=None):
    # NB: as PyTorch's cumprod, dtype= is the kernel's, not a cast first: the node
    # saves the input itself (a later write into it makes backward raise).
    attrs = {"dim": _wrap_dim(dim, input.dim()), "dtype": dtype}
    if out is not None:
        return apply_out(cumprod_op, (input,), attrs, out)
    return call(cumprod_op, (input,), attrs)


def _cum(op, kind, input, dim, out):
    dim = _wrap_dim(dim, input.dim())
    return write_outs(op.name, kind(*call(op, (input,), {"dim": dim})), out, kind)


@public
def cummax(input, dim, *, out=None):
    return _cum(cummax_op, cummax_type, input, dim, out)


@public
def cummin(input, dim, *, out=None):
    return _cum(cummin_op, cummin_type, input, dim, out)


@public
def logcumsumexp(input, dim, *, out=None):
    if not input.dtype.is_floating_point:
        from .. import _dtype

        input = input.to(_dtype.get_default_dtype())
    attrs = {"dim": _wrap_dim(dim, input.dim())}
    if out is not None:
        return apply_out(logcumsumexp_op, (input,), attrs, out)
    return call(logcumsumexp_op, (input,), attrs)


def cumsum_(self, dim, *, dtype=None):
    if dtype is not None and dtype is not self.dtype:
        raise RuntimeError(
            "Bad in-place call: input tensor dtype "
            f"{str(self.dtype).split('.')[-1]} and output tensor dtype "
            f"{str(dtype).split('.')[-1]} should match"
        )
    return _cumsum_inplace(self, _wrap_dim(dim, self.dim()))


def cumprod_(self, dim, *, dtype=None):
    if dtype is not None and dtype is not self.dtype:
        raise RuntimeError(
            "Bad in-place call: input tensor dtype "
            f"{str(self.dtype).split('.')[-1]} and output tensor dtype "
            f"{str(dtype).split('.')[-1]} should match"
        )
    return _cumprod_inplace(self, _wrap_dim(dim, self.dim()))


for _fn in (cumprod, cummax, cummin, logcumsumexp, cumsum_, cumprod_):
    method(_fn)
