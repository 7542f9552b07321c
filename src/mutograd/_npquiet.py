"""Silence NumPy's floating-point warnings inside mutograd's kernels.

PyTorch never warns on overflow, 0/0 or log(-1): it returns inf/nan. NumPy's
``np.errstate`` costs about 1.5 us per use, so we set its context variable
directly (numpy 2 keeps the error state in ``_extobj_contextvar``); the cost
is then ~0.25 us per op. Falls back to ``np.errstate`` on other NumPy versions.
"""

from __future__ import annotations

import numpy as np

try:
    from numpy._core._ufunc_config import _extobj_contextvar

    with np.errstate(all="ignore"):
        _IGNORE = _extobj_contextvar.get()

    def quiet():
        return _extobj_contextvar.set(_IGNORE)

    # The dispatcher's hot path calls these directly: set_errstate(SILENT) ... loud(token).
    set_errstate = _extobj_contextvar.set
    loud = _extobj_contextvar.reset
    SILENT = _IGNORE

except ImportError:  # pragma: no cover - older/newer NumPy layouts

    def quiet():
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def loud(token) -> None:
        token.__exit__(None, None, None)

    SILENT = None

    def set_errstate(_ignored):
        return quiet()
