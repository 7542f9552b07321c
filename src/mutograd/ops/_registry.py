"""The op table: one ``defop`` per operation, in PyTorch's vocabulary.

Each entry names the aten overload, its schema (PyTorch's function schema
syntax), the NumPy forward, one backward formula per differentiable input,
the node class name, and its flags (in-place twin, view, dtype rule). What the
backward saves is *derived* from the formulas' parameter names, as torchgen
derives saved inputs/outputs from derivatives.yaml:

- ``grad`` / ``grads``: the incoming gradient(s), never saved;
- an input name (``self``, ``other``, ``index``...): the input is saved as a
  SavedTensor with its version (or as the Python scalar it was);
- ``result`` or a named output (``indices``): the output is saved;
- ``<input>_sizes``: the input's shape, saved as metadata;
- any other schema argument (``alpha``, ``dim``...): saved as-is.

A tensor is saved only when a formula that reads it belongs to an input that
needs a gradient, as in PyTorch's generated code (``should_compute_output``).
"""

from __future__ import annotations

import inspect
import os
import re
from dataclasses import dataclass, field

import numpy as np

from ..autograd.graph import Node
from ..autograd.saved import SavedTensor, check_all_saved

REGISTRY: dict[str, "OpDef"] = {}

# dtype rules (see _dispatch.prepare)
PROMOTE = "promote"  # common dtype of all inputs, e.g. add/mul
PROMOTE_FLOAT = "promote_float"  # common dtype, integral -> default float (true division)
FLOAT = "float"  # unary op computed in floating point: int/bool inputs -> default float
KEEP = "keep"  # output has input 0's dtype, inputs passed through
COMPARE = "compare"  # common dtype for the computation, bool output
LONG = "long"  # int64 output (argmax)
SUM = "sum"  # output keeps floating dtypes; integers and bools accumulate in int64
CAST = "cast"  # output has the dtype named by the ``dtype`` argument (_to_copy)

# The dtype rules under which one floating dtype in gives that dtype out (Note [The plain path]).
PLAIN_RULES = (PROMOTE, PROMOTE_FLOAT, FLOAT, KEEP, SUM)

_SAVE_INPUT, _SAVE_OUTPUT, _SAVE_META, _SAVE_ATTR = range(4)


@dataclass
class Arg:
    name: str
    type: str
    default: object = inspect.Parameter.empty
    kwarg_only: bool = False

    @property
    def is_tensor(self) -> bool:
        return self.type.startswith("Tensor")

    @property
    def is_tensor_list(self) -> bool:
        return self.type.startswith("Tensor[]") or self.type.startswith("Tensor?[]")


_LITERALS = {"None": None, "True": True, "False": False, "[]": ()}


def _parse_default(text: str):
    if text in _LITERALS:
        return _LITERALS[text]
    if text.startswith("[") and text.endswith("]"):
        return tuple(int(x) for x in text[1:-1].split(",") if x.strip())
    if text.startswith('"') or text.startswith("'"):
        return text[1:-1]
    try:
        return int(text)
    except ValueError:
        return float(text)


def parse_schema(schema: str) -> tuple[str, list[Arg], list[str]]:
    """``"add(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor"`` -> name, args, outputs."""
    match = re.fullmatch(r"\s*([\w.]+)\((.*)\)\s*->\s*(.+)", schema)
    if match is None:
        raise ValueError(f"bad schema {schema!r}")
    name, arg_text, ret_text = match.groups()
    args: list[Arg] = []
    kwarg_only = False
    for part in filter(None, (p.strip() for p in arg_text.split(", "))):
        if part == "*":
            kwarg_only = True
            continue
        decl, _, default = part.partition("=")
        type_, arg_name = decl.rsplit(" ", 1)
        value = _parse_default(default) if default else inspect.Parameter.empty
        args.append(Arg(arg_name, type_, value, kwarg_only))
    ret_text = ret_text.strip()
    if ret_text.startswith("("):
        outputs = [r.strip().split(" ")[-1] for r in ret_text[1:-1].split(",")]
    elif ret_text == "Tensor[]":
        outputs = ["result[]"]
    else:
        outputs = ["result"]
    return name, args, outputs


