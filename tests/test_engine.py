"""The backward engine and grad modes, differentially against PyTorch 2.13.

backward(gradient, retain_graph, create_graph, inputs), autograd.grad, the
accumulation into ``.grad`` (values and versions: PyTorch steals a gradient
nobody else holds, copies it otherwise, then adds in place), freeing saved
tensors, broadcast gradients, grad modes, hooks, retain_grad and the errors.
"""

from __future__ import annotations

import warnings

import pytest
from _harness import run_both
from conftest import requires_torch

import mutograd

pytestmark = requires_torch


# --- backward -------------------------------------------------------------------------------


def test_backward_with_an_explicit_gradient():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        y.backward(T.tensor([1.0, 0.5, 2.0]))
        return x.grad

    run_both(program)


def test_backward_through_a_diamond_and_shared_inputs():
    def program(T):
        x = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        w = T.tensor([0.5, 1.5, -1.0], requires_grad=True)
        a = x * w
        b = a.exp()
        c = a.sin() + b * x
        (c * c).sum().backward()
        return [x.grad, w.grad]

    run_both(program)


def test_implicit_gradient_needs_a_scalar():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * x).backward()

    run_both(program)


def test_backward_on_a_tensor_without_grad_fn():
    def program(T):
        T.tensor([1.0, 2.0]).sum().backward()

    run_both(program)

    def second_root(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        T.autograd.backward([x.sum(), T.ones(2).sum()])

    run_both(second_root)


def test_gradient_shape_must_match():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        (x * 2).backward(T.ones(3))

    run_both(program)


def test_second_backward_frees_saved_tensors():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()

    run_both(program)


def test_saved_tensors_are_freed_after_backward():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        y.sum().backward()
        return y.grad_fn._saved_self

    run_both(program)


def test_second_backward_through_nodes_that_save_nothing_is_allowed():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x + x).sum()
        y.backward()
        y.backward()
        return [x.grad, x.grad._version]

    run_both(program)


def test_retain_graph_allows_a_second_backward():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        first = x.grad.clone()
        y.backward()
        return [first, x.grad, y.grad_fn._saved_self if False else x.grad._version]

    run_both(program)


def test_create_graph_builds_a_differentiable_gradient():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x**3).sum()
        (g,) = T.autograd.grad(y, x, create_graph=True)
        name = type(g.grad_fn).__name__
        g.sum().backward()
        return [g, name, x.grad]

    run_both(program)


def test_backward_create_graph_accumulates_a_graph_into_grad():
    def program(T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = T.tensor([1.0, 2.0], requires_grad=True)
            (x * x).sum().backward(create_graph=True)
            first = [x.grad, x.grad._version, type(x.grad.grad_fn).__name__]
            (x * x).sum().backward(create_graph=True)
            second = [x.grad, x.grad._version, type(x.grad.grad_fn).__name__]
            x.grad = None
            (x * 2).sum().backward(create_graph=True)
            return [first, second, x.grad, x.grad._version, x.grad.requires_grad]

    run_both(program)


def test_backward_create_graph_warns_about_the_reference_cycle(torch):
    import mutograd.autograd.engine as engine

    engine._Warned.create_graph_cycle = False
    for T in (torch, mutograd):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            (x * x).sum().backward(create_graph=True)
            (x * x).sum().backward(create_graph=True)
        texts = [str(w.message) for w in caught]
        if T is mutograd or texts:
            # torch warns once per process: only compare when it did here.
            assert len(texts) == 1 and texts[0].startswith(
                "Using backward() with create_graph=True will create a reference cycle"
            )


def test_backward_inputs_restricts_accumulation():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0, 4.0], requires_grad=True)
        h = x * w
        (h * h).sum().backward(inputs=[x])
        return [x.grad, w.grad, x.grad._version]

    run_both(program)


def test_backward_with_several_roots():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        T.autograd.backward([(x * 2).sum(), (x * x).sum()])
        first = x.grad.clone()
        x.grad = None
        T.autograd.backward([x * 2, x * x], [T.ones(2), T.tensor([1.0, 2.0])])
        return [first, x.grad]

    run_both(program)


