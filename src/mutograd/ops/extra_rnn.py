"""The fused LSTM cell: PyTorch's ``_thnn_fused_lstm_cell`` as one row of the op table.

Given the pre-activation gates (input and hidden projections summed, PyTorch's
order i, f, g, o) and the previous cell state, one NumPy pass computes the new
hidden and cell states; the backward is PyTorch's
``_thnn_fused_lstm_cell_backward``. One node per step instead of a dozen keeps
the recurrent layers' per-step cost close to PyTorch's fused kernel.
"""

from __future__ import annotations

import numpy as np

from .._creation import zeros_like
from ._api import make_function
from ._registry import defop
from .unary import _sigmoid
from .shape import cat

__all__ = ["fused_lstm_cell"]


def _fused_lstm_cell(input_gates, cx):
    h = cx.shape[-1]
    activated = np.empty_like(input_gates)
    _sigmoid(input_gates[:, : 2 * h], out=activated[:, : 2 * h])
    np.tanh(input_gates[:, 2 * h : 3 * h], out=activated[:, 2 * h : 3 * h])
    _sigmoid(input_gates[:, 3 * h :], out=activated[:, 3 * h :])
    i, f, g, o = (activated[:, k * h : (k + 1) * h] for k in range(4))
    cy = f * cx + i * g
    hy = o * np.tanh(cy)
    return hy, cy, activated


def _cell_grad(grads, cy, workspace):
    """The gradient reaching the new cell state: its own plus the hidden state's share."""
    ghy, gcy = grads[0], grads[1]
    _, _, _, o = workspace.chunk(4, 1)
    total = zeros_like(cy) if gcy is None else gcy
    if ghy is not None:
        total = total + ghy * o * (1 - cy.tanh().pow(2))
    return total


def _gates_backward(grads, cx, cy, workspace):
    i, f, g, o = workspace.chunk(4, 1)
    gcy = _cell_grad(grads, cy, workspace)
    ghy = grads[0]
    gi = gcy * g * i * (1 - i)
    gf = gcy * cx * f * (1 - f)
    gg = gcy * i * (1 - g * g)
    go = zeros_like(o) if ghy is None else ghy * cy.tanh() * o * (1 - o)
    result = cat([gi, gf, gg, go], 1)
    gworkspace = grads[2]
    if gworkspace is not None:
        # The activated gates are an output too: a gradient reaching them (a double
        # backward through this formula) goes back through the activations.
        slope = cat([i * (1 - i), f * (1 - f), 1 - g * g, o * (1 - o)], 1)
        result = result + gworkspace * slope
    return result


def _cx_backward(grads, cy, workspace):
    _, f, _, _ = workspace.chunk(4, 1)
    return _cell_grad(grads, cy, workspace) * f


fused_lstm_cell_op = defop(
    "_thnn_fused_lstm_cell(Tensor input_gates, Tensor cx) "
    "-> (Tensor hy, Tensor cy, Tensor workspace)",
    forward=_fused_lstm_cell,
    node="ThnnFusedLstmCellBackward0",
    input_gates=_gates_backward,
    cx=_cx_backward,
)
fused_lstm_cell = make_function(fused_lstm_cell_op, "_thnn_fused_lstm_cell")
