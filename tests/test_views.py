"""Views alias storage exactly as PyTorch's do, differentially.

For each way of making a view (or a copy) the same facts are compared with PyTorch:
whether it is a view, whether it shares the base's memory and at which element offset,
its strides, storage offset and contiguity, its grad_fn, and what an in-place write
through the base or the view does to the other (values and the shared ``_version``).
Raw addresses are never compared, only relations between them. Hypothesis then builds
random chains of views and random broadcasting pairs.
"""

from __future__ import annotations

import numpy as np
import pytest
from _harness import Raised
from conftest import requires_torch
from hypothesis import given, settings
from hypothesis import strategies as st
from op_db import check_both, grad_facts

pytestmark = requires_torch


def facts(T, base, v) -> dict:
    """What must agree with PyTorch about ``v``, a tensor made from ``base``."""
    size = base.element_size()
    same_storage = v.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()
    return {
        # NB: a snapshot, so that later writes (and their view rules) do not change it.
        "value": v.detach().clone(),
        "grad_fn": None if v.grad_fn is None else type(v.grad_fn).__name__,
        "requires_grad": v.requires_grad,
        "is_view": v._is_view(),
        "same_storage": same_storage,
        # NB: PyTorch's data_ptr() of an empty tensor is 0: offsets only between real ones.
        "offset_from_base": (
            (v.data_ptr() - base.data_ptr()) // size if same_storage and v.numel() else None
        ),
        "null_data_ptr": v.data_ptr() == 0,
        "storage_offset": v.storage_offset(),
        "stride": v.stride(),
        "contiguous": v.is_contiguous(),
        "is_leaf": v.is_leaf,
        "version": v._version,
    }


def write_through(T, base, v) -> dict:
    """Write through the base, then through the view; report what each sees."""
    with T.no_grad():
        base.add_(1)
    seen_by_view = [v.clone(), v._version]
    try:
        with T.no_grad():
            v.mul_(2)
        error = None
    except RuntimeError as exc:
        error = Raised(exc)
    return {
        "after_base_write": seen_by_view,
        "view_write_error": error,
        "base": base.clone(),
        "base_version": base._version,
        "view_version": v._version,
    }


def base_tensor(T, shape=(3, 4), requires_grad=False):
    n = int(np.prod(shape))
    t = T.tensor(np.arange(n, dtype="float32").reshape(shape) * 0.5 - 1)
    return t.requires_grad_() if requires_grad else t


