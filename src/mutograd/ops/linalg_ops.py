"""Dense linear algebra rows: inverse, determinants, solve, QR, SVD, eigh, cross.

Each row carries PyTorch's node name and a backward formula written in table ops
(FunctionsManual's linalg_inv / linalg_det / slogdet / linalg_solve / linalg_qr /
svd / eigh backward formulas, real case), so gradients can be differentiated
again. Results are laid out column by column where LAPACK returns them so (the
strides PyTorch reports). The ``torch.linalg`` functions built on these rows
live in ``mutograd.linalg``.
"""

from __future__ import annotations

import numpy as np

from .._creation import eye
from .._dispatch import call
from .._layout import contiguous
from .._tensor import Tensor
from ._registry import PROMOTE, defop
from .extra_linalg import _column_major, solve_triangular

__all__ = ["LinAlgError", "check_square", "check_float"]


class _LinAlgError(RuntimeError):
    """PyTorch's ``torch.linalg.LinAlgError``: a RuntimeError raised by a failed factorization."""


_LinAlgError.__module__ = "torch._C"
LinAlgError = _LinAlgError


def check_matrix(A: Tensor, name: str, arg: str = "A") -> None:
    if A.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")


def check_square(A: Tensor, name: str) -> None:
    check_matrix(A, name)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are "
            f"{A.shape[-2]} by {A.shape[-1]} matrices"
        )


def check_float(A: Tensor, name: str) -> None:
    if not A.dtype.is_floating_point:
        kind = str(A.dtype).split(".")[-1]
        names = {
            "int64": "Long",
            "int32": "Int",
            "int16": "Short",
            "int8": "Char",
            "uint8": "Byte",
            "bool": "Bool",
        }
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. Got "
            f"{names.get(kind, kind)}"
        )


def getrf(A: np.ndarray) -> tuple:
    """LAPACK getrf for a batch: (LU packed in one matrix, 1-based int32 pivots, info)."""
    batch, (m, n) = A.shape[:-2], A.shape[-2:]
    LU = A.reshape((-1, m, n)).astype(A.dtype, copy=True)
    k_max = min(m, n)
    pivots = np.zeros((LU.shape[0], k_max), np.int32)
    info = np.zeros(LU.shape[0], np.int32)
    rows = np.arange(LU.shape[0])
    for k in range(k_max):
        p = k + np.argmax(np.abs(LU[:, k:, k]), axis=1)
        pivots[:, k] = p + 1
        swap = LU[rows, p].copy()
        LU[rows, p] = LU[:, k]
        LU[:, k] = swap
        pivot = LU[:, k, k]
        zero = pivot == 0
        info[zero & (info == 0)] = k + 1
        safe = np.where(zero, 1, pivot)
        LU[:, k + 1 :, k] /= safe[:, None]
        LU[:, k + 1 :, k + 1 :] -= LU[:, k + 1 :, k : k + 1] * LU[:, k : k + 1, k + 1 :]
    return (
        _column_major(LU.reshape(A.shape)),
        pivots.reshape(batch + (k_max,)),
        info.reshape(batch),
    )


def lu_info(A: np.ndarray) -> np.ndarray:
    return getrf(A)[2]


# --- inverse ------------------------------------------------------------------------------------


def _inv_ex(A, check_errors=False):
    info = lu_info(A) if A.size else np.zeros(A.shape[:-2], np.int32)
    if info.any():
        return np.full(A.shape, np.nan, A.dtype), info
    return _column_major(np.linalg.inv(A)), info


inv_ex_op = defop(
    "linalg_inv_ex(Tensor A, *, bool check_errors=False) -> (Tensor inverse, Tensor info)",
    forward=_inv_ex,
    node="LinalgInvExBackward0",
    # d(A^{-1}) = -A^{-1} dA A^{-1}: gA = -A^{-H} G A^{-H}.
    A=lambda grad, inverse: -inverse.mT.matmul(grad).matmul(inverse.mT),
)


# --- determinants -------------------------------------------------------------------------------


def _inverse(A):
    return call(inv_ex_op, (A,), {"check_errors": False})[0]


