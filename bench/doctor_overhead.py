"""Overhead of ``mutograd.doctor.watch()`` on a small CNN training step (CPU).

    python bench/doctor_overhead.py [--steps N] [--batch B]

Prints the median step time without and with watch() (and with paranoid mode)
and their ratio.  The goal is a ratio of at most 2.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import types
from pathlib import Path

import torch
from torch import nn

try:
    import mutograd.doctor as doctor
except Exception:  # the rest of mutograd may be unfinished: load the doctor alone
    package = types.ModuleType("mutograd")
    package.__path__ = [str(Path(__file__).resolve().parents[1] / "src" / "mutograd")]
    sys.modules["mutograd"] = package
    import mutograd.doctor as doctor


class SmallCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 8 * 8, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 10)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def make_step(batch: int):
    torch.manual_seed(0)
    model = SmallCNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def step() -> float:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def median_time(step, steps: int) -> float:
    for _ in range(3):  # warm up (allocator, Adam state)
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    step = make_step(args.batch)
    plain = median_time(step, args.steps)
    with doctor.watch():
        watched = median_time(step, args.steps)
    with doctor.watch(paranoid=True):
        paranoid = median_time(step, args.steps)
    plain2 = median_time(step, args.steps)  # the machine may drift: time it again
    base = min(plain, plain2)
    print(f"batch {args.batch}, {args.threads} thread(s), median of {args.steps} steps")
    print(f"plain step:        {base * 1e3:8.2f} ms")
    print(f"watch():           {watched * 1e3:8.2f} ms   ratio {watched / base:.2f}x")
    print(f"watch(paranoid):   {paranoid * 1e3:8.2f} ms   ratio {paranoid / base:.2f}x")


if __name__ == "__main__":
    main()
