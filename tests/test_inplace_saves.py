"""What an in-place op saves of self's old value, generated from the op table.

PyTorch clones self before an in-place write only when a formula that will run
reads the old value (``original_self``, guarded by should_compute_output). For
every in-place row with a formula for ``self``, self is a non-leaf requiring
grad and every other input needs no gradient, so only self's formula runs:

- the rows whose running formula does not read ``self`` (``y.mul_(2)``,
  ``y.add_(z)``, ``y.exp_()``) must not clone at all;
- for every row, ``grad_fn._saved_self`` is a tensor exactly when PyTorch's is.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from conftest import requires_torch
from op_db import NC, OP_DB, S, f32, materialize

import mutograd
from mutograd import _inplace
from mutograd.ops import REGISTRY


def _only_self(op) -> list:
    """OpDef.wanted when only self has an edge."""
    return [f.input == "self" for f in op.formulas]


ROWS = sorted(
    name
    for name, op in REGISTRY.items()
    if op.inplace and op.node_cls is not None and any(f.input == "self" for f in op.formulas)
)
NO_CLONE = [
    name for name in ROWS if not REGISTRY[name].saves_input("self", _only_self(REGISTRY[name]))
]


def _floating(value) -> bool:
    array = value.array if isinstance(value, NC) else value
    return isinstance(array, np.ndarray) and array.dtype.kind == "f"


def _run(T, op, sample):
    """``y.<op.inplace>(*rest)`` with y a non-leaf requiring grad, the rest without grad."""
    leaves: list = []
    x = materialize(T, sample.args[0], True, leaves)
    y = x.clone()
    rest = [materialize(T, a, False, []) for a in sample.args[1:]]
    kwargs = {k: materialize(T, v, False, []) for k, v in sample.kwargs.items()}
    if sample.call is not None:
        return sample.call(T, op, y, *rest, **kwargs)
    if not hasattr(y, op.inplace):
        # An activation written in place by nn.functional's inplace=True.
        return getattr(T.nn.functional, op.inplace[:-1])(y, *rest, inplace=True, **kwargs)
    return getattr(y, op.inplace)(*rest, **kwargs)


def _door(T, op, y, *rest):
    """The row written in place directly: mutograd's door, PyTorch's aten in-place op.

    For the rows no public in-place call reaches (``y.remainder_(1.5)`` takes the Tensor
    row with a wrapped number; ``gelu_`` has no Tensor method)."""
    if T is not mutograd:
        return getattr(T.ops.aten, op.inplace)(y, *rest)
    inputs, attrs = [y], {}
    for arg, value in zip(op.args[1:], rest):
        if arg.is_tensor:
            inputs.append(value)
        else:
            attrs[arg.name] = value
    return _inplace.apply_inplace(op, tuple(inputs), attrs, op.inplace)


EXTRA = {
    "remainder.Scalar": [S(f32(2, 3), 1.5, call=_door)],
    "fmod.Scalar": [S(f32(2, 3), 1.5, call=_door)],
    "elu": [S(f32(2, 3), 0.5, 1.0, 1.0, call=_door)],
    "gelu": [S(f32(2, 3), call=_door)],
    "hardtanh": [S(f32(2, 3), -0.5, 0.5)],
    "leaky_relu": [S(f32(2, 3), 0.1, call=_door)],
    "silu": [S(f32(2, 3))],
}


def _saved_self(node):
    return getattr(node, "_saved_self", None)


def _samples(name: str):
    """The samples of row ``name`` (op_db's, else EXTRA's) whose in-place call reaches
    that row's node."""
    op = REGISTRY[name]
    found = []
    candidates = [s for e in OP_DB.values() if e.op == name for s in e.samples]
    for s in candidates + EXTRA.get(name, []):
        if True:
            if not s.args or not _floating(s.args[0]):
                continue
            try:
                out = _run(mutograd, op, s)
            except Exception:  # noqa: BLE001 - a sample written for another call form
                continue
            if type(out.grad_fn).__name__ == op.node_name:
                found.append(s)
    return found


def test_every_row_is_checked():
    # The table has in-place rows of both kinds; a new one lands in one list or the other.
    assert "mul.Tensor" in NO_CLONE and "sin" not in NO_CLONE and "sin" in ROWS
    assert len(NO_CLONE) > 40


@pytest.mark.parametrize("name", NO_CLONE)
def test_inplace_does_not_clone_self_when_no_running_formula_reads_it(name, monkeypatch):
    samples = _samples(name)
    assert samples, f"no op_db sample reaches {name}'s node through {REGISTRY[name].inplace}"

    def no_clone(t):
        raise AssertionError(f"{REGISTRY[name].inplace} cloned self")

    monkeypatch.setattr(_inplace, "_clone", no_clone)
    for s in samples:
        out = _run(mutograd, REGISTRY[name], s)
        assert _saved_self(out.grad_fn) is None


@requires_torch
@pytest.mark.parametrize("name", ROWS)
def test_saved_self_matches_torch(name):
    import torch

    op = REGISTRY[name]
    samples = _samples(name)
    assert samples, f"no sample reaches {name}'s node through {op.inplace}"
    compared = 0
    for s in samples:
        ours = _run(mutograd, op, s).grad_fn
        theirs = _run(torch, op, s).grad_fn
        if type(theirs).__name__ != op.node_name:
            continue  # PyTorch writes it through another row (elu_: EluBackward1)
        compared += 1
        assert (_saved_self(ours) is None) == (_saved_self(theirs) is None), s.name
    if not compared:
        pytest.skip(f"PyTorch's {op.inplace} has its own row, checked there")


def test_mul__under_autograd_allocates_no_clone():
    # y.mul_(2) on a non-leaf requiring grad: MulBackward0 reads self only for other's
    # gradient, which is not wanted, so no 4 MB copy of the old y.
    x = mutograd.ones(1_000_000, requires_grad=True)
    y = x * 1
    tracemalloc.start()
    try:
        y.mul_(2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert float(x.grad[0]) == 2.0


def test_mul__by_a_tensor_requiring_grad_saves_the_old_self():
    # As PyTorch: other's gradient reads the original self, cloned before the write.
    x = mutograd.tensor([1.0, 2.0], requires_grad=True)
    w = mutograd.tensor([3.0, 4.0], requires_grad=True)
    y = x * 1
    y.mul_(w)
    assert y.grad_fn._saved_self.tolist() == [1.0, 2.0]
    y.sum().backward()
    assert w.grad.tolist() == [1.0, 2.0]
    assert x.grad.tolist() == [3.0, 4.0]
