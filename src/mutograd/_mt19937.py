"""PyTorch's CPU random engine: a 32-bit Mersenne Twister (mt19937) in NumPy.

PyTorch seeds it with the 32 low bits of the seed (Knuth's multiplier
1812433253), starts with ``left = 1`` so the first draw twists the state, and
tempers each word on the way out. ``random64()`` joins two draws, the first
one as the high half.

Speed comes from doing the twist as array slices. Word ``i`` of the new state
reads words ``i`` and ``i + 1`` of the old state (through the "G" term below)
and word ``i + 397`` - which for ``i >= 227`` is a word of the *new* state,
computed 227 places earlier. So the G terms of one twist are one array
expression, and the new words come in three chunks of at most 227
([0:227], [227:454], [454:623]) plus the last word, which needs the new
word 0. Many twists are written one after another into one flat buffer, and
the tempering runs over the whole buffer in cache-sized pieces.

The state layout of ``get_state``/``set_state`` is PyTorch's 5056-byte
``CPUGeneratorImplState``: the legacy THGenerator block (initial seed,
``left``, ``seeded``, ``next``, the 624 words widened to 64 bits, the cached
double normal sample as ``normal_y`` with its valid flag) followed by the
cached float normal sample and its flag.
"""

from __future__ import annotations

import numpy as np

N = 624
M = 397
MATRIX_A = 0x9908B0DF
UPPER = 0x80000000
LOWER = 0x7FFFFFFF

# struct offsets of PyTorch's CPUGeneratorImplState (x86-64 alignment)
STATE_SIZE = 5056
_SEED, _LEFT, _SEEDED, _NEXT, _WORDS = 0, 8, 12, 16, 24
_NORMAL_X, _NORMAL_Y, _NORMAL_RHO, _NORMAL_VALID = 5016, 5024, 5032, 5040
_FLOAT_NORMAL, _FLOAT_VALID = 5048, 5052

_TEMPER_CHUNK = 1 << 15  # words per tempering piece: keeps the temporaries in cache


def _seed_words(seed: int) -> np.ndarray:
    state = [seed & 0xFFFFFFFF]
    for j in range(1, N):
        prev = state[-1]
        state.append((1812433253 * (prev ^ (prev >> 30)) + j) & 0xFFFFFFFF)
    return np.array(state, dtype=np.uint32)


def _twist_into(buf: np.ndarray, start: int, g: np.ndarray) -> None:
    """Write the state after ``buf[start - N:start]`` into ``buf[start:start + N]``."""
    old = buf[start - N : start]
    new = buf[start : start + N]
    a, b = old[:-1], old[1:]
    # y = (a & UPPER) | (b & LOWER); g = (y >> 1) ^ (MATRIX_A if b is odd)
    np.bitwise_xor(a, b, out=g)
    np.bitwise_and(g, UPPER, out=g)
    np.bitwise_xor(g, b, out=g)
    np.right_shift(g, 1, out=g)
    odd = np.bitwise_and(b, 1)
    np.multiply(odd, MATRIX_A, out=odd)
    np.bitwise_xor(g, odd, out=g)
    np.bitwise_xor(old[M:], g[: N - M], out=new[: N - M])
    np.bitwise_xor(new[: N - M], g[N - M : 2 * (N - M)], out=new[N - M : 2 * (N - M)])
    np.bitwise_xor(new[N - M : M - 1], g[2 * (N - M) :], out=new[2 * (N - M) : N - 1])
    y = (int(old[N - 1]) & UPPER) | (int(new[0]) & LOWER)
    new[N - 1] = int(new[M - 1]) ^ (y >> 1) ^ (MATRIX_A if y & 1 else 0)


def temper(words: np.ndarray) -> np.ndarray:
    """mt19937's output tempering, in place, piece by piece."""
    tmp = np.empty(min(words.size, _TEMPER_CHUNK), np.uint32)
    for lo in range(0, words.size, _TEMPER_CHUNK):
        y = words[lo : lo + _TEMPER_CHUNK]
        t = tmp[: y.size]
        np.right_shift(y, 11, out=t)
        np.bitwise_xor(y, t, out=y)
        np.left_shift(y, 7, out=t)
        np.bitwise_and(t, 0x9D2C5680, out=t)
        np.bitwise_xor(y, t, out=y)
        np.left_shift(y, 15, out=t)
        np.bitwise_and(t, 0xEFC60000, out=t)
        np.bitwise_xor(y, t, out=y)
        np.right_shift(y, 18, out=t)
        np.bitwise_xor(y, t, out=y)
    return words


