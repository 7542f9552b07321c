"""Custom ``autograd.Function``: differentially against PyTorch 2.13.

save_for_backward / saved_tensors (and the version check on them), mark_dirty
(version bump, rebased history, views), mark_non_differentiable,
needs_input_grad, materialized gradients, inputs returned as-is.
"""

from __future__ import annotations

import warnings

from _harness import run_both
from conftest import requires_torch

pytestmark = requires_torch


def functions(T):
    class Square(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * x * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x * ctx.k, None

    class MulAdd(T.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b + a

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            ga = g * (b + 1) if ctx.needs_input_grad[0] else None
            gb = g * a if ctx.needs_input_grad[1] else None
            return ga, gb

    class Dirty(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class SaveOutput(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class WithIndices(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            mask = x > 1.5
            ctx.mark_non_differentiable(mask)
            return x * 2, mask

        @staticmethod
        def backward(ctx, g, g_mask):
            return g * 2

    return {
        "Square": Square,
        "MulAdd": MulAdd,
        "Dirty": Dirty,
        "SaveOutput": SaveOutput,
        "WithIndices": WithIndices,
    }


def test_forward_backward_and_node_name():
    def program(T):
        Square = functions(T)["Square"]
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = Square.apply(x, 3.0)
        y.sum().backward()
        return [y, type(y.grad_fn).__name__, x.grad, y.grad_fn.next_functions[0][0].name()]

    run_both(program)


def test_needs_input_grad():
    def program(T):
        MulAdd = functions(T)["MulAdd"]
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0, 4.0])
        y = MulAdd.apply(a, b)
        y.sum().backward()
        return [a.grad, b.grad, y, y.grad_fn.needs_input_grad]

    run_both(program)


def test_saved_input_modified_in_place_raises_at_backward():
    def program(T):
        Square = functions(T)["Square"]
        x = T.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1
        y = Square.apply(h, 3.0)
        h.add_(1)
        y.sum().backward()

    run_both(program)


def test_saved_output_modified_in_place_raises_at_backward():
    def program(T):
        SaveOutput = functions(T)["SaveOutput"]
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = SaveOutput.apply(x)
        y.add_(1)
        y.sum().backward()

    run_both(program)


def test_saved_output_unmodified():
    def program(T):
        SaveOutput = functions(T)["SaveOutput"]
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = SaveOutput.apply(x)
        (y * 2).sum().backward()
        return [x.grad, y]

    run_both(program)


def test_saved_tensors_are_freed_after_backward():
    def program(T):
        Square = functions(T)["Square"]
        x = T.tensor([1.0, 2.0], requires_grad=True)
        s = Square.apply(x, 3.0).sum()
        s.backward()
        s.backward()

    run_both(program)


def test_mark_dirty_bumps_the_version_and_rebases_history():
    def program(T):
        Dirty = functions(T)["Dirty"]
        x = T.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1
        y = Dirty.apply(h)
        out = [y is h, h._version, type(h.grad_fn).__name__]
        y.sum().backward()
        return out + [x.grad, h]

    run_both(program)


def test_mark_dirty_on_a_leaf_requiring_grad():
    def program(T, state):
        Dirty = functions(T)["Dirty"]
        x = T.tensor([1.0, 2.0], requires_grad=True)
        state["x"] = x
        try:
            Dirty.apply(x)
        except RuntimeError as error:
            state["error"] = str(error).split("\n\n")[0]
        return state

    run_both(lambda T: program(T, {}))


def test_mark_dirty_on_views():
    def view_of_non_leaf(T):
        Dirty = functions(T)["Dirty"]
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = x * 1
        v = h[1:]
        y = Dirty.apply(v)
        names = [
            y is v,
            type(h.grad_fn).__name__,
            type(v.grad_fn).__name__,
            type(h.grad_fn.next_functions[0][0]).__name__,
        ]
        v.add_(1)  # still a default view: writable
        (h * h).sum().backward()
        return [names, x.grad, h, h._version]

    run_both(view_of_non_leaf)

    def errors(T):
        Dirty = functions(T)["Dirty"]
        out = []
        for make in (
            lambda: T.tensor([1.0, 2.0, 3.0], requires_grad=True)[1:],
            lambda: (T.ones(4, requires_grad=True) * 1).split(2)[0],
            lambda: _no_grad_view(T),
        ):
            try:
                Dirty.apply(make())
                out.append(None)
            except RuntimeError as error:
                out.append(str(error).split("\n\n")[0])
        return out

    run_both(errors)


def _no_grad_view(T):
    h = T.ones(3, requires_grad=True) * 1
    with T.no_grad():
        return h[1:]


def test_mark_dirty_without_recording_still_bumps():
    def program(T):
        Dirty = functions(T)["Dirty"]
        a = T.ones(3)
        y = Dirty.apply(a)
        return [y is a, a._version, y.grad_fn is None, y]

    run_both(program)


def test_mark_dirty_of_a_tensor_not_returned():
    def program(T):
        class Forgot(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.mark_dirty(x)
                return x.clone()

            @staticmethod
            def backward(ctx, g):
                return g

        Forgot.apply(T.ones(2, requires_grad=True) * 1)

    run_both(program)


def test_mark_dirty_of_a_tensor_that_is_not_an_input(torch):
    import mutograd

    for T in (torch, mutograd):

        class NotInput(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x.clone()
                ctx.mark_dirty(y)
                return y

            @staticmethod
            def backward(ctx, g):
                return g

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = NotInput.apply(T.ones(2, requires_grad=True) * 1)
        assert str(caught[0].message).startswith(
            "ctx.mark_dirty() received a tensor that was not an input."
        )
        assert r._version == 1 and type(r.grad_fn).__name__ == "NotInputBackward"


def test_mark_non_differentiable():
    def program(T):
        WithIndices = functions(T)["WithIndices"]
        x = T.tensor([3.0, 1.0, 2.0], requires_grad=True)
        y, mask = WithIndices.apply(x)
        y.sum().backward()
        return [y, mask, mask.requires_grad, x.grad]

    run_both(program)


def test_missing_gradients_are_materialized_as_zeros():
    def program(T):
        seen = []

        class Two(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 1, x * 2

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append([g1, g2])
                return g1 + 2 * g2

        class NoMaterialize(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 1, x * 2

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append([g1, g2])
                return 2 * g2

        x = T.tensor([1.0, 2.0], requires_grad=True)
        Two.apply(x)[1].sum().backward()
        NoMaterialize.apply(x)[1].sum().backward()
        return [seen, x.grad]

    run_both(program)


def test_input_returned_as_is_comes_back_as_a_view():
    def program(T):
        class Identity(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 3

        x = T.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1
        y = Identity.apply(h)
        y.sum().backward()
        return [y is h, y._is_view(), type(y.grad_fn).__name__, x.grad]

    run_both(program)


def test_modifying_an_input_without_mark_dirty():
    def program(T):
        class Sneaky(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2

        x = T.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1
        y = Sneaky.apply(h)
        return [y is h, h._version, type(y.grad_fn).__name__, y._is_view()]

    run_both(program)


def test_wrong_number_of_gradients():
    def program(T):
        class Bad(T.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                return a + b

            @staticmethod
            def backward(ctx, g):
                return g

        a = T.ones(2, requires_grad=True)
        b = T.ones(2, requires_grad=True)
        Bad.apply(a, b).sum().backward()

    run_both(program)


def test_no_grad_apply_records_nothing():
    def program(T):
        Square = functions(T)["Square"]
        x = T.tensor([1.0, 2.0], requires_grad=True)
        with T.no_grad():
            y = Square.apply(x, 2.0)
        return [y, y.requires_grad, y.grad_fn is None]

    run_both(program)


def test_function_inside_a_graph_with_in_place_ops_after():
    def program(T):
        Square = functions(T)["Square"]
        x = T.tensor([1.0, -2.0], requires_grad=True)
        y = Square.apply(x * 2, 0.5)
        y.relu_()
        y.mul_(3)
        y.sum().backward()
        return [y, x.grad, type(y.grad_fn).__name__]

    run_both(program)