class OpNode(Node):
    """Base of the generated ``<Op>Backward<N>`` classes; evaluates the table's formulas."""

    __slots__ = ("_saved",)
    _op: "OpDef"

    def apply(self, grads: list) -> tuple:
        # NB: the ops with a Tensor[] input run this loop; the others a generated apply
        # that does the same (see Note [Generated apply]).
        op = self._op
        saved = self._saved
        wanted = op.wanted(self.next_functions)
        check_all_saved(self)
        result = []
        for k, formula in enumerate(op.formulas):
            # A Tensor[] input (cat, stack) has one edge per tensor.
            count = saved[formula.input + "_count"] if formula.is_list else 1
            if not wanted[k]:
                result.extend([None] * count)
                continue
            args = []
            for name in formula.params:
                if name == "grad":
                    args.append(grads[0])
                elif name == "grads":
                    args.append(grads)
                else:
                    args.append(_unpack(saved[name], self))
            if formula.is_list:
                result.extend(formula.fn(*args))
            else:
                result.append(formula.fn(*args))
        return tuple(result)

    def _release_saved(self) -> None:
        for value in self._saved.values():
            if type(value) is SavedTensor:
                value._tensor = None  # NB: SavedTensor.release, inlined (once per node)
            elif type(value) is list:
                for v in value:
                    if type(v) is SavedTensor:
                        v.release()

    def __getattr__(self, name: str):
        # grad_fn._saved_self etc., as PyTorch exposes them.
        # NB: as PyTorch's SavedVariable getters, a saved tensor (or list of tensors) raises
        # once a backward without retain_graph freed it; scalars and sizes stay readable,
        # and a tensor that was never saved (its input needed no grad) reads as None.
        if name.startswith("_saved_"):
            key = name[len("_saved_") :]
            if key.endswith("_sym_sizes"):
                key = key[: -len("_sym_sizes")] + "_sizes"
            elif key.endswith("_sym_strides"):
                key = key[: -len("_sym_strides")] + "_strides"
            op = self._op
            if key in op.saves:
                value = self._saved.get(key)
                if type(value) is SavedTensor:
                    if value._version is None and value._tensor is not None:
                        # A wrapped number (``x * 2``): PyTorch shows the 0-d tensor it saved.
                        from .. import _creation, _dtype

                        scalar = value._tensor
                        dtype = (
                            _dtype.bool_
                            if isinstance(scalar, (bool, np.bool_))
                            else _dtype.int64
                            if isinstance(scalar, (int, np.integer))
                            else _dtype.float64
                        )
                        return _creation.tensor(scalar, dtype=dtype)
                    return value.unpack(self)
                if type(value) is list:
                    # A Tensor?[] input (index's indices): a tuple, None where no tensor.
                    return tuple(None if v is None else v.unpack(self) for v in value)
                kind, _, users = op.saves[key]
                if kind == _SAVE_META and key.endswith("_strides"):
                    # PyTorch saves strides only when a formula reading them will run
                    # (should_compute_output), and reads () otherwise; sizes are always kept.
                    wanted = op.wanted(self.next_functions)
                    if not any(wanted[k] for k, f in enumerate(op.formulas) if f.input in users):
                        return ()
                return value
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


@dataclass(slots=True)
class Formula:
    input: str
    fn: object
    params: tuple
    is_list: bool = False