def _det_backward(grad, A, LU, pivots, result):
    # d det(A) = det(A) tr(A^{-1} dA): gA = (g det A) A^{-H}. (LU and pivots are saved as
    # PyTorch's node saves them; the inverse is taken from A.)
    if A.numel() == 0:
        return A.new_zeros(A.shape)
    return (grad * result).unsqueeze(-1).unsqueeze(-1) * _inverse(A).mT


def _det(A):
    LU, pivots, _ = getrf(A)
    return np.asarray(np.linalg.det(A)), LU, pivots


det_op = defop(
    "_linalg_det(Tensor A) -> (Tensor result, Tensor LU, Tensor pivots)",
    forward=_det,
    node="LinalgDetBackward0",
    A=_det_backward,
)


def _slogdet_backward(grads, A, LU, pivots, sign):
    # PyTorch's slogdet_backward (real case): only logabsdet carries a gradient.
    g = grads[1]
    if g is None:
        return A.new_zeros(A.shape)
    return g.unsqueeze(-1).unsqueeze(-1) * _inverse(A).mT


def _slogdet(A):
    sign, logabsdet = np.linalg.slogdet(A)
    LU, pivots, _ = getrf(A)
    return np.asarray(sign, A.dtype), np.asarray(logabsdet, A.dtype), LU, pivots


slogdet_op = defop(
    "_linalg_slogdet(Tensor A) -> (Tensor sign, Tensor logabsdet, Tensor LU, Tensor pivots)",
    forward=_slogdet,
    node="LinalgSlogdetBackward0",
    A=_slogdet_backward,
)


# --- solve --------------------------------------------------------------------------------------


def _solve_ex(A, B, left=True, check_errors=False):
    LU, pivots, info = getrf(A)
    X, info = _solve_values(A, B, left, info)
    return X, LU, pivots, info


def _solve_values(A, B, left, info):
    if info.any():
        return np.full(B.shape, np.nan, B.dtype), info
    vector = B.ndim == A.ndim - 1
    if vector:
        M = A if left else np.swapaxes(A, -1, -2)
        X = np.linalg.solve(M, B[..., None])[..., 0]
        # PyTorch lays a batch of solution vectors out column by column too.
        return (_column_major(X) if X.ndim >= 2 else contiguous(X)), info
    if left:
        return _column_major(np.linalg.solve(A, B)), info
    # X A = B is solved as A^T X^T = B^T: the transposed result is row-major.
    X = np.swapaxes(np.linalg.solve(np.swapaxes(A, -1, -2), np.swapaxes(B, -1, -2)), -1, -2)
    return contiguous(X), info


def _solve_B(grad, A, LU, pivots, left):
    # (LU and pivots are saved as PyTorch's node saves them; A^H is solved afresh.)
    return call(solve_ex_op, (A.mT, grad), {"left": left, "check_errors": False})[0]


def _solve_A(grad, A, LU, pivots, result, left):
    gB = _solve_B(grad, A, LU, pivots, left)
    if result.dim() == A.dim() - 1:  # B was a vector (a batch of vectors)
        return -gB.unsqueeze(-1) * result.unsqueeze(-2)
    return -gB.matmul(result.mT) if left else -result.mT.matmul(gB)


solve_ex_op = defop(
    "_linalg_solve_ex(Tensor A, Tensor B, *, bool left=True, bool check_errors=False) "
    "-> (Tensor result, Tensor LU, Tensor pivots, Tensor info)",
    forward=_solve_ex,
    node="LinalgSolveExBackward0",
    dtype=PROMOTE,
    A=_solve_A,
    B=_solve_B,
)


# --- QR -----------------------------------------------------------------------------------------


def _qr(A, mode="reduced"):
    if mode == "r":
        R = np.linalg.qr(A, mode="r") if A.size else np.zeros(A.shape, A.dtype)
        return np.zeros((0,), A.dtype), _column_major(R)
    Q, R = np.linalg.qr(A, mode=mode)
    return _column_major(Q), _column_major(R)


