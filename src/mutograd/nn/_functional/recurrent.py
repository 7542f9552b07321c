"""One time step of the recurrent cells, in table ops (PyTorch's gate order and formulas).

Each step receives ``gi``, the input's projection ``x W_ih^T + b_ih`` for that step: the
layers compute it for the whole sequence in one matmul, as PyTorch's CPU kernels do.
"""

from __future__ import annotations

from ...ops._api import FUNCTIONS
from ...ops.extra_rnn import fused_lstm_cell
from .activation import linear

__all__ = ["gru_step", "lstm_step", "rnn_step"]

_addmm = FUNCTIONS["addmm"]


def _hidden_term(gi, h, w_hh, b_hh, folded):
    # ``folded``: b_hh is already in gi, so one addmm gives gi + h W_hh^T.
    if folded:
        return _addmm(gi, h, w_hh.t())
    return gi + linear(h, w_hh, b_hh)


def rnn_step(mode, gi, h, w_hh, b_hh, folded=False):
    pre = _hidden_term(gi, h, w_hh, b_hh, folded)
    return pre.tanh() if mode == "RNN_TANH" else pre.relu()


def lstm_step(gi, h, c, w_hh, b_hh, w_hr=None, folded=False):
    gates = _hidden_term(gi, h, w_hh, b_hh, folded)
    # One fused node for the gates' activations and the state update (PyTorch's
    # _thnn_fused_lstm_cell): gates in the order i, f, g, o.
    h, c, _ = fused_lstm_cell(gates, c)
    if w_hr is not None:
        h = linear(h, w_hr)
    return h, c


def gru_step(gi, h, w_hh, b_hh):
    gi = gi.chunk(3, 1)
    gh = linear(h, w_hh, b_hh).chunk(3, 1)
    r = (gi[0] + gh[0]).sigmoid()
    z = (gi[1] + gh[1]).sigmoid()
    n = (gi[2] + r * gh[2]).tanh()
    return (1 - z) * n + z * h
