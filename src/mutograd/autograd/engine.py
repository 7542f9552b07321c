"""The backward engine: dependency-counted execution of the graph.

NB: in PyTorch this is torch/csrc/autograd/engine.cpp. As there, ready nodes
run in decreasing sequence number (the most recently created first), an
AccumulateGrad runs as soon as it is ready, gradients arriving at a node are
summed per output (InputBuffer), and each gradient a node returns is reduced
to its input's shape and cast to its dtype (validate_outputs).
"""

from __future__ import annotations

import heapq
import warnings
import weakref

from .. import _creation, _errors
from .._tensor import Tensor
from .graph import AccumulateGrad, Node, gradient_edge
from .grad_mode import GradMode, _AnomalyMode


def _make_grads(outputs, grad_outputs) -> list:
    grads = []
    for k, (out, grad) in enumerate(zip(outputs, grad_outputs)):
        if grad is None:
            if out.requires_grad and out._data.size != 1:
                raise _errors.implicit_grad_non_scalar()
            grad = _creation.ones_like(out)
        elif not isinstance(grad, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(grad).__name__}")
        elif grad._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{k}] has a shape of {_fmt(grad._data.shape)} and "
                f"output[{k}] has a shape of {_fmt(out._data.shape)}."
            )
        grads.append(grad)
    return grads


def _fmt(shape) -> str:
    return "torch.Size([" + ", ".join(str(s) for s in shape) + "])"


