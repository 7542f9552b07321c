"""Graphs, saved tensors and hook objects are freed when PyTorch frees them.

As PyTorch's own tests do, the garbage collector is disabled: anything kept
alive only by a reference cycle shows up as a live weak reference. Each program
returns which objects are still alive at chosen points; torch and mutograd must
agree (torch's C++ nodes take no weak references, so the programs watch
tensors and hook objects; mutograd's nodes are watched directly at the end).
"""

from __future__ import annotations

import gc
import weakref

import pytest
from _harness import run_both
from conftest import requires_torch

import mutograd


@pytest.fixture(autouse=True)
def no_gc():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def alive(ref) -> bool:
    return ref() is not None


class Hook:
    """A hook object whose lifetime the test watches."""

    def __call__(self, *args):
        return None


@requires_torch
def test_saved_intermediate_freed_by_backward():
    def program(T):
        x = T.ones(3, requires_grad=True)
        a = x.exp()
        b = a.sin()  # saves a
        ref = weakref.ref(a)
        del a
        before = alive(ref)
        b.sum().backward()
        return before, alive(ref)

    run_both(program)


@requires_torch
def test_saved_intermediate_kept_by_retain_graph_until_graph_dies():
    def program(T):
        x = T.ones(3, requires_grad=True)
        a = x.exp()
        b = a.sin()
        ref = weakref.ref(a)
        del a
        b.sum().backward(retain_graph=True)
        kept = alive(ref)
        del b
        return kept, alive(ref)

    run_both(program)


@requires_torch
def test_graph_freed_with_its_output():
    def program(T):
        x = T.ones(3, requires_grad=True)
        a = x * 2
        c = a.exp().sin()  # the graph holds a (saved by exp's input? no: by sin's input chain)
        b = a.cos()
        ref = weakref.ref(a)
        del a
        before = alive(ref)
        del b, c
        return before, alive(ref)

    run_both(program)


@requires_torch
def test_tensor_hook_freed_with_tensor():
    def program(T):
        x = T.ones(3, requires_grad=True)
        y = x * 2
        h = Hook()
        ref = weakref.ref(h)
        y.register_hook(h)
        del h
        before = alive(ref)
        y.sum().backward()
        after_backward = alive(ref)
        del y
        return before, after_backward, alive(ref)

    run_both(program)


@requires_torch
def test_leaf_hooks_freed_with_leaf():
    def program(T):
        x = T.ones(3, requires_grad=True)
        pre, post = Hook(), Hook()
        refs = (weakref.ref(pre), weakref.ref(post))
        x.register_hook(pre)
        x.register_post_accumulate_grad_hook(post)
        del pre, post
        (x * 2).sum().backward()
        before = [alive(r) for r in refs]
        del x
        return before, [alive(r) for r in refs]

    run_both(program)


@requires_torch
def test_removed_hook_freed():
    def program(T):
        x = T.ones(3, requires_grad=True)
        y = x * 2
        h = Hook()
        ref = weakref.ref(h)
        handle = y.register_hook(h)
        del h
        handle.remove()
        return alive(ref)

    run_both(program)


@requires_torch
def test_node_hooks_freed_with_graph():
    def program(T):
        x = T.ones(3, requires_grad=True)
        y = x * 2
        post, pre = Hook(), Hook()
        refs = (weakref.ref(post), weakref.ref(pre))
        y.grad_fn.register_hook(post)
        y.grad_fn.register_prehook(pre)
        del post, pre
        y.sum().backward()
        before = [alive(r) for r in refs]
        del y
        return before, [alive(r) for r in refs]

    run_both(program)