MAKERS = {
    "view": lambda T, x: x.view(4, 3),
    "view_flat": lambda T, x: x.view(-1),
    "view_as": lambda T, x: x.view_as(T.zeros(2, 6)),
    "reshape_view": lambda T, x: x.reshape(2, 6),
    "reshape_copy": lambda T, x: x.t().reshape(12),
    "reshape_alias": lambda T, x: x[:, ::2].reshape(6),
    "transpose": lambda T, x: x.transpose(0, 1),
    "t": lambda T, x: x.t(),
    "T": lambda T, x: x.T,
    "mT": lambda T, x: x.mT,
    "permute": lambda T, x: x.permute(1, 0),
    "unsqueeze": lambda T, x: x.unsqueeze(1),
    "squeeze": lambda T, x: x.unsqueeze(0).squeeze(0),
    "squeeze_noop": lambda T, x: x.squeeze(),
    "expand": lambda T, x: x[:1].expand(5, 4),
    "expand_as": lambda T, x: x[:, :1].expand_as(x),
    "flatten": lambda T, x: x.flatten(),
    "flatten_copy": lambda T, x: x.t().flatten(),
    "flatten_noop": lambda T, x: x.flatten(1),
    "unflatten": lambda T, x: x.unflatten(1, (2, 2)),
    "narrow": lambda T, x: x.narrow(1, 1, 2),
    "select": lambda T, x: x.select(1, 2),
    "int_index": lambda T, x: x[1],
    "negative_index": lambda T, x: x[-1, -2],
    "slice": lambda T, x: x[1:3],
    "slice_step": lambda T, x: x[::2, 1::2],
    "none": lambda T, x: x[None, :, None],
    "ellipsis": lambda T, x: x[..., 1],
    "ellipsis_only": lambda T, x: x[...],
    "diagonal": lambda T, x: x.diagonal(),
    "diagonal_offset": lambda T, x: x.diagonal(1),
    "unbind": lambda T, x: x.unbind(1)[2],
    "split": lambda T, x: x.split(2, 1)[1],
    "chunk": lambda T, x: x.chunk(3, 0)[2],
    "as_strided": lambda T, x: x.as_strided((2, 2), (1, 4), 1),
    "tensor_index": lambda T, x: x[T.tensor([2, 0])],
    "bool_mask": lambda T, x: x[x > 0],
    "index_list": lambda T, x: x[[0, 2]],
    "detach": lambda T, x: x.detach(),
    "contiguous_noop": lambda T, x: x.contiguous(),
    "contiguous_copy": lambda T, x: x.t().contiguous(),
    "clone": lambda T, x: x.clone(),
    "view_of_view": lambda T, x: x[1:].t()[1],
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_view_facts(name):
    make = MAKERS[name]

    def program(T):
        base = base_tensor(T)
        v = make(T, base)
        return {"facts": facts(T, base, v), "writes": write_through(T, base, v)}

    check_both(program, unversioned=("grads", "grad"))


@pytest.mark.parametrize("name", list(MAKERS))
def test_view_of_leaf_requiring_grad(name):
    """grad_fn, leafness and gradients through every maker."""
    make = MAKERS[name]

    def program(T):
        base = base_tensor(T, requires_grad=True)
        v = make(T, base)
        result = {"facts": facts(T, base, v)}
        if v.requires_grad:
            (v * T.ones_like(v)).sum().backward()
            result["grad"] = base.grad
        return result

    check_both(program, unversioned=("grads", "grad"))


def test_view_refuses_incompatible_strides():
    def program(T):
        return base_tensor(T).t().view(-1)

    check_both(program, unversioned=("grads", "grad"))


def test_view_after_view_error_leaves_tensor_unchanged():
    def program(T):
        x = base_tensor(T).t()
        try:
            x.view(12)
        except RuntimeError as exc:
            return [str(exc), x, x.stride(), x._version]
        return None

    check_both(program, unversioned=("grads", "grad"))


def test_detach_shares_storage_and_version():
    def program(T):
        x = base_tensor(T, requires_grad=True)
        d = x.detach()
        d.add_(1)
        return [
            x._version,
            d._version,
            d.data_ptr() == x.data_ptr(),
            d.requires_grad,
            d.is_leaf,
            d._is_view(),
            x,
        ]

    check_both(program, unversioned=("grads", "grad"))


def test_detach_write_is_caught_by_saved_tensor_check():
    def program(T):
        x = base_tensor(T, requires_grad=True)
        y = x.exp()
        y.detach().zero_()
        y.sum().backward()
        return x.grad

    check_both(program, unversioned=("grads", "grad"))


def test_data_shares_storage_not_version():
    def program(T):
        x = base_tensor(T, requires_grad=True)
        y = x.exp()
        d = y.data
        d.zero_()
        y.sum().backward()  # NB: no error: .data escapes the version check
        return [
            x._version,
            y._version,
            d._version,
            d.data_ptr() == y.data_ptr(),
            x.grad,
            d.requires_grad,
            d.is_leaf,
        ]

    check_both(program, unversioned=("grads", "grad"))


def test_version_shared_by_base_and_all_views():
    def program(T):
        x = base_tensor(T)
        a = x[1]
        b = x.t()
        c = a.unsqueeze(0)
        c.add_(1)
        b[0, 0] = 5.0
        return [x._version, a._version, b._version, c._version, x]

    check_both(program, unversioned=("grads", "grad"))


def test_in_place_on_expanded_view_is_refused():
    def program(T):
        x = T.zeros(3, 1)
        e = x.expand(3, 4)
        try:
            e.add_(1)
        except RuntimeError as exc:
            return [str(exc), x, x._version]
        return None

    check_both(program, unversioned=("grads", "grad"))


def test_numpy_shares_memory():
    def program(T):
        x = base_tensor(T)
        a = x.numpy()
        a[0, 0] = 42.0
        x[1, 1] = 7.0
        return [x, float(a[1, 1]), x._version, a.shape, a.strides]

    check_both(program, unversioned=("grads", "grad"))


def test_numpy_of_view_shares_memory():
    def program(T):
        x = base_tensor(T)
        a = x.t().numpy()
        a[0, 1] = -3.0
        return [x, a.strides]

    check_both(program, unversioned=("grads", "grad"))


# --- hypothesis: random chains of views ---------------------------------------------------------


def _draw_step(draw, shape: list):
    """One view step valid for ``shape``, and the shape after it."""
    ndim = len(shape)
    choices = ["unsqueeze", "reshape", "flatten"]
    if ndim >= 1:
        choices += ["transpose", "permute", "slice", "narrow", "expand", "split"]
        if any(s > 0 for s in shape):
            choices.append("select")
    if ndim >= 2:
        choices += ["diagonal", "mT"]
    if ndim <= 2:
        choices.append("t")
    if 1 in shape:
        choices.append("squeeze")
    kind = draw(st.sampled_from(sorted(choices)))
    shape = list(shape)
    if kind == "unsqueeze":
        d = draw(st.integers(0, ndim))
        return (kind, d), shape[:d] + [1] + shape[d:]
    if kind == "reshape":
        n = int(np.prod(shape))
        if n == 0:
            return (kind, (0, 1)), [0, 1]
        first = draw(st.sampled_from([k for k in range(1, n + 1) if n % k == 0]))
        return (kind, (first, -1)), [first, n // first]
    if kind == "flatten":
        return (kind,), [int(np.prod(shape))]
    if kind == "transpose":
        d0, d1 = draw(st.integers(0, ndim - 1)), draw(st.integers(0, ndim - 1))
        shape[d0], shape[d1] = shape[d1], shape[d0]
        return (kind, d0, d1), shape
    if kind == "permute":
        perm = draw(st.permutations(list(range(ndim))))
        return (kind, tuple(perm)), [shape[p] for p in perm]
    if kind == "slice":
        d = draw(st.integers(0, ndim - 1))
        start = draw(st.integers(0, shape[d]))
        stop = draw(st.integers(start, shape[d]))
        step = draw(st.integers(1, 3))
        shape[d] = len(range(start, stop, step))
        return (kind, d, start, stop, step), shape
    if kind == "narrow":
        d = draw(st.integers(0, ndim - 1))
        start = draw(st.integers(0, shape[d]))
        length = draw(st.integers(0, shape[d] - start))
        shape[d] = length
        return (kind, d, start, length), shape
    if kind == "select":
        d = draw(st.sampled_from([k for k in range(ndim) if shape[k] > 0]))
        i = draw(st.integers(-shape[d], shape[d] - 1))
        return (kind, d, i), shape[:d] + shape[d + 1 :]
    if kind == "expand":
        new = [draw(st.integers(1, 3)) if s == 1 else s for s in shape]
        new = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 1)))] + new
        return (kind, tuple(new)), new
    if kind == "split":
        d = draw(st.integers(0, ndim - 1))
        size = draw(st.integers(1, max(shape[d], 1)))
        k = draw(st.integers(0, max(-(-shape[d] // size), 1) - 1))
        shape[d] = min(size, shape[d] - k * size) if shape[d] else 0
        return (kind, size, d, k), shape
    if kind == "diagonal":
        pairs = [(a, b) for a in range(ndim) for b in range(ndim) if a != b]
        d1, d2 = draw(st.sampled_from(pairs))
        offset = draw(st.integers(-2, 2))
        if offset >= 0:
            length = max(min(shape[d1], shape[d2] - offset), 0)
        else:
            length = max(min(shape[d1] + offset, shape[d2]), 0)
        return (kind, offset, d1, d2), [s for k, s in enumerate(shape) if k not in (d1, d2)] + [
            length
        ]
    if kind == "mT":
        shape[-1], shape[-2] = shape[-2], shape[-1]
        return (kind,), shape
    if kind == "t":
        return (kind,), shape[::-1]
    d = draw(st.sampled_from([k for k in range(ndim) if shape[k] == 1]))
    return ("squeeze", d), shape[:d] + shape[d + 1 :]


@st.composite
def view_chains(draw):
    """A base shape and 1-4 view steps, each valid for the shape the previous ones left."""
    base_shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    shape, steps = list(base_shape), []
    for _ in range(draw(st.integers(1, 4))):
        step, shape = _draw_step(draw, shape)
        steps.append(step)
    return tuple(base_shape), steps


def apply_step(x, step):
    kind, *args = step
    if kind == "slice":
        d, start, stop, stride = args
        return x[(slice(None),) * d + (slice(start, stop, stride),)]
    if kind == "split":
        size, d, k = args
        return x.split(size, d)[k]
    if kind == "mT":
        return x.mT
    return getattr(x, kind)(*args)


@settings(max_examples=120, deadline=None)
@given(view_chains())
def test_random_view_chains(chain):
    """Each step's aliasing facts, then gradients and a write through the base."""
    shape, steps = chain

    def program(T):
        base = base_tensor(T, shape, requires_grad=True)
        x = base
        seen = []
        for step in steps:
            x = apply_step(x, step)
            seen.append(facts(T, base, x))
        (x * T.ones_like(x)).sum().backward()
        with T.no_grad():
            base.add_(1)
        return {
            "chain": seen,
            "after": [x.detach().clone(), x._version],
            "grad": grad_facts(base.grad),
        }

    check_both(program, unversioned=("grads", "grad"))


@settings(max_examples=80, deadline=None)
@given(view_chains())
def test_random_view_chain_in_place_write(chain):
    """An in-place write through the last view: values of the base, versions, errors
    (expanded views refuse), and the gradient through CopySlices."""
    shape, steps = chain

    def program(T):
        leaf = base_tensor(T, shape, requires_grad=True)
        base = leaf.clone()
        x = base
        for step in steps:
            x = apply_step(x, step)
        try:
            x.mul_(2)
            error = None
        except RuntimeError as exc:
            error = Raised(exc)
        (base * T.ones_like(base)).sum().backward()
        return {"error": error, "base": base, "view": x, "grad": grad_facts(leaf.grad)}

    check_both(program, unversioned=("grads", "grad"))


# --- hypothesis: broadcasting ------------------------------------------------------------------


@st.composite
def broadcast_pairs(draw):
    """Two shapes that broadcast together (dims of 1 and missing leading dims)."""
    shape = draw(st.lists(st.integers(0, 4), min_size=0, max_size=4))
    first, second = [], []
    for size in shape:
        first.append(draw(st.sampled_from([size, 1])))
        second.append(draw(st.sampled_from([size, 1])))
    first = first[draw(st.integers(0, len(first))) :]
    second = second[draw(st.integers(0, len(second))) :]
    return tuple(first), tuple(second)


BINARY = {
    "add": lambda T, a, b: a + b,
    "sub": lambda T, a, b: T.sub(a, b, alpha=2),
    "mul": lambda T, a, b: a * b,
    "div": lambda T, a, b: a / b,
    "pow": lambda T, a, b: a.abs().add(0.5) ** b,
    "maximum": lambda T, a, b: T.maximum(a, b),
    "where": lambda T, a, b: T.where(a > b, a, b),
    "atan2": lambda T, a, b: T.atan2(a, b),
    "lt": lambda T, a, b: a < b,
    "masked_fill": lambda T, a, b: a.masked_fill(b > 0, 0.5) if b.dim() <= a.dim() else a + b,
}


@settings(max_examples=120, deadline=None)
@given(
    broadcast_pairs(),
    st.sampled_from(sorted(BINARY)),
    st.sampled_from(["float32", "float64"]),
    st.booleans(),
)
def test_random_broadcasting(shapes, name, dtype, transposed):
    """Binary ops on random broadcastable shapes: result shape, values, strides, grads."""
    first, second = shapes
    rng = np.random.default_rng(len(first) * 10 + len(second))
    a_data = rng.uniform(0.5, 2.0, size=first).astype(dtype)
    b_data = rng.uniform(0.5, 2.0, size=second).astype("float32")

    def program(T):
        a = T.tensor(a_data.T.copy() if transposed else a_data, requires_grad=True)
        b = T.tensor(b_data, requires_grad=True)
        left = a.permute(tuple(range(a.dim() - 1, -1, -1))) if transposed else a
        out = BINARY[name](T, left, b)
        result = {"out": out, "shape": tuple(out.shape)}
        if out.requires_grad:
            (out * T.ones_like(out)).sum().backward()
            result["grads"] = [grad_facts(a.grad), grad_facts(b.grad)]
        return result

    check_both(program, rtol=1e-5, atol=1e-6)


def test_broadcast_error_message():
    def program(T):
        return T.ones(2, 3) + T.ones(4, 3)

    check_both(program, unversioned=("grads", "grad"))


# --- views that record no node (the views' fast path, without the dispatcher) -----------------


def _try(fn):
    try:
        return fn()
    except RuntimeError as exc:
        return Raised(exc)


def _reviews(T, base, x) -> dict:
    """Further views of ``x`` whose strides depend on its exact strides (size-1 dims too)."""
    n = x.numel()
    return {
        "view_flat": _try(lambda: facts(T, base, x.view(n))),
        "view_1n1": _try(lambda: facts(T, base, x.view(1, n, 1))),
        "view_same": _try(lambda: facts(T, base, x.view(tuple(x.shape)))),
        "reshape_n1": _try(lambda: facts(T, base, x.reshape(n, 1))),
        "unsqueeze_0": facts(T, base, x.unsqueeze(0)),
        "unsqueeze_last": facts(T, base, x.unsqueeze(-1)),
        "expand": facts(T, base, x.expand(2, *x.shape)),
    }


@settings(max_examples=120, deadline=None)
@given(view_chains(), st.sampled_from(["plain", "no_grad", "no_grad_of_leaf"]))
def test_random_view_chains_without_a_node(chain, mode):
    """The chains where no node is recorded: a base that needs no grad, or grad mode off
    (of a leaf requiring grad: no_grad views, which refuse a later in-place write)."""
    import contextlib

    shape, steps = chain

    def program(T):
        base = base_tensor(T, shape, requires_grad=mode == "no_grad_of_leaf")
        with contextlib.nullcontext() if mode == "plain" else T.no_grad():
            x = base
            seen = []
            for step in steps:
                x = apply_step(x, step)
                seen.append(facts(T, base, x))
            again = _reviews(T, base, x)
        write = _try(lambda: facts(T, base, x.mul_(2)))
        return {"chain": seen, "again": again, "write": write, "base": base.detach().clone()}

    check_both(program, unversioned=("grads", "grad"))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 3), st.integers(0, 7)), min_size=0, max_size=4),
    st.data(),
)
def test_view_of_any_strides_matches_compute_stride(dims, data):
    """``_view``'s NumPy-reshape shortcut gives computeStride's strides for arrays whose
    size-1 dims carry any stride (what the C-contiguous flag ignores)."""
    from mutograd._layout import compute_stride
    from mutograd.ops._view_kernels import _element_view, _strides, _view

    shape = tuple(size for size, _ in dims)
    strides, running = [], 1
    for size, odd in reversed(dims):
        strides.append(odd if size == 1 else running)
        running *= size
    strides.reverse()
    storage = np.arange(max(running, 1) * 8, dtype=np.float32)
    array = _element_view(storage, shape, strides)
    n = array.size
    targets = {(n,), (1, n), (n, 1), (1, n, 1), shape, shape + (1,)}
    for size in sorted(targets):
        expected = compute_stride(array.shape, _strides(array), size)
        got = _view(array, size)
        assert expected is not None
        assert _strides(got) == tuple(expected), (shape, strides, size)
        np.testing.assert_array_equal(got.ravel(), array.ravel())
        assert np.shares_memory(got, storage)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
@pytest.mark.parametrize("method", ["unsqueeze", "unsqueeze_"])
def test_unsqueeze_strides(method, layout, dim):
    """inferUnsqueezeGeometry: the new dim's stride is size * stride of the dim it precedes
    (1 at the end), in place too (NumPy's expand_dims gives the last one another stride)."""

    def program(T):
        base = base_tensor(T, (3, 4))
        x = {"contiguous": base[...], "transposed": base.t(), "strided": base[:, ::2]}[layout]
        out = getattr(x, method)(dim)
        return {"facts": facts(T, base, out), "in_place": out is x}

    check_both(program, unversioned=("grads", "grad"))
