"""``torch.testing.assert_close``, rebuilt: the same pairs, tolerances and messages.

Note [How assert_close compares]
--------------------------------
As PyTorch's: sequences and mappings are unrolled first (lengths and keys must
match), then each pair of leaves is compared by kind: ``None`` with ``None``,
bools by identity, Python numbers and tensors (or NumPy arrays) by closeness,
``|actual - expected| <= atol + rtol * |expected|``. Tensors must first agree
on shape, dtype (``check_dtype``) and strides (``check_stride``). Unless both
``rtol`` and ``atol`` are given, each comes from the dtypes' defaults (the
larger of the two inputs'). A failure names the mismatch count, the greatest
absolute and relative differences with their indices, and where in the nested
inputs it happened.
"""

from __future__ import annotations

import cmath
import contextlib
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from .. import _dtype
from .._creation import from_numpy
from .._tensor import Tensor

# PyTorch's default (rtol, atol) per dtype; integers and bools compare exactly.
_DEFAULT_TOLERANCES = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex32": (1e-3, 1e-5),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
# The dtype a Python number stands for when picking tolerances.
_NUMBER_DTYPES = {int: "int64", float: "float64", complex: "complex128"}


class _Mismatch(Exception):
    """A failed comparison: the exception type to raise and the generated message."""

    def __init__(self, kind: type, message: str, path: tuple = ()) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.path = path


def _tolerances(names, rtol, atol) -> tuple[float, float]:
    if rtol is not None:
        return rtol, atol
    found = [_DEFAULT_TOLERANCES.get(name, (0.0, 0.0)) for name in names]
    return max(r for r, _ in found), max(a for _, a in found)


def _tolerance_text(tolerance: float, exact: bool) -> str:
    return "" if exact else f" (up to {tolerance} allowed)"


def _scalar_message(actual, expected, rtol, atol) -> str:
    exact = rtol == 0 and atol == 0
    abs_diff = abs(actual - expected)
    if isinstance(abs_diff, float) and cmath.isnan(abs_diff):
        rel_diff = abs_diff
    elif expected == 0:
        rel_diff = float("inf") if abs_diff else 0.0
    else:
        rel_diff = abs_diff / abs(expected)
    return (
        f"Scalars are not {'equal' if exact else 'close'}!\n\n"
        f"Expected {expected} but got {actual}.\n"
        f"Absolute difference: {abs_diff}{_tolerance_text(atol, exact)}\n"
        f"Relative difference: {rel_diff}{_tolerance_text(rtol, exact)}"
    )


def _compare_numbers(actual, expected, rtol, atol, equal_nan, check_dtype) -> None:
    if check_dtype and type(actual) is not type(expected):
        raise _Mismatch(
            AssertionError,
            f"The (d)types do not match: {type(actual)} != {type(expected)}.",
        )
    names = [_NUMBER_DTYPES.get(type(x), "float64") for x in (actual, expected)]
    rtol, atol = _tolerances(names, rtol, atol)
    if actual == expected:
        return
    both_nan = _isnan(actual) and _isnan(expected)
    if equal_nan and both_nan:
        return
    error = abs(actual - expected)
    if not both_nan and cmath.isfinite(error) and error <= atol + rtol * abs(expected):
        return
    raise _Mismatch(AssertionError, _scalar_message(actual, expected, rtol, atol))


def _isnan(x) -> bool:
    return isinstance(x, (float, complex)) and cmath.isnan(x)


def _first_max(values: np.ndarray) -> int:
    # NB: as torch.max, a NaN is the greatest value (the first one wins).
    nans = np.flatnonzero(np.isnan(values)) if values.dtype.kind in "fc" else ()
    return int(nans[0]) if len(nans) else int(np.argmax(values))


def _tensor_message(actual: np.ndarray, expected: np.ndarray, matches, rtol, atol, dtype) -> str:
    exact = rtol == 0 and atol == 0
    total = matches.size
    mismatched = total - int(matches.sum())
    a = actual.reshape(-1)
    e = expected.reshape(-1)
    if not dtype.is_floating_point:
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(a - e)
        abs_diff[matches.reshape(-1)] = 0
        denominator = np.abs(e)
        if not dtype.is_floating_point:
            # NB: integer division gives the default float dtype, as torch's true division.
            float_np = _dtype.get_default_dtype()._np
            rel_diff = abs_diff.astype(float_np) / denominator.astype(float_np)
        else:
            rel_diff = abs_diff / denominator
        rel_diff[matches.reshape(-1)] = 0
    abs_at, rel_at = _first_max(abs_diff), _first_max(rel_diff)
    shape = actual.shape
    abs_index = tuple(int(i) for i in np.unravel_index(abs_at, shape))
    rel_index = tuple(int(i) for i in np.unravel_index(rel_at, shape))
    return (
        f"Tensor-likes are not {'equal' if exact else 'close'}!\n\n"
        f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})\n"
        f"Greatest absolute difference: {abs_diff[abs_at].item()} at index {abs_index}"
        f"{_tolerance_text(atol, exact)}\n"
        f"Greatest relative difference: {rel_diff[rel_at].item()} at index {rel_index}"
        f"{_tolerance_text(rtol, exact)}"
    )


