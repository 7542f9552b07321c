"""The test-side op table (PyTorch's OpInfo, in small).

``OP_DB`` maps a test id to an :class:`OpEntry`: how to call the op on a module
``T`` (``mutograd`` or ``torch``), its sample inputs and its error inputs. Most
ids are the op's ``REGISTRY`` name; ``entry.op`` names the registry row an entry
exercises (composites such as ``matmul`` name the row they reach, or None).

Inputs are NumPy data, turned into tensors of the module under test by
:func:`materialize`, so that both engines see the same values:

- an ndarray becomes a tensor (a leaf that requires grad when it is floating and
  the test asks for gradients);
- ``NC(array)`` becomes a non-contiguous tensor with those values: a transposed
  view (``"t"``) or every other element of a larger tensor (``"step"``); its
  leaf is the underlying base;
- ``Const(array)`` becomes a tensor that never requires grad;
- ``DT("float64")`` becomes the module's dtype object;
- a list or tuple of the above becomes a list or tuple of tensors.

Tests generated from this table live in test_ops_differential.py,
test_ops_gradcheck.py and test_saved_metadata.py. A public differentiable op
added to the registry without an entry here fails ``test_every_op_has_an_entry``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# --- inputs ---------------------------------------------------------------------------------

_rng = np.random.default_rng(20240613)


def make(shape, dtype: str = "float32", low: float = -2.0, high: float = 2.0) -> np.ndarray:
    """Random values of ``shape``: uniform floats, integers in [low, high], or booleans."""
    shape = tuple(shape)
    if dtype.startswith("float"):
        values = _rng.uniform(low, high, size=shape)
    elif dtype == "bool":
        values = _rng.random(size=shape) > 0.5
    else:
        values = _rng.integers(int(np.floor(low)), int(np.ceil(high)) + 1, size=shape)
    return np.asarray(values).astype(dtype)


def f32(*shape, low=-2.0, high=2.0):
    return make(shape, "float32", low, high)


def f64(*shape, low=-2.0, high=2.0):
    return make(shape, "float64", low, high)


def i64(*shape, low=-3, high=3):
    return make(shape, "int64", low, high)


def i32(*shape, low=-3, high=3):
    return make(shape, "int32", low, high)


def bools(*shape):
    return make(shape, "bool")


def index(high: int, *shape) -> np.ndarray:
    """int64 indices in [0, high)."""
    return _rng.integers(0, high, size=shape).astype("int64")


def distinct(*shape, dtype: str = "float32") -> np.ndarray:
    """Values that are pairwise at least 0.3 apart (no ties for max/min/sort-like ops)."""
    n = int(np.prod(shape)) if shape else 1
    values = (_rng.permutation(n) - n / 2) * 0.37
    return values.reshape(shape).astype(dtype)


@dataclass(frozen=True)
class NC:
    """An input laid out non-contiguously; ``how`` is "t" (transposed) or "step" (strided)."""

    array: np.ndarray
    how: str = "t"


@dataclass(frozen=True)
class Const:
    """A tensor input that never requires grad (masks given as floats, targets...)."""

    array: np.ndarray


@dataclass(frozen=True)
class DT:
    """A dtype argument, resolved on the module under test."""

    name: str


@dataclass
class Sample:
    args: tuple
    kwargs: dict = field(default_factory=dict)
    name: str = ""
    call: Callable | None = None  # overrides the entry's call (operator forms, methods)
    gradcheck: bool = True  # False at kinks/ties where finite differences are meaningless
    scalar: bool = False  # a Python scalar stands for a tensor operand
    xfail: str = ""  # a known discrepancy with PyTorch, owned elsewhere (strict xfail)


def S(
    *args,
    name: str = "",
    call=None,
    gradcheck: bool = True,
    scalar: bool = False,
    xfail="",
    **kwargs,
):
    return Sample(args, kwargs, name, call, gradcheck, scalar, xfail)


def _is_data(value) -> bool:
    return isinstance(value, (np.ndarray, NC, Const))


def materialize(T, value, requires_grad: bool, leaves: list, perturb=None):
    """Turn a sample value into the module's objects; see the module docstring.

    ``leaves`` collects the tensors that require grad, in a fixed order;
    ``perturb(k, array)`` (for finite differences) may replace leaf k's data.
    """
    if isinstance(value, DT):
        return getattr(T, value.name)
    if isinstance(value, Const):
        return T.tensor(value.array)
    if isinstance(value, np.ndarray):
        return _leaf(T, value, requires_grad, leaves, perturb)
    if isinstance(value, NC):
        array = value.array
        if value.how == "t" and array.ndim >= 2:
            stored = np.ascontiguousarray(np.swapaxes(array, -1, -2))
            return _leaf(T, stored, requires_grad, leaves, perturb).transpose(-1, -2)
        stored = np.repeat(array, 2, axis=-1)
        return _leaf(T, stored, requires_grad, leaves, perturb)[..., ::2]
    if isinstance(value, (list, tuple)) and value and all(_is_data(v) for v in value):
        return type(value)(materialize(T, v, requires_grad, leaves, perturb) for v in value)
    return value


def _leaf(T, array, requires_grad, leaves, perturb):
    floating = array.dtype.kind == "f"
    if floating and requires_grad and perturb is not None:
        array = np.asarray(perturb(len(leaves), array), dtype=array.dtype)
    t = T.tensor(array)
    if floating and requires_grad:
        t.requires_grad_()
        leaves.append(t)
    return t


def map_arrays(value, fn):
    """Apply ``fn`` to every float ndarray of a sample value (e.g. to make it float64)."""
    if isinstance(value, np.ndarray):
        return fn(value) if value.dtype.kind == "f" else value
    if isinstance(value, NC):
        return NC(map_arrays(value.array, fn), value.how)
    if isinstance(value, (list, tuple)) and value and all(_is_data(v) for v in value):
        return type(value)(map_arrays(v, fn) for v in value)
    return value


def to_float64(sample: Sample) -> Sample:
    def cast(a):
        return a.astype("float64")

    return Sample(
        tuple(map_arrays(a, cast) for a in sample.args),
        {k: map_arrays(v, cast) for k, v in sample.kwargs.items()},
        sample.name,
        sample.call,
        sample.gradcheck,
        sample.scalar,
        sample.xfail,
    )


def cotangent(shape, dtype) -> np.ndarray:
    """A fixed random cotangent for an output of ``shape`` (same on both engines)."""
    rng = np.random.default_rng([17, len(shape), *shape])
    return rng.uniform(-1.0, 1.0, size=tuple(shape)).astype(dtype)


def tensors_of(result) -> list:
    """The tensors among an op's outputs (tuples, lists, namedtuples), in order."""
    if isinstance(result, (list, tuple)):
        out = []
        for r in result:
            out.extend(tensors_of(r))
        return out
    return [result] if hasattr(result, "requires_grad") else []


# --- entries -----------------------------------------------------------------------------------


@dataclass
class OpEntry:
    name: str  # the test id; the REGISTRY name unless composite
    call: Callable  # call(T, *args, **kwargs)
    samples: list
    op: str | None = None  # the REGISTRY row this exercises
    errors: list = field(default_factory=list)
    grad: bool = True  # differentiable: compare gradients and run gradcheck
    gradcheck: bool = True  # finite differences make sense
    out: bool = False  # call(..., out=t) is supported by torch and mutograd
    random: bool = False  # values are random: compare everything but values
    rtol: float = 1e-5
    atol: float = 1e-6


OP_DB: dict[str, OpEntry] = {}


def entry(name: str, call, samples, *, op: str | None = "", **kwargs) -> OpEntry:
    if name in OP_DB:
        raise ValueError(f"op_db entry {name} declared twice")
    e = OpEntry(name, call, list(samples), op=name if op == "" else op, **kwargs)
    OP_DB[name] = e
    return e


def fn(name: str):
    """``T.<name>(*args, **kwargs)``."""

    def call(T, *args, **kwargs):
        return getattr(T, name)(*args, **kwargs)

    call.__name__ = name
    return call


def meth(name: str):
    """``args[0].<name>(*args[1:], **kwargs)``."""

    def call(T, self, *args, **kwargs):
        return getattr(self, name)(*args, **kwargs)

    call.__name__ = name
    return call


def nnf(name: str, inplace: bool = False):
    """``T.nn.functional.<name>``; with ``inplace``, applied in place to a clone of the input."""

    def call(T, input, *args, **kwargs):
        if inplace:
            return getattr(T.nn.functional, name)(input.clone(), *args, inplace=True, **kwargs)
        return getattr(T.nn.functional, name)(input, *args, **kwargs)

    call.__name__ = name
    return call


def inplace_on_clone(name: str):
    """``args[0].clone().<name>(*args[1:])``: in-place-only ops, tested out of place."""

    def call(T, self, *args, **kwargs):
        return getattr(self.clone(), name)(*args, **kwargs)

    call.__name__ = name
    return call


# --- sample families ---------------------------------------------------------------------------


def unary_samples(low=-2.0, high=2.0, *, ints=True, bools_=True, empty=True):
    """Shapes, 0-d, empty, float64, non-contiguous and (promoting) integer/bool inputs."""
    samples = [
        S(f32(2, 3, low=low, high=high), name="f32"),
        S(f32(low=low, high=high), name="0d"),
        S(f64(3, 4, low=low, high=high), name="f64"),
        S(NC(f32(3, 2, low=low, high=high)), name="nc_t"),
        S(NC(f32(5, low=low, high=high), "step"), name="nc_step"),
    ]
    if empty:
        samples.append(S(f32(0, 3), name="empty"))
    if ints:
        lo, hi = int(np.ceil(low)), int(np.floor(high))
        samples.append(S(i64(2, 3, low=lo, high=hi), name="i64"))
        samples.append(S(i32(4, low=lo, high=hi), name="i32"))
    if bools_:
        samples.append(S(bools(4), name="bool"))
    return samples


