"""nn.functional against torch 2.13: losses (values, gradients, errors), the in-place
activation forms, dropout and the functional layers."""

from __future__ import annotations

import numpy as np
import pytest
from _harness import run_both
from _nn_helpers import array
from conftest import requires_torch

REDUCTIONS = ["mean", "sum", "none"]


def _logits(T, shape=(4, 5), seed=0):
    return T.tensor(array(shape, seed=seed), requires_grad=True)


def _loss_run(T, fn, x, *rest):
    loss = fn(x, *rest)
    upstream = (
        T.ones_like(loss)
        if loss.dim() == 0
        else T.tensor(
            np.random.default_rng(9).standard_normal(tuple(loss.shape)).astype(np.float32)
        )
    )
    loss.backward(upstream)
    return [loss.detach(), x.grad.clone()]


LOSSES = {
    "mse": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.mse_loss(a, b, reduction=r),
        _logits(T),
        T.tensor(array((4, 5), seed=1)),
    ),
    "mse_weight": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.mse_loss(a, b, reduction=r, weight=T.arange(20.0).view(4, 5)),
        _logits(T),
        T.tensor(array((4, 5), seed=1)),
    ),
    "l1": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.l1_loss(a, b, reduction=r),
        _logits(T),
        T.tensor(array((4, 5), seed=1)),
    ),
    "smooth_l1": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.smooth_l1_loss(a, b, reduction=r, beta=0.7),
        _logits(T),
        T.tensor(array((4, 5), seed=1)),
    ),
    "smooth_l1_beta0": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.smooth_l1_loss(a, b, reduction=r, beta=0.0),
        _logits(T),
        T.tensor(array((4, 5), seed=1)),
    ),
    "cross_entropy": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.cross_entropy(a, b, reduction=r),
        _logits(T),
        T.tensor([0, 4, 2, 2]),
    ),
    "cross_entropy_weight_ignore": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.cross_entropy(
            a, b, weight=T.tensor([1.0, 2.0, 0.5, 1.5, 3.0]), ignore_index=2, reduction=r
        ),
        _logits(T),
        T.tensor([0, 4, 2, 1]),
    ),
    "cross_entropy_label_smoothing": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.cross_entropy(a, b, label_smoothing=0.2, reduction=r),
        _logits(T),
        T.tensor([0, 4, 2, 1]),
    ),
    "cross_entropy_smoothing_weight_ignore": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.cross_entropy(
            a,
            b,
            weight=T.tensor([1.0, 2.0, 0.5, 1.5, 3.0]),
            ignore_index=1,
            label_smoothing=0.1,
            reduction=r,
        ),
        _logits(T),
        T.tensor([0, 4, 2, 1]),
    ),
    "cross_entropy_probabilities": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.cross_entropy(a, b, reduction=r),
        _logits(T),
        T.tensor(array((4, 5), seed=2, low=0, high=1)).softmax(1),
    ),
    "cross_entropy_probabilities_weight_smoothing": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.cross_entropy(
            a, b, weight=T.tensor([1.0, 2.0, 0.5, 1.5, 3.0]), label_smoothing=0.3, reduction=r
        ),
        _logits(T),
        T.tensor(array((4, 5), seed=2, low=0, high=1)).softmax(1),
    ),
    "cross_entropy_spatial": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.cross_entropy(a, b, reduction=r),
        _logits(T, (2, 3, 2, 2)),
        T.tensor([[[0, 1], [2, 2]], [[1, 1], [0, 2]]]),
    ),
    "cross_entropy_unbatched": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.cross_entropy(a, b, reduction=r),
        _logits(T, (5,)),
        T.tensor(3),
    ),
    "nll": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.nll_loss(a, b, reduction=r),
        _logits(T),
        T.tensor([0, 4, 2, 2]),
    ),
    "nll_weight_ignore": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.nll_loss(
            a, b, weight=T.tensor([1.0, 2.0, 0.5, 1.5, 3.0]), ignore_index=0, reduction=r
        ),
        _logits(T),
        T.tensor([0, 4, 0, 2]),
    ),
    "bce": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.binary_cross_entropy(a, b, reduction=r),
        T.tensor(array((3, 4), low=0.05, high=0.95), requires_grad=True),
        T.tensor(array((3, 4), seed=1, low=0, high=1)),
    ),
    "bce_weight": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.binary_cross_entropy(a, b, weight=T.arange(4.0), reduction=r),
        T.tensor(array((3, 4), low=0.05, high=0.95), requires_grad=True),
        T.tensor(array((3, 4), seed=1, low=0, high=1)),
    ),
    "bce_logits": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.binary_cross_entropy_with_logits(a, b, reduction=r),
        _logits(T, (3, 4)),
        T.tensor(array((3, 4), seed=1, low=0, high=1)),
    ),
    "bce_logits_pos_weight": lambda T, r: _loss_run(
        T,
        lambda a, b: T.nn.functional.binary_cross_entropy_with_logits(
            a,
            b,
            weight=T.tensor([1.0, 0.5, 2.0, 1.0]),
            pos_weight=T.tensor([3.0, 1.0, 0.5, 2.0]),
            reduction=r,
        ),
        _logits(T, (3, 4)),
        T.tensor(array((3, 4), seed=1, low=0, high=1)),
    ),
}


