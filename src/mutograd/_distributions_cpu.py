"""How each of PyTorch's CPU distributions turns mt19937 draws into numbers.

Every function takes a generator ``gen`` (``gen._engine`` is the
``MT19937``; ``gen._double_normal``/``gen._float_normal`` are Box-Muller's
cached second samples) and returns a flat NumPy array in the order PyTorch's
CPU kernels write elements (memory order).

The formulas mirror ATen's transformation helpers and CPU kernels, including
two details that decide the last bit:

* PyTorch's CPU kernels are built with FMA contraction, so ``x * (to - from)
  + from``, ``val * std + mean`` and ``median + sigma * tan(...)`` round once.
  ``fma`` below emulates that in NumPy (an exact product and a compensated sum).
* Transcendentals come from the C library in the serial kernels (NumPy's
  float64 ``log``/``sin``/... give the same bits on the machines we test);
  float32 ``normal_`` on 16+ contiguous elements takes PyTorch's AVX2 path,
  whose log and sincos are the Cephes polynomials in ``_avx_mathfun``.
"""

from __future__ import annotations

import math

import numpy as np

from ._avx_mathfun import fma32, normal_fill_16_avx2

_MASK53 = np.uint64((1 << 53) - 1)
_TWO_PI = 2.0 * np.pi
_SPLIT = 134217729.0  # 2**27 + 1, Dekker's splitter