def binary_samples(
    low=-2.0,
    high=2.0,
    olow=None,
    ohigh=None,
    *,
    ints=True,
    int_low=None,
    scalars=(2, 2.5),
    bools_=False,
    empty=True,
):
    """Broadcasting pairs, 0-d operands, weak Python scalars and mixed dtypes."""
    olow = low if olow is None else olow
    ohigh = high if ohigh is None else ohigh

    def a(*shape, dtype="float32"):
        return make(shape, dtype, low, high)

    def b(*shape, dtype="float32"):
        return make(shape, dtype, olow, ohigh)

    samples = [
        S(a(2, 3), b(2, 3), name="same"),
        S(a(2, 3), b(3), name="bcast_row"),
        S(a(2, 1), b(1, 3), name="bcast_outer"),
        S(a(4, 1, 3), b(2, 1), name="bcast_3d"),
        S(a(), b(2, 3), name="0d_self"),
        S(a(2, 3), b(), name="0d_other"),
        S(a(), b(), name="0d_both"),
        S(NC(a(3, 2)), b(3, 2), name="nc_self"),
        S(a(4), NC(b(4), "step"), name="nc_other"),
        S(a(2, 3, dtype="float64"), b(3), name="f64_f32"),
        S(a(2, 3), b(dtype="float64"), name="f32_0d_f64"),
    ]
    if empty:
        samples.append(S(a(0, 3), b(3), name="empty"))
    for value in scalars:
        samples.append(S(a(2, 3), value, name=f"scalar_{type(value).__name__}", scalar=True))
    if ints:
        ilo = int(np.ceil(olow)) if int_low is None else int_low
        ihi = int(np.floor(ohigh))
        samples += [
            S(a(2, 3, dtype="int64"), make((2, 3), "int64", ilo, ihi), name="i64_i64"),
            S(a(2, 3, dtype="int32"), make((3,), "int64", ilo, ihi), name="i32_i64"),
            S(a(2, 3, dtype="int64"), b(), name="i64_0d_f32"),
            S(a(2, 3, dtype="int64"), b(3), name="i64_f32"),
            S(a(2, 3, dtype="int32"), 2.5, name="i32_scalar_float", scalar=True),
            S(a(2, 3, dtype="int64"), 3, name="i64_scalar_int", scalar=True),
        ]
    if bools_:
        samples.append(S(bools(2, 3), bools(2, 3), name="bool_bool"))
    return samples


def reduction_dim_samples(make_input=f32):
    return [
        S(make_input(2, 3, 4), 1, name="dim1"),
        S(make_input(2, 3, 4), -1, keepdim=True, name="keepdim"),
        S(make_input(2, 3, 4), (0, 2), name="dims"),
        S(NC(make_input(3, 4)), 0, name="nc"),
        S(make_input(), 0, name="0d"),
    ]


# --- arithmetic --------------------------------------------------------------------------------

BROADCAST_ERROR = S(f32(2, 3), f32(4), name="broadcast_mismatch")

