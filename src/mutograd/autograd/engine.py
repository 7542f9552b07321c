"""The backward engine: dependency-counted execution of the graph.

NB: in PyTorch this is torch/csrc/autograd/engine.cpp. As there, ready nodes
run in decreasing sequence number (the most recently created first), an
AccumulateGrad runs as soon as it is ready, gradients arriving at a node are
summed per output (InputBuffer), and each gradient a node returns is reduced
to its input's shape and cast to its dtype (validate_outputs).
"""

from __future__ import annotations

import heapq
import sys
import warnings
import weakref

from .. import _creation, _errors
from .._location import _Recording
from .._tensor import Tensor
from . import hooks
from .grad_mode import GradMode, _AnomalyMode
from .graph import AccumulateGrad, GradientEdge, Node, edge_of, gradient_edge


def _make_grads(outputs, grad_outputs) -> list:
    grads = []
    for k, (out, grad) in enumerate(zip(outputs, grad_outputs, strict=False)):
        if grad is None:
            if out.requires_grad and out._data.size != 1:
                raise _errors.implicit_grad_non_scalar()
            grad = _creation.ones_like(out)
        elif not isinstance(grad, Tensor):
            raise TypeError(
                f"gradients can be either Tensors or None, but got {type(grad).__name__}"
            )
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
    if isinstance(x, (Tensor, GradientEdge)):
        return (x,)
    if x is None:
        return ()
    return tuple(x)


def backward(
    tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None
) -> None:
    """Accumulate gradients of ``tensors`` into the leaves' ``.grad``."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"got {len(grad_tensors)} tensors and {len(tensors)} gradients")
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
    if create_graph:
        _warn_create_graph_cycle()
    captured = _execute(tensors, grads, retain_graph, create_graph, targets, accumulate=True)
    if targets is not None:
        # Leaf targets accumulated at their AccumulateGrad; non-leaf targets here.
        for t, g in zip(targets, captured, strict=True):
            if g is not None and t.grad_fn is not None:
                t._grad = g if t._grad is None else t._grad + g


class _Warned:
    create_graph_cycle = False


def _warn_create_graph_cycle() -> None:
    # As PyTorch's engine (a TORCH_WARN_ONCE): once per process.
    if _Warned.create_graph_cycle:
        return
    _Warned.create_graph_cycle = True
    warnings.warn(
        "Using backward() with create_graph=True will create a reference cycle between the "
        "parameter and its gradient which can cause a memory leak. We recommend using "
        "autograd.grad when creating the graph to avoid this. If you have to use this function, "
        "make sure to reset the .grad fields of your parameters to None after use to break the "
        "cycle and avoid the leak.",
        UserWarning,
        stacklevel=4,
    )


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """Return the gradients of ``outputs`` with respect to ``inputs``."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    grad_outputs = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    for k, t in enumerate(outputs):
        if not t.requires_grad:
            raise _errors.no_grad_fn(k)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    for t in inputs:
        if not isinstance(t, GradientEdge) and not t.requires_grad:
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
                    f"The differentiated Tensor at index {k} appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
        result.append(g)
    return tuple(result)


def _execute(roots, grads, retain_graph, create_graph, targets, accumulate):
    task = _GraphTask(roots, grads, retain_graph, create_graph, targets, accumulate)
    # The caller's references to the root gradients stay alive during the run, so
    # that, as in PyTorch, a root gradient is never stolen nor accumulated into.
    previous = GradMode.enabled
    paused = _Recording.paused
    GradMode.enabled = create_graph
    if not create_graph:
        # The views and writes the formulas make are the engine's own temporaries:
        # finding their user-code location (a walk up the whole stack) is wasted.
        _Recording.paused = True
    ready = task.ready
    _running.append(task)
    try:
        while ready:
            task.evaluate(heapq.heappop(ready)[2])
    finally:
        _running.pop()
        GradMode.enabled = previous
        _Recording.paused = paused
    return task.captured


# The backward runs in progress, innermost last (a hook may start a backward).
_running: list = []


def current_graph_task():
    """The innermost running backward (PyTorch's _current_graph_task_id), or None."""
    return _running[-1] if _running else None


