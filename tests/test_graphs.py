"""mutograd.graphs: a captured step replays bit for bit like the eager step."""

from __future__ import annotations

import numpy as np
import pytest

import mutograd as mt
from mutograd import nn
from mutograd.graphs import CaptureError, Graph, graph

STEPS = 12
WARMUP = 3


def _batches(n, features, classes, batch=16, seed=0):
    rng = np.random.default_rng(seed)
    xs = [mt.tensor(rng.standard_normal((batch, features)).astype(np.float32)) for _ in range(n)]
    ys = [mt.tensor(rng.integers(0, classes, batch)) for _ in range(n)]
    return xs, ys


def _mlp(dropout=0.0, batchnorm=False):
    mt.manual_seed(0)
    layers = [nn.Linear(12, 32)]
    if batchnorm:
        layers.append(nn.BatchNorm1d(32))
    layers.append(nn.ReLU())
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers += [nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 5)]
    return nn.Sequential(*layers)


def _step(model, opt, x, y, clip=None):
    opt.zero_grad(set_to_none=False)
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    if clip is not None:
        nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    return loss


def _state(model, opt):
    tensors = list(model.state_dict().values())
    tensors += [p.grad for p in model.parameters()]
    for state in opt.state.values():
        tensors += [v for v in state.values() if isinstance(v, mt.Tensor)]
    return tensors


def _eager_vs_replay(make_model, make_opt, clip=None, steps=STEPS):
    """Losses and state after ``steps`` eager steps, and after WARMUP eager + replays."""
    xs, ys = _batches(steps, 12, 5)
    model = make_model()
    opt = make_opt(model)
    mt.manual_seed(7)
    eager_losses = [_step(model, opt, xs[i], ys[i], clip).item() for i in range(steps)]
    eager = (model, opt)

    model = make_model()
    opt = make_opt(model)
    mt.manual_seed(7)
    for i in range(WARMUP):
        _step(model, opt, xs[i], ys[i], clip)
    static_x, static_y = xs[0].clone(), ys[0].clone()
    g = Graph()
    with graph(g):
        static_loss = _step(model, opt, static_x, static_y, clip)
    replay_losses = []
    for i in range(WARMUP, steps):
        static_x.copy_(xs[i])
        static_y.copy_(ys[i])
        g.replay()
        replay_losses.append(static_loss.item())
    assert replay_losses == eager_losses[WARMUP:]
    a, b = _state(*eager), _state(model, opt)
    assert len(a) == len(b)
    for s, t in zip(a, b, strict=True):
        assert np.array_equal(s._data, t._data)
        assert s._version == t._version
    assert mt.equal(mt.get_rng_state(), mt.get_rng_state())
    return g


def test_sgd_momentum_mlp_replays_bit_identical():
    g = _eager_vs_replay(_mlp, lambda m: mt.optim.SGD(m.parameters(), lr=0.1, momentum=0.9))
    assert len(g) > 0


def test_weight_decay_nesterov_and_clipping():
    _eager_vs_replay(
        _mlp,
        lambda m: mt.optim.SGD(
            m.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2
        ),
        clip=0.5,
    )


def test_dropout_draws_fresh_numbers_each_replay():
    # The generator advances on every replay as the eager step advances it.
    _eager_vs_replay(
        lambda: _mlp(dropout=0.3), lambda m: mt.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    )


def test_batchnorm_running_stats():
    _eager_vs_replay(
        lambda: _mlp(batchnorm=True), lambda m: mt.optim.SGD(m.parameters(), lr=0.1, momentum=0.5)
    )


def test_capture_leaves_state_untouched():
    model = _mlp(dropout=0.2)
    opt = mt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    xs, ys = _batches(2, 12, 5)
    _step(model, opt, xs[0], ys[0])
    before = [(t._data.copy(), t._version) for t in _state(model, opt)]
    rng = mt.get_rng_state()
    g = Graph()
    with graph(g):
        _step(model, opt, xs[1], ys[1])
    after = [(t._data.copy(), t._version) for t in _state(model, opt)]
    for (a, va), (b, vb) in zip(before, after, strict=True):
        assert np.array_equal(a, b) and va == vb
    assert mt.equal(rng, mt.get_rng_state())


