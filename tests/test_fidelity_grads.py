"""Gradients in corners the op tests do not reach, against PyTorch 2.13.

A leaf that stops requiring grad after the graph was built (detach_(),
requires_grad_(False)) gets no gradient; the multi-output views' backward
(unbind, split, chunk) fills the slots nobody used with zeros, so an inf or NaN
in one slot's gradient stays there.
"""

from __future__ import annotations

import pytest
from _harness import Raised, run_both
from conftest import requires_torch

pytestmark = requires_torch


@pytest.mark.parametrize("how", ["detach_", "requires_grad_false", "data", "nothing"])
def test_a_leaf_that_stops_requiring_grad_gets_none(how):
    def program(T):
        w = T.tensor([1.0, 2.0], requires_grad=True)
        x = T.tensor([3.0, 4.0], requires_grad=True)
        hooked = []
        w.register_hook(lambda g: hooked.append(g.clone()))
        y = (w * x).sum()
        if how == "detach_":
            w.detach_()
        elif how == "requires_grad_false":
            w.requires_grad_(False)
        elif how == "data":
            w.data = T.zeros(2)
        y.backward()
        return [w.grad, x.grad, w.requires_grad, w.is_leaf, hooked]

    run_both(program)


def test_detach_on_a_non_leaf_and_on_a_view():
    def program(T):
        w = T.tensor([1.0, 2.0], requires_grad=True)
        y = w * 2
        z = y.sum()
        y.detach_()
        z.backward()
        v = w.view(2)
        try:
            v.detach_()
            error = None
        except RuntimeError as e:
            error = Raised(e)
        return [w.grad, y.requires_grad, y.grad_fn is None, error]

    run_both(program)


SPLITS = {
    "unbind0": lambda c: c.unbind(0),
    "unbind1": lambda c: c.unbind(1),
    "split": lambda c: c.split(1),
    "chunk1": lambda c: c.chunk(2, 1),
    "split_with_sizes": lambda c: c.split_with_sizes([1, 1], 1),
    "rows": lambda c: (c[0], c[1]),
}


@pytest.mark.parametrize("scale", ["inf", "nan", "-inf"])
@pytest.mark.parametrize("k", [0, 1])
@pytest.mark.parametrize("split", list(SPLITS))
def test_unused_slots_of_a_multi_output_view_get_zeros(split, k, scale):
    def program(T):
        c = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        (SPLITS[split](c)[k] * float(scale)).sum().backward()
        return c.grad

    run_both(program)
