"""Counting and histograms: ``bincount``, ``histc``, ``histogram`` (no gradient, as in PyTorch)."""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._creation import tensor
from .._dispatch import call
from .._tensor import Tensor
from . import _return_types
from ._api import method, public
from ._registry import defop
from .out_copy import write_out, write_outs

__all__ = ["bincount", "histc", "histogram"]

histogram_type = _return_types.return_type("histogram", ("hist", "bin_edges"))


def _bincount(self, weights=None, minlength=0):
    length = max(int(self.max()) + 1 if self.size else 0, minlength)
    counts = np.bincount(self, weights=weights, minlength=length)
    if weights is None:
        return counts.astype(np.int64)
    # PyTorch: float weights keep their dtype, any other weights count in float64.
    return counts.astype(weights.dtype if weights.dtype.kind == "f" else np.float64)


@public
def bincount(input, weights=None, minlength=0):
    if input.dtype.is_floating_point or input.dtype is _dtype.bool_:
        _float_only_not("bincount_cpu", input)
    if input.dim() != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if input.numel() and int(input.min()) < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None and (weights.dim() != 1 or weights.shape[0] != input.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    # NB: not a table row: the result's dtype follows ``weights``, no dtype rule says that.
    np_weights = None if weights is None else weights.detach().numpy()
    return tensor(_bincount(input.detach().numpy(), np_weights, int(minlength)))


def _histc(self, bins=100, min=0, max=0):
    lo, hi = float(min), float(max)
    if lo == hi and self.size:
        lo, hi = float(self.min()), float(self.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    # PyTorch counts values equal to max in the last bin and ignores values outside.
    counts, _ = np.histogram(self, bins=bins, range=(lo, hi))
    return counts.astype(self.dtype)


histc_op = defop(
    "histc(Tensor self, int bins=100, Scalar min=0, Scalar max=0) -> Tensor", forward=_histc
)


def _float_only_not(name: str, input: Tensor) -> None:
    raise NotImplementedError(
        f"\"{name}\" not implemented for '{_dtype.scalar_type_name(input.dtype)}'"
    )


def _float_only(name: str, input: Tensor) -> None:
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"{name}\" not implemented for '{_dtype.scalar_type_name(input.dtype)}'"
        )


@public
def histc(input, bins=100, min=0, max=0, *, out=None):
    _float_only("histogram_cpu", input)
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for dimension 0")
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    if input.numel() and not bool(input.isfinite().all()) and min == max:
        raise RuntimeError(
            f"torch.histc(): range of [{float(input.min())}, {float(input.max())}] is not finite"
        )
    result = call(histc_op, (input,), {"bins": int(bins), "min": min, "max": max})
    return write_out("histc", result, out)


@public
def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """``torch.histogram``: (hist, bin_edges), computed in the input's floating dtype."""
    _float_only("histogramdd", input)
    data = input.detach().numpy().reshape(-1)
    np_weight = None if weight is None else weight.detach().numpy().reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins.detach().numpy().astype(np.float64)
    else:
        if range is None:
            lo, hi = (float(data.min()), float(data.max())) if data.size else (0.0, 0.0)
        else:
            lo, hi = float(range[0]), float(range[1])
        if lo > hi:
            raise RuntimeError(
                f"torch.histogram(): min should not exceed max, but got min {lo} max {hi}"
            )
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, int(bins) + 1).astype(input.dtype._np).astype(np.float64)
    hist, edges = np.histogram(data, bins=edges, weights=np_weight, density=density)
    result = histogram_type(
        tensor(hist.astype(input.dtype._np)), tensor(edges.astype(input.dtype._np))
    )
    return write_outs("histogram", result, out, histogram_type)


method(bincount)
method(histc)
method(histogram)
