"""The sorting, scan, einsum, counting, linalg and fft additions, beyond the generated tests.

Second-order gradients of every new differentiable row (finite differences and PyTorch),
and side-by-side checks of what the op_db cannot express: histograms, in-place
functions, LinAlgError, fill_diagonal_, result_type, torch.fft.
"""

from __future__ import annotations

import numpy as np
import op_db_ops14  # noqa: F401 - the entries below
import pytest
import test_ops_gradcheck as gradcheck
from conftest import requires_torch
from op_db import build, check_both, params, tensors_of, weighted_sum

import mutograd

# The entries of op_db_ops14.py whose rows are differentiable (second order checked here).
SECOND_ORDER = (
    "sort msort topk kthvalue median median.dim mode cumprod cummax cummin logcumsumexp "
    "movedim einsum[ij,jk->ik] einsum[bij,bjk->bik] einsum[ii->i] einsum[i,ij,j] "
    "linalg_inv_ex _linalg_det _linalg_slogdet _linalg_solve_ex linalg_qr _linalg_svd svdvals "
    "_linalg_eigh linalg_cross linalg.matrix_norm linalg_pinv.atol_rtol_float "
    "linalg.matrix_power"
).split()
SAMPLES = [(e, s) for e, s in gradcheck.SAMPLES if e.name in SECOND_ORDER and not s.xfail]


def test_second_order_entries_exist():
    names = {e.name for e, _ in SAMPLES}
    assert names == set(SECOND_ORDER)


@pytest.mark.parametrize(("e", "s"), params(SAMPLES, xfail=False))
def test_gradgradcheck(e, s):
    gradcheck.test_gradgradcheck(e, s)


@requires_torch
@pytest.mark.parametrize(("e", "s"), params(SAMPLES, xfail=False))
def test_double_backward_matches_torch(e, s):
    """The values of the first- and second-order gradients against PyTorch (the graphs of
    the first-order gradients are composed differently: their node names are not compared)."""

    def program(T):
        leaves, args, kwargs, call = build(T, e, s, requires_grad=True)
        loss = weighted_sum(T, tensors_of(call(T, *args, **kwargs)))
        if loss is None:
            return None
        grads = T.autograd.grad(loss, leaves, create_graph=True, allow_unused=True)
        h = None
        for k, (g, leaf) in enumerate(zip(grads, leaves, strict=True)):
            if g is not None:
                term = (g * T.tensor(gradcheck._directions(7)(k, tuple(leaf.shape)))).sum()
                h = term if h is None else h + term
        if h is None or not h.requires_grad:
            return {"grads": [gradcheck._plain(g) for g in grads], "second": None}
        second = T.autograd.grad(h, leaves, allow_unused=True)
        return {
            "grads": [gradcheck._plain(g) for g in grads],
            "second": [gradcheck._plain(g) for g in second],
        }

    check_both(program, rtol=1e-7, atol=1e-9, check_strides=False, unversioned=("grads", "second"))


# --- side by side ------------------------------------------------------------------------------


def _both(torch, fn):
    """fn(T) on both modules; tensors compared by values and dtype."""
    expected = fn(torch)
    actual = fn(mutograd)
    _same(actual, expected)
    return actual, expected


def _same(actual, expected):
    if isinstance(expected, (tuple, list)):
        assert type(actual).__name__ == type(expected).__name__
        assert len(actual) == len(expected)
        for a, b in zip(actual, expected, strict=True):
            _same(a, b)
        return
    if hasattr(expected, "dtype") and hasattr(expected, "shape"):
        assert str(actual.dtype) == str(expected.dtype)
        assert tuple(actual.shape) == tuple(expected.shape)
        np.testing.assert_allclose(
            actual.detach().numpy(), expected.detach().numpy(), rtol=1e-6, atol=1e-6
        )
        return
    assert actual == expected


def _raises_like(torch, fn):
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(Exception) as actual:
        fn(mutograd)
    assert type(actual.value).__name__ == type(expected.value).__name__
    assert isinstance(actual.value, RuntimeError) == isinstance(expected.value, RuntimeError)
    assert str(actual.value) == str(expected.value)


