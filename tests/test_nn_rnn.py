"""RNN, LSTM, GRU, their cells and nn.utils.rnn packing against torch 2.13: parameter names
and shapes (state dicts transfer both ways), outputs, final states and gradients in float64
with torch's weights copied across, padded and packed input, errors."""

from __future__ import annotations

import numpy as np
import pytest
from _fd import directional_gradcheck
from conftest import requires_torch

import mutograd

pytestmark = requires_torch

rnn_utils = mutograd.nn.utils.rnn


def _copy_weights(module, tmodule):
    state = {k: mutograd.tensor(v.detach().numpy().copy()) for k, v in tmodule.state_dict().items()}
    module.load_state_dict(state)


def _close(a, b, tol=1e-12):
    np.testing.assert_allclose(
        a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol, err_msg=""
    )


def _data(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


CONFIGS = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("RNN", {"bidirectional": True, "batch_first": True}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"batch_first": True, "bias": False}),
    ("LSTM", {"proj_size": 3, "num_layers": 2}),
    ("LSTM", {"proj_size": 2, "bidirectional": True, "batch_first": True}),
    ("GRU", {}),
    ("GRU", {"num_layers": 3, "bidirectional": True}),
    ("GRU", {"batch_first": True, "bias": False, "num_layers": 2}),
]


def _pair(name, kwargs, input_size=4, hidden=5):
    tmodule = getattr(__import__("torch").nn, name)(input_size, hidden, **kwargs).double()
    module = getattr(mutograd.nn, name)(input_size, hidden, dtype=mutograd.float64, **kwargs)
    return module, tmodule


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS)
def test_parameters_match_torch(torch, name, kwargs):
    module, tmodule = _pair(name, kwargs)
    ours = [(k, tuple(v.shape)) for k, v in module.named_parameters()]
    theirs = [(k, tuple(v.shape)) for k, v in tmodule.named_parameters()]
    assert ours == theirs
    assert repr(module) == repr(tmodule)
    # Both directions of state-dict transfer.
    _copy_weights(module, tmodule)
    tmodule.load_state_dict({k: torch.tensor(v.numpy()) for k, v in module.state_dict().items()})


def _hidden(torch, name, kwargs, batch, hidden=5):
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    h_size = kwargs.get("proj_size") or hidden
    h = _data((layers, batch, h_size), 7)
    if name == "LSTM":
        return (h, _data((layers, batch, hidden), 8))
    return h


def _wrap(T, value, grad=True):
    if isinstance(value, tuple):
        return tuple(_wrap(T, v, grad) for v in value)
    return T.tensor(value, dtype=T.float64, requires_grad=grad)


def _flat(state):
    return list(state) if isinstance(state, tuple) else [state]


@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize(("name", "kwargs"), CONFIGS)
def test_padded_forward_and_backward_match_torch(torch, name, kwargs, with_h0):
    module, tmodule = _pair(name, kwargs)
    _copy_weights(module, tmodule)
    seq, batch = 6, 3
    shape = (batch, seq, 4) if kwargs.get("batch_first") else (seq, batch, 4)
    x_np = _data(shape, 1)
    h_np = _hidden(torch, name, kwargs, batch) if with_h0 else None
    results = []
    for T, m in ((mutograd, module), (torch, tmodule)):
        x = _wrap(T, x_np)
        h = _wrap(T, h_np) if with_h0 else None
        out, state = m(x, h)
        upstream = T.tensor(_data(tuple(out.shape), 2), dtype=T.float64)
        loss = (out * upstream).sum() + sum((s * s).sum() for s in _flat(state))
        loss.backward()
        grads = [x.grad] + ([g.grad for g in _flat(h)] if with_h0 else [])
        results.append((out, _flat(state), grads, {k: p.grad for k, p in m.named_parameters()}))
    (out, state, grads, pgrads), (tout, tstate, tgrads, tpgrads) = results
    assert tuple(out.shape) == tuple(tout.shape)
    if name != "LSTM" or kwargs.get("batch_first"):
        # (PyTorch's unbatched LSTM output comes from its fused mkldnn kernel.)
        assert out.grad_fn.name() == tout.grad_fn.name()
    assert [s.grad_fn.name() for s in state] == [s.grad_fn.name() for s in tstate]
    _close(out, tout)
    for a, b in zip(state, tstate, strict=True):
        assert tuple(a.shape) == tuple(b.shape)
        _close(a, b)
    for a, b in zip(grads, tgrads, strict=True):
        _close(a, b)
    for k in tpgrads:
        _close(pgrads[k], tpgrads[k])


