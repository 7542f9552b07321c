"""op_db entries for ops/extra_linalg.py: tril/triu, Cholesky and triangular solves.

Imported at the end of op_db.py, so the generated differential, gradcheck and
saved-metadata tests cover these rows like the others.
"""

from __future__ import annotations

from op_db import NC, S, entry, f32, f64, fn, i64, inplace_on_clone, meth

from mutograd.ops.extra_linalg import linalg_cholesky, solve_triangular


def _spd(T, a):
    # A symmetric positive-definite matrix made from any square ``a``, so that finite
    # differences of every entry of ``a`` stay inside Cholesky's domain.
    eye = T.eye(a.shape[-1], dtype=a.dtype)
    return a.matmul(a.mT) + 2 * eye


def _cholesky(T, a, upper=False):
    if T.__name__ == "torch":
        return T.linalg.cholesky(_spd(T, a), upper=upper)
    return linalg_cholesky(_spd(T, a), upper=upper)


def _solve(T, A, B, **kwargs):
    # A well-conditioned triangular system: unit-ish diagonal added to A.
    A = A + 3 * T.eye(A.shape[-1], dtype=A.dtype)
    if T.__name__ == "torch":
        return T.linalg.solve_triangular(A, B, **kwargs)
    return solve_triangular(A, B, **kwargs)


def _triangular_samples(name):
    return [
        S(f32(3, 4), name="f32"),
        S(f64(4, 3), 1, name="above"),
        S(f32(2, 3, 3), -1, name="batched_below"),
        S(NC(f32(3, 3)), name="nc"),
        S(i64(3, 3), name="int"),
        S(f32(0, 3), name="empty"),
        S(f32(3, 3), 2, name="method", call=meth(name)),
        S(f32(3, 3), -2, name="inplace", call=inplace_on_clone(name + "_")),
    ]


for _name in ("tril", "triu"):
    entry(
        _name,
        fn(_name),
        _triangular_samples(_name),
        errors=[S(f32(3), name="vector")],
    )

entry(
    "linalg_cholesky_ex",
    _cholesky,
    [
        S(f64(3, 3), name="f64"),
        S(f64(2, 3, 3), name="batched"),
        S(f64(3, 3), upper=True, name="upper"),
        S(f32(2, 2), name="f32"),
    ],
    rtol=1e-5,
    atol=1e-6,
)
entry(
    "linalg_solve_triangular",
    _solve,
    [
        S(f64(3, 3), f64(3, 2), upper=False, name="lower"),
        S(f64(3, 3), f64(3, 4), upper=True, name="upper"),
        S(f64(2, 3, 3), f64(2, 2, 3), upper=True, left=False, name="right"),
        S(f64(3, 3), f64(3, 2), upper=False, unitriangular=True, name="unit"),
        S(f64(2, 3, 3), f64(3, 1), upper=True, name="broadcast"),
    ],
    errors=[S(f64(3, 3), f64(2, 2), upper=True, name="shapes")],
)


def _cholesky_inverse(T, a, upper=False):
    # A proper Cholesky factor (positive diagonal) built from any square ``a``.
    L = a.tril() + 3 * T.eye(a.shape[-1], dtype=a.dtype)
    return T.cholesky_inverse(L.mT if upper else L, upper)


entry(
    "cholesky_inverse",
    _cholesky_inverse,
    [
        S(f64(3, 3), name="lower"),
        S(f64(3, 3), True, name="upper"),
        S(f64(2, 3, 3), name="batched"),
    ],
)
