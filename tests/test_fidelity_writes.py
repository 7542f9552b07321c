"""Every write path into leaves that require grad and views of them, against PyTorch 2.13.

Each write (``x[key] = value`` with every index kind, every in-place method and
operator, ``out=``, the metadata in-place ops) goes into each kind of target:

- a leaf that requires grad, and views of it made in grad mode (same shape, a
  slice, a transpose) or under ``no_grad``;
- a leaf that is itself a view (``torch.arange(6.).view(2, 3).requires_grad_()``)
  and a view of that one: PyTorch calls both "a view of a leaf Variable";
- ``detach()`` of a leaf (shares its version counter, writes are allowed).

In grad mode PyTorch raises "a leaf Variable that requires grad is being used in
an in-place operation.", "a view of a leaf Variable that requires grad ..." or the
no_grad-view error, and writes nothing; under ``no_grad`` every write goes
through. mutograd must raise the same error (type and PyTorch's text) and leave
every tensor as it was (values, version, grad_fn), or write the same values.
"""

from __future__ import annotations

import numpy as np
import pytest
from _harness import Raised, run_both
from conftest import requires_torch

pytestmark = requires_torch

_VALUES = np.arange(6, dtype=np.float32).reshape(2, 3) / 4 + 0.25


def _target(T, kind):
    """(root, target): the tensor whose history is checked, and the (2, 3) one written."""
    if kind == "leaf":
        a = T.tensor(_VALUES, requires_grad=True)
        return a, a
    if kind == "view":
        a = T.tensor(_VALUES, requires_grad=True)
        return a, a.view(2, 3)
    if kind == "slice":
        a = T.tensor(np.concatenate([_VALUES, _VALUES]), requires_grad=True)
        return a, a[1:3]
    if kind == "transpose":
        a = T.tensor(np.ascontiguousarray(_VALUES.T), requires_grad=True)
        return a, a.t()
    if kind == "nograd_view":
        a = T.tensor(_VALUES, requires_grad=True)
        with T.no_grad():
            v = a.view(2, 3)
        return a, v
    if kind == "leaf_view":
        base = T.tensor(_VALUES.reshape(-1))
        v = base.view(2, 3).requires_grad_()
        return v, v
    if kind == "view_of_leaf_view":
        base = T.tensor(_VALUES.reshape(-1))
        v = base.view(2, 3).requires_grad_()
        return v, v[:, :]
    if kind == "detach":
        a = T.tensor(_VALUES, requires_grad=True)
        return a, a.detach()
    raise AssertionError(kind)


TARGETS = [
    "leaf",
    "view",
    "slice",
    "transpose",
    "nograd_view",
    "leaf_view",
    "view_of_leaf_view",
    "detach",
]


def _long(T, values):
    return T.tensor(values, dtype=T.int64)


def _mask(T):
    return T.tensor([[True, False, True], [False, True, False]])