@dataclass(slots=True)
class OpDef:
    """One row of the op table."""

    name: str  # aten overload, e.g. "mul.Tensor"
    args: list
    outputs: list
    forward: object
    node_name: str | None
    formulas: list = field(default_factory=list)
    # What the backward saves: name -> (kind, index, the inputs whose formulas read it).
    saves: dict = field(default_factory=dict)
    dtype_rule: str = KEEP
    inplace: str | None = None  # name of the in-place method, e.g. "mul_"
    is_view: bool = False
    forward_writes_out: bool = False  # forward accepts out= (ufunc-style)
    node_cls: type | None = None
    tensor_args: tuple = ()  # names of tensor parameters, schema order
    differentiable_positions: tuple = ()  # positions in tensor_args that get an edge
    n_outputs: int = 1
    overlap_ok: bool = False  # in-place allowed on self with internal overlap (fill_, zero_)
    has_list_input: bool = False  # a Tensor[] input (cat, stack): edges per element
    check: object = None  # extra validation run before an in-place write (index ranges...)
    layout: object = None  # layout(raw, inputs) -> raw: a fresh output's strides (TensorIterator's)
    # The out= variant: "cast" (the result is cast to out's dtype when it can be), "same"
    # (out must have the input's dtype, TensorIterator's check_all_same_dtype), "exact" (out
    # must have the result's dtype: structured kernels' "Expected out tensor to have dtype"),
    # a callable check(out_dtype, result_dtype, inputs) raising the op's own error, or None.
    out_dtype: object = "cast"
    # Derived once from the fields above, for the dispatcher's hot path:
    single_result: bool = True  # returns one Tensor (not a tuple or a Tensor[])
    input_saves: tuple = ()  # (name, input position, formula positions whose running saves it)
    output_saves: tuple = ()  # (name, output position)
    other_saves: tuple = ()  # (name, kind, index): attributes and input metadata
    forward_plan: tuple | None = None  # see _dispatch.Note [Calling a forward]
    plain: bool = False  # see _dispatch.Note [The plain path]

    @property
    def aten(self) -> str:
        return self.name

    # Note [Which formulas run]
    # -------------------------
    # A formula runs when its input has an edge (PyTorch's should_compute_output):
    # ``wanted(edges)`` is the one answer, read when a node is made (which inputs
    # to save), when it is applied, when a ``_saved_*`` attribute is read, and by
    # the in-place door (whether to clone self's old value before the write).

    def wanted(self, edges) -> list:
        """For each formula, in order, whether it will run for these edges."""
        if not self.has_list_input:
            return [edge[0] is not None for edge in edges]  # NB: as wanted_source writes it
        wanted = []
        edge = 0
        for formula in self.formulas:
            # A Tensor[] input has one edge per tensor: its count is what the others leave.
            count = len(edges) - len(self.formulas) + 1 if formula.is_list else 1
            wanted.append(any(e[0] is not None for e in edges[edge : edge + count]))
            edge += count
        return wanted

    def wanted_source(self, k: int, edges: str) -> str:
        """``wanted(edges)[k]`` as Python source, for the generated apply of an op without
        a Tensor[] input (edge k is formula k's; see Note [Generated apply])."""
        assert not self.has_list_input
        return f"{edges}[{k}][0] is not None"

    def saves_input(self, name: str, wanted) -> bool:
        """Whether input ``name`` is saved when the ``wanted`` formulas run."""
        for saved, _, users in self.input_saves:
            if saved == name:
                return any(wanted[k] for k in users)
        return False

    @property
    def tensor_saves(self) -> frozenset:
        """The names of the tensors the backward saves (for tests and docs)."""
        return frozenset(
            name for name, (kind, _, _) in self.saves.items() if kind in (_SAVE_INPUT, _SAVE_OUTPUT)
        )


