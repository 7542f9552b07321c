"""``make_graphed_callables``: a module or function whose forward and backward are replays.

As ``torch.cuda.make_graphed_callables``: each callable is warmed up on its
sample arguments, then its forward and its backward (``autograd.grad`` of the
outputs with respect to the inputs that require grad and the module's
parameters) are captured into two graphs over static tensors. The result runs
the forward graph inside a custom autograd Function whose backward copies the
incoming gradients into the static gradient outputs and replays the backward
graph, so it drops into an eager training loop: ``loss.backward()`` reaches
the parameters' ``.grad`` as with the eager module.

Limits, as PyTorch's: the arguments are tensors of the sample arguments'
shapes and dtypes, the outputs are a tensor or a tuple of tensors whose
storage is reused by the next call, the module's hooks are not run, and
Python control flow in the callable is frozen at capture.
"""

from __future__ import annotations

from .. import _creation
from .._tensor import Tensor
from ..autograd import Function
from ..autograd.engine import grad as autograd_grad
from ..nn import Module
from ._graph import Graph, graph


def make_graphed_callables(
    callables, sample_args, num_warmup_iters: int = 3, allow_unused_input: bool = False, pool=None
):
    """Graphed versions of ``callables`` (a module or function, or a tuple of them)."""
    just_one = not isinstance(callables, tuple)
    if just_one:
        callables = (callables,)
        sample_args = (sample_args,)
    if len(callables) != len(sample_args):
        raise ValueError("make_graphed_callables: one tuple of sample_args per callable")
    out = []
    for fn, args in zip(callables, sample_args, strict=True):
        args = tuple(args) if isinstance(args, (tuple, list)) else (args,)
        for a in args:
            if not isinstance(a, Tensor):
                raise TypeError(
                    "In the beta API, sample_args for each callable must contain only Tensors. "
                    "Other types are not allowed."
                )
        if isinstance(fn, Module):
            if fn._forward_hooks or fn._forward_pre_hooks:
                raise RuntimeError(
                    "Modules must not have hooks registered at the time they are passed. "
                    "However, registering hooks on modules after passing them through "
                    "make_graphed_callables is allowed."
                )
        out.append(_graphed(fn, args, num_warmup_iters, allow_unused_input))
    return out[0] if just_one else tuple(out)


def _graphed(fn, sample_args, num_warmup_iters: int, allow_unused_input: bool):
    module = fn if isinstance(fn, Module) else None
    params = tuple(p for p in module.parameters() if p.requires_grad) if module else ()
    static_inputs = tuple(a.detach().clone().requires_grad_(a.requires_grad) for a in sample_args)
    wrt = tuple(a for a in static_inputs if a.requires_grad) + params

    def differentiate(outputs, grad_outputs):
        needed = [(o, g) for o, g in zip(outputs, grad_outputs, strict=True) if o.requires_grad]
        return autograd_grad(
            [o for o, _ in needed],
            wrt,
            grad_outputs=[g for _, g in needed],
            allow_unused=allow_unused_input,
        )

    # Warm-up, as PyTorch's: the callable and its backward run eagerly first.
    for _ in range(num_warmup_iters):
        outputs = _as_tuple(fn(*static_inputs))
        if wrt and any(o.requires_grad for o in outputs):
            differentiate(outputs, [_creation.zeros_like(o) for o in outputs])
    forward_graph = Graph()
    with graph(forward_graph):
        result = fn(*static_inputs)
    returns_tensor = isinstance(result, Tensor)
    static_outputs = _as_tuple(result)
    static_grad_outputs = tuple(_creation.zeros_like(o) for o in static_outputs)
    backward_graph = Graph()
    static_grads: tuple = ()
    if wrt and any(o.requires_grad for o in static_outputs):
        with graph(backward_graph):
            static_grads = tuple(differentiate(static_outputs, static_grad_outputs))
    n_inputs = len(static_inputs)
    # Which Function inputs get a gradient: the inputs that require grad, then the params.
    grad_slots = [k for k, a in enumerate(static_inputs) if a.requires_grad]
    grad_slots += list(range(n_inputs, n_inputs + len(params)))

    class Graphed(Function):
        @staticmethod
        def forward(ctx, *inputs):
            for static, x in zip(static_inputs, inputs, strict=False):
                if static is not x and static._data is not x._data:
                    static._data[...] = x._data
            forward_graph.replay()
            return tuple(o.detach() for o in static_outputs)

        @staticmethod
        def backward(ctx, *grads):
            for static, g in zip(static_grad_outputs, grads, strict=True):
                if g is not None and static._data is not g._data:
                    static._data[...] = g._data
            if static_grads:
                backward_graph.replay()
            result = [None] * (n_inputs + len(params))
            for slot, g in zip(grad_slots, static_grads, strict=True):
                result[slot] = None if g is None else g.detach()
            return tuple(result)

    def functionalized(*args):
        if len(args) != n_inputs:
            raise TypeError(f"the graphed callable takes {n_inputs} tensors, got {len(args)}")
        outputs = Graphed.apply(*args, *params)
        return outputs[0] if returns_tensor else outputs

    if module is None:
        return functionalized
    eager_forward = module.forward

    def forward(*args):
        # As PyTorch: the graphs were captured in training mode; eval runs eagerly.
        if module.training:
            return functionalized(*args)
        return eager_forward(*args)

    module.forward = forward
    return module


def _as_tuple(outputs) -> tuple:
    if isinstance(outputs, Tensor):
        return (outputs,)
    outputs = tuple(outputs)
    for o in outputs:
        if not isinstance(o, Tensor):
            raise TypeError("make_graphed_callables: a callable must return tensors")
    return outputs