def _attribute_mismatch(name: str, actual, expected) -> _Mismatch:
    return _Mismatch(
        AssertionError,
        f"The values for attribute '{name}' do not match: {actual} != {expected}.",
    )


def _compare_tensors(actual, expected, options) -> None:
    if isinstance(actual, np.ndarray):
        actual, expected = from_numpy(actual), from_numpy(expected)
    if not options["allow_subclasses"] and type(actual) is not type(expected):
        raise _Mismatch(
            TypeError,
            "Except for Python scalars, type equality is required if allow_subclasses=False, "
            f"but got {type(actual)} and {type(expected)} instead.",
        )
    if actual.shape != expected.shape:
        raise _attribute_mismatch("shape", actual.shape, expected.shape)
    if options["check_dtype"] and actual.dtype is not expected.dtype:
        raise _attribute_mismatch("dtype", actual.dtype, expected.dtype)
    if options["check_stride"] and actual.stride() != expected.stride():
        raise _attribute_mismatch("stride()", actual.stride(), expected.stride())
    rtol, atol = _tolerances(
        [actual.dtype._name, expected.dtype._name], options["rtol"], options["atol"]
    )
    dtype = _dtype.promote_types(actual.dtype, expected.dtype)
    a = actual._data.astype(dtype._np, copy=False)
    e = expected._data.astype(dtype._np, copy=False)
    with np.errstate(all="ignore"):
        matches = a == e
        if dtype.is_floating_point:
            # NB: as torch.isclose, an infinite error is never within tolerance.
            error = np.abs(a - e)
            matches |= np.isfinite(error) & (error <= atol + rtol * np.abs(e))
            if options["equal_nan"]:
                matches |= np.isnan(a) & np.isnan(e)
    if matches.all():
        return
    if actual.ndim == 0:
        raise _Mismatch(AssertionError, _scalar_message(a.item(), e.item(), rtol, atol))
    raise _Mismatch(AssertionError, _tensor_message(a, e, matches, rtol, atol, dtype))


def _is_sequence(x) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _is_number(x) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, (bool, np.bool_))


def _compare(actual, expected, options, path: tuple) -> None:
    try:
        _compare_leaf_or_container(actual, expected, options, path)
    except _Mismatch as mismatch:
        if not mismatch.path:
            mismatch.path = path
        raise


def _compare_leaf_or_container(actual, expected, options, path) -> None:
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Mismatch(
                AssertionError,
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
            )
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, options, (*path, i))
        return
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            missing = sorted(set(expected) - set(actual), key=repr)
            extra = sorted(set(actual) - set(expected), key=repr)
            raise _Mismatch(
                AssertionError,
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {missing}\n"
                f"Additional keys in the actual mapping: {extra}",
            )
        keys = list(actual)
        with contextlib.suppress(Exception):
            keys = sorted(keys)
        for key in keys:
            _compare(actual[key], expected[key], options, (*path, key))
        return
    if actual is None or expected is None:
        if not (actual is None and expected is None):
            raise _Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}")
        return
    if isinstance(actual, (bool, np.bool_)) and isinstance(expected, (bool, np.bool_)):
        if bool(actual) is not bool(expected):
            raise _Mismatch(AssertionError, f"Booleans mismatch: {actual} is not {expected}")
        return
    if _is_number(actual) and _is_number(expected):
        _compare_numbers(
            actual,
            expected,
            options["rtol"],
            options["atol"],
            options["equal_nan"],
            options["check_dtype"],
        )
        return
    both_tensors = isinstance(actual, Tensor) and isinstance(expected, Tensor)
    both_arrays = isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray)
    if both_tensors or both_arrays:
        _compare_tensors(actual, expected, options)
        return
    raise _Mismatch(
        TypeError,
        f"No comparison pair was able to handle inputs of type {type(actual)} and "
        f"{type(expected)}.",
    )


def assert_close(
    actual,
    expected,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg=None,
) -> None:
    """Assert ``actual`` and ``expected`` are close (see Note [How assert_close compares]).

    >>> import mutograd as torch
    >>> torch.testing.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-6]))
    """
    if (rtol is None) != (atol is None):
        raise ValueError(
            "Both 'rtol' and 'atol' must be either specified or omitted, but got no "
            f"{'rtol' if rtol is None else 'atol'}."
        )
    options = {
        "allow_subclasses": allow_subclasses,
        "rtol": rtol,
        "atol": atol,
        "equal_nan": equal_nan,
        "check_dtype": check_dtype,
        "check_stride": check_stride,
    }
    try:
        _compare(actual, expected, options, ())
    except _Mismatch as mismatch:
        if isinstance(msg, str):
            raise mismatch.kind(msg) from None
        text = mismatch.message
        if mismatch.path:
            text += "\n\nThe failure occurred for item " + "".join(
                str([item]) for item in mismatch.path
            )
        raise mismatch.kind(msg(text) if msg else text) from None
