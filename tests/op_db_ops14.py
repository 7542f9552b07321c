"""op_db entries for the sorting, scan and einsum families (ops/sorting.py,
ops/cumulative.py, ops/einsum.py).

Imported at the end of op_db.py, so the generated differential, gradcheck and
saved-metadata tests cover these rows like the others. Samples use distinct
values wherever ties would make the chosen index implementation-defined.
"""

from __future__ import annotations

import numpy as np
from op_db import DT, NC, Const, S, distinct, entry, f32, f64, fn, i64, inplace_on_clone, meth


def _d(*shape):
    return distinct(*shape)


def _d64(*shape):
    return distinct(*shape, dtype="float64")


def _pick(field):
    """``T.<op>(...)`` then one field of the returned named tuple."""

    def wrap(call):
        def run(T, *args, **kwargs):
            return getattr(call(T, *args, **kwargs), field)

        return run

    return wrap


entry(
    "sort",
    fn("sort"),
    [
        S(_d(3, 4), name="last"),
        S(_d(3, 4), 0, name="dim0"),
        S(_d(3, 4), 1, True, name="descending"),
        S(_d64(5), name="f64"),
        S(NC(_d(4, 3)), 0, name="nc"),
        S(i64(3, 4), name="int", gradcheck=False),
        S(f32(0, 3), name="empty"),
        S(_d(2, 3), name="method", call=meth("sort")),
        S(_d(), name="0d"),
        S(np.array([1.0, np.nan, -1.0, 2.0], dtype="float32"), name="nan", gradcheck=False),
        S(
            np.array([1.0, np.nan, -1.0, 2.0], dtype="float32"),
            descending=True,
            name="nan_desc",
            gradcheck=False,
        ),
    ],
    errors=[S(_d(3), 2, name="dim")],
)
entry(
    "sort.stable",
    fn("sort"),
    [
        S(_d(3, 4), stable=True, name="stable"),
        S(np.array([2, 1, 2, 1, 0], dtype="int64"), stable=True, name="ties"),
        S(
            np.array([2, 1, 2, 1, 0], dtype="int64"),
            stable=True,
            descending=True,
            name="ties_desc",
        ),
    ],
)
entry(
    "argsort",
    fn("argsort"),
    [
        S(_d(3, 4), name="last"),
        S(_d(3, 4), 0, True, name="desc"),
        S(np.array([2, 1, 2, 1, 0], dtype="int64"), stable=True, name="stable"),
        S(_d(2, 3), name="method", call=meth("argsort")),
    ],
    op=None,
    grad=False,
)
entry("msort", fn("msort"), [S(_d(3, 4), name="f32"), S(_d64(4), name="1d")], op="sort")
entry(
    "topk",
    fn("topk"),
    [
        S(_d(3, 5), 2, name="largest"),
        S(_d(3, 5), 3, 0, name="dim0"),
        S(_d(3, 5), 2, largest=False, name="smallest"),
        S(_d64(6), 6, name="all"),
        S(_d(3, 5), 0, name="zero"),
        S(NC(_d(4, 3)), 2, name="nc"),
        S(_d(2, 3), 1, name="method", call=meth("topk")),
    ],
    errors=[S(_d(3), 4, name="k")],
)
entry(
    "kthvalue",
    fn("kthvalue"),
    [
        S(_d(3, 5), 2, name="last"),
        S(_d(3, 5), 1, 0, name="dim0"),
        S(_d(3, 5), 3, 1, True, name="keepdim"),
        S(_d64(7), 4, name="f64"),
        S(_d(2, 3), 2, name="method", call=meth("kthvalue")),
    ],
    errors=[S(_d(3), 4, name="k"), S(_d(3), 0, name="k0")],
)


def _median(name):
    def call(T, *args, **kwargs):
        return getattr(T, name)(*args, **kwargs)

    call.__name__ = name
    return call


entry(
    "median",
    _median("median"),
    [
        S(_d(3, 5), name="odd"),
        S(_d(4, 2), name="even"),
        S(_d64(7), name="f64"),
        S(np.array([1.0, 2.0, 2.0, 3.0], dtype="float64"), name="ties", gradcheck=False),
        S(np.array([1.0, np.nan, 2.0], dtype="float32"), name="nan", gradcheck=False),
        S(i64(5), name="int"),
    ],
)
entry(
    "median.dim",
    fn("median"),
    [
        S(_d(3, 5), 1, name="odd"),
        S(_d(4, 2), 0, name="even"),
        S(_d(3, 4), 1, True, name="keepdim"),
        S(_d(2, 3), -1, name="method", call=meth("median")),
    ],
    errors=[S(f32(3, 0), 1, name="empty")],
)
entry(
    "nanmedian",
    _median("nanmedian"),
    [
        S(_d(3, 5), name="plain"),
        S(np.array([1.0, np.nan, 2.0, 5.0], dtype="float32"), name="nan", gradcheck=False),
    ],
)
entry(
    "nanmedian.dim",
    fn("nanmedian"),
    [
        S(_d(3, 5), 1, name="plain"),
        S(
            np.array([[1.0, np.nan, 2.0], [np.nan, np.nan, 3.0]], dtype="float32"),
            1,
            name="nan",
            gradcheck=False,
        ),
    ],
)
entry(
    "mode",
    fn("mode"),
    [
        S(np.array([[1, 2, 2, 3], [1, 1, 3, 3]], dtype="int64"), name="int"),
        S(np.array([[1.0, 2.0, 2.0, 3.0], [4.0, 1.0, 3.0, 3.0]]), name="f64", gradcheck=False),
        S(_d(3, 4), 0, name="distinct"),
        S(_d(3, 4), 1, True, name="keepdim"),
    ],
)


