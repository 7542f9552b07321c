"""Writes into saved tensors, generated from the op table, differentially against PyTorch.

For every op_db entry with gradients and each of its samples, the floating inputs
are leaves that require grad, cloned into non-leaves (so that they can be written
in grad mode) and laid out as the sample asks. After the op runs, each tensor it
touched, every input and every output, is written in place (``copy_`` of its own
values, so that nothing else changes) in one of several ways:

- ``self``/``self_nograd``: the tensor itself, in grad mode / under ``no_grad``;
- ``view``/``view_nograd``: a view made in grad mode, written in grad mode / under no_grad;
- ``nogradview``/``nogradview_nograd``: a view made under ``no_grad``, written in grad mode
  / under no_grad;
- ``detach``: ``detach()`` shares the version counter;
- ``data``: ``.data`` does not (PyTorch: a fresh version counter, so no error).

Then backward runs through every differentiable output. When the written tensor
was saved for backward, PyTorch raises "one of the variables needed for gradient
computation has been modified by an inplace operation"; mutograd must raise the
same error with the same text, or compute the same gradients when PyTorch does.
A wrong gradient without an error is the failure this test exists to prevent.
"""

from __future__ import annotations

import numpy as np
import pytest
from _harness import Raised, compare, run
from conftest import requires_torch
from op_db import DT, NC, OP_DB, Const, cotangent, dtype_name, tensors_of

pytestmark = requires_torch

ENTRIES = [e for e in OP_DB.values() if e.op and e.grad and not e.random]

WAYS = (
    "self",
    "self_nograd",
    "view",
    "view_nograd",
    "nogradview",
    "nogradview_nograd",
    "detach",
    "data",
)

# The error a clobbered saved tensor gives at backward (PyTorch's text begins so).
MODIFIED = "one of the variables needed for gradient computation has been modified"


def _materialize(T, value, leaves, only=None):
    """op_db's materialize, with every floating leaf cloned into a writable non-leaf.

    The floating leaves are collected in ``leaves``; all require grad, or only the
    one numbered ``only``.
    """
    if isinstance(value, DT):
        return getattr(T, value.name)
    if isinstance(value, Const):
        return T.tensor(value.array)
    if isinstance(value, np.ndarray):
        return _tensor(T, value, leaves, only)
    if isinstance(value, NC):
        array = value.array
        if value.how == "t" and array.ndim >= 2:
            stored = np.ascontiguousarray(np.swapaxes(array, -1, -2))
            return _tensor(T, stored, leaves, only).transpose(-1, -2)
        return _tensor(T, np.repeat(array, 2, axis=-1), leaves, only)[..., ::2]
    if (
        isinstance(value, (list, tuple))
        and value
        and all(isinstance(v, (np.ndarray, NC, Const)) for v in value)
    ):
        return type(value)(_materialize(T, v, leaves, only) for v in value)
    return value


def _tensor(T, array, leaves, only):
    t = T.tensor(array)
    if array.dtype.kind == "f":
        t.requires_grad_(only is None or only == len(leaves))
        leaves.append(t)
        return t.clone()
    return t


def _flat_tensors(values) -> list:
    out = []
    for v in values:
        if isinstance(v, (list, tuple)):
            out.extend(_flat_tensors(v))
        elif hasattr(v, "requires_grad"):
            out.append(v)
    return out


def _write(T, target, way):
    """Write ``target``'s own values back into it, the ``way`` the module docstring says."""
    value = target.detach().clone()
    if way == "self":
        target.copy_(value)
    elif way == "self_nograd":
        with T.no_grad():
            target.copy_(value)
    elif way == "view":
        target.view_as(target).copy_(value)
    elif way == "view_nograd":
        view = target.view_as(target)
        with T.no_grad():
            view.copy_(value)
    elif way == "nogradview":
        with T.no_grad():
            view = target.view_as(target)
        view.copy_(value)
    elif way == "nogradview_nograd":
        with T.no_grad():
            view = target.view_as(target)
            view.copy_(value)
    elif way == "detach":
        target.detach().copy_(value)
    elif way == "data":
        target.data.copy_(value)


def _program(e, s, target_index, way, only=None):
    """The program: run the op, write target ``target_index`` (inputs, then outputs), backward.

    With ``only``, just that floating leaf requires grad (torchgen saves an input only
    for the formulas that will run, an output always).
    """

    def program(T):
        leaves: list = []
        args = [_materialize(T, a, leaves, only) for a in s.args]
        kwargs = {k: _materialize(T, v, leaves, only) for k, v in s.kwargs.items()}
        outputs = tensors_of((s.call or e.call)(T, *args, **kwargs))
        targets = _flat_tensors(args) + _flat_tensors(list(kwargs.values())) + outputs
        if target_index >= len(targets):
            return "no such target"
        state = {}
        try:
            _write(T, targets[target_index], way)
        except RuntimeError as error:
            state["write"] = Raised(error)
        total = None
        for o in outputs:
            if o.requires_grad:
                term = (o * T.tensor(cotangent(tuple(o.shape), dtype_name(o)))).sum()
                total = term if total is None else total + term
        if total is None:
            return state
        try:
            total.backward()
        except RuntimeError as error:
            state["backward"] = Raised(error)
        # NB: clone() turns PyTorch's ZeroTensor gradients (sgn) into plain zeros.
        state["grads"] = [None if leaf.grad is None else leaf.grad.clone() for leaf in leaves]
        return state

    return program