entry(
    "add.Tensor",
    fn("add"),
    binary_samples(bools_=True)
    + [
        S(f32(2, 3), f32(3), alpha=2, name="alpha"),
        S(f32(2, 3), 2, alpha=0.5, name="alpha_scalar", scalar=True),
        S(f32(2, 3), f32(2, 3), name="operator", call=lambda T, a, b: a + b),
        S(f32(2, 3), 2.5, name="roperator", call=lambda T, a, b: b + a, scalar=True),
        S(f32(2, 3), f32(3), name="method", call=lambda T, a, b: a.add(b, alpha=3)),
    ],
    errors=[
        BROADCAST_ERROR,
        S(i64(3), i64(3), alpha=0.5, name="int_alpha_float"),
        S(f32(3), f32(3), alpha=True, name="bool_alpha_float"),
    ],
    out=True,
)
entry(
    "sub.Tensor",
    fn("sub"),
    binary_samples()
    + [
        S(f32(2, 3), f32(3), alpha=2, name="alpha"),
        S(f32(2, 3), f32(2, 3), name="operator", call=lambda T, a, b: a - b),
        S(f32(2, 3), f32(2, 3), name="subtract", call=lambda T, a, b: T.subtract(a, b)),
    ],
    errors=[
        BROADCAST_ERROR,
        S(bools(3), bools(3), name="bool_bool"),
        S(bools(3), True, name="bool_scalar"),
    ],
    out=True,
)
entry(
    "rsub.Tensor",
    fn("rsub"),
    [S(f32(2, 3), f32(3), name="bcast"), S(f32(2, 3), f32(2, 3), alpha=2, name="alpha")],
)
entry(
    "rsub.Scalar",
    lambda T, a, b: b - a,
    [
        S(f32(2, 3), 2, name="int"),
        S(f32(2, 3), 2.5, name="float"),
        S(i64(2, 3), 2.5, name="int_tensor_float"),
        S(f32(), 1, name="0d"),
    ],
)
entry(
    "mul.Tensor",
    fn("mul"),
    binary_samples(bools_=True)
    + [
        S(f32(2, 3), f32(2, 3), name="operator", call=lambda T, a, b: a * b),
        S(f32(2, 3), 2, name="roperator", call=lambda T, a, b: b * a, scalar=True),
        S(f32(3), f32(3), name="same_tensor", call=lambda T, a, b: a * a),
        S(f32(2, 3), f32(2, 3), name="multiply", call=lambda T, a, b: T.multiply(a, b)),
    ],
    errors=[BROADCAST_ERROR],
    out=True,
)
entry(
    "div.Tensor",
    fn("div"),
    binary_samples(olow=0.5, ohigh=2.0, int_low=1)
    + [
        S(f32(2, 3), f32(2, 3, low=0.5), name="operator", call=lambda T, a, b: a / b),
        S(f32(2, 3, low=0.5), 2.5, name="roperator", call=lambda T, a, b: b / a, scalar=True),
        S(f32(2, 3), f32(3, low=0.5), name="true_divide", call=lambda T, a, b: T.true_divide(a, b)),
        S(f32(3), np.array([0.0, 1.0, -0.0], "float32"), name="by_zero", gradcheck=False),
        S(i64(2, 3), np.array([0, 1, 2]), name="int_by_zero"),
    ],
    errors=[BROADCAST_ERROR],
    out=True,
)
entry(
    "div.Tensor_mode",
    fn("div"),
    [
        S(f32(2, 3, low=-5, high=5), f32(2, 3, low=0.5), rounding_mode="floor", name="floor"),
        S(f32(2, 3, low=-5, high=5), f32(3, low=0.5), rounding_mode="trunc", name="trunc"),
        S(f32(2, 3, low=-5, high=5), 1.5, rounding_mode="floor", name="scalar", scalar=True),
        S(f64(2, 3, low=-5, high=5), f32(3, low=-2, high=-0.5), rounding_mode="floor", name="f64"),
    ],
    errors=[
        S(f32(3), f32(3), rounding_mode="round", name="bad_mode"),
        S(i64(3), np.array([1, 0, 2]), rounding_mode="floor", name="int_by_zero"),
    ],
    gradcheck=False,
)
entry(
    "floor_divide",
    fn("floor_divide"),
    [
        S(i64(2, 3, low=-7, high=7), make((2, 3), "int64", 1, 3), name="int"),
        S(i64(2, 3, low=-7, high=7), 2, name="int_scalar", scalar=True),
        S(f32(2, 3, low=-5, high=5), f32(3, low=0.5), name="float"),
        S(
            i64(4, low=-7, high=7),
            make((4,), "int64", -3, -1),
            name="negative",
            call=lambda T, a, b: a // b,
        ),
        S(i64(4, low=-7, high=7), 3, name="rfloordiv", call=lambda T, a, b: b // (a.abs() + 1)),
    ],
    errors=[S(i64(3), np.array([1, 0, 2]), name="int_by_zero")],
    grad=False,
)
entry(
    "_trunc_divide",
    fn("div"),
    [
        S(
            i64(2, 3, low=-7, high=7),
            make((2, 3), "int64", 1, 3),
            rounding_mode="trunc",
            name="int",
        ),
        S(i32(4, low=-7, high=7), make((4,), "int64", -3, -1), rounding_mode="trunc", name="neg"),
    ],
    grad=False,
)
entry(
    "remainder.Tensor",
    fn("remainder"),
    [
        S(f32(2, 3, low=-5, high=5), f32(2, 3, low=0.7, high=2), name="float"),
        S(f32(2, 3, low=-5, high=5), f32(3, low=-2, high=-0.7), name="negative_divisor"),
        S(i64(2, 3, low=-7, high=7), make((3,), "int64", 1, 4), name="int"),
        S(f32(2, 3, low=-5, high=5), f32(3, low=0.5), name="operator", call=lambda T, a, b: a % b),
    ],
    errors=[S(i64(3), np.array([1, 0, 2]), name="int_by_zero")],
    gradcheck=False,
    out=True,
)
entry(
    "remainder.Scalar",
    fn("remainder"),
    [
        S(f32(2, 3, low=-5, high=5), 1.5, name="float"),
        S(i64(2, 3, low=-7, high=7), 3, name="int"),
        S(i64(2, 3, low=-7, high=7), 2.5, name="int_float_divisor"),
        S(f32(2, 3, low=-5, high=5), 2, name="operator", call=lambda T, a, b: a % b),
    ],
    errors=[S(i64(3), 0, name="int_by_zero")],
    gradcheck=False,
    out=True,
)
entry(
    "remainder.Scalar_Tensor",
    lambda T, a, b: T.remainder(b, a),
    [
        S(f32(2, 3, low=0.5, high=2), 5, name="function"),
        S(i64(3, low=1, high=4), 7, name="int"),
        S(f32(2, 3, low=0.5, high=2), 5.5, name="roperator", call=lambda T, a, b: b % a),
    ],
    gradcheck=False,
)
entry(
    "fmod.Tensor",
    fn("fmod"),
    [
        S(f32(2, 3, low=-5, high=5), f32(2, 3, low=0.7, high=2), name="float"),
        S(i64(2, 3, low=-7, high=7), make((3,), "int64", 1, 4), name="int"),
    ],
    errors=[S(i64(3), np.array([1, 0, 2]), name="int_by_zero")],
    gradcheck=False,
    out=True,
)
entry(
    "fmod.Scalar",
    fn("fmod"),
    [
        S(f32(2, 3, low=-5, high=5), 1.5, name="float"),
        S(i64(2, 3, low=-7, high=7), 3, name="int"),
        S(f32(2, 3, low=-5, high=5), -2, name="method", call=meth("fmod")),
    ],
    errors=[S(i64(3), 0, name="int_by_zero")],
    gradcheck=False,
    out=True,
)
entry(
    "neg",
    fn("neg"),
    unary_samples(bools_=False)
    + [
        S(f32(2, 3), name="operator", call=lambda T, a: -a),
        S(f32(2, 3), name="negative", call=lambda T, a: T.negative(a)),
    ],
    errors=[S(bools(3), name="bool")],
    out=True,
)
entry(
    "pow.Tensor_Scalar",
    fn("pow"),
    [
        S(f32(2, 3), 2, name="square"),
        S(f32(2, 3), 3, name="cube"),
        S(f32(2, 3, low=0.5), 0.5, name="sqrt"),
        S(f32(2, 3, low=0.5), -1.5, name="negative"),
        S(f32(2, 3), 0, name="zero"),
        S(f32(2, 3), 1, name="one"),
        S(f64(3), 2, name="f64"),
        S(NC(f32(3, 2)), 2, name="nc"),
        S(i64(2, 3), 2, name="int"),
        S(i64(2, 3, low=0), 0.5, name="int_float_exponent"),
        S(f32(2, 3), 2, name="operator", call=lambda T, a, e: a**e),
        S(f32(3), name="square_fn", call=lambda T, a: T.square(a)),
    ],
    errors=[S(i64(3, low=1), -1, name="int_negative_power")],
    out=True,
)
entry(
    "pow.Tensor_Tensor",
    fn("pow"),
    [
        S(f32(2, 3, low=0.5, high=2), f32(2, 3), name="same"),
        S(f32(2, 3, low=0.5, high=2), f32(3), name="bcast"),
        S(f32(2, 1, low=0.5, high=2), f64(3), name="promote"),
        S(i64(2, 3, low=1, high=3), make((3,), "int64", 0, 3), name="int"),
        S(np.array([2, -1, 1, -1, 3]), np.array([-1, -3, -2, -2, 0]), name="int_negative"),
        S(
            np.array([0.0, 0.0, 2.0], "float32"),
            np.array([0.0, 2.0, 0.0], "float32"),
            name="zero_base",
            gradcheck=False,
        ),
        S(f32(2, 3, low=0.5, high=2), f32(2, 3), name="operator", call=lambda T, a, e: a**e),
    ],
    errors=[BROADCAST_ERROR, S(bools(3), bools(3), name="bool_bool")],
)
entry(
    "pow.Scalar",
    lambda T, base, e: T.pow(base, e),
    [
        S(2.0, f32(2, 3), name="float_base"),
        S(2, f32(3), name="int_base"),
        S(0.0, np.array([-1.0, 0.0, 1.0], "float32"), name="zero_base", gradcheck=False),
        S(2.5, f32(3), name="rpow", call=lambda T, base, e: base**e),
        S(2, np.array([-2, -1, 0, 3]), name="int_base_int_exponent"),
        S(2.5, i64(3), name="float_base_int_exponent"),
        S(True, i64(3, low=0), name="bool_base"),
    ],
    errors=[S(True, bools(3), name="bool_bool")],
)

# --- unary math ----------------------------------------------------------------------------------

_UNARY_DOMAINS = {
    "exp": (-2, 2),
    "log": (0.1, 3),
    "log1p": (-0.5, 2),
    "log2": (0.1, 3),
    "log10": (0.1, 3),
    "expm1": (-2, 2),
    "sqrt": (0.1, 3),
    "rsqrt": (0.1, 3),
    "sin": (-3, 3),
    "cos": (-3, 3),
    "tan": (-1.2, 1.2),
    "tanh": (-2, 2),
    "sigmoid": (-4, 4),
    "reciprocal": (0.3, 2),
    "erf": (-2, 2),
    "asin": (-0.9, 0.9),
    "acos": (-0.9, 0.9),
    "atan": (-3, 3),
    "sinh": (-2, 2),
    "cosh": (-2, 2),
}
for _name, (_low, _high) in _UNARY_DOMAINS.items():
    entry(
        _name,
        fn(_name),
        unary_samples(_low, _high)
        + [S(f32(2, 3, low=_low, high=_high), name="method", call=meth(_name))],
        out=True,
    )
OP_DB["log"].samples.append(S(np.array([0.0, -1.0, 1.0], "float32"), name="edge", gradcheck=False))
OP_DB["sqrt"].samples.append(S(np.array([0.0, -1.0, 4.0], "float32"), name="edge", gradcheck=False))
OP_DB["exp"].samples.append(
    S(np.array([100.0, -100.0], "float32"), name="overflow", gradcheck=False)
)

for _name in ("floor", "ceil", "trunc", "frac", "round"):
    entry(
        _name,
        fn(_name),
        unary_samples(-3, 3, bools_=False)
        + [S(np.array([-1.5, -0.5, 0.5, 1.5, 2.5], "float32"), name="halves", gradcheck=False)],
        out=_name != "round",
    )
entry(
    "round.decimals",
    fn("round"),
    [
        S(f32(2, 3, low=-30, high=30), decimals=1, name="one"),
        S(f64(4, low=-300, high=300), decimals=-1, name="negative"),
    ],
)
entry(
    "abs",
    fn("abs"),
    unary_samples(bools_=False)
    + [
        S(f32(2, 3), name="operator", call=lambda T, a: abs(a)),
        S(f32(3), name="absolute", call=lambda T, a: T.absolute(a)),
        S(np.array([0.0, -1.0, 1.0], "float32"), name="zero", gradcheck=False),
    ],
    out=True,
)
entry(
    "sign",
    fn("sign"),
    unary_samples() + [S(np.array([0.0, -1.0, 2.0], "float32"), name="zero", gradcheck=False)],
    out=True,
)
entry("sgn", fn("sgn"), unary_samples() + [S(f32(3), name="method", call=meth("sgn"))])

# --- activations -------------------------------------------------------------------------------

entry(
    "relu",
    fn("relu"),
    unary_samples(bools_=False)
    + [
        S(np.array([0.0, -1.0, 2.0], "float32"), name="zero", gradcheck=False),
        S(f32(2, 3), name="method", call=meth("relu")),
    ],
)
entry(
    "leaky_relu",
    nnf("leaky_relu"),
    [
        S(f32(2, 3), name="default"),
        S(f64(4), 0.2, name="slope"),
        S(f32(), name="0d"),
        S(NC(f32(3, 2)), negative_slope=0.5, name="nc"),
        S(f32(0, 2), name="empty"),
    ],
)
entry(
    "gelu",
    nnf("gelu"),
    [
        S(f32(2, 3, low=-3, high=3), name="default"),
        S(f64(5, low=-3, high=3), name="f64"),
        S(f32(2, 3, low=-3, high=3), approximate="tanh", name="tanh"),
        S(f32(), name="0d"),
        S(NC(f32(3, 2)), name="nc"),
    ],
    errors=[S(f32(3), approximate="fast", name="bad_approximate")],
    rtol=1e-4,
    atol=1e-5,
)
entry(
    "silu",
    nnf("silu"),
    [S(f32(2, 3, low=-3, high=3), name="f32"), S(f64(4), name="f64"), S(f32(), name="0d")],
)
entry(
    "elu",
    nnf("elu"),
    [S(f32(2, 3), name="default"), S(f64(4), 0.5, name="alpha"), S(f32(), name="0d")],
)
entry(
    "leaky_relu_",
    nnf("leaky_relu", inplace=True),
    [S(f32(2, 3), name="default"), S(f64(4), 0.2, name="slope")],
)
entry(
    "elu_", nnf("elu", inplace=True), [S(f32(2, 3), name="default"), S(f64(4), 0.5, name="alpha")]
)
entry(
    "hardtanh",
    nnf("hardtanh"),
    [
        S(f32(2, 3), name="default"),
        S(f64(6, low=-3, high=3), -0.5, 2.0, name="bounds"),
        S(f32(), name="0d"),
    ],
)

# --- clamping and selection ---------------------------------------------------------------------

entry(
    "clamp",
    fn("clamp"),
    [
        S(f32(2, 3), -0.5, 0.5, name="both"),
        S(f32(2, 3), min=-0.5, name="min"),
        S(f32(2, 3), max=0.5, name="max"),
        S(f64(4), -1, 1, name="f64_int_bounds"),
        S(i64(2, 3), -1, 1, name="int"),
        S(i64(2, 3), -1.5, 1.5, name="int_float_bounds"),
        S(NC(f32(3, 2)), 0.0, 1.0, name="nc"),
        S(f32(), 0.5, name="0d"),
        S(f32(2, 3), 0.5, -0.5, name="min_above_max"),
        S(f32(2, 3), -0.5, 0.5, name="clip", call=lambda T, a, lo, hi: T.clip(a, lo, hi)),
        S(f32(2, 3), -0.5, 0.5, name="method", call=lambda T, a, lo, hi: a.clamp(lo, hi)),
    ],
    errors=[S(f32(3), name="no_bounds")],
    out=True,
)
entry(
    "clamp.Tensor",
    fn("clamp"),
    [
        S(f32(2, 3), f32(2, 3, low=-2, high=-0.1), f32(3, low=0.1, high=2), name="both"),
        S(f32(2, 3), min=f32(3), name="min"),
        S(f32(2, 3), max=f32(2, 1), name="max"),
        S(f32(3), f64(3, low=-2, high=-0.1), name="promote"),
    ],
    errors=[S(f32(2, 3), f32(4), name="broadcast")],
)
entry(
    "clamp_min",
    fn("clamp_min"),
    [S(f32(2, 3), 0.1, name="f32"), S(f64(4), -1, name="f64"), S(i64(3), 0, name="int")],
)
entry(
    "clamp_max",
    fn("clamp_max"),
    [S(f32(2, 3), 0.1, name="f32"), S(f64(4), -1, name="f64"), S(i64(3), 0, name="int")],
)
entry(
    "clamp_min.Tensor",
    fn("clamp_min"),
    [
        S(f32(2, 3), f32(3), name="f32"),
        S(f64(4), f64(), name="f64"),
        S(f32(3), f64(3), name="promote"),
    ],
)
entry(
    "clamp_max.Tensor",
    fn("clamp_max"),
    [
        S(f32(2, 3), f32(2, 1), name="f32"),
        S(f64(4), f64(4), name="f64"),
        S(i64(3), f32(3), name="promote"),
    ],
)
entry(
    "where.self",
    fn("where"),
    [
        S(bools(2, 3), f32(2, 3), f32(2, 3), name="same"),
        S(bools(2, 3), f32(3), f32(2, 1), name="bcast"),
        S(bools(3), f32(2, 3), f32(2, 3), name="bcast_condition"),
        S(bools(2, 3), f32(2, 3), 0.0, name="scalar_other", scalar=True),
        S(bools(2, 3), 1.0, f32(2, 3), name="scalar_self", scalar=True),
        S(bools(2, 3), f32(2, 3), f64(2, 3), name="promote"),
        S(bools(2, 3), i64(2, 3), f32(3), name="int_float"),
        S(bools(), f32(), f32(), name="0d"),
        S(bools(2, 3), f32(2, 3), f32(3), name="method", call=lambda T, c, a, b: a.where(c, b)),
    ],
    errors=[
        S(f32(2, 3), f32(2, 3), f32(2, 3), name="float_condition"),
        S(bools(2, 3), f32(4), f32(2, 3), name="broadcast"),
    ],
)
for _name, _tie_grad in (("maximum", "max"), ("minimum", "min")):
    entry(
        _name,
        fn(_name),
        binary_samples(ints=True, scalars=())
        + [
            S(
                np.array([1.0, 2.0, 3.0], "float32"),
                np.array([1.0, 0.0, 3.0], "float32"),
                name="ties",
                gradcheck=False,
            ),
            S(
                f32(2, 3),
                f32(3),
                name=f"via_{_tie_grad}",
                call=lambda T, a, b, _f=_tie_grad: getattr(T, _f)(a, b),
            ),
        ],
        errors=[BROADCAST_ERROR],
        out=True,
    )
entry(
    "lerp.Scalar",
    fn("lerp"),
    [
        S(f32(2, 3), f32(2, 3), 0.3, name="same"),
        S(f32(2, 3), f32(3), 0.5, name="bcast"),
        S(f64(3), f64(3), 2, name="f64"),
    ],
)
entry(
    "lerp.Tensor",
    fn("lerp"),
    [
        S(f32(2, 3), f32(2, 3), f32(2, 3), name="same"),
        S(f32(2, 3), f32(3), f32(2, 1), name="bcast"),
    ],
)
entry(
    "addcmul",
    fn("addcmul"),
    [
        S(f32(2, 3), f32(2, 3), f32(2, 3), name="same"),
        S(f32(3), f32(2, 1), f32(2, 3), value=0.5, name="bcast_value"),
    ],
)
entry(
    "addcdiv",
    fn("addcdiv"),
    [
        S(f32(2, 3), f32(2, 3), f32(2, 3, low=0.5), name="same"),
        S(f32(3), f32(2, 1), f32(2, 3, low=0.5), value=2, name="bcast_value"),
    ],
)
entry(
    "atan2",
    fn("atan2"),
    [
        S(f32(2, 3), f32(2, 3), name="same"),
        S(f32(2, 3), f64(3), name="promote"),
        S(i64(2, 3), i64(3), name="int"),
    ],
    out=True,
)
entry(
    "masked_fill.Scalar",
    meth("masked_fill"),
    [
        S(f32(2, 3), bools(2, 3), 0.0, name="same"),
        S(f32(2, 3), bools(3), -1.5, name="bcast_mask"),
        S(i64(2, 3), bools(2, 3), 7, name="int"),
        S(f32(2, 3), bools(2, 3), float("-inf"), name="neg_inf", gradcheck=False),
        S(f32(2, 3), bools(3), 2, name="function", call=lambda T, a, m, v: T.masked_fill(a, m, v)),
    ],
    errors=[
        S(f32(2, 3), f32(2, 3), 0.0, name="float_mask"),
        S(f32(2, 3), bools(4), 0.0, name="broadcast"),
    ],
)
entry(
    "masked_fill.Tensor",
    meth("masked_fill"),
    [S(f32(2, 3), bools(2, 3), f32(), name="0d_value"), S(f64(2, 3), bools(3), f64(), name="f64")],
    errors=[S(f32(2, 3), bools(2, 3), f32(2), name="1d_value")],
)

# --- in-place-only writers, tested on a clone ----------------------------------------------------

entry(
    "fill_.Scalar",
    inplace_on_clone("fill_"),
    [S(f32(2, 3), 1.5, name="float"), S(i64(3), 2, name="int"), S(f32(), 3, name="0d")],
)
entry(
    "fill_.Tensor",
    inplace_on_clone("fill_"),
    [S(f32(2, 3), f32(), name="0d_value"), S(f64(3), f64(), name="f64")],
    errors=[S(f32(2, 3), f32(2), name="1d_value")],
)
entry("zero_", inplace_on_clone("zero_"), [S(f32(2, 3), name="f32"), S(i64(3), name="int")])
entry(
    "copy_",
    inplace_on_clone("copy_"),
    [
        S(f32(2, 3), f32(2, 3), name="same"),
        S(f32(2, 3), f32(3), name="bcast"),
        S(f32(2, 3), f64(2, 3), name="f64_src"),
        S(f64(3), i64(3), name="int_src"),
    ],
    errors=[S(f32(3), f32(2, 3), name="bigger_src")],
)
# x[...] and x[()] are PyTorch's alias (AliasBackward0).
entry(
    "alias",
    lambda T, a: a[...],
    [S(f32(2, 3), name="ellipsis"), S(f32(), name="0d", call=lambda T, a: a[()])],
)
# Metadata-only in-place ops: PyTorch's own rows (TBackward1, SqueezeBackward4 ...).
entry(
    "t_",
    inplace_on_clone("t_"),
    [S(f32(2, 3), name="f32"), S(f32(3), name="1d")],
    errors=[S(f32(2, 3, 4), name="3d")],
)
entry(
    "transpose_",
    inplace_on_clone("transpose_"),
    [
        S(f32(2, 3, 4), 0, -1, name="f32"),
        S(f32(2, 3), -1, 0, name="negative"),
        S(f32(2, 3), 0, 1, name="swapaxes_", call=lambda T, a, d0, d1: a.clone().swapaxes_(d0, d1)),
    ],
)
entry(
    "unsqueeze_",
    inplace_on_clone("unsqueeze_"),
    [S(f32(2, 3), 1, name="f32"), S(f32(2, 3), -1, name="last"), S(f32(), 0, name="0d")],
)
entry("squeeze_", inplace_on_clone("squeeze_"), [S(f32(2, 1, 3), name="f32")])
entry(
    "squeeze_.dim",
    inplace_on_clone("squeeze_"),
    [S(f32(2, 1, 3), 1, name="f32"), S(f32(2, 3), 1, name="not_one")],
)
entry(
    "as_strided_",
    inplace_on_clone("as_strided_"),
    [S(f32(6), (2, 2), (1, 2), name="f32"), S(f32(3, 4), (2, 3), (4, 1), 1, name="offset")],
)

# --- comparisons and logic (no gradient) ----------------------------------------------------

_COMPARE_SAMPLES = binary_samples(bools_=True, scalars=(0, 0.5, True)) + [
    S(np.array([1.0, np.nan, 2.0], "float32"), np.array([1.0, np.nan, 3.0], "float32"), name="nan")
]
for _name, _op in (
    ("eq", "=="),
    ("ne", "!="),
    ("lt", "<"),
    ("le", "<="),
    ("gt", ">"),
    ("ge", ">="),
):
    entry(
        _name + ".Tensor",
        fn(_name),
        _COMPARE_SAMPLES
        + [S(f32(2, 3), f32(3), name="operator", call=eval(f"lambda T, a, b: a {_op} b"))],  # noqa: S307 - fixed operator table
        errors=[BROADCAST_ERROR],
        grad=False,
        out=True,
    )
for _name in ("logical_and", "logical_or", "logical_xor"):
    entry(_name, fn(_name), binary_samples(bools_=True, scalars=()), grad=False, out=True)
entry("logical_not", fn("logical_not"), unary_samples(), grad=False, out=True)
for _name, _op in (("bitwise_and", "&"), ("bitwise_or", "|"), ("bitwise_xor", "^")):
    entry(
        _name + ".Tensor",
        fn(_name),
        [
            S(i64(2, 3, low=-8, high=8), i64(3, low=-8, high=8), name="int"),
            S(bools(2, 3), bools(2, 3), name="bool"),
            S(i32(4, low=0, high=9), 5, name="scalar", scalar=True),
            S(bools(3), bools(3), name="operator", call=eval(f"lambda T, a, b: a {_op} b")),  # noqa: S307
        ],
        errors=[S(f32(3), f32(3), name="float")],
        grad=False,
    )
entry(
    "bitwise_not",
    fn("bitwise_not"),
    [
        S(i64(2, 3, low=-8, high=8), name="int"),
        S(bools(4), name="bool"),
        S(bools(4), name="operator", call=lambda T, a: ~a),
    ],
    errors=[S(f32(3), name="float")],
    grad=False,
)
_SPECIAL = np.array([1.0, np.nan, np.inf, -np.inf, -0.0, 0.0], "float32")
for _name in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit"):
    entry(
        _name,
        fn(_name),
        [S(_SPECIAL, name="special"), S(i64(3), name="int"), S(f64(2, 3), name="f64")],
        grad=False,
    )

# --- reductions ------------------------------------------------------------------------------------

entry(
    "sum",
    fn("sum"),
    [
        S(f32(2, 3, 4), name="f32"),
        S(f32(), name="0d"),
        S(f32(0, 3), name="empty"),
        S(f64(5), name="f64"),
        S(NC(f32(3, 4)), name="nc"),
        S(i64(2, 3), name="int"),
        S(i32(2, 3), name="int32"),
        S(bools(3, 4), name="bool"),
        S(f32(2, 3), dtype=DT("float64"), name="dtype"),
        S(i64(4), dtype=DT("float32"), name="int_to_float"),
        S(f32(2, 3), name="method", call=meth("sum")),
    ],
)
entry(
    "sum.dim_IntList",
    fn("sum"),
    reduction_dim_samples()
    + [
        S(f32(0, 3), 0, name="empty"),
        S(i64(2, 3), 1, name="int"),
        S(bools(2, 3), 0, name="bool"),
        S(f32(2, 3), [0], name="list"),
        S(f32(2, 3), 1, dtype=DT("float64"), name="dtype"),
        S(f32(2, 3), dim=-2, keepdim=True, name="kwargs", call=meth("sum")),
    ],
    errors=[S(f32(2, 3), 2, name="dim_out_of_range"), S(f32(2, 3), (0, 0), name="repeated_dim")],
    out=True,
)
entry(
    "mean",
    fn("mean"),
    [
        S(f32(2, 3, 4), name="f32"),
        S(f32(), name="0d"),
        S(f32(0, 3), name="empty"),
        S(f64(5), name="f64"),
        S(NC(f32(3, 4)), name="nc"),
        S(f32(2, 3), dtype=DT("float64"), name="dtype"),
        S(i64(3), dtype=DT("float32"), name="int_dtype"),
    ],
    errors=[S(i64(3), name="int"), S(bools(3), name="bool")],
    out=True,
)
entry(
    "mean.dim",
    fn("mean"),
    reduction_dim_samples() + [S(f32(0, 3), 0, name="empty"), S(f32(0, 3), 1, name="empty_rows")],
    errors=[S(i64(2, 3), 0, name="int")],
    out=True,
)


def _var_samples(name):
    return [
        S(f32(2, 3, 4), name="all"),
        S(f32(2, 3, 4), 1, name="dim"),
        S(f32(2, 3, 4), (0, 2), keepdim=True, name="dims_keepdim"),
        S(f32(3, 4), 1, correction=0, name="correction0"),
        S(f32(3, 4), 0, correction=2, name="correction2"),
        S(f64(5), unbiased=False, name="unbiased_false"),
        S(f32(3, 4), False, name="bool_positional"),
        S(NC(f32(3, 4)), 0, name="nc"),
        S(f32(1), name="single", gradcheck=False),
        S(f32(2, 3), 1, name="method", call=meth(name)),
    ]


entry(
    "var.correction",
    fn("var"),
    _var_samples("var"),
    errors=[S(i64(3), name="int")],
    rtol=1e-4,
    out=True,
)
entry(
    "std.correction",
    fn("std"),
    _var_samples("std"),
    errors=[S(i64(3), name="int")],
    rtol=1e-4,
    out=True,
)
entry(
    "var_mean.correction",
    fn("var_mean"),
    _var_samples("var")[:-1],
    errors=[S(i64(3), name="int")],
    rtol=1e-4,
)
entry(
    "std_mean.correction",
    fn("std_mean"),
    _var_samples("std")[:-1],
    errors=[S(i64(3), name="int")],
    rtol=1e-4,
)
entry(
    "prod",
    fn("prod"),
    [
        S(f32(2, 3, low=0.5, high=1.5), name="f32"),
        S(f32(), name="0d"),
        S(f32(0, 3), name="empty"),
        S(f64(4), name="f64"),
        S(np.array([1.5, 0.0, 2.0, -1.0], "float32"), name="one_zero"),
        S(np.array([1.5, 0.0, 2.0, 0.0], "float32"), name="two_zeros"),
        S(i64(2, 3), name="int"),
        S(bools(3), name="bool"),
        S(f32(3), dtype=DT("float64"), name="dtype"),
    ],
)
entry(
    "prod.dim_int",
    fn("prod"),
    [
        S(f32(2, 3, 4, low=0.5, high=1.5), 1, name="dim"),
        S(f32(3, 4), -1, keepdim=True, name="keepdim"),
        S(
            np.array([[1.5, 0.0, 2.0], [0.0, 0.0, 1.0], [1.0, 2.0, 3.0]], "float32"),
            1,
            name="zeros",
        ),
        S(i64(2, 3), 0, name="int"),
        S(f32(), 0, name="0d"),
    ],
    out=True,
)
for _name in ("max", "min"):
    entry(
        _name,
        fn(_name),
        [
            S(distinct(2, 3), name="f32"),
            S(distinct(dtype="float64"), name="0d"),
            S(np.array([1.0, 3.0, 3.0, 3.0], "float32"), name="ties", gradcheck=False),
            S(i64(2, 3), name="int"),
            S(NC(distinct(3, 2)), name="nc"),
            S(distinct(4), name="method", call=meth(_name)),
        ],
        errors=[S(f32(0, 3), name="empty")],
        out=True,
    )
    entry(
        _name + ".dim",
        fn(_name),
        [
            S(distinct(2, 3, 4), 1, name="dim"),
            S(distinct(3, 4), -1, keepdim=True, name="keepdim"),
            S(distinct(dtype="float64"), 0, name="0d"),
            S(i64(2, 3), 0, name="int"),
            S(NC(distinct(3, 4)), 0, name="nc"),
            S(distinct(3, 4), dim=1, name="method", call=meth(_name)),
        ],
        errors=[S(f32(2, 3), 2, name="dim_out_of_range"), S(f32(0, 3), 0, name="empty_dim")],
    )
for _name in ("amax", "amin"):
    entry(
        _name,
        fn(_name),
        [
            S(distinct(2, 3, 4), 1, name="dim"),
            S(distinct(2, 3, 4), (0, 2), keepdim=True, name="dims"),
            S(distinct(3, 4), name="all"),
            S(
                np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], "float32"),
                1,
                name="ties",
                gradcheck=False,
            ),
            S(
                np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], "float32"),
                name="ties_all",
                gradcheck=False,
            ),
            S(i64(2, 3), 0, name="int"),
            S(distinct(dtype="float64"), name="0d"),
        ],
        out=True,
    )
