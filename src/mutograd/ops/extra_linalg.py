"""Triangular parts and the triangular linear algebra the distributions need.

``tril``/``triu`` (and their in-place forms), ``linalg_cholesky_ex`` and
``linalg_solve_triangular``: rows of the op table with PyTorch's node names
and backward formulas (FunctionsManual's cholesky_backward and
linalg_solve_triangular_backward), written in table ops so that they can be
differentiated again.
"""

from __future__ import annotations

import numpy as np

from .._dispatch import call
from .._inplace import apply_out
from .._tensor import Tensor
from ._api import make_inplace, public
from ._registry import PROMOTE, defop

__all__ = ["cholesky_ex", "linalg_cholesky", "solve_triangular"]


def _check_matrix(input: Tensor, name: str) -> None:
    if input.dim() < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


tril_op = defop(
    "tril(Tensor self, int diagonal=0) -> Tensor",
    forward=lambda self, diagonal=0: np.ascontiguousarray(np.tril(self, diagonal)),
    node="TrilBackward0",
    inplace="tril_",
    self=lambda grad, diagonal: grad.tril(diagonal),
)
triu_op = defop(
    "triu(Tensor self, int diagonal=0) -> Tensor",
    forward=lambda self, diagonal=0: np.ascontiguousarray(np.triu(self, diagonal)),
    node="TriuBackward0",
    inplace="triu_",
    self=lambda grad, diagonal: grad.triu(diagonal),
)
_tril_inplace = make_inplace(tril_op, "tril_", pointwise=False)
_triu_inplace = make_inplace(triu_op, "triu_", pointwise=False)


def _triangular(op, name, inplace=None):
    def function(input, diagonal=0, *, out=None):
        _check_matrix(input, name)
        if out is not None:
            return apply_out(op, (input,), {"diagonal": int(diagonal)}, out)
        return call(op, (input,), {"diagonal": int(diagonal)})

    def method_(self, diagonal=0):
        _check_matrix(self, name)
        return call(op, (self,), {"diagonal": int(diagonal)})

    def inplace_(self, diagonal=0):
        _check_matrix(self, name)
        return inplace(self, int(diagonal))

    function.__name__ = method_.__name__ = name
    inplace_.__name__ = name + "_"
    public(function)
    setattr(Tensor, name, method_)
    setattr(Tensor, name + "_", inplace_)


_triangular(tril_op, "tril", _tril_inplace)
_triangular(triu_op, "triu", _triu_inplace)


def _column_major(matrices: np.ndarray) -> np.ndarray:
    """Each matrix stored column by column, as LAPACK returns them (PyTorch's strides)."""
    return np.swapaxes(np.swapaxes(matrices, -1, -2).copy(order="C"), -1, -2)


# --- Cholesky ---------------------------------------------------------------------------------


def _cholesky_ex(self, upper=False, check_errors=False):
    """(L, info) per matrix: info is 0, or the order of the first non-positive leading minor."""
    batch = self.shape[:-2]
    n = self.shape[-1]
    flat = self.reshape((-1, n, n))
    factors = np.zeros_like(flat)
    info = np.zeros(flat.shape[0], dtype=np.int32)
    for k, matrix in enumerate(flat):
        try:
            factors[k] = np.linalg.cholesky(matrix)
        except np.linalg.LinAlgError:
            # LAPACK's potrf reports the order of the failing leading minor.
            for order in range(1, n + 1):
                try:
                    np.linalg.cholesky(matrix[:order, :order])
                except np.linalg.LinAlgError:
                    info[k] = order
                    break
    factors = factors.reshape(self.shape)
    if upper:
        factors = np.swapaxes(factors, -1, -2).conj()
    return _column_major(factors), info.reshape(batch)


def _cholesky_backward(grad, upper, L):
    # PyTorch's cholesky_backward: with P = tril(L^H gL), gA = L^{-H} (P + tril(P, -1)^H) / 2
    # L^{-1} (the upper part of gL does not contribute).
    if upper:
        L = L.mT
        grad = grad.mT
    phi = L.mT.matmul(grad).tril()
    phi = 0.5 * (phi + phi.tril(-1).mT)
    phi = solve_triangular(L.mT, phi, upper=True, left=True)
    return solve_triangular(L, phi, upper=False, left=False)


cholesky_ex_op = defop(
    "linalg_cholesky_ex(Tensor self, *, bool upper=False, bool check_errors=False) "
    "-> (Tensor L, Tensor info)",
    forward=_cholesky_ex,
    node="LinalgCholeskyExBackward0",
    self=lambda grad, upper, L: _cholesky_backward(grad, upper, L),
)


def _check_square(input: Tensor, name: str) -> None:
    if input.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are "
            f"{input.shape[-2]} by {input.shape[-1]} matrices"
        )
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. Got "
            f"{str(input.dtype).replace('torch.', '').capitalize()}"
        )


def cholesky_ex(input: Tensor, *, upper: bool = False, check_errors: bool = False):
    """``torch.linalg.cholesky_ex``: (L, info) without raising on non-positive-definite input."""
    _check_square(input, "linalg.cholesky")
    L, info = call(cholesky_ex_op, (input,), {"upper": upper, "check_errors": False})
    if check_errors:
        _raise_not_pd(info)
    return L, info


