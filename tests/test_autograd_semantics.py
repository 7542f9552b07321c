"""Autograd semantics checked side by side with PyTorch 2.13: views returned by
custom Functions, no_grad views written in place, detach_ on saved tensors,
.data / .grad assignment rules, numpy() under no_grad, backward/grad argument
rules and anomaly mode's report."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _harness import run_both
from conftest import requires_torch

pytestmark = requires_torch

A = np.arange(1.0, 7.0).reshape(2, 3)


def leaf(T, data=A):
    return T.tensor(data, requires_grad=True)


def view_function(T, dirty=False, save=False):
    class ViewOf(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            if dirty:
                ctx.mark_dirty(x)
            return x.view(-1)[:3] if not dirty else x

        @staticmethod
        def backward(ctx, g):
            return g.new_zeros(2, 3).view(-1).index_add(0, T.arange(3), g).view(2, 3)

    return ViewOf


def test_custom_function_returning_view_of_input():
    def program(T):
        x = leaf(T)
        y = view_function(T).apply(x)
        y.sum().backward()
        return y, y._is_view(), y._base is x, x.grad

    run_both(program)


def test_custom_function_view_written_in_place():
    def program(T):
        x = leaf(T).clone()
        y = view_function(T).apply(x)
        y.mul_(2)
        return y

    run_both(program)


def test_custom_function_view_written_in_place_under_no_grad():
    def program(T):
        x = leaf(T).clone()
        y = view_function(T).apply(x)
        with T.no_grad():
            y.mul_(2)
        return y.grad_fn

    run_both(program)


def test_custom_function_view_base_written_then_used():
    def program(T):
        x = leaf(T).clone()
        y = view_function(T).apply(x)
        x.add_(1)
        return y.grad_fn.name(), y

    run_both(program)


@pytest.mark.filterwarnings("ignore:ctx.mark_dirty")
def test_custom_function_dirty_non_input():
    def program(T):
        class Bad(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                out = x * 2
                ctx.mark_dirty(out)
                return out

            @staticmethod
            def backward(ctx, g):
                return g

        return Bad.apply(leaf(T))

    run_both(program)


def test_no_grad_view_written_in_place_repr():
    def program(T):
        x = leaf(T).clone()
        with T.no_grad():
            v = x[0]
            v.mul_(2)
        return repr(v), v.requires_grad


def test_no_grad_view_written_in_place_grad_fn_raises():
    def program(T):
        x = leaf(T).clone()
        with T.no_grad():
            v = x[0]
            v.mul_(2)
        return v.grad_fn

    run_both(program)


def test_no_grad_view_written_in_place_then_used():
    def program(T):
        x = leaf(T).clone()
        with T.no_grad():
            v = x[0]
        v.mul_(2)
        return v

    run_both(program)


def test_detach_inplace_on_saved_tensor():
    def program(T):
        x = leaf(T)
        y = x * 2
        z = y.exp()  # saves its result z
        z.detach_()
        out = y * 1
        return z, out.sum().backward()

    run_both(program)


def test_detach_inplace_on_saved_output_then_backward():
    def program(T):
        x = leaf(T)
        y = x.sin()
        z = y * y  # saves y twice
        y.detach_()
        z.sum().backward()
        return x.grad

    run_both(program)


def test_data_assign_other_dtype_on_requires_grad():
    def program(T):
        x = leaf(T)
        x.data = T.ones(2, 3, dtype=T.float32)
        return x

    run_both(program)


def test_data_assign_other_dtype_without_requires_grad():
    def program(T):
        x = T.tensor(A)
        x.data = T.ones(2, dtype=T.float32)
        return x

    run_both(program)


def test_data_assign_other_shape_keeps_grad_fn_rules():
    def program(T):
        x = leaf(T)
        x.data = T.ones(4, dtype=T.float64)
        (x * 2).sum().backward()
        return x, x.grad

    run_both(program)


def test_grad_assign_self():
    def program(T):
        x = leaf(T)
        x.grad = x
        return x.grad

    run_both(program)


def test_grad_assign_wrong_shape_and_dtype():
    def program(T):
        x = leaf(T)
        out = []
        for value in (T.ones(3, dtype=T.float64), T.ones(2, 3, dtype=T.float32), 3):
            try:
                x.grad = value
            except Exception as error:  # noqa: BLE001 - the messages are compared
                out.append((type(error).__name__, str(error)))
        return out, x.grad

    run_both(program)


def test_del_data():
    def program(T):
        x = leaf(T)
        del x.data

    run_both(program)


@pytest.mark.parametrize("no_grad", [False, True])
def test_numpy_requires_grad_under_no_grad(no_grad):
    def program(T):
        x = leaf(T)
        if no_grad:
            with T.no_grad():
                return x.numpy().tolist()
        return x.numpy().tolist()

    run_both(program)


def test_backward_same_tensor_twice_accumulates():
    def program(T):
        x = leaf(T)
        y = x * 2
        T.autograd.backward(
            [y, y], [T.ones(2, 3, dtype=T.float64), T.full((2, 3), 3.0, dtype=T.float64)]
        )
        return x.grad

    run_both(program)


def test_backward_leaf_twice():
    def program(T):
        x = leaf(T)
        T.autograd.backward([x, x], [T.ones(2, 3, dtype=T.float64), T.ones(2, 3, dtype=T.float64)])
        return x.grad

    run_both(program)


def test_grad_empty_inputs():
    def program(T):
        x = leaf(T)
        return T.autograd.grad((x * 2).sum(), [])

    run_both(program)


def test_grad_same_input_twice():
    def program(T):
        x = leaf(T)
        return T.autograd.grad((x * x).sum(), [x, x])

    run_both(program)


def _anomaly_program(T):
    class Broken(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom in backward")

    x = leaf(T)
    with T.autograd.detect_anomaly():
        y = Broken.apply(x)
        y.sum().backward()


def test_detect_anomaly_raises_original_error_and_warns():
    import torch

    import mutograd

    reports = {}
    for T in (torch, mutograd):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(ValueError, match="boom in backward"):
                _anomaly_program(T)
        messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        reports[T.__name__] = [m for m in messages if "Error detected in" in m]
    assert len(reports["torch"]) == 1 and len(reports["mutograd"]) == 1
    torch_report, ours = reports["torch"][0], reports["mutograd"][0]
    assert torch_report.split("\n")[0] == ours.split("\n")[0]
    # Both report the forward traceback: it names this file's forward call.
    assert "_anomaly_program" in torch_report and "_anomaly_program" in ours


def test_detect_anomaly_nan_message():
    def program(T):
        x = leaf(T)
        with T.autograd.detect_anomaly():
            y = (x * 0).sqrt()
            y.sum().backward()
        return x.grad

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(program)
