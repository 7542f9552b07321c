"""Bad input to ops: PyTorch's exception type and message, and every tensor left as it was.

The op_db error samples cover each op's own checks; these are the cases that need more
than one call: ``out=`` tensors that must stay untouched, errors raised by the argument
parser, dims out of range everywhere, and errors found during backward.
"""

from __future__ import annotations

import pytest
from _harness import Raised
from conftest import requires_torch
from op_db import check_both

pytestmark = requires_torch


def attempt(f):
    try:
        return f()
    except Exception as exc:  # noqa: BLE001 - the error is the result under test
        return Raised(exc)


OUT_ERRORS = {
    "add_int_out": lambda T, a, b, o: T.add(a, b, out=o.long()),
    "mul_bool_out": lambda T, a, b, o: T.mul(a, b, out=o.bool()),
    "div_int_out": lambda T, a, b, o: T.div(a.long(), b.long(), out=o.long()),
    "exp_int_out": lambda T, a, b, o: T.exp(a, out=o.int()),
    "add_out_requires_grad": lambda T, a, b, o: T.add(a.requires_grad_(), b, out=o),
    "add_out_is_grad_leaf": lambda T, a, b, o: T.add(a, b, out=o.requires_grad_()),
    "cat_out_requires_grad": lambda T, a, b, o: T.cat([a.requires_grad_(), b], out=o),
    "clamp_out_int": lambda T, a, b, o: T.clamp(a, 0.1, 0.2, out=o.long()),
}


@pytest.mark.parametrize("name", list(OUT_ERRORS))
def test_out_error_leaves_out_untouched(name):
    def program(T):
        a = T.tensor([[1.5, -2.0, 0.5]])
        b = T.tensor([[0.5, 3.0, -1.0]])
        o = T.zeros(1, 3)
        if name.endswith("_out") or name.startswith(("div_int", "exp_int", "clamp_out")):
            target = {"long": T.int64, "int": T.int32, "bool": T.bool}
            kind = name.split("_")[-1] if name.split("_")[-1] in target else "long"
            o = o.to(target.get(kind, T.int64))
        result = attempt(lambda: OUT_ERRORS[name](T, a, b, o))
        return {"result": result, "out": o, "version": o._version, "a": a, "b": b}

    _, expected = check_both(program)


DIM_ERRORS = {
    "sum": lambda T, x: x.sum(3),
    "sum_negative": lambda T, x: x.sum(-4),
    "mean_list": lambda T, x: x.mean([0, 5]),
    "max": lambda T, x: x.max(2),
    "argmax": lambda T, x: x.argmax(-3),
    "softmax": lambda T, x: x.softmax(2),
    "cumsum": lambda T, x: x.cumsum(2),
    "transpose": lambda T, x: x.transpose(0, 2),
    "unsqueeze": lambda T, x: x.unsqueeze(4),
    "squeeze": lambda T, x: x.squeeze(2),
    "select": lambda T, x: x.select(2, 0),
    "narrow": lambda T, x: x.narrow(-3, 0, 1),
    "flatten": lambda T, x: x.flatten(0, 2),
    "cat": lambda T, x: T.cat([x, x], 2),
    "stack": lambda T, x: T.stack([x, x], 3),
    "gather": lambda T, x: x.gather(2, T.zeros(2, 3, dtype=T.int64)),
    "index_select": lambda T, x: x.index_select(2, T.tensor([0])),
    "diagonal": lambda T, x: x.diagonal(0, 0, 2),
    "split": lambda T, x: x.split(1, 2),
    "unbind": lambda T, x: x.unbind(2),
    "logsumexp": lambda T, x: x.logsumexp(2),
    "var": lambda T, x: x.var(2),
}


@pytest.mark.parametrize("name", list(DIM_ERRORS))
def test_dim_out_of_range(name):
    def program(T):
        x = T.ones(2, 3)
        return [attempt(lambda: DIM_ERRORS[name](T, x)), x, x._version]

    check_both(program)


PARSER_ERRORS = {
    "add_string": lambda T, x: T.add(x, "a"),
    "mul_none": lambda T, x: x * None,
    "maximum_scalar": lambda T, x: T.maximum(x, 1.0),
    "maximum_scalar_method": lambda T, x: x.maximum(1.0),
    "logical_and_scalar": lambda T, x: T.logical_and(x, True),
    "flip_int": lambda T, x: T.flip(x, 0),
    "permute_no_dims": lambda T, x: x.permute(),
    "softmax_no_dim": lambda T, x: T.softmax(x),
    "randint_int_size": lambda T, x: T.randint(5, 3),
    "zeros_float_size": lambda T, x: T.zeros(2.5),
}


@pytest.mark.parametrize("name", list(PARSER_ERRORS))
def test_argument_errors(name):
    def program(T):
        x = T.ones(2, 3)
        return attempt(lambda: PARSER_ERRORS[name](T, x))

    _, expected = check_both(program)
    assert isinstance(expected, Raised)


INDEX_ERRORS = {
    "too_many": lambda T, x: x[0, 0, 0],
    "int_out_of_range": lambda T, x: x[2],
    "negative_out_of_range": lambda T, x: x[:, -4],
    "tensor_out_of_range": lambda T, x: x[T.tensor([0, 2])],
    "float_index": lambda T, x: x[1.5],
    "bool_mask_shape": lambda T, x: x[T.tensor([True, False, True])],
    "zero_step": lambda T, x: x[::0],
    "setitem_shape": lambda T, x: x.__setitem__(0, T.ones(4)),
    "setitem_out_of_range": lambda T, x: x.__setitem__(5, 1.0),
    "setitem_index_values": lambda T, x: x.__setitem__(T.tensor([0, 1]), T.ones(3, 3)),
}


