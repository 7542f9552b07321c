"""The benchmark report's target column and kept notes (bench/run.py)."""

from __future__ import annotations

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "..", "bench")


def _run_module():
    sys.path.insert(0, BENCH)
    try:
        spec = importlib.util.spec_from_file_location("bench_run", os.path.join(BENCH, "run.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(BENCH)


run = _run_module()


def test_ratio_targets_against_torch_and_numpy():
    assert run._target("small_ops", "us_per_op_autograd", {"mutograd": 14, "torch": 20}) == (
        "≤ 0.7× torch: met"
    )
    assert run._target("small_ops", "us_per_op_autograd", {"mutograd": 15, "torch": 20}) == (
        "≤ 0.7× torch: missed"
    )
    # Throughput: higher is better, bounded below by NumPy's.
    assert run._target("large_elementwise", "GBps_add_", {"mutograd": 40, "numpy": 40}).endswith(
        "met"
    )
    assert run._target("large_elementwise", "GBps_add_", {"mutograd": 30, "numpy": 40}).endswith(
        "missed"
    )


def test_bookkeeping_target_is_absolute_and_skips_saved_old_self():
    assert run._target("memory", "bytes_add__beyond_bookkeeping", {"mutograd": 32}) == (
        "≤ 1 KiB: met"
    )
    assert run._target("memory", "bytes_add__beyond_bookkeeping", {"mutograd": 4096}) == (
        "≤ 1 KiB: missed"
    )
    metric = "bytes_mul_(autograd saves old self)_autograd_beyond_bookkeeping"
    assert run._target("memory", metric, {"mutograd": 10**8}) == ""
    assert run._target("memory", "bytes_add", {"mutograd": 10**8}) == ""


def test_notes_survive_a_rerun(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Benchmarks\nold table\n\n{run.NOTES_HEADING}\nprofile text\n")
    assert run._kept_notes(str(path)) == f"\n{run.NOTES_HEADING}\nprofile text\n"
    assert run._kept_notes(str(tmp_path / "missing.md")) == ""