@requires_torch
def test_custom_function_ctx_and_saved_freed():
    def program(T):
        class Double(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                out = x * 2
                ctx.save_for_backward(x, out)  # an input and an output
                ctx.kept = Hook()
                return out

            @staticmethod
            def backward(ctx, g):
                _ = ctx.saved_tensors
                return g * 2

        x = T.ones(3, requires_grad=True)
        a = x.exp()
        y = Double.apply(a)
        kept = weakref.ref(y.grad_fn.kept)
        ref_a = weakref.ref(a)
        del a
        y.sum().backward()
        after_backward = (alive(ref_a), alive(kept))
        del y
        return after_backward, alive(ref_a), alive(kept)

    run_both(program)


@requires_torch
def test_saved_output_freed():
    def program(T):
        x = T.ones(3, requires_grad=True)
        y = x.exp()  # saves its own output
        ref = weakref.ref(y)
        y.sum().backward()
        del y
        return alive(ref)

    run_both(program)


@requires_torch
def test_retain_grad_does_not_keep_tensor():
    def program(T):
        x = T.ones(3, requires_grad=True)
        y = x.exp()
        y.retain_grad()
        ref = weakref.ref(y)
        y.sum().backward()
        del y
        return alive(ref)

    run_both(program)


def test_multi_grad_hook_freed_with_tensors():
    """The hook goes with the tensors it watches.

    NB: PyTorch's implementation keeps it in a reference cycle (its closure holds
    the grad_fns that hold it) until the garbage collector runs; mutograd's hook
    holds the nodes weakly and is freed at once.
    """
    T = mutograd
    x = T.ones(3, requires_grad=True)
    a, b = x * 2, x.exp()
    h = Hook()
    ref, ref_a = weakref.ref(h), weakref.ref(a)
    T.autograd.graph.register_multi_grad_hook((a, b), h)
    del h
    (a + b).sum().backward()
    del a, b
    assert (alive(ref), alive(ref_a)) == (False, False)


@requires_torch
def test_saved_tensors_hooks_packed_freed():
    def program(T):
        x = T.ones(3, requires_grad=True)
        packed = []

        def pack(t):
            p = t.clone()
            packed.append(weakref.ref(p))
            return p

        with T.autograd.graph.saved_tensors_hooks(pack, lambda p: p):
            y = x.exp().sin()
        before = [alive(r) for r in packed]
        y.sum().backward()
        return before, [alive(r) for r in packed]

    run_both(program)


@requires_torch
def test_view_written_in_place_freed():
    def program(T):
        x = T.ones(3, 3, requires_grad=True)
        y = x.clone()
        v = y[0]
        v.mul_(2)
        z = (v * y).sum()
        refs = (weakref.ref(y), weakref.ref(v))
        z.backward()
        del y, v, z
        return [alive(r) for r in refs]

    run_both(program)


@requires_torch
def test_create_graph_grad_freed():
    def program(T):
        x = T.ones(3, requires_grad=True)
        y = x.exp().sin()
        (g,) = T.autograd.grad(y.sum(), x, create_graph=True)
        refs = (weakref.ref(g), weakref.ref(y))
        del g, y
        return [alive(r) for r in refs]

    run_both(program)


@requires_torch
def test_module_step_freed():
    def program(T):
        T.manual_seed(0)
        nn = T.nn
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        opt = T.optim.SGD(model.parameters(), lr=0.1)
        hidden = []
        model[1].register_forward_hook(lambda m, i, o: hidden.append(weakref.ref(o)))
        for _ in range(3):
            opt.zero_grad()
            loss = model(T.ones(2, 4)).pow(2).mean()
            loss.backward()
            opt.step()
            del loss
        return [alive(r) for r in hidden]

    run_both(program)


def test_mutograd_nodes_freed_without_cycles():
    """mutograd's nodes take weak references: none outlives its last user reference."""
    T = mutograd
    x = T.ones(3, requires_grad=True)
    refs = []
    y = (x * 2).exp()
    refs.append(weakref.ref(y.grad_fn))
    refs.append(weakref.ref(y.grad_fn.next_functions[0][0]))
    y.sum().backward()
    del y

    class Twice(T.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            out = a * 2
            ctx.save_for_backward(out)
            ctx.mark_non_differentiable()
            return out

        @staticmethod
        def backward(ctx, g):
            return g * 2

    z = Twice.apply(x.sin())
    refs.append(weakref.ref(z.grad_fn))
    T.autograd.graph.register_multi_grad_hook((z,), Hook())
    z.sum().backward()
    del z
    w = x.clone()
    v = w[1:]
    v.add_(1)
    refs.append(weakref.ref(v.grad_fn))
    refs.append(weakref.ref(w.grad_fn))
    del v, w
    assert [alive(r) for r in refs] == [False] * len(refs)