# --- autograd.grad ----------------------------------------------------------------------------


def test_grad_returns_gradients_without_touching_grad():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x * w).sum()
        return list(T.autograd.grad(y, [x, w])) + [x.grad, w.grad]

    run_both(program)


def test_grad_with_grad_outputs_and_non_leaf_inputs():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = x * 2
        y = h * h
        (gh,) = T.autograd.grad(y, h, grad_outputs=T.tensor([1.0, 0.0, 2.0]), retain_graph=True)
        (gx,) = T.autograd.grad(y, x, grad_outputs=T.tensor([1.0, 0.0, 2.0]))
        return [gh, gx]

    run_both(program)


def test_grad_of_an_unused_input():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([1.0, 2.0], requires_grad=True)
        T.autograd.grad((x * 2).sum(), [x, w])

    run_both(program)

    def allowed(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2).sum()
        unused = list(T.autograd.grad(y, [x, w], allow_unused=True, retain_graph=True))
        materialized = list(T.autograd.grad(y, [x, w], materialize_grads=True))
        return [unused, materialized]

    run_both(allowed)


def test_grad_of_an_input_not_requiring_grad():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        T.autograd.grad((x * 2).sum(), T.ones(2))

    run_both(program)


def test_grad_twice_without_retain_graph():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp().sum()
        T.autograd.grad(y, x)
        T.autograd.grad(y, x)

    run_both(program)


# --- accumulation into .grad ------------------------------------------------------------------


def test_gradients_accumulate_across_backward_calls():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        for k in range(3):
            (x * (k + 1)).sum().backward()
            seen.append([x.grad.clone(), x.grad._version])
        grad = x.grad
        (x * x).sum().backward()
        return [seen, x.grad is grad, x.grad, x.grad._version]

    run_both(program)


@pytest.mark.parametrize(
    "loss",
    [
        lambda T, x, y: (x * 2).sum(),
        lambda T, x, y: (x + 1).sum(),
        lambda T, x, y: x.sum(),
        lambda T, x, y: ((x + y) * 2).sum(),
        lambda T, x, y: ((y + x) * 2).sum(),
        lambda T, x, y: (x * T.tensor([2.0, 3.0]) + x * T.tensor([5.0, 7.0])).sum(),
        lambda T, x, y: (x * x).sum(),
        lambda T, x, y: (x + x).sum(),
        lambda T, x, y: x[0] * 2,
        lambda T, x, y: (x.exp() * y).sum(),
        lambda T, x, y: x.view(2, 1).expand(2, 3).sum(),
    ],
    ids=[
        "fresh",
        "passed_through",
        "expanded",
        "shared_first",
        "shared_second",
        "summed_twice",
        "square",
        "x_plus_x",
        "select",
        "exp",
        "expand",
    ],
)
def test_grad_versions_follow_pytorchs_stealing_rule(loss):
    # PyTorch keeps a gradient no one else holds (its version), copies one that is
    # shared or laid out differently (version 1), then adds in place (+1 each).
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = T.tensor([3.0, 4.0], requires_grad=True)
        loss(T, x, y).backward()
        first = [x.grad.clone(), x.grad._version]
        loss(T, x, y).backward()
        return [first, x.grad, x.grad._version, y.grad]

    run_both(program)


def test_a_hook_holding_the_gradient_prevents_stealing():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        held = []
        x.register_hook(lambda g: held.append(g))
        (x * 3).sum().backward()
        return [x.grad, x.grad._version, held[0] is x.grad]

    run_both(program)