def test_static_output_overwritten_in_place():
    w = mt.ones(3)
    x = mt.zeros(3)
    g = Graph()
    with graph(g):
        y = (x * 2 + w).sum()
        z = x.view(3, 1).t()  # a view: follows the static input
    for k in range(3):
        x.copy_(mt.full((3,), float(k)))
        g.replay()
        assert y.item() == 3 + 6 * k
        assert z.tolist() == [[float(k)] * 3]


def test_versions_bumped_on_replay_as_eager():
    p = mt.zeros(4)
    x = mt.ones(4)
    g = Graph()
    with graph(g):
        p.add_(x).mul_(2)
    assert p._version == 0 and p.tolist() == [0.0] * 4
    g.replay()
    assert p._version == 2 and p.tolist() == [2.0] * 4
    g.replay()
    assert p._version == 4 and p.tolist() == [6.0] * 4


@pytest.mark.parametrize(
    "bad, what",
    [
        (lambda t: t.sum().item(), "Tensor.item()"),
        (lambda t: t.tolist(), "Tensor.tolist()"),
        (lambda t: repr(t), "printing a tensor"),
        (lambda t: str(t), "printing a tensor"),
        (lambda t: bool(t.sum() > 0), "bool(tensor)"),
        (lambda t: t.nonzero(), "nonzero()"),
        (lambda t: t[t > 0], "nonzero()"),
        (lambda t: t.masked_select(t > 0), "masked_select()"),
    ],
)
def test_capture_errors(bad, what):
    t = mt.arange(4.0)
    g = Graph()
    with pytest.raises(CaptureError, match="not permitted while a graph is being captured") as e:
        with graph(g):
            t.mul_(2)
            bad(t)
    assert what in str(e.value)
    # The failed capture wrote nothing and left no capture running.
    assert t.tolist() == [0.0, 1.0, 2.0, 3.0] and t._version == 0
    assert not mt.graphs.is_current_stream_capturing()
    with pytest.raises(RuntimeError, match="not captured"):
        g.replay()


def test_reset_and_recapture():
    x = mt.ones(2)
    g = Graph()
    with graph(g):
        y = x + 1
    with pytest.raises(RuntimeError, match="already been captured"):
        with graph(g):
            pass
    g.reset()
    with pytest.raises(RuntimeError, match="not captured"):
        g.replay()
    with graph(g):
        y = x * 3
    g.replay()
    assert y.tolist() == [3.0, 3.0]


def test_nested_capture_refused():
    with graph(Graph()):
        with pytest.raises(RuntimeError, match="already being captured"):
            with graph(Graph()):
                pass


def test_casts_are_replayed():
    # Type promotion casts an operand before the kernel: replay casts the new values again.
    x = mt.zeros(3, dtype=mt.int64)
    w = mt.ones(3, dtype=mt.float64)
    g = Graph()
    with graph(g):
        y = x * w + 0.5
        z = (x + 1).to(mt.float32)
    x.copy_(mt.tensor([1, 2, 3]))
    g.replay()
    assert y.tolist() == [1.5, 2.5, 3.5] and z.tolist() == [2.0, 3.0, 4.0]
    assert y.dtype == mt.float64 and z.dtype == mt.float32


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_make_graphed_module_in_eager_loop_bit_identical(dropout):
    xs, ys = _batches(6, 12, 5)

    def train(graphed):
        model = _mlp(dropout)
        opt = mt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        if graphed:
            model = mt.graphs.make_graphed_callables(model, (xs[0],))
        mt.manual_seed(11)  # NB: after the warm-up, which draws dropout masks
        losses = []
        for x, y in zip(xs, ys, strict=True):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return model, losses

    eager, eager_losses = train(False)
    graphed, graphed_losses = train(True)
    assert graphed_losses == eager_losses
    for a, b in zip(eager.parameters(), graphed.parameters(), strict=True):
        assert np.array_equal(a._data, b._data)
    assert type(graphed(xs[0]).grad_fn).__name__ == "GraphedBackward"
    graphed.eval()  # eval mode runs the eager forward, as PyTorch's
    assert type(graphed(xs[0]).grad_fn).__name__ == "AddmmBackward0"


