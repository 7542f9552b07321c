"""The engines compared by the benchmarks, behind one tiny interface.

Every engine is imported in a fresh process (see run.py) with BLAS/OpenMP pinned
to one thread, because on a 2-vCPU machine two threads make torch and OpenBLAS stall.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

ENGINES = ("mutograd", "torch", "numpy", "mygrad")


def load(name: str):
    if name == "mutograd":
        import mutograd

        return mutograd
    if name == "torch":
        import torch

        torch.set_num_threads(1)
        return torch
    if name == "numpy":
        import numpy

        return numpy
    if name == "mygrad":
        import mygrad

        return mygrad
    raise ValueError(name)


def version(name: str) -> str:
    try:
        module = load(name)
    except ImportError:
        return "not installed"
    return getattr(module, "__version__", "?")


if __name__ == "__main__":  # a module of the harness; `--help` says what it is
    print(__doc__.strip() + "\n\nImported by the harness: see `python bench/run.py --help`.")
