"""What PyTorch 2.13 rejects, mutograd rejects with the same error.

Matrix products of bool tensors (no bool kernels) and of mixed dtypes (each
product's own message: addmv's for mv), reductions of empty tensors without a
dim, argmax/argmin of bools, norms of integer tensors; and the 0-norm counts the
nonzero elements.
"""

from __future__ import annotations

import itertools
import warnings

import pytest
from _harness import Raised, run_both
from conftest import requires_torch

pytestmark = requires_torch

DTYPES = ["float32", "float64", "int64", "bool"]
SHAPES = {"v": (3,), "m": (2, 3), "mt": (3, 2), "b": (2, 2, 3), "bt": (2, 3, 2)}
PRODUCTS = [
    ("matmul", "m", "v"),
    ("matmul", "v", "v"),
    ("matmul", "m", "mt"),
    ("matmul", "b", "bt"),
    ("matmul", "v", "mt"),
    ("matmul", "b", "mt"),
    ("dot", "v", "v"),
    ("mm", "m", "mt"),
    ("mv", "m", "v"),
    ("bmm", "b", "bt"),
]


def _attempt(fn):
    try:
        return fn()
    except Exception as error:  # noqa: BLE001 - the error is the result under test
        return Raised(error)


@pytest.mark.parametrize(("a", "b"), list(itertools.product(DTYPES, DTYPES)))
@pytest.mark.parametrize(("op", "sa", "sb"), PRODUCTS)
def test_matrix_products_of_every_dtype_pair(op, sa, sb, a, b):
    def program(T):
        x = T.ones(SHAPES[sa]).to(getattr(T, a))
        y = T.ones(SHAPES[sb]).to(getattr(T, b))
        return _attempt(lambda: getattr(T, op)(x, y))

    run_both(program)


REDUCTIONS = ["amax", "amin", "max", "min", "argmax", "argmin", "sum", "prod", "mean", "std"]


@pytest.mark.parametrize("dim", [None, 0, 1])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", REDUCTIONS + ["logsumexp", "var", "norm"])
def test_reductions_of_empty_tensors(op, dtype, dim):
    def program(T):
        x = T.ones(0, 3).to(getattr(T, dtype))
        if dim is None:
            return _attempt(lambda: getattr(x, op)())
        return _attempt(lambda: getattr(x, op)(dim))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(program)


@pytest.mark.parametrize("p", [0, 1, 2, 3, float("inf"), "fro"])
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_norms_including_the_zero_norm(p, dim):
    def program(T):
        x = T.tensor([[0.0, 2.0, -1.0], [3.0, 0.0, 0.5]], requires_grad=True)
        y = _attempt(lambda: x.norm(p, dim))
        if isinstance(y, Raised):
            return y
        y.sum().backward()
        return [y, x.grad]

    run_both(program)


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_norm_of_integers(dtype):
    run_both(lambda T: _attempt(lambda: T.ones(3).to(getattr(T, dtype)).norm()))
