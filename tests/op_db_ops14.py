"""op_db entries for the sorting, scan and einsum families (ops/sorting.py,
ops/cumulative.py, ops/einsum.py).

Imported at the end of op_db.py, so the generated differential, gradcheck and
saved-metadata tests cover these rows like the others. Samples use distinct
values wherever ties would make the chosen index implementation-defined.
"""

from __future__ import annotations

import numpy as np
from op_db import DT, NC, S, distinct, entry, f32, f64, fn, i64, inplace_on_clone, meth


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
        S(np.array([1.0, 2.0, 2.0, 3.0], dtype="float64"), name="ties"),
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
