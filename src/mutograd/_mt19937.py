"""PyTorch's CPU random engine: a 32-bit Mersenne Twister (mt19937).

PyTorch seeds it with the 32 low bits of the seed (Knuth's multiplier
1812433253, the reference ``init_genrand``), starts with ``left = 1`` so the
first draw twists the state, and tempers each word on the way out.
``random64()`` joins two draws, the first one as the high half.

That is the reference mt19937, which NumPy ships in C as
``numpy.random.MT19937``: the engine keeps its state there and reads tempered
words with ``random_raw`` (array-at-a-time, no Python loop per number).
PyTorch's ``left``/``next`` countdown maps onto NumPy's ``pos`` (the index of
the next word; 624 means "twist first"), except right after seeding, where
PyTorch reports ``next = 0`` - kept apart by ``fresh``.

``twist`` and ``temper`` below are the same algorithm written with array
slices: word ``i`` of the new state reads words ``i`` and ``i + 1`` of the old
state (the "G" term) and word ``i + 397``, which for ``i >= 227`` is a word of
the *new* state 227 places back. So the G terms are one array expression and
the new words follow in three chunks ([0:227], [227:454], [454:623]) plus the
last word, which needs the new word 0. The tests hold the two against each
other.

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

_CHUNK = 1 << 16  # words per random_raw call: the uint64 temporary stays in cache


def seed_words(seed: int) -> np.ndarray:
    """PyTorch's (the reference) initial state words for ``seed``."""
    state = [seed & 0xFFFFFFFF]
    for j in range(1, N):
        prev = state[-1]
        state.append((1812433253 * (prev ^ (prev >> 30)) + j) & 0xFFFFFFFF)
    return np.array(state, dtype=np.uint32)


def twist(state: np.ndarray) -> np.ndarray:
    """The next 624 state words after ``state``, with array slices."""
    new = np.empty(N, np.uint32)
    a, b = state[:-1], state[1:]
    # y = (a & UPPER) | (b & LOWER); g = (y >> 1) ^ (MATRIX_A if y is odd)
    g = ((a ^ b) & np.uint32(UPPER)) ^ b
    g >>= np.uint32(1)
    g ^= (b & np.uint32(1)) * np.uint32(MATRIX_A)
    np.bitwise_xor(state[M:], g[: N - M], out=new[: N - M])
    np.bitwise_xor(new[: N - M], g[N - M : 2 * (N - M)], out=new[N - M : 2 * (N - M)])
    np.bitwise_xor(new[N - M : M - 1], g[2 * (N - M) :], out=new[2 * (N - M) : N - 1])
    y = (int(state[N - 1]) & UPPER) | (int(new[0]) & LOWER)
    new[N - 1] = int(new[M - 1]) ^ (y >> 1) ^ (MATRIX_A if y & 1 else 0)
    return new


def temper(words: np.ndarray) -> np.ndarray:
    """mt19937's output tempering, as array operations."""
    y = words.astype(np.uint32)
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y


class MT19937:
    """The engine, with PyTorch's bookkeeping (initial seed, ``seeded``)."""

    def __init__(self, seed: int = 67280421310721) -> None:
        self._bits = np.random.MT19937(0)
        self.seed(seed)

    def seed(self, seed: int) -> None:
        self.initial_seed = seed
        self.seeded = 1
        # NB: NumPy's legacy seeding is the reference init_genrand, as PyTorch's
        self._bits._legacy_seeding(seed & 0xFFFFFFFF)
        self.fresh = True

    def copy(self) -> MT19937:
        other = MT19937.__new__(MT19937)
        other.__dict__.update(self.__dict__)
        other._bits = np.random.MT19937(0)
        other._bits.state = self._bits.state
        return other

    @property
    def state(self) -> np.ndarray:
        return self._bits.state["state"]["key"]

    @property
    def next(self) -> int:
        return 0 if self.fresh else int(self._bits.state["state"]["pos"])

    @property
    def left(self) -> int:
        return N + 1 - int(self._bits.state["state"]["pos"])

    def random(self, n: int) -> np.ndarray:
        """The next ``n`` draws of ``random()``: tempered uint32 words."""
        n = int(n)
        if 0 < n <= _CHUNK:
            self.fresh = False
            return self._bits.random_raw(n).astype(np.uint32)
        out = np.empty(n, np.uint32)
        for lo in range(0, n, _CHUNK):
            np.copyto(out[lo : lo + _CHUNK], self._bits.random_raw(min(_CHUNK, n - lo)), "unsafe")
        if n:
            self.fresh = False
        return out

    def random64(self, n: int) -> np.ndarray:
        """The next ``n`` draws of ``random64()``: two words, the first one high."""
        words = self.random(2 * n).view(np.uint64)
        # NB: little-endian pairs read as (second << 32) | first; swap the halves
        return (words << np.uint64(32)) | (words >> np.uint64(32))

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
        engine.seeded = int(field(_SEEDED, np.int32))
        left = int(field(_LEFT, np.int32))
        nxt = int(field(_NEXT, np.uint64)) & 0xFFFFFFFF
        # PyTorch's mt19937::is_valid
        if not (engine.seeded == 1 and 0 < left <= N and nxt <= N):
            raise RuntimeError("Invalid mt19937 state")
        key = np.frombuffer(raw, np.uint64, N, _WORDS).astype(np.uint32)
        engine._bits = np.random.MT19937(0)
        engine._bits.state = {
            "bit_generator": "MT19937",
            "state": {"key": key, "pos": N + 1 - left},
        }
        engine.fresh = left == 1 and nxt == 0
        double_normal = (
            float(field(_NORMAL_Y, np.float64)) if field(_NORMAL_VALID, np.int32) else None
        )
        float_normal = float(field(_FLOAT_NORMAL, np.float32)) if raw[_FLOAT_VALID] else None
        return engine, double_normal, float_normal