@requires_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_values_and_gradients(name, reduction):
    run_both(lambda T: LOSSES[name](T, reduction), rtol=1e-5, atol=1e-6)


@requires_torch
@pytest.mark.parametrize(
    "name,make",
    [
        (
            "CrossEntropyLoss",
            lambda T: T.nn.CrossEntropyLoss(weight=T.tensor([1.0, 2.0, 0.5]), label_smoothing=0.1),
        ),
        ("NLLLoss", lambda T: T.nn.NLLLoss(ignore_index=1)),
        ("MSELoss", lambda T: T.nn.MSELoss(reduction="sum")),
        ("L1Loss", lambda T: T.nn.L1Loss()),
        ("SmoothL1Loss", lambda T: T.nn.SmoothL1Loss(beta=0.5)),
        (
            "BCEWithLogitsLoss",
            lambda T: T.nn.BCEWithLogitsLoss(pos_weight=T.tensor([2.0, 1.0, 0.5])),
        ),
    ],
)
def test_loss_modules(name, make):
    def program(T):
        x = T.tensor(array((4, 3)), requires_grad=True)
        target = (
            T.tensor([0, 2, 1, 1])
            if "NLL" in name or "Cross" in name
            else T.tensor(array((4, 3), seed=1, low=0, high=1))
        )
        loss = make(T)(x, target)
        loss.backward()
        return [loss.detach(), x.grad.clone()]

    run_both(program)


@requires_torch
def test_cross_entropy_grad_fn_names():
    def program(T):
        x = T.tensor(array((3, 4)), requires_grad=True)
        return [
            type(T.nn.functional.cross_entropy(x, T.tensor([0, 1, 3]))).__name__,
            T.nn.functional.log_softmax(x, 1),
            T.nn.functional.softmax(x, dim=0),
        ]

    run_both(program)


@requires_torch
def test_legacy_reduction_arguments():
    def program(T):
        x, t = T.tensor([1.0, 2.0]), T.tensor([0.0, 4.0])
        return [
            T.nn.functional.mse_loss(x, t, size_average=False),
            T.nn.functional.mse_loss(x, t, reduce=False),
            T.nn.MSELoss(size_average=False)(x, t),
        ]

    with pytest.warns(UserWarning):
        run_both(program)


@requires_torch
def test_mse_broadcast_warning():
    def program(T):
        return T.nn.functional.mse_loss(T.ones(2, 3), T.zeros(3))

    with pytest.warns(UserWarning, match="Using a target size"):
        run_both(program)


@requires_torch
@pytest.mark.parametrize(
    "program",
    [
        lambda T: T.nn.functional.cross_entropy(T.ones(3, 5), T.tensor([1.0, 2.0, 3.0])),
        lambda T: T.nn.functional.cross_entropy(T.ones(3, 5), T.tensor([1, 2, 3], dtype=T.int32)),
        lambda T: T.nn.functional.cross_entropy(T.ones(3, 5), T.tensor([1, 2])),
        lambda T: T.nn.functional.cross_entropy(T.ones(3, 5), T.tensor([1, 2, 7])),
        lambda T: T.nn.functional.cross_entropy(T.ones(3, 5), T.tensor([1, 2, -3])),
        lambda T: T.nn.functional.cross_entropy(T.ones(3, 5), T.ones(3, 4)),
        lambda T: T.nn.functional.cross_entropy(T.ones(3, 5), T.ones(3, 5, dtype=T.int64)),
        lambda T: T.nn.functional.cross_entropy(T.ones(3, 5), T.ones(3, 5), ignore_index=1),
        lambda T: T.nn.functional.cross_entropy(
            T.ones(3, 5), T.tensor([1, 2, 3]), weight=T.ones(4)
        ),
        lambda T: T.nn.functional.cross_entropy(T.ones(3, 5), T.tensor([1, 2, 3]), reduction="avg"),
        lambda T: T.nn.functional.cross_entropy(
            T.ones(3, 5), T.tensor([1, 2, 3]), label_smoothing=1.5
        ),
        lambda T: T.nn.functional.nll_loss(T.ones(2, 3, 4), T.tensor([[0, 1, 2], [0, 0, 0]])),
        lambda T: T.nn.functional.nll_loss(T.ones(2, 3), T.tensor([[0, 1], [0, 0]])),
        lambda T: T.nn.functional.nll_loss(T.tensor(1.0), T.tensor(0)),
        lambda T: T.nn.functional.binary_cross_entropy(T.tensor([1.5]), T.tensor([1.0])),
        lambda T: T.nn.functional.binary_cross_entropy(T.rand(3), T.rand(3, 1)),
        lambda T: T.nn.functional.binary_cross_entropy_with_logits(T.rand(3), T.rand(3, 1)),
        lambda T: T.nn.functional.mse_loss(T.rand(3), T.rand(3), reduction="avg"),
        lambda T: T.nn.functional.mse_loss(T.ones(3), T.ones(3), weight=T.ones(2)),
        lambda T: T.nn.functional.smooth_l1_loss(T.ones(3), T.ones(3), beta=-1.0),
        lambda T: T.nn.functional.softmax(T.ones(3), dim=1),
    ],
    ids=lambda f: "",
)
def test_loss_errors(program):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(program)


