"""Turn op-table rows into Python callables: ``torch.mul``, ``Tensor.mul``, ``Tensor.mul_``.

Wrappers are generated from each op's schema with ``exec`` (as namedtuple and
dataclasses do) so that argument binding is Python's own: exact keyword names
and defaults, and no per-call parsing on the hot path.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sys

from .._creation import wrapped_number
from .._dispatch import call
from .._dtype import result_type_from
from .._inplace import apply_inplace, apply_out
from .._tensor import Tensor
from ._registry import REGISTRY, OpDef

# The top-level functions (torch.add ...), re-exported by mutograd/__init__.py.
FUNCTIONS: dict[str, object] = {}


# Note [NumPy-style keyword aliases]
# ----------------------------------
# PyTorch's argument parser takes NumPy's keyword names for every native function and
# Tensor method: ``axis=`` for ``dim``, ``keepdims=`` for ``keepdim``, ``x=``/``a=``/``x1=``
# for ``input`` and ``x2=`` for ``other`` (``P.sum(1, keepdims=True)``). An alias binds
# only when the function has the canonical parameter and no parameter of the alias's own
# name; giving both (``dim=0, axis=1``) stays Python's "unexpected keyword argument".
# The functions PyTorch writes in Python (torch.functional, torch._tensor) take no aliases.
_NUMPY_ALIASES = {"axis": "dim", "keepdims": "keepdim", "x": "input", "a": "input",
                  "x1": "input", "x2": "other"}  # fmt: skip
_PYTHON_LEVEL = frozenset(
    "atleast_1d atleast_2d atleast_3d broadcast_shapes broadcast_tensors cartesian_prod "
    "block_diag cdist chain_matmul einsum istft lu norm meshgrid pca_lowrank split stft "
    "svd_lowrank tensordot unique unique_consecutive unravel_index unflatten".split()
)


def numpy_aliases(fn, name: str | None = None):
    """``fn`` taking PyTorch's NumPy-style keyword aliases; see Note [NumPy-style keyword
    aliases]. Only functions with an aliased parameter are wrapped."""
    name = name or getattr(fn, "__name__", "")
    if name in _PYTHON_LEVEL or getattr(fn, "_numpy_aliases", False):
        return fn
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn
    aliases = {a: c for a, c in _NUMPY_ALIASES.items() if c in params and a not in params}
    if not aliases:
        return fn

    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())

    @functools.wraps(fn)
    def aliased(*args, **kwargs):
        if kwargs and not aliases.keys().isdisjoint(kwargs):
            unknown = [k for k in kwargs if k not in params]
            if not takes_any and any(aliases.get(k) in (None, *kwargs) for k in unknown):
                # As PyTorch: the first keyword that is not a parameter's own name.
                raise TypeError(f"{name}() got an unexpected keyword argument '{unknown[0]}'")
            kwargs = {
                aliases[k] if k in aliases and aliases[k] not in kwargs else k: v
                for k, v in kwargs.items()
            }
        return fn(*args, **kwargs)

    aliased._numpy_aliases = True
    return aliased


def export(name: str, fn) -> None:
    """Make ``fn`` the top-level ``torch.<name>``, also when declared after import."""
    fn = numpy_aliases(fn, name)
    FUNCTIONS[name] = fn
    package = sys.modules.get("mutograd")
    if package is not None:
        # NB: the package re-exports FUNCTIONS when imported; this covers later declarations.
        setattr(package, name, fn)


@contextlib.contextmanager
def scratch():
    """A scope for throwaway ops (tests, experiments): the rows declared and the names
    exposed inside it (``torch.X``, ``Tensor.X``, ``X_``) are gone on exit."""
    package = sys.modules["mutograd"]
    registry, functions = dict(REGISTRY), dict(FUNCTIONS)
    methods, names = dict(vars(Tensor)), dict(vars(package))
    try:
        yield
    finally:
        REGISTRY.clear()
        REGISTRY.update(registry)
        FUNCTIONS.clear()
        FUNCTIONS.update(functions)
        for owner, before in ((Tensor, methods), (package, names)):
            for name in set(vars(owner)) - set(before):
                delattr(owner, name)
            for name, value in before.items():
                if vars(owner).get(name) is not value:
                    setattr(owner, name, value)


_EMPTY: dict = {}


def _signature(op: OpDef, first_name: str, with_out: bool) -> tuple[str, str, str]:
    params, tensors, attrs = [], [], []
    star = False
    for k, arg in enumerate(op.args):
        name = first_name if k == 0 else arg.name
        if arg.kwarg_only and not star:
            params.append("*")
            star = True
        if arg.default is inspect.Parameter.empty:
            params.append(name)
        else:
            params.append(f"{name}={arg.default!r}")
        if arg.is_tensor:
            tensors.append(name)
        else:
            attrs.append(f"{arg.name!r}: {name}")
    if with_out:
        if not star:
            params.append("*")
        params.append("out=None")
    tensor_tuple = "(" + ", ".join(tensors) + ("," if len(tensors) == 1 else "") + ")"
    attr_dict = "{" + ", ".join(attrs) + "}" if attrs else "_EMPTY"
    return ", ".join(params), tensor_tuple, attr_dict


def _compile(name: str, source: str, op: OpDef):
    namespace = {
        "_op": op,
        "_call": call,
        "_inplace": apply_inplace,
        "_out": apply_out,
        "_EMPTY": _EMPTY,
    }
    # The pseudo-filename lies inside the package so that user_location() skips it.
    filename = os.path.join(os.path.dirname(__file__), f"<generated {op.name}>")
    exec(compile(source, filename, "exec"), namespace)
    fn = namespace[name]
    fn.__qualname__ = name
    fn.__module__ = "mutograd"
    return fn


def make_function(op: OpDef, name: str, *, method: bool = False):
    """``torch.<name>`` (first parameter ``input``) or ``Tensor.<name>`` (``self``)."""
    with_out = (
        not method and not op.is_view and op.outputs == ["result"] and op.out_dtype is not None
    )
    params, tensors, attrs = _signature(op, "self" if method else "input", with_out)
    lines = [f"def {name}({params}):"]
    if with_out:
        lines.append("    if out is not None:")
        lines.append(f"        return _out(_op, {tensors}, {attrs}, out)")
    lines.append(f"    return _call(_op, {tensors}, {attrs})")
    return _compile(name, "\n".join(lines) + "\n", op)


def make_inplace(op: OpDef, name: str, *, pointwise: bool = True):
    """``Tensor.<name>_``: the op written into self through the in-place door."""
    params, tensors, attrs = _signature(op, "self", False)
    source = (
        f"def {name}({params}):\n"
        f"    return _inplace(_op, {tensors}, {attrs}, {name!r}, {pointwise!r})\n"
    )
    return _compile(name, source, op)


def expose(
    op: OpDef,
    function: str | None = None,
    method: str | None = None,
    inplace: str | None = None,
    operators: tuple = (),
    inplace_operators: tuple = (),
    pointwise: bool = True,
) -> None:
    """Install the op's public names on ``mutograd`` and ``Tensor``."""
    if function:
        export(function, make_function(op, function))
    if method:
        fn = make_function(op, method, method=True)
        setattr(Tensor, method, numpy_aliases(fn))
        for dunder in operators:
            setattr(Tensor, dunder, binary_operator(fn) if dunder in _BINARY_DUNDERS else fn)
    if inplace:
        fn = make_inplace(op, inplace, pointwise=pointwise)
        setattr(Tensor, inplace, numpy_aliases(fn))
        for dunder in inplace_operators:
            setattr(Tensor, dunder, fn)


