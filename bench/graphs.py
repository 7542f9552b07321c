"""Capture and replay (mutograd.graphs) against PyTorch eager, side by side in one run.

    python bench/graphs.py [--steps N] [--rounds R] [--threads T]

The workloads are the small-MLP training step (64->128->128->10, batch 64, SGD
with momentum, cross-entropy) and the 6-op small-op autograd step: PyTorch
eager, mutograd eager and mutograd replaying a captured step. The three are timed in interleaved rounds (the
machine may be shared: each round times each variant back to back) and the
report gives the median step time of each and the ratios to PyTorch eager.
Targets: captured <= 0.6x torch eager (MLP), <= 0.3x (small ops); mutograd
eager does not regress.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import mutograd


def _mlp_step(lib, x, y):
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10)
    )
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad(set_to_none=False)
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def _small_ops_step(lib):
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    w = lib.tensor([1.5, 0.5, -2.0])
    b = lib.tensor([0.1, 0.2, 0.3])

    def step():
        y = x * w
        y.add_(b)
        z = y.tanh()
        z = z * 3.0
        z.relu_()
        loss = z.sum()
        loss.backward()
        x.grad = None

    return step


def _captured(step):
    for _ in range(3):  # warm-up: the optimizer's state exists before the capture
        step()
    g = mutograd.graphs.Graph()
    with mutograd.graphs.graph(g):
        step()
    return g.replay


WORKLOADS = {
    "mlp": "small-MLP training step (64->128->128->10, batch 64, SGD momentum, cross-entropy)",
    "small-ops": "6-op small-op autograd step (3-element tensors: mul, add_, tanh, mul, relu_, "
    "sum, backward)",
}


def variants(torch, workload: str):
    if workload == "small-ops":
        make = _small_ops_step
    else:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((64, 64)).astype(np.float32)
        y = rng.integers(0, 10, 64)

        def make(lib):
            return _mlp_step(lib, lib.tensor(x), lib.tensor(y))

    out = {}
    if torch is not None:
        out["torch eager"] = make(torch)
    out["mutograd eager"] = make(mutograd)
    out["mutograd captured"] = _captured(make(mutograd))
    return out


def time_steps(fn, steps: int) -> float:
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - start) / steps


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="steps per timed round")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/intra-op threads")
    parser.add_argument(
        "--workload",
        choices=sorted(WORKLOADS),
        nargs="+",
        default=["mlp", "small-ops"],
        help="which steps to time",
    )
    args = parser.parse_args(argv)
    try:
        import torch

        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    mutograd.set_num_threads(args.threads)
    for workload in args.workload:
        report(torch, workload, args.steps, args.rounds)
    return 0


def report(torch, workload: str, steps: int, rounds: int) -> None:
    fns = variants(torch, workload)
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        time_steps(fn, max(1, steps // 10))
    for _ in range(rounds):
        for name, fn in fns.items():
            times[name].append(time_steps(fn, steps))
    medians = {name: statistics.median(t) for name, t in times.items()}
    print(WORKLOADS[workload])
    base = medians.get("torch eager")
    for name, t in medians.items():
        ratio = "" if base is None else f"  {t / base:5.2f}x torch eager"
        print(f"  {name:18s} {t * 1e6:8.1f} us/step{ratio}")
    if base is not None:
        # Per-round ratios, so that load on a shared machine shows as spread.
        for name in medians:
            if name != "torch eager":
                ratios = sorted(
                    a / b for a, b in zip(times[name], times["torch eager"], strict=True)
                )
                print(f"  {name} / torch eager per round: {', '.join(f'{r:.2f}' for r in ratios)}")


if __name__ == "__main__":
    raise SystemExit(main())
