"""Optimizers against torch 2.13: 20 steps from identical weights and gradients, state
dicts, parameter groups, printing and errors (raised before anything changes)."""

from __future__ import annotations

import numpy as np
import pytest
from _harness import run_both
from conftest import requires_torch

OPTIMIZERS = {
    "sgd": lambda T, p: T.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda T, p: T.optim.SGD(p, lr=0.1, momentum=0.9),
    "sgd_nesterov_decay": lambda T, p: T.optim.SGD(
        p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01
    ),
    "sgd_dampening_maximize": lambda T, p: T.optim.SGD(
        p, lr=0.1, momentum=0.5, dampening=0.3, maximize=True
    ),
    "adam": lambda T, p: T.optim.Adam(p, lr=0.01),
    "adam_amsgrad_decay": lambda T, p: T.optim.Adam(
        p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True
    ),
    "adam_maximize": lambda T, p: T.optim.Adam(p, lr=0.01, maximize=True),
    "adamw": lambda T, p: T.optim.AdamW(p, lr=0.01),
    "adamw_amsgrad": lambda T, p: T.optim.AdamW(p, lr=0.02, weight_decay=0.5, amsgrad=True),
    "rmsprop": lambda T, p: T.optim.RMSprop(p, lr=0.01),
    "rmsprop_centered_momentum": lambda T, p: T.optim.RMSprop(
        p, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1
    ),
    "rmsprop_maximize": lambda T, p: T.optim.RMSprop(p, lr=0.01, maximize=True),
    "adagrad": lambda T, p: T.optim.Adagrad(p, lr=0.1),
    "adagrad_decay": lambda T, p: T.optim.Adagrad(
        p, lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1, maximize=True
    ),
}


def _params(T, seed=0):
    rng = np.random.default_rng(seed)
    w = T.nn.Parameter(T.tensor(rng.standard_normal((3, 4)).astype(np.float32)))
    b = T.nn.Parameter(T.tensor(rng.standard_normal(3).astype(np.float32)))
    return [w, b]


def _grads(step, params):
    rng = np.random.default_rng(100 + step)
    return [rng.standard_normal(tuple(p.shape)).astype(np.float32) for p in params]


def _run(T, make, steps=20, params=None):
    params = params if params is not None else _params(T)
    opt = make(T, params)
    for step in range(steps):
        for p, g in zip(params, _grads(step, params), strict=True):
            p.grad = T.tensor(g)
        opt.step()
    return params, opt


@requires_torch
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_twenty_steps_match_torch(name):
    def program(T):
        params, opt = _run(T, OPTIMIZERS[name])
        state = opt.state_dict()["state"]
        return [params, {k: dict(v) for k, v in state.items()}, opt.param_groups[0]["lr"]]

    run_both(program, rtol=1e-5, atol=1e-6, check_versions=False)


@requires_torch
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_step_writes_parameters_in_place(name):
    def program(T):
        params = _params(T)
        ptrs = [p.data_ptr() for p in params]
        versions = [p._version for p in params]
        _run(T, OPTIMIZERS[name], steps=3, params=params)
        return [
            [p.data_ptr() == ptr for p, ptr in zip(params, ptrs, strict=True)],
            [p._version > v for p, v in zip(params, versions, strict=True)],
            [p.is_leaf for p in params],
            [p.grad_fn is None for p in params],
        ]

    run_both(program)


@requires_torch
def test_training_a_model_follows_torch():
    def program(T):
        model = T.nn.Sequential(T.nn.Linear(4, 8), T.nn.ReLU(inplace=True), T.nn.Linear(8, 3))
        rng = np.random.default_rng(0)
        with T.no_grad():
            for p in model.parameters():
                p.copy_(T.tensor(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))
        opt = T.optim.Adam(model.parameters(), lr=0.05)
        x = T.tensor(rng.standard_normal((16, 4)).astype(np.float32))
        y = T.tensor(rng.integers(0, 3, 16))
        losses = []
        for _ in range(20):
            loss = T.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return [losses, list(model.parameters())]

    run_both(program, rtol=1e-4, atol=1e-5)


@requires_torch
def test_parameters_without_grad_are_skipped():
    def program(T):
        params = _params(T)
        opt = T.optim.Adam(params, lr=0.1)
        params[0].grad = T.ones(3, 4)
        opt.step()
        return [params, len(opt.state), sorted(opt.state_dict()["state"])]

    run_both(program)


