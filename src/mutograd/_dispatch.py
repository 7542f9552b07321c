"""The single call path of every out-of-place op.

    call(op, inputs, attrs)
      -> prepare: PyTorch type promotion, cast NumPy inputs to the compute dtype
      -> op.forward on ndarrays (NumPy errors silenced, shape errors re-raised as PyTorch's)
      -> wrap the output: a view of input 0 for view ops, a fresh tensor otherwise
      -> record: if grad mode is on and an input requires grad, build the op's node,
         connect its edges and save what the table says it saves.

``inputs`` holds the op's tensor parameters in schema order (a Tensor, a
Python scalar where PyTorch accepts a Scalar, None, or a list of Tensors);
``attrs`` holds the other arguments by name.
"""

from __future__ import annotations

import numpy as np

from . import _capture, _dtype, _errors, _layout
from ._location import user_location, user_stack
from ._npquiet import SILENT, loud, set_errstate
from ._tensor import Tensor, ViewMeta, _new, _new_view
from .autograd.grad_mode import GradMode, _AnomalyMode
from .autograd.graph import grad_accumulator, gradient_edge
from .autograd.inference import only_inference_tensors
from .autograd.saved import SavedTensor
from .ops._registry import (
    _SAVE_ATTR,
    CAST,
    COMPARE,
    FLOAT,
    KEEP,
    LONG,
    PROMOTE,
    PROMOTE_FLOAT,
    SUM,
    OpDef,
)

_SCALARS = (bool, int, float)
_NO_ATTRS: dict = {}


def _result_dtype(inputs, op: OpDef | None = None) -> _dtype.dtype:
    """PyTorch's result type of the tensors and scalars in ``inputs``."""
    dims, zeros, scalars = [], [], []
    for k, x in enumerate(inputs):
        if isinstance(x, Tensor):
            (dims if x._data.ndim else zeros).append(x.dtype)
        elif x is None:
            if op is not None and not _is_optional(op, k):
                raise _not_a_tensor(op, k, x)
        elif isinstance(x, (list, tuple)):
            dims.extend(t.dtype for t in x)
        elif isinstance(x, (bool, int, float, np.number, np.bool_)):
            scalars.append(x)
        elif op is not None:
            raise _not_a_tensor(op, k, x)
        else:
            scalars.append(x)
    return _dtype.result_type_from(dims, zeros, scalars)


def _is_optional(op: OpDef, k: int) -> bool:
    name = op.tensor_args[k]
    return next(a for a in op.args if a.name == name).type.endswith("?")


def _not_a_tensor(op: OpDef, k: int, value) -> TypeError:
    """PyTorch's argument-parser error for a non-tensor where the schema wants a Tensor."""
    name = op.tensor_args[k]
    position = next(i for i, a in enumerate(op.args) if a.name == name) + 1
    return TypeError(
        f"{op.name.split('.')[0]}(): argument '{name}' (position {position}) must be Tensor, "
        f"not {type(value).__name__}"
    )


def compute_dtype(op: OpDef, inputs, attrs: dict = _NO_ATTRS) -> tuple:
    """(dtype the kernel computes in, dtype of the output) under the op's dtype rule."""
    rule = op.dtype_rule
    if rule == KEEP:
        d = inputs[0].dtype
        return d, d
    if rule == CAST:
        return inputs[0].dtype, attrs["dtype"]
    if rule == FLOAT:
        d = inputs[0].dtype
        if not d.is_floating_point:
            d = _dtype.get_default_dtype()
        return d, d
    if rule == SUM:
        # Sums of integers and bools accumulate in int64, as PyTorch's; an explicit
        # dtype= (prod's, which is not a cast before the op) is the output's.
        d = inputs[0].dtype
        if attrs.get("dtype") is not None:
            return attrs["dtype"], attrs["dtype"]
        return d, (d if d.is_floating_point else _dtype.int64)
    first = inputs[0]
    if len(inputs) == 2 and isinstance(first, Tensor):
        # Fast path for the common binary case: same dtype, or a weak scalar.
        second = inputs[1]
        if isinstance(second, Tensor) and second.dtype is first.dtype:
            d = first.dtype
        elif type(second) in _SCALARS and _category(second) <= first.dtype._category:
            d = first.dtype
        else:
            d = _result_dtype(inputs, op)
    else:
        d = _result_dtype(inputs, op)
    if rule == PROMOTE:
        return d, d
    if rule == PROMOTE_FLOAT:
        if not d.is_floating_point:
            d = _dtype.get_default_dtype()
        return d, d
    if rule == COMPARE:
        return d, _dtype.bool_
    if rule == LONG:
        return d, _dtype.int64
    raise AssertionError(rule)