@pytest.mark.parametrize("name", list(INDEX_ERRORS))
def test_indexing_errors_leave_tensor_untouched(name):
    def program(T):
        x = T.arange(6.0).view(2, 3)
        return [attempt(lambda: INDEX_ERRORS[name](T, x)), x, x._version]

    check_both(program)


ALPHA_ERRORS = {
    # The op's own check runs on the plain path too (one floating dtype), before any write.
    "add_bool_alpha": lambda T, a, b: a.add(b, alpha=True),
    "add__bool_alpha": lambda T, a, b: a.add_(b, alpha=True),
    "sub_bool_alpha": lambda T, a, b: a.sub(b, alpha=True),
    "sub__bool_alpha_grad": lambda T, a, b: (a * 1).sub_(b.requires_grad_(), alpha=False),
    "add_int_float_alpha": lambda T, a, b: a.long().add(b.long(), alpha=0.5),
    "add__int_float_alpha": lambda T, a, b: a.long().add_(b.long(), alpha=0.5),
}


@pytest.mark.parametrize("name", list(ALPHA_ERRORS))
def test_alpha_errors_leave_tensors_untouched(name):
    def program(T):
        a, b = T.tensor([1.5, -2.0, 0.5]), T.tensor([0.25, 1.0, 3.0])
        return [attempt(lambda: ALPHA_ERRORS[name](T, a, b)), a, b, a._version, b._version]

    result, _ = check_both(program)
    assert isinstance(result[0], Raised)


# Unary ops that keep their input's dtype: out= must have that dtype (TensorIterator's
# check_all_same_dtype), checked before a missing kernel (frac of an integer) and after the
# op's own checks (neg of a bool); Bool has no kernel for abs/floor/ceil/trunc/round.
SAME_DTYPE_UNARY = ["neg", "abs", "sign", "sgn", "floor", "ceil", "trunc", "round", "frac"]
SAME_DTYPE_UNARY += ["bitwise_not", "relu"]
DTYPE_PAIRS = [("long", "float"), ("float", "double"), ("float", "float"), ("long", "long")]
DTYPE_PAIRS += [("int", "long"), ("bool", "bool"), ("bool", "float"), ("float", "long")]


@pytest.mark.parametrize("name", SAME_DTYPE_UNARY)
@pytest.mark.parametrize("source, target", DTYPE_PAIRS)
def test_unary_out_dtype_and_missing_kernels(name, source, target):
    def program(T):
        x = getattr(T.tensor([1.5, -2.0, 0.0]), source)()
        out = getattr(T.zeros(3), target)()
        results = [attempt(lambda: getattr(T, name)(x, out=out)), out, out._version]
        results += [attempt(lambda: getattr(T, name)(x))]
        results += [attempt(lambda: getattr(x, name + "_")()), x, x._version]
        return results

    check_both(program)


def test_backward_through_not_implemented_derivative():
    def program(T):
        x = T.tensor([3.0, 5.0], requires_grad=True)
        y = x // 2
        return [type(y.grad_fn).__name__, attempt(lambda: y.sum().backward()), x.grad]

    check_both(program)


def test_backward_through_legacy_scatter_reduce_spelling():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x.scatter_reduce(0, T.tensor([0, 0]), T.tensor([5.0, 7.0]), "max")
        return [y, attempt(lambda: y.sum().backward())]

    check_both(program)


def test_invalid_gradient_names_the_input():
    """scatter with a src larger than its index: PyTorch's own backward returns a gradient
    of the index's shape for src, and the engine refuses it naming input 1."""

    def program(T):
        x = T.zeros(3, 4, requires_grad=True)
        src = T.ones(2, 4, requires_grad=True)
        y = x.scatter(0, T.tensor([[2, 0, 1, 2]]), src)
        return attempt(lambda: y.sum().backward())

    check_both(program)


def test_no_numpy_warning_from_integer_division_by_zero():
    def program(T):
        a = T.tensor([1, 2])
        return [
            attempt(lambda: a // 0),
            attempt(lambda: a % 0),
            a / 0,
            T.tensor([1.0]) // 0,
            T.tensor([0.0]) / 0,
        ]

    check_both(program)


CONVERSIONS = {"float": float, "int": int, "complex": complex, "bool": bool}


@pytest.mark.parametrize("name", list(CONVERSIONS))
@pytest.mark.parametrize("shape", [(0,), (2,), (1, 1)])
def test_python_scalar_conversions(name, shape):
    # float/int/complex of a tensor that is not one element: ValueError; bool: RuntimeError,
    # "no values" for an empty tensor.
    def program(T):
        return attempt(lambda: CONVERSIONS[name](T.ones(shape)))

    check_both(program)


def test_float_of_a_tensor_requiring_grad_warns_once_per_process():
    import subprocess
    import sys

    script = (
        "import warnings, {module} as T\n"
        "x = T.tensor([1.5], requires_grad=True)\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    int(x), float(x.detach()), float(x * 2), float(x), complex(x)\n"
        "print([str(m.message).split(' (Triggered')[0] for m in w])\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script.format(module=module)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for module in ("torch", "mutograd")
    ]
    assert outputs[0] == outputs[1]
    assert "requires_grad=True to a scalar" in outputs[0]
