"""The in-place surface, differentially against PyTorch 2.13.

Every in-place twin is checked for: the values written, that it returns the
very same object, that the buffer is the same (data_ptr) and the write is
visible through views and ``.numpy()`` arrays, the version bump, and (with
autograd) the rebased grad_fn and the gradients.
"""

from __future__ import annotations

import numpy as np
import pytest
from _harness import run_both
from conftest import requires_torch

pytestmark = requires_torch

POSITIVE = [0.5, 1.5, 2.25, 3.0]
MIXED = [-1.5, -0.25, 0.75, 2.5]
WEIGHTS = [1.0, 2.0, 3.0, 4.0]

# (method, input values): every unary in-place twin PyTorch has.
UNARY = [
    ("neg_", MIXED),
    ("negative_", MIXED),
    ("abs_", MIXED),
    ("absolute_", MIXED),
    ("exp_", MIXED),
    ("log_", POSITIVE),
    ("log1p_", POSITIVE),
    ("sqrt_", POSITIVE),
    ("rsqrt_", POSITIVE),
    ("sin_", MIXED),
    ("cos_", MIXED),
    ("tanh_", MIXED),
    ("sigmoid_", MIXED),
    ("relu_", MIXED),
    ("sign_", MIXED),
    ("floor_", MIXED),
    ("ceil_", MIXED),
    ("round_", MIXED),
    ("trunc_", MIXED),
    ("reciprocal_", MIXED),
    ("zero_", MIXED),
    ("square_", MIXED),
]


def _in_place(T, data, call):
    """Run ``call(a)`` on a fresh tensor; report identity, storage and visibility."""
    a = T.tensor(data)
    ptr = a.data_ptr()
    array = a.numpy()
    view = a[1:]
    result = call(a)
    return {
        "a": a,
        "same_object": result is a,
        "same_buffer": a.data_ptr() == ptr,
        "version": a._version,
        "view": view,
        "view_version": view._version,
        "numpy": array.tolist(),
    }


@pytest.mark.parametrize("name,data", UNARY, ids=[u[0] for u in UNARY])
def test_unary_values_identity_and_version(name, data):
    run_both(lambda T: _in_place(T, data, lambda a: getattr(a, name)()))


@pytest.mark.parametrize("name,data", UNARY, ids=[u[0] for u in UNARY])
def test_unary_rebases_history_and_gradients(name, data):
    def program(T):
        x = T.tensor(data, requires_grad=True)
        y = x * 1
        getattr(y, name)()
        (y * T.tensor(WEIGHTS)).sum().backward()
        return [y, x.grad, y._version]

    run_both(program)


@pytest.mark.parametrize("name,data", UNARY, ids=[u[0] for u in UNARY])
def test_unary_on_a_view_rewrites_the_base(name, data):
    def program(T):
        x = T.tensor(data + data, requires_grad=True)
        y = x * 1
        view = y[2:]
        getattr(view, name)()
        (y * T.tensor(WEIGHTS + WEIGHTS)).sum().backward()
        return [y, view, x.grad, y._version]

    run_both(program)


@pytest.mark.parametrize(
    "name", ["exp_", "log_", "sqrt_", "sin_", "tanh_", "sigmoid_", "reciprocal_", "rsqrt_"]
)
def test_float_unary_on_integer_tensor_refuses_the_cast(name):
    def program(T):
        a = T.tensor([1, 2, 3])
        try:
            getattr(a, name)()
        except RuntimeError as error:
            return [str(error), a, a._version]
        return ["no error", a]

    run_both(program)


