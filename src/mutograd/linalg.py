"""``torch.linalg``: norms, inverses, determinants, solves and factorizations.

The differentiable pieces are rows of the op table (ops/linalg_ops.py,
ops/extra_linalg.py); what PyTorch itself builds from other ops (matrix norms,
matrix_power, pinv, vecdot) is built the same way here, so gradients and node
names come from the ops they are made of.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from . import _creation
from ._dispatch import call
from ._tensor import Tensor, _wrap_dim
from .ops import _return_types
from .ops.extra_linalg import cholesky_ex, linalg_cholesky, solve_triangular
from .ops.linalg_ops import (
    LinAlgError,
    check_float,
    check_matrix,
    check_square,
    cross_op,
    det_op,
    eigh_op,
    inv_ex_op,
    pinv_op,
    qr_op,
    slogdet_op,
    solve_ex_op,
    svd_op,
)
from .ops.out_copy import write_out, write_outs
from .ops.reduction import norm_op, reduce_dims

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cross",
    "det",
    "eigh",
    "eigvalsh",
    "inv",
    "inv_ex",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
    "vecdot",
    "vector_norm",
]

inv_ex_type = _return_types.return_type("linalg_inv_ex", ("inverse", "info"))
solve_ex_type = _return_types.return_type("linalg_solve_ex", ("result", "info"))
slogdet_type = _return_types.return_type("linalg_slogdet", ("sign", "logabsdet"))
qr_type = _return_types.return_type("linalg_qr", ("Q", "R"))
svd_type = _return_types.return_type("linalg_svd", ("U", "S", "Vh"))
lstsq_type = _return_types.return_type(
    "linalg_lstsq", ("solution", "residuals", "rank", "singular_values")
)
svd_old_type = _return_types.return_type("svd", ("U", "S", "V"))
eigh_type = _return_types.return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
cholesky = linalg_cholesky


def _raise_singular(info: Tensor, message) -> None:
    values = info.reshape(-1).tolist()
    for k, v in enumerate(values):
        if v > 0:
            batch = f"(Batch element {k}): " if info.dim() > 0 else ""
            raise LinAlgError(message(batch, v))


def _square_float(A: Tensor, name: str) -> None:
    check_square(A, name)
    check_float(A, name)


# --- inverse, determinants ----------------------------------------------------------------------


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    _square_float(A, "linalg.inv")
    inverse, info = call(inv_ex_op, (A,), {"check_errors": False})
    if check_errors:
        _raise_inv(info, "linalg.inv_ex")
    return inv_ex_type(inverse, info)


def _raise_inv(info, name="linalg.inv"):
    _raise_singular(
        info,
        lambda batch, k: (
            f"{name}: {batch}The diagonal element {k} is zero, the inversion "
            "could not be completed because the input matrix is singular."
        ),
    )


def inv(A: Tensor, *, out=None) -> Tensor:
    inverse, info = inv_ex(A)
    _raise_inv(info)
    return inverse


def det(A: Tensor, *, out=None) -> Tensor:
    _square_float(A, "linalg.det")
    return call(det_op, (A,))[0]


def slogdet(A: Tensor, *, out=None):
    _square_float(A, "linalg.slogdet")
    return slogdet_type(*call(slogdet_op, (A,))[:2])


# --- solve --------------------------------------------------------------------------------------


def _is_vector(A: Tensor, B: Tensor) -> bool:
    # PyTorch: B is a (batch of) vector(s) when it is 1-D, or has one dim fewer than A and
    # A's batch shape.
    return B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False, out=None):
    _square_float(A, "linalg.solve")
    vector = _is_vector(A, B)
    n = A.shape[-1]
    rows = B.shape[-1] if vector else (B.shape[-2] if left else B.shape[-1])
    if rows != n:
        shape = f"{B.shape[-1]}x1" if vector else f"{B.shape[-2]}x{B.shape[-1]}"
        raise RuntimeError(
            "linalg.solve: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{A.shape[-1]} and {shape})"
        )
    b_batch = tuple(B.shape[:-1]) if vector else tuple(B.shape[:-2])
    batch = tuple(np.broadcast_shapes(tuple(A.shape[:-2]), b_batch))
    if tuple(A.shape[:-2]) != batch:
        A = A.expand(*batch, n, n)
    b_shape = batch + ((n,) if vector else tuple(B.shape[-2:]))
    if tuple(B.shape) != b_shape:
        B = B.expand(*b_shape)
    result, _, _, info = call(solve_ex_op, (A, B), {"left": left, "check_errors": False})
    if check_errors:
        _raise_solve(info)
    return solve_ex_type(result, info)


def _raise_solve(info):
    _raise_singular(
        info,
        lambda batch, k: (
            f"torch.linalg.solve: {batch}The solver failed because the input matrix is singular."
        ),
    )


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    result, info = solve_ex(A, B, left=left)
    _raise_solve(info)
    return result


# --- factorizations -----------------------------------------------------------------------------


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    check_matrix(A, "linalg.qr")
    check_float(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
            "(default), 'r', or 'complete'"
        )
    return qr_type(*call(qr_op, (A,), {"mode": mode}))


def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):
    check_matrix(A, "linalg.svd")
    check_float(A, "linalg.svd")
    attrs = {"full_matrices": full_matrices, "compute_uv": True}
    return svd_type(*call(svd_op, (A,), attrs))


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    check_matrix(A, "linalg.svdvals")
    check_float(A, "linalg.svdvals")
    # The singular vectors are needed by the backward: computed whenever A requires grad.
    attrs = {"full_matrices": False, "compute_uv": bool(A.requires_grad)}
    return call(svd_op, (A,), attrs)[1]


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    _square_float(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return eigh_type(*call(eigh_op, (A,), {"UPLO": UPLO, "compute_v": True}))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:
    _square_float(A, "linalg.eigvalsh")
    return eigh(A, UPLO).eigenvalues


# --- norms --------------------------------------------------------------------------------------


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{_dtype_word(x)}"
        )
    if dtype is not None:
        x = x.to(dtype)
    dims = None if dim is None else reduce_dims(dim, x.dim())
    ord = float(ord)
    if ord == float("-inf"):
        return x.abs().amin(dims if dims is not None else (), keepdim=keepdim)
    if ord == 0:
        nonzero = (x != 0).to(x.dtype)
        return nonzero.sum(dims, keepdim=keepdim) if dims is not None else nonzero.sum()
    ord = int(ord) if ord.is_integer() else ord
    return call(norm_op, (x,), {"ord": ord, "dim": dims, "keepdim": keepdim, "dtype": None})


def _dtype_word(x: Tensor) -> str:
    names = {
        "int64": "Long",
        "int32": "Int",
        "int16": "Short",
        "int8": "Char",
        "uint8": "Byte",
        "bool": "Bool",
    }
    kind = str(x.dtype).split(".")[-1]
    return names.get(kind, kind)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None, out=None):
    check_matrix(A, "linalg.matrix_norm")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (_wrap_dim(d, A.dim()) for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        moved = A.movedim((d0, d1), (-2, -1))
        s = svdvals(moved)
        if ord == "nuc":
            result = s.sum(-1)
        else:
            result = s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            for d in sorted((d0, d1)):
                result = result.unsqueeze(d)
        return result
    if ord in (1, -1, float("inf"), float("-inf")):
        # 1: the largest column sum; inf: the largest row sum (of absolute values).
        summed, other = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = A.abs().sum(summed, keepdim=keepdim)
        if not keepdim and summed < other:
            other -= 1
        return sums.amax(other, keepdim=keepdim) if ord > 0 else sums.amin(other, keepdim=keepdim)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None, out=None):
    if dim is not None and isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is None:
            return vector_norm(A, 2, None, keepdim, dtype=dtype)
        if len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if (
        isinstance(ord, str)
        or (dim is not None and len(dim) == 2)
        or (dim is None and A.dim() == 2)
    ):
        return matrix_norm(A, ord, dim if dim is not None else (-2, -1), keepdim, dtype=dtype)
    if dim is None and A.dim() != 1:
        raise RuntimeError(
            "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
            f"Got {A.dim()}D."
        )
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


# --- built from the above -----------------------------------------------------------------------


def matrix_power(A: Tensor, n: int, *, out=None) -> Tensor:
    check_square(A, "linalg.matrix_power")
    if n == 0:
        # As PyTorch: a clone of A overwritten with the identity (version 1, CopyBackwards).
        eye = _creation.eye(A.shape[-1], dtype=A.dtype)
        return A.clone().copy_(eye.expand(A.shape))
    if n < 0:
        A = inv(A)
        n = -n
    if n == 1:
        return A.clone()
    # Exponentiation by squaring, as PyTorch's linalg_matrix_power.
    result = None
    power = A
    while n:
        if n & 1:
            result = power if result is None else result.matmul(power)
        n >>= 1
        if n:
            power = power.matmul(power)
    return result


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    check_matrix(A, "linalg.pinv")
    check_float(A, "linalg.pinv")
    eps = float(np.finfo(A.dtype._np).eps)
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else max(A.shape[-2:]) * eps
    attrs = {"atol": atol, "rtol": float(rtol), "hermitian": hermitian}
    return call(pinv_op, (A,), attrs)


def matrix_rank(
    A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, tol=None, out=None
) -> Tensor:
    check_matrix(A, "linalg.matrix_rank")
    S = svdvals(A.detach())
    eps = float(np.finfo(S.dtype._np).eps)
    if tol is not None:
        atol, rtol = tol, 0.0
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else max(A.shape[-2:]) * eps
    top = S.amax(-1, keepdim=True) if S.numel() else S
    limit = top * rtol
    if atol is not None:
        limit = limit.clamp_min(atol)
    return (S > limit).sum(-1)


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    if input.dim() != other.dim():
        raise RuntimeError(
            f"linalg.cross: inputs must have the same number of dimensions. Got {input.dim()} "
            f"and {other.dim()}"
        )
    shape = tuple(np.broadcast_shapes(tuple(input.shape), tuple(other.shape)))
    given = dim
    dim = _wrap_dim(dim, len(shape))
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {given} must have length 3. Got "
            f"{input.shape[dim]} and {other.shape[dim]}"
        )
    # NB: the kernel broadcasts; the node saves the inputs as given, as PyTorch's.
    return call(cross_op, (input, other), {"dim": dim})


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out=None) -> Tensor:
    return (x * y).sum(dim)


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """Least squares through the pseudo-inverse (PyTorch's gelsy driver's solution)."""
    solution = pinv(A).matmul(B)
    empty = _creation.empty(0, dtype=A.dtype)
    rank = matrix_rank(A)
    return lstsq_type(solution, empty, rank, empty)


# --- out= ---------------------------------------------------------------------------------------


def _with_out(name: str, fn):
    """``fn`` taking ``out=``: its result (or tuple of results) copied into ``out``."""

    @functools.wraps(fn)
    def function(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        if out is None:
            return result
        if isinstance(result, tuple):
            return write_outs(name, result, out, type(result))
        return write_out(name, result, out)

    return function


for _name in (
    "inv_ex inv det slogdet solve_ex solve qr svd svdvals eigh eigvalsh vector_norm "
    "matrix_norm norm matrix_power pinv matrix_rank cross vecdot"
).split():
    # NB: PyTorch's linalg.inv runs linalg_inv_ex underneath, whose name its errors carry.
    _op_name = "linalg_inv_ex" if _name == "inv" else f"linalg_{_name}"
    globals()[_name] = _with_out(_op_name, globals()[_name])
cholesky = _with_out("linalg_cholesky", linalg_cholesky)


# --- the torch.<name> forms of the above -------------------------------------------------------


def _det(input):
    return det(input)


def _inverse(input, *, out=None):
    return inv(input)


def _slogdet(input):
    result = slogdet(input)
    return _return_types.return_type("slogdet", ("sign", "logabsdet"))(*result)


def _logdet(input):
    sign, logabsdet = slogdet(input)
    # PyTorch: nan for a negative determinant, -inf for a zero one.
    return logabsdet.masked_fill(sign < 0, float("nan"))


def _svd_old(input, some=True, compute_uv=True):
    """``torch.svd``: (U, S, V) with V = Vh^H (a transposed view, as PyTorch's)."""
    U, S, Vh = svd(input, full_matrices=not some)
    if not compute_uv:
        return svd_old_type(U.new_zeros(U.shape), S, Vh.new_zeros(Vh.mT.shape))
    return svd_old_type(U, S, Vh.mT)


def _cholesky_old(input, upper=False, *, out=None):
    warnings.warn(
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in "
        "a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
        "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be "
        "replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
        "equivalent results for all valid (symmetric positive definite) inputs.",
        UserWarning,
        stacklevel=3,
    )
    return linalg_cholesky(input, upper=upper)


TOP_LEVEL = {
    "det": _det,
    "inverse": _with_out("inverse", _inverse),
    "slogdet": _slogdet,
    "logdet": _logdet,
    "svd": _svd_old,
    "cholesky": _with_out("cholesky", _cholesky_old),
}
for _name, _fn in TOP_LEVEL.items():
    _fn.__name__ = _fn.__qualname__ = _name
    _fn.__module__ = "mutograd"
    setattr(Tensor, _name, _fn)
