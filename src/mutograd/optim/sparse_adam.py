"""SparseAdam: mutograd has no sparse tensors, so it is named and refused."""

from __future__ import annotations

from typing import Any

__all__ = ["SparseAdam"]


class SparseAdam:
    """PyTorch's Adam for sparse gradients; mutograd has no sparse layout to feed it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "torch.optim.SparseAdam is not supported by mutograd: it needs sparse gradients "
            "(torch.sparse), which mutograd does not implement; use torch.optim.Adam"
        )