BINARY = {
    "add_tensor": lambda T, a: a.add_(T.tensor([1.0, -2.0, 0.5, 4.0])),
    "add_alpha": lambda T, a: a.add_(T.tensor([1.0, -2.0, 0.5, 4.0]), alpha=2),
    "add_scalar": lambda T, a: a.add_(3),
    "add_broadcast": lambda T, a: a.add_(T.tensor(2.5)),
    "sub_alpha": lambda T, a: a.sub_(T.tensor([1.0, -2.0, 0.5, 4.0]), alpha=0.5),
    "subtract_": lambda T, a: a.subtract_(1.5),
    "mul_tensor": lambda T, a: a.mul_(T.tensor([1.0, -2.0, 0.5, 4.0])),
    "mul_scalar": lambda T, a: a.mul_(-3),
    "multiply_": lambda T, a: a.multiply_(2),
    "div_tensor": lambda T, a: a.div_(T.tensor([1.0, -2.0, 0.5, 4.0])),
    "div_floor": lambda T, a: a.div_(T.tensor([0.7, -2.0, 0.5, 4.0]), rounding_mode="floor"),
    "div_trunc": lambda T, a: a.div_(-0.7, rounding_mode="trunc"),
    "pow_scalar": lambda T, a: a.pow_(2),
    "pow_tensor": lambda T, a: a.abs_().pow_(T.tensor([1.0, 2.0, 0.5, 3.0])),
    "clamp_": lambda T, a: a.clamp_(-0.5, 1.0),
    "clamp_min_only": lambda T, a: a.clamp_(min=0.0),
    "clamp_tensor": lambda T, a: a.clamp_(T.tensor([0.0, -1.0, 0.0, 1.0]), T.tensor(1.5)),
    "clamp_min_": lambda T, a: a.clamp_min_(0.25),
    "clamp_max_": lambda T, a: a.clamp_max_(0.25),
    "clip_": lambda T, a: a.clip_(max=0.7),
    "lerp_scalar": lambda T, a: a.lerp_(T.tensor([1.0, 2.0, 3.0, 4.0]), 0.25),
    "lerp_tensor": lambda T, a: a.lerp_(
        T.tensor([1.0, 2.0, 3.0, 4.0]), T.tensor([0.0, 0.5, 1.0, 2.0])
    ),
    "addcmul_": lambda T, a: a.addcmul_(T.tensor([1.0, 2.0, 3.0, 4.0]), T.tensor(2.0), value=0.5),
    "addcdiv_": lambda T, a: a.addcdiv_(
        T.tensor([1.0, 2.0, 3.0, 4.0]), T.tensor([2.0, 4.0, 1.0, 8.0]), value=2
    ),
    "fill_scalar": lambda T, a: a.fill_(2.5),
    "fill_tensor": lambda T, a: a.fill_(T.tensor(-1.0)),
    "copy_same": lambda T, a: a.copy_(T.tensor([9.0, 8.0, 7.0, 6.0])),
    "copy_broadcast": lambda T, a: a.copy_(T.tensor([5.0])),
    "copy_from_int": lambda T, a: a.copy_(T.tensor([1, 2, 3, 4])),
    "copy_from_float64": lambda T, a: a.copy_(T.tensor([0.1, 0.2, 0.3, 0.4], dtype=T.float64)),
    "masked_fill_": lambda T, a: a.masked_fill_(T.tensor([True, False, True, False]), -7.0),
    "masked_fill_tensor": lambda T, a: a.masked_fill_(
        T.tensor([True, False, False, True]), T.tensor(3.0)
    ),
    "masked_fill_broadcast_mask": lambda T, a: a.masked_fill_(T.tensor(True), 1.0),
    "masked_scatter_": lambda T, a: a.masked_scatter_(
        T.tensor([False, True, True, False]), T.tensor([10.0, 20.0, 30.0])
    ),
    "index_fill_": lambda T, a: a.index_fill_(0, T.tensor([0, 3]), 4.0),
    "index_add_": lambda T, a: a.index_add_(
        0, T.tensor([1, 1, 2]), T.tensor([1.0, 2.0, 3.0]), alpha=2
    ),
    "index_copy_": lambda T, a: a.index_copy_(0, T.tensor([2, 0]), T.tensor([5.0, 6.0])),
    "index_put_": lambda T, a: a.index_put_((T.tensor([0, 2]),), T.tensor([7.0, 8.0])),
    "index_put_accumulate": lambda T, a: a.index_put_(
        (T.tensor([1, 1, 3]),), T.tensor([1.0, 2.0, 3.0]), accumulate=True
    ),
    "scatter_src": lambda T, a: a.scatter_(0, T.tensor([3, 0]), T.tensor([1.0, 2.0])),
    "scatter_value": lambda T, a: a.scatter_(0, T.tensor([1, 2]), 9.0),
    "scatter_add_": lambda T, a: a.scatter_add_(0, T.tensor([1, 1, 0]), T.tensor([1.0, 2.0, 3.0])),
    "scatter_reduce_sum": lambda T, a: a.scatter_reduce_(
        0, T.tensor([1, 1, 0]), T.tensor([1.0, 2.0, 3.0]), "sum"
    ),
    "scatter_reduce_amax": lambda T, a: a.scatter_reduce_(
        0, T.tensor([1, 1, 0]), T.tensor([1.0, 2.0, 3.0]), "amax", include_self=False
    ),
    "scatter_reduce_prod": lambda T, a: a.scatter_reduce_(
        0, T.tensor([3, 3]), T.tensor([2.0, 3.0]), "prod"
    ),
}


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_and_indexed_values_identity_and_version(name):
    call = BINARY[name]
    run_both(lambda T: _in_place(T, MIXED, lambda a: call(T, a)))