# name -> write(T, t); every one valid on a (2, 3) float32 tensor.
WRITES = {
    # x[key] = value, every index kind
    "set_int": lambda T, t: t.__setitem__(0, 1.5),
    "set_neg_int": lambda T, t: t.__setitem__(-1, 1.5),
    "set_slice": lambda T, t: t.__setitem__(slice(0, 1), 1.5),
    "set_step": lambda T, t: t.__setitem__((slice(None), slice(None, None, 2)), 1.5),
    "set_none": lambda T, t: t.__setitem__(None, 1.5),
    "set_ellipsis": lambda T, t: t.__setitem__(Ellipsis, 1.5),
    "set_ellipsis_int": lambda T, t: t.__setitem__((Ellipsis, 1), 1.5),
    "set_true": lambda T, t: t.__setitem__(True, 1.5),
    "set_int_pair": lambda T, t: t.__setitem__((1, 2), 1.5),
    "set_list": lambda T, t: t.__setitem__([0, 1], 1.5),
    "set_long": lambda T, t: t.__setitem__(_long(T, [1]), 1.5),
    "set_long_0d": lambda T, t: t.__setitem__(_long(T, 1), 1.5),
    "set_long_pair": lambda T, t: t.__setitem__((_long(T, [0, 1]), _long(T, [2, 0])), 1.5),
    "set_long_slice": lambda T, t: t.__setitem__((slice(None), _long(T, [0, 2])), 1.5),
    "set_mask": lambda T, t: t.__setitem__(_mask(T), 1.5),
    "set_row_mask": lambda T, t: t.__setitem__(T.tensor([True, False]), 1.5),
    "set_value_0d": lambda T, t: t.__setitem__(0, T.tensor(2.0)),
    "set_value_row": lambda T, t: t.__setitem__(0, T.tensor([1.0, 2.0, 3.0])),
    "set_value_grad": lambda T, t: t.__setitem__(0, T.tensor(2.0, requires_grad=True)),
    "set_value_int": lambda T, t: t.__setitem__(0, T.tensor([1, 2, 3])),
    "set_all": lambda T, t: t.__setitem__(slice(None), T.ones(2, 3)),
    # in-place methods
    "add_": lambda T, t: t.add_(1),
    "add_alpha": lambda T, t: t.add_(T.ones(3), alpha=2),
    "sub_": lambda T, t: t.sub_(T.ones(2, 3)),
    "mul_": lambda T, t: t.mul_(2),
    "div_": lambda T, t: t.div_(2),
    "div_mode": lambda T, t: t.div_(2, rounding_mode="floor"),
    "pow_": lambda T, t: t.pow_(2),
    "pow_tensor": lambda T, t: t.pow_(T.ones(2, 3)),
    "remainder_": lambda T, t: t.remainder_(2),
    "fmod_": lambda T, t: t.fmod_(2),
    "floor_divide_": lambda T, t: t.floor_divide_(2),
    "atan2_": lambda T, t: t.atan2_(T.ones(2, 3)),
    "lerp_": lambda T, t: t.lerp_(T.ones(2, 3), 0.5),
    "addcmul_": lambda T, t: t.addcmul_(T.ones(2, 3), T.ones(2, 3)),
    "addcdiv_": lambda T, t: t.addcdiv_(T.ones(2, 3), T.ones(2, 3)),
    "clamp_": lambda T, t: t.clamp_(0.5, 1.0),
    "clamp_tensor": lambda T, t: t.clamp_(T.zeros(2, 3), T.ones(2, 3)),
    "clamp_min_": lambda T, t: t.clamp_min_(0.5),
    "clamp_max_": lambda T, t: t.clamp_max_(0.5),
    "clip_": lambda T, t: t.clip_(0.5, 1.0),
    "copy_": lambda T, t: t.copy_(T.zeros(2, 3)),
    "copy_bcast": lambda T, t: t.copy_(T.zeros(3)),
    "copy_int": lambda T, t: t.copy_(T.zeros(2, 3, dtype=T.int64)),
    "copy_grad": lambda T, t: t.copy_(T.zeros(2, 3, requires_grad=True)),
    "fill_": lambda T, t: t.fill_(2.0),
    "fill_tensor": lambda T, t: t.fill_(T.tensor(2.0)),
    "zero_": lambda T, t: t.zero_(),
    "index_add_": lambda T, t: t.index_add_(0, _long(T, [1]), T.ones(1, 3)),
    "index_copy_": lambda T, t: t.index_copy_(1, _long(T, [2]), T.ones(2, 1)),
    "index_fill_": lambda T, t: t.index_fill_(1, _long(T, [0]), 2.0),
    "index_put_": lambda T, t: t.index_put_((_long(T, [0]),), T.tensor(1.0)),
    "index_put_acc": lambda T, t: t.index_put_((_long(T, [0, 0]),), T.ones(3), accumulate=True),
    "scatter_": lambda T, t: t.scatter_(1, _long(T, [[0], [1]]), T.ones(2, 1)),
    "scatter_value": lambda T, t: t.scatter_(1, _long(T, [[0], [1]]), 2.0),
    "scatter_add_": lambda T, t: t.scatter_add_(0, _long(T, [[1, 0, 1]]), T.ones(1, 3)),
    "scatter_reduce_": lambda T, t: t.scatter_reduce_(
        0, _long(T, [[1, 0, 1]]), T.ones(1, 3), "sum"
    ),
    "masked_fill_": lambda T, t: t.masked_fill_(_mask(T), 2.0),
    "masked_fill_tensor": lambda T, t: t.masked_fill_(_mask(T), T.tensor(2.0)),
    "masked_scatter_": lambda T, t: t.masked_scatter_(_mask(T), T.ones(2, 3)),
    "abs_": lambda T, t: t.abs_(),
    "neg_": lambda T, t: t.neg_(),
    "exp_": lambda T, t: t.exp_(),
    "expm1_": lambda T, t: t.expm1_(),
    "log_": lambda T, t: t.log_(),
    "log1p_": lambda T, t: t.log1p_(),
    "log2_": lambda T, t: t.log2_(),
    "log10_": lambda T, t: t.log10_(),
    "sqrt_": lambda T, t: t.sqrt_(),
    "rsqrt_": lambda T, t: t.rsqrt_(),
    "sin_": lambda T, t: t.sin_(),
    "cos_": lambda T, t: t.cos_(),
    "tan_": lambda T, t: t.tan_(),
    "asin_": lambda T, t: t.asin_(),
    "acos_": lambda T, t: t.acos_(),
    "atan_": lambda T, t: t.atan_(),
    "sinh_": lambda T, t: t.sinh_(),
    "cosh_": lambda T, t: t.cosh_(),
    "tanh_": lambda T, t: t.tanh_(),
    "sigmoid_": lambda T, t: t.sigmoid_(),
    "relu_": lambda T, t: t.relu_(),
    "erf_": lambda T, t: t.erf_(),
    "reciprocal_": lambda T, t: t.reciprocal_(),
    "sign_": lambda T, t: t.sign_(),
    "sgn_": lambda T, t: t.sgn_(),
    "floor_": lambda T, t: t.floor_(),
    "ceil_": lambda T, t: t.ceil_(),
    "trunc_": lambda T, t: t.trunc_(),
    "frac_": lambda T, t: t.frac_(),
    "round_": lambda T, t: t.round_(),
    "round_decimals": lambda T, t: t.round_(decimals=1),
    "square_": lambda T, t: t.square_(),
    "nn_relu_inplace": lambda T, t: T.nn.functional.relu(t, inplace=True),
    "leaky_relu_": lambda T, t: T.nn.functional.leaky_relu_(t, 0.1),
    "elu_": lambda T, t: T.nn.functional.elu_(t),
    "hardtanh_": lambda T, t: T.nn.functional.hardtanh_(t),
    "silu_inplace": lambda T, t: T.nn.functional.silu(t, inplace=True),
    "gelu_": lambda T, t: T.nn.functional.gelu(t),
    # random fills: PyTorch draws differently, so only their errors are compared
    "uniform_": lambda T, t: t.uniform_(),
    "normal_": lambda T, t: t.normal_(),
    "bernoulli_": lambda T, t: t.bernoulli_(0.5),
    "exponential_": lambda T, t: t.exponential_(),
    "random_": lambda T, t: t.random_(0, 3),
    # operators
    "iadd": lambda T, t: t.__iadd__(1),
    "isub": lambda T, t: t.__isub__(T.ones(3)),
    "imul": lambda T, t: t.__imul__(2),
    "itruediv": lambda T, t: t.__itruediv__(2),
    "ipow": lambda T, t: t.__ipow__(2),
    "ifloordiv": lambda T, t: t.__ifloordiv__(2),
    "imod": lambda T, t: t.__imod__(2),
    # out=
    "out_add": lambda T, t: T.add(T.ones(2, 3), 1, out=t),
    "out_mul": lambda T, t: T.mul(T.ones(2, 3), T.ones(2, 3), out=t),
    "out_clamp": lambda T, t: T.clamp(T.ones(2, 3), 0, 1, out=t),
    # metadata
    "t_": lambda T, t: t.t_(),
    "transpose_": lambda T, t: t.transpose_(0, 1),
    "unsqueeze_": lambda T, t: t.unsqueeze_(0),
    "squeeze_": lambda T, t: t.squeeze_(),
    "as_strided_": lambda T, t: t.as_strided_((3,), (1,)),
    "detach_": lambda T, t: t.detach_(),
    "requires_grad_false": lambda T, t: t.requires_grad_(False),
}

