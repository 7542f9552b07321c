"""Hooks on tensors and graph nodes, differentially against PyTorch 2.13.

Tensor hooks (on leaves, non-leaves, views written in place, multi-output
nodes), post-accumulate-grad hooks, Node pre/post hooks with return-value
replacement, multi-grad hooks, gradient edges, increment_version and the
saved-tensor pack/unpack hooks.
"""

from __future__ import annotations

import numpy as np
import pytest
from _harness import run_both
from conftest import requires_torch

pytestmark = requires_torch

A = np.arange(1.0, 7.0).reshape(2, 3)


def leaf(T, data=A):
    return T.tensor(data, requires_grad=True)


def test_post_accumulate_grad_hook_sees_accumulated_grad():
    def program(T):
        x = leaf(T)
        seen = []

        def hook(t):
            seen.append(t.grad.clone())
            t.grad.mul_(10)  # may edit .grad in place; the return value is ignored

        h = x.register_post_accumulate_grad_hook(hook)
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        h.remove()
        (x * 1).sum().backward()
        return seen, x.grad

    run_both(program)


def test_post_accumulate_grad_hook_refused_on_non_leaf():
    def program(T):
        y = leaf(T) * 2
        return y.register_post_accumulate_grad_hook(lambda t: None)

    run_both(program)


def test_post_accumulate_grad_hook_refused_without_requires_grad():
    def program(T):
        return T.ones(2).register_post_accumulate_grad_hook(lambda t: None)

    run_both(program)


def test_post_accumulate_grad_hook_after_tensor_hook():
    def program(T):
        x = leaf(T)
        order = []
        x.register_post_accumulate_grad_hook(lambda t: order.append(("post", t.grad.sum().item())))
        x.register_hook(lambda g: order.append(("pre", g.sum().item())) or g * 2)
        (x * 1).sum().backward()
        return order, x.grad

    run_both(program)


def test_hook_on_view_survives_inplace_on_view():
    def program(T):
        x = leaf(T)
        y = x.clone()
        v = y[0]
        seen = []
        v.register_hook(lambda g: seen.append(g.clone()))
        v.mul_(2)
        y.sum().backward()
        through_view = []
        v.register_hook(lambda g: through_view.append(g.clone()))
        (v * v).sum().backward()
        return seen, through_view, x.grad.clone()

    run_both(program)


def test_hook_registered_after_inplace_on_view():
    def program(T):
        x = leaf(T)
        y = x.clone()
        v = y[:, 1]
        v.mul_(3)
        seen = []
        v.register_hook(lambda g: seen.append(g.clone()) or g * 2)
        (y * y).sum().backward(retain_graph=True)
        (v * 1).sum().backward()  # through the view: its own hook runs
        return seen, x.grad.clone()

    run_both(program)


def test_retain_grad_on_view_survives_inplace():
    def program(T):
        x = leaf(T)
        y = x.clone()
        v = y[1]
        v.retain_grad()
        v.add_(1)
        (y * y).sum().backward()
        first = v.grad
        (v * v).sum().backward()
        return first, v.grad, x.grad.clone(), v.grad_fn.name()

    run_both(program)


def test_retain_grad_then_inplace_on_non_view():
    def program(T):
        x = leaf(T)
        y = x * 2
        y.retain_grad()
        y.mul_(3)
        y.sum().backward()
        return y.grad, x.grad

    run_both(program)


@pytest.mark.parametrize("split", ["unbind", "split", "chunk"])
def test_hooks_on_multi_output_siblings(split):
    def program(T):
        x = leaf(T)
        if split == "unbind":
            parts = x.unbind(0)
        elif split == "split":
            parts = x.split(1, dim=1)
        else:
            parts = x.chunk(3, dim=1)
        calls = []
        for k, p in enumerate(parts):
            p.register_hook(lambda g, k=k: calls.append((k, None if g is None else g.clone())))
        (parts[0] * 5).sum().backward()
        return calls, x.grad

    run_both(program)