def _category(value) -> int:
    if value is True or value is False:
        return 0
    return 1 if type(value) is int else 2


def to_arrays(inputs, dtype: _dtype.dtype | None) -> list:
    """NumPy operands: tensors' arrays (cast to ``dtype`` when given), scalars as-is."""
    arrays = []
    np_dtype = None if dtype is None else dtype._np
    for x in inputs:
        if isinstance(x, Tensor):
            a = x._data
            if np_dtype is not None and a.dtype is not np_dtype and a.dtype != np_dtype:
                a = a.astype(np_dtype)
            arrays.append(a)
        elif isinstance(x, (list, tuple)):
            arrays.append(
                [
                    t
                    if t is None
                    else t._data
                    if np_dtype is None or t._data.dtype == np_dtype
                    else t._data.astype(np_dtype)
                    for t in x
                ]
            )
        elif isinstance(x, np.generic):
            arrays.append(x.item())
        else:
            arrays.append(x)
    return arrays


def broadcast_shape(inputs) -> tuple:
    """The broadcast shape of the tensor inputs, with PyTorch's error.

    NB: as PyTorch's TensorIterator, the shapes are folded pairwise with
    infer_size, which compares from the last dimension: the error names the
    last mismatching dimension, "tensor a" being the shape folded so far.
    """
    shapes = [x._data.shape for x in inputs if isinstance(x, Tensor)]
    shape = shapes[0]
    for other in shapes[1:]:
        if other != shape:
            shape = _infer_size(shape, other)
    return shape


def _infer_size(a: tuple, b: tuple) -> tuple:
    ndim = max(len(a), len(b))
    out = [1] * ndim
    for i in range(ndim - 1, -1, -1):
        offset = ndim - 1 - i
        size_a = a[len(a) - 1 - offset] if len(a) - 1 - offset >= 0 else 1
        size_b = b[len(b) - 1 - offset] if len(b) - 1 - offset >= 0 else 1
        if size_a != size_b and size_a != 1 and size_b != 1:
            raise _errors.broadcast_mismatch(size_a, size_b, i)
        out[i] = size_b if size_a == 1 else size_a
    return tuple(out)


# Note [Calling a forward]
# ------------------------
# ``inputs`` holds the tensor arguments and ``attrs`` the others, but a forward
# takes them in schema order: ``index_fill(Tensor self, int dim, Tensor index,
# Scalar value)``. Passing the tensors positionally and the rest by keyword
# works only when every tensor comes first, and never for a NumPy ufunc, which
# takes no keywords but ``out=``. Such ops get a plan: the argument names in
# schema order, filled positionally (by keyword after the first one missing).


def call_forward(op: OpDef, arrays: list, attrs: dict, out=None):
    """``op.forward`` on NumPy operands in schema order; see Note [Calling a forward]."""
    plan = op.forward_plan
    if plan is None:
        if out is None:
            return op.forward(*arrays, **attrs)
        return op.forward(*arrays, **attrs, out=out)
    args = []
    keywords = {} if out is None else {"out": out}
    tensors = iter(arrays)
    positional = True
    for name, is_tensor in plan:
        if is_tensor:
            value = next(tensors)
        elif name in attrs:
            value = attrs[name]
        else:
            positional = False
            continue
        if positional:
            args.append(value)
        else:
            keywords[name] = value
    return op.forward(*args, **keywords)


