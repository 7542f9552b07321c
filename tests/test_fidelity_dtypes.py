"""Dtype rules of in-place and index writes, against PyTorch 2.13.

Every destination dtype (float32, float64, int64, bool) is written by every
in-place op, index write and fill with sources of every dtype (tensors of each
dtype, Python floats, ints and bools): PyTorch casts where its rules allow and
raises its own error otherwise ("result type Float can't be cast to the desired
output type Long", "Index put requires the source and destination dtypes
match...", "Subtraction, the `-` operator, with a bool tensor is not supported"),
never a NumPy error, and nothing is written when it raises.
"""

from __future__ import annotations

import numpy as np
import pytest
from _harness import Raised, run_both
from conftest import requires_torch

pytestmark = requires_torch

DTYPES = ["float32", "float64", "int64", "bool"]
SOURCES = ["float32", "float64", "int64", "bool", "py_float", "py_int", "py_bool"]


def _dest(T, dtype):
    values = np.array([[1.5, 0.0, 2.0], [-1.0, 3.0, 0.5]])
    if dtype == "bool":
        return T.tensor(values != 0)
    return T.tensor(values.astype(dtype))


def _source(T, kind, shape=(2, 3)):
    values = np.array([[0.5, 2.0, 0.0], [1.0, -1.5, 3.0]])[: shape[0], : shape[1]]
    if kind == "py_float":
        return 0.5
    if kind == "py_int":
        return 2
    if kind == "py_bool":
        return True
    if kind == "bool":
        return T.tensor(values != 0)
    return T.tensor(values.astype(kind))


def _tensor_source(T, kind, shape):
    source = _source(T, kind, shape)
    if isinstance(source, (bool, int, float)):
        return T.full(shape, source)
    return source


def _long(T, values):
    return T.tensor(values, dtype=T.int64)


def _mask(T):
    return T.tensor([[True, False, True], [False, True, False]])


# name -> write(T, dest, source_kind)
WRITES = {
    "add_": lambda T, d, k: d.add_(_source(T, k)),
    "sub_": lambda T, d, k: d.sub_(_source(T, k)),
    "mul_": lambda T, d, k: d.mul_(_source(T, k)),
    "div_": lambda T, d, k: d.div_(_source(T, k)),
    "div_floor": lambda T, d, k: d.div_(_source(T, k), rounding_mode="floor"),
    "iadd": lambda T, d, k: d.__iadd__(_source(T, k)),
    "isub": lambda T, d, k: d.__isub__(_source(T, k)),
    "imul": lambda T, d, k: d.__imul__(_source(T, k)),
    "itruediv": lambda T, d, k: d.__itruediv__(_source(T, k)),
    "ipow": lambda T, d, k: d.__ipow__(_source(T, k)),
    "iand": lambda T, d, k: d.__iand__(_source(T, k)),
    "ior": lambda T, d, k: d.__ior__(_source(T, k)),
    "pow_": lambda T, d, k: d.pow_(_source(T, k)),
    "remainder_": lambda T, d, k: d.remainder_(_source(T, k)),
    "fmod_": lambda T, d, k: d.fmod_(_source(T, k)),
    "floor_divide_": lambda T, d, k: d.floor_divide_(_source(T, k)),
    "clamp_min_": lambda T, d, k: d.clamp_min_(_source(T, k)),
    "clamp_max_": lambda T, d, k: d.clamp_max_(_source(T, k)),
    "clamp_": lambda T, d, k: d.clamp_(_source(T, k), None),
    "copy_": lambda T, d, k: d.copy_(_tensor_source(T, k, (2, 3))),
    "fill_": lambda T, d, k: d.fill_(
        _source(T, k) if not hasattr(_source(T, k), "shape") else _source(T, k)[0, 0]
    ),
    "masked_fill_": lambda T, d, k: d.masked_fill_(
        _mask(T), _source(T, k) if not hasattr(_source(T, k), "shape") else _source(T, k)[0, 0]
    ),
    "masked_scatter_": lambda T, d, k: d.masked_scatter_(_mask(T), _tensor_source(T, k, (2, 3))),
    "index_fill_": lambda T, d, k: d.index_fill_(
        1,
        _long(T, [0]),
        _source(T, k) if not hasattr(_source(T, k), "shape") else _source(T, k)[0, 0],
    ),
    "index_add_": lambda T, d, k: d.index_add_(0, _long(T, [1]), _tensor_source(T, k, (1, 3))),
    "index_add_alpha": lambda T, d, k: d.index_add_(
        0, _long(T, [1]), _tensor_source(T, k, (1, 3)), alpha=2
    ),
    "index_copy_": lambda T, d, k: d.index_copy_(0, _long(T, [1]), _tensor_source(T, k, (1, 3))),
    "index_put_": lambda T, d, k: d.index_put_((_long(T, [0]),), _tensor_source(T, k, (1, 3))),
    "index_put_acc": lambda T, d, k: d.index_put_(
        (_long(T, [0]),), _tensor_source(T, k, (1, 3)), accumulate=True
    ),
    "scatter_": lambda T, d, k: d.scatter_(0, _long(T, [[1, 0, 1]]), _tensor_source(T, k, (1, 3))),
    "scatter_value": lambda T, d, k: d.scatter_(
        0, _long(T, [[1, 0, 1]]), _source(T, k) if not hasattr(_source(T, k), "shape") else 1.0
    ),
    "scatter_add_": lambda T, d, k: d.scatter_add_(
        0, _long(T, [[1, 0, 1]]), _tensor_source(T, k, (1, 3))
    ),
    "scatter_reduce_": lambda T, d, k: d.scatter_reduce_(
        0, _long(T, [[1, 0, 1]]), _tensor_source(T, k, (1, 3)), "sum"
    ),
    "set_int": lambda T, d, k: d.__setitem__(
        0, _source(T, k) if not hasattr(_source(T, k), "shape") else _source(T, k)[0]
    ),
    "set_list": lambda T, d, k: d.__setitem__([0], _tensor_source(T, k, (1, 3))),
    "set_long": lambda T, d, k: d.__setitem__(_long(T, [1]), _tensor_source(T, k, (1, 3))),
    "set_mask": lambda T, d, k: d.__setitem__(
        _mask(T), _source(T, k) if not hasattr(_source(T, k), "shape") else _source(T, k)[0, 0]
    ),
    "set_mask_values": lambda T, d, k: d.__setitem__(_mask(T), _tensor_source(T, k, (1, 3))[0]),
    "set_slice": lambda T, d, k: d.__setitem__(slice(None), _tensor_source(T, k, (2, 3))),
}