@requires_torch
def test_param_groups_and_add_param_group():
    def program(T):
        w, b = _params(T)
        extra = T.nn.Parameter(T.ones(2))
        opt = T.optim.SGD([{"params": [w]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
        opt.add_param_group({"params": [extra], "weight_decay": 0.1})
        for p in (w, b, extra):
            p.grad = T.ones_like(p)
        opt.step()
        groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
        return [groups, w, b, extra, repr(opt)]

    run_both(program)


@requires_torch
def test_named_parameter_groups():
    def program(T):
        model = T.nn.Linear(2, 1)
        opt = T.optim.Adam(model.named_parameters())
        return [opt.param_groups[0]["param_names"], opt.state_dict()["param_groups"]]

    run_both(program)


@requires_torch
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_repr_matches_torch(name):
    run_both(lambda T: repr(OPTIMIZERS[name](T, _params(T))))


@requires_torch
@pytest.mark.parametrize(
    "name", ["sgd_momentum", "adam_amsgrad_decay", "rmsprop_centered_momentum", "adagrad_decay"]
)
def test_state_dict_round_trip_continues_identically(name):
    def program(T):
        params, opt = _run(T, OPTIMIZERS[name], steps=5)
        saved = opt.state_dict()
        clone = [T.nn.Parameter(p.detach().clone()) for p in params]
        opt2 = OPTIMIZERS[name](T, clone)
        opt2.load_state_dict(saved)
        for step in range(5, 10):
            for group in (params, clone):
                for p, g in zip(group, _grads(step, group), strict=True):
                    p.grad = T.tensor(g)
            opt.step()
            opt2.step()
        return [params, clone, sorted(saved["state"][0]), saved["param_groups"]]

    run_both(program, rtol=1e-5, atol=1e-6)


@requires_torch
def test_load_state_dict_casts_state_to_parameter_dtype():
    def program(T):
        p = T.nn.Parameter(T.ones(2, dtype=T.float64))
        opt = T.optim.Adam([p])
        state = {
            "state": {0: {"step": T.tensor(3.0), "exp_avg": T.ones(2), "exp_avg_sq": T.ones(2)}},
            "param_groups": [dict(opt.state_dict()["param_groups"][0])],
        }
        opt.load_state_dict(state)
        s = opt.state[p]
        return [s["step"].dtype, s["exp_avg"].dtype, s["exp_avg_sq"].dtype]

    run_both(program)


@requires_torch
def test_zero_grad():
    def program(T):
        params = _params(T)
        opt = T.optim.SGD(params, lr=0.1)
        for p in params:
            p.grad = T.ones_like(p)
        opt.zero_grad(set_to_none=False)
        zeroed = [p.grad.clone() for p in params]
        opt.zero_grad()
        return [zeroed, [p.grad for p in params]]

    run_both(program)


@requires_torch
@pytest.mark.parametrize(
    "program",
    [
        lambda T: T.optim.SGD(_params(T), lr=-0.1),
        lambda T: T.optim.SGD(_params(T), momentum=-1),
        lambda T: T.optim.SGD(_params(T), weight_decay=-1),
        lambda T: T.optim.SGD(_params(T), nesterov=True),
        lambda T: T.optim.Adam(_params(T), lr=-1e-3),
        lambda T: T.optim.Adam(_params(T), betas=(1.0, 0.9)),
        lambda T: T.optim.Adam(_params(T), betas=(0.9, -0.1)),
        lambda T: T.optim.Adam(_params(T), eps=-1.0),
        lambda T: T.optim.Adam(_params(T), weight_decay=-1.0),
        lambda T: T.optim.AdamW(_params(T), lr=-2.0),
        lambda T: T.optim.RMSprop(_params(T), lr=-1.0),
        lambda T: T.optim.RMSprop(_params(T), alpha=-1.0),
        lambda T: T.optim.RMSprop(_params(T), momentum=-1.0),
        lambda T: T.optim.Adagrad(_params(T), lr=-1.0),
        lambda T: T.optim.Adagrad(_params(T), lr_decay=-1.0),
        lambda T: T.optim.Adagrad(_params(T), initial_accumulator_value=-1.0),
        lambda T: T.optim.SGD([], lr=0.1),
        lambda T: T.optim.SGD(T.ones(2, requires_grad=True), lr=0.1),
        lambda T: T.optim.SGD([T.ones(2, requires_grad=True) * 2], lr=0.1),
        lambda T: T.optim.SGD([1.0], lr=0.1),
        lambda T: T.optim.SGD(_params(T), lr=0.1).add_param_group(
            {"params": {T.nn.Parameter(T.ones(1))}}
        ),
        lambda T: (lambda p: T.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1))(
            T.nn.Parameter(T.ones(1))
        ),
        lambda T: (lambda p: T.optim.SGD([p], lr=0.1).add_param_group({"params": p}))(
            T.nn.Parameter(T.ones(1))
        ),
        lambda T: T.optim.SGD(_params(T), lr=0.1).add_param_group([T.nn.Parameter(T.ones(1))]),
        lambda T: T.optim.SGD(_params(T)).load_state_dict(
            {"state": {}, "param_groups": [{"params": [0]}, {"params": [1]}]}
        ),
        lambda T: T.optim.SGD(_params(T)).load_state_dict(
            {"state": {}, "param_groups": [{"params": [0]}]}
        ),
    ],
    ids=lambda f: "",
)
def test_errors_match_torch(program):
    run_both(program)


def test_failed_step_changes_no_parameter_and_no_state():
    # See Note [Optimizer steps are all-or-nothing] in optim/optimizer.py.
    import mutograd as torch

    first = torch.nn.Parameter(torch.ones(2))
    second = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.Adam([first, second], lr=0.1)
    first.grad = torch.ones(2)
    second.grad = torch.ones(3)
    second.grad.resize_(4)  # a gradient whose shape no longer matches its parameter
    with pytest.raises(RuntimeError):
        opt.step()
    assert (first == 1).all() and (second == 1).all()
    assert first._version == 0 and second._version == 0
    assert len(opt.state) == 0


def test_step_runs_without_recording_history():
    import mutograd as torch

    p = torch.nn.Parameter(torch.ones(2))
    p.grad = torch.ones(2)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    opt.step()
    assert p.grad_fn is None and p.is_leaf
    assert not opt.state[p]["momentum_buffer"].requires_grad


def test_closure_and_step_hooks():
    import mutograd as torch

    p = torch.nn.Parameter(torch.tensor([2.0]))
    opt = torch.optim.SGD([p], lr=0.1)
    calls = []
    opt.register_step_pre_hook(lambda o, args, kwargs: calls.append("pre"))
    handle = opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post"))

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 4.0 and abs(p.item() - 1.6) < 1e-6
    handle.remove()
    opt.step(closure)
    assert calls == ["pre", "post", "pre"]
