"""torch.set_num_threads and friends over NumPy's BLAS: PyTorch's checks and messages,
its default policy, and the BLAS really pinned (read back with threadpoolctl)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import requires_torch
from threadpoolctl import threadpool_info

import mutograd
from mutograd._threads import physical_cores

BAD_COUNTS = [
    0,
    -1,
    1.5,
    "2",
    True,
    None,
    np.bool_(True),
    np.float64(2.0),
    2**33,
    -(2**40),
    2**63,
]


def blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def raised(function, value) -> tuple[type, str]:
    with pytest.raises(Exception) as error:
        function(value)
    return error.type, str(error.value)


@requires_torch
@pytest.mark.parametrize("value", BAD_COUNTS, ids=repr)
@pytest.mark.parametrize("name", ["set_num_threads", "set_num_interop_threads"])
def test_bad_counts_raise_torchs_error(name, value, torch):
    before = (mutograd.get_num_threads(), blas_threads())
    assert raised(getattr(mutograd, name), value) == raised(getattr(torch, name), value)
    assert (mutograd.get_num_threads(), blas_threads()) == before  # nothing changed


@requires_torch
def test_a_tensor_is_not_a_thread_count(torch):
    ours = raised(mutograd.set_num_threads, mutograd.tensor(2))
    assert ours == raised(torch.set_num_threads, torch.tensor(2))


def test_set_num_threads_pins_the_blas_and_matmul_still_agrees():
    previous = mutograd.get_num_threads()
    a = mutograd.randn(64, 64)
    expected = a.numpy() @ a.numpy()
    try:
        mutograd.set_num_threads(np.int32(1))  # NumPy integers are ints, as in PyTorch
        assert mutograd.get_num_threads() == 1
        assert blas_threads() and set(blas_threads()) == {1}
        assert np.allclose((a @ a).numpy(), expected)
        mutograd.set_num_threads(2)
        assert mutograd.get_num_threads() == 2 and set(blas_threads()) == {2}
    finally:
        mutograd.set_num_threads(previous)
    assert set(blas_threads()) == {previous}


REPORT = {
    "mutograd": (
        "import json, mutograd, threadpoolctl; print(json.dumps([mutograd.get_num_threads(), "
        "mutograd.get_num_interop_threads(), [p['num_threads'] for p in "
        "threadpoolctl.threadpool_info() if p['user_api'] == 'blas']]))"
    ),
    "torch": (
        "import json, torch; print(json.dumps([torch.get_num_threads(), "
        "torch.get_num_interop_threads()]))"
    ),
}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def report(engine: str, **variables: str) -> list:
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    env.update(variables)
    done = subprocess.run(
        [sys.executable, "-c", REPORT[engine]],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@requires_torch
@pytest.mark.parametrize(
    "variables",
    [{}, {"OMP_NUM_THREADS": "1"}, {"MKL_NUM_THREADS": "1", "OMP_NUM_THREADS": "3"}],
    ids=["physical-cores", "OMP_NUM_THREADS", "MKL-before-OMP"],
)
def test_default_policy_is_torchs_and_reaches_the_blas(variables):
    threads, interop, blas = report("mutograd", **variables)
    assert [threads, interop] == report("torch", **variables)
    assert set(blas) == {threads}


def test_default_without_variables_is_the_physical_core_count():
    threads, interop, blas = report("mutograd")
    assert threads == interop == physical_cores() and set(blas) == {threads}


def test_a_blas_pinned_by_its_own_variable_stays_pinned():
    threads, _, blas = report("mutograd", OPENBLAS_NUM_THREADS="1")
    assert threads == 1 and set(blas) == {1}


@requires_torch
def test_interop_threads_are_set_once_as_in_torch():
    program = (
        "import json, {m}\n"
        "first = {m}.set_num_interop_threads(1)\n"
        "try:\n    {m}.set_num_interop_threads(2)\n"
        "except RuntimeError as e:\n    second = str(e)\n"
        "print(json.dumps([{m}.get_num_interop_threads(), second]))\n"
    )
    answers = []
    for module in ("mutograd", "torch"):
        done = subprocess.run(
            [sys.executable, "-c", program.format(m=module)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        answers.append(json.loads(done.stdout))
    assert answers[0] == answers[1]
    assert answers[0][0] == 1 and "set_num_interop_threads called" in answers[0][1]


@requires_torch
def test_only_the_blas_is_pinned_not_torchs_openmp(torch):
    previous = mutograd.get_num_threads(), torch.get_num_threads()
    openmp = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"]
    try:
        mutograd.set_num_threads(previous[0] + 1)
        assert torch.get_num_threads() == previous[1]
        assert [p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"] == openmp
    finally:
        mutograd.set_num_threads(previous[0])
