"""Finite-difference gradient checks, in float64, for every differentiable op_db sample.

mutograd alone is checked here (the differential tests compare with PyTorch): for a
random direction ``u`` over the leaves, the analytic directional derivative
``grad(L) . u`` of ``L = sum(output * cotangent)`` must match the central difference
``(L(x + eps u) - L(x - eps u)) / 2 eps``, as ``torch.autograd.gradcheck``'s fast mode
does. A representative subset is also checked to second order (``create_graph=True``),
against finite differences of the first-order gradient and against PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import requires_torch
from op_db import OP_DB, build, check_both, params, tensors_of, to_float64, weighted_sum

import mutograd

EPS = 1e-6
RTOL = 1e-4
ATOL = 1e-6


def _gradcheck_samples():
    for e in OP_DB.values():
        if not (e.grad and e.gradcheck):
            continue
        for s in e.samples:
            if s.gradcheck:
                yield e, to_float64(s)


SAMPLES = list(_gradcheck_samples())

# Second order: the ops the issue names, plus views whose backward is itself a view op.
SECOND_ORDER = (
    "mul.Tensor",
    "div.Tensor",
    "exp",
    "log",
    "sqrt",
    "sigmoid",
    "tanh",
    "pow.Tensor_Scalar",
    "pow.Tensor_Tensor",
    "sum",
    "sum.dim_IntList",
    "mean.dim",
    "prod",
    "prod.dim_int",
    "var.correction",
    "logsumexp",
    "_softmax",
    "_log_softmax",
    "mm",
    "bmm",
    "matmul",
    "select.int",
    "slice.Tensor",
    "diagonal",
    "as_strided",
    "expand",
    "cat",
    "where.self",
    "gather",
    "index.Tensor",
    "linalg_vector_norm",
    "gelu",
    "maximum",
)
SECOND_ORDER_SAMPLES = [(e, s) for e, s in SAMPLES if e.name in SECOND_ORDER]
# NB: PyTorch's as_strided_backward returns a view of a fresh storage; mutograd's returns a
# fresh tensor (same values). Its second order is checked by finite differences only.
TORCH_SECOND_ORDER_SAMPLES = [(e, s) for e, s in SECOND_ORDER_SAMPLES if e.name != "as_strided"]


def _directions(seed: int):
    rng = np.random.default_rng(seed)
    cache: dict = {}

    def direction(k: int, shape) -> np.ndarray:
        if k not in cache:
            cache[k] = rng.uniform(-1.0, 1.0, size=shape)
        return cache[k]

    return direction


def _loss(e, s, shift=None, sign=0.0):
    """(leaves, L) with each leaf's data moved by ``sign * EPS * shift(k, shape)``."""

    def perturb(k, array):
        return array + sign * EPS * shift(k, array.shape)

    leaves, args, kwargs, call = build(mutograd, e, s, True, perturb if shift else None)
    return leaves, weighted_sum(mutograd, tensors_of(call(mutograd, *args, **kwargs)))


def _checked_loss(e, s):
    """``_loss`` at the sample itself, or skip: an error sample (PyTorch raises too, see the
    differential tests), no differentiable output, or nothing to perturb."""
    try:
        leaves, loss = _loss(e, s)
    except (RuntimeError, TypeError, NotImplementedError, IndexError, ValueError):
        pytest.skip("the sample raises (checked against PyTorch by the differential tests)")
    if loss is None or not any(leaf.numel() for leaf in leaves):
        pytest.skip("no differentiable output or empty inputs")
    return leaves, loss


def _dot(grads, leaves, direction) -> float:
    total = 0.0
    for k, (g, leaf) in enumerate(zip(grads, leaves, strict=True)):
        if g is not None:
            total += float((g._data * direction(k, leaf.shape)).sum())
    return total


def _assert_close(analytic: float, numeric: float, what: str) -> None:
    assert abs(analytic - numeric) <= ATOL + RTOL * abs(numeric), (
        f"{what}: analytic {analytic!r} vs finite difference {numeric!r}"
    )


@pytest.mark.parametrize(("e", "s"), params(SAMPLES, xfail=False))
def test_gradcheck(e, s):
    leaves, loss = _checked_loss(e, s)
    grads = mutograd.autograd.grad(loss, leaves, allow_unused=True)
    for seed in (0, 1):
        direction = _directions(seed)
        _, plus = _loss(e, s, direction, +1.0)
        _, minus = _loss(e, s, direction, -1.0)
        numeric = (plus.item() - minus.item()) / (2 * EPS)
        _assert_close(_dot(grads, leaves, direction), numeric, f"direction {seed}")


def _first_order_dot(e, s, weights, shift=None, sign=0.0, create_graph=False):
    """(leaves, H) with H = sum_k grad_k(L) . weights_k, the quantity differentiated twice."""
    leaves, loss = _loss(e, s, shift, sign)
    grads = mutograd.autograd.grad(loss, leaves, allow_unused=True, create_graph=create_graph)
    total = None
    for k, (g, leaf) in enumerate(zip(grads, leaves, strict=True)):
        if g is None:
            continue
        term = (g * mutograd.tensor(weights(k, leaf.shape))).sum()
        total = term if total is None else total + term
    return leaves, total


@pytest.mark.parametrize(("e", "s"), params(SECOND_ORDER_SAMPLES, xfail=False))
def test_gradgradcheck(e, s):
    _checked_loss(e, s)
    weights = _directions(7)
    leaves, h = _first_order_dot(e, s, weights, create_graph=True)
    if h is None:
        pytest.skip("no first-order gradient")
    if h.requires_grad:
        second = mutograd.autograd.grad(h, leaves, allow_unused=True)
    else:
        second = [None] * len(leaves)  # the gradient does not depend on the inputs
    direction = _directions(3)
    _, plus = _first_order_dot(e, s, weights, direction, +1.0)
    _, minus = _first_order_dot(e, s, weights, direction, -1.0)
    numeric = (plus.item() - minus.item()) / (2 * EPS)
    _assert_close(_dot(second, leaves, direction), numeric, "second order")


def _plain(g):
    """A second-order gradient as plain contiguous values (PyTorch may return a ZeroTensor)."""
    return None if g is None else g.detach().contiguous().clone()


@requires_torch
@pytest.mark.parametrize(("e", "s"), params(TORCH_SECOND_ORDER_SAMPLES))
def test_double_backward_matches_torch(e, s):
    """Against PyTorch: the first-order gradients built with ``create_graph=True`` (values,
    layout and graph: grad_fn names such as TanhBackwardBackward0), and the values of the
    second-order gradients (their layout follows how each formula is composed)."""

    def program(T):
        leaves, args, kwargs, call = build(T, e, s, requires_grad=True)
        loss = weighted_sum(T, tensors_of(call(T, *args, **kwargs)))
        if loss is None:
            return None
        grads = T.autograd.grad(loss, leaves, create_graph=True, allow_unused=True)
        h = None
        for k, (g, leaf) in enumerate(zip(grads, leaves, strict=True)):
            if g is not None:
                term = (g * T.tensor(_directions(7)(k, tuple(leaf.shape)))).sum()
                h = term if h is None else h + term
        if h is None or not h.requires_grad:
            return {"grads": list(grads), "second": None}
        second = T.autograd.grad(h, leaves, allow_unused=True)
        return {"grads": list(grads), "second": [_plain(g) for g in second]}

    check_both(program, rtol=1e-7, atol=1e-9, unversioned=("grads", "second"))
