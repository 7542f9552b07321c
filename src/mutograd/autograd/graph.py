"""Autograd graph nodes: the Node base (a tensor's ``grad_fn``) and AccumulateGrad.

The per-op node classes (AddBackward0, MulBackward0, ...) are generated from
the op table by ``ops/_registry.py`` as subclasses of ``OpNode``; this module
knows nothing about particular ops.
"""

from __future__ import annotations

import itertools
import re
import weakref
from typing import NamedTuple

_sequence = itertools.count()
_BACKWARD_SUFFIX = re.compile(r"Backward(\d*)$")
# PyTorch's hand-written nodes (torch/csrc/autograd/functions) report their C++
# qualified names from name(); the generated ones their plain names.
_MANUAL_NODES = frozenset({"CopyBackwards", "CopySlices"})


def _number_unless_zero(match) -> str:
    return "" if match.group(1) in ("", "0") else match.group(1)


class RemovableHandle:
    """What ``register_hook`` returns; ``remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "_id")

    def __init__(self, hooks: list, fn) -> None:
        # NB: the hook is known by identity only, so that, as in PyTorch, a removed
        # hook is freed at once even while its handle lives.
        self._hooks = hooks
        self._id = id(fn)

    def remove(self) -> None:
        if self._id is None:
            return
        for k, fn in enumerate(self._hooks):
            if id(fn) == self._id:
                del self._hooks[k]
                break
        self._id = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class Node:
    """A node of the backward graph, PyTorch's ``torch.autograd.graph.Node``.

    ``next_functions`` holds one ``(node, output_nr)`` edge per differentiable
    input, ``(None, 0)`` where the input needs no gradient. ``_output_meta``
    holds the (shape, dtype) of each output when the node was made (PyTorch's
    input_metadata): the engine checks, reduces and casts gradients against the
    next node's. ``_input_meta`` is kept only by the nodes whose next nodes may
    lack that (AccumulateGrad, custom Functions, CopySlices, a view's regenerated
    AsStridedBackward0): the engine's fallback, per input.
    """

    __slots__ = (
        "next_functions",
        "_input_meta",  # (shape, dtype) per input, where kept: see the docstring
        "_output_meta",  # (shape, dtype) of each output when made: PyTorch's input_metadata
        "_seq",
        "_pre_hooks",
        "_post_hooks",
        "_tensor_pre_hooks",  # {output_nr: [hook]} from Tensor.register_hook on outputs
        "_retain_grad_hooks",  # {output_nr: tensor-weakref} for retain_grad()
        "_location",  # user-code (file, line, function) of the forward call
        "_anomaly_trace",
        "_metadata",
        "_n_outputs",  # how many outputs (gradient inputs in backward) the node has
        "__weakref__",
    )

    def __init__(self) -> None:
        self._seq = next(_sequence)
        self._n_outputs = 1
        self.next_functions = ()
        self._input_meta = ()
        self._output_meta = None
        self._pre_hooks = None
        self._post_hooks = None
        self._tensor_pre_hooks = None
        self._retain_grad_hooks = None
        self._location = None
        self._anomaly_trace = None
        self._metadata = None

    def name(self) -> str:
        name = type(self).__name__
        if name in _MANUAL_NODES:
            return "torch::autograd::" + name
        return name

    def _label(self) -> str:
        """The name PyTorch's errors use: "Sigmoid" for SigmoidBackward0, "Pow1" for PowBackward1."""
        return _BACKWARD_SUFFIX.sub(_number_unless_zero, self.name())

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        return RemovableHandle(self._pre_hooks, fn)

    def _register_tensor_hook(self, output_nr: int, fn):
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        hooks = self._tensor_pre_hooks.setdefault(output_nr, [])
        hooks.append(fn)
        return RemovableHandle(hooks, fn)

    def _num_outputs(self) -> int:
        return self._n_outputs

    def apply(self, grads: list) -> tuple:
        raise NotImplementedError

    def _release_saved(self) -> None:
        """Free saved tensors after a backward without retain_graph."""

    def __call__(self, *grads):
        return self.apply(list(grads))


class AccumulateGrad(Node):
    """The sink for a leaf: adds incoming gradients into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable) -> None:
        super().__init__()
        self.variable = variable
        self._input_meta = ((variable._data.shape, variable.dtype),)
        self._output_meta = self._input_meta
        # As in PyTorch, AccumulateGrad runs as soon as it is ready.
        self._seq = float("inf")

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def apply(self, grads: list) -> tuple:
        # The engine calls _accumulate directly; see engine.py.
        raise RuntimeError("AccumulateGrad is applied by the engine")


def grad_accumulator(t) -> AccumulateGrad:
    """The leaf's AccumulateGrad, created once and held weakly (as PyTorch does)."""
    ref = t._grad_acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._grad_acc = weakref.ref(acc)
    return acc


def gradient_edge(t) -> tuple:
    """The (node, output_nr) through which gradient flows into ``t``."""
    fn = t._grad_fn if t._base is None else t.grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    if not t._requires_grad:
        # As PyTorch's grad_accumulator(): none for a leaf that requires no grad.
        return (None, 0)
    return (grad_accumulator(t), 0)


class GradientEdge(NamedTuple):
    """An edge of the graph, PyTorch's ``torch.autograd.graph.GradientEdge``:
    where the gradient of a tensor flows in; usable as an input of ``autograd.grad``."""

    node: Node
    output_nr: int
    ownership_token: object = None


def edge_of(t) -> tuple:
    """``gradient_edge`` for a tensor, the edge itself for a GradientEdge."""
    if isinstance(t, GradientEdge):
        return (t.node, t.output_nr)
    return gradient_edge(t)