class _GraphTask:
    """One backward run (PyTorch's GraphTask): input buffers, dependencies, the ready queue.

    NB: each node is evaluated in a method so that its local references die on
    return, as C++'s moves do: whether a gradient may be stolen by a leaf or
    accumulated into in place depends on who else holds it (see _sole_reference).
    """

    def __init__(self, roots, grads, retain_graph, create_graph, targets, accumulate) -> None:
        self.retain_graph = retain_graph
        self.create_graph = create_graph
        self.accumulate = accumulate
        self.targets = targets
        root_edges = [gradient_edge(t) for t in roots]
        for k, (node, _) in enumerate(root_edges):
            if node is None:
                # As PyTorch's run_backward: a root with no edge (a view made under
                # no_grad of a tensor requiring grad) cannot start a backward.
                raise _errors.no_grad_fn(k)
        # Capture points: a target leaf is captured at its AccumulateGrad, a
        # non-leaf at (grad_fn, output_nr), after tensor hooks, as in PyTorch.
        self.captures: dict = {}
        if targets is not None:
            for k, t in enumerate(targets):
                node, nr = edge_of(t)
                self.captures.setdefault((node, nr), []).append(k)
        root_nodes = [e[0] for e in root_edges]
        self.roots = set(root_nodes)
        self.dependencies = _count_dependencies(root_nodes)
        self.needed = _needed_nodes(root_nodes, self.captures) if targets is not None else None
        self.buffers: dict[Node, list] = {}
        for (node, nr), g in zip(root_edges, grads, strict=True):
            self.add_to_buffer(node, nr, g)
        self.ready: list = []
        self.counter = 0
        for node in self.buffers:
            if self.dependencies.get(node, 0) == 0:
                self.push(node)
        self.captured = [None] * (len(targets) if targets is not None else 0)

    def will_execute(self, node) -> bool:
        """PyTorch's _will_engine_execute_node: the node is reached and needed."""
        if node not in self.dependencies and node not in self.buffers and node not in self.roots:
            return False
        return (
            self.needed is None or node in self.needed or any(n is node for n, _ in self.captures)
        )

    def push(self, node: Node) -> None:
        heapq.heappush(self.ready, (-node._seq, self.counter, node))
        self.counter += 1

    def evaluate(self, node: Node) -> None:
        inputs = self.buffers.pop(node)
        if (
            node._tensor_pre_hooks is not None
            or node._retain_grad_hooks is not None
            or node._pre_hooks is not None
        ):
            inputs = hooks.run_pre_hooks(node, inputs)
        # NB: when backward() accumulates, a leaf's gradient goes to its .grad, not
        # to a capture (holding it would stop AccumulateGrad from stealing it).
        leaf = type(node) is AccumulateGrad
        if self.captures and not (leaf and self.accumulate):
            for nr in range(len(inputs)):
                for k in self.captures.get((node, nr), ()):
                    self.captured[k] = inputs[nr]
        if leaf:
            if self.accumulate and (self.targets is None or (node, 0) in self.captures):
                _accumulate(node.variable, inputs, self.create_graph)
            return
        if self.needed is not None and node not in self.needed:
            return
        if node._post_hooks is None and not _AnomalyMode.enabled:
            outputs = list(node.apply(inputs))
        else:
            outputs = _call_node(node, inputs)
        del inputs
        next_functions = node.next_functions
        n = len(outputs) if len(outputs) < len(next_functions) else len(next_functions)
        # As PyTorch's call_function, every gradient is checked against what the
        # next node expects before the node's saved tensors are released (a
        # refused gradient leaves the graph as it was).
        for k in range(n):
            g = outputs[k]
            if g is None:
                continue
            next_node, nr = next_functions[k]
            if next_node is None:
                continue
            expected = next_node._output_meta
            if expected is not None and nr < len(expected):
                shape, dtype = expected[nr]
                if g._data.shape == shape and g.dtype is dtype:
                    continue  # NB: the common case, checked inline
            outputs[k] = _validate(node, k, g, _expected_meta(next_node, nr, node, k))
        g = None  # NB: a local reference would stop the next node from stealing it
        if not self.retain_graph:
            node._release_saved()
        buffers = self.buffers
        dependencies = self.dependencies
        for k, (next_node, nr) in enumerate(next_functions):
            if next_node is None:
                continue
            buffer = buffers.get(next_node)
            if buffer is None:
                buffer = buffers[next_node] = [None] * next_node._n_outputs
            if k < n and outputs[k] is not None:
                # As C++ moves each output into the next buffer, drop ours first.
                if buffer[nr] is None:
                    buffer[nr] = outputs[k]
                    outputs[k] = None
                else:
                    g = outputs[k]
                    outputs[k] = None
                    self.add_to_buffer(next_node, nr, g)
                    del g
            remaining = dependencies[next_node] - 1
            dependencies[next_node] = remaining
            if remaining == 0:
                # NB: not buffer.count(None): that compares tensors with == (an op).
                if buffer[0] is not None or any(x is not None for x in buffer):
                    heapq.heappush(self.ready, (-next_node._seq, self.counter, next_node))
                    self.counter += 1
                else:
                    del buffers[next_node]

    def add_to_buffer(self, node: Node, nr: int, g: Tensor) -> None:
        """PyTorch's InputBuffer::add: sum gradients arriving at the same input."""
        buffer = self.buffers.get(node)
        if buffer is None:
            buffer = self.buffers[node] = [None] * node._n_outputs
        old = buffer[nr]
        if old is None:
            buffer[nr] = g
            return
        buffer[nr] = None
        # NB: in PyTorch this is InputBuffer's accumulate(): when the buffer holds
        # the only reference to a dense gradient and its storage, and grad mode is
        # off, it adds in place (bumping that tensor's version) instead of
        # allocating.
        if not GradMode.enabled and _sole_reference(old) and _owns_storage(old) and _dense(old):
            old.add_(g)
            buffer[nr] = old
        else:
            buffer[nr] = old + g


