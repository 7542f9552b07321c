"""Benchmark workloads (issue 6): each returns a dict of metrics for one engine.

Run one workload in one process: ``python bench/worker.py <workload> <engine>``.
"""

from __future__ import annotations

import gc
import time
import tracemalloc

import numpy as np
from engines import load
from numpy_mlp import mlp_shapes, numpy_forward, numpy_sgd


def _timeit(fn, min_time: float = 0.3, repeat: int = 5, best: bool = False) -> float:
    """Median (or, with ``best``, minimum) seconds per call, after a warm-up."""
    fn()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed > min_time / repeat:
            break
        n *= 2
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - start) / n)
    samples.sort()
    return samples[0] if best else samples[len(samples) // 2]


# --- a. small ops ---------------------------------------------------------------------------

SMALL_OPS_PER_STEP = 6


def small_ops(engine: str) -> dict:
    """A 6-op step on 3-element float32 tensors, with and without autograd."""
    if engine == "numpy":
        return _small_ops_numpy()
    if engine == "mygrad":
        return _small_ops_mygrad()
    T = load(engine)
    x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    w = T.tensor([1.5, 0.5, -2.0])
    b = T.tensor([0.1, 0.2, 0.3])

    def step():
        y = x * w
        y.add_(b)
        z = y.tanh()
        z = z * 3.0
        z.relu_()
        loss = z.sum()
        loss.backward()
        x.grad = None

    def step_no_grad():
        with T.no_grad():
            y = x * w
            y.add_(b)
            z = y.tanh()
            z = z * 3.0
            z.relu_()
            z.sum()

    result = {
        "us_per_op_autograd": _timeit(step) / SMALL_OPS_PER_STEP * 1e6,
        "us_per_op_no_grad": _timeit(step_no_grad) / SMALL_OPS_PER_STEP * 1e6,
    }
    if engine == "mutograd":
        # f. the "where" recording's cost: on and off interleaved, the best of each (noise
        # from the machine only ever adds time; medians of 3 moved this by ±10 points).
        on, off = [], []
        for _ in range(5):
            T.autograd.set_record_locations(False)
            off.append(_timeit(step, best=True) / SMALL_OPS_PER_STEP * 1e6)
            T.autograd.set_record_locations(True)
            on.append(_timeit(step, best=True) / SMALL_OPS_PER_STEP * 1e6)
        result["us_per_op_autograd_no_locations"] = min(off)
        result["where_recording_cost_pct"] = (min(on) / min(off) - 1) * 100
    return result


def _small_ops_numpy() -> dict:
    x = np.array([0.5, -1.0, 2.0], np.float32)
    w = np.array([1.5, 0.5, -2.0], np.float32)
    b = np.array([0.1, 0.2, 0.3], np.float32)

    def step():
        y = x * w
        np.add(y, b, out=y)
        t = np.tanh(y)
        z = t * 3.0
        np.maximum(z, 0, out=z)
        z.sum()
        # backward by hand: d sum(relu(3 tanh(xw+b)))/dx
        g = (z > 0).astype(np.float32) * 3.0
        g = g * (1 - t * t)
        return g * w

    def step_no_grad():
        y = x * w
        np.add(y, b, out=y)
        z = np.tanh(y) * 3.0
        np.maximum(z, 0, out=z)
        return z.sum()

    return {
        "us_per_op_autograd": _timeit(step) / SMALL_OPS_PER_STEP * 1e6,
        "us_per_op_no_grad": _timeit(step_no_grad) / SMALL_OPS_PER_STEP * 1e6,
    }


def _small_ops_mygrad() -> dict:
    mg = load("mygrad")
    x = mg.tensor(np.array([0.5, -1.0, 2.0], np.float32))
    w = np.array([1.5, 0.5, -2.0], np.float32)
    b = np.array([0.1, 0.2, 0.3], np.float32)

    def step():
        y = x * w
        y = y + b  # MyGrad's in-place ops on graph tensors are limited; out-of-place here
        z = mg.tanh(y)
        z = z * 3.0
        z = mg.nnet.relu(z)
        loss = mg.sum(z)
        loss.backward()

    def step_no_grad():
        with mg.no_autodiff:
            y = x * w
            y = y + b
            z = mg.tanh(y) * 3.0
            z = mg.nnet.relu(z)
            mg.sum(z)

    return {
        "us_per_op_autograd": _timeit(step) / SMALL_OPS_PER_STEP * 1e6,
        "us_per_op_no_grad": _timeit(step_no_grad) / SMALL_OPS_PER_STEP * 1e6,
    }


def _best(fn) -> float:
    return _timeit(fn, min_time=0.5, repeat=9, best=True)


# --- b. large elementwise -------------------------------------------------------------------

LARGE = 10_000_000


def large_elementwise(engine: str) -> dict:
    """GB/s of 10M-element float32 kernels (bytes read + written per call).

    Memory-bound kernels: the best of 9 samples, since bandwidth noise only ever slows a
    sample down (medians moved the engines' ratios by ~5% from run to run).
    """
    nbytes = LARGE * 4
    if engine == "mygrad":
        return {}
    if engine == "numpy":
        a = np.ones(LARGE, np.float32)
        b = np.ones(LARGE, np.float32)
        c = np.empty(LARGE, np.float32)
        timings = {
            "add_": _best(lambda: np.add(a, b, out=a)),
            "add": _best(lambda: a + b),
            "add_out": _best(lambda: np.add(a, b, out=c)),
            "mul_add_": _best(lambda: np.add(np.multiply(a, 0.5, out=a), 1, out=a)),
        }
    else:
        T = load(engine)
        a = T.ones(LARGE)
        b = T.ones(LARGE)
        c = T.empty(LARGE)
        timings = {
            "add_": _best(lambda: a.add_(b)),
            "add": _best(lambda: a + b),
            "add_out": _best(lambda: T.add(a, b, out=c)),
            "mul_add_": _best(lambda: a.mul_(0.5).add_(1)),
        }
    traffic = {"add_": 3, "add": 3, "add_out": 3, "mul_add_": 4}
    result = {f"GBps_{k}": traffic[k] * nbytes / v / 1e9 for k, v in timings.items()}
    if engine == "mutograd":
        # The in-place kernels against NumPy's out= on the same arrays in this process,
        # interleaved: the machine's bandwidth drifts between processes by more than the
        # 5% the target allows, so the separate NumPy row alone cannot decide it.
        ad, bd = a.numpy(), b.numpy()
        ours, numpy = _best_interleaved(
            lambda: a.add_(b),
            lambda: np.add(ad, bd, out=ad),
            lambda: a.mul_(0.5).add_(1),
            lambda: np.add(np.multiply(ad, 0.5, out=ad), 1, out=ad),
        )
        result["add__vs_numpy_same_process"] = numpy[0] / ours[0]
        result["mul_add__vs_numpy_same_process"] = numpy[1] / ours[1]
    return result


def _best_interleaved(*fns, rounds: int = 4) -> tuple:
    """Best seconds per call of (ours_1, reference_1, ours_2, reference_2, ...), measured in
    alternation; returns (best of ours, best of references)."""
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            best[k] = min(best[k], _timeit(fn, min_time=0.2, repeat=5, best=True))
    return best[0::2], best[1::2]


# --- c. memory ---------------------------------------------------------------------------------

MEMORY_ELEMENTS = 25_000_000  # 100 MB of float32


def memory(engine: str) -> dict:
    """Extra bytes allocated by in-place ops versus their out-of-place twins (tracemalloc)."""
    if engine != "mutograd" and engine != "numpy":
        return {}
    result = {}
    if engine == "numpy":
        a = np.ones(MEMORY_ELEMENTS, np.float32)
        ops = {
            "add_": lambda: np.add(a, 1.0, out=a),
            "add": lambda: a + 1.0,
        }
        for name, fn in ops.items():
            result[f"bytes_{name}"] = _peak(fn)
        return result
    T = load(engine)

    def pairs(n: int) -> dict:
        a = T.ones(n)
        b = T.ones(n)
        mask = T.zeros(n, dtype=T.bool)
        return {
            "add_": (lambda: a.add_(b), lambda: a.add(b)),
            "relu_": (lambda: a.relu_(), lambda: a.relu()),
            "mul_": (lambda: a.mul_(1.0), lambda: a.mul(1.0)),
            "copy_": (lambda: a.copy_(b), lambda: b.clone()),
            "masked_fill_": (lambda: a.masked_fill_(mask, 0.0), lambda: a.masked_fill(mask, 0.0)),
            "clamp_": (lambda: a.clamp_(-1, 1), lambda: a.clamp(-1, 1)),
        }

    def autograd_ops(n: int) -> dict:
        # x requires grad; h = x * 1 is a non-leaf we modify in place.
        x = T.ones(n, requires_grad=True)
        return {
            "add_": (x, lambda h: h.add_(1.0)),
            "relu_": (x, lambda h: h.relu_()),
            "mul_(autograd saves old self)": (x, lambda h: h.mul_(x)),
        }

    # The same op on a 3-element tensor measures the O(1) bookkeeping (Python frames,
    # argument dicts, the node, the "where" record); the difference is what grows with
    # the tensor, which the issue bounds by 1 KiB.
    small = {name: _peak(inplace) for name, (inplace, _) in pairs(3).items()}
    for name, (inplace, outofplace) in pairs(MEMORY_ELEMENTS).items():
        result[f"bytes_{name}"] = _peak(inplace)
        result[f"bytes_{name}_beyond_bookkeeping"] = result[f"bytes_{name}"] - small[name]
        result[f"bytes_{name[:-1]}"] = _peak(outofplace)
    small = {}
    for name, (x, op) in autograd_ops(3).items():
        h = x * 1
        small[name] = _peak(lambda h=h, op=op: op(h))
    for name, (x, op) in autograd_ops(MEMORY_ELEMENTS).items():
        h = x * 1
        result[f"bytes_{name}_autograd"] = _peak(lambda h=h, op=op: op(h))
        result[f"bytes_{name}_autograd_beyond_bookkeeping"] = (
            result[f"bytes_{name}_autograd"] - small[name]
        )
        del h
    return result


def _peak(fn) -> int:
    """Peak bytes traced during one call, after a warm-up call (steady state: one-time
    caches such as a counter's first write record are not per-call costs)."""
    fn()
    gc.collect()
    tracemalloc.start()
    out = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del out
    return peak


# --- d/e. training ------------------------------------------------------------------------------


def _mlp(T, widths, inplace: bool = False):
    layers = []
    for k in range(len(widths) - 1):
        layers.append(T.nn.Linear(widths[k], widths[k + 1]))
        if k < len(widths) - 2:
            layers.append(T.nn.ReLU(inplace=inplace))
    return T.nn.Sequential(*layers)


def _copy_weights(src_torch_model, dst_model):
    state = {k: v.detach().numpy().copy() for k, v in src_torch_model.state_dict().items()}
    return state


DIGITS_WIDTHS = [64, 128, 128, 10]


def _digits_data():
    from mutograd.train import load_digits

    images, labels = (np.asarray(t) for t in load_digits())
    rng = np.random.default_rng(0)
    order = rng.permutation(len(labels))
    images = images[order].astype(np.float32) / 16.0
    labels = labels[order].astype(np.int64)
    split = int(0.8 * len(labels))
    return images, labels, split


def digits_mlp(engine: str) -> dict:
    """ms per epoch and test accuracy of a 64-128-128-10 MLP, SGD momentum, batch 64."""
    if engine == "numpy":
        return _digits_numpy()
    if engine not in ("mutograd", "torch"):
        return {}
    T = load(engine)
    images, labels, split = _digits_data()
    x_train, y_train = T.tensor(images[:split]), T.tensor(labels[:split])
    x_test, y_test = T.tensor(images[split:]), T.tensor(labels[split:])
    T.manual_seed(0)
    model = _mlp(T, DIGITS_WIDTHS)
    _init_from_numpy(T, model, seed=0)
    optimizer = T.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = T.nn.CrossEntropyLoss()
    batch = 64
    epoch_times = []
    for epoch in range(10):
        start = time.perf_counter()
        for i in range(0, split, batch):
            xb, yb = x_train[i : i + batch], y_train[i : i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        epoch_times.append(time.perf_counter() - start)
    with T.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    epoch_times.sort()
    return {"ms_per_epoch": epoch_times[len(epoch_times) // 2] * 1e3, "test_accuracy": accuracy}


def _initial_weights(shapes, seed: int) -> list:
    """Identical initial weights for every engine (drawn with NumPy), in parameter order."""
    rng = np.random.default_rng(seed)
    values = []
    for shape in shapes:
        bound = 1.0 / np.sqrt(shape[-1] if len(shape) > 1 else shape[0])
        values.append(rng.uniform(-bound, bound, size=tuple(shape)).astype(np.float32))
    return values


def _init_from_numpy(T, model, seed: int) -> None:
    params = list(model.parameters())
    with T.no_grad():
        for p, values in zip(params, _initial_weights([tuple(p.shape) for p in params], seed)):
            p.copy_(T.tensor(values))


def _digits_numpy() -> dict:
    """The floor: the same MLP, loss and SGD written by hand in NumPy (the kernels PyTorch
    and mutograd run, with no framework at all), timed and scored as digits_mlp."""
    images, labels, split = _digits_data()
    x_train, y_train = images[:split], labels[:split]
    x_test, y_test = images[split:], labels[split:]
    params = _initial_weights(mlp_shapes(DIGITS_WIDTHS), seed=0)
    step = numpy_sgd(params, lr=0.05, momentum=0.9)
    batch = 64
    epoch_times = []
    for _ in range(10):
        start = time.perf_counter()
        for i in range(0, split, batch):
            step(x_train[i : i + batch], y_train[i : i + batch])
        epoch_times.append(time.perf_counter() - start)
    logits = numpy_forward(params[0::2], params[1::2], x_test)[-1]
    accuracy = float((logits.argmax(1) == y_test).mean())
    epoch_times.sort()
    return {"ms_per_epoch": epoch_times[len(epoch_times) // 2] * 1e3, "test_accuracy": accuracy}


MID_WIDTHS = [1024, 1024, 1024, 10]


def mid_mlp(engine: str) -> dict:
    """ms per training step of a width-1024 MLP at batch 256."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 1024)).astype(np.float32)
    y = rng.integers(0, 10, 256)
    if engine == "numpy":
        step = numpy_sgd(_initial_weights(mlp_shapes(MID_WIDTHS), seed=1), lr=0.01, momentum=0.9)
        return {"ms_per_step": _timeit(lambda: step(x, y), min_time=2.0, repeat=5) * 1e3}
    if engine not in ("mutograd", "torch"):
        return {}
    T = load(engine)
    model = _mlp(T, MID_WIDTHS)
    _init_from_numpy(T, model, seed=1)
    optimizer = T.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = T.tensor(x), T.tensor(y)
    loss_fn = T.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    return {"ms_per_step": _timeit(step, min_time=2.0, repeat=5) * 1e3}


def mlp_peak_memory(engine: str) -> dict:
    """Peak bytes of a 4x2048 MLP forward+backward with ReLU(inplace=True) vs ReLU()."""
    if engine != "mutograd":
        return {}
    T = load(engine)
    result = {}
    x = T.randn(256, 2048)
    for inplace in (False, True):
        model = _mlp(T, [2048, 2048, 2048, 2048, 2048], inplace=inplace)
        gc.collect()
        tracemalloc.start()
        model(x).sum().backward()
        result[f"peak_MB_inplace_{inplace}"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return result


WORKLOADS = {
    "small_ops": small_ops,
    "large_elementwise": large_elementwise,
    "memory": memory,
    "digits_mlp": digits_mlp,
    "mid_mlp": mid_mlp,
    "mlp_peak_memory": mlp_peak_memory,
}


if __name__ == "__main__":  # a module of the harness; `--help` says what it is
    print(__doc__.strip() + "\n\nImported by the harness: see `python bench/run.py --help`.")
