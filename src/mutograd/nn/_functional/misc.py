"""``F.one_hot`` and ``F.normalize``, composed from table ops."""

from __future__ import annotations

from ..._creation import arange
from ..._dtype import int64
from ..._tensor import Tensor

__all__ = ["normalize", "one_hot"]


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Int64 one-hot encoding along a new last dim of size ``num_classes``."""
    if tensor.dtype is not int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if bool(tensor.min() < 0):
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(tensor.max().item()) + 1
        elif bool(tensor.max() >= num_classes):
            raise RuntimeError("Class values must be smaller than num_classes.")
    classes = arange(num_classes)
    return (tensor.unsqueeze(-1) == classes).long()


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None
) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim`` (PyTorch's DivBackward0 result)."""
    if out is not None:
        raise NotImplementedError("mutograd's F.normalize does not support out=")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom
