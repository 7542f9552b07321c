"""Run one snippet on torch and on mutograd and compare what a user sees: the result
(values, dtype, shape, strides, storage offset, version, grad) or the error (type and
first line of its message)."""

from __future__ import annotations

import numpy as np

import mutograd


def outcome(lib, program: str):
    """Execute ``program`` with ``torch`` bound to ``lib``; return ('ok', namespace) or
    ('error', type name, first message line)."""
    namespace = {"torch": lib}
    try:
        exec(program, namespace)
    except Exception as e:  # noqa: BLE001 - the error itself is the observation
        return ("error", type(e).__name__, str(e).splitlines()[0] if str(e) else "")
    return ("ok", namespace)


def describe(value):
    """What a user sees of a value, in plain Python data."""
    if isinstance(value, (tuple, list)):
        return [describe(v) for v in value]
    if hasattr(value, "stride") and hasattr(value, "dtype"):
        grad = value.grad if value.requires_grad and value.is_leaf else None
        return {
            "values": np.asarray(value.detach().tolist(), dtype=float).tolist(),
            "dtype": str(value.dtype),
            "shape": tuple(value.shape),
            "stride": tuple(value.stride()),
            "offset": value.storage_offset(),
            "version": value._version,
            "requires_grad": value.requires_grad,
            "grad_fn": type(value.grad_fn).__name__ if value.grad_fn is not None else None,
            "grad": None if grad is None else (describe(grad)["values"], tuple(grad.stride())),
        }
    return value


def check_same(torch, program: str, names=("r",), message: bool = True):
    """``program`` behaves the same on torch and mutograd (the names in ``names`` that it
    binds are compared); ``message=False`` compares an error's type only."""
    expected, got = outcome(torch, program), outcome(mutograd, program)
    if expected[0] == "error" or got[0] == "error":
        if not message:
            expected, got = expected[:2], got[:2]
        assert got == expected, program
        return
    for name in names:
        if name in expected[1]:
            want, have = describe(expected[1][name]), describe(got[1][name])
            assert _same(have, want), f"{program}\n{name}: {have} != {want}"


def _same(have, want) -> bool:
    """Equal, with float values compared at rtol 1e-5 (NaN equal to NaN)."""
    if isinstance(want, dict) and isinstance(have, dict):
        if have.keys() != want.keys():
            return False
        return all(
            _close(have[k], want[k]) if k == "values" else _same(have[k], want[k]) for k in want
        )
    if isinstance(want, (list, tuple)) and isinstance(have, (list, tuple)):
        return len(have) == len(want) and all(_same(h, w) for h, w in zip(have, want))
    return have == want


def _close(have, want) -> bool:
    h, w = np.asarray(have, dtype=float), np.asarray(want, dtype=float)
    return h.shape == w.shape and bool(np.allclose(h, w, rtol=1e-5, atol=1e-7, equal_nan=True))
