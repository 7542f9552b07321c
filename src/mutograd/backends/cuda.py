"""``torch.backends.cuda``: not built; the matmul flags exist so scripts can set them."""

from __future__ import annotations


def is_built() -> bool:
    return False


class _Matmul:
    """``torch.backends.cuda.matmul``: precision flags for CUDA matmuls (kept, unused)."""

    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _Matmul()
