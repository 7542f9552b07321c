"""``torch.cuda`` as on a CPU-only build of PyTorch (see Note [A CPU-only build]).

The probes scripts start with answer "no CUDA": ``is_available()`` is False and
``device_count()`` is 0. Seeding is accepted and does nothing, as PyTorch
queues it until a CUDA device exists, which never happens. What needs a device
raises PyTorch's ``AssertionError: Torch not compiled with CUDA enabled``.
"""

from __future__ import annotations

from .._device import cuda_not_compiled


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


# NB: PyTorch queues these calls until CUDA initializes, so on a CPU-only build they
# return None and leave the CPU generator alone.
def manual_seed(seed: int) -> None:
    int(seed)


def manual_seed_all(seed: int) -> None:
    int(seed)


def seed() -> None:
    return None


def seed_all() -> None:
    return None


def empty_cache() -> None:
    return None


def memory_allocated(device=None) -> int:
    return 0


def max_memory_allocated(device=None) -> int:
    return 0


def memory_reserved(device=None) -> int:
    return 0


def _needs_cuda(*args, **kwargs):
    raise cuda_not_compiled()


initial_seed = _needs_cuda
get_rng_state = _needs_cuda
get_rng_state_all = _needs_cuda
set_rng_state = _needs_cuda
set_rng_state_all = _needs_cuda
current_device = _needs_cuda
set_device = _needs_cuda
synchronize = _needs_cuda
get_device_name = _needs_cuda
get_device_capability = _needs_cuda
get_device_properties = _needs_cuda
