"""User-defined ops: ``torch.autograd.Function`` with ctx.save_for_backward / mark_dirty.

The class-per-op style is PyTorch's prescription for user code; mutograd's own
ops are declared in the op table instead.

As in PyTorch, ``ctx`` *is* the backward node: each Function subclass gets a
node class named ``<Function>Backward`` (FunctionMeta), an instance of which is
passed to ``forward`` as ``ctx`` and becomes the outputs' ``grad_fn``.
"""

from __future__ import annotations

import warnings

from .._location import user_location, user_stack
from .._tensor import Tensor, ViewMeta, _new_view
from .grad_mode import GradMode, _AnomalyMode
from .graph import Node, gradient_edge
from .saved import SavedTensor


class FunctionCtx:
    """The ``ctx`` methods available in ``forward`` and ``backward``."""

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
        return tuple(s.unpack(self) if isinstance(s, SavedTensor) else s for s in self._saved)


class BackwardCFunction(FunctionCtx, Node):
    """The node of a custom Function; its subclasses are named ``<Function>Backward``."""

    _function: type = None  # set on each generated subclass

    def __init__(self) -> None:
        Node.__init__(self)
        self._to_save: tuple = ()
        self._saved: list | None = None
        self._dirty: tuple = ()
        self._non_differentiable: tuple = ()
        self._n_outputs = 1
        self._output_meta: tuple = ()
        self._input_positions: tuple = ()
        self.materialize_grads = True
        self.needs_input_grad: tuple = ()

    def apply(self, grads: list) -> tuple:
        if self.materialize_grads:
            # As PyTorch: outputs that got no gradient are given zeros.
            grads = [
                _zeros(meta) if g is None and meta is not None else g
                for g, meta in zip(grads, self._output_meta, strict=False)
            ]
        result = self._function.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        expected = len(self.needs_input_grad)
        if len(result) != expected:
            if len(result) > expected and all(r is None for r in result[expected:]):
                result = result[:expected]
            else:
                raise RuntimeError(
                    f"function {self.name()} returned an incorrect number of gradients (expected "
                    f"{expected}, got {len(result)})"
                )
        return tuple(result[p] for p in self._input_positions)

    def _release_saved(self) -> None:
        if self._saved is not None:
            for s in self._saved:
                if isinstance(s, SavedTensor):
                    s.release()


def _zeros(meta) -> Tensor:
    # NB: as PyTorch's materialized gradients, made by writing zeros (version 1).
    from .._creation import empty

    shape, dtype = meta
    return empty(shape, dtype=dtype).zero_()


