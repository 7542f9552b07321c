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


def _read_saved(node, names) -> dict:
    """Each ``_saved_*`` attribute's value, or the error reading it raised."""
    from _harness import Raised

    out = {}
    for name in names:
        try:
            out[name] = getattr(node, name)
        except RuntimeError as error:
            out[name] = Raised(error)
    return out


SAVED_PROGRAMS = {
    # op -> (build the output from x (3, 4) requiring grad, the attributes to read)
    "mm_one_input": (
        lambda T, x: x.mm(T.ones(4, 2)),
        ["_saved_self", "_saved_mat2", "_saved_self_sym_sizes", "_saved_mat2_sym_strides"],
    ),
    "mul_wrapped_number": (lambda T, x: x * 2, ["_saved_other", "_saved_self"]),
    "mul_float_number": (lambda T, x: x * 2.5, ["_saved_other"]),
    "exp_result": (lambda T, x: x.exp(), ["_saved_result"]),
    "pow_scalar": (lambda T, x: x.pow(3), ["_saved_self", "_saved_exponent"]),
    "sum_dim": (
        lambda T, x: x.sum(1),
        ["_saved_self_sym_sizes", "_saved_dim", "_saved_keepdim"],
    ),
    "index_list": (
        lambda T, x: x[:, T.tensor([0, 2])],
        ["_saved_indices", "_saved_self_sym_sizes"],
    ),
    "max_result": (lambda T, x: x.max(), ["_saved_self", "_saved_result"]),
    "where_condition": (
        lambda T, x: T.where(x > 0, x, T.zeros(3, 4)),
        ["_saved_condition"],
    ),
}


@requires_torch
@pytest.mark.parametrize("retain", [False, True], ids=["freed", "retained"])
@pytest.mark.parametrize("case", SAVED_PROGRAMS)
def test_saved_values_before_and_after_backward(case, retain):
    """As PyTorch: saved tensors (and lists of them) raise once a backward without
    retain_graph freed them; sizes, scalars and never-saved tensors (None) stay readable."""
    import numpy as np
    from _harness import run_both

    build_output, names = SAVED_PROGRAMS[case]
    x_np = np.arange(12, dtype=np.float32).reshape(3, 4) - 5

    def program(T):
        x = T.tensor(x_np, requires_grad=True)
        y = build_output(T, x)
        before = _read_saved(y.grad_fn, names)
        y.sum().backward(retain_graph=retain)
        return {"before": before, "after": _read_saved(y.grad_fn, names)}

    result = run_both(program)
    assert isinstance(result, dict)


def _partial_nodes(T, e, s, keep):
    """The op's node when only the leaves numbered in ``keep`` require grad."""
    leaves, args, kwargs, call = build(T, e, s, requires_grad=True)
    for k, leaf in enumerate(leaves):
        if k not in keep:
            leaf.requires_grad_(False)
    nodes = [o.grad_fn for o in tensors_of(call(T, *args, **kwargs)) if o.grad_fn is not None]
    return nodes[0] if nodes else None


# Ops whose partial saves are known to differ from torch's (none at present).
_PARTIAL_KNOWN: set = set()


@requires_torch
@pytest.mark.parametrize(
    "e",
    [
        pytest.param(e, marks=pytest.mark.xfail(strict=True)) if e.op in _PARTIAL_KNOWN else e
        for e in DIFFERENTIABLE
    ],
    ids=[e.name for e in DIFFERENTIABLE],
)
def test_tensor_saves_match_torch_when_some_inputs_need_no_grad(e):
    """torchgen's guard_for: an input read by one formula is saved only when that formula
    will run; one read by several formulas, an optional one, or any input of an op named
    *backward* or taking a Tensor[], whenever a node is made."""
    import itertools

    import torch

    import mutograd
    from mutograd.ops import REGISTRY

    op = REGISTRY[e.op]
    compared = 0
    for s in e.samples:
        if s.xfail:
            continue
        try:
            count = len(build(torch, e, s, requires_grad=True)[0])
        except Exception:  # noqa: BLE001 - error samples are the differential tests' business
            continue
        for r in range(1, count):
            for keep in itertools.combinations(range(count), r):
                try:
                    expected = _partial_nodes(torch, e, s, keep)
                    actual = _partial_nodes(mutograd, e, s, keep)
                except Exception:  # noqa: BLE001
                    continue
                if expected is None or actual is None:
                    continue
                if {type(expected).__name__, type(actual).__name__} != {op.node_name}:
                    continue
                compared += 1
                assert mutograd_tensor_saves(actual) == torch_tensor_saves(expected), (
                    f"{sample_id(e, s)} with leaves {keep} requiring grad: PyTorch saved "
                    f"{sorted(torch_tensor_saves(expected))}, mutograd "
                    f"{sorted(mutograd_tensor_saves(actual))}"
                )
    if not compared:
        pytest.skip("no sample with two or more leaves reaches the row's node")


