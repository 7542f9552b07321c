"""LR schedulers against torch 2.13: the rates of 20 epochs, state dicts, warnings, errors."""

from __future__ import annotations

import warnings

import pytest
from _harness import run_both
from conftest import requires_torch

SCHEDULERS = {
    "step": lambda T, o: T.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "multistep": lambda T, o: T.optim.lr_scheduler.MultiStepLR(
        o, milestones=[2, 5, 5, 11], gamma=0.3
    ),
    "exponential": lambda T, o: T.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
    "cosine": lambda T, o: T.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
    "cosine_default": lambda T, o: T.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20),
    "lambda": lambda T, o: T.optim.lr_scheduler.LambdaLR(o, lambda epoch: 0.95**epoch + 0.1),
    "lambda_per_group": lambda T, o: T.optim.lr_scheduler.LambdaLR(
        o, [lambda epoch: 1 / (epoch + 1), lambda epoch: epoch % 3]
    ),
}


def _optimizer(T):
    w = T.nn.Parameter(T.ones(2))
    b = T.nn.Parameter(T.zeros(1))
    return T.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)


@requires_torch
@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_twenty_epochs_of_rates(name):
    def program(T):
        opt = _optimizer(T)
        sched = SCHEDULERS[name](T, opt)
        rates = [sched.get_last_lr()]
        for _ in range(20):
            for group in opt.param_groups:
                for p in group["params"]:
                    p.grad = T.ones_like(p)
            opt.step()
            sched.step()
            rates.append(sched.get_last_lr())
        params = [p for group in opt.param_groups for p in group["params"]]
        return [
            rates,
            [g["lr"] for g in opt.param_groups],
            [g["initial_lr"] for g in opt.param_groups],
            sched.last_epoch,
            params,
        ]

    # NB: rates agree to float64 rounding; the float32 parameters to an ulp or two
    # (PyTorch's vectorised add may fuse the multiply-add).
    run_both(program, rtol=1e-6, atol=1e-7)


@requires_torch
@pytest.mark.parametrize("name", ["step", "multistep", "exponential", "cosine"])
def test_closed_form_with_epoch_argument(name):
    def program(T):
        opt = _optimizer(T)
        sched = SCHEDULERS[name](T, opt)
        opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched.step(6)
        return sched.get_last_lr()

    run_both(program, rtol=1e-12, atol=1e-15)


@requires_torch
def test_state_dict_round_trip():
    def program(T):
        opt = _optimizer(T)
        sched = T.optim.lr_scheduler.StepLR(opt, step_size=2)
        for _ in range(3):
            opt.step()
            sched.step()
        state = sched.state_dict()
        opt2 = _optimizer(T)
        sched2 = T.optim.lr_scheduler.StepLR(opt2, step_size=5)
        sched2.load_state_dict(state)
        keys = sorted(k for k in state if not k.startswith("_"))
        return [keys, sched2.step_size, sched2.last_epoch, sched2.get_last_lr()]

    run_both(program)


@requires_torch
def test_warning_when_scheduler_steps_before_optimizer():
    for T in _both():
        opt = _optimizer(T)
        sched = T.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
            sched.step()


@requires_torch
def test_no_warning_in_the_right_order():
    for T in _both():
        opt = _optimizer(T)
        sched = T.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            sched.step()


@requires_torch
@pytest.mark.parametrize(
    "program",
    [
        lambda T: T.optim.lr_scheduler.StepLR("not an optimizer", 2),
        lambda T: T.optim.lr_scheduler.StepLR(_optimizer(T), 2, last_epoch=3),
        lambda T: T.optim.lr_scheduler.LambdaLR(_optimizer(T), [lambda e: 1.0]),
    ],
    ids=lambda f: "",
)
def test_errors_match_torch(program):
    run_both(program)


def _both():
    import torch

    import mutograd

    return (torch, mutograd)
