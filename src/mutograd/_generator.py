"""PyTorch's CPU generator: ``torch.Generator`` and the default generator.

A generator is the mt19937 engine (``_mt19937``) plus the two Box-Muller
samples PyTorch caches (one double, one float). The distributions that draw
from it live in ``_distributions_cpu``; the helpers at the end write their
values in the order PyTorch's CPU kernels visit elements.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

from . import _dtype
from ._mt19937 import MT19937
from ._tensor import Tensor, _new, device

_DEFAULT_SEED = 67280421310721  # PyTorch's default_rng_seed_val


class Generator:
    """``torch.Generator``: PyTorch's CPU mt19937 generator and its cached
    Box-Muller samples (one double, one float)."""

    def __init__(self, device: str = "cpu") -> None:
        self._engine = MT19937(_DEFAULT_SEED)
        self._double_normal = None
        self._float_normal = None

    @property
    def device(self):
        return device("cpu")

    def manual_seed(self, seed) -> Generator:
        if isinstance(seed, Tensor):
            seed = seed.item()
        if isinstance(seed, float) or not isinstance(seed, numbers.Integral):
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        seed = int(seed)
        if not -(2**63) <= seed < 2**64:
            raise ValueError("Overflow when unpacking long long")
        # NB: as PyTorch, a negative seed is read as its unsigned 64-bit pattern
        self._engine.seed(seed % 2**64)
        self._double_normal = None
        self._float_normal = None
        return self

    def seed(self) -> int:
        seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        return self._engine.initial_seed

    def get_state(self) -> Tensor:
        raw = self._engine.to_bytes(self._double_normal, self._float_normal)
        return _new(np.frombuffer(raw, np.uint8).copy(), _dtype.uint8)

    def set_state(self, new_state) -> Generator:
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype is not _dtype.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = np.ascontiguousarray(new_state._data).tobytes()
        self._engine, self._double_normal, self._float_normal = MT19937.from_bytes(raw)
        return self

    def get_offset(self) -> int:
        raise RuntimeError("CPU Generator does not use offset")

    def set_offset(self, offset: int) -> Generator:
        raise RuntimeError("CPU Generator does not use offset")

    def clone_state(self) -> Generator:
        other = Generator()
        other._engine = self._engine.copy()
        other._double_normal = self._double_normal
        other._float_normal = self._float_normal
        return other


default_generator = Generator()


def manual_seed(seed) -> Generator:
    # NB: torch.manual_seed takes int(seed) first (1.5 seeds 1); Generator.manual_seed does not
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


def generator_or_default(generator: Generator | None = None) -> Generator:
    return default_generator if generator is None else generator


def fill_in_memory_order(out: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Write ``values`` into ``out`` in the order PyTorch's CPU kernels visit
    elements: memory order (TensorIterator sorts dimensions by stride)."""
    if out.flags.c_contiguous:
        out.reshape(-1)[...] = values
        return out
    order = sorted(range(out.ndim), key=lambda d: -abs(out.strides[d]))
    view = out.transpose(order)
    view[...] = values.reshape(view.shape)
    return out


def in_memory_order(array: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``array`` (broadcast to ``like``'s shape) flattened in ``like``'s memory order."""
    array = np.broadcast_to(array, like.shape)
    if like.flags.c_contiguous:
        return array.reshape(-1)
    order = sorted(range(like.ndim), key=lambda d: -abs(like.strides[d]))
    return array.transpose(order).reshape(-1)