@pytest.mark.parametrize(("name", "kwargs"), [CONFIGS[0], CONFIGS[4], CONFIGS[7], CONFIGS[9]])
def test_unbatched_input_matches_torch(torch, name, kwargs):
    module, tmodule = _pair(name, kwargs)
    _copy_weights(module, tmodule)
    x_np = _data((6, 4), 3)
    out, state = module(_wrap(mutograd, x_np))
    tout, tstate = tmodule(_wrap(torch, x_np))
    _close(out, tout)
    for a, b in zip(_flat(state), _flat(tstate), strict=True):
        assert tuple(a.shape) == tuple(b.shape)
        _close(a, b)


@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize(("name", "kwargs"), CONFIGS)
def test_packed_input_matches_torch(torch, name, kwargs, enforce_sorted):
    module, tmodule = _pair(name, kwargs)
    _copy_weights(module, tmodule)
    batch_first = kwargs.get("batch_first", False)
    lengths = [6, 4, 4, 1] if enforce_sorted else [3, 6, 1, 4]
    shape = (4, 6, 4) if batch_first else (6, 4, 4)
    x_np = _data(shape, 4)
    h_np = _hidden(torch, name, kwargs, 4)
    results = []
    for T, m, utils in ((mutograd, module, rnn_utils), (torch, tmodule, torch.nn.utils.rnn)):
        x = _wrap(T, x_np)
        h = _wrap(T, h_np)
        packed = utils.pack_padded_sequence(x, lengths, batch_first, enforce_sorted)
        out, state = m(packed, h)
        padded, out_lengths = utils.pad_packed_sequence(out, batch_first=batch_first)
        upstream = T.tensor(_data(tuple(padded.shape), 5), dtype=T.float64)
        ((padded * upstream).sum() + sum((s * s).sum() for s in _flat(state))).backward()
        results.append((out, padded, out_lengths, _flat(state), x.grad, _flat(h), m))
    ours, theirs = results
    _close(ours[0].data, theirs[0].data)
    assert ours[0].batch_sizes.tolist() == theirs[0].batch_sizes.tolist()
    _close(ours[1], theirs[1])
    assert ours[2].tolist() == theirs[2].tolist()
    for a, b in zip(ours[3], theirs[3], strict=True):
        _close(a, b)
    _close(ours[4], theirs[4])
    for a, b in zip(ours[5], theirs[5], strict=True):
        _close(a.grad, b.grad)
    for (_, p), (_, tp) in zip(
        ours[6].named_parameters(), theirs[6].named_parameters(), strict=True
    ):
        _close(p.grad, tp.grad)


CELLS = [
    ("RNNCell", {}),
    ("RNNCell", {"nonlinearity": "relu", "bias": False}),
    ("LSTMCell", {}),
    ("LSTMCell", {"bias": False}),
    ("GRUCell", {}),
    ("GRUCell", {"bias": False}),
]


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize(("name", "kwargs"), CELLS)
def test_cells_match_torch(torch, name, kwargs, batched):
    tcell = getattr(torch.nn, name)(4, 5, **kwargs).double()
    cell = getattr(mutograd.nn, name)(4, 5, dtype=mutograd.float64, **kwargs)
    assert [(k, tuple(v.shape)) for k, v in cell.named_parameters()] == [
        (k, tuple(v.shape)) for k, v in tcell.named_parameters()
    ]
    assert repr(cell) == repr(tcell)
    _copy_weights(cell, tcell)
    shape = (3, 4) if batched else (4,)
    hshape = (3, 5) if batched else (5,)
    x_np, h_np, c_np = _data(shape, 1), _data(hshape, 2), _data(hshape, 3)
    results = []
    for T, m in ((mutograd, cell), (torch, tcell)):
        x = _wrap(T, x_np)
        h = _wrap(T, (h_np, c_np)) if name == "LSTMCell" else _wrap(T, h_np)
        outs = []
        for hx in (None, h):
            out = m(x, hx)
            outs.extend(_flat(out))
        sum((o * o).sum() for o in outs).backward()
        results.append((outs, x.grad, {k: p.grad for k, p in m.named_parameters()}))
    (outs, xg, pg), (touts, txg, tpg) = results
    for a, b in zip(outs, touts, strict=True):
        assert tuple(a.shape) == tuple(b.shape)
        _close(a, b)
    _close(xg, txg)
    for k in tpg:
        _close(pg[k], tpg[k])