def _raise_not_pd(info: Tensor) -> None:
    bad = [(k, v) for k, v in enumerate(info.reshape(-1).tolist()) if v > 0]
    if bad:
        k, order = bad[0]
        batch = f"(Batch element {k}): " if info.dim() > 0 else ""
        raise RuntimeError(
            f"linalg.cholesky: {batch}The factorization could not be completed because the "
            f"input is not positive-definite (the leading minor of order {order} is not "
            "positive-definite)."
        )


def linalg_cholesky(input: Tensor, *, upper: bool = False) -> Tensor:
    """``torch.linalg.cholesky``: the lower (or upper) Cholesky factor; raises if not PD."""
    L, info = cholesky_ex(input, upper=upper)
    _raise_not_pd(info)
    return L


# --- triangular solve ---------------------------------------------------------------------------


def _solve_triangular(self, B, upper, left=True, unitriangular=False):
    A = np.triu(self) if upper else np.tril(self)
    if unitriangular:
        eye = np.eye(A.shape[-1], dtype=bool)
        A = np.where(eye, 1, A).astype(A.dtype)
    if left:
        return _column_major(np.linalg.solve(A, B))
    # X A = B  <=>  A^T X^T = B^T
    X = np.swapaxes(np.linalg.solve(np.swapaxes(A, -1, -2), np.swapaxes(B, -1, -2)), -1, -2)
    return _column_major(X)


def _solve_triangular_A(grad, self, result, upper, left, unitriangular):
    # PyTorch's linalg_solve_triangular_backward for A: -G X^H (left) or -X^H G (right),
    # G the gradient of B, restricted to A's triangle (strictly, when unitriangular).
    gB = _solve_triangular_B(grad, self, upper, left, unitriangular)
    gA = -gB.matmul(result.mT) if left else -result.mT.matmul(gB)
    if upper:
        return gA.triu(1 if unitriangular else 0)
    return gA.tril(-1 if unitriangular else 0)


def _solve_triangular_B(grad, self, upper, left, unitriangular):
    return solve_triangular(self.mT, grad, upper=not upper, left=left, unitriangular=unitriangular)


solve_triangular_op = defop(
    "linalg_solve_triangular(Tensor self, Tensor B, *, bool upper, bool left=True, "
    "bool unitriangular=False) -> Tensor",
    forward=_solve_triangular,
    node="LinalgSolveTriangularBackward0",
    dtype=PROMOTE,
    self=_solve_triangular_A,
    B=_solve_triangular_B,
)


def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """``torch.linalg.solve_triangular``: X with A X = B (left) or X A = B, A triangular."""
    if A.dim() < 2 or B.dim() < 2:
        raise RuntimeError(
            "linalg.solve_triangular: The input tensor "
            f"{'A' if A.dim() < 2 else 'B'} must have at least 2 dimensions."
        )
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            "linalg.solve_triangular: A must be batches of square matrices, but they are "
            f"{A.shape[-2]} by {A.shape[-1]} matrices"
        )
    k = B.shape[-2] if left else B.shape[-1]
    if k != A.shape[-1]:
        raise RuntimeError(
            "linalg.solve_triangular: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{A.shape[-1]} and "
            f"{B.shape[-2]}x{B.shape[-1]})"
        )
    batch = np.broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-2]))
    A = A.expand(*batch, *A.shape[-2:]) if tuple(A.shape[:-2]) != batch else A
    B = B.expand(*batch, *B.shape[-2:]) if tuple(B.shape[:-2]) != batch else B
    attrs = {"upper": upper, "left": left, "unitriangular": unitriangular}
    return call(solve_triangular_op, (A, B), attrs)


# --- inverse from a Cholesky factor -------------------------------------------------------------


def _cholesky_inverse(self, upper=False):
    L = np.triu(self) if upper else np.tril(self)
    A = np.swapaxes(L, -1, -2) @ L if upper else L @ np.swapaxes(L, -1, -2)
    return _column_major(np.linalg.inv(A))


def _cholesky_inverse_backward(grad, self, upper, result):
    # PyTorch's cholesky_inverse_backward: with A = result, gL = -A (G + G^H) A L (lower), or
    # -U A (G + G^H) A (upper): a full matrix, not restricted to the triangle.
    common = result.matmul((grad + grad.mT).matmul(result))
    return -self.matmul(common) if upper else -common.matmul(self)


cholesky_inverse_op = defop(
    "cholesky_inverse(Tensor self, bool upper=False) -> Tensor",
    forward=_cholesky_inverse,
    node="CholeskyInverseBackward0",
    self=_cholesky_inverse_backward,
)


@public
def cholesky_inverse(input: Tensor, upper: bool = False, *, out: Tensor | None = None) -> Tensor:
    """The inverse of A = L L^H (or U^H U) given its Cholesky factor."""
    _check_matrix(input, "cholesky_inverse")
    if out is not None:
        return apply_out(cholesky_inverse_op, (input,), {"upper": upper}, out)
    return call(cholesky_inverse_op, (input,), {"upper": upper})
