"""PyTorch's float32 ``normal_`` fast path, operation by operation, in NumPy.

For 16 or more contiguous float32 elements PyTorch's AVX2 kernel turns
uniforms into normals eight lanes at a time with the Cephes-style ``log`` and
``sincos`` polynomials of its ``avx_mathfun.h`` (after Julien Pommier's
sse_mathfun), not with the C library. Reproducing its bits means doing the
same float32 operations in the same order. The kernels are compiled with FMA
contraction, so a product whose only use is an addition is fused with it; the
``_fma`` calls below mark exactly those places.

Blocks of 16 values: lanes 0..7 give ``u1 = 1 - u`` (for the log), lanes
8..15 the angle; each block writes ``r cos`` to the first half and ``r sin`` to
the second.
"""

from __future__ import annotations

import numpy as np

f32 = np.float32
_CHUNK = 1 << 16  # blocks of 16 per piece (keeps the temporaries in cache)

_SQRTHF = f32(0.707106781186547524)
_LOG_P = [f32(v) for v in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
)]  # fmt: skip
_LOG_Q1 = f32(-2.12194440e-4)
_LOG_Q2 = f32(0.693359375)
_DP1, _DP2, _DP3 = f32(-0.78515625), f32(-2.4187564849853515625e-4), f32(-3.77489497744594108e-8)
_SIN_P = [f32(-1.9515295891e-4), f32(8.3321608736e-3), f32(-1.6666654611e-1)]
_COS_P = [f32(2.443315711809948e-005), f32(-1.388731625493765e-003), f32(4.166664568298827e-002)]
_FOPI = f32(1.27323954473516)
_TWO_PI = f32(2.0 * np.pi)


def _fma(a, b, c):
    """float32 ``a * b + c`` with one rounding (the float64 product is exact)."""
    return (np.asarray(a, np.float64) * b + np.asarray(c, np.float64)).astype(f32)


def log_ps(x: np.ndarray) -> np.ndarray:
    """``log256_ps`` for x in (0, 1]."""
    x = np.maximum(x, np.float32(1.1754943508222875e-38))
    bits = x.view(np.uint32)
    e = ((bits >> 23).astype(np.int32) - 0x7F).astype(f32) + f32(1)
    x = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(f32)
    mask = x < _SQRTHF
    tmp = np.where(mask, x, f32(0))
    x = x - f32(1)
    e = e - mask.astype(f32)
    x = x + tmp
    z = x * x
    y = _fma(_LOG_P[0], x, _LOG_P[1])
    for p in _LOG_P[2:]:
        y = _fma(y, x, p)
    y = y * x
    y = _fma(y, z, e * _LOG_Q1)
    y = _fma(-z, f32(0.5), y)
    return _fma(e, _LOG_Q2, x + y)


def sincos_ps(x: np.ndarray):
    """``sincos256_ps`` for x >= 0: returns (sin, cos)."""
    j = (x * _FOPI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(f32)
    sin_sign = ((j & 4) << 29).astype(np.uint32)
    poly = (j & 2) == 0
    x = _fma(y, _DP1, x)
    x = _fma(y, _DP2, x)
    x = _fma(y, _DP3, x)
    cos_sign = ((~(j - 2) & 4) << 29).astype(np.uint32)
    z = x * x
    c = _fma(_COS_P[0], z, _COS_P[1])
    c = _fma(c, z, _COS_P[2])
    c = c * z
    c = _fma(c, z, -(z * f32(0.5)))
    c = c + f32(1)
    s = _fma(_SIN_P[0], z, _SIN_P[1])
    s = _fma(s, z, _SIN_P[2])
    s = s * z
    s = _fma(s, x, x)
    sin = np.where(poly, s, c)
    cos = np.where(poly, c, s)
    sin = (sin.view(np.uint32) ^ sin_sign).view(f32)
    cos = (cos.view(np.uint32) ^ cos_sign).view(f32)
    return sin, cos


def normal_fill_16_avx2(data: np.ndarray, mean, std) -> np.ndarray:
    """Normals from float32 uniforms (a multiple of 16 of them), block by block."""
    blocks = data.reshape(-1, 16)
    out = np.empty(blocks.shape, f32)
    mean64, std64 = np.float64(f32(mean)), np.float64(f32(std))
    for lo in range(0, blocks.shape[0], _CHUNK):
        part = blocks[lo : lo + _CHUNK]
        radius = np.sqrt(f32(-2) * log_ps(f32(1) - part[:, :8]))
        sin, cos = sincos_ps(_TWO_PI * part[:, 8:])
        dest = out[lo : lo + _CHUNK]
        dest[:, :8] = (radius * cos).astype(np.float64) * std64 + mean64
        dest[:, 8:] = (radius * sin).astype(np.float64) * std64 + mean64
    return out.reshape(-1)
