"""The rest of torch.optim against torch 2.13: Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop
and LBFGS, 50 float64 steps side by side from identical weights and gradients, the state
dict layout ('step' a 0-d tensor), flags accepted as torch accepts them, and errors."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import requires_torch

import mutograd

pytestmark = requires_torch

OPTIMIZERS = {
    "adadelta": lambda T, p: T.optim.Adadelta(p),
    "adadelta_decay_max": lambda T, p: T.optim.Adadelta(
        p, lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True
    ),
    "adadelta_foreach": lambda T, p: T.optim.Adadelta(p, foreach=True, capturable=False),
    "adamax": lambda T, p: T.optim.Adamax(p, lr=0.01),
    "adamax_decay_max": lambda T, p: T.optim.Adamax(
        p, lr=0.02, betas=(0.8, 0.9), weight_decay=0.1, maximize=True
    ),
    "nadam": lambda T, p: T.optim.NAdam(p, lr=0.01),
    "nadam_decay": lambda T, p: T.optim.NAdam(p, lr=0.01, weight_decay=0.1, momentum_decay=0.01),
    "nadam_decoupled_max": lambda T, p: T.optim.NAdam(
        p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True
    ),
    "radam": lambda T, p: T.optim.RAdam(p, lr=0.01),
    "radam_decay": lambda T, p: T.optim.RAdam(p, lr=0.01, betas=(0.8, 0.9), weight_decay=0.1),
    "radam_decoupled_max": lambda T, p: T.optim.RAdam(
        p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True
    ),
    "asgd": lambda T, p: T.optim.ASGD(p, lr=0.01),
    "asgd_t0": lambda T, p: T.optim.ASGD(p, lr=0.05, lambd=0.01, alpha=0.5, t0=10),
    "asgd_decay_max": lambda T, p: T.optim.ASGD(p, lr=0.01, t0=3, weight_decay=0.1, maximize=True),
    "rprop": lambda T, p: T.optim.Rprop(p, lr=0.01),
    "rprop_bounds_max": lambda T, p: T.optim.Rprop(
        p, lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True
    ),
    "rprop_foreach": lambda T, p: T.optim.Rprop(p, foreach=True),
}


def _params(T, dtype):
    rng = np.random.default_rng(0)
    w = T.nn.Parameter(T.tensor(rng.standard_normal((3, 4)), dtype=dtype))
    b = T.nn.Parameter(T.tensor(rng.standard_normal(3), dtype=dtype))
    return [w, b]


def _grad(step, i, shape, zeros=False):
    rng = np.random.default_rng(1000 * step + i)
    g = rng.standard_normal(shape)
    if zeros:
        # Some zero entries, so Rprop's "sign is zero" branch runs.
        g[rng.random(shape) < 0.2] = 0.0
    return g


def _run(T, make, dtype, steps=50):
    params = _params(T, dtype)
    opt = make(T, params)
    for step in range(steps):
        for i, p in enumerate(params):
            p.grad = T.tensor(_grad(step, i, tuple(p.shape), zeros=True), dtype=dtype)
        opt.step()
    return params, opt


def _assert_state_equal(ours, theirs, rtol):
    assert list(ours) == list(theirs)
    for key in theirs:
        a, b = ours[key], theirs[key]
        if hasattr(b, "numpy"):
            assert tuple(a.shape) == tuple(b.shape), key
            assert str(a.dtype) == str(b.dtype), key
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=1e-300, err_msg=key)
        else:
            assert a == b, key


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_steps_match_torch_float64(torch, name):
    ours, opt = _run(mutograd, OPTIMIZERS[name], mutograd.float64)
    theirs, topt = _run(torch, OPTIMIZERS[name], torch.float64)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["param_groups"] == tsd["param_groups"]
    assert list(sd["state"]) == list(tsd["state"])
    for k in tsd["state"]:
        _assert_state_equal(sd["state"][k], tsd["state"][k], rtol=1e-12)


@pytest.mark.parametrize("name", ["adamax", "nadam", "radam", "asgd", "rprop", "adadelta"])
def test_steps_match_torch_float32(torch, name):
    ours, opt = _run(mutograd, OPTIMIZERS[name], mutograd.float32, steps=20)
    theirs, topt = _run(torch, OPTIMIZERS[name], torch.float32, steps=20)
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype is mutograd.float32
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    for k, state in topt.state_dict()["state"].items():
        assert state["step"].dtype == torch.float32
        assert opt.state_dict()["state"][k]["step"].dtype is mutograd.float32


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_load_state_dict_resumes_as_torch(torch, name):
    # Ten steps, save, load into a fresh optimizer, ten more, in both libraries (loading
    # casts floating state such as ASGD's eta to the parameter's dtype, as PyTorch does).
    def run(T):
        params = _params(T, T.float64)
        opt = OPTIMIZERS[name](T, params)
        for step in range(20):
            if step == 10:
                saved = opt.state_dict()
                opt = OPTIMIZERS[name](T, params)
                opt.load_state_dict(saved)
            for i, p in enumerate(params):
                p.grad = T.tensor(_grad(step, i, tuple(p.shape), zeros=True), dtype=T.float64)
            opt.step()
        return params, opt

    ours, opt = run(mutograd)
    theirs, topt = run(torch)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)
    for k, state in topt.state_dict()["state"].items():
        _assert_state_equal(opt.state_dict()["state"][k], state, rtol=1e-12)


def test_steps_write_in_place(torch):
    for name, make in OPTIMIZERS.items():
        params = _params(mutograd, mutograd.float64)
        opt = make(mutograd, params)
        ptrs = [p.data_ptr() for p in params]
        versions = [p._version for p in params]
        for i, p in enumerate(params):
            p.grad = mutograd.tensor(_grad(0, i, tuple(p.shape)), dtype=mutograd.float64)
        opt.step()
        assert [p.data_ptr() for p in params] == ptrs, name
        assert all(p._version > v for p, v in zip(params, versions, strict=True)), name
        assert all(p.grad_fn is None and p.requires_grad for p in params), name


def _objective(T, x):
    # Smooth and strictly convex, so rounding differences (PyTorch's kernels may fuse a
    # multiply-add) do not get amplified as they would on Rosenbrock's valley.
    A = T.tensor(
        [[3.0, 0.5, 0.0, 0.2], [0.5, 2.0, 0.3, 0.0], [0.0, 0.3, 1.5, 0.1], [0.2, 0.0, 0.1, 1.0]],
        dtype=T.float64,
    )
    b = T.tensor([1.0, -2.0, 0.5, 0.3], dtype=T.float64)
    return 0.5 * (x @ (A @ x)) - (b * x).sum() + 0.25 * (x**4).sum() + (x[0] * x[1]).exp()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"line_search_fn": "strong_wolfe"},
        {"lr": 0.5, "history_size": 3, "max_iter": 7},
        {"line_search_fn": "strong_wolfe", "history_size": 2, "max_iter": 5, "max_eval": 9},
        {"tolerance_grad": 1e-3, "line_search_fn": "strong_wolfe"},
    ],
)
def test_lbfgs_matches_torch(torch, kwargs):
    def run(T):
        x = T.nn.Parameter(T.tensor([-1.5, 2.0, 0.5, -0.3], dtype=T.float64))
        opt = T.optim.LBFGS([x], **kwargs)
        losses = []

        def closure():
            opt.zero_grad()
            loss = _objective(T, x)
            loss.backward()
            return loss

        for _ in range(4):
            losses.append(float(opt.step(closure)))
        return x, opt, losses

    x, opt, losses = run(mutograd)
    tx, topt, tlosses = run(torch)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-10)
    np.testing.assert_allclose(x.detach().numpy(), tx.detach().numpy(), rtol=1e-9, atol=1e-12)
    state, tstate = opt.state_dict()["state"][0], topt.state_dict()["state"][0]
    assert state["func_evals"] == tstate["func_evals"]
    assert state["n_iter"] == tstate["n_iter"]
    assert len(state["old_dirs"]) == len(tstate["old_dirs"])
    assert opt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]


def test_lbfgs_rejects_groups_and_bad_line_search(torch):
    a = mutograd.nn.Parameter(mutograd.ones(2))
    b = mutograd.nn.Parameter(mutograd.ones(2))
    ta, tb = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    with pytest.raises(ValueError) as ours:
        mutograd.optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(ValueError) as theirs:
        torch.optim.LBFGS([{"params": [ta]}, {"params": [tb]}])
    assert str(ours.value) == str(theirs.value)

    def closure_for(T, p, opt):
        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        return closure

    opt = mutograd.optim.LBFGS([a], line_search_fn="wolfe")
    topt = torch.optim.LBFGS([ta], line_search_fn="wolfe")
    with pytest.raises(RuntimeError) as ours:
        opt.step(closure_for(mutograd, a, opt))
    with pytest.raises(RuntimeError) as theirs:
        topt.step(closure_for(torch, ta, topt))
    assert str(ours.value) == str(theirs.value)


BAD = [
    ("Adadelta", {"lr": -1.0}),
    ("Adadelta", {"rho": 1.5}),
    ("Adadelta", {"eps": -1.0}),
    ("Adadelta", {"weight_decay": -0.1}),
    ("Adamax", {"betas": (1.0, 0.9)}),
    ("Adamax", {"betas": (0.9, -0.1)}),
    ("Adamax", {"eps": -1.0}),
    ("NAdam", {"momentum_decay": -1.0}),
    ("NAdam", {"lr": -0.1}),
    ("RAdam", {"weight_decay": -1.0}),
    ("RAdam", {"betas": (0.9, 1.0)}),
    ("ASGD", {"lr": -1.0}),
    ("ASGD", {"weight_decay": -1.0}),
    ("Rprop", {"etas": (1.5, 1.2)}),
    ("Rprop", {"etas": (0.5, 0.9)}),
    ("Rprop", {"lr": -1.0}),
    ("LBFGS", {"lr": -1.0}),
]


@pytest.mark.parametrize(("name", "kwargs"), BAD)
def test_bad_hyper_parameters_raise_as_torch(torch, name, kwargs):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(mutograd.optim, name)([mutograd.nn.Parameter(mutograd.ones(2))], **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", ["Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"])
def test_defaults_and_repr_match_torch(torch, name):
    opt = getattr(mutograd.optim, name)([mutograd.nn.Parameter(mutograd.ones(2))])
    topt = getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))])
    assert opt.defaults == topt.defaults
    assert repr(opt) == repr(topt)


def test_sparse_adam_is_named_as_unsupported():
    with pytest.raises(NotImplementedError, match="torch.optim.SparseAdam"):
        mutograd.optim.SparseAdam([mutograd.nn.Parameter(mutograd.ones(2))])


def test_lr_scheduler_drives_new_optimizers(torch):
    def run(T):
        p = T.nn.Parameter(T.tensor([1.0, -2.0], dtype=T.float64))
        opt = T.optim.NAdam([p], lr=0.1)
        sched = T.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        for step in range(6):
            p.grad = T.tensor([0.3 * step - 1.0, 0.5], dtype=T.float64)
            opt.step()
            sched.step()
        return p.detach().numpy()

    np.testing.assert_allclose(run(mutograd), run(torch), rtol=1e-12)


@pytest.mark.parametrize("name", ["Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"])
def test_capturable_on_cpu_asserts_as_torch_before_any_write(torch, name):
    p = mutograd.nn.Parameter(mutograd.ones(2))
    p.grad = mutograd.ones(2)
    tp = torch.nn.Parameter(torch.ones(2))
    tp.grad = torch.ones(2)
    opt = getattr(mutograd.optim, name)([p], capturable=True)
    topt = getattr(torch.optim, name)([tp], capturable=True)
    with pytest.raises(AssertionError) as ours:
        opt.step()
    with pytest.raises(AssertionError) as theirs:
        topt.step()
    assert str(ours.value) == str(theirs.value)
    assert p.tolist() == [1.0, 1.0] and p._version == 0
    assert len(opt.state) == 0