_BINARY_DUNDERS = frozenset(
    "__add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ __floordiv__ "
    "__rfloordiv__ __mod__ __rmod__ __pow__ __rpow__ __matmul__ __rmatmul__ __and__ __rand__ "
    "__or__ __ror__ __xor__ __rxor__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__".split()
)


def binary_operator(fn):
    """A binary dunder that answers NotImplemented to operands it cannot take, as PyTorch's
    (``x + "a"`` is then Python's own TypeError, ``x == None`` is False)."""

    def operator(self, other):
        try:
            return fn(self, other)
        except TypeError:
            return NotImplemented

    operator.__name__ = operator.__qualname__ = getattr(fn, "__name__", "operator")
    return operator


# Note [Overloads as data]
# ------------------------
# PyTorch declares ``remainder.Tensor(Tensor self, Tensor other)`` and
# ``remainder.Scalar(Tensor self, Scalar other)`` and its argument parser picks
# one per call. ``overloads`` declares such a family in one place and generates
# ``torch.X``, ``Tensor.X``, ``Tensor.X_`` and the operators from it:
#
# - ``other`` a Tensor: the Tensor row;
# - ``other`` a Python number: the Scalar row, self first cast to the result
#   type of self and the row's Scalar arguments (``int_t % 2.5`` is float, as
#   the wrapped number would make it);
# - ``input`` a Python number (``2 % t``): the ``reflected`` row (PyTorch's
#   ``Scalar_Tensor`` overload), on the number as a wrapped 0-dim tensor;
# - in place, the same choice, except that a Scalar row needing self promoted
#   (``promote=True``) leaves the number to the Tensor row, as a wrapped number.


