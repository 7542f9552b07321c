"""Overhead of ``mutograd.doctor.watch()`` on a small CNN training loop (CPU).

    python bench/doctor_overhead.py [--rounds N] [--steps S] [--batch B]

Times plain PyTorch, ``watch()`` (default), ``watch(light=True)`` (records
only what backward's check needs) and ``watch(paranoid=True)``, interleaved:
each round runs S steps of every mode in turn, so a machine shared with other
work slows all modes alike; the ratio of each round is taken against the plain
steps of the same round, and the median ratio is reported.  Goals: default
<= 1.5x, light <= 1.3x.
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

GOALS = {"default": 1.5, "light": 1.3}


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


MODES = {
    "plain": None,
    "default": {},
    "light": {"light": True},
    "paranoid": {"paranoid": True},
}


def time_steps(step, steps: int, options: dict | None) -> float:
    """Seconds per step, median of ``steps`` steps, under the given watch() options."""
    times = []
    context = doctor.watch(**options) if options is not None else None
    if context is not None:
        context.__enter__()
    try:
        for _ in range(steps):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
    finally:
        if context is not None:
            context.__exit__(None, None, None)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    step = make_step(args.batch)
    for options in MODES.values():  # warm up (allocator, Adam state, op caches)
        time_steps(step, 2, options)
    ratios: dict[str, list[float]] = {mode: [] for mode in MODES if mode != "plain"}
    plain_times = []
    for _ in range(args.rounds):
        plain = time_steps(step, args.steps, None)
        plain_times.append(plain)
        for mode, options in MODES.items():
            if options is not None:
                ratios[mode].append(time_steps(step, args.steps, options) / plain)
    print(
        f"batch {args.batch}, {args.threads} thread(s), {args.rounds} interleaved rounds "
        f"of {args.steps} steps per mode"
    )
    print(f"plain step (median):  {statistics.median(plain_times) * 1e3:8.2f} ms")
    for mode, values in ratios.items():
        goal = GOALS.get(mode)
        verdict = (
            ""
            if goal is None
            else f"   goal <= {goal}x: {'met' if statistics.median(values) <= goal else 'MISSED'}"
        )
        print(
            f"watch({mode}):".ljust(22)
            + f"ratio {statistics.median(values):.2f}x (rounds: "
            + ", ".join(f"{v:.2f}" for v in values)
            + f"){verdict}"
        )


if __name__ == "__main__":
    main()
