"""Declaring ops through the public declaration API (the ops package docstring's examples).

Each test declares throwaway ops inside ``scratch()``: a unary op as one row, a
binary op with a Scalar overload as one ``overloads`` declaration. They must be
exposed (``torch.X``, ``Tensor.X``, ``X_``), differentiable (the generated
gradcheck), written in place through the door, seen by the generated tests'
coverage check, and gone again afterwards.
"""

from __future__ import annotations

import numpy as np
import pytest
import test_ops_gradcheck
from conftest import requires_torch
from op_db import OP_DB, S, covered_ops, entry, f64, fn, required_ops

import mutograd
from mutograd import Tensor
from mutograd.ops import FUNCTIONS, REGISTRY
from mutograd.ops._api import expose, overloads, scratch
from mutograd.ops._iterator import iterator_layout
from mutograd.ops._registry import PROMOTE, defop


def _absdiff(self, other, out=None):
    return np.abs(np.subtract(self, other), out=out)


def _declare_cube():
    cube = defop(
        "cube(Tensor self) -> Tensor",
        forward=lambda self, out=None: np.power(self, 3, out=out),
        layout=iterator_layout,
        node="CubeBackward0",
        inplace="cube_",
        self=lambda grad, self: grad * 3 * self * self,
    )
    expose(cube, "cube", "cube", "cube_")
    return cube


def _declare_absdiff():
    overloads(
        "absdiff",
        defop(
            "absdiff.Tensor(Tensor self, Tensor other) -> Tensor",
            forward=_absdiff,
            layout=iterator_layout,
            dtype=PROMOTE,
            node="AbsdiffBackward0",
            inplace="absdiff_",
            self=lambda grad, self, other: grad * (self - other).sign(),
            other=lambda grad, self, other: -grad * (self - other).sign(),
        ),
        defop(
            "absdiff.Scalar(Tensor self, Scalar other) -> Tensor",
            forward=_absdiff,
            layout=iterator_layout,
            node="AbsdiffBackward1",
            inplace="absdiff_",
            self=lambda grad, self, other: grad * (self - other).sign(),
        ),
        inplace="absdiff_",
    )


@pytest.fixture
def op_db_scratch():
    """OP_DB entries added by a test are removed after it."""
    before = dict(OP_DB)
    yield
    OP_DB.clear()
    OP_DB.update(before)


def _gradcheck(name: str) -> None:
    e = OP_DB[name]
    for s in e.samples:
        test_ops_gradcheck.test_gradcheck(e, s)


def test_a_unary_op_is_one_row(op_db_scratch):
    with scratch():
        op = _declare_cube()
        x = mutograd.tensor([1.0, -2.0, 0.5], requires_grad=True)
        # exposed
        assert mutograd.cube(x).tolist() == [1.0, -8.0, 0.125]
        assert x.cube().grad_fn.name() == "CubeBackward0"
        assert callable(Tensor.cube_) and FUNCTIONS["cube"] is mutograd.cube
        # the generated tests see it: a public differentiable row needs an op_db entry
        assert "cube" in required_ops(REGISTRY) and "cube" not in covered_ops()
        entry("cube", fn("cube"), [S(f64(2, 3), name="f64"), S(f64(4), name="vector")])
        assert "cube" in covered_ops()
        _gradcheck("cube")
        # in place through the door: the formula reads self, so the old value is kept
        assert op.saves_input("self", [True])
        y = x * 1
        y.cube_()
        assert y.grad_fn.name() == "CubeBackward0" and y._version == 1
        assert y.grad_fn._saved_self.tolist() == [1.0, -2.0, 0.5]
        y.sum().backward()
        assert x.grad.tolist() == [3.0, 12.0, 0.75]
        out = mutograd.empty(3)
        mutograd.cube(x.detach(), out=out)
        assert out.tolist() == [1.0, -8.0, 0.125]
    assert "cube" not in REGISTRY and "cube" not in FUNCTIONS
    assert not hasattr(mutograd, "cube") and not hasattr(Tensor, "cube_")


def test_a_binary_op_with_a_scalar_overload_is_one_declaration(op_db_scratch):
    with scratch():
        _declare_absdiff()
        a = mutograd.tensor([1.0, -2.0, 3.0], requires_grad=True)
        b = mutograd.tensor([2.0, 2.0, 2.0], requires_grad=True)
        # PyTorch's overload choice: a Tensor other takes the Tensor row, a number the Scalar row
        assert mutograd.absdiff(a, b).grad_fn.name() == "AbsdiffBackward0"
        assert a.absdiff(2.0).grad_fn.name() == "AbsdiffBackward1"
        assert a.absdiff(2.0).tolist() == [1.0, 4.0, 1.0]
        # a number promotes an integer self, as the wrapped number would
        assert mutograd.absdiff(mutograd.tensor([1, 5]), 2.5).dtype is mutograd.float32
        for name in ("absdiff.Tensor", "absdiff.Scalar"):
            assert name in required_ops(REGISTRY)
        entry("absdiff.Tensor", fn("absdiff"), [S(f64(2, 3), f64(2, 3) + 5, name="f64")])
        entry("absdiff.Scalar", fn("absdiff"), [S(f64(2, 3), 7.5, name="scalar")])
        _gradcheck("absdiff.Tensor")
        _gradcheck("absdiff.Scalar")
        # in place: self's formula reads self, so the door keeps the old value
        y = a * 1
        y.absdiff_(b.detach())
        assert y.tolist() == [1.0, 4.0, 1.0] and y.grad_fn.name() == "AbsdiffBackward0"
        assert y.grad_fn._saved_self.tolist() == [1.0, -2.0, 3.0]
        y.sum().backward()
        assert a.grad.tolist() == [-1.0, -1.0, 1.0]
    assert not any(name.startswith("absdiff") for name in REGISTRY)
    assert not hasattr(mutograd, "absdiff") and not hasattr(Tensor, "absdiff_")


def test_scratch_leaves_the_table_as_it_was():
    names, functions = list(REGISTRY), dict(FUNCTIONS)
    with scratch():
        _declare_cube()
        _declare_absdiff()
    assert list(REGISTRY) == names and FUNCTIONS == functions
    # declaring again works: nothing was left behind
    with scratch():
        _declare_cube()


@requires_torch
def test_lerp_out_is_written():
    # Regression: the hand-written torch.lerp took out= and ignored it; the declaration routes
    # it through the out= door, as PyTorch's lerp.Scalar_out / lerp.Tensor_out.
    import torch

    for T in (mutograd, torch):
        a, b = T.tensor([1.0, 2.0]), T.tensor([3.0, 5.0])
        for weight in (0.25, T.tensor([0.25, 0.5])):
            out = T.empty(2)
            result = T.lerp(a, b, weight, out=out)
            assert result is out and out._version == 1
            assert out.tolist() == T.lerp(a, b, weight).tolist()