def test_hook_on_sibling_with_retain_grad():
    def program(T):
        x = leaf(T)
        a, b = x.unbind(0)
        b.retain_grad()
        a.retain_grad()
        (a * 2).sum().backward()
        return a.grad, b.grad, x.grad

    run_both(program)


def test_hook_replaces_grad_and_remove():
    def program(T):
        x = leaf(T)
        y = x * 2
        h = y.register_hook(lambda g: g * 100)
        y.sum().backward(retain_graph=True)
        first = x.grad.clone()
        h.remove()
        h.remove()  # removing twice is harmless
        y.sum().backward()
        return first, x.grad

    run_both(program)


def test_hook_bad_return_shape():
    def program(T):
        x = leaf(T)
        y = x * 2
        y.register_hook(lambda g: g.sum())
        y.sum().backward()
        return x.grad

    run_both(program)


def test_node_post_hook_replaces_grad_inputs():
    def program(T):
        x = leaf(T)
        w = leaf(T, A + 1)
        y = x * w
        seen = []

        def post(grad_inputs, grad_outputs):
            seen.append((len(grad_inputs), len(grad_outputs)))
            return (grad_inputs[0] * 0, grad_inputs[1])

        h = y.grad_fn.register_hook(post)
        y.sum().backward(retain_graph=True)
        out = (x.grad.clone(), w.grad.clone())
        h.remove()
        y.sum().backward()
        return seen, out, x.grad, w.grad

    run_both(program)


def test_node_prehook_replaces_grad_outputs():
    def program(T):
        x = leaf(T)
        y = x.exp()
        seen = []

        def pre(grad_outputs):
            seen.append(grad_outputs[0].clone())
            return (grad_outputs[0] * 2,)

        y.grad_fn.register_prehook(pre)
        y.sum().backward()
        return seen, x.grad

    run_both(program)


def test_node_hook_order_tensor_hook_before_prehook():
    def program(T):
        x = leaf(T)
        y = x * 3
        order = []
        y.grad_fn.register_prehook(lambda go: order.append("node-pre"))
        y.register_hook(lambda g: order.append("tensor"))
        y.grad_fn.register_hook(lambda gi, go: order.append("node-post"))
        y.sum().backward()
        return order

    run_both(program)


def test_prehook_on_accumulate_grad():
    def program(T):
        x = leaf(T)
        y = x * 3
        acc = y.grad_fn.next_functions[0][0]
        seen = []
        acc.register_prehook(lambda go: seen.append(go[0].clone()) or (go[0] + 1,))
        y.sum().backward()
        return acc.name(), seen, x.grad

    run_both(program)


def test_node_post_hook_wrong_count():
    def program(T):
        x = leaf(T)
        y = x * 3
        y.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0]))
        y.sum().backward()
        return x.grad

    run_both(program)


def test_node_prehook_wrong_count():
    def program(T):
        x = leaf(T)
        y = x * 3
        y.grad_fn.register_prehook(lambda go: (go[0], go[0]))
        y.sum().backward()
        return x.grad

    run_both(program)


@pytest.mark.parametrize("mode", ["all", "any"])
def test_multi_grad_hook(mode):
    def program(T):
        a = leaf(T)
        b = leaf(T, A * 2)
        c = leaf(T, A * 3)
        calls = []

        def hook(grads):
            if mode == "all":
                calls.append(tuple(None if g is None else g.clone() for g in grads))
            else:
                calls.append(grads.clone())

        h = T.autograd.graph.register_multi_grad_hook((a, b, c), hook, mode=mode)
        (a * b).sum().backward()
        (b * 2).sum().backward()
        h.remove()
        (a * 4).sum().backward()
        return calls, a.grad, b.grad

    run_both(program)