def _backward_ops(T):
    """name -> (number of tensor inputs, call): ops named *backward*, as double backward
    records them."""
    if T.__name__ == "torch":
        aten = T.ops.aten
        return {
            "tanh_backward": (2, aten.tanh_backward),
            "sigmoid_backward": (2, aten.sigmoid_backward),
            "threshold_backward": (2, lambda a, b: aten.threshold_backward(a, b, 0.0)),
            "gelu_backward": (2, lambda a, b: aten.gelu_backward(a, b, approximate="tanh")),
            "softmax_backward_data": (
                2,
                lambda a, b: aten._softmax_backward_data(a, b, 1, T.float32),
            ),
            "log_softmax_backward_data": (
                2,
                lambda a, b: aten._log_softmax_backward_data(a, b, 1, T.float32),
            ),
            "nll_loss_backward": (
                2,
                lambda g, x: aten.nll_loss_backward(
                    g.sum(), x, T.tensor([0, 2]), T.tensor([1.0, 2.0, 0.5]), 1, -100, T.tensor(2.5)
                ),
            ),
        }
    from mutograd.ops import loss, reduction, unary

    return {
        "tanh_backward": (2, unary.tanh_backward),
        "sigmoid_backward": (2, unary.sigmoid_backward),
        "threshold_backward": (2, lambda a, b: unary.threshold_backward(a, b, 0.0)),
        "gelu_backward": (2, lambda a, b: unary.gelu_backward(a, b, "tanh")),
        "softmax_backward_data": (
            2,
            lambda a, b: reduction.softmax_backward_data(a, b, 1, T.float32),
        ),
        "log_softmax_backward_data": (
            2,
            lambda a, b: reduction.log_softmax_backward_data(a, b, 1, T.float32),
        ),
        "nll_loss_backward": (
            2,
            lambda g, x: loss.nll_loss_backward(
                g.sum(), x, T.tensor([0, 2]), T.tensor([1.0, 2.0, 0.5]), 1, -100, T.tensor(2.5)
            ),
        ),
    }


@requires_torch
@pytest.mark.parametrize("keep", [(0,), (1,), (0, 1)], ids=str)
@pytest.mark.parametrize(
    "name",
    [
        "tanh_backward",
        "sigmoid_backward",
        "threshold_backward",
        "gelu_backward",
        "softmax_backward_data",
        "log_softmax_backward_data",
        "nll_loss_backward",
    ],
)
def test_backward_ops_save_their_inputs_whatever_needs_grad(name, keep):
    """torchgen saves every input an op named *backward* reads, even one whose formula
    will not run (NllLossBackwardBackward0._saved_target when only self requires grad)."""
    import numpy as np
    from _harness import run_both

    values = np.array([[-1.0, 0.5, 2.0], [0.3, -0.2, 1.0]], np.float32)

    def program(T):
        count, op = _backward_ops(T)[name]
        inputs = [T.tensor(values * (k + 1), requires_grad=k in keep) for k in range(count)]
        node = op(*inputs).grad_fn
        return {
            "node": type(node).__name__,
            "saved": sorted(
                attr[len("_saved_") :]
                for attr in ("_saved_grad_output", "_saved_self", "_saved_output")
                + ("_saved_target", "_saved_weight", "_saved_total_weight")
                if getattr(node, attr, None) is not None
            ),
        }

    result = run_both(program)
    assert isinstance(result, dict) and result["saved"]