def test_rnn_gradcheck():
    module = mutograd.nn.GRU(2, 3, num_layers=2, bidirectional=True, dtype=mutograd.float64)
    lstm = mutograd.nn.LSTM(2, 3, proj_size=2, dtype=mutograd.float64)
    x = _data((3, 2, 2), 1)
    assert directional_gradcheck(lambda x: module(x)[0], [x])
    assert directional_gradcheck(lambda x: lstm(x)[1][1], [x])
    # Only the outputs (no gradient reaches the last cell state), and only h_n.
    plain = mutograd.nn.LSTM(2, 3, num_layers=2, dtype=mutograd.float64)
    assert directional_gradcheck(lambda x: plain(x)[0], [x])
    assert directional_gradcheck(lambda x: plain(x)[1][0], [x])
    h = _data((2, 3), 2)
    cell = mutograd.nn.LSTMCell(2, 3, dtype=mutograd.float64)
    assert directional_gradcheck(lambda x, h, c: cell(x, (h, c))[1], [x[0], h, h + 1])


def test_dropout_between_layers_in_training_only(torch):
    module = mutograd.nn.LSTM(4, 5, num_layers=2, dropout=0.5, dtype=mutograd.float64)
    x = mutograd.tensor(_data((6, 3, 4), 1))
    module.eval()
    a, b = module(x)[0], module(x)[0]
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    module.train()
    assert tuple(module(x)[0].shape) == (6, 3, 5)
    with pytest.warns(UserWarning) as ours:
        mutograd.nn.GRU(4, 5, dropout=0.3)
    with pytest.warns(UserWarning) as theirs:
        torch.nn.GRU(4, 5, dropout=0.3)
    assert str(ours[0].message) == str(theirs[0].message)


def _raises_same(torch, make):
    with pytest.raises(Exception) as theirs:
        make(torch)
    with pytest.raises(Exception) as ours:
        make(mutograd)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda T: T.nn.RNN(4, 5, nonlinearity="gelu"),
        lambda T: T.nn.GRU(4, 5, proj_size=2),
        lambda T: T.nn.LSTM(4, 5, proj_size=5),
        lambda T: T.nn.LSTM(4, 5, num_layers=0),
        lambda T: T.nn.LSTM(4, 5, dropout=1.5),
        lambda T: T.nn.LSTM(0, 5),
        lambda T: T.nn.LSTM(4, 5)(T.zeros(3, 2, 3)),
        lambda T: T.nn.LSTM(4, 5)(T.zeros(3, 2, 4), (T.zeros(1, 3, 5), T.zeros(1, 2, 5))),
        lambda T: T.nn.LSTM(4, 5)(T.zeros(3, 2, 4), (T.zeros(1, 2, 5), T.zeros(2, 2, 5))),
        lambda T: T.nn.LSTM(4, 5)(T.zeros(3, 2, 4), (T.zeros(2, 5), T.zeros(2, 5))),
        lambda T: T.nn.GRU(4, 5)(T.zeros(3, 2, 2, 4)),
        lambda T: T.nn.RNN(4, 5)(T.zeros(3, 2, 4), T.zeros(2, 2, 5)),
        lambda T: T.nn.RNN(4, 5)(T.zeros(3, 2, 4, dtype=T.float64)),
        lambda T: T.nn.GRUCell(4, 5)(T.zeros(2, 3)),
        lambda T: T.nn.LSTMCell(4, 5)(T.zeros(2, 4), (T.zeros(3, 5), T.zeros(3, 5))),
        lambda T: T.nn.RNNCell(4, 5)(T.zeros(2, 4), T.zeros(2, 6)),
        lambda T: T.nn.RNNCell(4, 5)(T.zeros(2, 2, 4)),
    ],
)
def test_errors_match_torch(torch, make):
    _raises_same(torch, make)


