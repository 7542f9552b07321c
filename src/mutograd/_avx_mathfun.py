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
_CHUNK = 1 << 14  # blocks of 16 per piece (fewer NumPy calls; the work arrays stay small)

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


class _Scratch:
    """Work arrays for one piece of lanes, reused across pieces and operations."""

    def __init__(self, n: int) -> None:
        self.f64 = np.empty(n, np.float64)
        self.var64 = np.empty(n, np.float64)
        self.step64 = np.empty(n, np.float64)
        self.bits64 = np.empty(n, np.uint64)
        self.tie = np.empty(n, np.bool_)
        self.i32 = np.empty(n, np.int32)
        self.u32 = np.empty(n, np.uint32)
        self.mask = np.empty(n, np.bool_)
        self.e = np.empty(n, f32)
        self.y = np.empty(n, f32)
        self.z = np.empty(n, f32)
        self.s = np.empty(n, f32)
        self.c = np.empty(n, f32)

    def cut(self, n: int) -> _Scratch:
        part = _Scratch.__new__(_Scratch)
        for name, array in self.__dict__.items():
            setattr(part, name, array[:n])
        return part


_TIE_BITS = np.uint64((1 << 29) - 1)  # the float64 mantissa bits below float32's
_TIE = np.uint64(1 << 28)  # ... holding exactly half a float32 ulp


def _round_sum(t: np.ndarray, a, b, c, out: np.ndarray, w: _Scratch | None = None) -> np.ndarray:
    """``out = float32(a * b + c)`` rounded once, given ``t = float64(a * b + c)``
    (the product of two floats is exact in float64; the sum may round).

    Casting ``t`` to float32 rounds twice, which differs from one rounding only
    when ``t`` fell exactly on a float32 midpoint: those rare lanes take the
    sign of the float64 sum's error (TwoSum) to pick their neighbour."""
    if w is None:
        w = _Scratch.__new__(_Scratch)
        w.bits64, w.tie = np.empty(t.shape, np.uint64), np.empty(t.shape, np.bool_)
    low = np.bitwise_and(t.view(np.uint64), _TIE_BITS, out=w.bits64)
    tie = np.equal(low, _TIE, out=w.tie)
    ties = np.flatnonzero(tie) if tie.any() else ()
    if len(ties):
        pick = [np.broadcast_to(np.asarray(v, np.float64), t.shape)[ties] for v in (a, b, c)]
    np.copyto(out, t, casting="unsafe")
    if len(ties):
        p = pick[0] * pick[1]
        s = t[ties]
        bb = s - p
        err = (p - (s - bb)) + (pick[2] - bb)
        r = out[ties]
        up = (err > 0) & (r < s)
        down = (err < 0) & (r > s)
        r[up] = np.nextafter(r[up], f32(np.inf))
        r[down] = np.nextafter(r[down], f32(-np.inf))
        out[ties] = r
    return out


def _fma(a, b, c, out, w: _Scratch):
    """float32 ``a * b + c`` rounded once (PyTorch's kernels are built with FMA)."""
    t = np.multiply(a, b, out=w.f64, dtype=np.float64)
    np.add(t, c, out=t)
    return _round_sum(t, a, b, c, out, w)


def fma32(a, b, c) -> np.ndarray:
    """``_fma`` with its own work array, for callers outside the normal path."""
    a = np.asarray(a, f32)
    out = np.empty(np.broadcast_shapes(a.shape, np.shape(b), np.shape(c)), f32)
    t = np.multiply(a, b, dtype=np.float64)
    np.add(t, c, out=t)
    return _round_sum(t, a, b, c, out)


def _horner(x: np.ndarray, coefficients, out: np.ndarray, w: _Scratch) -> np.ndarray:
    """``fma(... fma(fma(c0, x, c1), x, c2) ..., x, cn)`` in float32 with one rounding
    per step: ``x`` goes to float64 once and each step runs as plain float64
    arithmetic (exact product, then the sum) before the rounding to float32."""
    x64, acc, t = w.var64, w.step64, w.f64
    np.copyto(x64, x)
    np.multiply(x64, float(coefficients[0]), out=t)
    np.add(t, float(coefficients[1]), out=t)
    _round_sum(t, coefficients[0], x64, coefficients[1], out, w)
    for c in coefficients[2:]:
        np.copyto(acc, out)
        np.multiply(acc, x64, out=t)
        np.add(t, float(c), out=t)
        _round_sum(t, acc, x64, c, out, w)
    return out