# Ops with a differentiable formula for self, checked through backward.
DIFFERENTIABLE = [
    "add_tensor",
    "add_alpha",
    "add_scalar",
    "sub_alpha",
    "mul_tensor",
    "mul_scalar",
    "div_tensor",
    "pow_scalar",
    "clamp_",
    "clamp_tensor",
    "clamp_min_",
    "clamp_max_",
    "clip_",
    "lerp_scalar",
    "lerp_tensor",
    "addcmul_",
    "addcdiv_",
    "fill_scalar",
    "fill_tensor",
    "copy_same",
    "copy_broadcast",
    "masked_fill_",
    "masked_fill_tensor",
    "masked_scatter_",
    "index_fill_",
    "index_add_",
    "index_copy_",
    "index_put_",
    "index_put_accumulate",
    "scatter_src",
    "scatter_value",
    "scatter_add_",
    "div_floor",
]


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_binary_and_indexed_gradients(name):
    call = BINARY[name]

    def program(T):
        x = T.tensor(MIXED, requires_grad=True)
        y = x * 1
        result = call(T, y)
        (y * T.tensor(WEIGHTS)).sum().backward()
        return [result is y, y, x.grad, y._version]

    run_both(program)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_binary_and_indexed_on_a_view(name):
    call = BINARY[name]

    def program(T):
        x = T.tensor([MIXED, MIXED], requires_grad=True)
        y = x * 1
        row = y[1]
        call(T, row)
        (y * T.tensor([WEIGHTS, WEIGHTS])).sum().backward()
        return [y, row, x.grad, y._version, row._version]

    run_both(program)


def test_gradients_flow_to_the_other_operands():
    def program(T):
        x = T.tensor(MIXED, requires_grad=True)
        other = T.tensor([1.0, -2.0, 0.5, 4.0], requires_grad=True)
        t1 = T.tensor([2.0, 1.0, 3.0, 0.5], requires_grad=True)
        end = T.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        value = T.tensor(3.0, requires_grad=True)
        src = T.tensor([10.0, 20.0], requires_grad=True)
        y = x * 1
        y.mul_(other).add_(other, alpha=2).addcmul_(t1, other).addcdiv_(other, t1, value=0.5)
        y.lerp_(end, 0.3)
        y[1:3].copy_(src)
        y[0].fill_(value)
        (y * T.tensor(WEIGHTS)).sum().backward()
        return [y, x.grad, other.grad, t1.grad, end.grad, value.grad, src.grad, y._version]

    run_both(program)


def test_integer_tensors():
    def program(T):
        a = T.tensor([7, -3, 10, 4])
        a.add_(2).mul_(3).sub_(T.tensor([1, 2, 3, 4]), alpha=2)
        a.div_(2, rounding_mode="floor")
        b = T.tensor([7, -3, 10, 4])
        b.div_(T.tensor([2, 2, -3, 3]), rounding_mode="trunc")
        c = T.tensor([1, 2, 3, 4])
        c.pow_(2).neg_().abs_().clamp_(2, 10).fill_(3.7)
        d = T.zeros(4, dtype=T.int32)
        d.copy_(T.tensor([1.9, -1.9, 2.5, 0.0]))
        return [a, b, c, d, a._version, b._version, c._version, d._version]

    run_both(program)


def test_float64_and_bool_tensors():
    def program(T):
        a = T.tensor([0.5, 1.5], dtype=T.float64)
        a.mul_(T.tensor([2.0, 3.0])).exp_().add_(1)
        m = T.tensor([True, False, True])
        m &= T.tensor([True, True, False])
        m |= T.tensor([False, True, False])
        m ^= T.tensor([True, True, True])
        return [a, m, a._version, m._version]

    run_both(program)