@requires_torch
def test_nll_loss_all_ignored_is_nan():
    run_both(lambda T: T.nn.functional.nll_loss(T.ones(2, 3), T.tensor([1, 1]), ignore_index=1))


# --- in-place activations ------------------------------------------------------------------------

INPLACE = {
    "relu": lambda T, x: T.nn.functional.relu(x, inplace=True),
    "relu_": lambda T, x: T.nn.functional.relu_(x),
    "relu6": lambda T, x: T.nn.functional.relu6(x, inplace=True),
    "leaky_relu": lambda T, x: T.nn.functional.leaky_relu(x, 0.2, inplace=True),
    "leaky_relu_": lambda T, x: T.nn.functional.leaky_relu_(x, 0.3),
    "elu": lambda T, x: T.nn.functional.elu(x, 0.5, inplace=True),
    "elu_": lambda T, x: T.nn.functional.elu_(x),
    "hardtanh": lambda T, x: T.nn.functional.hardtanh(x, -0.5, 0.5, inplace=True),
    "hardtanh_": lambda T, x: T.nn.functional.hardtanh_(x),
    "silu": lambda T, x: T.nn.functional.silu(x, inplace=True),
    "module_relu": lambda T, x: T.nn.ReLU(inplace=True)(x),
    "module_leaky": lambda T, x: T.nn.LeakyReLU(inplace=True)(x),
    "module_elu": lambda T, x: T.nn.ELU(inplace=True)(x),
    "module_hardtanh": lambda T, x: T.nn.Hardtanh(inplace=True)(x),
    "module_relu6": lambda T, x: T.nn.ReLU6(inplace=True)(x),
    "module_silu": lambda T, x: T.nn.SiLU(inplace=True)(x),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_activation_writes_into_input(name):
    def program(T):
        leaf = T.tensor(array((2, 3)), requires_grad=True)
        x = leaf * 2
        ptr, version = x.data_ptr(), x._version
        y = INPLACE[name](T, x)
        y.backward(T.ones_like(y))
        return [y is x, y.data_ptr() == ptr, x._version - version, y, leaf.grad.clone()]

    run_both(program)


@requires_torch
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_activation_without_grad(name):
    def program(T):
        x = T.tensor(array((2, 3)))
        base = x.clone()
        view = base[1]
        y = INPLACE[name](T, view)
        return [y is view, base, base._version, view._version]

    run_both(program)


@requires_torch
def test_inplace_relu_errors_match_torch():
    def leaf(T):
        return T.nn.functional.relu(T.ones(3, requires_grad=True), inplace=True)

    def saved_output(T):
        x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
        s = x.sigmoid()
        T.nn.functional.relu(s, inplace=True)
        s.sum().backward()
        return x.grad

    def module_on_leaf(T):
        return T.nn.ReLU(inplace=True)(T.nn.Parameter(T.ones(2)))

    for program in (leaf, saved_output, module_on_leaf):
        run_both(program)


@requires_torch
def test_out_of_place_activation_leaves_input():
    def program(T):
        x = T.tensor(array((2, 3)))
        y = T.nn.ReLU()(x)
        return [y is x, x._version, y]

    run_both(program)


# --- dropout ----------------------------------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize(
    "program",
    [
        lambda T: (lambda x: [T.nn.functional.dropout(x, 0.5, training=False) is x, x._version])(
            T.ones(3)
        ),
        lambda T: (lambda x: [T.nn.functional.dropout(x, 0.0) is x, x._version])(T.ones(3)),
        lambda T: (lambda x: [T.nn.functional.dropout(x, 1.0, inplace=True) is x, x._version, x])(
            T.ones(3)
        ),
        lambda T: (lambda x: [T.nn.functional.dropout(x, 1.0), x._version])(
            T.ones(3, requires_grad=True)
        ),
        lambda T: (lambda x: [T.nn.Dropout(0.5).eval()(x) is x, x._version])(T.ones(3)),
        lambda T: T.nn.functional.dropout(T.ones(3), -0.1),
        lambda T: T.nn.functional.dropout(T.ones(3), 1.1),
    ],
    ids=lambda f: "",
)
def test_dropout_deterministic_cases(program):
    run_both(program)


