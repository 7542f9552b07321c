"""torch.distributions against torch 2.13: Normal, Uniform, Bernoulli, Categorical and
MultivariateNormal. log_prob, entropy, cdf, moments and their gradients are compared in
float64; samples (mutograd's generator) by shape, dtype and loose statistics; validation
errors by type and text."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import requires_torch

import mutograd

pytestmark = requires_torch


def _arr(shape, seed, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def _spd(n, seed, batch=()):
    a = np.random.default_rng(seed).standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


# Each case: (name, params builder (T -> kwargs), value builder (T -> tensor)).
def _normal(T):
    return {"loc": T.tensor(_arr((2, 3), 0), requires_grad=True),
            "scale": T.tensor(_arr((3,), 1, 0.5, 2.0), requires_grad=True)}  # fmt: skip


CASES = {
    "normal": ("Normal", _normal, lambda T: T.tensor(_arr((4, 2, 3), 2, -3, 3))),
    "normal_scalar": ("Normal", lambda T: {"loc": 0.5, "scale": 2.0},
                      lambda T: T.tensor(_arr((5,), 3, -3, 3), dtype=T.float32)),
    "uniform": ("Uniform",
                lambda T: {"low": T.tensor(_arr((3,), 4, -2, -1), requires_grad=True),
                           "high": T.tensor(_arr((3,), 5, 1, 2), requires_grad=True)},
                lambda T: T.tensor(_arr((2, 3), 6, -1, 1))),
    "bernoulli_probs": ("Bernoulli",
                        lambda T: {"probs": T.tensor(_arr((4,), 7, 0.05, 0.95), requires_grad=True)},
                        lambda T: T.tensor([[0.0, 1.0, 1.0, 0.0]], dtype=T.float64)),
    "bernoulli_logits": ("Bernoulli",
                         lambda T: {"logits": T.tensor(_arr((2, 3), 8, -3, 3), requires_grad=True)},
                         lambda T: T.tensor([1.0, 0.0, 1.0], dtype=T.float64)),
    "categorical_probs": ("Categorical",
                          lambda T: {"probs": T.tensor(_arr((2, 4), 9, 0.1, 1.0), requires_grad=True)},
                          lambda T: T.tensor([[0, 3], [2, 1], [1, 1]])),
    "categorical_logits": ("Categorical",
                           lambda T: {"logits": T.tensor(_arr((5,), 10, -2, 2), requires_grad=True)},
                           lambda T: T.tensor([4, 0, 2])),
    "mvn_cov": ("MultivariateNormal",
                lambda T: {"loc": T.tensor(_arr((3,), 11), requires_grad=True),
                           "covariance_matrix": T.tensor(_spd(3, 12), requires_grad=True)},
                lambda T: T.tensor(_arr((4, 3), 13, -2, 2))),
    "mvn_batched_tril": ("MultivariateNormal",
                         lambda T: {"loc": T.tensor(_arr((2, 3), 14), requires_grad=True),
                                    "scale_tril": T.tensor(np.linalg.cholesky(_spd(3, 15)),
                                                           requires_grad=True)},
                         lambda T: T.tensor(_arr((5, 1, 3), 16, -2, 2))),
    "mvn_precision": ("MultivariateNormal",
                      lambda T: {"loc": T.tensor(_arr((3,), 17), requires_grad=True),
                                 "precision_matrix": T.tensor(_spd(3, 18, (2,)),
                                                              requires_grad=True)},
                      lambda T: T.tensor(_arr((2, 3), 19, -2, 2))),
}  # fmt: skip


def _leaves(params):
    return [v for v in params.values() if isinstance(v, (mutograd.Tensor,)) or hasattr(v, "grad")]


def _close(a, b, tol=1e-12):
    assert tuple(a.shape) == tuple(b.shape)
    assert str(a.dtype) == str(b.dtype)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def _both(torch, case, fn):
    name, make_params, make_value = CASES[case]
    results = []
    for T in (mutograd, torch):
        params = make_params(T)
        dist = getattr(T.distributions, name)(**params)
        out = fn(T, dist, make_value(T))
        leaves = [v for v in params.values() if not isinstance(v, float) and v.requires_grad]
        grads = None
        if out.requires_grad:
            weights = T.tensor(_arr(tuple(out.shape), 99))
            grads = T.autograd.grad((out * weights).sum(), leaves, allow_unused=True)
        results.append((dist, out, grads))
    return results


@pytest.mark.parametrize("case", sorted(CASES))
def test_log_prob_matches_torch(torch, case):
    (d, out, grads), (td, tout, tgrads) = _both(torch, case, lambda T, d, v: d.log_prob(v))
    _close(out, tout)
    for g, tg in zip(grads or [], tgrads or [], strict=True):
        _close(g, tg, 1e-10)


@pytest.mark.parametrize("case", sorted(CASES))
def test_entropy_matches_torch(torch, case):
    (d, out, grads), (td, tout, tgrads) = _both(torch, case, lambda T, d, v: d.entropy())
    _close(out, tout)
    for g, tg in zip(grads or [], tgrads or [], strict=True):
        if tg is None:
            assert g is None
        else:
            _close(g, tg, 1e-10)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("what", ["mean", "variance", "stddev"])
def test_moments_match_torch(torch, case, what):
    (d, out, _), (td, tout, _) = _both(torch, case, lambda T, d, v: getattr(d, what))
    _close(out, tout)


@pytest.mark.parametrize("case", sorted(CASES))
def test_shapes_repr_and_support(torch, case):
    (d, _, _), (td, _, _) = _both(torch, case, lambda T, d, v: d.entropy())
    assert tuple(d.batch_shape) == tuple(td.batch_shape)
    assert tuple(d.event_shape) == tuple(td.event_shape)
    assert repr(d) == repr(td)
    assert repr(d.support) == repr(td.support)
    assert d.has_rsample == td.has_rsample
    for shape in [(), (5,), (2, 3)]:
        s, ts = d.sample(shape), td.sample(shape)
        assert tuple(s.shape) == tuple(ts.shape)
        assert str(s.dtype) == str(ts.dtype)
        assert not s.requires_grad
        if td.has_rsample:
            r, tr = d.rsample(shape), td.rsample(shape)
            assert tuple(r.shape) == tuple(ts.shape)
            assert r.requires_grad == tr.requires_grad
    expanded, texpanded = (
        d.expand((4,) + tuple(d.batch_shape)),
        td.expand((4,) + tuple(td.batch_shape)),
    )
    assert tuple(expanded.batch_shape) == tuple(texpanded.batch_shape)
    _close(expanded.entropy(), texpanded.entropy())


@pytest.mark.parametrize("case", ["mvn_cov", "mvn_precision", "mvn_batched_tril"])
@pytest.mark.parametrize("what", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_mvn_matrices_match_torch(torch, case, what):
    (d, out, grads), (td, tout, tgrads) = _both(torch, case, lambda T, d, v: getattr(d, what))
    _close(out, tout, 1e-11)
    for g, tg in zip(grads or [], tgrads or [], strict=True):
        if tg is None:
            assert g is None
        else:
            _close(g, tg, 1e-9)


@pytest.mark.parametrize("case", ["normal", "uniform"])
def test_cdf_matches_torch(torch, case):
    (d, out, grads), (td, tout, tgrads) = _both(torch, case, lambda T, d, v: d.cdf(v))
    _close(out, tout)
    for g, tg in zip(grads or [], tgrads or [], strict=True):
        _close(g, tg, 1e-10)


def test_enumerate_support_matches_torch(torch):
    for name, kw in [("Categorical", "probs"), ("Bernoulli", "probs")]:
        p = np.full((2, 3), 0.3) if name == "Bernoulli" else np.full((2, 3), 1 / 3)
        d = getattr(mutograd.distributions, name)(**{kw: mutograd.tensor(p)})
        td = getattr(torch.distributions, name)(**{kw: torch.tensor(p)})
        for expand in (True, False):
            a, b = d.enumerate_support(expand), td.enumerate_support(expand)
            assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype)
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_sample_statistics():
    mutograd.manual_seed(0)
    D = mutograd.distributions
    n = 20000
    x = D.Normal(mutograd.tensor([1.0, -2.0]), mutograd.tensor([0.5, 2.0])).sample((n,))
    assert np.allclose(x.mean(0).numpy(), [1.0, -2.0], atol=0.05)
    assert np.allclose(x.std(0).numpy(), [0.5, 2.0], rtol=0.05)
    u = D.Uniform(-1.0, 3.0).sample((n,))
    assert -1.0 <= float(u.min()) and float(u.max()) < 3.0
    assert abs(float(u.mean()) - 1.0) < 0.05
    b = D.Bernoulli(probs=mutograd.tensor(0.3)).sample((n,))
    assert set(np.unique(b.numpy())) <= {0.0, 1.0}
    assert abs(float(b.mean()) - 0.3) < 0.02
    c = D.Categorical(probs=mutograd.tensor([0.2, 0.5, 0.3])).sample((n,))
    assert c.dtype is mutograd.int64
    freq = np.bincount(c.numpy(), minlength=3) / n
    assert np.allclose(freq, [0.2, 0.5, 0.3], atol=0.02)
    cov = _spd(2, 3)
    m = D.MultivariateNormal(mutograd.tensor([1.0, 0.0], dtype=mutograd.float64),
                             covariance_matrix=mutograd.tensor(cov)).sample((n,))  # fmt: skip
    assert np.allclose(np.cov(m.numpy().T), cov, rtol=0.1, atol=0.1)


def test_rsample_is_differentiable_by_reparameterisation(torch):
    loc = mutograd.tensor([0.5, -1.0], requires_grad=True)
    scale = mutograd.tensor([1.0, 2.0], requires_grad=True)
    mutograd.manual_seed(1)
    x = mutograd.distributions.Normal(loc, scale).rsample((3,))
    x.sum().backward()
    assert loc.grad.tolist() == [3.0, 3.0]
    mutograd.manual_seed(1)
    eps = mutograd.distributions.Normal(mutograd.zeros(2), mutograd.ones(2)).rsample((3,))
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0).numpy(), rtol=1e-6)


def _raises_same(torch, make):
    with pytest.raises(Exception) as theirs:
        make(torch)
    with pytest.raises(Exception) as ours:
        make(mutograd)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


ERRORS = [
    lambda T: T.distributions.Normal(T.tensor([0.0, 1.0]), T.tensor([-1.0, 1.0])),
    lambda T: T.distributions.Normal(T.tensor([math.nan]), 1.0),
    lambda T: T.distributions.Normal(0.0, 1.0).log_prob(T.tensor([math.nan])),
    lambda T: T.distributions.Normal(0.0, 1.0).log_prob(1.0),
    lambda T: T.distributions.Normal(T.zeros(3), 1.0).log_prob(T.zeros(2)),
    lambda T: T.distributions.Uniform(T.tensor([0.0, 2.0]), T.tensor([1.0, 1.0])),
    lambda T: T.distributions.Uniform(0.0, 1.0).log_prob(T.tensor([1.5])),
    lambda T: T.distributions.Bernoulli(T.tensor([0.5, 1.5])),
    lambda T: T.distributions.Bernoulli(0.5).log_prob(T.tensor([0.5])),
    lambda T: T.distributions.Bernoulli(probs=0.5, logits=0.0),
    lambda T: T.distributions.Bernoulli(),
    lambda T: T.distributions.Categorical(T.tensor([0.5, -0.1])),
    lambda T: T.distributions.Categorical(T.tensor(0.5)),
    lambda T: T.distributions.Categorical(logits=T.tensor([0.0, math.nan])),
    lambda T: T.distributions.Categorical(T.tensor([0.5, 0.5])).log_prob(T.tensor([2])),
    lambda T: T.distributions.Categorical(T.tensor([0.5, 0.5])).log_prob(T.tensor([0.5])),
    lambda T: T.distributions.MultivariateNormal(T.zeros(2), T.tensor([[1.0, 2.0], [0.0, 1.0]])),
    lambda T: T.distributions.MultivariateNormal(T.zeros(2), T.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda T: T.distributions.MultivariateNormal(T.zeros(2), scale_tril=T.tensor([[1.0, 1.0], [0.0, 1.0]])),
    lambda T: T.distributions.MultivariateNormal(T.zeros(2)),
    lambda T: T.distributions.MultivariateNormal(T.tensor(0.0), T.eye(2)),
    lambda T: T.distributions.MultivariateNormal(T.zeros(2), T.ones(2)),
    lambda T: T.distributions.MultivariateNormal(T.zeros(2), T.eye(2)).log_prob(T.zeros(3)),
]  # fmt: skip


@pytest.mark.parametrize("make", ERRORS)
def test_errors_match_torch(torch, make):
    _raises_same(torch, make)


def test_validate_args_false_skips_checks(torch):
    d = mutograd.distributions.Normal(0.0, -1.0, validate_args=False)
    td = torch.distributions.Normal(0.0, -1.0, validate_args=False)
    _close(d.log_prob(mutograd.tensor(0.5)), td.log_prob(torch.tensor(0.5)))
    mutograd.distributions.Distribution.set_default_validate_args(False)
    try:
        mutograd.distributions.Bernoulli(1.5)
    finally:
        mutograd.distributions.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        mutograd.distributions.Bernoulli(1.5)


def test_policy_gradient_step_matches_torch(torch):
    # The REINFORCE pattern of pytorch/examples: log_prob of chosen actions times returns.
    def run(T):
        logits = T.tensor(_arr((4, 3), 20, -1, 1), requires_grad=True)
        actions = T.tensor([0, 2, 1, 2])
        returns = T.tensor(_arr((4,), 21))
        dist = T.distributions.Categorical(logits=logits)
        loss = -(dist.log_prob(actions) * returns).sum() - 0.01 * dist.entropy().sum()
        loss.backward()
        return loss, logits.grad

    (loss, grad), (tloss, tgrad) = run(mutograd), run(torch)
    _close(loss, tloss)
    _close(grad, tgrad)


KL_CASES = [
    ("Normal", lambda T: {"loc": T.tensor(_arr((3,), 30), requires_grad=True),
                          "scale": T.tensor(_arr((3,), 31, 0.5, 2), requires_grad=True)},
               lambda T: {"loc": T.tensor(_arr((2, 3), 32)), "scale": T.tensor(_arr((3,), 33, 0.5, 2))}),
    ("Categorical", lambda T: {"logits": T.tensor(_arr((2, 4), 34, -2, 2), requires_grad=True)},
                    lambda T: {"probs": T.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]])}),
    ("Categorical", lambda T: {"probs": T.tensor([0.5, 0.0, 0.5], dtype=T.float64, requires_grad=True)},
                    lambda T: {"logits": T.tensor(_arr((3,), 35))}),
    ("Uniform", lambda T: {"low": T.tensor([0.0, -1.0], dtype=T.float64, requires_grad=True),
                           "high": T.tensor([1.0, 1.0], dtype=T.float64, requires_grad=True)},
                lambda T: {"low": T.tensor([-1.0, 0.0], dtype=T.float64),
                           "high": T.tensor([2.0, 1.0], dtype=T.float64)}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make_p", "make_q"), KL_CASES)
def test_kl_divergence_matches_torch(torch, name, make_p, make_q):
    results = []
    for T in (mutograd, torch):
        params = make_p(T)
        p = getattr(T.distributions, name)(**params)
        q = getattr(T.distributions, name)(**make_q(T))
        kl = T.distributions.kl_divergence(p, q)
        finite = kl.isfinite()
        (
            kl.masked_fill(finite.logical_not(), 0) * T.tensor(_arr(tuple(kl.shape), 36))
        ).sum().backward()
        results.append((kl, [v.grad for v in params.values()]))
    (kl, grads), (tkl, tgrads) = results
    _close(kl, tkl)
    for g, tg in zip(grads, tgrads, strict=True):
        _close(g, tg, 1e-10)


def test_kl_divergence_unregistered_pair(torch):
    with pytest.raises(NotImplementedError) as theirs:
        torch.distributions.kl_divergence(
            torch.distributions.Categorical(torch.ones(2)), torch.distributions.Normal(0.0, 1.0)
        )
    with pytest.raises(NotImplementedError) as ours:
        mutograd.distributions.kl_divergence(
            mutograd.distributions.Categorical(mutograd.ones(2)),
            mutograd.distributions.Normal(0.0, 1.0),
        )
    assert str(ours.value) == str(theirs.value)