AUGMENTED = {
    "+=": lambda a, b: a.__iadd__(b),
    "-=": lambda a, b: a.__isub__(b),
    "*=": lambda a, b: a.__imul__(b),
    "/=": lambda a, b: a.__itruediv__(b),
    "//=": lambda a, b: a.__ifloordiv__(b),
    "%=": lambda a, b: a.__imod__(b),
    "**=": lambda a, b: a.__ipow__(b),
}


@pytest.mark.parametrize("operator", list(AUGMENTED))
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_augmented_assignment_is_in_place(operator, dtype):
    apply = AUGMENTED[operator]

    def program(T):
        d = getattr(T, dtype)
        a = T.tensor([7, -3, 10, 4], dtype=d)
        alias = a
        ptr = a.data_ptr()
        other = T.tensor([2, 3, -4, 2], dtype=d) if operator != "**=" else 2
        try:
            a = apply(a, other)
        except RuntimeError as error:
            return ["error", str(error), alias, alias._version]
        return [a is alias, a.data_ptr() == ptr, a, a._version]

    run_both(program)


def test_augmented_assignment_statements():
    def program(T):
        a = T.tensor([7, -3, 10, 4])
        b = a
        a += 1
        a -= 2
        a *= 3
        a //= 2
        a %= 5
        a **= 2
        a &= 6
        a |= 1
        a ^= 3
        f = T.tensor([1.5, 2.0])
        g = f
        f /= 2
        f **= 2
        f += T.tensor(1.0)
        return [a is b, f is g, a, f, a._version, f._version]

    run_both(program)


def test_augmented_assignment_records_history():
    def program(T):
        x = T.tensor(MIXED, requires_grad=True)
        y = x * 2
        y += x
        y *= x
        y /= 3
        y **= 2
        y -= 1
        name = type(y.grad_fn).__name__
        y.sum().backward()
        return [name, y, x.grad, y._version]

    run_both(program)


SETITEM = {
    "int": lambda T, a: a.__setitem__(1, 5.0),
    "negative_int": lambda T, a: a.__setitem__(-1, T.tensor([1.0, 2.0, 3.0, 4.0])),
    "slice": lambda T, a: a.__setitem__(slice(0, 2), 0.5),
    "step_slice": lambda T, a: a.__setitem__((slice(None), slice(None, None, 2)), -1.0),
    "tuple": lambda T, a: a.__setitem__((2, 3), 9.0),
    "none": lambda T, a: a.__setitem__((None, 0), T.tensor([[1.0, 2.0, 3.0, 4.0]])),
    "ellipsis": lambda T, a: a.__setitem__((Ellipsis, 1), T.tensor([7.0, 8.0, 9.0])),
    "ellipsis_all": lambda T, a: a.__setitem__(Ellipsis, 2.0),
    "broadcast_row": lambda T, a: a.__setitem__(slice(None), T.tensor([1.0, 2.0, 3.0, 4.0])),
    "leading_ones": lambda T, a: a.__setitem__(0, T.ones(1, 1, 4)),
    "bool_mask": lambda T, a: a.__setitem__(a > 0, 0.0),
    "bool_mask_tensor_value": lambda T, a: a.__setitem__(a < 0, T.tensor(-9.0)),
    "row_mask": lambda T, a: a.__setitem__(
        T.tensor([True, False, True]), T.tensor([1.0, 2.0, 3.0, 4.0])
    ),
    "int_tensor": lambda T, a: a.__setitem__(T.tensor([0, 2]), 3.0),
    "int_tensor_pairs": lambda T, a: a.__setitem__(
        (T.tensor([0, 1, 2]), T.tensor([3, 2, 1])), T.tensor([1.0, 2.0, 3.0])
    ),
    "int_tensor_and_slice": lambda T, a: a.__setitem__(
        (T.tensor([2, 0]), slice(1, 3)), T.tensor([[1.0, 2.0], [3.0, 4.0]])
    ),
    "int_tensor_broadcast": lambda T, a: a.__setitem__(
        (slice(None), T.tensor([0, 3])), T.tensor([5.0, 6.0])
    ),
    "list_index": lambda T, a: a.__setitem__([0, 1], -2.0),
    "bool_scalar": lambda T, a: a.__setitem__(True, 4.0),
    "zero_dim_int_tensor": lambda T, a: a.__setitem__(T.tensor(1), 1.0),
}


