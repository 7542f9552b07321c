"""torch.autograd.gradcheck / gradgradcheck side by side with PyTorch: results,
GradcheckError texts, warnings and argument checks."""

from __future__ import annotations

import warnings

import pytest
from _harness import run_both
from conftest import requires_torch

import mutograd
from mutograd.autograd.gradcheck import GradcheckError

pytestmark = requires_torch


def _outcome(T, call):
    """(result or (error type, message), warnings) of ``call(T)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call(T)
        except Exception as error:  # noqa: BLE001 - compared across engines
            result = (type(error).__name__, str(error))
    messages = [str(w.message) for w in caught if "jit" not in str(w.message)]
    return [result, messages]


def _same(call):
    return run_both(lambda T: _outcome(T, call), message="exact")


def _x(T, values=(1.0, 2.0)):
    return T.tensor(list(values), dtype=T.float64, requires_grad=True)


def _y(T):
    return T.linspace(-1, 1, 6, dtype=T.float64).reshape(2, 3).requires_grad_()


def _square_with_wrong_backward(T):
    class Square(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x  # should be 2 * grad * x

    return Square.apply


def test_error_class():
    assert issubclass(GradcheckError, RuntimeError)
    assert GradcheckError.__module__ == "mutograd.autograd.gradcheck"
    # As torch's: the function shadows its module on the package.
    assert mutograd.autograd.gradcheck.__name__ == "gradcheck"
    assert not hasattr(mutograd.autograd.gradcheck, "GradcheckError")


@pytest.mark.parametrize(
    "call",
    [
        lambda T: T.autograd.gradcheck(T.sin, _x(T)),
        lambda T: T.autograd.gradcheck(T.sin, (_x(T),), fast_mode=True),
        lambda T: T.autograd.gradgradcheck(T.sin, (_x(T),), (T.ones(2, dtype=T.float64),)),
        lambda T: T.autograd.gradcheck(lambda a, b: (a * b, a + b), (_x(T).view(2, 1), _y(T))),
        lambda T: T.autograd.gradcheck(
            lambda a, b: (a * b, a + b), (_x(T).view(2, 1), _y(T)), fast_mode=True
        ),
        lambda T: T.autograd.gradcheck(T.mm, (_y(T), _y(T).t().detach().requires_grad_())),
        lambda T: T.autograd.gradcheck(lambda t, n: t * n, (_x(T), 3)),
        lambda T: T.autograd.gradcheck(lambda t: t.sum(), [_x(T)]),
        lambda T: T.autograd.gradcheck(
            lambda t: t * t, (T.tensor(1.5, dtype=T.float64, requires_grad=True),)
        ),
        lambda T: T.autograd.gradcheck(T.sin, _x(T), check_batched_grad=True),
        lambda T: T.autograd.gradcheck(
            T.sin,
            _x(T),
            eps=1e-3,
            atol=1e-4,
            rtol=1e-2,
            nondet_tol=1e-9,
            check_undefined_grad=False,
            check_grad_dtypes=True,
            masked=False,
        ),
        lambda T: T.autograd.gradcheck(lambda t: T.softmax(t, 0), _x(T, (0.1, 0.5, -2.0))),
        lambda T: T.autograd.gradcheck(lambda t: t.unbind(), (_y(T),)),
    ],
)
def test_passing_checks(call):
    assert _same(call)[0] is True


def test_jacobian_mismatch_message():
    result = _same(lambda T: T.autograd.gradcheck(_square_with_wrong_backward(T), (_x(T),)))
    name, message = result[0]
    assert name == "GradcheckError"
    assert message.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")


def test_mismatch_with_raise_exception_false():
    result = _same(
        lambda T: T.autograd.gradcheck(
            _square_with_wrong_backward(T), (_x(T),), raise_exception=False
        )
    )
    assert result[0] is False


def test_mismatch_for_a_later_output_and_input():
    def call(T):
        def f(a, b):
            return a * 2, a * b.detach()  # the second output's b-gradient is missing

        return T.autograd.gradcheck(f, (_x(T), _x(T, (3.0, 4.0))))

    assert "for output 1 with respect to input 1" in _same(call)[0][1]


def test_tolerances_decide():
    _same(lambda T: T.autograd.gradcheck(T.exp, _x(T), eps=1e-1, atol=1e-12, rtol=1e-12))
    _same(lambda T: T.autograd.gradcheck(T.exp, _x(T), eps=1e-1, atol=1e-1, rtol=1e-2))


def test_float32_input_warns_and_mismatch_prints_float_jacobians():
    result = _same(
        lambda T: T.autograd.gradcheck(lambda t: t * 2, (T.ones(2, requires_grad=True),))
    )
    assert result[1][0].startswith("Input #0 requires gradient and is not a double precision")


def test_float_output_of_double_input():
    _same(lambda T: T.autograd.gradcheck(lambda t: t.float() * 2, (_x(T),), check_grad_dtypes=True))


def test_input_errors():
    _same(lambda T: T.autograd.gradcheck(lambda t: t * 2, (T.ones(2, dtype=T.float64),)))
    _same(
        lambda T: T.autograd.gradcheck(
            lambda t: t * 2, (T.ones(1, dtype=T.float64, requires_grad=True).expand(3),)
        )
    )


def test_argument_assertions():
    _same(lambda T: T.autograd.gradcheck(T.sin, _x(T), check_backward_ad=False))
    _same(
        lambda T: T.autograd.gradcheck(
            T.sin, _x(T), check_backward_ad=False, check_batched_grad=True
        )
    )
    _same(lambda T: T.autograd.gradcheck(T.sin, _x(T), check_batched_forward_grad=True))
    _same(lambda T: T.autograd.gradgradcheck(T.sin, (_x(T),), check_rev_over_rev=False))
    _same(
        lambda T: T.autograd.gradgradcheck(
            T.sin, (_x(T),), check_rev_over_rev=False, check_undefined_grad=False
        )
    )


def test_forward_mode_is_not_supported():
    x = mutograd.ones(2, dtype=mutograd.float64, requires_grad=True)
    with pytest.raises(NotImplementedError, match="forward-mode AD"):
        mutograd.autograd.gradcheck(mutograd.sin, x, check_forward_ad=True)


def test_outputs_without_gradient():
    _same(lambda T: T.autograd.gradcheck(lambda t: (t > 0).double(), (_x(T),)))
    _same(lambda T: T.autograd.gradcheck(lambda t: (t > 0).double(), (_x(T),), fast_mode=True))
    _same(lambda T: T.autograd.gradcheck(lambda t: t.detach() * 2, (_x(T),)))
    _same(lambda T: T.autograd.gradcheck(lambda t: t.detach() * 2, (_x(T),), fast_mode=True))


def _function(T, backward):
    class Op(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

    Op.backward = staticmethod(backward)
    return Op.apply


def test_backward_not_multiplied_by_grad_output():
    _same(
        lambda T: T.autograd.gradcheck(
            _function(T, lambda ctx, g: T.ones_like(g)), (_x(T, (1.0,)),)
        )
    )


def test_backward_not_reentrant():
    def call(T):
        calls = []

        def backward(ctx, g):
            calls.append(1)
            return g * (1 + 1e-9 * len(calls))

        return [
            T.autograd.gradcheck(_function(T, backward), (_x(T),), raise_exception=False),
            T.autograd.gradcheck(_function(T, backward), (_x(T),), nondet_tol=1e-6),
        ]

    assert _same(call)[0] == [False, True]

    def message(T):
        calls = []

        def backward(ctx, g):
            calls.append(1)
            return g * (1 + 1e-9 * len(calls))

        return T.autograd.gradcheck(_function(T, backward), (_x(T),))

    assert _same(message)[0][1].startswith("Backward is not reentrant")


def test_fast_mode_mismatch_message():
    # NB: the scalars v^T J u depend on the random vectors; the slow-mode
    # Jacobians that follow them do not.
    def call(T):
        try:
            T.autograd.gradcheck(_square_with_wrong_backward(T), (_x(T),), fast_mode=True)
        except Exception as error:  # noqa: BLE001
            text = str(error)
            head, rest = text.split("\nnumerical:", 1)
            return [type(error).__name__, head, rest.split("\n\nThe above", 1)[1]]

    run_both(call, message="exact")


def test_gradcheck_leaves_inputs_untouched():
    def call(T):
        x, y = _x(T), _y(T)
        T.autograd.gradcheck(lambda a, b: a.view(2, 1) * b, (x, y))
        return [x, y, x._version, y._version]

    run_both(call)


def test_gradgradcheck():
    for call in [
        lambda T: T.autograd.gradgradcheck(T.sin, _x(T)),
        lambda T: T.autograd.gradgradcheck(T.sin, (_x(T),), fast_mode=True),
        lambda T: T.autograd.gradgradcheck(
            lambda a, b: (a * b * b, a + b), (_x(T).view(2, 1), _y(T))
        ),
        lambda T: T.autograd.gradgradcheck(T.mm, (_y(T), _y(T).t().detach().requires_grad_())),
        lambda T: T.autograd.gradgradcheck(
            lambda a: a * a * a, (_y(T),), gen_non_contig_grad_outputs=True
        ),
    ]:
        assert _same(call)[0] is True


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    def call(T):
        class Square(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * g * x.detach()

        ones = T.ones(2, dtype=T.float64, requires_grad=True)
        return T.autograd.gradgradcheck(Square.apply, (_x(T),), (ones,))

    name, message = _same(call)[0]
    assert message.startswith("Jacobian mismatch for output 0 with respect to input 0")


def test_a_few_ops_pass():
    for op in ["exp", "tanh", "sigmoid", "log1p", "sqrt"]:
        x = mutograd.tensor([0.3, 1.2, 2.5], dtype=mutograd.float64, requires_grad=True)
        fn = getattr(mutograd, op)
        assert mutograd.autograd.gradcheck(fn, (x,))
        assert mutograd.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize(
    "name",
    [
        "mutograd.autograd.gradcheck",
        "mutograd.autograd.functional",
        "mutograd.autograd.variable",
        "mutograd.autograd.inference",
    ],
)
def test_docstring_examples_run(name):
    import doctest
    import importlib

    failures, attempted = doctest.testmod(importlib.import_module(name))
    assert failures == 0 and attempted > 0
