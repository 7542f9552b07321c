"""default_collate: a list of samples -> one batch (torch/utils/data/_utils/collate.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ... import _dtype
from ..._creation import tensor
from ..._tensor import Tensor
from ...ops._api import FUNCTIONS

__all__ = ["default_collate"]

_stack = FUNCTIONS["stack"]

_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def default_collate(batch: list) -> Any:
    """Stack tensors along a new dim 0, turn numbers into a tensor, recurse into containers.

    >>> import mutograd as torch
    >>> default_collate([(torch.tensor([1.0]), 0), (torch.tensor([2.0]), 1)])
    [tensor([[1.],
            [2.]]), tensor([0, 1])]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(list(batch), 0)
    if type(elem).__module__ == "numpy" and type(elem).__name__ == "ndarray":
        return _stack([tensor(b) for b in batch], 0)
    if isinstance(elem, bool):
        return tensor(batch, dtype=_dtype.bool_)
    if isinstance(elem, float):
        # As PyTorch: Python floats collate to float64.
        return tensor(batch, dtype=_dtype.float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(samples) for samples in zip(*batch, strict=True)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(samples) for samples in zip(*batch, strict=True)]
    raise TypeError(_ERROR.format(type(elem)))
