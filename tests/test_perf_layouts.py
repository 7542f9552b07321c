"""Regression tests for the training-step fast paths (issue 6), against PyTorch.

- mm/addmm backward picks the product order from the saved input's layout, as PyTorch's
  mm_mat1_backward/mm_mat2_backward: nn.Linear's weight gradient arrives row-major and
  AccumulateGrad steals it (no copy), with PyTorch's strides for every layout;
- threshold_backward (ReLU's backward) keeps PyTorch's values for NaN, inf and -0.0;
- nll_loss checks its targets in the kernel and runs its backward as one kernel
  (NllLossBackwardBackward0 in a double backward), with PyTorch's values and errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from _harness import run_both
from conftest import requires_torch

pytestmark = requires_torch

RNG = np.random.default_rng(0)


def _f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _stolen(T, tensor, run_backward):
    """Whether AccumulateGrad kept the incoming gradient itself (no copy) as ``.grad``."""
    seen = []
    tensor.register_hook(lambda g: seen.append(g.data_ptr()))
    run_backward()
    return seen[0] == tensor.grad.data_ptr()


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [(4,), (2, 4), ()])
def test_linear_gradients_layout_and_stealing(bias, batch):
    x_np, w_np, b_np = _f32(*batch, 3), _f32(5, 3), _f32(5)

    def program(T):
        x = T.tensor(x_np, requires_grad=True)
        w = T.tensor(w_np, requires_grad=True)
        b = T.tensor(b_np, requires_grad=True) if bias else None
        y = T.nn.functional.linear(x, w, b)
        stolen = _stolen(T, w, lambda: (y * y).sum().backward())
        grads = [x.grad, w.grad] + ([b.grad] if bias else [])
        return {"y": y, "grads": grads, "weight_grad_stolen": stolen}

    result = run_both(program)
    assert result["weight_grad_stolen"]


LAYOUTS = {
    "row": lambda T, a: T.tensor(a),
    # NB: from_numpy keeps NumPy's strides for size-1 dims (a (1, 5) matrix's transpose
    # is C-contiguous with strides (1, 5)), which the column-major test then sees.
    "col": lambda T, a: T.from_numpy(np.ascontiguousarray(a.T)).t(),
}


@pytest.mark.parametrize("layout1", LAYOUTS)
@pytest.mark.parametrize("layout2", LAYOUTS)
@pytest.mark.parametrize("op", ["mm", "addmm", "addmm_scaled", "matmul"])
@pytest.mark.parametrize("sizes", [(4, 3, 5), (4, 1, 5), (1, 3, 1), (1, 1, 1)], ids=str)
def test_mm_gradient_follows_the_input_layout(op, layout1, layout2, sizes):
    # NB: size-1 dims make PyTorch's column-major test (strides[0] == 1 and
    # strides[1] == sizes[0]) depend on the exact strides of the degenerate dims.
    n, k, m = sizes
    a_np, b_np, c_np, g_np = _f32(n, k), _f32(k, m), _f32(m), _f32(n, m)

    def program(T):
        a = LAYOUTS[layout1](T, a_np).requires_grad_()
        b = LAYOUTS[layout2](T, b_np).requires_grad_()
        c = T.tensor(c_np, requires_grad=True)
        if op == "mm":
            y = a.mm(b)
        elif op == "matmul":
            y = a @ b
        elif op == "addmm":
            y = T.addmm(c, a, b)
        else:
            y = T.addmm(c, a, b, beta=0.5, alpha=3.0)
        # NB: retain_graph, so that the saved tensors are still readable after backward
        # (without it both engines raise on ``_saved_mat2`` and nothing else is compared).
        y.backward(T.tensor(g_np), retain_graph=True)
        node = y.grad_fn
        first = "self" if op in ("mm", "matmul") else "mat1"
        saved = {
            f"{name}{suffix}": getattr(node, f"_saved_{name}{suffix}")
            for name in (first, "mat2")
            for suffix in ("", "_sym_sizes", "_sym_strides")
        }
        return {"y": y, "grads": [a.grad, b.grad, c.grad], "saved": saved}

    assert isinstance(run_both(program), dict)  # neither engine raised


@pytest.mark.parametrize("needs_grad", ["first", "second", "both"])
@pytest.mark.parametrize("op", ["mm", "addmm", "linear"])
def test_mm_saved_sizes_and_strides(op, needs_grad):
    """``_saved_<input>_sym_sizes`` are always saved, ``_sym_strides`` only for an input
    whose gradient is computed (PyTorch reads ``()`` otherwise)."""
    a_np, b_np, c_np = _f32(4, 3), _f32(5, 3), _f32(5)

    def program(T):
        a = T.tensor(a_np, requires_grad=needs_grad in ("first", "both"))
        b = T.tensor(b_np, requires_grad=needs_grad in ("second", "both"))
        c = T.tensor(c_np)
        if op == "mm":
            y = a.mm(b.t())
        elif op == "addmm":
            y = T.addmm(c, a, b.t(), beta=2, alpha=0.5)
        else:
            y = T.nn.functional.linear(a, b, c)
        node = y.grad_fn
        names = [n for n in ("self", "mat1", "mat2") if hasattr(node, f"_saved_{n}_sym_sizes")]
        out = {"node": type(node).__name__, "names": names}
        for name in names:
            for suffix in ("", "_sym_sizes", "_sym_strides"):
                out[name + suffix] = getattr(node, f"_saved_{name}{suffix}")
        for scalar in ("alpha", "beta"):
            if hasattr(node, f"_saved_{scalar}"):
                out[scalar] = getattr(node, f"_saved_{scalar}")
        return out

    result = run_both(program)
    assert isinstance(result, dict) and len(result["names"]) == 2


def test_mm_double_backward_through_the_layout_aware_formulas():
    a_np, b_np = _f32(4, 3), _f32(5, 3)

    def program(T):
        a = T.tensor(a_np, requires_grad=True)
        b = T.tensor(b_np, requires_grad=True)
        y = T.nn.functional.linear(a, b)
        (gb,) = T.autograd.grad((y * y).sum(), b, create_graph=True)
        gb.sum().backward()
        return {"gb": gb, "grads": [a.grad, b.grad]}

    run_both(program)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("transposed", [False, True])
def test_relu_backward_values(dtype, transposed):
    x_np = np.array(
        [[np.nan, -1.0, 0.0, -0.0], [2.0, np.inf, -np.inf, 3.0], [1e-3, -1e-3, 5.0, 0.5]],
        dtype=dtype,
    )
    g_np = np.array(
        [[1.0, np.nan, np.inf, 2.0], [-0.0, -np.inf, np.nan, 4.0], [5.0, 6.0, np.nan, -7.0]],
        dtype=dtype,
    )

    def program(T):
        x = T.tensor(x_np)
        g = T.tensor(g_np)
        if transposed:
            x, g = x.t(), g.t()
        x.requires_grad_()
        y = x.relu()
        y.backward(g)
        return {"y": y, "grad": x.grad}

    run_both(program)


def test_threshold_backward_broadcast_and_0d():
    def program(T):
        x = T.tensor(0.5, requires_grad=True)
        y = T.nn.functional.relu(x)
        y.backward()
        z = T.tensor([[-1.0, 2.0, 0.0]], requires_grad=True)
        T.nn.functional.relu(z).sum().backward()
        return [x.grad, z.grad]

    run_both(program)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("targets", [[0, 2, 1, 3], [0, -100, 1, -100], [-100, -100, -100, -100]])
def test_cross_entropy_values_and_gradients(reduction, weighted, targets):
    x_np, w_np = _f32(4, 5), np.abs(_f32(5)) + 0.1

    def program(T):
        x = T.tensor(x_np, requires_grad=True)
        weight = T.tensor(w_np) if weighted else None
        loss = T.nn.functional.cross_entropy(
            x, T.tensor(targets), weight=weight, reduction=reduction
        )
        loss.backward(T.ones_like(loss))
        return {"loss": loss, "grad": x.grad}

    run_both(program)


def test_nll_loss_skips_an_ignored_minus_infinity():
    """An ignored target's -inf log-probability is skipped, never 0 * -inf = nan."""

    def program(T):
        x = T.tensor([[-np.inf, 0.0], [-1.0, -2.0]], requires_grad=True)
        out = []
        for reduction in ("mean", "sum", "none"):
            loss = T.nn.functional.nll_loss(x, T.tensor([-100, 1]), reduction=reduction)
            out.append(loss)
        out[0].backward()
        return out + [x.grad]

    run_both(program)


