"""The small APIs the programs under tests/programs needed, side by side with torch:
torch.finfo / torch.iinfo, indexing with a Python range, torch.tensor of any sequence."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from conftest import requires_torch

import mutograd

FLOATS = ["float16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


def _raises_same(torch_call, mutograd_call):
    with pytest.raises(Exception) as expected:
        torch_call()
    with pytest.raises(type(expected.value)) as actual:
        mutograd_call()
    assert str(actual.value) == str(expected.value)


@requires_torch
@pytest.mark.parametrize("name", FLOATS)
def test_finfo(torch, name):
    expected, actual = torch.finfo(getattr(torch, name)), mutograd.finfo(getattr(mutograd, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(actual, attr) == getattr(expected, attr), attr
        assert type(getattr(actual, attr)) is type(getattr(expected, attr)), attr
    assert repr(actual) == repr(expected) and str(actual) == str(expected)
    assert actual == mutograd.finfo(getattr(mutograd, name))


@requires_torch
def test_finfo_default_dtype(torch):
    assert repr(mutograd.finfo()) == repr(torch.finfo())
    mutograd.set_default_dtype(mutograd.float64)
    try:
        assert mutograd.finfo().dtype == "float64"
    finally:
        mutograd.set_default_dtype(mutograd.float32)


@requires_torch
@pytest.mark.parametrize("name", INTS)
def test_iinfo(torch, name):
    expected, actual = torch.iinfo(getattr(torch, name)), mutograd.iinfo(getattr(mutograd, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(actual, attr) == getattr(expected, attr), attr
        assert type(getattr(actual, attr)) is type(getattr(expected, attr)), attr
    assert repr(actual) == repr(expected)


@requires_torch
@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.finfo(t.int64),
        lambda t: t.finfo(t.bool),
        lambda t: t.finfo("float32"),
        lambda t: t.iinfo(t.float32),
        lambda t: t.iinfo(t.bool),
        lambda t: t.iinfo(3),
    ],
)
def test_finfo_iinfo_errors(torch, call):
    _raises_same(lambda: call(torch), lambda: call(mutograd))


@requires_torch
@pytest.mark.parametrize(
    "key",
    [
        lambda t: range(3),
        lambda t: range(1, 4, 2),
        lambda t: (range(4), t.tensor([0, 2, 1, 2])),
        lambda t: (slice(None), range(2)),
        lambda t: (range(0), slice(None)),
    ],
)
def test_index_with_range(torch, key):
    values = np.arange(12.0).reshape(4, 3)
    expected_x = torch.tensor(values, requires_grad=True)
    actual_x = mutograd.tensor(values, requires_grad=True)
    expected, actual = expected_x[key(torch)], actual_x[key(mutograd)]
    assert actual.tolist() == expected.tolist() and actual.shape == expected.shape
    assert actual.grad_fn.name() == expected.grad_fn.name()
    expected.sum().backward()
    actual.sum().backward()
    assert actual_x.grad.tolist() == expected_x.grad.tolist()


@requires_torch
def test_index_put_with_range(torch):
    expected = torch.zeros(3, 4)
    actual = mutograd.zeros(3, 4)
    expected[range(3), torch.tensor([1, 0, 3])] = -1.0
    actual[range(3), mutograd.tensor([1, 0, 3])] = -1.0
    assert actual.tolist() == expected.tolist() and actual._version == expected._version


@requires_torch
def test_index_with_range_out_of_bounds(torch):
    _raises_same(lambda: torch.zeros(2, 2)[range(3)], lambda: mutograd.zeros(2, 2)[range(3)])


@requires_torch
@pytest.mark.parametrize(
    "data",
    [
        collections.deque([1.5, 2.0, 3.0]),
        range(4),
        [range(2), collections.deque([3, 4])],
        collections.deque([[1, 2], [3, 4]]),
        collections.deque(),
    ],
)
def test_tensor_from_any_sequence(torch, data):
    expected, actual = torch.tensor(data), mutograd.tensor(data)
    assert actual.tolist() == expected.tolist()
    assert str(actual.dtype) == str(expected.dtype) and actual.shape == expected.shape


@requires_torch
def test_tensor_from_ragged_deque(torch):
    data = collections.deque([[1, 2], [3]])
    _raises_same(lambda: torch.tensor(data), lambda: mutograd.tensor(data))


@requires_torch
def test_index_with_empty_list(torch):
    expected, actual = torch.ones(3, 2)[[]], mutograd.ones(3, 2)[[]]
    assert actual.shape == expected.shape and str(actual.dtype) == str(expected.dtype)


@requires_torch
@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda T: T.nn.MSELoss(), (3, 4)),
        (lambda T: T.nn.MSELoss(reduction="none"), (2, 3)),
        (lambda T: T.nn.BatchNorm1d(3), (4, 3)),
        (lambda T: T.nn.BatchNorm2d(2), (2, 2, 3, 3)),
        (lambda T: T.nn.LayerNorm(5), (2, 5)),
        (lambda T: T.nn.LayerNorm((2, 5), elementwise_affine=False), (3, 2, 5)),
    ],
)
def test_nn_layers_grad_fn_names_as_torch(torch, make, shape):
    values = np.random.RandomState(0).randn(*shape).astype(np.float32)
    outputs = []
    for T in (torch, mutograd):
        module = make(T)
        x = T.tensor(values, requires_grad=True)
        out = module(x, T.zeros(shape)) if isinstance(module, T.nn.MSELoss) else module(x)
        out.sum().backward()
        outputs.append((out.grad_fn.name(), len(out.grad_fn.next_functions), out.detach().numpy(), x.grad.numpy()))
    (name, edges, value, grad), (m_name, m_edges, m_value, m_grad) = outputs
    assert (m_name, m_edges) == (name, edges)
    np.testing.assert_allclose(m_value, value, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m_grad, grad, rtol=1e-5, atol=1e-5)


@requires_torch
def test_batch_norm_eval_after_training_as_torch(torch):
    values = np.random.RandomState(1).randn(6, 3).astype(np.float32)
    results = []
    for T in (torch, mutograd):
        bn = T.nn.BatchNorm1d(3)
        for _ in range(3):
            bn(T.tensor(values) * 2 + 1)
        bn.eval()
        x = T.tensor(values, requires_grad=True)
        out = bn(x)
        out.pow(2).sum().backward()
        results.append((out.grad_fn.name(), bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(),
                        bn.running_mean._version, out.detach().numpy(), x.grad.numpy(), bn.weight.grad.numpy()))
    for e, a in zip(*results):
        if isinstance(e, np.ndarray):
            np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)
        else:
            assert a == e