def test_dropout_masks_and_scales():
    import mutograd as torch

    torch.manual_seed(0)
    x = torch.ones(200, 50, requires_grad=True)
    y = torch.nn.functional.dropout(x, 0.25)
    values = np.unique(y.detach().numpy())
    assert len(values) == 2 and values[0] == 0.0 and abs(values[1] - 1 / 0.75) < 1e-6
    kept = (y != 0).float().mean().item()
    assert abs(kept - 0.75) < 0.02
    assert type(y.grad_fn).__name__ == "MulBackward0"
    y.sum().backward()
    assert ((x.grad == 0) == (y == 0)).all()


def test_dropout_inplace_writes_through_the_door():
    import mutograd as torch

    torch.manual_seed(1)
    leaf = torch.ones(10, 10, requires_grad=True)
    x = leaf * 1
    ptr = x.data_ptr()
    y = torch.nn.Dropout(0.5, inplace=True)(x)
    assert y is x and x.data_ptr() == ptr and x._version == 1
    assert type(y.grad_fn).__name__ == "MulBackward0"


# --- functional layers -------------------------------------------------------------------------------


@requires_torch
def test_linear_grad_fn_names():
    def program(T):
        w = T.tensor(array((3, 4)), requires_grad=True)
        b = T.tensor(array((3,), seed=1), requires_grad=True)
        lin = T.nn.functional.linear
        return [
            lin(T.ones(2, 4), w, b),
            lin(T.ones(2, 4), w),
            lin(T.ones(5, 2, 4), w, b),
            lin(T.ones(5, 2, 4), w),
            lin(T.ones(4), w, b),
        ]

    run_both(program)


@requires_torch
def test_functional_conv_and_pools_match():
    def program(T):
        F = T.nn.functional
        x = T.tensor(array((2, 4, 6, 6)), requires_grad=True)
        w = T.tensor(array((6, 2, 3, 3), seed=1), requires_grad=True)
        out = F.conv2d(x, w, T.tensor(array((6,), seed=2)), stride=1, padding=1, groups=2)
        pooled = F.max_pool2d(out, 2) + F.avg_pool2d(out, 2) + F.adaptive_avg_pool2d(out, (3, 3))
        pooled.sum().backward()
        return [pooled.detach(), x.grad.clone(), w.grad.clone()]

    run_both(program, rtol=1e-4, atol=1e-5)


@requires_torch
def test_functional_norms_match():
    def program(T):
        F = T.nn.functional
        x = T.tensor(array((4, 3, 2)), requires_grad=True)
        w, b = T.tensor([1.0, 2.0, 0.5], requires_grad=True), T.tensor([0.0, 1.0, -1.0])
        rm, rv = T.zeros(3), T.ones(3)
        y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.3)
        z = F.layer_norm(x, (2,), eps=1e-3)
        (y * z).sum().backward()
        return [y.detach(), z.detach(), rm, rv, x.grad.clone(), w.grad.clone()]

    run_both(program, rtol=1e-4, atol=1e-5)


@requires_torch
def test_functional_embedding_and_activations():
    def program(T):
        F = T.nn.functional
        w = T.tensor(array((5, 2)), requires_grad=True)
        e = F.embedding(T.tensor([[4, 0], [1, 1]]), w, padding_idx=1)
        e.sum().backward()
        x = T.tensor(array((2, 3)))
        return [
            e,
            w.grad.clone(),
            F.gelu(x, approximate="tanh"),
            F.silu(x),
            F.elu(x, 2.0),
            F.leaky_relu(x),
            F.hardtanh(x),
            F.relu6(x * 4),
            F.sigmoid(x),
            F.tanh(x),
        ]

    run_both(program)
