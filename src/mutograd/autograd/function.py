"""User-defined ops: ``torch.autograd.Function`` with ctx.save_for_backward / mark_dirty.

The class-per-op style is PyTorch's prescription for user code; mutograd's own
ops are declared in the op table instead.
"""

from __future__ import annotations

from .. import _errors
from .._location import user_location
from .._tensor import Tensor, ViewMeta, _new_view
from .graph import Node, gradient_edge
from .grad_mode import GradMode
from .saved import SavedTensor


class FunctionCtx:
    """The ``ctx`` passed to forward and backward."""

    def __init__(self) -> None:
        self._to_save: tuple = ()
        self._saved: list | None = None
        self._dirty: tuple = ()
        self._non_differentiable: tuple = ()
        self.materialize_grads = True
        self.needs_input_grad: tuple = ()
        self._node = None

    def save_for_backward(self, *tensors) -> None:
        self._to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        pass

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    @property
    def saved_tensors(self) -> tuple:
        if self._saved is None:
            return tuple(self._to_save)
        return tuple(s.unpack(self._node) if isinstance(s, SavedTensor) else s for s in self._saved)


class BackwardCFunction(Node):
    """The node of a custom Function; PyTorch names it ``<Function>Backward``."""

    __slots__ = ("_ctx", "_function", "_n_outputs", "_input_positions")

    def name(self) -> str:
        return self._function.__name__ + "Backward"

    def _num_outputs(self) -> int:
        return self._n_outputs

    def apply(self, grads: list) -> tuple:
        ctx = self._ctx
        if ctx.materialize_grads:
            grads = [g if g is not None else None for g in grads]
        result = self._function.backward(ctx, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        expected = len(self._input_positions)
        if len(result) < expected:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{expected}, got {len(result)})"
            )
        return tuple(result[p] for p in self._input_positions)

    def _release_saved(self) -> None:
        if self._ctx._saved is not None:
            for s in self._ctx._saved:
                if isinstance(s, SavedTensor):
                    s.release()


class FunctionMeta(type):
    """Gives each Function subclass its own backward-node class name."""


class Function(metaclass=FunctionMeta):
    """Subclass and define ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call ``apply``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        tensor_positions = [k for k, a in enumerate(args) if isinstance(a, Tensor)]
        record = GradMode.enabled and any(args[k].requires_grad for k in tensor_positions)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        previous = GradMode.enabled
        GradMode.enabled = False
        try:
            outputs = cls.forward(ctx, *args, **kwargs)
        finally:
            GradMode.enabled = previous
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        if not record:
            return outputs
        node = BackwardCFunction()
        node._ctx = ctx
        node._function = cls
        node._location = user_location(2)
        node._input_positions = tuple(tensor_positions)
        node.next_functions = tuple(
            gradient_edge(args[k]) if args[k].requires_grad else (None, 0) for k in tensor_positions
        )
        node._input_meta = tuple((args[k]._data.shape, args[k].dtype) for k in tensor_positions)
        node._n_outputs = len(outs)
        ctx._node = node
        inputs = {id(args[k]) for k in tensor_positions}
        dirty = {id(t) for t in ctx._dirty}
        non_diff = {id(t) for t in ctx._non_differentiable}
        wrapped = []
        for k, out in enumerate(outs):
            if not isinstance(out, Tensor):
                wrapped.append(out)
                continue
            if id(out) in dirty:
                _check_dirty(out)
            elif id(out) in inputs:
                # As PyTorch: an input returned as-is comes back as a view of it.
                view = _new_view(out, out._data)
                view._view_meta = ViewMeta("in_custom_function", view._vc.version)
                view._view_meta.origin_node_name = node.name()
                view._view_meta.origin_output_nr = k
                out = view
            if id(out) not in non_diff and out.dtype.is_floating_point:
                out._grad_fn = node
                out._output_nr = k
                out._requires_grad = False
            wrapped.append(out)
        ctx._saved = [
            SavedTensor(t, is_output=any(t is o for o in wrapped)) if isinstance(t, Tensor) else t
            for t in ctx._to_save
        ]
        return wrapped[0] if single else tuple(wrapped)


def _check_dirty(t: Tensor) -> None:
    if t._grad_fn is None and t._requires_grad and t._base is None:
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
    if t._base is not None and t._base.requires_grad and t._base._grad_fn is None:
        raise _errors.view_of_leaf_inplace()


def once_differentiable(fn):
    return fn