def promoted_dtype(t: Tensor, *scalars):
    """The result type of tensor ``t`` with the Python ``scalars`` (None ones ignored)."""
    dims, zeros = ([t.dtype], []) if t.dim() else ([], [t.dtype])
    return result_type_from(dims, zeros, [s for s in scalars if s is not None])


def promoted(t: Tensor, *scalars) -> Tensor:
    """``t`` cast to the result type of ``t`` and the Python ``scalars``.

    Only an integer or bool tensor ever changes (``int_tensor.clamp(0.5)`` is float),
    and those never require grad, so the cast records nothing.
    """
    d = promoted_dtype(t, *scalars)
    return t if d is t.dtype else t.to(d)


def make_overloaded(
    name: str,
    tensor: OpDef,
    scalar: OpDef | None,
    reflected: OpDef | None,
    *,
    kind: str = "function",
    promote: bool = True,
    with_out: bool = False,
):
    """``torch.<name>``, ``Tensor.<name>`` (``kind="method"``) or ``Tensor.<name>``
    in place (``kind="inplace"``), choosing among the rows; see Note [Overloads as data]."""
    first = "input" if kind == "function" else "self"
    params, tensors, attrs = _signature(tensor, first, with_out)
    lines = [f"def {name}({params}):"]
    if reflected is not None and kind != "inplace":
        lines.append(f"    if not isinstance({first}, _Tensor):")
        lines.append(
            f"        return _call(_reflected, (_wrap({first}),) + {tensors}[1:], {attrs})"
        )
    # NB: a Scalar row that needs self promoted cannot be written into self: in place,
    # the Tensor row takes the number (as a wrapped number).
    if scalar is not None and not (kind == "inplace" and promote):
        # The argument that is a Tensor in one row and a Scalar in the other.
        (number,) = [
            a.name for a in scalar.args if not a.is_tensor and a.name in tensor.tensor_args
        ]
        scalar_args = [a.name for a in scalar.args if a.type == "Scalar"]
        operands = [first if k == 0 else t for k, t in enumerate(scalar.tensor_args)]
        if promote:
            operands[0] = f"_promoted({first}, {', '.join(scalar_args)})"
        scalar_attrs = ", ".join(f"{a.name!r}: {a.name}" for a in scalar.args if not a.is_tensor)
        lines.append(f"    if not isinstance({number}, _Tensor):")
        if promote and scalar.check is not None:
            # NB: the row's check sees self's own dtype, as PyTorch's checks run before
            # the number promotes it (``1 - bool_tensor`` raises sub's bool error).
            lines.append(f"        _scalar.check({first}, **{{{scalar_attrs}}})")
        lines.append(
            f"        op, inputs, attrs = _scalar, ({', '.join(operands)},), {{{scalar_attrs}}}"
        )
        lines.append("    else:")
        lines.append(f"        op, inputs, attrs = _op, {tensors}, {attrs}")
    else:
        lines.append(f"    op, inputs, attrs = _op, {tensors}, {attrs}")
    if kind == "inplace":
        lines.append(f"    return _inplace(op, inputs, attrs, {name!r})")
    else:
        if with_out:
            lines.append("    if out is not None:")
            lines.append("        return _out(op, inputs, attrs, out)")
        lines.append("    return _call(op, inputs, attrs)")
    namespace = {
        "_op": tensor,
        "_scalar": scalar,
        "_reflected": reflected,
        "_call": call,
        "_inplace": apply_inplace,
        "_out": apply_out,
        "_wrap": wrapped_number,
        "_promoted": promoted,
        "_Tensor": Tensor,
        "_EMPTY": _EMPTY,
    }
    filename = os.path.join(os.path.dirname(__file__), f"<generated {tensor.name} overloads>")
    exec(compile("\n".join(lines) + "\n", filename, "exec"), namespace)
    fn = namespace[name]
    fn.__qualname__ = name
    fn.__module__ = "mutograd"
    return fn


