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
