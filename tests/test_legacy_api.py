"""Legacy and small API side by side with PyTorch: Variable, InplaceFunction, Tensor.new,
torch.FloatTensor & co., unsafe_split, split_with_sizes, var_mean / std_mean,
randn_like(device=), grad-mode decorator forms, settable _backward_hooks."""

from __future__ import annotations

import warnings
from collections import OrderedDict

import numpy as np
import pytest
from _harness import run_both
from conftest import requires_torch

import mutograd

pytestmark = requires_torch


def _raises(program):
    def wrapped(T):
        state = {}
        try:
            program(T, state)
        except Exception as error:  # noqa: BLE001 - compared by the harness
            state["error"] = (type(error).__name__, str(error).split("\n\nmutograd")[0])
        return state

    return wrapped


def _warnings_of(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    # NB: PyTorch's C++ warnings end with where they were triggered.
    texts = [str(w.message).split(" (Triggered internally")[0] for w in caught]
    return result, [(w.category.__name__, text) for w, text in zip(caught, texts)]


# --- Variable ---------------------------------------------------------------------------------------


def test_variable_returns_a_detached_tensor_sharing_memory_and_version():
    def program(T):
        a = T.tensor([1.0, 2.0])
        v = T.autograd.Variable(a, requires_grad=True)
        facts = [v, v.is_leaf, type(v) is T.Tensor, v.data_ptr() == a.data_ptr(), a.requires_grad]
        a.add_(1)
        facts += [v._version, a._version]
        x = T.ones(2, requires_grad=True) * 2
        w = T.autograd.Variable(x)
        facts += [w, w.grad_fn is None, T.autograd.Variable(a, requires_grad=False)]
        return facts

    run_both(program)


def test_variable_isinstance():
    def program(T):
        V = T.autograd.Variable
        p = T.nn.Parameter(T.ones(2))
        return [
            isinstance(T.ones(2), V),
            isinstance(3, V),
            isinstance(p, V),
            issubclass(T.Tensor, V),
            type(V(p)) is T.Tensor,
            V.__name__,
        ]

    run_both(program)


def test_variable_errors_and_defaults():
    run_both(lambda T: T.autograd.Variable())
    run_both(_raises(lambda T, s: T.autograd.Variable([1.0, 2.0])))
    run_both(
        _raises(lambda T, s: T.autograd.Variable(T.tensor([1, 2]), requires_grad=True)),
        message="exact",
    )
    result = run_both(lambda T: _warnings_of(lambda: T.autograd.Variable(T.ones(2), volatile=True)))
    assert result[1][0][0] == "UserWarning"


# --- InplaceFunction --------------------------------------------------------------------------------


def test_inplace_function():
    def program(T):
        from_module = __import__(T.__name__ + ".autograd.function", fromlist=["InplaceFunction"])
        InplaceFunction = from_module.InplaceFunction

        class Double(InplaceFunction):
            @staticmethod
            def forward(ctx, x, inplace=False):
                if inplace:
                    ctx.mark_dirty(x)
                    return x.mul_(2)
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad * 2, None

        x = T.ones(2, requires_grad=True)
        y = x.clone()
        out = Double.apply(y, True)
        out.sum().backward()
        return [
            issubclass(InplaceFunction, T.autograd.Function),
            _warnings_of(lambda: InplaceFunction(True).inplace)[0],
            _warnings_of(lambda: InplaceFunction().inplace)[0],
            out,
            out is y,
            Double.apply(x, False),
            x.grad,
        ]

    run_both(program)


# --- Tensor.new and legacy tensor types -------------------------------------------------------------

NEW_CALLS = {
    "empty": lambda T, a: a.new(),
    "sizes": lambda T, a: a.new(2, 3).shape,
    "tuple data": lambda T, a: a.new((2, 3)),
    "list data": lambda T, a: a.new([2, 3]),
    "torch.Size": lambda T, a: a.new(T.Size([2, 3])).shape,
    "zero size": lambda T, a: a.new(0),
    "empty list": lambda T, a: a.new([]),
    "numpy data": lambda T, a: a.new(np.array([1.0, 2.0])),
    "device": lambda T, a: a.new([1.0], device="cpu"),
    "int from floats": lambda T, a: a.long().new([1.5, 2.5]),
    "alias": lambda T, a: a.new(a.detach()),
    "other dtype": lambda T, a: a.new(T.tensor([1, 2])),
    "0-dim other dtype": lambda T, a: a.new(T.tensor(3)),
    "dtype keyword": lambda T, a: a.new(2, dtype=T.float32),
    "requires_grad keyword": lambda T, a: a.new([1.0], requires_grad=True),
    "negative size": lambda T, a: a.new(-1),
    "float": lambda T, a: a.new(2.5),
    "bool": lambda T, a: a.new(True),
    "None": lambda T, a: a.new(None),
    "str": lambda T, a: a.new("x"),
    "size then str": lambda T, a: a.new(2, "x"),
    "tensor and int": lambda T, a: a.new(T.ones(2, dtype=T.float64), 3),
    "list and int": lambda T, a: a.new([1], 2),
}


@pytest.mark.parametrize("name", sorted(NEW_CALLS))
def test_tensor_new(name):
    call = NEW_CALLS[name]

    def program(T, state):
        a = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
        out = call(T, a)
        if isinstance(out, T.Tensor) and out.numel():
            out = out.detach() if name != "alias" else out
        state["out"] = out if not isinstance(out, T.Tensor) or name != "sizes" else out.shape

    run_both(_raises(program), message="exact")


def test_tensor_new_of_a_tensor_is_an_alias():
    def program(T):
        a = T.ones(2)
        r = T.ones(2, requires_grad=True)
        n = a.new(r)
        return [n, n._is_view(), n._base is r, n.data_ptr() == r.data_ptr(), T.FloatTensor(r)]

    run_both(program)


LEGACY_TYPES = [
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
    "BoolTensor",
]


@pytest.mark.parametrize("name", LEGACY_TYPES)
def test_legacy_type_constructs_and_checks_instances(name):
    def program(T):
        cls = getattr(T, name)
        made = cls([1, 0, 2])
        other = T.ones(2, dtype=T.float16 if name != "HalfTensor" else T.float32)
        return [
            made,
            cls(2, 3).shape,
            cls().shape,
            cls(T.Size([2])).shape,
            cls(size=(2,)).shape,
            isinstance(made, cls),
            isinstance(other, cls),
            isinstance(made, (T.FloatTensor, T.DoubleTensor)),
            cls.dtype,
            cls.is_sparse,
            cls.__name__,
            issubclass(cls, T.Tensor),
            type(made) is T.Tensor,
        ]

    run_both(program)


def test_legacy_type_errors_and_conversions():
    run_both(_raises(lambda T, s: T.FloatTensor(T.tensor([1.0], dtype=T.float64))), message="exact")
    run_both(_raises(lambda T, s: T.FloatTensor(2.5)), message="exact")
    run_both(_raises(lambda T, s: T.FloatTensor([1.0], requires_grad=True)), message="exact")

    def program(T):
        a = T.tensor([1.5, 2.0], dtype=T.float64)
        p = T.nn.Parameter(T.ones(2))
        return [
            a.type(),
            a.type(T.LongTensor),
            a.type(T.FloatTensor).dtype,
            a.type("torch.IntTensor"),
            isinstance(p, T.FloatTensor),
        ]

    run_both(program)


# --- split_with_sizes, unsafe_split -----------------------------------------------------------------


def _x(T):
    return T.tensor([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]], requires_grad=True)