for _name in ("argmax", "argmin"):
    entry(
        _name,
        fn(_name),
        [
            S(distinct(2, 3), name="all"),
            S(distinct(2, 3, 4), 1, name="dim"),
            S(distinct(3, 4), -1, keepdim=True, name="keepdim"),
            S(i64(2, 3), 0, name="int"),
            S(distinct(), name="0d"),
        ],
        grad=False,
        out=True,
    )
entry(
    "logsumexp",
    fn("logsumexp"),
    [
        S(f32(2, 3, 4), 1, name="dim"),
        S(f32(2, 3, 4), (0, 2), keepdim=True, name="dims"),
        S(np.array([[100.0, 101.0], [-1000.0, -1001.0]], "float32"), 1, name="large"),
        S(f64(), 0, name="0d"),
        S(i64(2, 3), 1, name="int"),
        S(NC(f32(3, 4)), 0, name="nc"),
    ],
    out=True,
)
for _name, _reg in (("softmax", "_softmax"), ("log_softmax", "_log_softmax")):
    entry(
        _reg,
        fn(_name),
        [
            S(f32(2, 3, 4), 1, name="dim1"),
            S(f32(2, 3), -1, name="last"),
            S(f32(2, 3), 0, name="first"),
            S(f64(), 0, name="0d"),
            S(f32(0, 3), 1, name="empty"),
            S(NC(f32(3, 4)), 1, name="nc"),
            S(f32(2, 3), 1, dtype=DT("float64"), name="dtype"),
            S(i64(2, 3), 1, dtype=DT("float32"), name="int_dtype"),
            S(np.array([[100.0, 101.0], [-1000.0, -1001.0]], "float32"), 1, name="large"),
            S(f32(2, 3), 1, name="method", call=meth(_name)),
        ],
        errors=[S(i64(2, 3), 1, name="int_last"), S(i64(2, 3), 0, name="int_first")],
        rtol=1e-4,
        out=True,
    )
