"""torch.testing.assert_close side by side with PyTorch: the same pass/fail, the same
exception type and the same message, for tensors, scalars, containers and options."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import requires_torch

import mutograd

pytestmark = requires_torch

NAN, INF = math.nan, math.inf

# Each case builds (actual, expected, kwargs) from a library (torch or mutograd).
CASES = {
    "close": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.0 + 1e-6]), {}),
    "one_off": lambda t: (t.tensor([1.0, 2.0, 3.0]), t.tensor([1.0, 2.5, 3.0]), {}),
    "dtype": lambda t: (t.tensor([1.0]), t.tensor([1.0], dtype=t.float64), {}),
    "dtype_unchecked": lambda t: (
        t.tensor([1.0, 2.0]),
        t.tensor([1.0, 2.1], dtype=t.float64),
        {"check_dtype": False},
    ),
    "shape": lambda t: (t.tensor([1.0, 2.0, 3.0]), t.tensor([1.0, 2.0]), {}),
    "float_scalars": lambda t: (1.0, 1.5, {}),
    "int_scalars": lambda t: (1, 2, {}),
    "int_vs_float": lambda t: (1, 1.0, {}),
    "int_vs_float_unchecked": lambda t: (1, 1.5, {"check_dtype": False}),
    "bools": lambda t: (True, False, {}),
    "nones": lambda t: (None, None, {}),
    "none_vs_int": lambda t: (None, 1, {}),
    "nan_scalars": lambda t: (1.0, NAN, {}),
    "nan_equal": lambda t: (NAN, NAN, {"equal_nan": True}),
    "list_item": lambda t: ([t.ones(3), t.ones(3)], [t.ones(3), t.ones(3) + 1], {}),
    "dict_item": lambda t: ({"x": t.ones(3)}, {"x": t.ones(3) * 2}, {}),
    "dict_keys": lambda t: ({"x": t.ones(1)}, {"y": t.ones(1)}, {}),
    "nested_path": lambda t: (
        [{"a": [1, t.ones(1)]}],
        [{"a": [1, t.zeros(1)]}],
        {},
    ),
    "lengths": lambda t: ((1, 2), (1, 2, 3), {}),
    "tuple_vs_list": lambda t: ((1.0, 2.0), [1.0, 2.0], {}),
    "ints": lambda t: (t.tensor([-1, 5]), t.tensor([1, 5]), {}),
    "uint8": lambda t: (t.tensor([1], dtype=t.uint8), t.tensor([3], dtype=t.uint8), {}),
    "uint8_0d": lambda t: (t.tensor(1, dtype=t.uint8), t.tensor(3, dtype=t.uint8), {}),
    "bool_tensors": lambda t: (t.tensor([True, False]), t.tensor([True, True]), {}),
    "float_0d": lambda t: (t.tensor(1.0), t.tensor(2.0), {}),
    "nan_0d": lambda t: (t.tensor(NAN), t.tensor(1.0), {}),
    "nan_tensor": lambda t: (t.tensor([1.0, 2.0, 3.0]), t.tensor([1.0, NAN, 3.0]), {}),
    "nan_both": lambda t: (t.tensor([NAN]), t.tensor([NAN]), {}),
    "nan_both_equal": lambda t: (t.tensor([NAN]), t.tensor([NAN]), {"equal_nan": True}),
    "inf_same": lambda t: (t.tensor([1.0, INF]), t.tensor([1.0, INF]), {}),
    "inf_opposite": lambda t: (t.tensor([1.0, INF]), t.tensor([1.0, -INF]), {}),
    "zero_expected": lambda t: (t.tensor([1.0]), t.tensor([0.0]), {}),
    "tiny": lambda t: (t.tensor([1.0, 2.0, 3.0]), t.tensor([1.0, 2.0, 3.0001]), {}),
    "float64": lambda t: (
        t.tensor([1.0, 2.0], dtype=t.float64),
        t.tensor([1.0, 2.1], dtype=t.float64),
        {},
    ),
    "float16": lambda t: (
        t.tensor([1.0, 2.0], dtype=t.float16),
        t.tensor([1.0, 2.001], dtype=t.float16),
        {},
    ),
    "exact": lambda t: (t.tensor([1.0, 2.0]), t.tensor([1.0, 2.1]), {"rtol": 0, "atol": 0}),
    "given_tolerances": lambda t: (
        t.tensor([1.0, 2.0]),
        t.tensor([1.0, 2.1]),
        {"rtol": 1e-3, "atol": 1e-3},
    ),
    "rtol_only": lambda t: (t.ones(2), t.ones(2), {"rtol": 1e-3}),
    "atol_only": lambda t: (t.ones(2), t.ones(2), {"atol": 1e-3}),
    "many": lambda t: (t.arange(100.0), t.arange(100.0) + t.arange(100.0) % 2, {}),
    "matrix": lambda t: (t.zeros(2, 2), t.eye(2), {}),
    "empty": lambda t: (t.ones(0), t.ones(0), {}),
    "stride": lambda t: (t.ones(2, 2), t.ones(2, 2).t(), {"check_stride": True}),
    "stride_unchecked": lambda t: (t.ones(2, 2), t.ones(2, 2).t(), {}),
    "requires_grad": lambda t: (t.ones(2).requires_grad_(), t.zeros(2), {}),
    "parameter": lambda t: (t.nn.Parameter(t.ones(1)), t.ones(1), {}),
    "tensor_vs_list": lambda t: (t.tensor([1.0]), [1.0], {}),
    "tensor_vs_float": lambda t: (t.tensor([1.0]), 1.0, {}),
    "strings": lambda t: ("a", "b", {}),
    "numpy_arrays": lambda t: (np.ones(2), np.array([1.0, 2.0]), {}),
    "msg_string": lambda t: (t.ones(1), t.zeros(1), {"msg": "custom"}),
    "msg_callable": lambda t: (t.ones(1), t.zeros(1), {"msg": lambda m: "X" + m[:30]}),
    "msg_nested": lambda t: ([t.ones(1)], [t.zeros(1)], {"msg": lambda m: m[-40:]}),
}


def _outcome(lib, case):
    actual, expected, kwargs = CASES[case](lib)
    try:
        lib.testing.assert_close(actual, expected, **kwargs)
    except Exception as e:  # noqa: BLE001 - the outcome under test
        text = str(e).replace("mutograd._tensor.Tensor", "torch.Tensor")
        return type(e), text
    return None


@pytest.mark.parametrize("case", sorted(CASES))
def test_assert_close_matches_torch(torch, case):
    assert _outcome(mutograd, case) == _outcome(torch, case)


def test_default_tolerances_per_dtype(torch):
    # Just inside and just outside each dtype's default tolerance, as PyTorch decides.
    for name, (rtol, atol) in {
        "float16": (1e-3, 1e-5),
        "float32": (1.3e-6, 1e-5),
        "float64": (1e-7, 1e-7),
    }.items():
        for factor, passes in ((0.5, True), (2.0, False)):
            delta = factor * (atol + rtol * 4.0)
            outcomes = []
            for lib in (torch, mutograd):
                dtype = getattr(lib, name)
                a = lib.tensor([4.0 + delta], dtype=lib.float64).to(dtype)
                b = lib.tensor([4.0], dtype=dtype)
                try:
                    lib.testing.assert_close(a, b)
                    outcomes.append(True)
                except AssertionError:
                    outcomes.append(False)
            assert outcomes == [passes, passes], (name, factor)
    with pytest.raises(AssertionError, match="not equal"):
        mutograd.testing.assert_close(mutograd.tensor([1]), mutograd.tensor([2]))