def test_split_with_sizes():
    run_both(lambda T: T.split_with_sizes(_x(T), [1, 2], dim=1))
    run_both(lambda T: _x(T).split_with_sizes([1, 1]))
    run_both(_raises(lambda T, s: T.split_with_sizes(_x(T), [1, 1], dim=1)), message="exact")
    run_both(_raises(lambda T, s: T.split_with_sizes(_x(T), 2)), message="exact")


def test_unsafe_split_shares_memory_without_being_a_view():
    def program(T):
        x = _x(T)
        y = x * 1
        a, b = T.unsafe_split(y, 1)
        facts = [a, b, a._is_view(), a._base is None, b.storage_offset(), a.is_leaf]
        facts.append(b.untyped_storage().data_ptr() == y.untyped_storage().data_ptr())
        a.add_(1)
        facts += [a, y, a._version, y._version, b._version]
        (a.sum() + 2 * b.sum()).backward()
        return facts + [x.grad]

    run_both(program)


def test_unsafe_split_forms():
    run_both(lambda T: T.unsafe_split(_x(T), 2, dim=1))
    run_both(lambda T: _x(T).unsafe_split(2, 1))
    run_both(lambda T: T.unsafe_split(T.ones(3), 2))
    run_both(_raises(lambda T, s: T.unsafe_split(_x(T), [1, 1])), message="exact")

    def no_grad(T):
        y = _x(T) * 1
        with T.no_grad():
            c, d = T.unsafe_split(y, 1)
        return [c, d, c._is_view(), d.storage_offset()]

    run_both(no_grad)