def run_kernel(op: OpDef, arrays: list, attrs: dict, inputs, out=None):
    """Run the op's kernel: the one place every call, in-place write and out= goes through.

    The forward gets its arguments in schema order (Note [Calling a forward]),
    writing into ``out`` when given, with NumPy's floating-point warnings off
    (PyTorch never warns: inf/nan); NumPy's broadcast error becomes PyTorch's.
    While a graph is captured (mutograd.graphs) the recorder runs it and keeps the call.
    """
    if _capture.recorder is not None:
        return _capture.recorder.run(op, arrays, attrs, inputs, out)
    token = set_errstate(SILENT)
    try:
        if op.forward_plan is None and out is None:
            return op.forward(*arrays, **attrs)
        return call_forward(op, arrays, attrs, out)
    except ValueError:
        # NumPy's broadcast error -> PyTorch's; anything else is a bug to surface.
        broadcast_shape(inputs)
        raise
    finally:
        loud(token)


def call(op: OpDef, inputs: tuple, attrs: dict = _NO_ATTRS):
    """Run ``op`` out of place; see the module docstring.

    NB: this is the hot path of every op (and of every backward formula), so
    the common steps are written out here rather than in helpers; the kernel
    runs through run_kernel, as for every in-place write and out=.
    """
    needed = False
    if GradMode.enabled and op.node_cls is not None:
        # As PyTorch's VariableType, the edges are collected before the kernel
        # runs: a view whose history cannot be followed raises first.
        edges, needed = edges_for(op, inputs)
        if needed:
            first = inputs[0]
            if type(first) is not Tensor or first._inference:
                # NB: a normal tensor first (the common case) is enough to record.
                needed = not only_inference_tensors(inputs)
    if op.plain:
        # Note [The plain path], written out here: the kernel's run_kernel is the only call.
        first = inputs[0]
        if (
            isinstance(first, Tensor)
            and first.dtype.is_floating_point
            and not (attrs and attrs.get("dtype") is not None)  # sum(dtype=...): general path
            and (arrays := plain_arrays(first, inputs)) is not None
        ):
            if op.check is not None:
                op.check(*inputs, **attrs)  # NB: as on the general path, before the kernel
            out = _wrap(op, run_kernel(op, arrays, attrs, inputs), first.dtype, inputs)
            if needed:
                record_one(op, inputs, attrs, out, edges)
            return out
    if op.check is not None:
        op.check(*inputs, **attrs)
    cdtype, odtype = compute_dtype(op, inputs, attrs)
    # The operands: tensors' arrays, cast to the compute dtype where needed.
    arrays = to_arrays(inputs, None if op.dtype_rule == KEEP else cdtype)
    raw = run_kernel(op, arrays, attrs, inputs)
    if op.single_result:
        out = _wrap(op, raw, odtype, inputs)
        if needed:
            record_one(op, inputs, attrs, out, edges)
        elif op.is_view:
            _mark_views(op, (out,), None, inputs[0])
        return out
    outputs = _wrap_many(op, raw, odtype, inputs)
    if needed:
        record(op, inputs, attrs, outputs, edges)
    elif op.is_view:
        _mark_views(op, outputs, None, inputs[0])
    return outputs


# Note [The plain path]
# ---------------------
# Most calls are a pointwise op or a reduction on floating-point tensors of one
# dtype, maybe with Python numbers. Under every dtype rule of PLAIN_RULES, such a call
# computes in and returns that dtype (a Python number is a weak scalar of a
# lower or equal category), so the dtype rule, the casts and the forward plan
# can be skipped; the op's check and, when an input needs a gradient, the
# recording run as on the general path. Anything else takes the general path. In-place ops use the same operands
# (plain_arrays) to skip the dtype rule. Whether an op can take this path
# (``OpDef.plain``) is decided once, in defop.