def _qr_backward(grads, Q, R, mode):
    # m >= n, reduced: gA = [gQ + Q copyltu(M)] R^{-H}, M = R gR^H - gQ^H Q, copyltu the
    # lower triangle mirrored onto the upper one (PyTorch's linalg_qr_backward).
    gQ, gR = grads
    m, n = Q.shape[-2], R.shape[-1]
    if mode == "r":
        raise RuntimeError(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
            "through linalg.qr."
        )
    if mode == "complete" and m > n:
        raise RuntimeError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
    if m < n:
        raise NotImplementedError(
            "linalg.qr backward for wide matrices (nrows < ncols) is not supported by mutograd yet"
        )
    M = Q.new_zeros(R.shape[:-2] + (n, n))
    if gR is not None:
        M = M + R.matmul(gR.mT)
    if gQ is not None:
        M = M - gQ.mT.matmul(Q)
    lower = M.tril(-1)
    b = Q.matmul(lower + lower.mT + M.tril().triu())
    if gQ is not None:
        b = b + gQ
    return solve_triangular(R.mT, b, upper=False, left=False)


qr_op = defop(
    "linalg_qr(Tensor A, str mode='reduced') -> (Tensor Q, Tensor R)",
    forward=_qr,
    node="LinalgQrBackward0",
    A=_qr_backward,
)


# --- SVD ----------------------------------------------------------------------------------------


def _svd(A, full_matrices=False, compute_uv=True):
    m, n = A.shape[-2:]
    k = min(m, n)
    if A.size == 0:
        U = np.zeros(A.shape[:-2] + (m, m if full_matrices else k), A.dtype)
        Vh = np.zeros(A.shape[:-2] + (n if full_matrices else k, n), A.dtype)
        U[..., :, :] = np.eye(*U.shape[-2:], dtype=A.dtype) if full_matrices else 0
        Vh[..., :, :] = np.eye(*Vh.shape[-2:], dtype=A.dtype) if full_matrices else 0
        return _column_major(U), np.zeros(A.shape[:-2] + (k,), A.dtype), _column_major(Vh)
    U, S, Vh = np.linalg.svd(A, full_matrices=full_matrices)
    if not compute_uv:
        return np.zeros((0,), A.dtype), contiguous(S), np.zeros((0,), A.dtype)
    return _column_major(U), contiguous(S), _column_major(Vh)


def _svd_backward(grads, U, S, Vh, full_matrices):
    # The real case of PyTorch's svd_backward (see the module docstring): with
    # skew(X) = X - X^H and E_ij = s_j^2 - s_i^2,
    #   gA = U [(skew(U^H gU) S_j + S_i skew(V^H gV)) / E + diag(gS)] V^H
    #        + (I - U U^H) gU S^{-1} V^H + U S^{-1} gV^H (I - V V^H).
    gU, gS, gVh = grads
    m, n = U.shape[-2], Vh.shape[-1]
    k = S.shape[-1]
    if full_matrices and m != n:
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        gU = None if gU is None else gU[..., :, :k]
        gVh = None if gVh is None else gVh[..., :k, :]
    if gU is None and gVh is None:
        return U.matmul(gS.unsqueeze(-1) * Vh) if gS is not None else None
    V = Vh.mT
    gV = None if gVh is None else gVh.mT
    S_row, S_col = S.unsqueeze(-2), S.unsqueeze(-1)
    squares = S * S
    E = squares.unsqueeze(-2) - squares.unsqueeze(-1)
    eye = _eye_like(E)
    E = E + eye  # ones on the diagonal (skew matrices are zero there)
    inner = U.new_zeros(E.shape)
    if gU is not None:
        UhgU = U.mT.matmul(gU)
        inner = inner + (UhgU - UhgU.mT) * S_row
    if gV is not None:
        VhgV = V.mT.matmul(gV)
        inner = inner + S_col * (VhgV - VhgV.mT)
    inner = inner / E
    if gS is not None:
        inner = inner + eye * gS.unsqueeze(-2)
    gA = U.matmul(inner).matmul(Vh)
    if m > k and gU is not None:
        gA = gA + ((gU - U.matmul(UhgU)) / S_row).matmul(Vh)
    if n > k and gV is not None:
        gA = gA + U.matmul(((gV - V.matmul(VhgV)) / S_row).mT)
    return gA


def _eye_like(E):
    return eye(E.shape[-1], dtype=E.dtype)