entry(
    "linalg_vector_norm",
    fn("norm"),
    [
        S(f32(2, 3), name="all"),
        S(f32(2, 3), dim=1, name="dim"),
        S(f32(2, 3), dim=0, keepdim=True, name="keepdim"),
        S(f64(5), p=1, name="p1"),
        S(f64(5), p=3, name="p3"),
        S(f32(2, 3), p=float("inf"), name="inf", gradcheck=False),
        S(f32(2, 3), name="method", call=meth("norm")),
    ],
    out=True,
)
for _name in ("all", "any"):
    entry(
        _name,
        fn(_name),
        [
            S(bools(2, 3), name="bool"),
            S(bools(2, 3), 1, name="dim"),
            S(f32(2, 3), name="float"),
            S(i64(2, 3, low=0, high=1), 0, keepdim=True, name="int"),
            S(bools(0, 3), name="empty"),
        ],
        grad=False,
        out=True,
    )
entry(
    "cumsum",
    fn("cumsum"),
    [
        S(f32(2, 3), 1, name="dim1"),
        S(f32(2, 3), 0, name="dim0"),
        S(f64(4), -1, name="f64"),
        S(i64(2, 3), 1, name="int"),
        S(f32(), 0, name="0d"),
        S(f32(3), 0, dtype=DT("float64"), name="dtype"),
    ],
    out=True,
)

# --- linear algebra --------------------------------------------------------------------------------

entry(
    "mm",
    fn("mm"),
    [
        S(f32(2, 3), f32(3, 4), name="f32"),
        S(f64(3, 3), f64(3, 1), name="f64"),
        S(NC(f32(2, 3)), NC(f32(3, 4)), name="nc"),
        S(i64(2, 3), i64(3, 2), name="int"),
        S(f32(0, 3), f32(3, 2), name="empty"),
        S(f32(2, 0), f32(0, 2), name="empty_inner"),
        S(f32(2, 3), f32(3, 4), name="method", call=meth("mm")),
    ],
    errors=[
        S(f32(2, 3), f32(2, 4), name="shapes"),
        S(f32(2, 3), f64(3, 4), name="dtypes"),
        S(f32(3), f32(3, 4), name="vector"),
    ],
    out=True,
)
entry(
    "bmm",
    fn("bmm"),
    [
        S(f32(2, 3, 4), f32(2, 4, 5), name="f32"),
        S(f64(1, 2, 2), f64(1, 2, 3), name="f64"),
        S(NC(f32(2, 3, 4)), f32(2, 4, 2), name="nc"),
        S(i64(2, 2, 3), i64(2, 3, 1), name="int"),
    ],
    errors=[
        S(f32(2, 3, 4), f32(3, 4, 5), name="batch"),
        S(f32(2, 3, 4), f32(2, 5, 4), name="inner"),
        S(f32(3, 4), f32(4, 5), name="matrix"),
    ],
    out=True,
)
entry(
    "mv",
    fn("mv"),
    [S(f32(2, 3), f32(3), name="f32"), S(NC(f64(2, 3)), f64(3), name="nc")],
    errors=[S(f32(2, 3), f32(4), name="shapes")],
    out=True,
)
entry(
    "dot",
    fn("dot"),
    [S(f32(3), f32(3), name="f32"), S(f64(0), f64(0), name="empty"), S(i64(4), i64(4), name="int")],
    errors=[
        S(f32(3), f32(4), name="sizes"),
        S(f32(2, 3), f32(3), name="2d"),
        S(f32(3), f64(3), name="dtypes"),
    ],
    out=True,
)
entry(
    "addmm",
    fn("addmm"),
    [
        S(f32(2, 4), f32(2, 3), f32(3, 4), name="f32"),
        S(f32(4), f32(2, 3), f32(3, 4), name="bcast_bias"),
        S(f64(2, 4), f64(2, 3), f64(3, 4), beta=0.5, alpha=2, name="beta_alpha"),
    ],
    errors=[S(f32(2, 4), f32(2, 3), f32(2, 4), name="shapes")],
    out=True,
)
entry(
    "matmul",
    fn("matmul"),
    [
        S(f32(3), f32(3), name="1d_1d"),
        S(f32(2, 3), f32(3), name="2d_1d"),
        S(f32(3), f32(3, 4), name="1d_2d"),
        S(f32(2, 3), f32(3, 4), name="2d_2d"),
        S(f32(2, 2, 3), f32(3, 4), name="3d_2d"),
        S(f32(2, 2, 3), f32(3), name="3d_1d"),
        S(f32(3), f32(2, 3, 4), name="1d_3d"),
        S(f32(2, 3), f32(5, 3, 4), name="2d_3d"),
        S(f32(2, 1, 2, 3), f32(4, 3, 2), name="4d_3d_bcast"),
        S(NC(f32(2, 3)), f32(2, 3, 4), name="nc"),
        S(f32(2, 3), f32(3, 4), name="operator", call=lambda T, a, b: a @ b),
        S(f64(2, 3), f64(3, 4), name="method", call=meth("matmul")),
    ],
    op="mm",
    errors=[
        S(f32(2, 3), f32(4, 5), name="shapes"),
        S(f32(), f32(3), name="0d"),
        S(f32(2, 2, 3), f32(2, 4, 5), name="batched"),
    ],
    out=True,
)

# --- shape: views -----------------------------------------------------------------------------------

entry(
    "view",
    meth("view"),
    [
        S(f32(2, 3), (3, 2), name="tuple"),
        S(f32(2, 3), -1, name="flat"),
        S(f32(2, 3, 4), 6, -1, name="infer"),
        S(f32(), 1, name="0d"),
        S(f32(1), (), name="to_0d"),
        S(f32(0, 3), 3, 0, name="empty"),
        S(NC(f32(4, 3), "step"), 4, 3, 1, name="strided_compatible"),
        S(f32(2, 3), name="view_as", call=lambda T, a: a.view_as(a.t())),
    ],
    errors=[
        S(NC(f32(3, 4)), -1, name="stride_incompatible"),
        S(f32(2, 3), 4, name="bad_shape"),
        S(f32(2, 3), -1, -1, name="two_inferred"),
        S(f32(2, 3), 4, -1, name="cannot_infer"),
    ],
)
entry(
    "_unsafe_view",
    fn("reshape"),
    [
        S(NC(f32(3, 4)), (-1,), name="nc"),
        S(NC(f32(2, 3, 4)), (4, 6), name="nc_3d"),
        S(NC(f32(3, 4)), (12,), name="method", call=lambda T, a, s: a.reshape(s)),
    ],
)
entry(
    "reshape",
    fn("reshape"),
    [
        S(f32(2, 3), (3, 2), name="view"),
        S(f32(2, 3), (-1,), name="flat"),
        S(f32(), (1, 1), name="0d"),
        S(NC(f32(4, 3), "step"), (12,), name="strided"),
    ],
    op="view",
    errors=[S(f32(2, 3), (4,), name="bad_shape")],
)
entry(
    "flatten",
    fn("flatten"),
    [
        S(f32(2, 3, 4), name="all"),
        S(f32(2, 3, 4), 1, name="start"),
        S(f32(2, 3, 4, 5), 1, 2, name="middle"),
        S(f32(), name="0d"),
        S(NC(f32(3, 4)), name="nc_copy"),
        S(f32(2, 3), 1, 1, name="noop"),
    ],
    op=None,
    errors=[S(f32(2, 3, 4), 2, 1, name="start_after_end")],
)
entry(
    "unflatten",
    fn("unflatten"),
    [S(f32(2, 6), 1, (2, 3), name="dim1"), S(f32(6), 0, (3, -1), name="infer")],
    op="view",
    errors=[S(f32(2, 6), 1, (4, 2), name="bad_sizes")],
)
entry(
    "t",
    fn("t"),
    [
        S(f32(2, 3), name="2d"),
        S(f32(3), name="1d"),
        S(f32(), name="0d"),
        S(NC(f32(3, 4)), name="nc"),
        S(f32(2, 3), name="method", call=meth("t")),
    ],
    errors=[S(f32(2, 3, 4), name="3d")],
)
entry(
    "transpose.int",
    fn("transpose"),
    [
        S(f32(2, 3, 4), 0, 2, name="outer"),
        S(f32(2, 3, 4), -1, -2, name="negative"),
        S(f32(2, 3), 1, 1, name="same"),
        S(f32(), 0, -1, name="0d"),
        S(f32(2, 3, 4), name="mT", call=lambda T, a: a.mT),
        S(f32(2, 3), name="T", call=lambda T, a: a.T),
        S(f32(2, 3), 0, 1, name="swapaxes", call=lambda T, a, d0, d1: T.swapaxes(a, d0, d1)),
    ],
    errors=[S(f32(2, 3), 0, 2, name="dim_out_of_range")],
)
entry(
    "permute",
    meth("permute"),
    [
        S(f32(2, 3, 4), 2, 0, 1, name="varargs"),
        S(f32(2, 3, 4), (1, 0, 2), name="tuple"),
        S(f32(2, 3, 4), (-1, 0, 1), name="negative"),
        S(f32(), (), name="0d"),
        S(f32(2, 3, 4), (2, 1, 0), name="function", call=lambda T, a, d: T.permute(a, d)),
        S(f32(2, 3, 4), name="T", call=lambda T, a: a.permute(2, 1, 0)),
    ],
    errors=[S(f32(2, 3, 4), (0, 0, 1), name="repeated"), S(f32(2, 3, 4), (0, 1), name="too_few")],
)
entry(
    "unsqueeze",
    fn("unsqueeze"),
    [
        S(f32(2, 3), 0, name="front"),
        S(f32(2, 3), -1, name="back"),
        S(f32(2, 3), 1, name="middle"),
        S(f32(), 0, name="0d"),
        S(NC(f32(3, 4)), 1, name="nc"),
    ],
    errors=[S(f32(2, 3), 3, name="dim_out_of_range")],
)
entry(
    "squeeze",
    fn("squeeze"),
    [
        S(f32(1, 3, 1), name="all"),
        S(f32(2, 3), name="none"),
        S(f32(1), name="to_0d"),
        S(f32(), name="0d"),
        S(f32(1, 3, 1), name="method", call=meth("squeeze")),
    ],
)
entry(
    "squeeze.dim",
    fn("squeeze"),
    [
        S(f32(1, 3, 1), 0, name="first"),
        S(f32(1, 3, 1), -1, name="last"),
        S(f32(2, 3), 1, name="not_one"),
        S(f32(), 0, name="0d"),
    ],
    errors=[S(f32(2, 3), 2, name="dim_out_of_range")],
)
entry(
    "squeeze.dims",
    fn("squeeze"),
    [S(f32(1, 3, 1), (0, 2), name="both"), S(f32(1, 3, 1), (0, 1), name="partial")],
)
entry(
    "expand",
    meth("expand"),
    [
        S(f32(3, 1), 3, 4, name="varargs"),
        S(f32(3, 1), (2, 3, 4), name="new_dims"),
        S(f32(3, 1), -1, 4, name="minus_one"),
        S(f32(), (2, 3), name="0d"),
        S(f32(1, 3), (0, 3), name="to_empty"),
        S(f32(3, 1), name="expand_as", call=lambda T, a: a.expand_as(T.zeros(2, 3, 5))),
        S(f32(3, 1), (2, 3, 4), name="broadcast_to", call=lambda T, a, s: T.broadcast_to(a, s)),
    ],
    errors=[
        S(f32(3, 2), (3, 4), name="non_singleton"),
        S(f32(2, 3), (3,), name="too_few"),
        S(f32(3, 1), (-1, 3, 4), name="leading_minus_one"),
    ],
)
entry(
    "select.int",
    fn("select"),
    [
        S(f32(2, 3), 0, 1, name="row"),
        S(f32(2, 3), 1, -1, name="negative"),
        S(f32(2, 3, 4), -2, 2, name="middle"),
        S(NC(f32(3, 4)), 0, 2, name="nc"),
        S(f32(2, 3), name="getitem", call=lambda T, a: a[1]),
        S(f32(2, 3), name="getitem_2", call=lambda T, a: a[1, -2]),
    ],
    errors=[
        S(f32(2, 3), 0, 2, name="out_of_range"),
        S(f32(), 0, 0, name="0d"),
        S(f32(2, 3), name="getitem_out_of_range", call=lambda T, a: a[5]),
    ],
)
entry(
    "slice.Tensor",
    fn("narrow"),
    [
        S(f32(4, 3), 0, 1, 2, name="narrow"),
        S(f32(4, 3), -1, 0, 3, name="full"),
        S(f32(4, 3), 1, 3, 0, name="empty"),
        S(f32(4, 3), 0, -2, 2, name="negative_start"),
        S(f32(5, 3), name="step", call=lambda T, a: a[1::2]),
        S(f32(5, 3), name="clamped", call=lambda T, a: a[-10:10, 1:]),
        S(f32(5, 3), name="past_end", call=lambda T, a: a[7:]),
        S(f32(5, 3), name="ellipsis", call=lambda T, a: a[..., ::2]),
        S(f32(5, 3), name="none", call=lambda T, a: a[None, 1:3, None]),
        S(f32(5, 3), name="method", call=lambda T, a: a.narrow(1, 1, 1)),
    ],
    errors=[
        S(f32(4, 3), 0, 3, 2, name="too_long"),
        S(f32(4, 3), name="negative_step", call=lambda T, a: a[::-1]),
        S(f32(4, 3), name="too_many", call=lambda T, a: a[1, 2, 3]),
    ],
)
entry(
    "diagonal",
    fn("diagonal"),
    [
        S(f32(3, 4), name="default"),
        S(f32(3, 4), 1, name="offset"),
        S(f32(3, 4), -2, name="negative_offset"),
        S(f32(3, 4), 5, name="empty"),
        S(f32(2, 3, 4), 0, 0, 2, name="dims"),
        S(f32(2, 3, 4), 1, -1, -2, name="negative_dims"),
        S(NC(f32(3, 3)), name="nc"),
    ],
    errors=[S(f32(3, 4), 0, 1, 1, name="same_dims")],
)
entry(
    "as_strided",
    fn("as_strided"),
    [
        S(f32(3, 4), (2, 2), (1, 2), name="basic"),
        S(f32(3, 4), (2, 3), (4, 1), 1, name="offset"),
        S(f32(3, 4), (3, 3), (1, 1), name="overlap", gradcheck=True),
        S(f32(3, 4), (2, 4), (0, 1), name="stride0"),
        S(f32(12), (3,), (2,), 2, name="1d"),
    ],
)
entry(
    "unbind.int",
    fn("unbind"),
    [
        S(f32(2, 3), name="dim0"),
        S(f32(2, 3), 1, name="dim1"),
        S(f32(2, 3, 4), -1, name="neg"),
        S(f32(3, 2), name="iter", call=lambda T, a: tuple(a)),
    ],
    errors=[S(f32(), 0, name="0d")],
)
entry(
    "split.Tensor",
    fn("split"),
    [
        S(f32(5, 3), 2, name="uneven"),
        S(f32(4, 3), 2, 0, name="even"),
        S(f32(2, 5), 2, -1, name="dim"),
        S(f32(4, 3), 5, name="bigger"),
        S(f32(5, 3), 2, name="chunk", call=lambda T, a, n: T.chunk(a, n)),
        S(f32(5, 3), 3, 1, name="chunk_dim", call=lambda T, a, n, d: a.chunk(n, d)),
        S(f32(5, 3), 2, name="method", call=lambda T, a, n: a.split(n)),
    ],
    errors=[S(f32(4, 3), 0, name="zero")],
)
entry(
    "split_with_sizes",
    fn("split"),
    [
        S(f32(5, 3), [2, 3], name="sizes"),
        S(f32(2, 5), [1, 0, 4], 1, name="with_zero"),
        S(f32(5, 3), [4, 1], name="function", call=fn("split_with_sizes")),
        S(f32(2, 5), [2, 3], -1, name="method", call=meth("split_with_sizes")),
    ],
    errors=[
        S(f32(5, 3), [2, 2], name="bad_sum"),
        S(f32(5, 3), 2, name="int_sizes", call=fn("split_with_sizes")),
    ],
)
entry(
    "unsafe_split.Tensor",
    fn("unsafe_split"),
    [
        S(f32(5, 3), 2, name="uneven"),
        S(f32(2, 5), 2, -1, name="dim"),
        S(f32(4, 3), 5, name="bigger"),
        S(f32(5, 3), 2, name="method", call=meth("unsafe_split")),
    ],
    errors=[S(f32(4, 3), 0, name="zero"), S(f32(4, 3), [1, 3], name="list")],
)

