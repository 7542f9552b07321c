"""Type promotion against PyTorch: dimensioned tensors, 0-dim tensors and weak Python scalars.

``int64_tensor * 2.5`` is float32 (a float scalar lifts an integer tensor to the default
dtype only), ``float32_tensor * 2`` stays float32, a 0-dim float64 tensor does not widen
a float32 one, but a 0-dim float tensor does lift an integer one. Every left dtype is
combined with every right operand kind, for several ops, on both engines.
"""

from __future__ import annotations

import numpy as np
import pytest
from _harness import Raised
from conftest import requires_torch
from op_db import check_both

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, 2.5]

OPS = {
    "add": lambda T, a, b: a + b,
    "mul": lambda T, a, b: T.mul(a, b),
    "div": lambda T, a, b: a / b,
    "eq": lambda T, a, b: a == b,
    "where": lambda T, a, b: T.where(T.tensor([True, False]), a, b),
    "maximum": lambda T, a, b: T.maximum(a, b) if not isinstance(b, (bool, int, float)) else a,
    "clamp_scalar": lambda T, a, b: T.clamp(a, min=b) if isinstance(b, (bool, int, float)) else a,
    "pow": lambda T, a, b: a**b,
}


def _tensor(T, dtype: str, shape):
    return T.tensor(np.ones(shape), dtype=getattr(T, dtype))


def _outcome(f):
    try:
        r = f()
    except Exception as exc:  # noqa: BLE001 - compared with PyTorch's
        return Raised(exc)
    return [r.dtype, tuple(r.shape)]


@requires_torch
@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("left", DTYPES)
def test_promotion(op, left):
    def program(T):
        a = _tensor(T, left, (2,))
        out = {}
        f = OPS[op]
        for right in DTYPES:
            out[f"dim-{right}"] = _outcome(lambda r=right: f(T, a, _tensor(T, r, (2,))))
            out[f"0d-{right}"] = _outcome(lambda r=right: f(T, a, _tensor(T, r, ())))
            out[f"0d_left-{right}"] = _outcome(
                lambda r=right: f(T, _tensor(T, left, ()), _tensor(T, r, ()))
            )
        for scalar in SCALARS:
            out[f"scalar-{scalar!r}"] = _outcome(lambda v=scalar: f(T, a, v))
        return out

    check_both(program)


@requires_torch
def test_issue_examples():
    def program(T):
        i = T.tensor([1, 2])
        f = T.tensor([1.0, 2.0])
        return [
            (i * 2.5).dtype,
            (f * 2).dtype,
            (i * 2).dtype,
            (f * T.tensor(2.0, dtype=T.float64)).dtype,
            (i * T.tensor(2.0, dtype=T.float64)).dtype,
            (i / 2).dtype,
            (T.tensor([True]) + 1).dtype,
            T.result_type(i, 2.5) if hasattr(T, "result_type") else T.float32,
        ]

    check_both(program)


@requires_torch
def test_default_dtype_follows_set_default_dtype():
    def program(T):
        previous = T.get_default_dtype()
        T.set_default_dtype(T.float64)
        try:
            return [
                T.tensor([1.5]).dtype,
                (T.tensor([1]) * 2.5).dtype,
                T.zeros(1).dtype,
                T.arange(0.0, 1.0, 0.5).dtype,
                (T.tensor([1]) / 2).dtype,
            ]
        finally:
            T.set_default_dtype(previous)

    check_both(program)


@requires_torch
@pytest.mark.parametrize(
    "case",
    ["int_tensor_iadd_float", "bool_tensor_iadd_int", "float32_iadd_float64", "out_int_float"],
)
def test_in_place_cast_rules(case):
    """In-place results must be castable to self's dtype (PyTorch's canCast)."""

    def program(T):
        i = T.tensor([1, 2])
        b = T.tensor([True, False])
        f = T.tensor([1.0, 2.0])
        try:
            if case == "int_tensor_iadd_float":
                i += 1.5
            elif case == "bool_tensor_iadd_int":
                b += 1
            elif case == "float32_iadd_float64":
                f += T.tensor([1.0, 1.0], dtype=T.float64)
            else:
                T.add(f, f, out=i)
        except RuntimeError as exc:
            return [Raised(exc), i, b, f, i._version, b._version, f._version]
        return [i, b, f, f._version]

    check_both(program)