def _count_dependencies(roots) -> dict:
    dependencies: dict[Node, int] = {}
    # NB: a root listed twice (backward([y, y])) is walked once, or its next
    # nodes would wait for a gradient that never comes.
    stack = list({id(r): r for r in roots if r is not None}.values())
    seen = set(stack)
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


def _call_node(node: Node, inputs: list) -> list:
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
        outputs = hooks.run_post_hooks(node, outputs, inputs)
    if _AnomalyMode.enabled and _AnomalyMode.check_nan:
        for k, g in enumerate(outputs):
            if g is not None and g.isnan().any():
                raise RuntimeError(
                    f"Function '{node.name()}' returned nan values in its {k}th output."
                )
    return list(outputs)


def _expected_meta(next_node: Node, nr: int, node: Node, k: int):
    """What the next node expects for input ``nr`` (PyTorch's input_metadata).

    NB: that is the metadata of the tensor when the next node was created (a
    leaf's when its AccumulateGrad was): a tensor reshaped in place since, under
    no_grad, makes backward refuse the gradient, as in PyTorch.
    """
    expected = next_node._output_meta
    if expected is not None and nr < len(expected) and expected[nr] is not None:
        return expected[nr]
    # A node without metadata for that input: what this node saw when it was made.
    return node._input_meta[k] if k < len(node._input_meta) else None


def _validate(node: Node, index: int, g: Tensor, meta) -> Tensor:
    """Reduce a broadcast gradient to its input's shape and cast it to its dtype."""
    if meta is None:
        return g
    shape, dtype = meta
    if g._data.shape != shape:
        g = _sum_to(node, index, g, shape)
    if g.dtype is not dtype:
        g = g.to(dtype)
    return g


def _sum_to(node: Node, index: int, g: Tensor, shape) -> Tensor:
    gshape = g._data.shape
    lead = len(gshape) - len(shape)
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, gshape[lead:], strict=True)):
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {index} - got "
            f"[{', '.join(map(str, gshape))}] but expected shape compatible with "
            f"[{', '.join(map(str, shape))}]"
        )
    if not shape:
        return g.sum()  # NB: as at::sum_to, a 0-dim target is a full sum (SumBackward0)
    dims = list(range(lead)) + [
        lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1
    ]
    if len(dims) == lead and not GradMode.enabled:
        # Only new leading dims to reduce (a Linear's bias): one sum gives the same
        # values and layout as at::sum_to's sum(keepdim=True).view(), which only
        # create_graph could tell apart (its grad_fn).
        return g.sum(dims)
    if dims:
        g = g.sum(dims, keepdim=True)
    if lead:
        g = g.view(shape)
    return g