def test_grad_assignment_checks_shape_and_dtype():
    def shape(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        x.grad = T.ones(3)

    def dtype(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        x.grad = T.ones(2, dtype=T.float64)

    def ok(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        x.grad = T.ones(2)
        (x * 2).sum().backward()
        return [x.grad, x.grad._version]

    for program in (shape, dtype, ok):
        run_both(program)


def test_non_leaf_grad_access_warns(torch):
    for T in (torch, mutograd):
        x = T.ones(2, requires_grad=True)
        y = x * 2
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert y.grad is None
            assert x.grad is None
            y.retain_grad()
            assert y.grad is None
        assert len(caught) == 1
        assert str(caught[0].message).startswith(
            "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed."
        )


def test_broadcast_gradients_are_reduced_to_the_input_shape():
    def program(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = T.tensor([[1.0], [2.0]], requires_grad=True)
        s = T.tensor(2.0, requires_grad=True)
        d = T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True)
        y = (x * b + s) * d.float()
        y.sum().backward()
        return [x.grad, b.grad, s.grad, d.grad]

    run_both(program)


def test_detached_and_data_tensors_stop_gradients():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2).detach()
        z = y * x + x.data * x
        z.sum().backward()
        return [x.grad, y.requires_grad, y.is_leaf]

    run_both(program)


# --- grad modes -----------------------------------------------------------------------------


def test_grad_mode_context_managers():
    def program(T):
        x = T.ones(2, requires_grad=True)
        out = []
        with T.no_grad():
            out.append(T.is_grad_enabled())
            y = x * 2
            with T.enable_grad():
                z = x * 2
                out.append(T.is_grad_enabled())
            out.append(T.is_grad_enabled())
        out += [y.requires_grad, z.requires_grad, T.is_grad_enabled()]
        with T.set_grad_enabled(False):
            w = x * 2
        out += [w.requires_grad, T.is_grad_enabled()]
        T.set_grad_enabled(False)
        out.append(T.is_grad_enabled())
        T.set_grad_enabled(True)
        out.append(T.is_grad_enabled())
        with T.inference_mode():
            i = x * 2
            out += [
                i.requires_grad,
                i.is_inference(),
                T.is_inference_mode_enabled(),
                T.is_grad_enabled(),
            ]
        with T.inference_mode(False):
            out.append((x * 2).is_inference())
        out.append(T.is_inference_mode_enabled())
        return out

    run_both(program)


def test_grad_mode_decorators():
    def program(T):
        x = T.ones(2, requires_grad=True)

        @T.no_grad()
        def f(a):
            return a * 2

        @T.enable_grad()
        def g(a):
            return a * 2

        @T.set_grad_enabled(False)
        def h(a):
            return a * 2

        @T.inference_mode()
        def i(a):
            return a * 2

        with T.no_grad():
            inside = g(x).requires_grad
        return [
            f(x).requires_grad,
            inside,
            h(x).requires_grad,
            T.is_grad_enabled(),
            i(x).is_inference(),
            f.__name__,
        ]

    run_both(program)


def test_grad_mode_is_restored_after_an_exception():
    def program(T):
        try:
            with T.no_grad():
                raise ValueError("boom")
        except ValueError:
            pass
        return T.is_grad_enabled()

    run_both(program)


# --- hooks, retain_grad, requires_grad --------------------------------------------------------


def test_tensor_hooks_can_replace_gradients_and_be_removed():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        seen = []
        handle = y.register_hook(lambda g: g * 2)
        x.register_hook(lambda g: seen.append(g.clone()))
        (y * y).sum().backward()
        first = [x.grad.clone(), seen[0]]
        handle.remove()
        x.grad = None
        y = x * 3
        (y * y).sum().backward()
        return [first, x.grad]

    run_both(program)


def test_leaf_hook_replacing_the_gradient():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: g + 1)
        (x * 3).sum().backward()
        return [x.grad, x.grad._version]

    run_both(program)


def test_node_hooks_and_prehooks():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        seen = []
        y.grad_fn.register_hook(lambda gi, go: seen.append([gi[0].clone(), go[0].clone()]))
        y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
        y.sum().backward()
        return [x.grad, seen]

    run_both(program)


def test_register_hook_on_a_tensor_not_requiring_grad():
    def program(T):
        T.ones(2).register_hook(lambda g: g)

    run_both(program)


def test_retain_grad():
    def program(T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = T.tensor([1.0, 2.0], requires_grad=True)
            y = x * 3
            y.retain_grad()
            y.retain_grad()
            z = y * y
            z.sum().backward()
            (y * 2).sum().backward()
            return [y.grad, x.grad, y.retains_grad, x.retains_grad, z.grad, y.grad._version]

    run_both(program)


def test_retain_grad_on_a_tensor_not_requiring_grad():
    def program(T):
        T.ones(2).retain_grad()

    run_both(program)


@pytest.mark.parametrize(
    "program",
    [
        lambda T: T.ones(2, dtype=T.int64).requires_grad_(),
        lambda T: T.tensor([1, 2], requires_grad=True),
        lambda T: setattr(T.ones(2, dtype=T.int64), "requires_grad", True),
        lambda T: T.zeros(2, dtype=T.bool, requires_grad=True),
        lambda T: (T.ones(2, requires_grad=True) * 2).requires_grad_(False),
        lambda T: setattr(T.ones(2, requires_grad=True) * 2, "requires_grad", False),
    ],
    ids=[
        "int_method",
        "int_factory",
        "int_setter",
        "bool_factory",
        "non_leaf_false",
        "non_leaf_setter",
    ],
)
def test_requires_grad_errors(program):
    run_both(program)


def test_requires_grad_changes():
    def program(T):
        a = T.ones(2)
        a.requires_grad_()
        b = a * 2
        b.requires_grad_(True)
        c = T.ones(2, requires_grad=True)
        c.requires_grad = False
        d = T.ones(2, dtype=T.int64)
        d.requires_grad_(False)
        return [
            a.requires_grad,
            a.is_leaf,
            b.requires_grad,
            c.requires_grad,
            d.requires_grad,
            a._version,
        ]

    run_both(program)


def test_multi_output_views_backward():
    def program(T):
        x = T.ones(2, 3, requires_grad=True)
        a, b = (x * 2).unbind()
        (a * 3 + b).sum().backward()
        first = x.grad.clone()
        x.grad = None
        p, q = (x * 2).split([1, 2], dim=1)
        (q * 5).sum().backward()
        return [first, x.grad]

    run_both(program)


# --- regressions found by the state machine -----------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda T, x: _setitem_after_exp(T, x),
        lambda T, x: _add_after_exp(T, x),
        lambda T, x: _mul_saved_nothing_then_failure(T, x),
        lambda T, x: _saved_input_modified(T, x),
    ],
    ids=["copy_slices", "exp_result", "wrapped_number", "saved_input"],
)
def test_a_failed_backward_frees_the_nodes_that_ran(make):
    # Regression: nodes that ran before the failure are freed (CopySlices drops
    # its fn, a wrapped number is a saved tensor), so the second attempt may
    # report "backward through the graph a second time" instead.
    def program(T):
        x = T.ones(4, requires_grad=True)
        root = make(T, x)
        messages = []
        for _ in range(2):
            try:
                root.sum().backward()
            except RuntimeError as error:
                messages.append(str(error).split("\n\n")[0])
        return messages

    run_both(program)