def _first_paragraph(result):
    """mutograd appends its diagnosis after PyTorch's text: compare PyTorch's part."""
    if isinstance(result, dict):
        for key, value in result.items():
            if isinstance(value, Raised):
                value.message = value.message.split("\n\n")[0]
                result[key] = value
    return result


def _counts(e, s) -> tuple[int, int]:
    """(tensors a program can write, floating leaves) for sample ``s``; (0, 0) if none."""
    import torch

    leaves: list = []
    try:
        args = [_materialize(torch, a, leaves) for a in s.args]
        kwargs = {k: _materialize(torch, v, leaves) for k, v in s.kwargs.items()}
        outputs = tensors_of((s.call or e.call)(torch, *args, **kwargs))
    except Exception:  # noqa: BLE001 - error samples are the differential tests' business
        return 0, 0
    if not any(o.requires_grad for o in outputs):
        return 0, 0
    return len(_flat_tensors(args) + _flat_tensors(list(kwargs.values())) + outputs), len(leaves)


def _variants(e, s):
    """(target, way, only): every way with all leaves requiring grad; with one leaf at a
    time (two or more leaves), the direct write and the no_grad view's."""
    targets, leaves = _counts(e, s)
    for target_index in range(targets):
        for way in WAYS:
            yield target_index, way, None
        if leaves > 1:
            for only in range(leaves):
                for way in ("self", "nogradview_nograd"):
                    yield target_index, way, only


def check_entry(e) -> tuple[int, int]:
    """Run every variant of every sample of entry ``e``.

    Returns (programs run, (sample, target) pairs whose write made PyTorch's backward
    raise, i.e. the saved tensors reached).
    """
    import torch

    import mutograd

    programs = 0
    saved = set()
    for s in e.samples:
        if s.xfail:
            continue
        for target_index, way, only in _variants(e, s):
            program = _program(e, s, target_index, way, only)
            expected = _first_paragraph(run(program, torch))
            actual = _first_paragraph(run(program, mutograd))
            who = "all leaves" if only is None else f"leaf {only}"
            compare(
                actual,
                expected,
                rtol=1e-4,
                atol=1e-5,
                check_strides=True,
                check_versions=False,  # NB: a .grad's version is PyTorch's internals
                message="prefix",
                path=f"{e.name}-{s.name} target {target_index} written by {way} ({who})",
            )
            programs += 1
            backward = expected.get("backward") if isinstance(expected, dict) else None
            if isinstance(backward, Raised) and backward.message.startswith(MODIFIED):
                saved.add((s.name, target_index))
    return programs, len(saved)


def _inplace_entries() -> list:
    """The entries called as ``T.op(x, ...)`` or ``x.op(...)`` whose row has an in-place
    variant, turned into ``x.op_(...)`` (their samples that name their own call dropped)."""
    from dataclasses import replace

    from mutograd.ops import REGISTRY

    out = []
    for e in ENTRIES:
        name = REGISTRY[e.op].inplace
        qualname = getattr(e.call, "__qualname__", "")
        if not name or not qualname.startswith(("fn.", "meth.")):
            continue

        def call(T, self, *args, _name=name, **kwargs):
            return getattr(self, _name)(*args, **kwargs)

        samples = [s for s in e.samples if s.call is None]
        out.append(replace(e, name=f"{e.name}-{name}", call=call, samples=samples))
    return out


INPLACE_ENTRIES = _inplace_entries()


@pytest.mark.parametrize("e", INPLACE_ENTRIES, ids=[e.name for e in INPLACE_ENTRIES])
def test_writes_into_tensors_saved_by_inplace_ops_match_torch(e):
    programs, _ = check_entry(e)
    if not programs:
        pytest.skip("no sample with a differentiable output")


@pytest.mark.parametrize("e", ENTRIES, ids=[e.name for e in ENTRIES])
def test_writes_into_saved_tensors_match_torch(e):
    from mutograd.ops import REGISTRY

    programs, saved = check_entry(e)
    if not programs:
        pytest.skip("no sample with a differentiable output")
    # The op saves tensors the program can write: some write must have reached one (else
    # this test is blind).
    if _writable_saves(e, REGISTRY[e.op]):
        assert saved, f"{e.name}: no write reached a tensor {REGISTRY[e.op].node_name} saves"