entry(
    "_reshape_alias",
    fn("reshape"),
    [
        S(NC(f32(4, 3), "step"), (12,), name="strided"),
        S(NC(f32(3, 4)), (4, 3), name="same_shape"),
        S(NC(f32(2, 3, 4)), (4, 3, 2), name="t_3d", call=lambda T, a, s: a.reshape(s)),
        S(NC(f32(4, 3), "step"), name="flatten", call=lambda T, a: a.flatten()),
    ],
)

# --- shape: copies ----------------------------------------------------------------------------------

entry(
    "cat",
    fn("cat"),
    [
        S([f32(2, 3), f32(1, 3)], name="dim0"),
        S([f32(2, 3), f32(2, 1), f32(2, 2)], 1, name="dim1"),
        S([f32(2, 3), f32(2, 3)], -1, name="negative"),
        S([f32(2, 3), f64(1, 3)], name="promote"),
        S([i64(2, 3), f32(1, 3)], name="int_float"),
        S([f32(2, 3), np.zeros((0,), "float32")], name="legacy_empty"),
        S([NC(f32(3, 2)), f32(1, 2)], name="nc"),
        S([f32(2)], name="single"),
        S((f32(2, 3), f32(2, 3)), 0, name="tuple"),
        S([f32(2, 3), f32(1, 3)], name="concat", call=lambda T, ts: T.concat(ts)),
    ],
    errors=[
        S([], name="empty_list"),
        S([f32(2, 3), f32(2, 4)], name="sizes"),
        S([f32(2, 3), f32(3)], name="dims"),
        S([f32(), f32()], name="0d"),
    ],
    out=True,
)
entry(
    "stack",
    fn("stack"),
    [
        S([f32(2, 3), f32(2, 3)], name="dim0"),
        S([f32(2, 3), f32(2, 3)], 1, name="dim1"),
        S([f32(2, 3), f32(2, 3), f32(2, 3)], -1, name="last"),
        S([f32(), f32()], name="0d"),
        S([f32(3), f64(3)], name="promote"),
    ],
    errors=[S([], name="empty_list"), S([f32(2, 3), f32(3, 2)], name="shapes")],
    out=True,
)
entry(
    "clone",
    fn("clone"),
    [
        S(f32(2, 3), name="f32"),
        S(NC(f32(3, 4)), name="nc_keeps_layout"),
        S(i64(3), name="int"),
        S(f32(), name="0d"),
    ],
)
entry(
    "contiguous",
    meth("contiguous"),
    [S(NC(f32(3, 4)), name="nc"), S(NC(f32(6), "step"), name="step")],
    op="clone",
)
entry(
    "_to_copy",
    lambda T, a, dtype: a.to(dtype),
    [
        S(f32(2, 3), DT("float64"), name="to_f64"),
        S(f64(3), DT("float32"), name="to_f32", gradcheck=False),
        S(f32(2, 3, low=-5, high=5), DT("int64"), name="to_int"),
        S(i64(3), DT("float32"), name="int_to_float"),
        S(NC(f32(3, 4)), DT("float64"), name="nc"),
        S(f32(3), name="double", call=lambda T, a: a.double()),
        S(f64(3), name="float", call=lambda T, a: a.float(), gradcheck=False),
        S(f32(3, low=-5, high=5), name="long", call=lambda T, a: a.long()),
        S(f32(3, low=-5, high=5), name="int", call=lambda T, a: a.int()),
        S(f32(3), name="bool", call=lambda T, a: a.bool()),
        S(f32(3), name="type_as", call=lambda T, a: a.type_as(T.zeros(1, dtype=T.float64))),
    ],
)
entry(
    "flip",
    fn("flip"),
    [
        S(f32(2, 3), (0,), name="dim0"),
        S(f32(2, 3, 4), (0, 2), name="dims"),
        S(f32(2, 3), -1, name="int"),
        S(NC(f32(3, 4)), (1,), name="nc"),
    ],
)
entry(
    "repeat",
    meth("repeat"),
    [
        S(f32(2, 3), 2, 1, name="rows"),
        S(f32(3), (2, 2), name="new_dim"),
        S(f32(2, 3), (1, 1, 2), name="more_dims"),
        S(f32(), (3,), name="0d"),
    ],
    errors=[S(f32(2, 3), (2,), name="too_few")],
)

# --- indexing --------------------------------------------------------------------------------------

entry(
    "index.Tensor",
    lambda T, a, key: a[key],
    [
        S(f32(4, 3), index(4, 5), name="int_index"),
        S(f32(4, 3), np.array([0, 2, 0]), name="repeated"),
        S(f32(4, 3), np.array([-1, 1]), name="negative"),
        S(f32(4, 3), bools(4, 3), name="mask_full"),
        S(f32(4, 3), bools(4), name="mask_rows"),
        S(f32(4, 3), (index(4, 2), index(3, 2)), name="pair"),
        S(f32(4, 3), (slice(None), np.array([2, 0])), name="slice_then_index"),
        S(f32(4, 3, 2), (np.array([0, 1]), slice(None), np.array([1, 0])), name="separated"),
        S(f32(4, 3), np.array(2), name="0d_index"),
        S(f32(4, 3), [0, 3], name="list"),
        S(NC(f32(4, 3)), np.array([1, 0]), name="nc"),
    ],
    errors=[
        S(f32(4, 3), np.array([4]), name="out_of_range"),
        S(f32(4, 3), bools(3), name="mask_shape"),
        S(f32(4, 3), f32(2), name="float_index"),
    ],
)
entry(
    "index_put",
    lambda T, a, indices, values, **kw: a.index_put(indices, values, **kw),
    [
        S(f32(4, 3), (np.array([0, 2]),), f32(2, 3), name="rows"),
        S(f32(4, 3), (np.array([0, 2]),), f32(3), name="bcast_values"),
        S(f32(4, 3), (np.array([0, 0, 2]),), f32(3, 3), accumulate=True, name="accumulate"),
        S(f32(4, 3), (np.array([1, 3]), np.array([0, 2])), f32(2), name="points"),
        S(f32(4, 3), (bools(4, 3),), f32(), name="mask"),
    ],
    errors=[
        S(f32(4, 3), (np.array([5]),), f32(3), name="out_of_range"),
        S(f32(4, 3), (np.array([0, 1]),), f32(4), name="values_shape"),
    ],
)
entry(
    "gather",
    fn("gather"),
    [
        S(f32(3, 4), 1, index(4, 3, 2), name="dim1"),
        S(f32(3, 4), 0, index(3, 2, 4), name="dim0"),
        S(f32(3, 4), -1, index(4, 3, 6), name="repeated"),
        S(f64(3), 0, index(3, 5), name="1d"),
        S(NC(f32(4, 3)), 1, index(3, 4, 2), name="nc"),
        S(f32(3, 4), 1, index(4, 3, 0), name="empty_index"),
        S(f32(3, 4), 1, index(4, 3, 2).astype("int32"), name="int32_index"),
        # index smaller than self in the other dim: the result has index's shape
        S(
            np.arange(12, dtype="float32").reshape(3, 4),
            1,
            np.array([[3, 0, 1]]),
            name="small_index",
        ),
    ],
    errors=[
        S(f32(3, 4), 1, np.array([[0, 4]]), name="out_of_range"),
        S(f32(3, 4), 1, f32(3, 2), name="float_index"),
        S(f32(3, 4), 1, index(4, 3), name="dims"),
    ],
    out=True,
)
entry(
    "scatter.src",
    fn("scatter"),
    [
        S(f32(3, 4), 1, np.array([[0, 2], [1, 3], [3, 0]]), f32(3, 2), name="dim1"),
        S(f32(3, 4), 0, np.array([[2, 0, 1, 2]]), f32(1, 4), name="one_row"),
        S(
            f32(3, 4),
            1,
            np.array([[0, 2], [1, 3], [3, 0]]).astype("int32"),
            f32(3, 2),
            name="int32_index",
        ),
    ],
    errors=[S(f32(3, 4), 1, np.array([[4]]), f32(1, 1), name="out_of_range")],
    out=True,
)
entry(
    "scatter.value",
    fn("scatter"),
    [S(f32(3, 4), 1, np.array([[0, 2], [1, 3], [3, 0]]), 1.5, name="dim1")],
    out=True,
)
entry(
    "scatter_add",
    fn("scatter_add"),
    [
        S(f32(3, 4), 1, np.array([[0, 0], [1, 3], [3, 3]]), f32(3, 2), name="dim1"),
        S(f32(3, 4), 0, index(3, 5, 4), f32(5, 4), name="dim0"),
    ],
    out=True,
)
entry(
    "scatter_reduce.two",
    fn("scatter_reduce"),
    [
        S(f32(3, 4), 1, np.array([[0, 0], [1, 3], [3, 3]]), f32(3, 2), "sum", name="sum"),
        S(f32(3, 4), 1, np.array([[0, 0], [1, 3], [3, 3]]), f32(3, 2), "mean", name="mean"),
        S(
            distinct(3, 4),
            1,
            np.array([[0, 0], [1, 3], [3, 3]]),
            distinct(3, 2),
            "amax",
            name="amax",
        ),
        S(
            distinct(3, 4),
            1,
            np.array([[0, 0], [1, 3], [3, 3]]),
            distinct(3, 2) + 0.1,
            "amin",
            include_self=False,
            name="amin_exclude",
        ),
        S(
            distinct(3, 4),
            1,
            np.array([[0, 0], [1, 3], [3, 3]]),
            distinct(3, 2),
            "max",
            name="legacy_max",
            gradcheck=False,
        ),
        S(
            f32(3, 4, low=0.5),
            1,
            np.array([[0, 0], [1, 3], [3, 3]]),
            f32(3, 2, low=0.5),
            "prod",
            name="prod",
        ),
        S(
            np.array([[1.0, 0.0, 2.0, 3.0]], "float32"),
            1,
            np.array([[0, 1, 1]]),
            np.array([[2.0, 0.0, 3.0]], "float32"),
            "prod",
            name="prod_zeros",
            gradcheck=False,
        ),
        S(
            f32(3, 4),
            1,
            np.array([[0, 0], [1, 3], [3, 3]]),
            f32(3, 2),
            "mean",
            include_self=False,
            name="mean_exclude",
        ),
    ],
    errors=[S(f32(3, 4), 1, np.array([[0]]), f32(1, 1), "median", name="bad_reduce")],
    out=True,
)
entry(
    "index_select",
    fn("index_select"),
    [
        S(f32(4, 3), 0, np.array([0, 2, 2]), name="dim0"),
        S(f32(4, 3), 1, np.array([2]), name="dim1"),
        S(f32(4, 3), -1, np.array(1), name="0d_index"),
        S(f64(5), 0, index(5, 7), name="1d"),
        S(NC(f32(4, 3)), 0, np.array([1, 0]), name="nc"),
    ],
    errors=[
        S(f32(4, 3), 0, np.array([4]), name="out_of_range"),
        S(f32(4, 3), 0, np.array([-1]), name="negative"),
        S(f32(4, 3), 0, np.array([[0, 1]]), name="2d_index"),
        S(f32(4, 3), 0, f32(2), name="float_index"),
    ],
    out=True,
)
entry(
    "index_add",
    fn("index_add"),
    [
        S(f32(4, 3), 0, np.array([0, 2, 0]), f32(3, 3), name="dim0"),
        S(f32(4, 3), 1, np.array([2]), f32(4, 1), alpha=2, name="alpha"),
    ],
    out=True,
)
entry(
    "index_copy",
    fn("index_copy"),
    [S(f32(4, 3), 0, np.array([3, 1]), f32(2, 3), name="dim0")],
    out=True,
)
entry(
    "index_fill.int_Scalar",
    fn("index_fill"),
    [S(f32(4, 3), 1, np.array([0, 2]), -1.0, name="dim1")],
)
entry(
    "index_fill.int_Tensor",
    fn("index_fill"),
    [
        S(f32(4, 3), 1, np.array([0, 2]), f32(), name="dim1"),
        S(f32(4, 3), 0, np.array([1, 1, 3]), f32(), name="repeated"),
        S(f32(), 0, np.array([0]), f32(), name="0d"),
    ],
)
entry(
    "masked_scatter",
    fn("masked_scatter"),
    [
        S(f32(2, 3), np.array([[True, False, True], [False, False, True]]), f32(5), name="basic"),
        S(f32(2, 3), np.array([True, False, True]), f32(2, 3), name="bcast_mask"),
    ],
)
entry(
    "masked_select",
    fn("masked_select"),
    [
        S(f32(2, 3), bools(2, 3), name="same"),
        S(f32(2, 3), bools(3), name="bcast_mask"),
        S(f32(3), bools(2, 3), name="bcast_self"),
        S(f32(), np.array(True), name="0d"),
        S(i64(2, 3), bools(2, 3), name="int"),
    ],
    errors=[S(f32(2, 3), f32(2, 3), name="float_mask"), S(f32(2, 3), bools(4), name="broadcast")],
    out=True,
)
entry(
    "embedding",
    fn("embedding"),
    [
        S(f32(5, 3), np.array([[0, 2], [4, 2]]), name="2d_indices"),
        S(f64(4, 2), np.array([1, 1, 3]), name="repeated"),
        # NB: these gradients deliberately differ from the function's derivative.
        S(f32(5, 3), np.array([0, 2, 0]), 0, name="padding_idx", gradcheck=False),
        S(f32(5, 3), np.array([0, 2, 0, 0]), -1, True, name="scale_grad_by_freq", gradcheck=False),
        S(f32(5, 3), np.array([0, 2, 0]).astype("int32"), name="int32"),
    ],
    errors=[
        S(f32(5, 3), np.array([5]), name="out_of_range"),
        S(f32(5, 3), f32(2), name="float_indices"),
    ],
)
entry(
    "nll_loss_forward",
    nnf("nll_loss"),
    [
        S(f32(3, 4), np.array([0, 2, 1]), name="mean"),
        S(f64(3, 4), np.array([0, 2, 3]), reduction="sum", name="sum"),
        S(f32(3, 4), np.array([0, 2, 1]), reduction="none", name="none"),
        S(f32(3, 4), np.array([0, 2, 1]), weight=Const(f32(4, low=0.5)), name="weight"),
        S(f32(3, 4), np.array([0, 2, -100]), name="ignore_index"),
        S(f32(4), np.array(2), name="unbatched"),
        S(
            f32(2, 3, 5),
            np.array([[0, 1, 2, 0, 1], [2, 2, 1, 0, 0]]),
            name="spatial",
            xfail="F.nll_loss on (N, C, d) input is nll_loss2d in PyTorch (NllLoss2DBackward0)",
        ),
    ],
    errors=[
        S(f32(3, 4), np.array([0, 4, 1]), name="target_out_of_range"),
        S(f32(3, 4), np.array([0, 1]), name="batch_mismatch"),
    ],
)
entry(
    "nonzero",
    fn("nonzero"),
    [S(bools(3, 4), name="bool"), S(f32(5), name="float"), S(i64(2, 2, 2), name="int")],
    grad=False,
    out=True,
)