def defop(
    schema: str,
    *,
    forward,
    node: str | None = None,
    dtype: str = KEEP,
    inplace: str | None = None,
    view: bool = False,
    overlap_ok: bool = False,
    check=None,
    layout=None,
    out_dtype: object = "cast",
    **formulas,
) -> OpDef:
    """Declare an op. ``formulas`` maps each differentiable input to its backward.

    ``check(*inputs, **attrs)`` validates a call before the kernel runs (index
    ranges, argument values); ``layout(raw, inputs)`` gives a fresh output its
    strides (``iterator_layout``: TensorIterator's; ``contiguous``: reductions').
    """
    name, args, outputs = parse_schema(schema)
    arg_by_name = {a.name: a for a in args}
    tensor_args = tuple(a.name for a in args if a.is_tensor)
    op = OpDef(
        name=name,
        args=args,
        outputs=outputs,
        forward=forward,
        node_name=node,
        dtype_rule=dtype,
        inplace=inplace,
        is_view=view,
        overlap_ok=overlap_ok,
        check=check,
        layout=layout,
        out_dtype=out_dtype,
        forward_writes_out=isinstance(forward, np.ufunc) or "out" in _parameters(forward),
        tensor_args=tensor_args,
        n_outputs=len(outputs),
    )
    edge_positions = []
    for input_name, fn in formulas.items():
        if input_name not in arg_by_name or not arg_by_name[input_name].is_tensor:
            raise ValueError(f"{name}: formula for unknown tensor input {input_name!r}")
        params = tuple(_parameters(fn))
        is_list = arg_by_name[input_name].is_tensor_list
        op.formulas.append(Formula(input_name, fn, params, is_list))
        edge_positions.append(tensor_args.index(input_name))
    # Formulas run in schema order so that edges line up with next_functions.
    order = sorted(range(len(op.formulas)), key=lambda k: edge_positions[k])
    op.formulas = [op.formulas[k] for k in order]
    op.differentiable_positions = tuple(sorted(edge_positions))
    op.has_list_input = any(f.is_list for f in op.formulas)
    op.single_result = outputs == ["result"]
    op.forward_plan = _forward_plan(op)
    op.plain = (
        op.forward_plan is None
        and op.single_result
        and not view
        and not op.has_list_input
        and dtype in PLAIN_RULES
    )
    _derive_saves(op, arg_by_name)
    if op.formulas:
        if node is None:
            raise ValueError(f"{name}: differentiable op needs a node name")
        namespace = {"__slots__": (), "_op": op}
        if not op.has_list_input:
            namespace["apply"] = _generated_apply(op)
        op.node_cls = type(node, (OpNode,), namespace)
    if name in REGISTRY:
        raise ValueError(f"op {name} declared twice")
    REGISTRY[name] = op
    return op


# Note [Generated apply]
# ----------------------
# As torchgen writes each node's apply() from derivatives.yaml, each node class
# gets an apply() written out from its formulas: one line per formula, run when
# OpDef.wanted says so (written out by OpDef.wanted_source), with the saved values it
# reads looked up by name.
# It does what OpNode.apply's loop does for ops without a Tensor[] input, minus
# the loop's bookkeeping (about 1 us per node, 4-5% of the small-op step).


def _unpack(value, node):
    """A saved value as a formula reads it: SavedTensors unpacked (and version-checked)."""
    if type(value) is SavedTensor:
        return value.unpack(node)
    if type(value) is list:
        return [v.unpack(node) if type(v) is SavedTensor else v for v in value]
    return value


def _generated_apply(op: OpDef):
    lines = [
        "def apply(self, grads):",
        "    saved = self._saved",
        "    next_functions = self.next_functions",
        "    _check_all_saved(self)",
    ]
    namespace = {"_unpack": _unpack, "_check_all_saved": check_all_saved}
    results = []
    for k, formula in enumerate(op.formulas):
        namespace[f"_formula{k}"] = formula.fn
        args = []
        for param in formula.params:
            if param == "grad":
                args.append("grads[0]")
            elif param == "grads":
                args.append("grads")
            elif op.saves[param][0] in (_SAVE_INPUT, _SAVE_OUTPUT):
                args.append(f"_unpack(saved[{param!r}], self)")
            else:
                args.append(f"saved[{param!r}]")
        wanted = op.wanted_source(k, "next_functions")
        lines.append(f"    r{k} = _formula{k}({', '.join(args)}) if {wanted} else None")
        results.append(f"r{k}")
    lines.append(f"    return ({', '.join(results)},)")
    # NB: a pseudo-filename inside the package, so that user_location() skips the frame.
    filename = os.path.join(os.path.dirname(__file__), f"<generated {op.node_name}.apply>")
    exec(compile("\n".join(lines) + "\n", filename, "exec"), namespace)
    apply = namespace["apply"]
    apply.__qualname__ = f"{op.node_name}.apply"
    return apply