@pytest.mark.parametrize("name", list(SETITEM))
def test_setitem_values_and_version(name):
    call = SETITEM[name]

    def program(T):
        a = T.tensor(np.arange(-6.0, 6.0, dtype=np.float32).reshape(3, 4))
        alias = a
        ptr = a.data_ptr()
        array = a.numpy()
        call(T, a)
        return [a is alias, a.data_ptr() == ptr, a, a._version, array.tolist()]

    run_both(program)


@pytest.mark.parametrize("name", list(SETITEM))
def test_setitem_gradients(name):
    call = SETITEM[name]

    def program(T):
        x = T.tensor(np.arange(-6.0, 6.0, dtype=np.float32).reshape(3, 4), requires_grad=True)
        y = x * 1
        call(T, y)
        (y * y).sum().backward()
        return [y, x.grad, y._version]

    run_both(program)


def test_setitem_value_gradient_and_dtype_conversion():
    def program(T):
        x = T.ones(2, 3, requires_grad=True)
        s = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y[1] = s * 3
        y[0, 1] = 5
        y[y > 5] = s.sum()
        (y * y).sum().backward()
        i = T.zeros(3, dtype=T.int64)
        i[0] = 2.7
        i[1:] = T.tensor([1.9, -1.9])
        return [y, x.grad, s.grad, y._version, i]

    run_both(program)


def test_metadata_in_place_ops_bump_the_version():
    def program(T):
        a = T.arange(6.0).reshape(2, 3)
        ptr = a.data_ptr()
        versions = []
        for step in (
            lambda: a.t_(),
            lambda: a.transpose_(0, 1),
            lambda: a.unsqueeze_(0),
            lambda: a.squeeze_(),
            lambda: a.unsqueeze_(-1),
            lambda: a.squeeze_(-1),
            lambda: a.as_strided_((3, 2), (1, 3)),
            lambda: a.requires_grad_(),
        ):
            result = step()
            versions.append([result is a, a._version, tuple(a.shape), a.stride()])
        return [versions, a.data_ptr() == ptr, a.is_leaf]

    run_both(program)


def test_metadata_in_place_ops_record_history():
    def program(T):
        x = T.arange(6.0, requires_grad=True)
        y = x.view(2, 3) * 1
        y.t_()
        n1 = type(y.grad_fn).__name__
        y.unsqueeze_(0)
        n2 = type(y.grad_fn).__name__
        y.squeeze_(0)
        y.transpose_(0, 1)
        n3 = type(y.grad_fn).__name__
        (y * T.arange(6.0).view(2, 3)).sum().backward()
        return [n1, n2, n3, y, x.grad, y._version]

    run_both(program)


def test_metadata_in_place_op_on_a_leaf_requiring_grad():
    def program(T):
        x = T.ones(2, 3, requires_grad=True)
        x.t_()

    run_both(program)


def test_requires_grad_and_detach_in_place():
    def program(T):
        a = T.zeros(3)
        r = a.requires_grad_()
        x = T.ones(3, requires_grad=True)
        y = x * 2
        d = y.detach_()
        return [r is a, a._version, a.requires_grad, d is y, y.requires_grad, y.is_leaf, y._version]

    run_both(program)


def test_detach_in_place_on_a_view():
    def program(T):
        x = T.ones(3, requires_grad=True)
        (x * 2)[1:].detach_()

    run_both(program)


def test_resize_in_place():
    def program(T):
        a = T.arange(6.0)
        ptr = a.data_ptr()
        a.resize_(2, 3)
        same = a.data_ptr() == ptr
        v1 = a._version
        a.resize_(2, 3)
        v2 = a._version
        a.resize_(3)
        return [same, v1, v2, a, a._version]

    run_both(program)


def test_resize_refuses_tensors_that_require_grad_even_under_no_grad():
    def program(T):
        x = T.ones(3, requires_grad=True)
        with T.no_grad():
            x.resize_(2)

    run_both(program)


