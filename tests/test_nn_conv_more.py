"""Conv1d, ConvTranspose1d/2d and their functional forms against torch 2.13: parameter
shapes, repr, outputs and gradients in float64 with torch's weights copied across."""

from __future__ import annotations

import numpy as np
import pytest
from _fd import directional_gradcheck
from conftest import requires_torch

import mutograd

pytestmark = requires_torch


def _data(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


MODULES = [
    ("Conv1d", (4, 6, 3), {}, (2, 4, 9)),
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}, (2, 4, 11)),
    ("Conv1d", (3, 2, 4), {"padding": "same", "bias": False}, (2, 3, 7)),
    ("Conv1d", (3, 2, 2), {"padding": "valid"}, (3, 8)),
    ("ConvTranspose1d", (4, 6, 3), {}, (2, 4, 5)),
    (
        "ConvTranspose1d",
        (4, 6, 3),
        {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2},
        (2, 4, 5),
    ),
    ("ConvTranspose1d", (2, 3, 2), {"dilation": 2, "bias": False}, (2, 6)),
    ("ConvTranspose2d", (4, 6, 3), {}, (2, 4, 5, 4)),
    (
        "ConvTranspose2d",
        (4, 6, (3, 2)),
        {"stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2)},
        (2, 4, 3, 3),
    ),
    ("ConvTranspose2d", (4, 2, 3), {"groups": 2, "dilation": 2, "padding": 3}, (1, 4, 4, 4)),
    ("ConvTranspose2d", (3, 2, 4), {"stride": 2, "padding": 1, "bias": False}, (3, 4, 4)),
]


@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), MODULES)
def test_modules_match_torch(torch, name, args, kwargs, shape):
    tmodule = getattr(torch.nn, name)(*args, **kwargs).double()
    module = getattr(mutograd.nn, name)(*args, dtype=mutograd.float64, **kwargs)
    assert [(k, tuple(v.shape)) for k, v in module.named_parameters()] == [
        (k, tuple(v.shape)) for k, v in tmodule.named_parameters()
    ]
    assert repr(module) == repr(tmodule)
    module.load_state_dict(
        {k: mutograd.tensor(v.detach().numpy().copy()) for k, v in tmodule.state_dict().items()}
    )
    x_np = _data(shape, 1)
    results = []
    for T, m in ((mutograd, module), (torch, tmodule)):
        x = T.tensor(x_np, requires_grad=True)
        out = m(x)
        (out * T.tensor(_data(tuple(out.shape), 2))).sum().backward()
        results.append((out, x.grad, {k: p.grad for k, p in m.named_parameters()}))
    (out, xg, pg), (tout, txg, tpg) = results
    assert tuple(out.shape) == tuple(tout.shape)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(xg.numpy(), txg.numpy(), rtol=1e-12, atol=1e-12)
    for k in tpg:
        np.testing.assert_allclose(pg[k].numpy(), tpg[k].numpy(), rtol=1e-12, atol=1e-12)


def test_default_init_bounds_follow_torch(torch):
    # kaiming_uniform(a=sqrt(5)): |w| <= 1/sqrt(fan_in), fan_in from weight.shape[1:].
    for m in (mutograd.nn.Conv1d(4, 6, 3), mutograd.nn.ConvTranspose2d(4, 6, 3)):
        fan_in = int(np.prod(tuple(m.weight.shape[1:])))
        assert float(m.weight.detach().abs().max()) <= 1 / np.sqrt(fan_in) + 1e-7
        assert float(m.bias.detach().abs().max()) <= 1 / np.sqrt(fan_in) + 1e-7


def test_conv_transpose_output_size(torch):
    m = mutograd.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, dtype=mutograd.float64)
    tm = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    m.load_state_dict({k: mutograd.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = _data((1, 2, 4, 4), 0)
    out = m(mutograd.tensor(x), output_size=[8, 8])
    tout = tm(torch.tensor(x), output_size=[8, 8])
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    with pytest.raises(ValueError) as ours:
        m(mutograd.tensor(x), output_size=[12, 12])
    with pytest.raises(ValueError) as theirs:
        tm(torch.tensor(x), output_size=[12, 12])
    assert str(ours.value) == str(theirs.value)


def test_functional_gradcheck():
    F = mutograd.nn.functional
    x, w, b = _data((1, 2, 4, 3), 0), _data((2, 3, 2, 2), 1), _data((3,), 2)
    assert directional_gradcheck(
        lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
        [x, w, b],
    )
    assert directional_gradcheck(
        lambda x, w: F.conv1d(x, w, stride=2, padding=1), [_data((2, 2, 7), 3), _data((3, 2, 3), 4)]
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda T: T.nn.Conv1d(4, 6, 3)(T.zeros(2, 3, 9)),
        lambda T: T.nn.Conv1d(4, 6, 3, groups=4),
        lambda T: T.nn.functional.conv1d(T.zeros(2, 2, 4, 4), T.zeros(3, 2, 3)),
    ],
)
def test_errors_match_torch(torch, make):
    with pytest.raises(Exception) as theirs:
        make(torch)
    with pytest.raises(Exception) as ours:
        make(mutograd)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)