def test_multi_grad_hook_on_non_leaves():
    def program(T):
        x = leaf(T)
        a = x * 2
        b = x.exp()
        calls = []
        T.autograd.graph.register_multi_grad_hook(
            (a, b), lambda gs: calls.append(tuple(None if g is None else g.clone() for g in gs))
        )
        (a + b).sum().backward()
        return calls, x.grad

    run_both(program)


def test_multi_grad_hook_bad_mode():
    def program(T):
        a = leaf(T)
        return T.autograd.graph.register_multi_grad_hook((a,), lambda g: None, mode="some")

    run_both(program)


def test_get_gradient_edge():
    def program(T):
        x = leaf(T)
        y = x * 2
        z = y.exp()
        edge = T.autograd.graph.get_gradient_edge(y)
        (gy,) = T.autograd.grad(z.sum(), edge, retain_graph=True)
        gx_edge = T.autograd.graph.get_gradient_edge(x)
        (gx,) = T.autograd.grad(z.sum(), gx_edge)
        return gy, gx, edge.node.name(), edge.output_nr, gx_edge.node.name()

    run_both(program)


def test_get_gradient_edge_refused_without_grad():
    def program(T):
        return T.autograd.graph.get_gradient_edge(T.ones(2))

    run_both(program)


def test_increment_version():
    def program(T):
        x = leaf(T)
        y = x.exp()
        before = y._version
        with T.no_grad():
            T.autograd.graph.increment_version(y)
            T.autograd.graph.increment_version([y, x])
        return before, y._version, x._version, y.sum().backward()

    run_both(program)


def test_saved_tensors_hooks_pack_unpack():
    def program(T):
        packed = []

        def pack(t):
            packed.append(tuple(t.shape))
            return t * 1  # any object: here a copy

        def unpack(p):
            return p * 2  # what backward sees

        x = leaf(T)
        with T.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = x * x
            z = y.exp()
        y2 = x * x
        z.sum().backward()
        return packed, x.grad, y2.grad_fn.name()

    run_both(program)


def test_saved_tensors_hooks_nested_innermost_wins():
    def program(T):
        log = []
        x = leaf(T)
        with T.autograd.graph.saved_tensors_hooks(lambda t: log.append("outer") or t, lambda p: p):
            with T.autograd.graph.saved_tensors_hooks(
                lambda t: log.append("inner") or t, lambda p: p
            ):
                y = x.sin()
            z = y.cos()
        z.sum().backward()
        return log, x.grad

    run_both(program)


def test_saved_tensors_hooks_unpack_not_a_tensor():
    def program(T):
        x = leaf(T)
        with T.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: 3):
            y = x.sin()
        y.sum().backward()
        return x.grad

    run_both(program)


def test_saved_tensors_hooks_custom_function():
    def program(T):
        class Sq(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * g * x

        log = []
        x = leaf(T)
        with T.autograd.graph.saved_tensors_hooks(
            lambda t: log.append("pack") or t.clone(), lambda p: log.append("unpack") or p
        ):
            y = Sq.apply(x)
        y.sum().backward()
        return log, x.grad

    run_both(program)


def test_disable_saved_tensors_hooks():
    def program(T):
        x = leaf(T)
        with T.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
            with T.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: p):
                return x.sin()

    run_both(program)


def test_disable_saved_tensors_hooks_with_hooks_active():
    def program(T):
        with T.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: p):
            with T.autograd.graph.disable_saved_tensors_hooks("nope"):
                pass
        return "ok"

    run_both(program)


def test_save_on_cpu():
    def program(T):
        x = leaf(T)
        with T.autograd.graph.save_on_cpu():
            y = (x * x).exp()
        y.sum().backward()
        return x.grad

    run_both(program)


def test_allow_mutation_on_saved_tensors_named():
    import mutograd

    with pytest.raises(NotImplementedError, match="allow_mutation_on_saved_tensors"):
        with mutograd.autograd.graph.allow_mutation_on_saved_tensors():
            pass