def fma(a, b, c):
    """``a * b + c`` rounded once, in float64 (TwoProduct + TwoSum)."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    err_p = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    err_s = (p - (s - bb)) + (c - bb)
    return s + (err_s + err_p)


# --- uniform draws -----------------------------------------------------------------


_PIECE = 1 << 16  # draws converted per piece: the temporaries stay in cache


def unit_double(gen, n: int) -> np.ndarray:
    """``uniform_real_distribution<double>(0, 1)``: 53 bits of ``random64()``."""
    if n <= 16:  # a few values: skip the pieces
        words = gen._engine.random(2 * n).tolist()
        return np.array(
            [
                ((hi & 0x1FFFFF) * 4294967296 + lo) * 2.0**-53
                for hi, lo in zip(words[::2], words[1::2])
            ]
        )
    out = np.empty(n, np.float64)
    engine = gen._engine
    for lo in range(0, n, _PIECE):
        bits = engine.random64(min(_PIECE, n - lo))
        np.bitwise_and(bits, _MASK53, out=bits)
        np.multiply(bits, 2.0**-53, out=out[lo : lo + _PIECE], dtype=np.float64, casting="unsafe")
    return out


def unit_float(gen, n: int) -> np.ndarray:
    """``uniform_real_distribution<float>(0, 1)``: 24 bits of ``random()``."""
    if n <= _PIECE:
        words = gen._engine.random(n)
        words &= np.uint32(0xFFFFFF)
        return np.multiply(words, np.float32(2.0**-24), dtype=np.float32, casting="unsafe")
    out = np.empty(n, np.float32)
    engine = gen._engine
    for lo in range(0, n, _PIECE):
        words = engine.random(min(_PIECE, n - lo))
        np.bitwise_and(words, np.uint32(0xFFFFFF), out=words)
        np.multiply(
            words,
            np.float32(2.0**-24),
            out=out[lo : lo + _PIECE],
            dtype=np.float32,
            casting="unsafe",
        )
    return out


def uniform(gen, n: int, dtype: np.dtype, low: float, high: float) -> np.ndarray:
    """``uniform_(from, to)``: float64 from 53 bits, float32 and float16 from 24
    bits in float arithmetic (float16 rounds the float result)."""
    if dtype == np.float64:
        x = unit_double(gen, n)
        if low == 0.0 and high == 1.0:
            return x
        return _pieces(x, lambda part: fma(part, high - low, low))
    lo, hi = np.float32(low), np.float32(high)
    x = unit_float(gen, n)
    if lo == 0 and hi == 1:
        if dtype == np.float32:
            return x  # below 1 already
        out = x.astype(dtype)
    else:
        out = _pieces(x, lambda part: fma32(part, hi - lo, lo)).astype(dtype, copy=False)
    # NB: a value that rounds up to `to` in the dtype becomes `from`, keeping [from, to)
    out[out == dtype.type(high)] = dtype.type(low)
    return out


def _pieces(x: np.ndarray, fn) -> np.ndarray:
    """``fn(x)`` computed piece by piece in place (its temporaries stay in cache)."""
    for lo in range(0, x.size, _PIECE):
        x[lo : lo + _PIECE] = fn(x[lo : lo + _PIECE])
    return x


# --- normal ------------------------------------------------------------------------


def normal_serial(gen, n: int, mean: float, std: float) -> np.ndarray:
    """``normal_distribution<double>`` element after element, as the serial kernel
    does: Box-Muller on two doubles gives ``r cos`` now and caches ``r sin``."""
    out = np.empty(n, np.float64)
    start = 0
    if n and gen._double_normal is not None:
        out[0] = gen._double_normal
        gen._double_normal = None
        start = 1
    pairs = (n - start + 1) // 2
    if pairs:
        u = unit_double(gen, 2 * pairs)
        if pairs <= 8:  # a few values: the C library through Python floats is quicker
            both = np.array(_box_muller_scalar(u.tolist()))
        else:
            r = np.sqrt(-2.0 * np.log1p(-u[1::2]))
            theta = _TWO_PI * u[0::2]
            both = np.empty(2 * pairs, np.float64)
            both[0::2] = r * np.cos(theta)
            both[1::2] = r * np.sin(theta)
        out[start:] = both[: n - start]
        if (n - start) % 2:
            gen._double_normal = float(both[-1])
    return out if std == 1 and mean == 0 else fma(out, std, mean)


def _box_muller_scalar(u: list) -> list:
    values = []
    for k in range(0, len(u), 2):
        r = math.sqrt(-2.0 * math.log1p(-u[k + 1]))
        theta = _TWO_PI * u[k]
        values += (r * math.cos(theta), r * math.sin(theta))
    return values


def _box_muller_16(data: np.ndarray, mean: float, std: float) -> np.ndarray:
    """PyTorch's ``normal_fill_16`` in float64, over blocks of 16, piece by piece."""
    blocks = data.reshape(-1, 16)
    out = np.empty_like(blocks)
    plain = std == 1 and mean == 0  # fma(x, 1, 0) is x
    for lo in range(0, blocks.shape[0], _PIECE // 16):
        part = blocks[lo : lo + _PIECE // 16]
        radius = np.log(np.subtract(1.0, part[:, :8]))
        np.multiply(radius, -2.0, out=radius)
        np.sqrt(radius, out=radius)
        theta = np.multiply(_TWO_PI, part[:, 8:])
        dest = out[lo : lo + _PIECE // 16]
        for half, trig in ((dest[:, :8], np.cos), (dest[:, 8:], np.sin)):
            value = np.multiply(radius, trig(theta))
            half[...] = value if plain else fma(value, std, mean)
    return out.reshape(-1)


def normal(gen, n: int, dtype: np.dtype, mean: float, std: float, contiguous: bool) -> np.ndarray:
    """``normal_(mean, std)``: 16 or more contiguous elements take the vectorised
    fill (all uniforms first, Box-Muller in blocks of 16, then the last 16
    elements again from a fresh block); otherwise the serial kernel."""
    if n < 16 or not contiguous:
        return normal_serial(gen, n, mean, std).astype(dtype)
    if dtype == np.float64:
        draw, transform = unit_double, _box_muller_16
    else:
        draw, transform = unit_float, normal_fill_16_avx2
        mean, std = np.float32(mean), np.float32(std)
    data = draw(gen, n)
    rest = n % 16
    whole = n - rest
    out = np.empty(n, data.dtype)
    out[:whole] = transform(data[:whole], mean, std)
    if rest:
        if dtype == np.float16:
            # float16 finishes its last partial block with fresh draws
            tail = np.concatenate([data[whole:], draw(gen, 16 - rest)])
        else:
            tail = draw(gen, 16)
        out[n - 16 :] = transform(tail, mean, std)
    return out.astype(dtype, copy=False)


# --- integers ----------------------------------------------------------------------


def random_from_to(gen, n: int, dtype: np.dtype, low: int, span: int) -> np.ndarray:
    """``random_(from, to)``: ``draw % span + from``; a span of 2**28 or more draws
    64 bits (``random64``), a smaller one 32 (``random``)."""
    out = np.empty(n, np.int64)
    base = np.uint64(low % (1 << 64))
    for lo in range(0, n, _PIECE):
        k = min(_PIECE, n - lo)
        if span >= 1 << 28:
            values = gen._engine.random64(k) % np.uint64(span)
        else:
            values = (gen._engine.random(k) % np.uint32(span)).astype(np.uint64)
        np.add(values, base, out=out[lo : lo + k].view(np.uint64))
    return _cast_int64(out, dtype)


def random_full_range(gen, n: int, dtype: np.dtype) -> np.ndarray:
    """``random_(-2**63, None)``: all 64 bits of ``random64()`` as an int64."""
    return _cast_int64(gen._engine.random64(n).view(np.int64), dtype)


_DEFAULT_MODULUS = {
    np.dtype(np.float64): (1 << 53) + 1,
    np.dtype(np.float32): (1 << 24) + 1,
    np.dtype(np.float16): (1 << 11) + 1,
    np.dtype(np.int64): 1 << 63,
    np.dtype(np.int32): 1 << 31,
    np.dtype(np.int16): 1 << 15,
    np.dtype(np.int8): 1 << 7,
    np.dtype(np.uint8): 1 << 8,
    np.dtype(np.bool_): 2,
}


def random_default(gen, n: int, dtype: np.dtype) -> np.ndarray:
    """``random_()``: ``[0, max]`` for integers, ``[0, 2**mantissa]`` for floats;
    int64 and double draw 64 bits, the others 32."""
    modulus = _DEFAULT_MODULUS[np.dtype(dtype)]
    if dtype in (np.float64, np.int64):
        values = gen._engine.random64(n) % np.uint64(modulus)
    else:
        values = gen._engine.random(n).astype(np.uint64) % np.uint64(modulus)
    return values.astype(dtype)


def _cast_int64(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype == np.bool_:
        return values != 0
    return values.astype(dtype)


# --- other distributions -----------------------------------------------------------


def bernoulli_scalar(gen, n: int, p: float) -> np.ndarray:
    """``bernoulli_(p)`` with a float ``p``: a double uniform below ``p``.

    NB: this is PyTorch's default CPU kernel. Builds with MKL switch to MKL's
    own stream (an MCG31 generator seeded with one ``random()`` draw) when the
    CPU's vendor is Intel, so there ``bernoulli_(p)`` and dropout differ from
    this (and from PyTorch on any other CPU)."""
    return unit_double(gen, n) < p


def bernoulli_tensor(gen, p: np.ndarray) -> np.ndarray:
    """``bernoulli_(p_tensor)``: double ``p`` compares a double uniform, any other
    floating ``p`` a float one (both drawn element after element)."""
    if p.dtype == np.float64:
        return unit_double(gen, p.size) < p.reshape(-1)
    return unit_float(gen, p.size) < p.reshape(-1).astype(np.float32)


def exponential(gen, n: int, lambd: float) -> np.ndarray:
    # PyTorch 2.13 takes log1p(-u), not the older log(1 - u)
    return (-1.0 / lambd) * np.log1p(-unit_double(gen, n))


def geometric(gen, n: int, p: float) -> np.ndarray:
    return np.ceil(np.log(unit_double(gen, n)) / np.log(1.0 - p))


def cauchy(gen, n: int, median: float, sigma: float) -> np.ndarray:
    return fma(sigma, np.tan(np.pi * (unit_double(gen, n) - 0.5)), median)


def log_normal(gen, n: int, mean: float, std: float) -> np.ndarray:
    return np.exp(normal_serial(gen, n, mean, std))


# --- permutations and samplers -----------------------------------------------------


def randperm(gen, n: int) -> np.ndarray:
    """``randperm(n)``: Fisher-Yates from the front, swapping ``i`` with
    ``i + random() % (n - i)``; from ``n >= 2**32 // 20`` PyTorch switches to the
    "inside-out" shuffle with ``random64() % (i + 1)``."""
    if n < (2**32 - 1) // 20:
        targets = np.arange(n, dtype=np.int64)
        if n > 1:
            draws = gen._engine.random(n - 1) % np.arange(n, 1, -1, dtype=np.uint32)
            targets[:-1] += draws
        if n > 4096:
            return _swap_forward(targets)
        perm = list(range(n))  # small n: the plain loop is quicker than the array passes
        for i, j in enumerate(targets.tolist()):
            perm[i], perm[j] = perm[j], perm[i]
        return np.array(perm, dtype=np.int64)
    draws = (gen._engine.random64(n) % np.arange(1, n + 1, dtype=np.uint64)).tolist()
    perm = [0] * n
    for i, z in enumerate(draws):
        perm[i] = perm[z]
        perm[z] = i
    return np.array(perm, dtype=np.int64)


def _swap_forward(targets: np.ndarray) -> np.ndarray:
    """The permutation left by swapping position ``i`` with ``targets[i] >= i`` for
    i = 0, 1, ..., without a Python loop.

    Step ``i`` fixes position ``i`` for good. The value it swaps out of ``i`` is
    whatever the last earlier step aimed at ``i`` brought there (or ``i``
    itself), so those values follow chains of earlier steps, resolved by
    pointer jumping; the value it takes in is what the last earlier step aimed
    at the same target left there (or the target's own value).
    """
    n = targets.size
    if n == 0:
        return targets
    steps = np.arange(n, dtype=np.int64)
    order = np.argsort(targets * n + steps)  # by target, then step (unique keys: quicksort)
    sorted_targets = targets[order]
    same = sorted_targets[1:] == sorted_targets[:-1]
    previous = np.full(n, -1, np.int64)  # the last earlier step with the same target
    previous[order[1:][same]] = order[:-1][same]
    last = np.full(n, -1, np.int64)  # the last step aimed at each position
    ends = np.append(~same, True)
    last[sorted_targets[ends]] = order[ends]
    stays = targets == steps
    source = np.where(stays, previous, last)  # where the value at i (before step i) came from
    root = np.where(source >= 0, source, steps)
    while True:
        jumped = root[root]
        if np.array_equal(jumped, root):
            break
        root = jumped
    taken = np.where(previous >= 0, root[np.maximum(previous, 0)], targets)
    return np.where(stays, root, taken)


class UnitDoubles:
    """Doubles drawn one at a time (for rejection samplers such as Poisson's):
    draws ahead in batches, and ``close()`` leaves the engine exactly after the
    draws that were used."""

    def __init__(self, gen, batch: int = 256) -> None:
        self.gen = gen
        self.start = gen._engine.copy()
        self.used = 0
        self.batch = batch
        self.buffer: list = []

    def __call__(self) -> float:
        if self.used == len(self.buffer):
            self.buffer.extend(unit_double(self.gen, self.batch).tolist())
        value = self.buffer[self.used]
        self.used += 1
        return value

    def close(self) -> None:
        self.gen._engine = self.start
        self.start.random(2 * self.used)


def _poisson_one(lam: float, uniform) -> float:
    """ATen's ``sample_poisson``: Hoermann's transformed rejection for
    ``lambda >= 10``, the product of uniforms below (plain double arithmetic:
    this kernel is not built with FMA)."""
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = uniform() - 0.5
            v = uniform()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return float(k)
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)) <= (
                -lam + k * loglam - math.lgamma(k + 1.0)
            ):
                return float(k)
    if lam == 0:
        return 0.0
    enlam = math.exp(-lam)
    x = 0
    prod = 1.0
    while True:
        prod *= uniform()
        if prod > enlam:
            x += 1
        else:
            return float(x)


def poisson(gen, rates: np.ndarray) -> np.ndarray:
    """``torch.poisson(rates)``, element after element in memory order."""
    uniform = UnitDoubles(gen)
    try:
        return np.array([_poisson_one(float(r), uniform) for r in rates.tolist()], np.float64)
    finally:
        uniform.close()


def multinomial_with_replacement(gen, probs: np.ndarray, n_sample: int) -> np.ndarray:
    """Rows of ``probs`` (2-d): each row's cumulative sums in its own dtype,
    normalised, the last one set to 1, then one double uniform per sample
    placed by binary search (the first bucket whose sum is not below it)."""
    out = np.empty((probs.shape[0], n_sample), np.int64)
    for i, row in enumerate(probs):
        cum = np.cumsum(row, dtype=row.dtype)
        total = cum[-1]
        if total > 0 or 0.99999 < total < 1.00001:
            cum = cum / total
        cum[-1] = 1
        u = unit_double(gen, n_sample)
        out[i] = np.searchsorted(cum.astype(np.float64), u, side="left")
    return out
