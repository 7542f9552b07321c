"""Where the small-op step's time goes, phase by phase, for mutograd and torch.

    python bench/profile_small_ops.py            # both engines, fresh processes
    python bench/profile_small_ops.py mutograd   # one engine, in this process

The step is workload (a) of bench/workloads.py. Each phase is timed with
perf_counter inside the training-like loop (warm, but with the graph built and
freed every step, as in training), which is slower per op than an isolated
timeit loop for both engines.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

PHASES = ("x * w", "y.add_(b)", "y.tanh()", "z * 3.0", "z.relu_()", "z.sum()", "backward()")


def profile(engine: str, steps: int = 30_000, warmup: int = 1_000) -> dict:
    from engines import load

    T = load(engine)
    x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    w = T.tensor([1.5, 0.5, -2.0])
    b = T.tensor([0.1, 0.2, 0.3])
    clock = time.perf_counter
    totals = [0.0] * len(PHASES)
    for i in range(warmup + steps):
        t0 = clock()
        y = x * w
        t1 = clock()
        y.add_(b)
        t2 = clock()
        z = y.tanh()
        t3 = clock()
        z = z * 3.0
        t4 = clock()
        z.relu_()
        t5 = clock()
        loss = z.sum()
        t6 = clock()
        loss.backward()
        t7 = clock()
        x.grad = None
        if i >= warmup:
            for k, (start, end) in enumerate(
                zip((t0, t1, t2, t3, t4, t5, t6), (t1, t2, t3, t4, t5, t6, t7))
            ):
                totals[k] += end - start
        del y, z, loss
    return {phase: total / steps * 1e6 for phase, total in zip(PHASES, totals)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "engine",
        nargs="?",
        choices=("mutograd", "torch"),
        help="profile one engine in this process (default: both, each in a fresh process)",
    )
    engine = parser.parse_args().engine
    if engine is not None:
        print(json.dumps(profile(engine)))
        return 0
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    results = {}
    for engine in ("mutograd", "torch"):
        out = subprocess.run(
            [sys.executable, __file__, engine], capture_output=True, text=True, env=env, check=True
        )
        results[engine] = json.loads(out.stdout.strip().splitlines()[-1])
    print("| phase (µs) | mutograd | torch | ratio |")
    print("|---|---|---|---|")
    for phase in PHASES + ("total",):
        m = results["mutograd"].get(phase, sum(results["mutograd"].values()))
        t = results["torch"].get(phase, sum(results["torch"].values()))
        print(f"| `{phase}` | {m:.1f} | {t:.1f} | {m / t:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
