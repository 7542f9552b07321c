"""``torch.backends``: the flags scripts set, on a CPU-only build."""

from __future__ import annotations

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
