"""``torch.backends.cudnn``: cuDNN is absent, but its flags can be read and set.

Scripts write ``torch.backends.cudnn.benchmark = True`` or ``deterministic = True``
unconditionally; as in PyTorch without CUDA, the values are kept and do nothing.
"""

from __future__ import annotations

enabled = True
benchmark = False
benchmark_limit = None
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version() -> None:
    return None