def overloads(
    name: str,
    tensor: OpDef,
    scalar: OpDef | None = None,
    *,
    reflected: OpDef | None = None,
    promote: bool = True,
    out: bool = False,
    method: bool = True,
    inplace: str | None = None,
    operators: tuple = (),
    reflected_operators: tuple = (),
    inplace_operators: tuple = (),
) -> None:
    """Declare a family of rows as one public op; see Note [Overloads as data].

    ``promote``: a Python number promotes self (the Scalar row keeps self's
    dtype); ``out``: ``torch.<name>`` takes out=. ``operators`` (``__mod__``)
    call the method; ``reflected_operators`` (``__rmod__``: ``2 % t``) call
    the function with the operands swapped.
    """
    export(name, make_overloaded(name, tensor, scalar, reflected, promote=promote, with_out=out))
    bound = make_overloaded(name, tensor, scalar, reflected, kind="method", promote=promote)
    if method:
        setattr(Tensor, name, numpy_aliases(bound))
    for dunder in operators:
        setattr(Tensor, dunder, binary_operator(bound))
    for dunder in reflected_operators:
        setattr(Tensor, dunder, binary_operator(_swapped(FUNCTIONS[name], dunder)))
    if inplace:
        fn = make_overloaded(inplace, tensor, scalar, None, kind="inplace", promote=promote)
        setattr(Tensor, inplace, numpy_aliases(fn))
        for dunder in inplace_operators:
            setattr(Tensor, dunder, fn)


def _swapped(fn, name: str):
    def reflected(self, other):
        return fn(other, self)

    reflected.__name__ = reflected.__qualname__ = name
    return reflected


def require_tensor(name: str, param: str, position: int, value) -> None:
    """PyTorch's argument-parser error for a non-tensor where an op with no Scalar
    overload wants a Tensor (``x.atan2_(1.0)``, ``x.index_put_(idx, 1.0)``); ``position``
    counts as PyTorch does (``self`` is not counted for a method)."""
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{name}(): argument '{param}' (position {position}) must be Tensor, not "
            f"{type(value).__name__}"
        )


def public(fn):
    """Register a hand-written top-level function (for ops with several overloads)."""
    export(fn.__name__, fn)
    fn.__module__ = "mutograd"
    return fn


def method(fn):
    """Install a hand-written function as a Tensor method of the same name."""
    setattr(Tensor, fn.__name__, numpy_aliases(fn))
    return fn