RANDOM = {"uniform_", "normal_", "bernoulli_", "exponential_", "random_"}


def _snapshot(root, t):
    return {
        "root": root,
        "root_version": root._version,
        "root_grad_fn": type(root.grad_fn).__name__,
        "target": t,
        "target_version": t._version,
        "target_grad_fn": type(t.grad_fn).__name__,
        "target_requires_grad": t.requires_grad,
    }


def _program(kind, write, no_grad):
    def program(T):
        root, t = _target(T, kind)
        state = {}
        try:
            if no_grad:
                with T.no_grad():
                    WRITES[write](T, t)
            else:
                WRITES[write](T, t)
        except Exception as error:  # noqa: BLE001 - the error is the result under test
            # NB: mutograd appends its diagnosis after PyTorch's text.
            state["error"] = Raised(type(error)(str(error).split("\n\n")[0]))
        state.update(_snapshot(root, t))
        if write in RANDOM and "error" not in state:
            # Random values differ between the engines; compare the rest.
            state["root"] = root.shape
            state["target"] = t.shape
        return state

    return program


@pytest.mark.parametrize("no_grad", [False, True], ids=["grad_mode", "no_grad"])
@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("write", list(WRITES))
def test_write_into_a_leaf_or_a_view_of_one(write, kind, no_grad):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(_program(kind, write, no_grad))


@pytest.mark.parametrize(
    "write",
    [
        lambda T, a: a.exp_(),
        lambda T, a: a.add_(1),
        lambda T, a: a.fill_(1.0),
        lambda T, a: a.zero_(),
        lambda T, a: a.copy_(T.tensor(3.0)),
        lambda T, a: a.__setitem__((), 2.0),
        lambda T, a: a.__setitem__(Ellipsis, 2.0),
        lambda T, a: a.__setitem__(None, 2.0),
        lambda T, a: a.__iadd__(1),
        lambda T, a: a.unsqueeze_(0),
    ],
    ids=[
        "exp_",
        "add_",
        "fill_",
        "zero_",
        "copy_",
        "set_empty",
        "set_ellipsis",
        "set_none",
        "iadd",
        "unsqueeze_",
    ],
)
@pytest.mark.parametrize("made", ["reshape", "view", "plain"])
def test_issue_reproducers_zero_dim_and_reshaped_leaves(made, write):
    """The issue's ``torch.arange(1.).reshape(()).requires_grad_()``: a view of a leaf."""

    def program(T):
        if made == "reshape":
            a = T.arange(1.0).reshape(()).requires_grad_()
        elif made == "view":
            a = T.arange(2.0).reshape((2,))[0].requires_grad_()
        else:
            a = T.tensor(0.0, requires_grad=True)
        try:
            write(T, a)
        except RuntimeError as error:
            return [Raised(RuntimeError(str(error).split("\n\n")[0])), a, a._version]
        return [a, a._version]

    run_both(program)
