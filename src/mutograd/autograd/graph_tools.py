"""The helpers of ``torch.autograd.graph`` beyond Node: gradient edges, version
bumps, multi-tensor gradient hooks, and the saved-tensor hook contexts."""

from __future__ import annotations

import weakref

from .._tensor import Tensor
from . import engine
from .graph import GradientEdge, RemovableHandle, gradient_edge
from .saved_hooks import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks


def get_gradient_edge(tensor) -> GradientEdge:
    """The edge through which ``tensor``'s gradient flows (its grad_fn or AccumulateGrad)."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "It is not possible to get the gradient edge for a Tensor that does not require "
            "gradients"
        )
    node, nr = gradient_edge(tensor)
    return GradientEdge(node, nr)


def increment_version(tensor) -> None:
    """Bump the version counter of a tensor (or of each tensor of an iterable), as an
    in-place op would: saved copies of it now fail the version check."""
    tensors = (tensor,) if isinstance(tensor, Tensor) else tensor
    for t in tensors:
        vc = t._vc
        vc.version += 1
        if vc.writes is not None:
            vc.record_write("increment_version", None)


class _MultiHandle:
    """Removes every per-tensor hook that register_multi_grad_hook installed."""

    def __init__(self, handles) -> None:
        self.handles = handles

    def remove(self) -> None:
        for h in self.handles:
            h.remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def _node_target(node):
    return weakref.ref(node)


def _leaf_target(t):
    ref = weakref.ref(t)

    def node():
        leaf = ref()
        return None if leaf is None else gradient_edge(leaf)[0]

    return node


def _will_execute(task, node) -> bool:
    return node is not None and task.will_execute(node)


def register_multi_grad_hook(tensors, fn, *, mode: str = "all"):
    """Call ``fn`` once per backward, after the gradients of ``tensors`` are computed.

    mode="all": ``fn(grads)``, one entry per tensor, None for those the backward
    does not reach; it runs when the last of the reached ones got its gradient.
    mode="any": ``fn(grad)`` with the first gradient computed for any of them.
    """
    modes = ("all", "any")
    if mode not in modes:
        raise ValueError(f"Expects mode to be one of {modes} but got {mode}")
    tensors = tuple(tensors)
    if mode == "any":
        fired = [None]  # a weakref to the last backward run it fired in: once per run

        def any_hook(grad):
            task = engine.current_graph_task()
            if fired[0] is not None and fired[0]() is task:
                return
            fired[0] = weakref.ref(task)
            fn(grad)

        handles = tuple(t.register_hook(any_hook) for t in tensors if t.requires_grad)
        return _MultiHandle(handles)

    # NB: weak references, as the hooks live on these very nodes (no cycle). A
    # leaf's AccumulateGrad is looked up when the hook runs (it is held weakly).
    targets = [_leaf_target(t) if t.grad_fn is None else _node_target(t.grad_fn) for t in tensors]
    # Per backward run (held weakly: a run that raised leaves nothing behind):
    # [grads, how many arrived, how many expected].
    state: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def all_hook_for(index: int):
        def hook(grad):
            task = engine.current_graph_task()
            entry = state.get(task)
            if entry is None:
                expected = sum(1 for target in targets if _will_execute(task, target()))
                entry = state[task] = [[None] * len(targets), 0, expected]
            entry[0][index] = grad
            entry[1] += 1
            if entry[1] == entry[2]:
                del state[task]
                fn(entry[0])

        return hook

    handles = tuple(t.register_hook(all_hook_for(k)) for k, t in enumerate(tensors))
    return _MultiHandle(handles)


class allow_mutation_on_saved_tensors:
    """Not supported: mutograd does not clone tensors saved for backward on mutation."""

    def __enter__(self):
        raise NotImplementedError(
            "torch.autograd.graph.allow_mutation_on_saved_tensors is not supported by mutograd"
        )

    def __exit__(self, *exc) -> None:
        return None


__all__ = [
    "GradientEdge",
    "RemovableHandle",
    "allow_mutation_on_saved_tensors",
    "disable_saved_tensors_hooks",
    "get_gradient_edge",
    "increment_version",
    "register_multi_grad_hook",
    "save_on_cpu",
    "saved_tensors_hooks",
]