def log_ps(x: np.ndarray, w: _Scratch) -> np.ndarray:
    """``log256_ps`` for x in [2**-24, 1] (``1 - u``: no zeros, no denormals);
    overwrites ``x`` and returns it. The lane masks are integer sign masks
    (cheaper than NumPy's boolean selects)."""
    bits = x.view(np.uint32)
    exponent = np.right_shift(bits, 23, out=w.u32).view(np.int32)
    np.subtract(exponent, 126, out=exponent)  # the exponent + 1
    np.bitwise_and(bits, np.uint32(0x007FFFFF), out=bits)
    np.bitwise_or(bits, np.uint32(0x3F000000), out=bits)  # the mantissa in [0.5, 1)
    # lanes with x < sqrt(1/2) (compared as ints: both positive): -1, else 0
    below = np.subtract(bits.view(np.int32), _SQRTHF.view(np.int32), out=w.i32)
    np.right_shift(below, 31, out=below)
    tmp = np.bitwise_and(bits, below.view(np.uint32), out=w.s.view(np.uint32)).view(f32)
    np.add(exponent, below, out=exponent)
    e = w.e
    np.copyto(e, exponent, casting="unsafe")
    np.subtract(x, f32(1), out=x)
    np.add(x, tmp, out=x)
    z = np.multiply(x, x, out=w.z)
    y = _horner(x, _LOG_P, w.y, w)
    np.multiply(y, x, out=y)
    _fma(y, z, np.multiply(e, _LOG_Q1, out=w.s), y, w)
    # NB: z * 0.5 and e * q2 (a 5-bit integer times a 9-bit constant) are exact in
    # float32, so these two fused steps are plain float32 arithmetic
    np.subtract(y, np.multiply(z, f32(0.5), out=w.s), out=y)
    np.add(x, y, out=x)
    return np.add(x, np.multiply(e, _LOG_Q2, out=w.s), out=x)


def sincos_ps(x: np.ndarray, w: _Scratch):
    """``sincos256_ps`` for x >= 0; overwrites ``x``; returns (sin, cos) in
    ``w.s``/``w.c``."""
    j = np.multiply(x, _FOPI, out=w.y).astype(np.int32)
    np.add(j, 1, out=j)
    np.bitwise_and(j, ~1, out=j)
    y = w.e
    np.copyto(y, j, casting="unsafe")
    # NB: j * DP1 and j * DP2 are exact in float32 (j < 16; DP1, DP2 have 8 and 12
    # significant bits), so only the DP3 step needs the fused rounding
    np.add(x, np.multiply(y, _DP1, out=w.c), out=x)
    np.add(x, np.multiply(y, _DP2, out=w.c), out=x)
    _fma(y, _DP3, x, x, w)
    z = np.multiply(x, x, out=w.z)
    c = _horner(z, _COS_P, w.c, w)
    np.multiply(c, z, out=c)
    _fma(c, z, np.multiply(z, f32(-0.5), out=w.y), c, w)
    np.add(c, f32(1), out=c)
    s = _horner(z, _SIN_P, w.s, w)
    np.multiply(s, z, out=s)
    _fma(s, x, x, s, w)
    # lanes with j & 2 swap the two polynomials: -1 there (a sign mask), else 0
    sb, cb = s.view(np.uint32), c.view(np.uint32)
    swap = np.left_shift(np.bitwise_and(j, 2, out=w.i32), 30, out=w.i32)
    np.right_shift(swap, 31, out=swap)
    diff = np.bitwise_xor(sb, cb, out=w.u32)
    np.bitwise_and(diff, swap.view(np.uint32), out=diff)
    np.bitwise_xor(sb, diff, out=sb)
    np.bitwise_xor(cb, diff, out=cb)
    # the sine's sign flips when j & 4, the cosine's when (j - 2) & 4 == 0
    sign = np.left_shift(np.bitwise_and(j, 4, out=w.i32), 29, out=w.i32).view(np.uint32)
    np.bitwise_xor(sb, sign, out=sb)
    np.subtract(j, 2, out=j)
    np.bitwise_and(np.invert(j, out=j), 4, out=j)
    np.bitwise_xor(cb, np.left_shift(j, 29, out=j).view(np.uint32), out=cb)
    return s, c


def normal_fill_16_avx2(data: np.ndarray, mean, std) -> np.ndarray:
    """Normals from float32 uniforms (a multiple of 16 of them), block by block."""
    blocks = data.reshape(-1, 16)
    out = np.empty(blocks.shape, f32)
    mean, std = f32(mean), f32(std)
    scratch = _Scratch(min(blocks.shape[0], _CHUNK) * 8)
    for lo in range(0, blocks.shape[0], _CHUNK):
        part = blocks[lo : lo + _CHUNK]
        w = scratch.cut(part.shape[0] * 8)
        u1 = np.subtract(f32(1), part[:, :8], out=np.empty(part.shape[0] * 8, f32).reshape(-1, 8))
        radius = log_ps(u1.reshape(-1), w)
        np.multiply(radius, f32(-2), out=radius)
        np.sqrt(radius, out=radius)
        theta = np.multiply(_TWO_PI, part[:, 8:], out=np.empty((part.shape[0], 8), f32)).reshape(-1)
        sin, cos = sincos_ps(theta, w)
        dest = out[lo : lo + _CHUNK]
        for half, trig in ((dest[:, :8], cos), (dest[:, 8:], sin)):
            np.multiply(radius, trig, out=trig)
            if std == 1 and mean == 0:
                half[...] = trig.reshape(-1, 8)
            else:
                _fma(trig, std, mean, trig, w)
                half[...] = trig.reshape(-1, 8)
    return out.reshape(-1)