def test_hooks_registered_before_and_after_inplace():
    def program(T):
        calls = []
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.clone()
        y.register_hook(lambda g: calls.append(("before", g.clone())) or g * 2)
        y.mul_(2)
        y.mul_(3)
        y.register_hook(lambda g: calls.append(("after", g.clone())) or g * 2)
        y.sum().backward()
        return calls, x.grad

    run_both(program)


def test_hooks_inplace_on_multi_output_node():
    def program(T):
        calls = []
        x = leaf(T)
        a, b = x.unbind(1)[:2]
        a.register_hook(lambda g: calls.append(("a-old", g.clone())))
        b.register_hook(lambda g: calls.append(("b", g.clone())))
        a.mul_(2)
        a.register_hook(lambda g: calls.append(("a-new", g.clone())))
        (a + b * 3).sum().backward()
        return calls, x.grad

    run_both(program)


def test_retain_grad_inplace_over_view_of_base():
    def program(T):
        base = T.tensor([1.0, 2.0], requires_grad=True).clone()
        view, view2 = base[:], base[:]
        view.retain_grad()
        view2.retain_grad()
        view.mul_(2)
        (view + view2).sum().backward()
        return view.grad, view2.grad

    run_both(program)


def test_retain_grad_base_then_view_and_base_written():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True).clone()
        x.retain_grad()
        v = x[:]
        v *= 2
        x *= 2
        x.sum().backward()
        return x.grad

    run_both(program)


