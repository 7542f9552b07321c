"""RNN, LSTM and GRU (torch/nn/modules/rnn.py); the cells are in rnn_cell.py.

Parameters have PyTorch's names (``weight_ih_l0``, ``bias_hh_l1_reverse``,
``weight_hr_l0`` for LSTM projections), shapes, order and initialisation, so
state dicts move between the two libraries. The recurrences are written in
table ops, one time step at a time, and autograd differentiates them.

Note [One loop for padded and packed input]
-------------------------------------------
Both input kinds become a list of per-step inputs, step t holding the first
``batch_sizes[t]`` rows (all rows when the input is not packed; a packed batch
is sorted by decreasing length). Each step updates those rows of the running
state and keeps the others: ``h = cat([cell(x_t, h[:b]), h[b:]])``. Forwards,
the kept rows are finished sequences, so ``h`` ends as each one's last state.
Backwards (the reverse direction walks t down), the kept rows have not started
yet and still hold the initial state. The same line serves both.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from ..._creation import empty, zeros
from ..._tensor import Tensor
from ...ops._api import FUNCTIONS
from .. import init
from .._functional.activation import dropout, linear
from .._functional.recurrent import gru_step, lstm_step, rnn_step
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence

__all__ = ["GRU", "LSTM", "RNN", "RNNBase"]

_cat = FUNCTIONS["cat"]
_stack = FUNCTIONS["stack"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters, checks and the layer loop."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if (
            not isinstance(dropout, numbers.Number)
            or not 0 <= dropout <= 1
            or isinstance(dropout, bool)
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of "
                "an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(
                f"batch_first should be of type bool, got: {type(batch_first).__name__}"
            )
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden * directions
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [
                    ("weight_ih", (gate_size, layer_input)),
                    ("weight_hh", (gate_size, real_hidden)),
                ]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                names = []
                for prefix, shape in shapes:
                    setattr(self, prefix + suffix, Parameter(empty(shape, dtype=dtype)))
                    names.append(prefix + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # As PyTorch: every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op: PyTorch packs the weights for cuDNN here; mutograd has no cuDNN."""

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # --- checks ----------------------------------------------------------------------------

    def _check_input(self, input: Tensor, packed: bool) -> None:
        weight_dtype = self._flat_weights[0].dtype
        if input.dtype is not weight_dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                f"Convert input: input.to({weight_dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        expected = 2 if packed else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. "
                f"Expected {self.input_size}, got {input.shape[-1]}"
            )

    def _hidden_shape(self, batch: int, size: int) -> tuple[int, int, int]:
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    @staticmethod
    def _check_hidden(hx: Tensor, expected: tuple, msg: str = "Expected hidden size {}, got {}"):
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    # --- the recurrence ---------------------------------------------------------------------

    def _weights(self, layer: int, direction: int) -> tuple:
        names = self._all_weights[layer * (2 if self.bidirectional else 1) + direction]
        weights = [getattr(self, name) for name in names]
        b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
        w_hr = weights[-1] if self.proj_size > 0 else None
        return weights[0], weights[1], b_ih, b_hh, w_hr

    def _direction(self, layer, direction, x, batch_sizes, state):
        """One direction of one layer; see Note [One loop for padded and packed input].

        ``x`` is the layer's whole input: (T, B, H) padded, or (sum of lengths, H) packed.
        Returns the per-step outputs and the final state.
        """
        w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, direction)
        projected = linear(x, w_ih, b_ih)
        # LSTM and RNN add both biases before the nonlinearity: b_hh joins the projection
        # once, and each step is then a single addmm (GRU multiplies h's part by r first).
        folded = self.mode != "GRU"
        if folded and b_hh is not None:
            projected = projected + b_hh
        if x.dim() == 3:
            gis = projected.unbind(0)
        else:
            gis, offset = [], 0
            for size in batch_sizes:
                gis.append(projected.narrow(0, offset, size))
                offset += size
        outputs: list[Any] = [None] * len(gis)
        full = state[0].shape[0]
        order = range(len(gis) - 1, -1, -1) if direction == 1 else range(len(gis))
        for t in order:
            b = batch_sizes[t]
            active = state if b == full else tuple(s.narrow(0, 0, b) for s in state)
            if self.mode == "LSTM":
                new = lstm_step(gis[t], active[0], active[1], w_hh, b_hh, w_hr, True)
            elif self.mode == "GRU":
                new = (gru_step(gis[t], active[0], w_hh, b_hh),)
            else:
                new = (rnn_step(self.mode, gis[t], active[0], w_hh, b_hh, True),)
            if b < full:
                state = tuple(
                    _cat([n, s.narrow(0, b, full - b)], 0) for n, s in zip(new, state, strict=True)
                )
            else:
                state = new
            outputs[t] = new[0]
        return outputs, state

    def _run(self, input: Any, hx: tuple) -> tuple[Any, tuple]:
        packed = input if isinstance(input, PackedSequence) else None
        if packed is not None:
            x = packed.data
            batch_sizes = [int(b) for b in packed.batch_sizes.tolist()]
        else:
            x = input.transpose(0, 1) if self.batch_first else input
            batch_sizes = [x.shape[1]] * x.shape[0]
        directions = 2 if self.bidirectional else 1
        finals: list[list[Tensor]] = [[] for _ in hx]
        for layer in range(self.num_layers):
            per_direction = []
            for direction in range(directions):
                k = layer * directions + direction
                state = tuple(h[k] for h in hx)
                outputs, state = self._direction(layer, direction, x, batch_sizes, state)
                per_direction.append(_cat(outputs, 0) if packed is not None else _stack(outputs, 0))
                for slot, s in zip(finals, state, strict=True):
                    slot.append(s)
            x = per_direction[0] if directions == 1 else _cat(per_direction, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = dropout(x, self.dropout, True)
        hidden = tuple(_stack(slot, 0) for slot in finals)
        if packed is not None:
            output = PackedSequence(
                x, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices
            )
        elif self.batch_first:
            # NB: PyTorch's RNN/GRU kernels transpose their result in place
            # (TransposeBackward1); its LSTM (mkldnn) path returns a transpose view.
            output = x.transpose(0, 1) if self.mode == "LSTM" else x.transpose_(0, 1)
        else:
            output = x
        return output, hidden

    def _prepare(self, input: Any, hx: Any, name: str) -> tuple:
        """Unbatched input -> batch of one, default hidden state, checks, sorting of hx."""
        packed = isinstance(input, PackedSequence)
        unbatched = False
        if packed:
            data = input.data
            batch = int(input.batch_sizes[0])
        else:
            if input.dim() not in (2, 3):
                raise ValueError(
                    f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                    + ("tensor instead" if name == "RNN" else "instead")
                )
            unbatched = input.dim() == 2
            if unbatched:
                input = input.unsqueeze(0 if self.batch_first else 1)
            data = input
            batch = input.shape[0] if self.batch_first else input.shape[1]
        return input, data, batch, packed, unbatched

    def _permute(self, hx: Tensor, indices: Tensor | None) -> Tensor:
        return hx if indices is None else hx.index_select(1, indices)


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` (or relu)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        nonlinearity = self.nonlinearity
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple[Any, Tensor]:
        name = type(self).__name__
        input, data, batch, packed, unbatched = self._prepare(input, hx, name)
        if hx is None:
            hx = zeros(self._hidden_shape(batch, self.hidden_size), dtype=data.dtype)
        else:
            if not packed:
                if unbatched and hx.dim() != 2:
                    raise RuntimeError(
                        f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D "
                        "tensor"
                    )
                if not unbatched and hx.dim() != 3:
                    raise RuntimeError(
                        f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor"
                    )
                if unbatched:
                    hx = hx.unsqueeze(1)
            else:
                hx = self._permute(hx, input.sorted_indices)
        self._check_input(data, packed)
        self._check_hidden(hx, self._hidden_shape(batch, self.hidden_size))
        output, (h_n,) = self._run(input, (hx,))
        if packed:
            return output, self._permute(h_n, input.unsorted_indices)
        if unbatched:
            return output.squeeze(0 if self.batch_first else 1), h_n.squeeze(1)
        return output, h_n


class LSTM(RNNBase):
    """Long short-term memory; ``proj_size > 0`` adds PyTorch's LSTMP projection ``weight_hr``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input: Any, hx: tuple | None = None) -> tuple[Any, tuple]:
        input, data, batch, packed, unbatched = self._prepare(input, hx, "LSTM")
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            hx = (
                zeros(self._hidden_shape(batch, real_hidden), dtype=data.dtype),
                zeros(self._hidden_shape(batch, self.hidden_size), dtype=data.dtype),
            )
        else:
            if not packed:
                dims = (hx[0].dim(), hx[1].dim())
                if not unbatched and dims != (3, 3):
                    raise RuntimeError(
                        "For batched 3-D input, hx and cx should also be 3-D but got "
                        f"({dims[0]}-D, {dims[1]}-D) tensors"
                    )
                if unbatched:
                    if dims != (2, 2):
                        raise RuntimeError(
                            "For unbatched 2-D input, hx and cx should also be 2-D but got "
                            f"({dims[0]}-D, {dims[1]}-D) tensors"
                        )
                    hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self._check_input(data, packed)
        self._check_hidden(
            hx[0], self._hidden_shape(batch, real_hidden), "Expected hidden[0] size {}, got {}"
        )
        self._check_hidden(
            hx[1], self._hidden_shape(batch, self.hidden_size), "Expected hidden[1] size {}, got {}"
        )
        if packed:
            hx = tuple(self._permute(h, input.sorted_indices) for h in hx)
        output, (h_n, c_n) = self._run(input, tuple(hx))
        if packed:
            return output, tuple(self._permute(h, input.unsorted_indices) for h in (h_n, c_n))
        if unbatched:
            return output.squeeze(0 if self.batch_first else 1), (h_n.squeeze(1), c_n.squeeze(1))
        return output, (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit, with PyTorch's gate order (reset, update, new)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    forward = RNN.forward
