"""``torch.accelerator`` as on a CPU-only build: there is no accelerator."""

from __future__ import annotations

from ._device import NO_ACCELERATOR


def is_available(check_device: bool = True) -> bool:
    return False


def current_accelerator(check_available: bool = False):
    """None: PyTorch 2.13 built for the CPU only has no current accelerator."""
    return None


def device_count() -> int:
    return 0


def _no_accelerator(*args, **kwargs):
    raise RuntimeError(NO_ACCELERATOR)


current_device_index = _no_accelerator
current_device_idx = _no_accelerator
set_device_index = _no_accelerator
set_device_idx = _no_accelerator
synchronize = _no_accelerator