# --- nn.utils.rnn ---------------------------------------------------------------------------


def _seqs(T, lengths, features=(3,), grad=False):
    return [
        T.tensor(_data((n, *features), i), dtype=T.float64, requires_grad=grad)
        for i, n in enumerate(lengths)
    ]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_torch(torch, batch_first, padding_side):
    ours = rnn_utils.pad_sequence(_seqs(mutograd, [2, 5, 3]), batch_first, -1.0, padding_side)
    theirs = torch.nn.utils.rnn.pad_sequence(
        _seqs(torch, [2, 5, 3]), batch_first, -1.0, padding_side
    )
    assert tuple(ours.shape) == tuple(theirs.shape)
    _close(ours, theirs)


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_sequence_round_trip_matches_torch(torch, enforce_sorted):
    lengths = [5, 3, 2] if enforce_sorted else [2, 5, 3]
    results = []
    for T in (mutograd, torch):
        seqs = _seqs(T, lengths, (2, 3), grad=True)
        packed = T.nn.utils.rnn.pack_sequence(seqs, enforce_sorted=enforce_sorted)
        padded, lens = T.nn.utils.rnn.pad_packed_sequence(packed, True, 9.0, total_length=7)
        (padded * padded).sum().backward()
        unpacked = T.nn.utils.rnn.unpack_sequence(packed)
        results.append((packed, padded, lens, [s.grad for s in seqs], unpacked))
    (p, pad, lens, grads, un), (tp, tpad, tlens, tgrads, tun) = results
    _close(p.data, tp.data)
    assert p.batch_sizes.tolist() == tp.batch_sizes.tolist()
    assert p.batch_sizes.dtype is mutograd.int64
    if enforce_sorted:
        assert p.sorted_indices is None and tp.sorted_indices is None
    else:
        assert p.sorted_indices.tolist() == tp.sorted_indices.tolist()
        assert p.unsorted_indices.tolist() == tp.unsorted_indices.tolist()
    _close(pad, tpad)
    assert lens.tolist() == tlens.tolist() and lens.dtype is mutograd.int64
    for a, b in zip(grads, tgrads, strict=True):
        _close(a, b)
    for a, b in zip(un, tun, strict=True):
        _close(a, b)


def test_packing_errors_match_torch(torch):
    _raises_same(torch, lambda T: T.nn.utils.rnn.pack_padded_sequence(T.zeros(4, 2, 3), [2, 3]))
    _raises_same(
        torch,
        lambda T: T.nn.utils.rnn.pack_padded_sequence(
            T.zeros(4, 2, 3), [2, 0], enforce_sorted=False
        ),
    )
    _raises_same(
        torch,
        lambda T: T.nn.utils.rnn.pad_packed_sequence(
            T.nn.utils.rnn.pack_sequence([T.zeros(4), T.zeros(2)]), total_length=2
        ),
    )


def test_packed_sequence_is_a_named_tuple(torch):
    packed = rnn_utils.pack_sequence([mutograd.zeros(3, 2), mutograd.zeros(1, 2)])
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    assert tuple(data.shape) == (4, 2)
    assert batch_sizes.tolist() == [2, 1, 1]
    assert isinstance(packed, rnn_utils.PackedSequence)
    assert packed.to(mutograd.float64).data.dtype is mutograd.float64


