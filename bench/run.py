"""Benchmark harness: every workload on every engine, fresh processes, interleaved repeats.

    python bench/run.py                 # all workloads, 3 repeats, writes docs/benchmarks.md
    python bench/run.py small_ops -r 5  # one workload

Reports medians and the ratio mutograd / torch measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from engines import ENGINES, version  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

# For each metric: is lower better? (times and bytes: yes; throughput and accuracy: no)
HIGHER_IS_BETTER = ("GBps", "accuracy")


def run_one(workload: str, engine: str) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    completed = subprocess.run(
        [sys.executable, os.path.join(HERE, "worker.py"), workload, engine],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    if completed.returncode != 0:
        return {
            "error": completed.stderr.strip().splitlines()[-1] if completed.stderr else "failed"
        }
    return json.loads(completed.stdout.strip().splitlines()[-1])


def collect(workloads, repeats: int) -> dict:
    samples: dict = {}
    for workload in workloads:
        for r in range(repeats):
            # Rotate the engine order each repeat so no engine always runs first.
            order = ENGINES[r % len(ENGINES) :] + ENGINES[: r % len(ENGINES)]
            for engine in order:
                metrics = run_one(workload, engine)
                for key, value in metrics.items():
                    samples.setdefault((workload, key), {}).setdefault(engine, []).append(value)
                print(f"  {workload:18s} {engine:9s} {metrics}", file=sys.stderr)
    return samples


def summarize(samples: dict) -> list:
    rows = []
    for (workload, metric), by_engine in samples.items():
        if metric == "error":
            continue
        medians = {e: statistics.median(v) for e, v in by_engine.items() if v}
        ratio = None
        if "mutograd" in medians and medians.get("torch"):
            ratio = medians["mutograd"] / medians["torch"]
        rows.append((workload, metric, medians, ratio))
    return rows


# Issue 6's targets: (workload, metric) -> (what the number is compared with, bound, text).
# "torch" and "numpy" bound the ratio mutograd / that engine; "abs" bounds mutograd's value.
# A negative bound is a lower bound (≥ its magnitude).
TARGETS = {
    ("small_ops", "us_per_op_autograd"): ("torch", 0.7, "≤ 0.7× torch"),
    ("small_ops", "us_per_op_no_grad"): ("torch", 1.5, "≤ 1.5× torch"),
    ("large_elementwise", "add__vs_numpy_same_process"): ("abs", -0.95, "≥ 0.95× NumPy out="),
    ("large_elementwise", "mul_add__vs_numpy_same_process"): ("abs", -0.95, "≥ 0.95× NumPy out="),
    ("digits_mlp", "ms_per_epoch"): ("torch", 1.0, "≤ 1.0× torch"),
    ("digits_mlp", "test_accuracy"): ("torch", -1.0, "= torch"),
    ("mid_mlp", "ms_per_step"): ("torch", 1.1, "≤ 1.1× torch"),
    ("small_ops", "where_recording_cost_pct"): ("abs", 10, "≤ 10%"),
}
_BOOKKEEPING_TARGET = ("abs", 1024, "≤ 1 KiB")


def _target(workload: str, metric: str, medians: dict) -> str:
    """The issue's bound for this row and whether the run meets it."""
    target = TARGETS.get((workload, metric))
    if target is None and metric.endswith("_beyond_bookkeeping") and "saves old self" not in metric:
        target = _BOOKKEEPING_TARGET
    if target is None:
        return ""
    against, bound, text = target
    value = medians.get("mutograd")
    if value is None:
        return text
    if against == "abs":
        met = value >= -bound if bound < 0 else value <= bound
    else:
        reference = medians.get(against)
        if not reference:
            return text
        ratio = value / reference
        met = ratio >= -bound - 1e-9 if bound < 0 else ratio <= bound
    return f"{text}: {'met' if met else 'missed'}"


def markdown(rows, repeats: int) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Run: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}, machine: {platform.machine()}, "
        f"{os.cpu_count()} vCPU, {platform.python_implementation()} {platform.python_version()}; "
        f"engines: " + ", ".join(f"{e} {version(e)}" for e in ENGINES) + "; "
        f"BLAS/OpenMP threads pinned to 1; medians of {repeats} fresh-process repeats.",
        "",
        "Ratio = mutograd / torch in the same run (for times and bytes lower is better; for GB/s "
        "and accuracy higher is better).",
        "",
        "| workload | metric | mutograd | torch | numpy | mygrad | mutograd / torch | issue 6 target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for workload, metric, medians, ratio in rows:
        cells = [_fmt(medians.get(e)) for e in ("mutograd", "torch", "numpy", "mygrad")]
        lines.append(
            f"| {workload} | {metric} | "
            + " | ".join(cells)
            + f" | {_fmt(ratio, ratio=True)} | {_target(workload, metric, medians)} |"
        )
    return "\n".join(lines) + "\n"


# Hand-written analysis below this heading in docs/benchmarks.md survives a rerun.
NOTES_HEADING = "## Where the time goes"


def _kept_notes(path: str) -> str:
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return ""
    start = text.find(NOTES_HEADING)
    return "" if start < 0 else "\n" + text[start:]


def _fmt(value, ratio: bool = False) -> str:
    if value is None:
        return "–"
    if ratio:
        return f"{value:.2f}×"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    parser.add_argument("-r", "--repeats", type=int, default=3)
    parser.add_argument("--output", default=os.path.join(HERE, "..", "docs", "benchmarks.md"))
    args = parser.parse_args()
    rows = summarize(collect(args.workloads, args.repeats))
    text = markdown(rows, args.repeats)
    print(text)
    if args.output:
        notes = _kept_notes(args.output)
        with open(args.output, "w") as f:
            f.write(text + notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
