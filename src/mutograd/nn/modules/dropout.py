"""Dropout (torch/nn/modules/dropout.py): identity in eval mode."""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from ..module import Module

__all__ = [
    "AlphaDropout",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "FeatureAlphaDropout",
]


class Dropout(Module):
    """Zero each element with probability ``p`` in training, scaling the rest by 1/(1-p).

    >>> import mutograd as torch
    >>> torch.nn.Dropout(0.1)
    Dropout(p=0.1, inplace=False)
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class _FeatureDropout(Dropout):
    """The channel-wise and alpha variants: same arguments, another function."""

    _function = None

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._function(input, self.p, self.training, self.inplace)


class Dropout1d(_FeatureDropout):
    _function = staticmethod(F.dropout1d)


class Dropout2d(_FeatureDropout):
    _function = staticmethod(F.dropout2d)


class Dropout3d(_FeatureDropout):
    _function = staticmethod(F.dropout3d)


class AlphaDropout(_FeatureDropout):
    _function = staticmethod(F.alpha_dropout)


class FeatureAlphaDropout(_FeatureDropout):
    _function = staticmethod(F.feature_alpha_dropout)
