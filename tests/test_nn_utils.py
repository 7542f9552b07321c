"""clip_grad_norm_/clip_grad_value_, F.one_hot and F.normalize against torch 2.13."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _fd import directional_gradcheck
from conftest import requires_torch

import mutograd

pytestmark = requires_torch


def _params_with_grads(T, dtype, scale=1.0, none_at=None):
    rng = np.random.default_rng(0)
    params = []
    for i, shape in enumerate([(3, 4), (4,), (2, 2, 2)]):
        p = T.nn.Parameter(T.tensor(rng.standard_normal(shape), dtype=dtype))
        if i != none_at:
            p.grad = T.tensor(scale * rng.standard_normal(shape), dtype=dtype)
        params.append(p)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf", 0, "-inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm, dtype):
    ours = _params_with_grads(mutograd, getattr(mutograd, dtype), none_at=1)
    theirs = _params_with_grads(torch, getattr(torch, dtype), none_at=1)
    grads_before = [p.grad for p in ours if p.grad is not None]
    versions = [g._version for g in grads_before]
    norm_type_value = float(norm_type)
    total = mutograd.nn.utils.clip_grad_norm_(ours, max_norm, norm_type_value, foreach=None)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type_value)
    assert total.dtype.__repr__() == ttotal.dtype.__repr__()
    assert tuple(total.shape) == ()
    tol = 1e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=tol)
    for a, b in zip(ours, theirs, strict=True):
        if b.grad is None:
            assert a.grad is None
            continue
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)
    # In place: the same gradient tensors, one write each.
    assert [p.grad for p in ours if p.grad is not None] == grads_before
    assert all(g._version == v + 1 for g, v in zip(grads_before, versions, strict=True))


def test_clip_grad_norm_single_tensor_and_empty(torch):
    p = mutograd.nn.Parameter(mutograd.tensor([3.0, 4.0]))
    p.grad = mutograd.tensor([3.0, 4.0])
    tp = torch.nn.Parameter(torch.tensor([3.0, 4.0]))
    tp.grad = torch.tensor([3.0, 4.0])
    assert (
        mutograd.nn.utils.clip_grad_norm_(p, 1.0).item()
        == torch.nn.utils.clip_grad_norm_(tp, 1.0).item()
    )
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-7)
    empty = mutograd.nn.utils.clip_grad_norm_([], 1.0)
    tempty = torch.nn.utils.clip_grad_norm_([], 1.0)
    assert empty.item() == tempty.item() == 0.0
    assert str(empty.dtype) == str(tempty.dtype)
    with pytest.warns(UserWarning, match="empty generator"):
        mutograd.nn.utils.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_norm_error_if_nonfinite(torch):
    ours = _params_with_grads(mutograd, mutograd.float32)
    theirs = _params_with_grads(torch, torch.float32)
    ours[0].grad[0, 0] = math.inf
    theirs[0].grad[0, 0] = math.inf
    before = [p.grad.clone() for p in ours]
    with pytest.raises(RuntimeError) as err:
        mutograd.nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as terr:
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    assert str(err.value) == str(terr.value)
    for p, b in zip(ours, before, strict=True):
        np.testing.assert_array_equal(p.grad.numpy(), b.numpy())
    # Without the flag both scale by the non-finite norm.
    total = mutograd.nn.utils.clip_grad_norm_(ours, 1.0)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert total.item() == ttotal.item() == math.inf
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


@pytest.mark.parametrize("clip", [0.1, 1, 5.0])
def test_clip_grad_value_matches_torch(torch, clip):
    ours = _params_with_grads(mutograd, mutograd.float32, scale=2.0, none_at=2)
    theirs = _params_with_grads(torch, torch.float32, scale=2.0, none_at=2)
    assert mutograd.nn.utils.clip_grad_value_(ours, clip, foreach=True) is None
    torch.nn.utils.clip_grad_value_(theirs, clip)
    for a, b in zip(ours, theirs, strict=True):
        if b.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


# --- one_hot ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "num_classes"),
    [([0, 2, 1], -1), ([[0, 3], [1, 1]], 5), (3, 4), ([], 3), ([[]], 2)],
)
def test_one_hot_matches_torch(torch, values, num_classes):
    ours = mutograd.nn.functional.one_hot(
        mutograd.tensor(values, dtype=mutograd.int64), num_classes
    )
    theirs = torch.nn.functional.one_hot(torch.tensor(values, dtype=torch.int64), num_classes)
    assert ours.dtype is mutograd.int64
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize(
    "make",
    [
        lambda T: T.nn.functional.one_hot(T.tensor([0.0, 1.0])),
        lambda T: T.nn.functional.one_hot(T.tensor([0, -1])),
        lambda T: T.nn.functional.one_hot(T.tensor([0, 3]), 3),
        lambda T: T.nn.functional.one_hot(T.tensor([], dtype=T.int64)),
    ],
)
def test_one_hot_errors_match_torch(torch, make):
    with pytest.raises(Exception) as theirs:
        make(torch)
    with pytest.raises(Exception) as ours:
        make(mutograd)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


# --- normalize -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "kwargs"),
    [
        ((3, 4), {}),
        ((3, 4), {"dim": 0}),
        ((2, 3, 4), {"p": 1, "dim": -1}),
        ((2, 3, 4), {"p": 3.0, "dim": 2, "eps": 1e-3}),
        ((5,), {"dim": 0}),
    ],
)
def test_normalize_matches_torch(torch, shape, kwargs):
    x_np = np.random.default_rng(0).standard_normal(shape)
    x_np.flat[0] = 0.0
    results = []
    for T in (mutograd, torch):
        x = T.tensor(x_np, requires_grad=True)
        out = T.nn.functional.normalize(x, **kwargs)
        (out * T.tensor(np.arange(out.numel()).reshape(shape) / 10.0)).sum().backward()
        results.append((out, x.grad))
    (out, grad), (tout, tgrad) = results
    assert out.grad_fn.name() == tout.grad_fn.name()
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(grad.numpy(), tgrad.numpy(), rtol=1e-10, atol=1e-14)
    # Away from the zero (where the 1-norm has a kink) for the finite differences.
    x_np.flat[0] = 0.7
    assert directional_gradcheck(lambda x: mutograd.nn.functional.normalize(x, **kwargs), [x_np])


def test_normalize_zero_vector_uses_eps(torch):
    ours = mutograd.nn.functional.normalize(mutograd.zeros(2, 3))
    theirs = torch.nn.functional.normalize(torch.zeros(2, 3))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
