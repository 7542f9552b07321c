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
    # In-place throughput against NumPy's out= in the same process: a lower bound.
    metric = "add__vs_numpy_same_process"
    assert run._target("large_elementwise", metric, {"mutograd": 0.96}).endswith("met")
    assert run._target("large_elementwise", metric, {"mutograd": 0.94}).endswith("missed")
    # Accuracy: bounded below by torch's.
    assert run._target("digits_mlp", "test_accuracy", {"mutograd": 0.97, "torch": 0.97}).endswith(
        "met"
    )
    assert run._target("digits_mlp", "test_accuracy", {"mutograd": 0.9, "torch": 0.97}).endswith(
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


def _bench_module(name: str):
    """A module of bench/ (which imports its siblings by plain name)."""
    sys.path.insert(0, BENCH)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(BENCH)


def test_numpy_digits_floor_computes_the_same_gradients_as_autograd():
    # The floor is only a floor if it does the same work: its hand-written backward must
    # give the gradients mutograd's autograd gives for the same weights and batch.
    import numpy as np

    import mutograd as T

    workloads = _bench_module("workloads")
    numpy_mlp = _bench_module("numpy_mlp")
    images, labels, _ = workloads._digits_data()
    x, y = images[:64], labels[:64]
    params = workloads._initial_weights(workloads.mlp_shapes(workloads.DIGITS_WIDTHS), seed=0)
    loss, grads = numpy_mlp.numpy_mlp_grads(params[0::2], params[1::2], x, y)

    model = workloads._mlp(T, workloads.DIGITS_WIDTHS)
    workloads._init_from_numpy(T, model, seed=0)
    for p, values in zip(model.parameters(), params, strict=True):
        assert np.array_equal(p.detach().numpy(), values)
    out = T.nn.functional.cross_entropy(model(T.tensor(x)), T.tensor(y))
    out.backward()
    np.testing.assert_allclose(out.item(), loss, rtol=1e-5)
    for p, g in zip(model.parameters(), grads, strict=True):
        np.testing.assert_allclose(p.grad.numpy(), g, rtol=1e-4, atol=1e-6)


def test_native_share_sorts_samples_by_innermost_frame():
    native_share = _bench_module("native_share")
    lines = [
        "main (worker.py:9);digits_mlp (workloads.py:40);_plain_call (mutograd/_dispatch.py:50) 6",
        "main (worker.py:9);digits_mlp (workloads.py:40);_plain_call (mutograd/_dispatch.py:51);"
        "sgemm_kernel (libscipy_openblas64_.so) 3",
        "main (worker.py:9);digits_mlp (workloads.py:41);call (mutograd/_dispatch.py:9);"
        "ufunc_generic (_multiarray_umath.cpython-311-x86_64-linux-gnu.so) 1",
        "main (worker.py:9);load (engines.py:19) 90",  # outside the workload: not counted
        "main (worker.py:9);digits_mlp (workloads.py:39);load (engines.py:19);"
        "_find_and_load (<frozen importlib._bootstrap>:1176) 50",  # an import: not counted
    ]
    total, categories, functions = native_share.shares(lines)
    assert total == 10
    assert categories == {"Python": 6, "BLAS": 3, "NumPy C": 1}
    assert functions["_plain_call (mutograd/_dispatch.py)"] == 9
