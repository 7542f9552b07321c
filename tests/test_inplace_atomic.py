"""Bad input leaves nothing changed.

An in-place op that fails raises PyTorch's error type and message and leaves
the destination's data and version exactly as they were: every check runs
before the write (see _inplace.py). Each case is run on both engines (same
error, same data, same version) and, for mutograd alone, checked against a
snapshot of the raw buffer taken before the call.
"""

from __future__ import annotations

import numpy as np
import pytest
from _harness import run_both
from conftest import requires_torch

import mutograd


def _floats(T):
    return T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def _ints(T):
    return T.tensor([[1, 2, 3], [4, 5, 6]])


def _expanded(T):
    return T.tensor([[1.0], [2.0]]).expand(2, 3)


def _leaf(T):
    return T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)


def _view_of_leaf(T):
    return _leaf(T)[1]


def _no_grad_view(T):
    y = _leaf(T) * 1
    with T.no_grad():
        return y[0]


def _multi_output_view(T):
    return (_leaf(T) * 1).unbind()[1]


def _custom_function_view(T):
    class Identity(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    return Identity.apply(_leaf(T) * 1)


def _inference(T):
    with T.inference_mode():
        return T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


# name -> (destination factory, failing write)
FAILURES = {
    "broadcast_to_larger": (_floats, lambda T, a: a.add_(T.ones(3, 2, 3))),
    "broadcast_mismatch": (_floats, lambda T, a: a.mul_(T.ones(4))),
    "int_add_float_scalar": (_ints, lambda T, a: a.add_(0.5)),
    "int_mul_float_tensor": (_ints, lambda T, a: a.mul_(T.tensor([1.5, 2.0, 3.0]))),
    "int_true_divide": (_ints, lambda T, a: a.div_(2)),
    "int_exp": (_ints, lambda T, a: a.exp_()),
    "int_sigmoid": (_ints, lambda T, a: a.sigmoid_()),
    "bool_add_int": (lambda T: T.tensor([True, False]), lambda T, a: a.add_(1)),
    "int_negative_power": (_ints, lambda T, a: a.pow_(-1)),
    "div_bad_rounding_mode": (_floats, lambda T, a: a.div_(2, rounding_mode="round")),
    "copy_larger_source": (_floats, lambda T, a: a.copy_(T.ones(2, 2, 3))),
    "copy_mismatch": (_floats, lambda T, a: a.copy_(T.ones(2))),
    "fill_1d_tensor": (_floats, lambda T, a: a.fill_(T.ones(3))),
    "expanded_add": (_expanded, lambda T, a: a.add_(1)),
    "expanded_mul": (_expanded, lambda T, a: a.mul_(T.ones(3))),
    "expanded_copy": (_expanded, lambda T, a: a.copy_(T.ones(2, 3))),
    "expanded_setitem": (_expanded, lambda T, a: a.__setitem__(0, 7.0)),
    "expanded_fill_tensor": (_expanded, lambda T, a: a.fill_(T.tensor(7.0))),
    "expanded_relu": (_expanded, lambda T, a: a.relu_()),
    "masked_fill_mask_shape": (_floats, lambda T, a: a.masked_fill_(T.ones(2, dtype=T.bool), 0.0)),
    "masked_fill_mask_broadcast_larger": (
        _floats,
        lambda T, a: a.masked_fill_(T.ones(4, 2, 3, dtype=T.bool), 0.0),
    ),
    "index_add_out_of_range": (
        _floats,
        lambda T, a: a.index_add_(0, T.tensor([0, 5]), T.zeros(2, 3)),
    ),
    "index_add_negative": (_floats, lambda T, a: a.index_add_(1, T.tensor([0, -1]), T.zeros(2, 2))),
    "index_put_values_shape": (
        _floats,
        lambda T, a: a.index_put_((T.tensor([0, 1]),), T.zeros(2, 4)),
    ),
    "scatter_add_out_of_range": (
        _floats,
        lambda T, a: a.scatter_add_(0, T.tensor([[0, 1, 2]]), T.zeros(1, 3)),
    ),
    "setitem_int_out_of_range": (_floats, lambda T, a: a.__setitem__(2, 0.0)),
    "setitem_mask_shape": (_floats, lambda T, a: a.__setitem__(T.ones(3, dtype=T.bool), 0.0)),
    "setitem_value_shape": (_floats, lambda T, a: a.__setitem__(0, T.ones(2))),
    "setitem_advanced_value_shape": (
        _floats,
        lambda T, a: a.__setitem__(T.tensor([0, 1]), T.ones(2, 2)),
    ),
    "setitem_too_many_indices": (_floats, lambda T, a: a.__setitem__((0, 0, 0), 1.0)),
    "t_on_3d": (lambda T: T.zeros(2, 2, 2), lambda T, a: a.t_()),
    "transpose_dim_out_of_range": (_floats, lambda T, a: a.transpose_(0, 2)),
    "unsqueeze_dim_out_of_range": (_floats, lambda T, a: a.unsqueeze_(4)),
    "leaf_add": (_leaf, lambda T, a: a.add_(1)),
    "leaf_setitem": (_leaf, lambda T, a: a.__setitem__(0, 0.0)),
    "leaf_zero": (_leaf, lambda T, a: a.zero_()),
    "leaf_t": (_leaf, lambda T, a: a.t_()),
    "view_of_leaf_mul": (_view_of_leaf, lambda T, a: a.mul_(2)),
    "view_of_leaf_copy": (_view_of_leaf, lambda T, a: a.copy_(T.zeros(3))),
    "no_grad_view_add": (_no_grad_view, lambda T, a: a.add_(1)),
    "multi_output_view_add": (_multi_output_view, lambda T, a: a.add_(1)),
    "custom_function_view_add": (_custom_function_view, lambda T, a: a.add_(1)),
    "resize_requiring_grad": (_leaf, lambda T, a: a.resize_(3)),
}

# PyTorch raises these after writing: its index kernels stop at the first bad
# index, leaving the writes before it, and an inference tensor is written before
# the version bump refuses it. mutograd deliberately writes nothing, so only the
# error is compared with PyTorch.
TORCH_WRITES_FIRST = {
    "masked_scatter_short_source": (
        _floats,
        lambda T, a: a.masked_scatter_(T.ones(2, 3, dtype=T.bool), T.ones(5)),
    ),
    "index_fill_out_of_range": (_floats, lambda T, a: a.index_fill_(1, T.tensor([0, 3]), -1.0)),
    "index_copy_out_of_range": (
        _floats,
        lambda T, a: a.index_copy_(0, T.tensor([1, 2]), T.zeros(2, 3)),
    ),
    "index_put_out_of_range": (
        _floats,
        lambda T, a: a.index_put_((T.tensor([0, 1]), T.tensor([2, 3])), T.tensor(0.0)),
    ),
    "scatter_out_of_range": (
        _floats,
        lambda T, a: a.scatter_(1, T.tensor([[0, 1, 3]]), T.zeros(1, 3)),
    ),
    "setitem_index_tensor_out_of_range": (
        _floats,
        lambda T, a: a.__setitem__((slice(None), T.tensor([0, 1, 5])), 0.0),
    ),
    "inference_add": (_inference, lambda T, a: a.add_(1)),
    "inference_setitem": (_inference, lambda T, a: a.__setitem__(0, 0.0)),
    "inference_view_mul": (lambda T: _inference(T)[1], lambda T, a: a.mul_(3)),
}

ALL = {**FAILURES, **TORCH_WRITES_FIRST}


def _snapshot(t):
    return t.detach().clone(), t._version


def _program(name, compare_state):
    make, write = ALL[name]

    def program(T):
        a = make(T)
        if compare_state:
            before, version = _snapshot(a)
        try:
            write(T, a)
        except (RuntimeError, IndexError, ValueError, TypeError) as error:
            outcome = {"type": type(error).__name__, "message": str(error).split("\n\n")[0]}
        else:
            outcome = {"type": None}
        if compare_state:
            outcome["data"] = a.detach().clone()
            outcome["unchanged"] = bool((a.detach() == before).all())
            outcome["version"] = a._version - version
            outcome["shape"] = tuple(a.shape)
        return outcome

    return program


@requires_torch
@pytest.mark.parametrize("name", list(FAILURES))
def test_failed_write_raises_pytorchs_error_and_changes_nothing(name):
    result = run_both(_program(name, compare_state=True))
    assert result["type"] is not None, "expected an error"
    assert result["unchanged"] and result["version"] == 0


@requires_torch
@pytest.mark.parametrize("name", list(TORCH_WRITES_FIRST))
def test_failed_write_raises_pytorchs_error(name):
    result = run_both(_program(name, compare_state=False))
    assert result["type"] is not None, "expected an error"


@pytest.mark.parametrize("name", list(ALL))
def test_failed_write_leaves_the_buffer_untouched(name):
    """mutograd alone: the raw storage, the shape and the version are as before."""
    make, write = ALL[name]
    a = make(mutograd)
    storage = a._storage.copy()
    shape, strides, version = tuple(a.shape), a.stride(), a._vc.version
    with pytest.raises((RuntimeError, IndexError)):
        write(mutograd, a)
    np.testing.assert_array_equal(a._storage, storage)
    assert (tuple(a.shape), a.stride(), a._vc.version) == (shape, strides, version)


def test_no_partial_write_when_a_late_index_is_bad():
    a = mutograd.zeros(6)
    with pytest.raises(RuntimeError):
        a.scatter_(0, mutograd.tensor([0, 1, 2, 3, 9]), mutograd.ones(5))
    with pytest.raises(IndexError):
        a[mutograd.tensor([0, 1, 2, 3, -9])] = 1.0
    with pytest.raises(IndexError):
        a.index_fill_(0, mutograd.tensor([0, 1, 2, 3, 6]), 1.0)
    assert a.tolist() == [0.0] * 6
    assert a._version == 0


def test_failed_write_records_no_history():
    x = mutograd.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    before = y.grad_fn
    with pytest.raises(RuntimeError):
        y.add_(mutograd.ones(3))
    with pytest.raises(RuntimeError):
        y.copy_(mutograd.ones(2, 2))
    assert y.grad_fn is before
    assert y._version == 0
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


# --- regressions found by the state machine -----------------------------------------------------


@requires_torch
@pytest.mark.parametrize(
    "write",
    [
        lambda T, c: c.add_(c[0]),
        lambda T, c: c[1:].add_(c[:3]),
        lambda T, c: c.view(2, 2).add_(c.view(2, 2).t()),
        lambda T, c: c[:2].copy_(c[1:3]),
        lambda T, c: c.mul_(c[1:2]),
        lambda T, c: c.add_(c),  # the very same elements: allowed
        lambda T, c: c[:2].copy_(c[2:]),  # same storage, disjoint: allowed
        lambda T, c: c.copy_(c.flip(0)),  # a copy: allowed
    ],
    ids=[
        "select",
        "shifted",
        "transposed",
        "copy_shifted",
        "broadcast",
        "same",
        "disjoint",
        "flipped",
    ],
)
def test_input_partially_aliasing_the_destination_is_refused(write):
    def program(T):
        c = T.arange(4.0)
        try:
            write(T, c)
            error = None
        except RuntimeError as e:
            error = str(e)
        return [error, c, c._version]

    run_both(program)


@requires_torch
@pytest.mark.parametrize(
    "shapes",
    [((3, 2), (2, 3)), ((2, 3, 4), (5, 1, 4)), ((3,), (4,)), ((2, 1), (1, 3), (2, 4))],
    ids=["2d", "3d", "1d", "three"],
)
def test_broadcast_error_names_the_last_mismatching_dimension(shapes):
    # Regression: PyTorch's infer_size compares from the last dimension.
    def program(T):
        tensors = [T.ones(s) for s in shapes]
        a = T.zeros(shapes[0])
        out = []
        for call in (
            lambda: tensors[0] + tensors[1],
            lambda: a.add_(tensors[1]),
            lambda: T.addcmul(*tensors) if len(tensors) == 3 else None,
        ):
            try:
                call()
                out.append(None)
            except RuntimeError as error:
                out.append(str(error))
        return [out, a._version]

    run_both(program)


@requires_torch
def test_writes_allowed_on_expanded_tensors_with_a_deprecation_warning(torch):
    for T in (torch, mutograd):
        base = T.zeros(3, 1)
        a = base.expand(3, 4)
        with pytest.warns(
            UserWarning, match="Use of masked_fill_ on expanded tensors is deprecated"
        ):
            a.masked_fill_(T.ones(3, 4, dtype=T.bool), 1.0)
        with pytest.warns(
            UserWarning, match="Use of index_fill_ on expanded tensors is deprecated"
        ):
            a.index_fill_(0, T.tensor([0]), 2.0)
        with pytest.warns(UserWarning, match="Use of index_put_ on expanded tensors is deprecated"):
            a.index_put_((T.tensor([1]),), T.tensor(3.0))
        assert base.tolist() == [[2.0], [3.0], [1.0]]
        assert base._version == 3