def _forward_plan(op: OpDef) -> tuple | None:
    """How the forward takes its arguments; see _dispatch.Note [Calling a forward].

    None: the tensors positionally, then the other arguments by keyword; else
    the argument names in schema order, with whether each is a tensor.
    """
    kinds = [arg.is_tensor for arg in op.args]
    tensors_first = kinds == sorted(kinds, reverse=True)
    if all(kinds) or (tensors_first and not isinstance(op.forward, np.ufunc)):
        return None
    return tuple((arg.name, arg.is_tensor) for arg in op.args)


def _parameters(fn) -> list:
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return []


def _derive_saves(op: OpDef, arg_by_name: dict) -> None:
    output_names = [o.rstrip("[]") for o in op.outputs]
    for k, formula in enumerate(op.formulas):
        for param in formula.params:
            if param in ("grad", "grads"):
                continue
            if param in op.tensor_args:
                kind, index = _SAVE_INPUT, op.tensor_args.index(param)
            elif param in output_names:
                kind, index = _SAVE_OUTPUT, output_names.index(param)
            elif _meta_of(param, op.tensor_args) is not None:
                kind, index = _SAVE_META, _meta_of(param, op.tensor_args)
            elif param in arg_by_name:
                kind, index = _SAVE_ATTR, param
            else:
                raise ValueError(
                    f"{op.name}: formula parameter {param!r} is not an input, output or argument"
                )
            entry = op.saves.setdefault(param, (kind, index, []))
            entry[2].append(op.formulas[k].input)
    for formula in op.formulas:
        if formula.is_list:
            count = formula.input + "_count"
            op.saves.setdefault(
                count, (_SAVE_META, _meta_of(count, op.tensor_args), [formula.input])
            )
    # The same facts grouped by kind, so that recording a node visits only what it saves.
    inputs = [f.input for f in op.formulas]
    # NB: as torchgen's guard_for (gen_variable_type.py), an input is saved only when the
    # one formula that reads it will run where that is a simple check; it is saved whenever
    # a node is made (every formula counts as its user) for an op named *backward* (the
    # double-backward nodes: ThresholdBackwardBackward0._saved_self), an op with a Tensor[]
    # argument, an optional (Tensor?) input, or an input that several formulas read.
    every_formula = tuple(range(len(op.formulas)))
    always = "backward" in op.name or any(a.is_tensor_list for a in op.args)

    def saved_for(name: str, users: list) -> tuple:
        type_ = arg_by_name[name].type
        plain = type_ == "Tensor" or re.fullmatch(r"Tensor\(\w+!?\)", type_) is not None
        if always or not plain or len(users) > 1:
            return every_formula
        return tuple(inputs.index(user) for user in users)

    op.input_saves = tuple(
        (name, index, saved_for(name, users))
        for name, (kind, index, users) in op.saves.items()
        if kind == _SAVE_INPUT
    )
    op.output_saves = tuple(
        (name, index) for name, (kind, index, _) in op.saves.items() if kind == _SAVE_OUTPUT
    )
    op.other_saves = tuple(
        (name, kind, index)
        for name, (kind, index, _) in op.saves.items()
        if kind in (_SAVE_ATTR, _SAVE_META)
    )


def _shape_of(x):
    return x._data.shape if hasattr(x, "_data") else [t._data.shape for t in x]


def _geometry_of(x):
    return (x._data.shape, x.stride(), x.storage_offset())


# Metadata a formula can read about an input: ``<input>_sizes`` etc. (PyTorch saves
# these as self_sym_sizes, self_geometry, ... without keeping the tensor alive).
_META = {
    "_sizes": _shape_of,
    "_geometry": _geometry_of,
    "_strides": lambda x: x.stride(),
    "_dtype": lambda x: x.dtype,
    "_count": len,
}


def _meta_of(param: str, tensor_args: tuple):
    """(input position, getter) when ``param`` names metadata of a tensor input."""
    for suffix, getter in _META.items():
        if param.endswith(suffix) and param[: -len(suffix)] in tensor_args:
            return (tensor_args.index(param[: -len(suffix)]), getter)
    return None