svd_op = defop(
    "_linalg_svd(Tensor A, bool full_matrices=False, bool compute_uv=True) "
    "-> (Tensor U, Tensor S, Tensor Vh)",
    forward=_svd,
    node="LinalgSvdBackward0",
    A=_svd_backward,
)


# --- eigh ---------------------------------------------------------------------------------------


def _eigh(A, UPLO="L", compute_v=True):
    L, V = np.linalg.eigh(A, UPLO=UPLO)
    return contiguous(L), _column_major(V)


def _eigh_backward(grads, eigenvalues, eigenvectors):
    # gA = V [diag(gL) + (V^H gV) / E] V^H with E_ij = l_j - l_i, off the diagonal
    # (PyTorch's linalg_eig_backward for Hermitian input).
    gL, gV = grads
    V = eigenvectors
    eye = _eye_like(V.new_zeros(V.shape[-1:] * 2))
    inner = V.new_zeros(V.shape)
    if gV is not None:
        E = eigenvalues.unsqueeze(-2) - eigenvalues.unsqueeze(-1)
        inner = V.mT.matmul(gV) / (E + eye) * (1 - eye)
    if gL is not None:
        inner = inner + eye * gL.unsqueeze(-2)
    return V.matmul(inner).matmul(V.mT)


eigh_op = defop(
    "_linalg_eigh(Tensor A, str UPLO='L', bool compute_v=True) "
    "-> (Tensor eigenvalues, Tensor eigenvectors)",
    forward=_eigh,
    node="LinalgEighBackward0",
    A=_eigh_backward,
)


# --- cross product ------------------------------------------------------------------------------

cross_op = defop(
    "linalg_cross(Tensor self, Tensor other, *, int dim=-1) -> Tensor",
    forward=lambda self, other, dim=-1: contiguous(np.cross(self, other, axis=dim)),
    node="LinalgCrossBackward0",
    dtype=PROMOTE,
    # d(a x b) = da x b + a x db: ga = b x g, gb = g x a.
    self=lambda grad, other, dim: _cross(other, grad, dim),
    other=lambda grad, self, dim: _cross(grad, self, dim),
)


def _cross(a, b, dim):
    return call(cross_op, (a, b), {"dim": dim})


# --- pseudo-inverse -----------------------------------------------------------------------------


def _pinv(A, atol=None, rtol=None, hermitian=False):
    U, S, Vh = np.linalg.svd(A, full_matrices=False)
    top = S.max(axis=-1, keepdims=True) if S.size else S
    limit = top * rtol
    if atol is not None:
        limit = np.maximum(limit, atol)
    inverse = np.where(S > limit, 1 / np.where(S > limit, S, 1), 0)
    return contiguous(np.swapaxes(Vh, -1, -2) * inverse[..., None, :] @ np.swapaxes(U, -1, -2))


def _pinv_backward(grad, A, result):
    # PyTorch's pinv_backward (real case): with P = pinv(A) and G its gradient,
    # for m <= n: K = G^H P, gA = -(P K)^H + K P^H - A P K P^H + P^H P (G^H - K A);
    # for m > n:  K = P G^H, gA = -(K P)^H + (G^H - A K) P P^H + P^H K - P^H K P A.
    P, Ph, Gh = result, result.mT, grad.mT
    m, n = A.shape[-2], A.shape[-1]
    if m <= n:
        K = Gh.matmul(P)
        KPh = K.matmul(Ph)
        return (
            -(P.matmul(K)).mT
            + KPh
            - A.matmul(P).matmul(KPh)
            + Ph.matmul(P).matmul(Gh - K.matmul(A))
        )
    K = P.matmul(Gh)
    PhK = Ph.matmul(K)
    return (
        -(K.matmul(P)).mT + (Gh - A.matmul(K)).matmul(P).matmul(Ph) + PhK - PhK.matmul(P).matmul(A)
    )


pinv_op = defop(
    "linalg_pinv.atol_rtol_float(Tensor self, *, float? atol=None, float? rtol=None, "
    "bool hermitian=False) -> Tensor",
    forward=lambda self, atol=None, rtol=None, hermitian=False: _pinv(self, atol, rtol),
    node="LinalgPinvBackward0",
    self=lambda grad, self, result: _pinv_backward(grad, self, result),
)