def test_make_graphed_function_grads():
    fn = mt.graphs.make_graphed_callables(
        lambda a, b: (a * b).sin(), (mt.randn(3, requires_grad=True), mt.randn(3))
    )
    a = mt.randn(3, dtype=mt.float32, requires_grad=True)
    b = mt.randn(3)
    y = fn(a, b)
    assert np.array_equal(y._data, (a * b).sin()._data)
    y.sum().backward()
    assert np.array_equal(a.grad._data, ((a * b).cos() * b)._data)
    with pytest.raises(TypeError, match="must contain only Tensors"):
        mt.graphs.make_graphed_callables(lambda a: a, (1.0,))


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("decoupled", [False, True])
def test_adam_weight_decay_replays_bit_identical(amsgrad, decoupled):
    opt = mt.optim.AdamW if decoupled else mt.optim.Adam
    _eager_vs_replay(
        lambda: _mlp(dropout=0.1),
        lambda m: opt(m.parameters(), lr=1e-2, weight_decay=1e-2, amsgrad=amsgrad),
        clip=1.0,
    )


def test_masked_fill_result_replayed_whole():
    # Regression: masked_fill's forward takes out= for its in-place form (only the masked
    # places are written); replay must recompute the whole result, not write into it.
    x = mt.randn(4, 5)
    mask = mt.tensor([True, False, False, True])
    g = Graph()
    with graph(g):
        y = x.sum(1).masked_fill(mask, 0.0)
    x.copy_(mt.randn(4, 5))
    g.replay()
    assert mt.equal(y, x.sum(1).masked_fill(mask, 0.0))


def _digits_like(kind):
    from mutograd.train.digits import build_cnn, build_mlp

    def make():
        mt.manual_seed(0)
        return build_mlp(nn, hidden=32) if kind == "mlp" else build_cnn(nn)

    return make


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_digits_models_label_smoothing_set_to_none(kind):
    # The training command's step: zero_grad() to None, label smoothing, Adam.
    make = _digits_like(kind)
    xs, ys = _batches(6, 64, 10, batch=8, seed=3)

    def step(model, opt, x, y):
        loss = nn.functional.cross_entropy(model(x), y, label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    model = make()
    opt = mt.optim.Adam(model.parameters(), lr=3e-3)
    eager = [step(model, opt, x, y).item() for x, y in zip(xs, ys, strict=True)]
    model2 = make()
    opt2 = mt.optim.Adam(model2.parameters(), lr=3e-3)
    step(model2, opt2, xs[0], ys[0])
    sx, sy = xs[0].clone(), ys[0].clone()
    g = Graph()
    with graph(g):
        loss = step(model2, opt2, sx, sy)
    replayed = [eager[0]]
    for x, y in zip(xs[1:], ys[1:], strict=True):
        sx.copy_(x)
        sy.copy_(y)
        g.replay()
        replayed.append(loss.item())
    assert replayed == eager
    for a, b in zip(model.parameters(), model2.parameters(), strict=True):
        assert np.array_equal(a._data, b._data)


def test_train_capture_matches_eager():
    import io

    from mutograd.train.digits import Digits, train_model

    data = Digits.prepare(0)
    runs = [
        train_model("mlp", data, epochs=2, batch_size=64, capture=capture, stream=io.StringIO())
        for capture in (False, True)
    ]
    assert runs[0].epoch_losses == runs[1].epoch_losses
    assert runs[0].accuracy == runs[1].accuracy


def test_tensors_made_inside_the_step_keep_their_versions():
    # Regression: dropout's mask is made and written inside the step; restoring its version
    # after the forward capture broke the backward capture's saved-tensor check.
    mt.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.5), nn.Linear(16, 3))
    graphed = mt.graphs.make_graphed_callables(model, (mt.randn(4, 8),))
    graphed(mt.randn(4, 8)).sum().backward()
    assert model[0].weight.grad is not None


def test_explicit_generator_restored_and_advanced():
    gen = mt.Generator().manual_seed(3)
    eager = [mt.empty(5).uniform_(generator=gen) for _ in range(3)]
    gen.manual_seed(3)
    x = mt.empty(5)
    g = Graph()
    with graph(g):
        x.uniform_(generator=gen)
    for expected in eager:
        g.replay()
        assert mt.equal(x, expected)


def test_sampling_outside_the_kernel_runner_refused():
    probs = mt.tensor([0.1, 0.2, 0.7])
    for sample in (lambda: mt.multinomial(probs, 2), lambda: mt.poisson(probs)):
        with pytest.raises(CaptureError, match="outside the kernel runner"):
            with graph(Graph()):
                sample()


def test_bench_runs(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "graphs.py"
    spec = importlib.util.spec_from_file_location("bench_graphs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--steps", "2", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "mutograd captured" in out and "6-op small-op" in out