def plain_arrays(first: Tensor, inputs) -> list | None:
    """The NumPy operands when every tensor has ``first``'s dtype and every other
    operand is a Python int or float (see Note [The plain path]), else None."""
    dtype = first.dtype
    arrays = [first._data]
    for x in inputs[1:]:
        if isinstance(x, Tensor):
            if x.dtype is not dtype:
                return None
            arrays.append(x._data)
        elif type(x) is float or type(x) is int:
            arrays.append(x)
        else:
            return None
    return arrays


def _wrap(op: OpDef, raw, odtype, inputs) -> Tensor:
    if op.is_view:
        return _new_view(inputs[0], raw)
    if type(raw) is not np.ndarray:
        raw = np.asarray(raw)
    if op.layout is not None:
        # NB: a 0-dim result, or a 1-dim one with unit stride, is laid out as
        # PyTorch's already (the common case for small tensors, kept cheap).
        if raw.ndim > 1 or (raw.ndim == 1 and (raw.strides[0] != raw.itemsize or not raw.size)):
            laid = op.layout(raw, inputs)
            _capture.copied(laid, raw)
            raw = laid
    elif not raw.size:
        raw = _layout.contiguous(raw)  # NB: NumPy gives empty results zero strides
    np_dtype = odtype._np
    if raw.dtype is not np_dtype and raw.dtype != np_dtype:
        cast = raw.astype(np_dtype)
        _capture.copied(cast, raw)
        raw = cast
    t = _new(raw, odtype)
    if GradMode.inference:
        t._inference = True
    return t


def _wrap_many(op: OpDef, raw, odtype, inputs) -> tuple:
    outs = []
    for a in raw:
        if op.is_view:
            outs.append(_new_view(inputs[0], a))
            continue
        if type(a) is not np.ndarray:
            a = np.asarray(a)
        # Integer outputs (indices) keep their own dtype.
        d = _dtype.from_numpy_dtype(a.dtype) if a.dtype.kind in "iub" else odtype
        if a.dtype != d._np:
            cast = a.astype(d._np)
            _capture.copied(cast, a)
            a = cast
        t = _new(a, d)
        if GradMode.inference:
            t._inference = True
        outs.append(t)
    return tuple(outs)


def _mark_views(op: OpDef, outputs, node, source: Tensor) -> None:
    """Give view outputs their ViewMeta (PyTorch's CreationMeta and attr version).

    As PyTorch's ``propagate_creation_meta``, a view of a view keeps the
    restriction of the view it was taken from (a view of a no_grad view is
    still a no_grad view), unless the new view is itself restricted.
    """
    if source._inference:
        return  # NB: views of inference tensors are not tracked (see _new_view)
    if not GradMode.enabled:
        creation = "inference_mode" if GradMode.inference else "no_grad_mode"
    elif len(op.outputs) > 1 or op.outputs[0] == "result[]":
        # unbind / split / chunk: a function that returns multiple views.
        creation = "multi_output_node"
    else:
        creation = "default"
    location = None
    previous = source._view_meta
    if previous is not None and previous.creation != "default":
        if creation == "default" or previous.creation == "inference_mode":
            creation = previous.creation
            location = previous.location
    if creation != "default":
        # A restricted view's error names the writes to its memory (indirect rebase).
        source._vc.watch()
        if location is None:
            location = user_location(4)
    differentiable = source.dtype.is_floating_point
    for out in outputs:
        # NB: integer views are PyTorch's non-differentiable views: no CreationMeta.
        out._view_meta = ViewMeta(creation, out._vc.version, location) if differentiable else None


