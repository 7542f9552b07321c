"""Memory growth of a long training loop: tracemalloc bytes per 1,000 steps.

    python bench/memory_growth.py [--steps 10000] [--warmup 1000] [--engine mutograd|torch]

Trains a small MLP (16-32-32-1, SGD with momentum, hooks and retain_grad in the
step so that their bookkeeping is exercised too) for --steps steps after
--warmup traced steps that fill the caches. Prints one row: the growth of traced
memory from the end of the warm-up to the end of the loop, per 1,000 steps.
Freed graphs, saved tensors and hooks give 0 bytes (a few hundred bytes of
interpreter noise at most); a leak grows with every step.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
import time
import tracemalloc

import numpy as np


def make_step(T, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = T.tensor(rng.standard_normal((8, 16)), dtype=T.float32)
    target = T.tensor(rng.standard_normal((8, 1)), dtype=T.float32)
    nn = T.nn
    T.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1)
    )
    opt = T.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)

    def step():
        opt.zero_grad()
        hidden = model[1](model[0](x))
        hidden.retain_grad()
        hidden.register_hook(lambda g: g * 1.0)
        out = model[4](model[3](model[2](hidden)))
        loss = (out - target).pow(2).mean()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def measure(engine: str, steps: int, warmup: int) -> dict:
    T = importlib.import_module(engine)
    step = make_step(T)
    # NB: tracing starts before the warm-up: memory allocated before tracing and
    # freed later is never subtracted, so what the first traced steps reallocate
    # (gradients, optimizer state, NumPy's caches) would read as growth.
    tracemalloc.start()
    for _ in range(warmup):
        step()
    gc.collect()
    start = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    elapsed = time.perf_counter() - t0
    gc.collect()
    end = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    growth = end - start
    return {
        "engine": engine,
        "steps": steps,
        "growth_bytes": growth,
        "bytes_per_1000_steps": growth * 1000 / steps,
        "ms_per_step_traced": elapsed * 1000 / steps,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000, help="measured steps (default 10000)")
    parser.add_argument("--warmup", type=int, default=1_000, help="steps before measuring")
    parser.add_argument("--engine", choices=("mutograd", "torch"), default="mutograd")
    args = parser.parse_args(argv)
    if args.steps <= 0 or args.warmup < 0:
        print("memory_growth: --steps must be positive and --warmup not negative", file=sys.stderr)
        return 2
    row = measure(args.engine, args.steps, args.warmup)
    print("| engine | steps | tracemalloc growth | bytes / 1,000 steps | ms / step (traced) |")
    print("|---|---|---|---|---|")
    print(
        f"| {row['engine']} | {row['steps']} | {row['growth_bytes']} B | "
        f"{row['bytes_per_1000_steps']:.1f} | {row['ms_per_step_traced']:.2f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