@pytest.mark.parametrize(
    "call",
    [
        lambda a: a.uniform_(),
        lambda a: a.uniform_(-2, -1),
        lambda a: a.normal_(),
        lambda a: a.normal_(3.0, 0.5),
        lambda a: a.bernoulli_(0.5),
        lambda a: a.random_(0, 10),
        lambda a: a.random_(5),
        lambda a: a.exponential_(),
    ],
    ids=[
        "uniform",
        "uniform_range",
        "normal",
        "normal_args",
        "bernoulli",
        "random_range",
        "random_to",
        "exponential",
    ],
)
def test_random_in_place_identity_and_version(call):
    # The values differ between generators: compare what must agree.
    def program(T):
        a = T.zeros(200)
        ptr = a.data_ptr()
        view = a[:10]
        result = call(a)
        return [
            result is a,
            a.data_ptr() == ptr,
            a._version,
            view._version,
            bool((view == a[:10]).all()),
        ]

    run_both(program)


def test_random_in_place_ranges_and_gradients():
    import mutograd

    mutograd.manual_seed(0)
    a = mutograd.zeros(1000)
    assert bool(((a.uniform_(-2, -1) >= -2) & (a < -1)).all())
    assert bool(((a.random_(0, 10) >= 0) & (a < 10) & (a == a.floor())).all())
    assert bool(((a.bernoulli_(0.3) == 0) | (a == 1)).all())
    assert bool((a.exponential_() >= 0).all())

    def program(T):
        x = T.ones(4, requires_grad=True)
        y = x * 2
        y[:2].normal_()
        y.uniform_() if False else None
        name = type(y.grad_fn).__name__
        y.sum().backward()
        return [name, x.grad]

    run_both(program)


ELEMENTWISE_NO_TEMPORARY = {
    "add_": lambda T, a, b: a.add_(b),
    "sub_": lambda T, a, b: a.sub_(b),
    "mul_": lambda T, a, b: a.mul_(b),
    "div_": lambda T, a, b: a.div_(b),
    "mul_scalar": lambda T, a, b: a.mul_(3.0),
    "exp_": lambda T, a, b: a.exp_(),
    "sigmoid_": lambda T, a, b: a.sigmoid_(),
    "relu_": lambda T, a, b: a.relu_(),
    "neg_": lambda T, a, b: a.neg_(),
    "sqrt_": lambda T, a, b: a.abs_().sqrt_(),
    "tanh_": lambda T, a, b: a.tanh_(),
    "copy_": lambda T, a, b: a.copy_(b),
    "fill_": lambda T, a, b: a.fill_(1.5),
    "zero_": lambda T, a, b: a.zero_(),
    "clamp_": lambda T, a, b: a.clamp_(-0.5, 0.5),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE_NO_TEMPORARY))
def test_elementwise_in_place_allocates_no_tensor_sized_temporary(name):
    """Matching shapes write through ufunc ``out=``: peak allocation well below one tensor."""
    import tracemalloc

    import mutograd

    call = ELEMENTWISE_NO_TEMPORARY[name]
    n = 1_000_000
    a = mutograd.from_numpy(np.random.default_rng(0).uniform(0.5, 2.0, n).astype(np.float32))
    b = mutograd.from_numpy(np.random.default_rng(1).uniform(0.5, 2.0, n).astype(np.float32))
    call(mutograd, a, b)  # warm up caches
    tracemalloc.start()
    try:
        ptr = a.data_ptr()
        call(mutograd, a, b)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert a.data_ptr() == ptr
    assert peak < a.numel() * a.element_size() // 4, f"{name} peaked at {peak} bytes"


def test_which_indexing_gives_a_slice_view_and_which_an_alias():
    # Regression (found by the state machine): a lone slice is always a slice
    # (x[:] is SliceBackward0); inside a tuple, a slice over the whole dimension
    # starting at 0 is skipped, so x[0:4,] is PyTorch's alias; writes through
    # either reach the base.
    def program(T):
        x = T.ones(4, 3, requires_grad=True)
        y = x * 1
        keys = [
            slice(None),
            slice(0, 10),
            (slice(0, 10),),
            (slice(-4, 4),),
            (slice(None), slice(0, 3)),
            Ellipsis,
            (),
            (slice(0, 4, 1), 0),
        ]
        names = [type(y[k].grad_fn).__name__ for k in keys]
        y[:].mul_(2)
        y[0:4, :].add_(1)
        y[...].mul_(3)
        y.sum().backward()
        return [names, y, x.grad, y._version]

    run_both(program)
