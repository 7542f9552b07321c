"""Differential testing: run one program on mutograd and on PyTorch, compare everything.

A program is a function ``program(T)`` that receives the module (``mutograd`` or
``torch``), builds its inputs from NumPy data, and returns any nesting of
tensors, numbers, strings and booleans. Both runs are compared on values,
dtypes, shapes, strides, requires_grad, grad_fn names, versions and leafness;
if either raises, both must raise the same type with PyTorch's message (mutograd
may append its own diagnosis after PyTorch's text).
"""

from __future__ import annotations

import math

import numpy as np

import mutograd

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


class Raised:
    def __init__(self, error: BaseException) -> None:
        self.type = type(error)
        self.message = str(error)

    def __repr__(self) -> str:
        return f"Raised({self.type.__name__}: {self.message!r})"


def run(program, module):
    try:
        return program(module)
    except Exception as error:  # noqa: BLE001 - the error is the result under test
        return Raised(error)


def run_both(
    program,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    check_strides: bool = True,
    check_versions: bool = True,
    message: str = "prefix",
):
    """Run ``program`` on both engines and assert they agree; returns mutograd's result."""
    assert torch is not None, "run_both needs torch"
    expected = run(program, torch)
    actual = run(program, mutograd)
    compare(
        actual,
        expected,
        rtol=rtol,
        atol=atol,
        check_strides=check_strides,
        check_versions=check_versions,
        message=message,
        path="result",
    )
    return actual


def compare(actual, expected, *, rtol, atol, check_strides, check_versions, message, path):
    if isinstance(expected, Raised) or isinstance(actual, Raised):
        assert isinstance(expected, Raised), (
            f"{path}: mutograd raised {actual!r}, torch returned {expected!r}"
        )
        assert isinstance(actual, Raised), (
            f"{path}: torch raised {expected!r}, mutograd returned {actual!r}"
        )
        assert actual.type is expected.type or issubclass(actual.type, expected.type), (
            f"{path}: error types differ: {actual!r} vs {expected!r}"
        )
        if message == "prefix":
            assert actual.message.startswith(expected.message), (
                f"{path}: messages differ:\n  mutograd: {actual.message!r}\n  torch:    {expected.message!r}"
            )
        return
    if torch is not None and isinstance(expected, torch.Tensor):
        assert isinstance(actual, mutograd.Tensor), f"{path}: expected a tensor, got {actual!r}"
        compare_tensors(
            actual,
            expected,
            rtol=rtol,
            atol=atol,
            check_strides=check_strides,
            check_versions=check_versions,
            path=path,
        )
        return
    if isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected), (
            f"{path}: {actual!r} vs {expected!r}"
        )
        for k, (a, e) in enumerate(zip(actual, expected)):
            compare(
                a,
                e,
                rtol=rtol,
                atol=atol,
                check_strides=check_strides,
                check_versions=check_versions,
                message=message,
                path=f"{path}[{k}]",
            )
        return
    if isinstance(expected, dict):
        assert set(actual) == set(expected), f"{path}: keys {set(actual)} vs {set(expected)}"
        for k in expected:
            compare(
                actual[k],
                expected[k],
                rtol=rtol,
                atol=atol,
                check_strides=check_strides,
                check_versions=check_versions,
                message=message,
                path=f"{path}[{k!r}]",
            )
        return
    if isinstance(expected, float):
        assert isinstance(actual, (float, int)), f"{path}: {actual!r} vs {expected!r}"
        assert _close(actual, expected, rtol, atol), f"{path}: {actual!r} vs {expected!r}"
        return
    if torch is not None and isinstance(expected, torch.dtype):
        assert repr(actual) == repr(expected), f"{path}: {actual!r} vs {expected!r}"
        return
    assert actual == expected, f"{path}: {actual!r} vs {expected!r}"


def _close(a, b, rtol, atol) -> bool:
    if math.isnan(b):
        return math.isnan(a)
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol) or a == b


def compare_tensors(actual, expected, *, rtol, atol, check_strides, check_versions, path):
    assert repr(actual.dtype) == repr(expected.dtype), (
        f"{path}: dtype {actual.dtype} vs {expected.dtype}"
    )
    assert tuple(actual.shape) == tuple(expected.shape), (
        f"{path}: shape {tuple(actual.shape)} vs {tuple(expected.shape)}"
    )
    want = expected.detach().numpy()
    got = actual.detach().numpy()
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want, err_msg=path)
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=path)
    assert actual.requires_grad == expected.requires_grad, (
        f"{path}: requires_grad {actual.requires_grad} vs {expected.requires_grad}"
    )
    assert actual.is_leaf == expected.is_leaf, (
        f"{path}: is_leaf {actual.is_leaf} vs {expected.is_leaf}"
    )
    assert grad_fn_name(actual) == grad_fn_name(expected), (
        f"{path}: grad_fn {grad_fn_name(actual)} vs {grad_fn_name(expected)}"
    )
    if check_strides and expected.numel() > 1:
        assert actual.stride() == expected.stride(), (
            f"{path}: stride {actual.stride()} vs {expected.stride()}"
        )
        assert actual.storage_offset() == expected.storage_offset(), f"{path}: storage_offset"
    if check_versions:
        assert actual._version == expected._version, (
            f"{path}: version {actual._version} vs {expected._version}"
        )
    assert actual._is_view() == expected._is_view(), (
        f"{path}: _is_view {actual._is_view()} vs {expected._is_view()}"
    )


def grad_fn_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def random_array(shape, dtype="float32", seed: int = 0, low: float = -2.0, high: float = 2.0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.uniform(low, high, size=shape).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return rng.random(size=shape) > 0.5
    return rng.integers(int(low) - 3, int(high) + 3, size=shape).astype(dtype)