# --- var_mean, std_mean -----------------------------------------------------------------------------

MOMENTS = {
    "all": lambda T, f, x: f(x),
    "dim keepdim correction": lambda T, f, x: f(x, 1, keepdim=True, correction=0),
    "unbiased keyword": lambda T, f, x: f(x, dim=0, unbiased=False),
    "dims": lambda T, f, x: f(x, (0, 1)),
    "unbiased positional": lambda T, f, x: f(x, 1, True),
    "keepdim all": lambda T, f, x: f(x, keepdim=True),
    "bool as dim": lambda T, f, x: f(x, False),
}


@pytest.mark.parametrize("fn", ["var_mean", "std_mean"])
@pytest.mark.parametrize("case", sorted(MOMENTS))
@pytest.mark.parametrize("used", [(0,), (1,), (0, 1)])
def test_moments_and_their_gradients(fn, case, used):
    def program(T):
        x = _x(T)
        result = MOMENTS[case](T, getattr(T, fn), x)
        loss = sum(result[k].sum() for k in used)
        loss.backward()
        return [type(result).__name__, result, x.grad]

    run_both(program)


@pytest.mark.parametrize("fn", ["var_mean", "std_mean"])
def test_moments_errors_and_gradcheck(fn):
    run_both(_raises(lambda T, s: getattr(T, fn)(T.tensor([1, 2]))), message="exact")
    result = run_both(lambda T: _warnings_of(lambda: getattr(T, fn)(T.ones(1))))
    assert "degrees of freedom is <= 0" in result[1][0][1]
    x = mutograd.tensor([[0.5, 1.5, -2.0], [3.0, 1.0, 0.25]], dtype=mutograd.float64)
    x.requires_grad_()
    f = getattr(mutograd, fn)
    assert mutograd.autograd.gradcheck(lambda t: f(t, 1), (x,))
    assert mutograd.autograd.gradgradcheck(lambda t: f(t, 0, keepdim=True), (x,))


# --- randn_like(device=) ------------------------------------------------------------------------------


def test_random_like_accepts_the_cpu_device():
    def program(T):
        x = T.ones(2, 3)
        return [
            T.randn_like(x, device="cpu").shape,
            T.rand_like(x, device=T.device("cpu"), dtype=T.float64).dtype,
        ]

    run_both(program)


# --- grad-mode decorator forms ------------------------------------------------------------------------


def test_no_grad_and_enable_grad_decorate_without_parentheses():
    def program(T):
        @T.no_grad
        def off():
            return T.is_grad_enabled()

        @T.enable_grad
        def on():
            return T.is_grad_enabled()

        @T.no_grad()
        def off_called():
            return T.is_grad_enabled()

        with T.no_grad():
            inside = on()
        return [off(), off_called(), inside, off.__name__, T.is_grad_enabled()]

    run_both(program)