def test_retain_grad_on_multi_output_written_in_place():
    def program(T):
        class Two(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 * 2 + g2 * 3

        x = leaf(T)
        var, mean = Two.apply(x)
        var.retain_grad()
        mean.retain_grad()
        var.mul_(2)
        (var + mean).sum().backward()
        return var.grad, mean.grad, x.grad

    run_both(program)


def test_tensor_hooks_on_views_written_in_place():
    def program(T):
        calls = []
        base = T.tensor([1.0, 2.0], requires_grad=True).clone()
        view, view2 = base[:], base[:]
        view.register_hook(lambda g: calls.append("view-old"))
        view2.register_hook(lambda g: calls.append("view2-old"))
        view.mul_(2)
        _ = view2.grad_fn  # regenerates view2's grad_fn
        view2.register_hook(lambda g: calls.append(("view2-new", g.clone())))
        (view + view2).sum().backward()
        return calls

    run_both(program)


def test_retain_grad_leaves_no_cycle():
    import weakref

    def program(T):
        x = T.ones(3, requires_grad=True)

        def make():
            y = x * 2
            y.retain_grad()
            return y / 2, weakref.ref(y)

        z, ref = make()
        dead = ref() is None
        z.sum().backward()
        return dead, x.grad

    run_both(program)


def test_hook_not_called_for_output_with_none_from_custom_function():
    def program(T):
        class PassNone(T.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x.clone(), y.clone()

            @staticmethod
            def backward(ctx, gx, gy):
                return gx, None

        seen = []
        x = leaf(T)
        y = T.tensor(A)
        rx, ry = PassNone.apply(x, y)
        rx.register_hook(lambda g: seen.append(g is None))
        ry.register_hook(lambda g: seen.append(g is None))
        (rx + ry).sum().backward()
        return seen, x.grad

    run_both(program)


@pytest.mark.parametrize("custom", [False, True])
def test_node_prehooks_order_none_and_remove_during_backward(custom):
    def program(T):
        class Mul2(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        mul2 = Mul2.apply if custom else (lambda t: t * 2)
        log = []
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = mul2(a)
        handles = {}

        def first(go):
            log.append("first")
            handles["second"].remove()
            handles["third"].remove()  # already removed: harmless
            return None

        def counting(go):
            log.append("counting")
            return (go[0] * 2,)

        b.grad_fn.register_prehook(first)
        handles["second"] = b.grad_fn.register_prehook(counting)
        handles["third"] = b.grad_fn.register_prehook(counting)
        handles["third"].remove()
        b.grad_fn.register_prehook(counting)
        b.grad_fn.register_prehook(lambda go: go)
        b.grad_fn.register_hook(lambda gi, go: log.append(("post", gi[0].clone(), go[0].clone())))
        b.sum().backward()
        return log, a.grad

    run_both(program)


def test_node_prehook_on_multi_output_node():
    def program(T):
        x = leaf(T)
        a, b, c = x.unbind(1)
        seen = []

        def pre(grad_outputs):
            seen.append(tuple(None if g is None else g.clone() for g in grad_outputs))
            return tuple(None if g is None else g * 2 for g in grad_outputs)

        a.grad_fn.register_prehook(pre)
        (a + c * 3).sum().backward()
        return seen, x.grad

    run_both(program)


def test_hooks_counts_across_backwards():
    def program(T):
        x = T.ones(2, 2, requires_grad=True)
        y = (T.ones(2, 2) * 4).requires_grad_(True)
        counter = []
        z = x**2 + x * 2 + x * y + y
        x.register_hook(lambda g: counter.append("x"))
        h = z.register_hook(lambda g: counter.append("z1"))
        z.backward(T.ones(2, 2), retain_graph=True)
        h2 = z.register_hook(lambda g: counter.append("z2"))
        z.backward(T.ones(2, 2), retain_graph=True)
        h2.remove()
        h.remove()
        z.register_hook(lambda g: g.mul(2))
        y.register_hook(lambda g: g.mul(2))
        z.backward(T.ones(2, 2))
        return counter, x.grad, y.grad

    run_both(program)


def test_pack_hook_writing_its_input_refused():
    def program(T):
        x = T.ones(3, requires_grad=True)

        def pack(t):
            t.add_(1)
            return t

        with T.autograd.graph.saved_tensors_hooks(pack, lambda p: p):
            return (x * 2).exp()

    run_both(program)


def test_saved_tensors_hooks_double_backward():
    def program(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        with T.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda p: p):
            y = x.pow(3)
            (g,) = T.autograd.grad(y.sum(), x, create_graph=True)
            g.sum().backward()
        return g, x.grad

    run_both(program)


def test_saved_tensors_hooks_exited_before_backward():
    def program(T):
        x = T.ones(2, requires_grad=True)
        hooks = T.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: p)
        hooks.__enter__()
        y = x.exp()
        hooks.__exit__(None, None, None)
        y.sum().backward()
        return x.grad

    run_both(program)


def test_saved_tensors_hooks_seen_through_saved_attributes():
    def program(T):
        x = T.ones(2, requires_grad=True)
        with T.autograd.graph.saved_tensors_hooks(lambda t: t * 5, lambda p: p + 1):
            y = x.exp()
            z = x.sin()
        return y.grad_fn._saved_result, z.grad_fn._saved_self

    run_both(program)


def test_saved_tensors_hooks_skip_version_check():
    def program(T):
        x = T.ones(2, requires_grad=True)
        with T.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: p):
            y = x.exp()
        with T.no_grad():
            y.mul_(2)
        y.sum().backward()
        return x.grad

    run_both(program)


def test_retain_grad_twice_accumulates_and_is_noop_on_leaves():
    def program(T):
        x = T.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        h = x * 3
        out = (h * h).sum()
        h.retain_grad()
        h.retain_grad()
        out.backward(retain_graph=True)
        first = h.grad.clone()
        out.backward(retain_graph=True)
        x.retain_grad()
        x.grad = None
        out.backward()
        return first, h.grad, x.grad, x.retains_grad, h.retains_grad

    run_both(program)


def test_hook_on_module_output():
    def program(T):
        bn = T.nn.BatchNorm1d(5, affine=False).double()
        bn.eval()
        x = T.ones(5, 5, dtype=T.float64, requires_grad=True)
        z = bn(x)
        calls = []
        z.register_hook(lambda g: calls.append(1) or g * 2)
        z.sum().backward()
        return calls, x.grad

    run_both(program, atol=1e-5)