def _accumulate(variable: Tensor, inputs: list, create_graph: bool) -> None:
    """AccumulateGrad: leaf hooks, then store or add into ``variable.grad``.

    NB: in PyTorch this is AccumulateGrad::accumulateGrad. The first gradient is
    stolen (kept as is, with its version) when grad mode is off, nothing else
    holds it and its strides obey the layout contract; otherwise it is copied
    into a fresh tensor laid out like the leaf (``new_empty_strided().copy_()``,
    so that copy is at version 1). Later gradients are added in place
    (``variable.grad += new_grad``), or out of place under create_graph.
    """
    g = inputs[0]
    inputs[0] = None
    leaf_hooks = variable._hooks
    if leaf_hooks:
        g = hooks.run_leaf_hooks(leaf_hooks, g)
    if not variable._requires_grad:
        # As PyTorch's AccumulateGrad::apply: a leaf that stopped requiring grad since
        # the graph was built (detach_(), requires_grad_(False)) gets nothing.
        return
    current = variable._grad
    if current is None:
        if not GradMode.enabled and _sole_reference(g) and _obeys_layout_contract(g, variable):
            variable._grad = g.detach()
        else:
            variable._grad = _clone_obey_contract(g, variable)
    elif GradMode.enabled:
        variable._grad = current + g
    else:
        current.add_(g)
    if leaf_hooks is not None and leaf_hooks.post:
        del g  # NB: as PyTorch, the hook sees the leaf with its .grad already set
        for fn in list(leaf_hooks.post):
            fn(variable)


def _clone_obey_contract(g: Tensor, variable: Tensor) -> Tensor:
    """PyTorch's clone_obey_contract: a copy of ``g`` laid out like the leaf.

    As there it is ``new_empty_strided(...).copy_(g)``, so the copy is at
    version 1 and, under create_graph, has CopyBackwards as its grad_fn.
    """
    if _dense(variable):
        if not GradMode.enabled and variable._data.flags.c_contiguous:
            return _creation.contiguous_copy(g, variable._data.shape)
        if variable._data.flags.c_contiguous:
            out = _creation.empty(variable._data.shape, dtype=g.dtype)
        else:
            out = _creation.empty_strided(variable._data.shape, variable.stride(), dtype=g.dtype)
        return out.copy_(g)
    return g.clone(memory_format=None)


def _probe_references(obj) -> int:
    return sys.getrefcount(obj)


def _calibrate() -> int:
    probe = object()
    return _probe_references(probe)


# What _probe_references reports for an object held by exactly one local name.
_ONE_REFERENCE = _calibrate()


def _sole_reference(t: Tensor) -> bool:
    """True when only the caller's one local name holds ``t`` (PyTorch's use_count() == 1)."""
    return _probe_references(t) <= _ONE_REFERENCE + 1


def _owns_storage(t: Tensor) -> bool:
    """True when no other tensor or array shares ``t``'s memory (storage().use_count() == 1).

    NB: a tensor that owns its array is referenced by its ``_data`` and
    ``_storage`` slots; any view, alias or ``.numpy()`` array adds a reference.
    """
    storage = t._storage
    return (
        t._base is None and t._data is storage and _probe_references(storage) <= _ONE_REFERENCE + 2
    )


def _dense(t: Tensor) -> bool:
    return t._data.flags.c_contiguous or t._data.flags.f_contiguous


def _obeys_layout_contract(g: Tensor, variable: Tensor) -> bool:
    """PyTorch's obeys_layout_contract: the gradient's strides match the leaf's."""
    if not _dense(variable):
        return g._data.flags.c_contiguous
    for size, g_stride, v_stride in zip(
        g._data.shape, g._data.strides, variable._data.strides, strict=False
    ):
        if size != 1:
            if g_stride != v_stride:
                return False
        elif g_stride == 0:
            return False
    return True


def install_retain_grad(t: Tensor) -> None:
    node = t._grad_fn
    if node._retain_grad_hooks is None:
        node._retain_grad_hooks = {}
    node._retain_grad_hooks[t._output_nr] = weakref.ref(t)