def _setitem_after_exp(T, x):
    y = x.exp()
    y[0] = -1.5
    return y


def _add_after_exp(T, x):
    y = x.exp()
    y.add_(1)
    return y


def _mul_saved_nothing_then_failure(T, x):
    y = x.exp()
    z = y * 2
    y.add_(1)
    return z


def _saved_input_modified(T, x):
    y = x * 1
    z = y * y
    y.add_(1)
    return z


def test_copy_slices_twice_without_retain_graph():
    def program(T):
        x = T.ones(3, requires_grad=True)
        y = x * 2
        y[1:].mul_(2)
        y.sum().backward()
        y.sum().backward()

    run_both(program)

    def retained(T):
        x = T.ones(3, requires_grad=True)
        y = x * 2
        y[1:].mul_(2)
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        return x.grad

    run_both(retained)


def test_backward_through_a_write_into_an_expanded_view():
    # Regression: PyTorch's CopySlices cannot put a gradient back into an
    # expanded view (its copy_ refuses the overlap).
    def program(T):
        x = T.ones(4, requires_grad=True)
        y = x * 1
        e = y.unsqueeze(0).expand(2, 4)
        e.fill_(1.5)
        names = [type(e.grad_fn).__name__, type(y.grad_fn).__name__]
        try:
            y.sum().backward()
        except RuntimeError as error:
            return [names, str(error)]
        return [names, x.grad]

    run_both(program)