class FunctionMeta(type):
    """Gives each Function subclass its own backward-node class, ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs) -> None:
        cls._backward_cls = type(
            name + "Backward",
            (BackwardCFunction,),
            {"_function": cls, "__module__": cls.__module__},
        )
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Subclass and define ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call ``apply``."""

    def __init__(self, *args, **kwargs) -> None:
        # As PyTorch: the legacy instance style is deprecated (methods are static).
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._backward_cls()
        tensor_positions = tuple(k for k, a in enumerate(args) if isinstance(a, Tensor))
        record = GradMode.enabled and any(args[k].requires_grad for k in tensor_positions)
        ctx.needs_input_grad = tuple(
            isinstance(a, Tensor) and a.requires_grad and record for a in args
        )
        if record:
            # As PyTorch, the edges are taken before forward runs (it may write its inputs).
            ctx.next_functions = tuple(
                gradient_edge(args[k]) if args[k].requires_grad else (None, 0)
                for k in tensor_positions
            )
            ctx._input_meta = tuple((args[k]._data.shape, args[k].dtype) for k in tensor_positions)
        previous = GradMode.enabled
        GradMode.enabled = False
        try:
            outputs = cls.forward(ctx, *args, **kwargs)
        finally:
            GradMode.enabled = previous
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else tuple(outputs)
        # As PyTorch's _mark_dirty: the declared writes move the version first,
        # recorded or not, before the outputs are checked.
        for t in ctx._dirty:
            _bump_dirty(t)
        _check_dirty_returned(ctx, outs)
        inputs = {id(args[k]) for k in tensor_positions}
        if not record:
            ctx._saved = None
            return outputs
        node = ctx
        node._location = user_location(2)
        if _AnomalyMode.enabled:
            node._anomaly_trace = user_stack()
        node._input_positions = tensor_positions
        node._n_outputs = len(outs)
        dirty = {id(t) for t in ctx._dirty}
        non_diff = {id(t) for t in ctx._non_differentiable}
        wrapped = []
        output_meta = []
        for k, out in enumerate(outs):
            if not isinstance(out, Tensor):
                wrapped.append(out)
                output_meta.append(None)
                continue
            differentiable = id(out) not in non_diff and out.dtype.is_floating_point
            if id(out) in dirty:
                _rebase_dirty(out, node, k, id(out) in inputs, len(outs))
            elif id(out) in inputs:
                # As PyTorch: an input returned as-is comes back as a view of it.
                out = _new_view(out, out._data)
                out._view_meta = ViewMeta("in_custom_function", out._vc.version, node._location)
                if differentiable:
                    out._grad_fn = node
                    out._output_nr = k
            elif differentiable:
                out._grad_fn = node
                out._output_nr = k
                out._requires_grad = False
                if out._base is not None and out._view_meta is not None:
                    # A view made inside forward: writing into it would bypass backward.
                    out._view_meta = ViewMeta("in_custom_function", out._vc.version, node._location)
                    out._vc.watch()
            wrapped.append(out)
            output_meta.append((out._data.shape, out.dtype))
        node._output_meta = tuple(output_meta)
        node._saved = [
            SavedTensor(t, is_output=any(t is o for o in wrapped)) if isinstance(t, Tensor) else t
            for t in ctx._to_save
        ]
        # As PyTorch, the node keeps only the SavedTensors: holding the outputs
        # themselves (whose grad_fn is this node) would be a reference cycle.
        node._to_save = node._dirty = node._non_differentiable = ()
        return wrapped[0] if single else tuple(wrapped)


def _check_dirty_returned(ctx, outs) -> None:
    returned = {id(o) for o in outs if isinstance(o, Tensor)}
    if any(id(t) not in returned for t in ctx._dirty):
        raise RuntimeError(
            "Some elements marked as dirty during the forward method were not returned as output. "
            "The inputs that are modified inplace must all be outputs of the Function."
        )


def _bump_dirty(t: Tensor) -> None:
    from .._inplace import bump_version

    bump_version(t, "mark_dirty")


def _rebase_dirty(t: Tensor, node: Node, output_nr: int, is_input: bool, n_outputs: int) -> None:
    """An input the forward wrote into (ctx.mark_dirty): bump it, make ``node`` its history.

    NB: in PyTorch this is the is_modified branch of _process_backward_mode_ad.
    """
    # NB: a local import, because autograd/__init__ exposes Function before the
    # op layer (which _inplace belongs to) exists.
    from .._inplace import check_inplace, rebase_history

    # NB: PyTorch's is_leaf() here reads the raw grad_fn (no view regeneration).
    if t.requires_grad and t._grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad has been used in an in-place operation."
        )
    if not is_input:
        warnings.warn(
            "ctx.mark_dirty() received a tensor that was not an input. Only input Tensors that "
            "have been mutated should be passed to ctx.mark_dirty().",
            UserWarning,
            stacklevel=4,
        )
    check_inplace(t, "mark_dirty")
    if t._base is not None and n_outputs != 1:
        raise RuntimeError(
            "If your Function modifies inplace an input that is a view of another Tensor, your "
            "Function cannot return more than one Tensor. This is not supported by the current "
            "autograd engine. You should either make sure the input is not a view (using .clone() "
            "for example) or make your Function only return one Tensor (potentially splitting it "
            "into two Functions: one computing the Tensor and one returning its view)."
        )
    t._grad = None
    rebase_history(t, node, output_nr)


def once_differentiable(fn):
    return fn


class InplaceFunction(Function):
    """A Function that may modify its input in place (the legacy ``inplace`` flag)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


def _saved_variables(self) -> tuple:
    # The pre-0.4 name of saved_tensors, deprecated as in PyTorch.
    warnings.warn(
        "'saved_variables' is deprecated; use 'saved_tensors'", DeprecationWarning, stacklevel=2
    )
    return self.saved_tensors


FunctionCtx.saved_variables = property(_saved_variables)