def test_decorated_generator_and_class():
    def program(T):
        @T.no_grad()
        def steps():
            yield T.is_grad_enabled()
            yield T.is_grad_enabled()

        seen = [[flag, T.is_grad_enabled()] for flag in steps()]

        def decorate_class():
            @T.no_grad()
            class Holder:
                def __init__(self):
                    self.grad = T.is_grad_enabled()

            return Holder().grad

        return [seen, _warnings_of(decorate_class)]

    run_both(program)


def test_set_grad_enabled_needs_a_bool():
    run_both(_raises(lambda T, s: T.set_grad_enabled(lambda: 1)), message="exact")


# --- _backward_hooks -----------------------------------------------------------------------------------


def test_backward_hooks_of_a_leaf():
    def program(T):
        x = T.ones(2, requires_grad=True)
        facts = [x._backward_hooks]
        x.register_hook(lambda g: g * 2)
        facts.append(len(x._backward_hooks))
        x._backward_hooks = None
        facts.append(x._backward_hooks)
        (x * 1).sum().backward()
        facts.append(x.grad)
        y = T.ones(2, requires_grad=True)
        hooks = OrderedDict()
        y._backward_hooks = hooks
        facts.append(y._backward_hooks is hooks)
        hooks[0] = lambda g: g * 3
        y.register_hook(lambda g: g + 1)
        facts.append(len(hooks))
        (y * 1).sum().backward()
        return facts + [y.grad]

    run_both(program)


def test_backward_hooks_of_a_non_leaf_only_record_the_assignment():
    def program(T):
        w = T.ones(2, requires_grad=True)
        z = w * 1
        z.register_hook(lambda g: g * 5)
        facts = [len(z._backward_hooks)]
        replacement = OrderedDict([(0, lambda g: g * 7)])
        z._backward_hooks = replacement
        facts.append(z._backward_hooks is replacement)
        z.sum().backward()
        facts.append(w.grad.clone())
        z = w * 1
        z.register_hook(lambda g: g * 5)
        z._backward_hooks = None
        facts.append(z._backward_hooks)
        z.sum().backward()
        return facts + [w.grad]

    run_both(program)


def test_backward_hooks_cannot_be_deleted():
    def program(T, state):
        x = T.ones(2, requires_grad=True)
        del x._backward_hooks

    run_both(_raises(program), message="exact")


def test_saved_variables_is_the_deprecated_saved_tensors():
    def program(T):
        class Mul(T.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a * b

            @staticmethod
            def backward(ctx, grad):
                a, b = ctx.saved_variables
                return (
                    grad * b if ctx.needs_input_grad[0] else None,
                    grad * a if ctx.needs_input_grad[1] else None,
                )

        a = T.ones(2, requires_grad=True)
        b = T.full((2,), 3.0)
        _, caught = _warnings_of(lambda: Mul.apply(a, b).sum().backward())
        return [a.grad, caught]

    run_both(program)


def test_legacy_constructor_idioms():
    def program(T):
        x = T.ones(2, 3)
        noise = x.new().resize_as_(x)
        return [noise.shape, noise.dtype, x.new(x.size()).shape, x.new_zeros(2)]

    run_both(program)


def test_instantiating_a_function_is_deprecated():
    def program(T):
        InplaceFunction = T.autograd.function.InplaceFunction

        class Plain(T.autograd.Function):
            pass

        caught = []
        for make in (Plain, T.autograd.Function, lambda: InplaceFunction(True)):
            instance, warned = _warnings_of(make)
            caught.append([w[0] for w in warned])
            caught.append(warned[0][1].split(" should not be instantiated.")[1] if warned else "")
        inplace, warned = _warnings_of(lambda: InplaceFunction(True).inplace)
        return [caught, inplace, [w[0] for w in warned]]

    run_both(program)