def test_lstm_trains_like_torch(torch):
    # A few optimizer steps on a packed batch: the losses follow torch's.
    def run(T, init=None):
        model = T.nn.LSTM(3, 4, batch_first=True, dtype=T.float64)
        head = T.nn.Linear(4, 1, dtype=T.float64)
        if init is not None:
            model.load_state_dict(init[0])
            head.load_state_dict(init[1])
        opt = T.optim.Adam(list(model.parameters()) + list(head.parameters()), lr=0.05)
        x = T.tensor(_data((3, 5, 3), 1), dtype=T.float64)
        y = T.tensor(_data((3, 1), 2), dtype=T.float64)
        losses = []
        for _ in range(5):
            opt.zero_grad()
            packed = T.nn.utils.rnn.pack_padded_sequence(x, [5, 2, 4], True, False)
            _, (h, _) = model(packed)
            loss = ((head(h[-1]) - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, model, head

    tlosses, tmodel, thead = run(torch)
    tmodel2 = torch.nn.LSTM(3, 4, batch_first=True, dtype=torch.float64)
    del tmodel2
    # Start both from the same weights: torch's initial ones.
    torch.manual_seed(0)
    start = torch.nn.LSTM(3, 4, batch_first=True, dtype=torch.float64)
    start_head = torch.nn.Linear(4, 1, dtype=torch.float64)
    init = [
        {k: mutograd.tensor(v.numpy().copy()) for k, v in m.state_dict().items()}
        for m in (start, start_head)
    ]
    tinit = [m.state_dict() for m in (start, start_head)]
    ours, _, _ = run(mutograd, init)
    theirs, _, _ = run(torch, tinit)
    np.testing.assert_allclose(ours, theirs, rtol=1e-11)


def test_word_language_model_loop_matches_torch(torch):
    # The shape of pytorch/examples' word_language_model: Embedding -> 2-layer LSTM ->
    # Linear decoder, truncated BPTT with detached hidden state, clip_grad_norm_, plain SGD.
    vocab, emb, hidden, bptt, batch = 11, 6, 8, 5, 3

    class Model:
        def __init__(self, T):
            self.T = T
            self.encoder = T.nn.Embedding(vocab, emb, dtype=T.float64)
            self.rnn = T.nn.LSTM(emb, hidden, 2, dtype=T.float64)
            self.decoder = T.nn.Linear(hidden, vocab, dtype=T.float64)
            self.modules = [self.encoder, self.rnn, self.decoder]

        def parameters(self):
            return [p for m in self.modules for p in m.parameters()]

        def __call__(self, x, h):
            out, h = self.rnn(self.encoder(x), h)
            return self.decoder(out).reshape(-1, vocab), h

    data = np.random.default_rng(0).integers(0, vocab, size=(4 * bptt + 1, batch))

    def run(T, model):
        h = None
        losses = []
        for i in range(0, 4 * bptt, bptt):
            x = T.tensor(data[i : i + bptt])
            y = T.tensor(data[i + 1 : i + 1 + bptt].reshape(-1))
            if h is not None:
                h = tuple(s.detach() for s in h)
            for p in model.parameters():
                p.grad = None
            out, h = model(x, h)
            loss = T.nn.functional.cross_entropy(out, y)
            loss.backward()
            T.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            with T.no_grad():
                for p in model.parameters():
                    p.add_(p.grad, alpha=-20.0)
            losses.append(loss.item())
        return losses

    tmodel = Model(torch)
    model = Model(mutograd)
    for m, tm in zip(model.modules, tmodel.modules, strict=True):
        _copy_weights(m, tm)
    np.testing.assert_allclose(run(mutograd, model), run(torch, tmodel), rtol=1e-10)


@pytest.mark.parametrize("name", ["LSTM", "GRU", "RNN"])
def test_double_backward_matches_torch(torch, name):
    # A gradient penalty through the recurrence (the fused LSTM cell's backward included).
    module, tmodule = _pair(name, {"num_layers": 2}, input_size=2, hidden=3)
    _copy_weights(module, tmodule)
    x_np = _data((3, 2, 2), 0)
    results = []
    for T, m in ((mutograd, module), (torch, tmodule)):
        x = T.tensor(x_np, requires_grad=True)
        out, state = m(x)
        loss = out.pow(2).sum() + sum(s.sum() for s in _flat(state))
        (g,) = T.autograd.grad(loss, x, create_graph=True)
        (g * g).sum().backward()
        results.append((x.grad, [p.grad for p in m.parameters()]))
    (xg, pg), (txg, tpg) = results
    _close(xg, txg, 1e-11)
    for a, b in zip(pg, tpg, strict=True):
        _close(a, b, 1e-11)