def _as_tuple(x) -> tuple:
    if isinstance(x, Tensor):
        return (x,)
    if x is None:
        return ()
    return tuple(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Accumulate gradients of ``tensors`` into the leaves' ``.grad``."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(
            f"got {len(grad_tensors)} tensors and {len(tensors)} gradients"
        )
    for k, t in enumerate(tensors):
        if not t.requires_grad:
            raise _errors.no_grad_fn(k)
    grads = _make_grads(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    targets = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        targets = inputs
    captured = _execute(tensors, grads, retain_graph, create_graph, targets, accumulate=True)
    if targets is not None:
        # Leaf targets accumulated at their AccumulateGrad; non-leaf targets here.
        for t, g in zip(targets, captured):
            if g is not None and t.grad_fn is not None:
                t._grad = g if t._grad is None else t._grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` with respect to ``inputs``."""
    outputs = _as_tuple(outputs)
    single = isinstance(inputs, Tensor)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    grad_outputs = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    for k, t in enumerate(outputs):
        if not t.requires_grad:
            raise _errors.no_grad_fn(k)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_grads(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    captured = _execute(outputs, grads, retain_graph, create_graph, inputs, accumulate=False)
    result = []
    for k, t in enumerate(inputs):
        g = captured[k]
        if g is None:
            if materialize_grads:
                g = _creation.zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
        result.append(g)
    return tuple(result)


def _execute(roots, grads, retain_graph, create_graph, targets, accumulate):
    root_edges = [gradient_edge(t) for t in roots]
    # Capture points: a target leaf is captured at its AccumulateGrad, a
    # non-leaf at (grad_fn, output_nr), after tensor hooks, as in PyTorch.
    captures = {}
    if targets is not None:
        for k, t in enumerate(targets):
            node, nr = gradient_edge(t)
            captures.setdefault((node, nr), []).append(k)
    dependencies = _count_dependencies([e[0] for e in root_edges])
    root_nodes = [e[0] for e in root_edges]
    needed = _needed_nodes(root_nodes, captures) if targets is not None else None

    buffers: dict[Node, list] = {}
    for (node, nr), g in zip(root_edges, grads):
        _add_to_buffer(buffers, node, nr, g)
    ready = []
    counter = 0
    for node in buffers:
        if dependencies.get(node, 0) == 0:
            heapq.heappush(ready, (-node._seq, counter, node))
            counter += 1
    captured = [None] * (len(targets) if targets is not None else 0)

    previous = GradMode.enabled
    GradMode.enabled = create_graph
    try:
        while ready:
            _, _, node = heapq.heappop(ready)
            inputs = buffers.pop(node)
            inputs = _run_pre_hooks(node, inputs)
            if captures:
                for nr, g in enumerate(inputs):
                    for k in captures.get((node, nr), ()):
                        captured[k] = g
            if type(node) is AccumulateGrad:
                if accumulate and (targets is None or (node, 0) in captures):
                    _accumulate(node.variable, inputs[0], create_graph)
                continue
            if needed is not None and node not in needed:
                continue
            outputs = _call_node(node, inputs)
            if not retain_graph:
                node._release_saved()
            for (next_node, nr), g, meta in zip(node.next_functions, outputs, node._input_meta):
                if next_node is None:
                    continue
                if g is not None:
                    g = _validate(node, g, meta)
                    _add_to_buffer(buffers, next_node, nr, g)
                elif next_node not in buffers:
                    buffers[next_node] = [None] * next_node._num_outputs()
                remaining = dependencies[next_node] - 1
                dependencies[next_node] = remaining
                if remaining == 0:
                    if any(x is not None for x in buffers[next_node]):
                        heapq.heappush(ready, (-next_node._seq, counter, next_node))
                        counter += 1
                    else:
                        del buffers[next_node]
    finally:
        GradMode.enabled = previous
    return captured


def _count_dependencies(roots) -> dict:
    dependencies: dict[Node, int] = {}
    seen = set()
    stack = [r for r in roots if r is not None]
    seen.update(stack)
    while stack:
        node = stack.pop()
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            dependencies[next_node] = dependencies.get(next_node, 0) + 1
            if next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return dependencies


def _needed_nodes(roots, captures) -> set:
    """Nodes from which a capture point is reachable (PyTorch's exec_info).

    A capture node itself runs only if another capture point lies beyond it.
    """
    capture_nodes = {node for node, _ in captures}
    reach: dict = {}
    for root in roots:
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                reach[node] = any(
                    nxt is not None and (nxt in capture_nodes or reach.get(nxt, False))
                    for nxt, _ in node.next_functions
                )
                continue
            if node in reach:
                continue
            reach[node] = False
            stack.append((node, True))
            for nxt, _ in node.next_functions:
                if nxt is not None and nxt not in reach:
                    stack.append((nxt, False))
    return {node for node, reaches in reach.items() if reaches}


def _add_to_buffer(buffers, node, nr, g) -> None:
    buffer = buffers.get(node)
    if buffer is None:
        buffer = buffers[node] = [None] * node._num_outputs()
    if buffer[nr] is None:
        buffer[nr] = g
    else:
        buffer[nr] = buffer[nr] + g


def _run_pre_hooks(node: Node, inputs: list) -> list:
    hooks = node._tensor_pre_hooks
    if hooks:
        for nr, fns in hooks.items():
            for fn in list(fns):
                if inputs[nr] is None:
                    continue
                out = fn(inputs[nr])
                if out is not None:
                    inputs[nr] = out
    retains = node._retain_grad_hooks
    if retains:
        for nr, ref in retains.items():
            t = ref()
            g = inputs[nr]
            if t is None or g is None or t._grad_fn is not node:
                continue
            if t._grad is None:
                t._grad = g.detach().clone() if not GradMode.enabled else g.clone()
            else:
                t._grad = t._grad + g
    if node._pre_hooks:
        for fn in node._pre_hooks:
            out = fn(tuple(inputs))
            if out is not None:
                inputs = list(out)
    return inputs


def _call_node(node: Node, inputs: list) -> tuple:
    if node._num_outputs() > 1:
        # Multi-output nodes see zeros for outputs that got no gradient.
        inputs = list(inputs)
    try:
        outputs = node.apply(inputs)
    except Exception:
        if _AnomalyMode.enabled and node._anomaly_trace:
            warnings.warn(
                f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                + "".join(node._anomaly_trace),
                stacklevel=2,
            )
        raise
    if node._post_hooks:
        for fn in node._post_hooks:
            new = fn(outputs, tuple(inputs))
            if new is not None:
                outputs = tuple(new)
    if _AnomalyMode.enabled and _AnomalyMode.check_nan:
        for k, g in enumerate(outputs):
            if g is not None and g.isnan().any():
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {k}th output.")
    return outputs


def _validate(node: Node, g: Tensor, meta) -> Tensor:
    """Reduce a broadcast gradient to its input's shape and cast it to its dtype."""
    if meta is None:
        return g
    shape, dtype = meta
    if g._data.shape != shape:
        g = _sum_to(node, g, shape)
    if g.dtype is not dtype:
        g = g.to(dtype)
    return g


def _sum_to(node: Node, g: Tensor, shape) -> Tensor:
    gshape = g._data.shape
    lead = len(gshape) - len(shape)
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, gshape[lead:])):
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index 0 - got "
            f"[{', '.join(map(str, gshape))}] but expected shape compatible with "
            f"[{', '.join(map(str, shape))}]"
        )
    dims = list(range(lead)) + [lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1]
    if dims:
        g = g.sum(dims, keepdim=True)
    if lead:
        g = g.view(shape)
    return g


def _accumulate(variable: Tensor, g: Tensor, create_graph: bool) -> None:
    """AccumulateGrad: leaf hooks, then store or add into ``variable.grad``."""
    if variable._hooks:
        for fn in list(variable._hooks):
            out = fn(g)
            if out is not None:
                g = out
    current = variable._grad
    if current is None:
        # NB: PyTorch steals the incoming gradient when nothing else holds it;
        # we cannot see reference counts reliably, so we copy into the leaf's layout.
        variable._grad = g if create_graph else _creation.copy_in_layout_of(g, variable)
    elif create_graph:
        variable._grad = current + g
    else:
        current.add_(g)


def install_retain_grad(t: Tensor) -> None:
    node = t._grad_fn
    if node._retain_grad_hooks is None:
        node._retain_grad_hooks = {}
    node._retain_grad_hooks[t._output_nr] = weakref.ref(t)
