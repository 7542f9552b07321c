"""nn.init: PyTorch's formulas, distributions and errors; in place, under no_grad, one
version bump per fill. Random values are checked by their distribution (mutograd's
generator is not PyTorch's)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _harness import run_both
from conftest import requires_torch

import mutograd

init = mutograd.nn.init


@requires_torch
def test_gains_and_fans_match_torch():
    def program(T):
        gains = [
            T.nn.init.calculate_gain(name)
            for name in ("linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu")
        ]
        gains.append(T.nn.init.calculate_gain("leaky_relu", 0.2))
        gains.append(T.nn.init.calculate_gain("leaky_relu", 3))
        fans = [
            T.nn.init._calculate_fan_in_and_fan_out(T.empty(*shape))
            for shape in ((3, 4), (8, 2, 3, 3), (5, 1, 7))
        ]
        return [gains, fans]

    run_both(program)


@requires_torch
@pytest.mark.parametrize(
    "program",
    [
        lambda T: T.nn.init.calculate_gain("softmax"),
        lambda T: T.nn.init.calculate_gain("leaky_relu", "big"),
        lambda T: T.nn.init._calculate_fan_in_and_fan_out(T.empty(3)),
        lambda T: T.nn.init.kaiming_uniform_(T.empty(3, 4), mode="fan_avg"),
        lambda T: T.nn.init.xavier_uniform_(T.empty(3)),
        lambda T: T.nn.init.eye_(T.empty(2, 2, 2)),
        lambda T: T.nn.init.dirac_(T.empty(2, 2)),
        lambda T: T.nn.init.dirac_(T.empty(3, 2, 3), groups=2),
    ],
    ids=lambda f: "",
)
def test_errors_match_torch(program):
    run_both(program)


@requires_torch
@pytest.mark.parametrize(
    "fill",
    [
        lambda T, t: T.nn.init.constant_(t, 0.25),
        lambda T, t: T.nn.init.ones_(t),
        lambda T, t: T.nn.init.zeros_(t),
        lambda T, t: T.nn.init.eye_(t.view(4, 6)),
        lambda T, t: T.nn.init.dirac_(t.view(2, 3, 2, 2)),
        lambda T, t: T.nn.init.dirac_(t.view(4, 2, 3), groups=2),
    ],
    ids=["constant", "ones", "zeros", "eye", "dirac", "dirac_groups"],
)
def test_deterministic_fills_in_place(fill):
    def program(T):
        p = T.nn.Parameter(T.full((24,), 7.0))
        ptr = p.data_ptr()
        out = fill(T, p)
        return [
            p,
            p._version,
            p.data_ptr() == ptr,
            p.requires_grad,
            p.is_leaf,
            out.data_ptr() == ptr,
        ]

    run_both(program)


@pytest.mark.parametrize(
    "fill,low,high",
    [
        (lambda t: init.uniform_(t, -0.3, 0.2), -0.3, 0.2),
        (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), -1 / math.sqrt(50), 1 / math.sqrt(50)),
        (
            lambda t: init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
            -math.sqrt(6 / 40),
            math.sqrt(6 / 40),
        ),
        (
            lambda t: init.xavier_uniform_(t, gain=2.0),
            -2 * math.sqrt(6 / 90),
            2 * math.sqrt(6 / 90),
        ),
    ],
)
def test_uniform_fills_stay_in_bounds(fill, low, high):
    mutograd.manual_seed(0)
    p = mutograd.nn.Parameter(mutograd.empty(40, 50))
    assert fill(p) is p
    values = p.detach().numpy()
    assert values.min() >= low and values.max() <= high
    assert abs(values.mean() - (low + high) / 2) < 0.05 * (high - low)
    assert abs(values.std() - (high - low) / math.sqrt(12)) < 0.05 * (high - low)
    assert p._version == 1 and p.requires_grad


@pytest.mark.parametrize(
    "fill,std",
    [
        (lambda t: init.normal_(t, 0.0, 0.5), 0.5),
        (lambda t: init.kaiming_normal_(t, nonlinearity="relu"), math.sqrt(2 / 50)),
        (lambda t: init.xavier_normal_(t), math.sqrt(2 / 90)),
    ],
)
def test_normal_fills(fill, std):
    mutograd.manual_seed(0)
    t = mutograd.empty(40, 50)
    fill(t)
    values = t.numpy()
    assert abs(values.mean()) < 0.1 * std and abs(values.std() - std) < 0.05 * std


@pytest.mark.parametrize(
    "mean,std,a,b", [(0.0, 1.0, -2.0, 2.0), (0.0, 1.0, 2.0, 3.0), (1.0, 0.1, 0.95, 1.2)]
)
def test_trunc_normal_stays_in_range(mean, std, a, b):
    mutograd.manual_seed(0)
    t = init.trunc_normal_(mutograd.empty(2000), mean, std, a, b)
    values = t.numpy()
    assert values.min() >= a and values.max() <= b
    assert len(np.unique(values)) > 1900


def test_init_under_grad_mode_does_not_record():
    p = mutograd.nn.Parameter(mutograd.empty(3, 3))
    init.kaiming_uniform_(p)
    init.zeros_(p)
    assert p.grad_fn is None and p.is_leaf and p._version == 2


def test_layer_default_initialisation_follows_torch_distributions():
    mutograd.manual_seed(0)
    lin = mutograd.nn.Linear(100, 200)
    bound = 1 / math.sqrt(100)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    conv = mutograd.nn.Conv2d(4, 8, 3)
    bound = 1 / math.sqrt(4 * 9)
    assert np.abs(conv.weight.detach().numpy()).max() <= bound
    emb = mutograd.nn.Embedding(1000, 20, padding_idx=3)
    e = emb.weight.detach().numpy()
    assert (e[3] == 0).all() and abs(e.std() - 1.0) < 0.05
    ln, bn = mutograd.nn.LayerNorm(5), mutograd.nn.BatchNorm2d(5)
    for module in (ln, bn):
        assert (module.weight == 1).all() and (module.bias == 0).all()
