"""Callables for table ops that PyTorch keeps off the Tensor class (``torch._C._nn``).

``leaky_relu``, ``elu``, ``hardtanh``, ``gelu``, ``silu``, their in-place
forms and ``nll_loss_forward`` are rows of the op table without a public
``torch.*``/``Tensor`` name;
these wrappers call them through the dispatcher and the in-place door, exactly
as the generated ``Tensor.relu_`` does.
"""

from __future__ import annotations

from ...ops._api import make_function, make_inplace
from ...ops._registry import REGISTRY


def _pair(name: str):
    op = REGISTRY[name]
    return make_function(op, name), make_inplace(op, name + "_")


leaky_relu = make_function(REGISTRY["leaky_relu"], "leaky_relu")
elu = make_function(REGISTRY["elu"], "elu")
# NB: as PyTorch, these in-place forms are their own rows (their backward reads the result).
leaky_relu_ = make_inplace(REGISTRY["leaky_relu_"], "leaky_relu_")
elu_ = make_inplace(REGISTRY["elu_"], "elu_")
hardtanh, hardtanh_ = _pair("hardtanh")
gelu, _ = _pair("gelu")
silu, silu_ = _pair("silu")
nll_loss_forward = make_function(REGISTRY["nll_loss_forward"], "nll_loss_forward")