# PyTorch's integer kernels raise on a zero divisor after writing the elements before
# it; mutograd raises before writing anything (see the README): only the error compares.
PARTIAL_WRITES = {("remainder_", "int64", "bool"), ("fmod_", "int64", "bool")}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("dest", DTYPES)
@pytest.mark.parametrize("write", list(WRITES))
def test_write_dtype_rules(write, dest, source):
    def program(T):
        d = _dest(T, dest)
        try:
            WRITES[write](T, d, source)
        except Exception as error:  # noqa: BLE001 - the error is the result under test
            if (write, dest, source) in PARTIAL_WRITES:
                return Raised(error)
            return [Raised(error), d, d._version]
        return [d, d._version]

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(program)


def _attempt(fn):
    try:
        return fn()
    except Exception as error:  # noqa: BLE001 - the error is the result under test
        return Raised(error)


@pytest.mark.parametrize("inplace", [True, False])
@pytest.mark.parametrize("alpha", [0.5, 2, True, 1.5])
@pytest.mark.parametrize("dtype", ["int64", "bool", "float32"])
def test_index_add_alpha(dtype, alpha, inplace):
    def program(T):
        d = T.tensor([[1, 2, 3], [4, 5, 6]]).to(getattr(T, dtype))
        s = T.ones(1, 3, dtype=d.dtype)
        index = T.tensor([1])
        if inplace:
            return [_attempt(lambda: d.index_add_(0, index, s, alpha=alpha)), d]
        return _attempt(lambda: T.index_add(d, 0, index, s, alpha=alpha))

    run_both(program)


@pytest.mark.parametrize(
    "write",
    [
        lambda T, b: b.__isub__(T.tensor([0.5, 0.5])),
        lambda T, b: b.__setitem__([0], T.tensor([-0.87])),
        lambda T, b: b.__setitem__(T.tensor([True, False]), T.tensor(0.5, dtype=T.float64)),
        lambda T, b: b.pow_(2),
        lambda T, b: b.pow_(True),
        lambda T, b: b.remainder_(True),
        lambda T, b: b.clamp_min_(0.5),
        lambda T, b: b.clamp_min_(True),
        lambda T, b: b.clamp_min_(T.tensor([True, True])),
        lambda T, b: b.clamp_(T.tensor([True, True]), T.tensor([True, True])),
        lambda T, b: b.lerp_(b, 0.5),
        lambda T, b: b.addcmul_(b, b),
        lambda T, b: T.rsub(b, 1),
    ],
    ids=[
        "isub",
        "set_list",
        "set_mask_0d",
        "pow_2",
        "pow_true",
        "remainder_",
        "clamp_min_float",
        "clamp_min_bool",
        "clamp_min_tensor",
        "clamp_tensors",
        "lerp_",
        "addcmul_",
        "rsub",
    ],
)
@pytest.mark.parametrize("dtype", ["bool", "int64", "int32"])
def test_issue_reproducers(dtype, write):
    """The issue's examples: bool -= float, bool[[0]] = float, int.clamp_min_(0.1)..."""

    def program(T):
        b = T.tensor([True, False]).to(getattr(T, dtype))
        return [_attempt(lambda: write(T, b)), b, b._version]

    run_both(program)