@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_double_backward_node(weighted):
    x_np, w_np = _f32(3, 4), np.abs(_f32(4)) + 0.1

    def program(T):
        x = T.tensor(x_np, requires_grad=True)
        weight = T.tensor(w_np) if weighted else None
        loss = T.nn.functional.cross_entropy(x, T.tensor([0, 3, -100]), weight=weight)
        (g,) = T.autograd.grad(loss, x, create_graph=True)
        inner = g.grad_fn.next_functions[0][0]
        (g * g).sum().backward()
        return {
            "g": g,
            "grad": x.grad,
            "inner": inner.name(),
            "edges": [fn is None for fn, _ in inner.next_functions],
        }

    run_both(program)


@pytest.mark.parametrize(
    "call",
    [
        lambda T: T.nn.functional.nll_loss(T.zeros(3, 4), T.tensor([0, 4, -1])),
        lambda T: T.nn.functional.nll_loss(T.zeros(3, 4), T.tensor([-100, -3, 9])),
        lambda T: T.nn.functional.nll_loss(T.zeros(4), T.tensor(4)),
        lambda T: T.nn.functional.nll_loss(T.zeros(3, 4), T.tensor([0, 1, 4]), ignore_index=4),
        lambda T: T.nn.functional.cross_entropy(T.zeros(2, 3), T.tensor([0, 7]), reduction="none"),
        # label_smoothing's check comes before the kernel's target check, as in PyTorch.
        lambda T: T.nn.functional.cross_entropy(
            T.zeros(2, 3), T.tensor([0, 7]), label_smoothing=2.0
        ),
        lambda T: T.nn.functional.nll_loss(T.zeros(2, 3, 2), T.tensor([[0, 1], [3, 0]])),
    ],
)
def test_nll_loss_target_errors(call):
    run_both(call)