def edges_for(op: OpDef, inputs) -> tuple[tuple, bool]:
    """One edge per differentiable input (lists expand to one per tensor), and whether
    any input needs a gradient."""
    edges = []
    needed = False
    for position in op.differentiable_positions:
        x = inputs[position]
        if isinstance(x, Tensor):
            # NB: Tensor.requires_grad and gradient_edge inlined for their common
            # cases: a non-view with a grad_fn, a leaf that requires grad.
            fn = x._grad_fn
            if fn is not None and x._base is None:
                edges.append((fn, x._output_nr))
                needed = True
            elif x._requires_grad and x._base is None:
                edges.append((grad_accumulator(x), 0))
                needed = True
            elif x.requires_grad:
                edges.append(gradient_edge(x))
                needed = True
            else:
                edges.append(_NO_EDGE)
        elif isinstance(x, (list, tuple)):
            for t in x:
                if t.requires_grad:
                    edges.append(gradient_edge(t))
                    needed = True
                else:
                    edges.append(_NO_EDGE)
        else:
            edges.append(_NO_EDGE)
    return tuple(edges), needed


_NO_EDGE = (None, 0)


def make_node(op: OpDef, inputs, attrs, edges, wanted=None):
    """Build the op's node and save its inputs (not outputs; see save_outputs).

    ``wanted``: ``op.wanted(edges)`` when the caller has it already."""
    node = op.node_cls()
    node.next_functions = edges
    # NB: the engine checks each gradient against the next node's _output_meta
    # (PyTorch's input_metadata); no need to keep the inputs' metadata here.
    node._n_outputs = op.n_outputs
    node._location = user_location(3)
    if _AnomalyMode.enabled:
        node._anomaly_trace = user_stack()
    node._saved = saved = {}
    for name, kind, index in op.other_saves:
        if kind == _SAVE_ATTR:
            saved[name] = attrs.get(name)
        else:
            position, getter = index
            saved[name] = getter(inputs[position])
    if not op.input_saves:
        return node
    if wanted is None:
        wanted = op.wanted(edges)
    for name, index, users in op.input_saves:
        # As PyTorch's generated code, an input is saved only when a formula
        # that reads it will run (see Note [Which formulas run]).
        use = False
        for k in users:
            if wanted[k]:
                use = True
                break
        x = inputs[index]
        if not use or x is None:
            saved[name] = None
        elif isinstance(x, Tensor):
            saved[name] = SavedTensor(x)
        elif isinstance(x, (list, tuple)):
            saved[name] = [None if t is None else SavedTensor(t) for t in x]
        else:
            # A Python scalar in a Tensor slot: PyTorch's wrapped number.
            saved[name] = SavedTensor.wrapped_number(x)
    return node


def save_outputs(op: OpDef, node, outputs, inplace_on_view: bool = False) -> None:
    saved = node._saved
    for name, index in op.output_saves:
        saved[name] = SavedTensor(outputs[index], True, inplace_on_view)


def record_one(op: OpDef, inputs, attrs, out: Tensor, edges) -> None:
    """``record`` for an op with one output (most ops), written out for the hot path."""
    node = make_node(op, inputs, attrs, edges)
    node._output_meta = ((out._data.shape, out.dtype),)
    if out.dtype.is_floating_point:
        out._grad_fn = node
    if op.is_view:
        _mark_views(op, (out,), node, inputs[0])
    if op.output_saves:
        save_outputs(op, node, (out,))


def record(op: OpDef, inputs, attrs, outputs, edges) -> None:
    """Connect ``outputs`` to a new node of ``op`` (some input requires grad)."""
    node = make_node(op, inputs, attrs, edges)
    # NB: a Tensor[] output (unbind, split) has as many outputs as tensors returned.
    node._n_outputs = len(outputs)
    node._output_meta = tuple([(out._data.shape, out.dtype) for out in outputs])
    for k, out in enumerate(outputs):
        if out.dtype.is_floating_point:
            out._grad_fn = node
            out._output_nr = k
    if op.is_view:
        _mark_views(op, outputs, node, inputs[0])
    if op.output_saves:
        save_outputs(op, node, outputs)