class MT19937:
    """The engine: 624 state words, the index of the next word, and ``left``
    (PyTorch's countdown: the draw that takes it to 0 twists the state)."""

    def __init__(self, seed: int = 67280421310721) -> None:
        self.seed(seed)

    def seed(self, seed: int) -> None:
        self.initial_seed = seed
        self.seeded = 1
        self.state = _seed_words(seed)
        self.left = 1
        self.next = 0

    def copy(self) -> MT19937:
        other = MT19937.__new__(MT19937)
        other.__dict__.update(self.__dict__)
        other.state = self.state.copy()
        return other

    def random(self, n: int) -> np.ndarray:
        """The next ``n`` draws of ``random()``: tempered uint32 words."""
        n = int(n)
        ready = min(n, self.left - 1)
        out = np.empty(n, np.uint32)
        out[:ready] = self.state[self.next : self.next + ready]
        self.next += ready
        self.left -= ready
        rest = n - ready
        if rest:
            twists = -(-rest // N)
            buf = np.empty((twists + 1) * N, np.uint32)
            buf[:N] = self.state
            g = np.empty(N - 1, np.uint32)
            for t in range(1, twists + 1):
                _twist_into(buf, t * N, g)
            out[ready:] = buf[N : N + rest]
            self.state = buf[twists * N :].copy()
            used = rest - (twists - 1) * N
            self.next = used
            self.left = N + 1 - used
        return temper(out)

    def random64(self, n: int) -> np.ndarray:
        """The next ``n`` draws of ``random64()``: two words, the first one high."""
        words = self.random(2 * n).astype(np.uint64)
        return (words[0::2] << np.uint64(32)) | words[1::2]

    # --- PyTorch's state tensor --------------------------------------------------

    def to_bytes(self, double_normal: float | None, float_normal: float | None) -> bytes:
        raw = bytearray(STATE_SIZE)
        view = memoryview(raw)
        view[_SEED : _SEED + 8] = np.uint64(self.initial_seed & (2**64 - 1)).tobytes()
        view[_LEFT : _LEFT + 4] = np.int32(self.left).tobytes()
        view[_SEEDED : _SEEDED + 4] = np.int32(self.seeded).tobytes()
        view[_NEXT : _NEXT + 8] = np.uint64(self.next).tobytes()
        view[_WORDS : _WORDS + 8 * N] = self.state.astype(np.uint64).tobytes()
        if double_normal is not None:
            view[_NORMAL_Y : _NORMAL_Y + 8] = np.float64(double_normal).tobytes()
            view[_NORMAL_VALID : _NORMAL_VALID + 4] = np.int32(1).tobytes()
        if float_normal is not None:
            view[_FLOAT_NORMAL : _FLOAT_NORMAL + 4] = np.float32(float_normal).tobytes()
            view[_FLOAT_VALID] = 1
        return bytes(raw)

    @classmethod
    def from_bytes(cls, raw: bytes):
        """The engine and the cached (double, float) normal samples of a state."""
        if len(raw) != STATE_SIZE:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input "
                f"RNG state size to be {len(raw)}"
            )

        def field(offset, dtype):
            return np.frombuffer(raw, dtype, 1, offset)[0]

        engine = cls.__new__(cls)
        engine.initial_seed = int(field(_SEED, np.uint64))
        engine.left = int(field(_LEFT, np.int32))
        engine.seeded = int(field(_SEEDED, np.int32))
        engine.next = int(field(_NEXT, np.uint64)) & 0xFFFFFFFF
        engine.state = np.frombuffer(raw, np.uint64, N, _WORDS).astype(np.uint32)
        # PyTorch's mt19937::is_valid
        valid = (
            engine.seeded == 1
            and 0 < engine.left <= N
            and engine.next <= N
        )
        if not valid:
            raise RuntimeError("Invalid mt19937 state")
        double_normal = float(field(_NORMAL_Y, np.float64)) if field(_NORMAL_VALID, np.int32) else None
        float_normal = float(field(_FLOAT_NORMAL, np.float32)) if raw[_FLOAT_VALID] else None
        return engine, double_normal, float_normal
