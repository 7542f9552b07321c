"""``out=`` for the composite functions: the finished result copied into ``out``.

The rows called through ``apply_out`` write into ``out`` themselves; the functions
that assemble several rows (sort's named tuple, the linalg helpers) compute their
result and copy it, with PyTorch's checks: no autograd through ``out=``, and ``out``
resized to the result's shape.
"""

from __future__ import annotations

import numpy as np

from .._inplace import bump_version
from ..autograd.grad_mode import GradMode


def write_out(name: str, result, out):
    """``result`` (a tensor) written into ``out``; ``result`` itself when ``out`` is None."""
    if out is None:
        return result
    if GradMode.enabled and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if out.dtype is not result.dtype:
        raise RuntimeError(
            f"Expected out tensor to have dtype {result.dtype}, but got {out.dtype} instead"
        )
    if tuple(out.shape) != tuple(result.shape):
        # A resized output takes the result's layout (as PyTorch's resize_output).
        fresh = np.empty_like(result._data)
        out._data = fresh
        out._storage = fresh
    np.copyto(out._data, result._data, casting="unsafe")
    bump_version(out, name)
    return out


def write_outs(name: str, results, out, kind=tuple):
    """A tuple result written into the tuple ``out`` (``(values, indices)``...)."""
    if out is None:
        return results
    if len(out) != len(results):
        raise TypeError(f"{name}(): argument 'out' must be tuple of {len(results)} Tensors")
    return kind(*(write_out(name, r, o) for r, o in zip(results, out)))
