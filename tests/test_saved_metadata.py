"""What each op's backward saves: the registry's derived ``tensor_saves`` against PyTorch.

For every op_db sample, all floating inputs require grad and the op runs on PyTorch; when
the output's ``grad_fn`` is the registry row's node and every one of its edges is connected
(so that PyTorch saves what each formula needs), the set of tensor-valued
``grad_fn._saved_*`` attributes must equal ``REGISTRY[op].tensor_saves``. That is also
what makes the in-place rules right: a formula reading ``self`` forces a clone before an
in-place write, one reading ``result`` makes a later write to the output an error.
"""

from __future__ import annotations

import pytest
from conftest import requires_torch
from op_db import OP_DB, build, sample_id, tensors_of

# Node names PyTorch gives these rows' grad_fn in the samples (the registry's own names).
DIFFERENTIABLE = [
    e
    for e in OP_DB.values()
    if e.op and e.grad and not e.random and e.op not in ("_reshape_alias",)
]


def torch_tensor_saves(grad_fn) -> frozenset:
    """Names of the tensor-valued ``_saved_*`` attributes (``_saved_self`` -> ``self``)."""
    import torch

    names = set()
    for attr in dir(grad_fn):
        if not attr.startswith("_saved_") or attr.endswith("_raw"):
            continue
        value = getattr(grad_fn, attr)
        if isinstance(value, torch.Tensor) or (
            isinstance(value, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in value)
        ):
            names.add(attr[len("_saved_") :])
    return frozenset(names)


def mutograd_tensor_saves(node) -> frozenset:
    """Names of the tensors a mutograd node actually saved for this call."""

    def is_saved_tensor(value) -> bool:
        return type(value).__name__ == "SavedTensor"

    return frozenset(
        name
        for name, value in node._saved.items()
        if is_saved_tensor(value) or (isinstance(value, list) and any(map(is_saved_tensor, value)))
    )


def _node(T, e, s):
    _, args, kwargs, call = build(T, e, s, requires_grad=True)
    outputs = tensors_of(call(T, *args, **kwargs))
    nodes = [o.grad_fn for o in outputs if o.grad_fn is not None]
    return nodes[0] if nodes else None


def _checked_nodes(e):
    """(sample, torch node, mutograd node) where the comparison applies (module docstring)."""
    import torch

    import mutograd
    from mutograd.ops import REGISTRY

    op = REGISTRY[e.op]
    triples = []
    for s in e.samples:
        if s.xfail:
            continue
        try:
            expected = _node(torch, e, s)
            actual = _node(mutograd, e, s)
        except Exception:  # noqa: BLE001 - error samples are the differential tests' business
            continue
        if expected is None or type(expected).__name__ != op.node_name:
            continue
        if all(fn is not None for fn, _ in expected.next_functions):
            triples.append((s, expected, actual))
    return triples


@requires_torch
@pytest.mark.parametrize("e", DIFFERENTIABLE, ids=[e.name for e in DIFFERENTIABLE])
def test_tensor_saves_match_torch(e):
    from mutograd.ops import REGISTRY

    triples = _checked_nodes(e)
    if not triples:
        pytest.skip(f"no sample reaches {REGISTRY[e.op].node_name} with every input requiring grad")
    op = REGISTRY[e.op]
    optional = {a.name for a in op.args if a.type.startswith("Tensor?")}
    for s, expected_node, actual_node in triples:
        expected = torch_tensor_saves(expected_node)
        # The table's saves, less optional inputs left out of this call (weight=None).
        assert expected <= op.tensor_saves and op.tensor_saves - expected <= optional, (
            f"{sample_id(e, s)}: PyTorch saves {sorted(expected)}, the registry row {e.op} "
            f"saves {sorted(op.tensor_saves)}"
        )
        assert mutograd_tensor_saves(actual_node) == expected, (
            f"{sample_id(e, s)}: PyTorch saved {sorted(expected)}, mutograd's "
            f"{type(actual_node).__name__} saved {sorted(mutograd_tensor_saves(actual_node))}"
        )


@requires_torch
def test_every_differentiable_row_is_compared():
    """A registry row whose node no sample reaches would silently escape the check."""
    from op_db import required_ops

    from mutograd.ops import REGISTRY

    compared = set()
    for e in DIFFERENTIABLE:
        if _checked_nodes(e):
            compared.add(e.op)
    # Rows whose every input can never require grad at once, or whose node PyTorch
    # names differently in every public spelling.
    allowed = {"remainder.Scalar_Tensor", "floor_divide", "copy_"}
    missing = sorted(set(required_ops(REGISTRY)) - compared - allowed - _random_rows())
    assert not missing, f"saved tensors never compared with PyTorch for: {missing}"


def _random_rows() -> set:
    return {e.op for e in OP_DB.values() if e.random}


@pytest.mark.parametrize(
    ("name", "saves"),
    [
        ("exp", {"result"}),
        ("mul.Tensor", {"self", "other"}),
        ("relu", {"result"}),
        ("sigmoid", {"result"}),
        ("where.self", {"condition"}),
        ("tanh", {"result"}),
        ("add.Tensor", set()),
        ("mm", {"self", "mat2"}),
        ("_softmax", {"result"}),
    ],
)
def test_known_saves(name, saves):
    """The issue's examples, without PyTorch."""
    from mutograd.ops import REGISTRY

    assert REGISTRY[name].tensor_saves == frozenset(saves)


def test_saved_only_what_grad_needs():
    """As PyTorch's generated code: an input is saved only for an input that needs grad."""
    import mutograd as T

    a = T.ones(3, requires_grad=True)
    b = T.ones(3)
    node = (a * b).grad_fn
    assert node._saved_other is not None
    assert node._saved_self is None
