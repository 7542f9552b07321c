"""Activations, dropout, linear and embedding (torch/nn/functional.py).

The ``inplace=True`` forms write into ``input`` through the in-place door
(``input.relu_()``, ``leaky_relu_`` ...) and return ``input`` itself, with one
version bump, exactly where PyTorch's do.
"""

from __future__ import annotations

import warnings

from ... import _dtype
from ..._creation import empty_like, zeros
from ..._tensor import Tensor
from ...ops._api import FUNCTIONS
from . import _ops

_addmm = FUNCTIONS["addmm"]
_matmul = FUNCTIONS["matmul"]


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0); ``inplace=True`` writes into ``input`` (ReluBackward0 either way)."""
    return input.relu_() if inplace else input.relu()


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    # As PyTorch: relu6 is hardtanh(0, 6) (HardtanhBackward0).
    return _ops.hardtanh_(input, 0.0, 6.0) if inplace else _ops.hardtanh(input, 0.0, 6.0)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    if inplace:
        return _ops.leaky_relu_(input, negative_slope)
    return _ops.leaky_relu(input, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return _ops.leaky_relu_(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return _ops.elu_(input, alpha) if inplace else _ops.elu(input, alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return _ops.elu_(input, alpha)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _ops.hardtanh_(input, min_val, max_val)
    return _ops.hardtanh(input, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _ops.hardtanh_(input, min_val, max_val)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    return _ops.gelu(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return _ops.silu_(input) if inplace else _ops.silu(input)


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def _get_softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: _dtype.dtype | None = None
) -> Tensor:
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim, dtype=dtype)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: _dtype.dtype | None = None
) -> Tensor:
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim, dtype=dtype)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p).

    As PyTorch's CPU kernel: ``input * mask`` (``input.mul_(mask)`` when
    ``inplace``), MulBackward0; ``input`` itself when p == 0 or not training.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        noise = zeros((), dtype=input.dtype)
    else:
        noise = empty_like(input).bernoulli_(1 - p)
        noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, built as PyTorch's at::linear builds it.

    2-d input with bias is one ``addmm`` (AddmmBackward0); other ranks fold the
    batch into rows and view back (ViewBackward0), as PyTorch does.
    """
    dim = input.dim()
    if bias is None:
        if dim == 2:
            return input.mm(weight.t())
        return _matmul(input, weight.t())
    if dim == 2:
        return _addmm(bias, input, weight.t())
    if dim == 1:
        return _addmm(bias, input.unsqueeze(0), weight.t()).view(weight.shape[0])
    if dim == 0:
        return _matmul(input, weight.t()) + bias
    folded = _addmm(bias, input.reshape(-1, input.shape[-1]), weight.t())
    return folded.view(tuple(input.shape[:-1]) + (weight.shape[0],))


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input`` (EmbeddingBackward0)."""
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        raise NotImplementedError("mutograd's embedding does not support max_norm")
    if sparse:
        raise NotImplementedError("mutograd has no sparse tensors (sparse=True)")
    return FUNCTIONS["embedding"](weight, input, padding_idx, scale_grad_by_freq, sparse)