X = np.array([0, 1, 3, 1, 7, 3, 3])
F = np.array([0.5, 1.5, -2.0, 3.25, 3.25, 0.0, 9.0], dtype=np.float32)


@pytest.mark.parametrize(
    "case",
    [
        lambda T: T.bincount(T.tensor(X)),
        lambda T: T.bincount(T.tensor(X), minlength=10),
        lambda T: T.bincount(T.tensor(X), weights=T.tensor(F)),
        lambda T: T.bincount(T.tensor(X), weights=T.tensor(F, dtype=T.float64)),
        lambda T: T.bincount(T.tensor(X), weights=T.tensor(X)),
        lambda T: T.bincount(T.tensor([], dtype=T.int64)),
        lambda T: T.tensor(X).bincount(),
        lambda T: T.histc(T.tensor(F)),
        lambda T: T.histc(T.tensor(F), bins=4, min=0, max=3),
        lambda T: T.histc(T.tensor([1.0, 1.0]), bins=3),
        lambda T: T.tensor(F, dtype=T.float64).histc(5),
        lambda T: T.histogram(T.tensor(F), bins=4),
        lambda T: T.histogram(T.tensor(F), bins=3, range=(0.0, 4.0), density=True),
        lambda T: T.histogram(T.tensor(F), bins=T.tensor([-2.0, 0.0, 1.0, 10.0])),
        lambda T: T.histogram(T.tensor(F), bins=4, weight=T.tensor(F).abs()),
    ],
)
def test_counting(torch, case):
    _both(torch, case)


@pytest.mark.parametrize(
    "case",
    [
        lambda T: T.bincount(T.tensor([-1, 2])),
        lambda T: T.bincount(T.tensor([[1]])),
        lambda T: T.bincount(T.tensor([1.0])),
        lambda T: T.histc(T.tensor([1, 2])),
        lambda T: T.histc(T.tensor([1.0]), min=2, max=1),
        lambda T: T.histogram(T.tensor([1, 2]), bins=2),
    ],
)
def test_counting_errors(torch, case):
    _raises_like(torch, case)


def test_histogram_is_a_named_tuple(torch):
    hist, edges = mutograd.histogram(mutograd.tensor(F), bins=2)
    result = mutograd.histogram(mutograd.tensor(F), bins=2)
    assert result.hist is result[0] or result.hist.equal(hist)
    assert repr(result).startswith("torch.return_types.histogram(")
    assert edges.shape == (3,)


@pytest.mark.parametrize(
    "name", ["relu_", "sigmoid_", "tanh_", "exp_", "abs_", "neg_", "sqrt_", "square_", "floor_"]
)
def test_top_level_inplace_functions(torch, name):
    def run(T):
        x = T.tensor([[0.5, 1.5], [2.0, 0.25]])
        y = getattr(T, name)(x)
        return y is x, x, x._version

    _both(torch, run)


def test_top_level_inplace_functions_match_torch_names(torch):
    from mutograd.ops.inplace_functions import _TOP_LEVEL_INPLACE

    assert set(_TOP_LEVEL_INPLACE) <= set(dir(torch))


@pytest.mark.parametrize(
    "case",
    [
        lambda T: T.tensor([1.0, 0.0, 2.0]).logical_not_(),
        lambda T: T.tensor([1, 0, 2]).logical_and_(T.tensor([1, 1, 0])),
        lambda T: T.tensor([True, False]).logical_or_(T.tensor([False, False])),
        lambda T: T.tensor([1.0, 0.0]).logical_xor_(T.tensor([1.0, 1.0])),
    ],
)
def test_logical_inplace(torch, case):
    _both(torch, case)


def test_logical_inplace_bumps_the_version(torch):
    def run(T):
        x = T.tensor([1.0, 0.0])
        y = x.logical_not_()
        return y is x, x._version

    _both(torch, run)


