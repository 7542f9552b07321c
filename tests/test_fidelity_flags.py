"""Autograd flags after writes (requires_grad, grad_fn, is_leaf), against PyTorch 2.13.

A grad-requiring value written into an integer or bool tensor (copy_ records
nothing there; index_fill_ with a 0-dim tensor value records IndexFillBackward1
even there, and the value gets its gradient), and requires_grad_ on views.
"""

from __future__ import annotations

import pytest
from _harness import Raised, run_both
from conftest import requires_torch

pytestmark = requires_torch


def _info(t):
    return [t, t.requires_grad, type(t.grad_fn).__name__, t.is_leaf, t._version]


def _w(T):
    return T.tensor([1.5, -2.0], requires_grad=True)


WRITES = {
    "copy_": lambda T, d: d.copy_(_w(T)),
    "add_": lambda T, d: d.add_(_w(T)),
    "setitem_int": lambda T, d: d.__setitem__(0, _w(T)[1]),
    "setitem_list": lambda T, d: d.__setitem__([0], _w(T)[1:].to(d.dtype)),
    "setitem_slice": lambda T, d: d.__setitem__(slice(None), _w(T)),
    "fill_": lambda T, d: d.fill_(_w(T)[0]),
    "masked_fill_": lambda T, d: d.masked_fill_(T.tensor([True, False]), _w(T)[0]),
    "index_fill_": lambda T, d: d.index_fill_(0, T.tensor([1]), _w(T)[0]),
    "index_copy_": lambda T, d: d.index_copy_(0, T.tensor([1]), _w(T)[:1].to(d.dtype)),
    "index_put_": lambda T, d: d.index_put_((T.tensor([1]),), _w(T)[0].to(d.dtype)),
}


@pytest.mark.parametrize("dtype", ["int64", "bool", "float32"])
@pytest.mark.parametrize("write", list(WRITES))
def test_grad_requiring_value_written_into(write, dtype):
    def program(T):
        d = T.zeros(2, dtype=getattr(T, dtype))
        try:
            WRITES[write](T, d)
        except Exception as error:  # noqa: BLE001 - the error is the result under test
            return [Raised(error), d, d._version]
        return _info(d)

    run_both(program)


@pytest.mark.parametrize("index", [[1], [1, 2], [1, 1, 2], [0]])
@pytest.mark.parametrize("how", ["out_of_place", "inplace", "inplace_no_grad_self"])
def test_index_fill_with_a_tensor_value_requiring_grad(how, index):
    def program(T):
        v = T.tensor(2.0, requires_grad=True)
        if how == "inplace_no_grad_self":
            x = T.zeros(3)
        else:
            x = T.tensor([0.5, 1.0, -1.0], requires_grad=True).clone()
        idx = T.tensor(index)
        y = x.index_fill(0, idx, v) if how == "out_of_place" else x.index_fill_(0, idx, v)
        state = _info(y)
        (y * T.tensor([1.0, 2.0, 3.0])).sum().backward()
        return state + [v.grad]

    run_both(program)


VIEWS = {
    "leaf_view_false": lambda T: T.zeros(3, requires_grad=True)[:2].requires_grad_(False),
    "nonleaf_view_false": lambda T: (
        T.zeros(3, requires_grad=True).clone()[:2].requires_grad_(False)
    ),
    "plain_view_true_false": lambda T: T.zeros(3)[:2].requires_grad_(True).requires_grad_(False),
    "plain_view_true": lambda T: T.zeros(3)[:2].requires_grad_(True),
    "detached_view_true": lambda T: T.zeros(3, requires_grad=True).detach()[:2].requires_grad_(),
}


@pytest.mark.parametrize("view", list(VIEWS))
def test_requires_grad_on_views(view):
    def program(T):
        try:
            return _info(VIEWS[view](T))
        except Exception as error:  # noqa: BLE001 - the error is the result under test
            return Raised(error)

    run_both(program)


def test_no_grad_view_of_a_leaf_requires_grad_false():
    def program(T):
        a = T.zeros(3, requires_grad=True)
        with T.no_grad():
            b = a[:2]
        try:
            b.requires_grad_(False)
        except Exception as error:  # noqa: BLE001 - the error is the result under test
            return Raised(error)
        return _info(b)

    run_both(program)