def _unique(T, x, **kwargs):
    return T.unique(x, **kwargs)


entry(
    "unique",
    _unique,
    [
        S(np.array([3, 1, 2, 1, 3, 3], dtype="int64"), name="int"),
        S(i64(3, 4), return_inverse=True, name="inverse"),
        S(i64(3, 4), return_counts=True, name="counts"),
        S(i64(3, 4), return_inverse=True, return_counts=True, name="both"),
        S(np.array([0.5, -1.0, 0.5], dtype="float32"), name="float"),
    ],
    op="_unique2",
    gradcheck=False,
)
entry(
    "unique_dim",
    _unique,
    [
        S(
            np.array([[1, 2], [1, 2], [0, 5]], dtype="int64"),
            dim=0,
            return_inverse=True,
            return_counts=True,
            name="rows",
        ),
        S(np.array([[1.0, 2.0, 1.0], [3.0, 0.5, 3.0]]), dim=1, name="float"),
    ],
    gradcheck=False,
)
entry(
    "unique_consecutive",
    fn("unique_consecutive"),
    [
        S(
            np.array([1, 1, 2, 2, 3, 1, 1], dtype="int64"),
            return_inverse=True,
            return_counts=True,
            name="both",
        ),
    ],
    op=None,
    grad=False,
)

# --- scans ----------------------------------------------------------------------------------

entry(
    "cumprod",
    fn("cumprod"),
    [
        S(f32(2, 3), 1, name="dim1"),
        S(f64(4, 3), 0, name="dim0"),
        S(np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, 0.5]]), 1, name="zeros"),
        S(i64(2, 3), 1, name="int"),
        S(f32(), 0, name="0d"),
        S(f32(3), 0, dtype=DT("float64"), name="dtype"),
        S(f32(2, 3), 1, name="method", call=meth("cumprod")),
        S(f32(2, 3), 0, name="inplace", call=inplace_on_clone("cumprod_")),
    ],
)
entry(
    "cumsum_",
    inplace_on_clone("cumsum_"),
    [S(f32(2, 3), 1, name="dim1"), S(f64(4), 0, name="f64")],
    op="cumsum",
)
for _name in ("cummax", "cummin"):
    entry(
        _name,
        fn(_name),
        [
            S(_d(3, 4), 1, name="dim1"),
            S(_d64(4, 3), 0, name="dim0"),
            S(np.array([1, 3, 3, 2, 5, 0], dtype="int64"), 0, name="ties"),
            S(np.array([1.0, np.nan, 3.0, 0.0], dtype="float32"), 0, name="nan", gradcheck=False),
            S(_d(), 0, name="0d"),
            S(_d(2, 3), -1, name="method", call=meth(_name)),
        ],
    )
entry(
    "logcumsumexp",
    fn("logcumsumexp"),
    [
        S(f32(2, 3), 1, name="dim1"),
        S(f64(4, 3), 0, name="dim0"),
        S(f32(), 0, name="0d"),
        S(f32(0, 3), 0, name="empty"),
        S(f32(2, 3), -1, name="method", call=meth("logcumsumexp")),
    ],
)

# --- movedim / einsum (composites: values, gradients and node names of what they reach) --------

entry(
    "movedim",
    fn("movedim"),
    [
        S(f32(2, 3, 4), 0, 2, name="one"),
        S(f32(2, 3, 4), (0, 1), (2, 0), name="two"),
        S(f32(2, 3, 4), -1, 0, name="negative"),
        S(f32(2, 3), 0, 1, name="method", call=meth("moveaxis")),
    ],
    op=None,
    errors=[S(f32(2, 3), (0, 1), (1,), name="count"), S(f32(2, 3), (0, 0), (0, 1), name="repeat")],
)


def _einsum(equation):
    def call(T, *operands):
        return T.einsum(equation, *operands)

    call.__name__ = "einsum"
    return call


_EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,kj->ik", [(3, 4), (5, 4)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij", [(2, 3)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("i,ij,j", [(3,), (3, 4), (4,)]),
    ("ijk,ik->j", [(2, 3, 4), (2, 4)]),
]
for _k, (_eq, _shapes) in enumerate(_EINSUM):
    entry(
        f"einsum[{_eq}]",
        _einsum(_eq),
        [
            S(*[f32(*s) for s in _shapes], name="f32"),
            S(*[f64(*s) for s in _shapes], name="f64"),
        ],
        op=None,
    )
entry(
    "einsum",
    fn("einsum"),
    [S("ij,jk", [f32(2, 3), f32(3, 2)], name="list")],
    op=None,
    errors=[S("ij,jk->ik", f32(2, 3), name="operands"), S("ijk", f32(2, 3), name="ndim")],
)

# --- torch.linalg -----------------------------------------------------------------------------


def _la(name, prep=None, field=None):
    """``T.linalg.<name>(...)``, on well-conditioned inputs built by ``prep``."""

    def call(T, A, *args, **kwargs):
        if prep is not None:
            A = prep(T, A)
        result = getattr(T.linalg, name)(A, *args, **kwargs)
        return getattr(result, field) if field else result

    call.__name__ = name
    return call


def _wellposed(T, a):
    # A + 4 I: far from singular for entries in [-2, 2] and sizes up to 4.
    return a + 4 * T.eye(a.shape[-1], dtype=a.dtype)


def _sym(T, a):
    # A symmetric matrix with well-separated eigenvalues (differentiable through a).
    n = a.shape[-1]
    spread = T.eye(n, dtype=a.dtype) * (T.arange(n, dtype=a.dtype) * 3.0)
    return 0.2 * (a + a.mT) + spread


entry(
    "linalg_inv_ex",
    _la("inv", _wellposed),
    [S(f64(3, 3), name="f64"), S(f64(2, 3, 3), name="batched"), S(f32(2, 2), name="f32")],
)
entry(
    "linalg.inv",
    _la("inv"),
    [S(f64(3, 3) + 4 * np.eye(3), name="f64")],
    op="linalg_inv_ex",
    errors=[
        S(f64(2, 3), name="nonsquare"),
        S(i64(2, 2), name="int"),
    ],
)
entry(
    "inverse",
    fn("inverse"),
    [S(f64(3, 3) + 4 * np.eye(3), name="f64")],
    op="linalg_inv_ex",
)
entry(
    "_linalg_det",
    _la("det", _wellposed),
    [S(f64(3, 3), name="f64"), S(f64(2, 3, 3), name="batched")],
    errors=[S(f64(2, 3), name="nonsquare")],
)
entry("det", fn("det"), [S(f64(3, 3) + 4 * np.eye(3), name="f64")], op="_linalg_det")
entry(
    "_linalg_slogdet",
    _la("slogdet", _wellposed),
    [S(f64(3, 3), name="f64"), S(f64(2, 3, 3), name="batched")],
)
entry(
    "_linalg_solve_ex",
    lambda T, A, B, **k: T.linalg.solve(_wellposed(T, A), B, **k),
    [
        S(f64(3, 3), f64(3, 2), name="matrix"),
        S(f64(3, 3), f64(3), name="vector"),
        S(f64(2, 3, 3), f64(2, 3), name="batched_vector"),
        S(f64(2, 3, 3), f64(3, 4), name="broadcast"),
        S(f64(3, 3), f64(2, 3), left=False, name="right"),
    ],
    errors=[S(f64(3, 3), f64(2, 2), name="shapes")],
)
entry(
    "linalg_qr",
    _la("qr"),
    [
        S(f64(4, 3), name="tall"),
        S(f64(3, 3), name="square"),
        S(f64(2, 4, 2), name="batched"),
        S(f64(4, 3), mode="complete", name="complete", gradcheck=False),
    ],
    errors=[S(f64(3), name="vector")],
)
entry(
    "_linalg_svd",
    lambda T, A, **k: _svd_facts(T.linalg.svd(A, **k)),
    [
        S(f64(4, 3), full_matrices=False, name="tall"),
        S(f64(3, 4), full_matrices=False, name="wide"),
        S(f64(3, 3), name="square"),
        S(f64(2, 3, 2), full_matrices=False, name="batched"),
    ],
    errors=[S(f64(3), name="vector")],
)


def _svd_facts(result):
    # The singular vectors are defined up to a sign per pair: compare U diag(S) Vh pieces
    # that do not depend on it (each rank-one term) plus S itself.
    U, S_, Vh = result
    k = S_.shape[-1]
    terms = U[..., :, :k].unsqueeze(-1) * Vh[..., :k, :].unsqueeze(-3)  # [..., m, k, n]
    return S_, terms