@pytest.mark.parametrize(
    "case",
    [
        lambda T: T.zeros(3, 3).fill_diagonal_(2.0),
        lambda T: T.zeros(3, 5).fill_diagonal_(1.0),
        lambda T: T.zeros(7, 3).fill_diagonal_(1.0),
        lambda T: T.zeros(7, 3).fill_diagonal_(1.0, wrap=True),
        lambda T: T.zeros(3, 3, 3).fill_diagonal_(4.0),
        lambda T: T.zeros(2, 2, dtype=T.int64).fill_diagonal_(5),
    ],
)
def test_fill_diagonal(torch, case):
    _both(torch, case)


def test_fill_diagonal_autograd(torch):
    def run(T):
        a = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = a * 1
        b.fill_diagonal_(0.0)
        b.sum().backward()
        return b, a.grad, b._version

    _both(torch, run)


@pytest.mark.parametrize(
    "case",
    [
        lambda T: T.zeros(3).fill_diagonal_(1.0),
        lambda T: T.zeros(2, 3, 3).fill_diagonal_(1.0),
    ],
)
def test_fill_diagonal_errors(torch, case):
    _raises_like(torch, case)


@pytest.mark.parametrize(
    "case",
    [
        lambda T: T.result_type(T.ones(2), 1.0),
        lambda T: T.result_type(T.ones(2, dtype=T.int32), 1),
        lambda T: T.result_type(T.ones(2, dtype=T.int32), T.tensor(1.0)),
        lambda T: T.result_type(T.ones(2, dtype=T.int32), T.ones(2, dtype=T.float64)),
        lambda T: T.result_type(1, 2.0),
        lambda T: T.result_type(True, T.tensor([1], dtype=T.uint8)),
    ],
)
def test_result_type(torch, case):
    assert str(case(mutograd)) == str(case(torch))


def test_cumsum_inplace(torch):
    def run(T):
        a = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        b = a * 1
        c = b.cumsum_(1)
        (c * T.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])).sum().backward()
        return c is b, b, a.grad, b._version, b.grad_fn.name()

    _both(torch, run)


def test_unique_backward_is_not_implemented(torch):
    for T in (torch, mutograd):
        x = T.tensor([1.0, 2.0, 1.0], requires_grad=True)
        u = T.unique(x)
        assert type(u.grad_fn).__name__ == "Unique2Backward0"
        with pytest.raises(NotImplementedError, match="derivative for '_unique2'"):
            u.sum().backward()


# --- torch.linalg errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        lambda T: T.linalg.inv(T.zeros(2, 2)),
        lambda T: T.linalg.inv(T.tensor([[1.0, 2.0], [2.0, 4.0]])),
        lambda T: T.linalg.inv(T.zeros(2, 3, 3)),
        lambda T: T.inverse(T.zeros(2, 2)),
        lambda T: T.linalg.solve(T.zeros(2, 2), T.ones(2)),
        lambda T: T.linalg.inv_ex(T.zeros(2, 2), check_errors=True),
    ],
)
def test_singular_matrices_raise_linalg_error(torch, case):
    _raises_like(torch, case)
    with pytest.raises(mutograd.linalg.LinAlgError):
        case(mutograd)


def test_inv_ex_reports_info(torch):
    _both(
        torch,
        lambda T: (
            T.linalg.inv_ex(T.tensor([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 0.0], [0.0, 1.0]]])).info
        ),
    )


@pytest.mark.parametrize(
    "case",
    [
        lambda T: T.linalg.det(T.tensor([[1.0, 2.0], [2.0, 4.0]])),
        lambda T: T.logdet(T.tensor([[2.0, 1.0], [1.0, 3.0]])),
        lambda T: T.logdet(T.tensor([[0.0, 1.0], [1.0, 0.0]])),
        lambda T: T.slogdet(T.tensor([[0.0, 1.0], [1.0, 0.0]])),
        lambda T: T.svd(T.tensor([[3.0, 1.0], [1.0, 3.0], [0.0, 1.0]])).S,
        lambda T: (
            T.linalg.lstsq(
                T.tensor([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]), T.tensor([[1.0], [2.0], [2.0]])
            ).solution
        ),
        lambda T: T.linalg.qr(T.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), mode="r").R.abs(),
    ],
)
def test_linalg_values(torch, case):
    _both(torch, case)


