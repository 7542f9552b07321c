"""``torch.fft``: the frequency helpers; the transforms need complex tensors.

mutograd has no complex dtypes, so the transforms (which return complex
tensors, or take them) raise NotImplementedError naming the API; the real-valued
helpers (fftfreq, rfftfreq, fftshift, ifftshift) work.
"""

from __future__ import annotations

from . import _creation, _dtype
from ._tensor import _wrap_dim
from ._unsupported import error
from .ops._api import FUNCTIONS

__all__ = ["fftfreq", "rfftfreq", "fftshift", "ifftshift"]


def _frequencies(values, d, dtype, requires_grad):
    dtype = dtype or _dtype.get_default_dtype()
    out = _creation.tensor([v / d for v in values], dtype=dtype)
    return out.requires_grad_(requires_grad) if requires_grad else out


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Sample frequencies [0, 1, ..., n/2 - 1, -n/2, ..., -1] / (d n), as numpy.fft.fftfreq."""
    half = (n - 1) // 2 + 1
    values = [k / n for k in range(half)] + [(k - n) / n for k in range(half, n)]
    return _frequencies(values, d, dtype, requires_grad)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    values = [k / n for k in range(n // 2 + 1)]
    return _frequencies(values, d, dtype, requires_grad)


def _shift(input, dim, forward):
    dims = range(input.dim()) if dim is None else ([dim] if isinstance(dim, int) else dim)
    result = input
    for d in [_wrap_dim(d, input.dim()) for d in dims]:
        n = input.shape[d]
        k = (n // 2 if forward else n - n // 2) % n if n else 0
        if k:
            # A roll by k along d: the last k entries come first.
            result = FUNCTIONS["cat"]([result.narrow(d, n - k, k), result.narrow(d, 0, n - k)], d)
    return result


def fftshift(input, dim=None):
    """Zero frequency moved to the middle: a roll by n // 2 along each dim."""
    return _shift(input, dim, True)


def ifftshift(input, dim=None):
    return _shift(input, dim, False)


_TRANSFORMS = (
    "fft ifft fft2 ifft2 fftn ifftn rfft irfft rfft2 irfft2 rfftn irfftn hfft ihfft hfft2 "
    "ihfft2 hfftn ihfftn"
).split()


def _unsupported(name):
    def transform(*args, **kwargs):
        raise error(f"torch.fft.{name} (complex tensors)")

    transform.__name__ = name
    return transform


for _name in _TRANSFORMS:
    globals()[_name] = _unsupported(_name)