# --- random in-place fills (values are random: compared by shape, dtype and range) --------------

for _name, _args in (
    ("uniform_", (-1.0, 1.0)),
    ("normal_", (0.0, 2.0)),
    ("bernoulli_", (0.3,)),
    ("exponential_", (1.5,)),
    ("geometric_", (0.3,)),
    ("cauchy_", (0.5, 2.0)),
    ("log_normal_", (0.5, 0.7)),
):
    _registry = {"bernoulli_": "bernoulli_.float"}.get(_name, _name)
    entry(
        _registry,
        inplace_on_clone(_name),
        [S(f32(2, 3), *_args, name="f32"), S(f64(4), *_args, name="f64")],
        random=True,
        gradcheck=False,
    )
entry(
    "random_.from",
    inplace_on_clone("random_"),
    [S(f32(2, 3), 0, 10, name="f32"), S(i64(4), -5, 5, name="int")],
    random=True,
    gradcheck=False,
)
entry(
    "random_.to",
    inplace_on_clone("random_"),
    [S(f32(2, 3), 10, name="f32"), S(i64(4), 5, name="int")],
    random=True,
    gradcheck=False,
)
entry(
    "random_", inplace_on_clone("random_"), [S(f32(2, 3), name="f32")], random=True, gradcheck=False
)

# --- which registry rows need no entry ------------------------------------------------------------

# Ops that only the engine reaches: the *_backward ops (tested through double backward
# of their view), CopySlices' geometry ops (tested by in-place-on-view tests) and
# helpers without a public spelling.
EXEMPT = frozenset(
    {
        "select_backward",
        "slice_backward",
        "diagonal_backward",
        "as_strided_backward",
        "_geometry_gather",
        "_geometry_put",
        "zeros_like",
    }
)


def required_ops(registry) -> list:
    """Registry rows that must have an entry: public and differentiable, not exempt."""
    return sorted(
        name
        for name, op in registry.items()
        if op.node_cls is not None
        and not name.startswith("_")
        and not name.endswith("_backward")
        and name not in EXEMPT
    )


def covered_ops() -> set:
    return {e.op for e in OP_DB.values() if e.op}


def all_samples():
    """(entry, sample) pairs, with readable ids, for pytest parametrization."""
    for e in OP_DB.values():
        for s in e.samples:
            yield e, s


def sample_id(e: OpEntry, s: Sample) -> str:
    return f"{e.name}-{s.name}"


def params(pairs, xfail: bool = True) -> list:
    """pytest parameters for (entry, sample) pairs; with ``xfail``, the samples of known
    discrepancies with PyTorch are strict xfails (they fail the run once fixed)."""
    import pytest

    return [
        pytest.param(
            e,
            s,
            id=sample_id(e, s),
            marks=[pytest.mark.xfail(reason=s.xfail, strict=True)] if xfail and s.xfail else [],
        )
        for e, s in pairs
    ]


# --- running a sample on one engine ------------------------------------------------------------


def build(T, e: OpEntry, s: Sample, requires_grad: bool, perturb=None):
    """(leaves, call result) of sample ``s`` on module ``T``."""
    leaves: list = []
    args = [materialize(T, a, requires_grad, leaves, perturb) for a in s.args]
    kwargs = {k: materialize(T, v, requires_grad, leaves, perturb) for k, v in s.kwargs.items()}
    return leaves, args, kwargs, (s.call or e.call)


def dtype_name(t) -> str:
    return str(t.dtype).split(".")[-1]


def weighted_sum(T, outputs):
    """sum over differentiable outputs of (output * fixed cotangent).sum(), or None."""
    total = None
    for o in outputs:
        if not o.requires_grad:
            continue
        term = (o * T.tensor(cotangent(tuple(o.shape), dtype_name(o)))).sum()
        total = term if total is None else total + term
    return total


def run_recording(program, module):
    """``_harness.run`` that also returns the warnings raised, as (category, message) pairs."""
    import re
    import warnings

    from _harness import run

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run(program, module)
    # PyTorch's C++ warnings end with where they were raised in ATen.
    return result, [
        (
            w.category.__name__,
            re.sub(r" \(Triggered internally at .*\)$", "", str(w.message), flags=re.S),
        )
        for w in caught
    ]


def check_both(program, *, rtol=1e-5, atol=1e-6, check_strides=True, unversioned=("grads",)):
    """``run_both`` that also requires the same warnings (so no NumPy warning leaks).

    When the program returns a dict, the tensors under the ``unversioned`` keys are
    compared without their ``_version``: a gradient's version depends on how the
    backward formula happens to build it, which is not part of the contract.
    """
    import torch
    from _harness import compare

    import mutograd

    expected, expected_warnings = run_recording(program, torch)
    actual, actual_warnings = run_recording(program, mutograd)
    options = dict(rtol=rtol, atol=atol, check_strides=check_strides, message="prefix")
    if isinstance(expected, dict) and isinstance(actual, dict) and set(actual) == set(expected):
        for key in expected:
            compare(
                actual[key],
                expected[key],
                check_versions=key not in unversioned,
                path=f"result[{key!r}]",
                **options,
            )
    else:
        compare(actual, expected, check_versions=True, path="result", **options)
    assert actual_warnings == expected_warnings, (
        f"warnings differ:\n  mutograd: {actual_warnings}\n  torch:    {expected_warnings}"
    )
    return actual, expected


def grad_facts(g):
    """A gradient compared up to the strides of its size-1 dims.

    PyTorch's AccumulateGrad keeps a gradient whose strides match the leaf's on every dim
    of size > 1 (``obeys_layout_contract``); the strides of size-1 dims are whatever the
    backward formulas happened to produce, which is not part of the contract.
    """
    if g is None:
        return None
    values = g.detach().reshape(-1).clone().reshape(g.shape)
    layout = [(size, stride) for size, stride in zip(g.shape, g.stride(), strict=True) if size > 1]
    if g.numel() == 0:
        layout = None  # an empty gradient's strides mean nothing
    return [values, layout]


# Rows declared in their own family files bring their own entries.
import op_db_extra_linalg  # noqa: E402,F401
import op_db_nn_ops  # noqa: E402,F401
import op_db_ops14  # noqa: E402,F401