entry(
    "svdvals",
    _la("svdvals"),
    [S(f64(4, 3), name="tall"), S(f64(2, 3, 4), name="batched")],
    op="_linalg_svd",
)
entry(
    "_linalg_eigh",
    lambda T, A: _eigh_facts(T.linalg.eigh(_sym(T, A))),
    [S(f64(3, 3), name="f64"), S(f64(2, 4, 4), name="batched")],
)
entry(
    "linalg.eigh",
    _la("eigh", field="eigenvalues"),
    [S(np.diag([1.0, 2.0, 3.0]), name="diagonal")],
    op="_linalg_eigh",
    errors=[S(f64(2, 3), name="nonsquare"), S(f64(3, 3), UPLO="X", name="uplo")],
)


def _eigh_facts(result):
    L, V = result
    # Each eigenvector up to its sign: compare the projectors v v^T (one per eigenvalue).
    Vt = V.mT
    return L, Vt.unsqueeze(-1) * Vt.unsqueeze(-2)


entry(
    "eigvalsh",
    lambda T, A: T.linalg.eigvalsh(_sym(T, A)),
    [S(f64(3, 3), name="f64")],
    op="_linalg_eigh",
)
entry(
    "linalg_cross",
    lambda T, a, b, **k: T.linalg.cross(a, b, **k),
    [
        S(f64(4, 3), f64(4, 3), name="rows"),
        S(f64(3, 2), f64(3, 2), dim=0, name="dim0"),
        S(f64(2, 4, 3), f64(1, 4, 3), name="broadcast"),
    ],
    errors=[
        S(f64(4, 2), f64(4, 2), name="length"),
        S(f64(2, 4, 3), f64(4, 3), name="ndim"),
    ],
)
entry(
    "linalg.vector_norm",
    _la("vector_norm"),
    [
        S(f64(3, 4), name="two"),
        S(f64(3, 4), 1, name="one"),
        S(f64(3, 4), float("inf"), name="inf"),
        S(
            f64(3, 4),
            float("-inf"),
            name="neg_inf",
            gradcheck=False,
            xfail="the linalg_vector_norm row (ops/reduction.py) lacks ord=-inf",
        ),
        S(f64(3, 4), 3, dim=1, name="p3"),
        S(
            f64(3, 4),
            0,
            name="zero",
            xfail="the linalg_vector_norm row (ops/reduction.py) lacks ord=0",
        ),
        S(f64(3, 4), dim=(0, 1), keepdim=True, name="keepdim"),
    ],
    op=None,
    errors=[S(i64(3), name="int")],
)
entry(
    "linalg.matrix_norm",
    _la("matrix_norm"),
    [
        S(f64(3, 4), name="fro"),
        S(f64(3, 4), "nuc", name="nuc"),
        S(f64(3, 4), 2, name="two"),
        S(f64(3, 4), -2, name="minus_two"),
        S(f64(3, 4), 1, name="one"),
        S(f64(3, 4), float("inf"), name="inf"),
        S(f64(2, 3, 4), name="batched"),
        S(f64(2, 3, 4), 1, keepdim=True, name="keepdim"),
    ],
    op=None,
)
entry(
    "linalg.norm",
    _la("norm"),
    [
        S(f64(3, 4), name="default"),
        S(f64(4), 3, name="vector_p3"),
        S(f64(3, 4), "fro", name="fro"),
        S(f64(3, 4), 2, name="two"),
        S(f64(2, 3, 4), dim=(1, 2), name="dims"),
        S(f64(2, 3, 4), dim=1, name="dim"),
    ],
    op=None,
)
entry(
    "linalg.matrix_power",
    _la("matrix_power", _wellposed),
    [
        S(f64(3, 3), 3, name="three"),
        S(f64(2, 3, 3), 2, name="batched"),
        S(f64(3, 3), -2, name="negative"),
        S(f64(3, 3), 1, name="one"),
        S(f64(3, 3), 0, name="zero"),
    ],
    op=None,
)
entry(
    "linalg_pinv.atol_rtol_float",
    _la("pinv"),
    [S(f64(4, 3), name="tall"), S(f64(3, 4), name="wide"), S(f64(2, 3, 3), name="batched")],
)
# PyTorch's matrix_rank counts into its result in place (its _version is 1).
_RANK_VERSION = "matrix_rank's result version counter: PyTorch writes the count in place"
entry(
    "linalg.matrix_rank",
    _la("matrix_rank"),
    [
        S(f64(4, 3), name="full", xfail=_RANK_VERSION),
        S(
            Const(np.outer(np.arange(1.0, 4.0), np.arange(1.0, 5.0))),
            name="rank1",
            xfail=_RANK_VERSION,
        ),
    ],
    op=None,
    grad=False,
)
entry("linalg.vecdot", _la("vecdot"), [S(f64(3, 4), f64(3, 4), name="rows")], op=None)
