"""A first differential check of the seed lesson's steps."""

from __future__ import annotations

from _harness import run_both
from conftest import requires_torch


@requires_torch
def test_seed_out_of_place_and_in_place():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x + 5
        a = T.tensor([1.0, 2.0, 3.0])
        ptr = a.data_ptr()
        b = a.add_(5)
        return [x, y, a, b is a, a.data_ptr() == ptr, repr(y), repr(x)]

    run_both(program)


@requires_torch
def test_seed_leaf_error():
    def program(T):
        x3 = T.tensor([1.0, 2.0], requires_grad=True)
        out = x3 * 3
        out.backward(T.ones_like(out))
        x3.add_(100)
        return x3

    run_both(program)


@requires_torch
def test_sigmoid_saved_output_then_inplace():
    def program(T):
        x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x.sigmoid()
        y.add_(1)
        y.sum().backward()
        return x.grad

    run_both(program)
