"""Random number generation: mutograd's PyTorch-identical generator against PyTorch's.

Each row draws the same tensor with both engines after the same seed, checks
the values agree, and reports the best of ``--repeat`` timings and the ratio
mutograd / torch (single-threaded torch: its CPU generator is serial anyway).

    python bench/rng.py                  # 10M-element rand / randn and friends
    python bench/rng.py --size 1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _rows(size: int):
    """(name, draw) pairs; draw(lib) makes the tensor with library ``lib``."""
    return [
        ("rand float32", lambda t: t.rand(size)),
        ("randn float32", lambda t: t.randn(size)),
        ("rand float64", lambda t: t.rand(size, dtype=t.float64)),
        ("randn float64", lambda t: t.randn(size, dtype=t.float64)),
        ("randint [0, 1000)", lambda t: t.randint(0, 1000, (size,))),
        ("uniform_(-2, 3)", lambda t: t.empty(size).uniform_(-2, 3)),
        ("bernoulli_(0.3)", lambda t: t.empty(size).bernoulli_(0.3)),
        ("randperm(n/10)", lambda t: t.randperm(size // 10)),
    ]


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _values(t):
    return t.numpy() if hasattr(t, "numpy") else np.asarray(t._data)


def run(size: int, repeat: int, only: str | None = None) -> list:
    import torch

    import mutograd

    torch.set_num_threads(1)
    results = []
    for name, draw in _rows(size):
        if only and only not in name:
            continue
        torch.manual_seed(0)
        mutograd.manual_seed(0)
        same = np.array_equal(_values(draw(torch)), _values(draw(mutograd)))
        t_torch = _best(lambda draw=draw: draw(torch), repeat)
        t_mine = _best(lambda draw=draw: draw(mutograd), repeat)
        results.append((name, t_torch, t_mine, same))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Time mutograd's PyTorch-identical random numbers against PyTorch's."
    )
    parser.add_argument("--size", type=int, default=10_000_000, help="elements per draw")
    parser.add_argument("--repeat", type=int, default=3, help="timings per row (best kept)")
    parser.add_argument("--only", default=None, help="run the rows whose name contains this")
    args = parser.parse_args(argv)
    print(f"size {args.size:,}, best of {args.repeat}")
    print(f"{'draw':<20} {'torch ms':>9} {'mutograd ms':>12} {'ratio':>6}  same values")
    for name, t_torch, t_mine, same in run(args.size, args.repeat, args.only):
        ratio = t_mine / t_torch
        print(f"{name:<20} {t_torch * 1e3:9.1f} {t_mine * 1e3:12.1f} {ratio:6.2f}  {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