def _writable_saves(e, op) -> bool:
    """Whether the row saves an input, or an output the entry's call returns (``msort`` is
    sort's row returning values only: the indices it saves are out of the program's reach)."""
    from mutograd.ops._registry import _SAVE_INPUT, _SAVE_OUTPUT

    returned = max(_returned_count(e, s) for s in e.samples)
    for kind, index, _ in op.saves.values():
        if kind == _SAVE_INPUT or (kind == _SAVE_OUTPUT and index < returned):
            return True
    return False


def _returned_count(e, s) -> int:
    import mutograd

    leaves: list = []
    args = [_materialize(mutograd, a, leaves, None) for a in s.args]
    kwargs = {k: _materialize(mutograd, v, leaves, None) for k, v in s.kwargs.items()}
    try:
        return len(tensors_of((s.call or e.call)(mutograd, *args, **kwargs)))
    except Exception:  # noqa: BLE001 - a sample that raises returns nothing
        return 0


# --- the regressions the generated test found, spelled out -----------------------------------


def _program_raising(build):
    def program(T):
        try:
            return build(T)
        except RuntimeError as error:
            return Raised(RuntimeError(str(error).split("\n\n")[0]))

    return program


@pytest.mark.parametrize("exponent_requires_grad", [True, False])
@pytest.mark.parametrize("exponent", ["float", "int", "0d"])
def test_pow_tensor_exponent_result_is_always_saved(exponent, exponent_requires_grad):
    """PowBackward1 saves its result whatever needs a gradient: writing it raises."""
    from _harness import run_both

    def build(T):
        x = T.tensor([0.5, 1.5], requires_grad=True)
        e = {"float": T.tensor([2.0, 3.0]), "int": T.tensor([2, 3]), "0d": T.tensor(2.0)}[exponent]
        if e.is_floating_point():
            e.requires_grad_(exponent_requires_grad)
        y = x**e
        y.add_(1)
        y.sum().backward()
        return [x.grad, e.grad]

    run_both(_program_raising(build))


@pytest.mark.parametrize("how", ["index", "index_put", "setitem", "index_put_"])
def test_a_mask_index_is_saved_itself(how):
    """IndexBackward0/IndexPutBackward0 save the bool mask: writing it raises, and the
    error names it as PyTorch does ("[CPUBoolType [2, 3]]")."""
    from _harness import run_both

    def build(T):
        x = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True).clone()
        mask = T.tensor([[True, False, True], [False, True, False]])
        if how == "index":
            y = x[mask]
        elif how == "index_put":
            y = x.index_put((mask,), T.tensor(2.0))
        elif how == "setitem":
            y = x
            y[mask] = T.tensor(2.0, requires_grad=True)
        else:
            y = x.index_put_((mask,), T.tensor(2.0))
        mask.copy_(mask.clone())
        y.sum().backward()
        return y

    run_both(_program_raising(build))


@pytest.mark.parametrize("dim", [None, 0])
def test_prod_with_dtype_saves_its_input(dim):
    from _harness import run_both

    def build(T):
        leaf = T.tensor([1.5, -2.0, 0.5], requires_grad=True)
        x = leaf.clone()
        y = x.prod(dtype=T.float64) if dim is None else x.prod(dim, dtype=T.float64)
        name = [type(y.grad_fn).__name__, type(y.grad_fn.next_functions[0][0]).__name__]
        x.mul_(1)
        y.backward()
        return name

    run_both(_program_raising(build))


@pytest.mark.parametrize(
    "reduce",
    [
        lambda T, x: x.prod(dtype=T.int64),
        lambda T, x: x.prod(0, dtype=T.int64),
        lambda T, x: x.sum(dtype=T.int64),
        lambda T, x: x.sum(0, dtype=T.int64),
        lambda T, x: x.cumsum(0, dtype=T.int64),
        lambda T, x: x.mean(dtype=T.int64),
        lambda T, x: x.prod(dtype=T.float64),
        lambda T, x: x.detach().prod(dtype=T.int64),
        lambda T, x: x.detach().sum(dtype=T.int64),
    ],
    ids=["prod", "prod_dim", "sum", "sum_dim", "cumsum", "mean", "prod_f64", "prod_int", "sum_int"],
)
def test_reductions_to_an_integer_dtype_of_a_tensor_requiring_grad(reduce):
    """PyTorch: "Autograd not support dtype: Long" (mean: its own dtype message)."""
    from _harness import run_both

    def program(T):
        x = T.tensor([1.5, -2.0, 0.5], requires_grad=True)
        y = reduce(T, x)
        return [y, str(y.dtype)]

    run_both(program)