def test_torch_svd_returns_v(torch):
    def run(T):
        a = T.tensor([[3.0, 1.0], [1.0, 3.0], [0.0, 1.0]], dtype=T.float64, requires_grad=True)
        U, S, V = T.svd(a)
        (S.sum() + (U.abs() * 0.5).sum() + V.abs().sum()).backward()
        return S, V.abs(), a.grad, V.grad_fn.name()

    _both(torch, run)


def test_cholesky_alias(torch):
    def run(T):
        a = T.tensor([[4.0, 1.0], [1.0, 3.0]], dtype=T.float64)
        with pytest.warns(UserWarning, match="torch.cholesky is deprecated"):
            return T.cholesky(a), a.cholesky(upper=True)

    _both(torch, run)


# --- torch.fft -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        lambda T: T.fft.fftfreq(5),
        lambda T: T.fft.fftfreq(8, d=0.1),
        lambda T: T.fft.rfftfreq(6, 0.5),
        lambda T: T.fft.fftfreq(4, dtype=T.float64),
        lambda T: T.fft.fftshift(T.arange(5)),
        lambda T: T.fft.ifftshift(T.arange(6)),
        lambda T: T.fft.fftshift(T.arange(12).reshape(3, 4)),
        lambda T: T.fft.fftshift(T.arange(12).reshape(3, 4), dim=1),
        lambda T: T.fft.ifftshift(T.arange(12).reshape(3, 4), dim=(0,)),
    ],
)
def test_fft_helpers(torch, case):
    _both(torch, case)


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft", "fft2", "rfftn", "ihfft"])
def test_fft_transforms_raise_not_implemented(name):
    with pytest.raises(NotImplementedError, match=f"torch.fft.{name}"):
        getattr(mutograd.fft, name)(mutograd.ones(4))


# --- out= ------------------------------------------------------------------------------------------


def _out_case(fn, n=1):
    def run(T):
        outs = tuple(T.empty(0) for _ in range(n)) if n > 1 else T.empty(0)
        result = fn(T, outs)
        written = outs if n > 1 else (outs,)
        same = all(r is o for r, o in zip(result if n > 1 else (result,), written, strict=True))
        return same, tuple(written), tuple(o._version for o in written)

    return run


A3 = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.25], [0.5, 0.25, 2.0]]


@pytest.mark.parametrize(
    "case",
    [
        _out_case(lambda T, o: T.cumprod(T.tensor([[1.0, 2.0], [3.0, 4.0]]), 1, out=o)),
        _out_case(lambda T, o: T.logcumsumexp(T.tensor([1.0, 2.0, 3.0]), 0, out=o)),
        _out_case(lambda T, o: T.msort(T.tensor([3.0, 1.0, 2.0]), out=o)),
        _out_case(lambda T, o: T.histc(T.tensor([1.0, 2.0, 1.0]), bins=3, out=o)),
        _out_case(lambda T, o: T.linalg.inv(T.tensor(A3), out=o)),
        _out_case(lambda T, o: T.linalg.det(T.tensor(A3), out=o)),
        _out_case(lambda T, o: T.linalg.vector_norm(T.tensor(A3), out=o)),
        _out_case(lambda T, o: T.inverse(T.tensor(A3), out=o)),
    ],
)
def test_out(torch, case):
    _both(torch, case)


def test_tuple_out(torch):
    def run(T):
        values, indices = T.empty(0), T.empty(0, dtype=T.int64)
        result = T.sort(T.tensor([3.0, 1.0, 2.0]), out=(values, indices))
        return result.values is values, result.indices is indices, values, indices

    _both(torch, run)


def test_out_refuses_grad(torch):
    _raises_like(torch, lambda T: T.linalg.inv(T.tensor(A3, requires_grad=True), out=T.empty(0)))
