"""Each layer against torch 2.13: forward values, input gradient and parameter gradients.

Weights are written identically on both engines (tests/_nn_helpers.fill_parameters);
outputs whose grad_fn PyTorch computes in one fused kernel (conv, norms, pools)
are compared detached: their values and gradients must match, not their node.
"""

from __future__ import annotations

import numpy as np
import pytest
from _harness import run_both
from _nn_helpers import array, layer_run
from conftest import requires_torch

DETACH = {"detach_output": True}

LAYERS = {
    # name: (module factory, input, options)
    "linear_2d": (lambda T: T.nn.Linear(4, 3), array((5, 4)), {}),
    "linear_1d": (lambda T: T.nn.Linear(4, 3), array((4,)), {}),
    "linear_3d": (lambda T: T.nn.Linear(4, 3), array((2, 5, 4)), {}),
    "linear_no_bias_2d": (lambda T: T.nn.Linear(4, 3, bias=False), array((2, 4)), {}),
    "linear_no_bias_3d": (lambda T: T.nn.Linear(4, 3, bias=False), array((2, 5, 4)), {}),
    "identity": (lambda T: T.nn.Identity(7, key="ignored"), array((3, 4)), {}),
    "relu": (lambda T: T.nn.ReLU(), array((3, 4)), {}),
    "leaky_relu": (lambda T: T.nn.LeakyReLU(0.2), array((3, 4)), {}),
    "elu": (lambda T: T.nn.ELU(0.5), array((3, 4)), {}),
    "hardtanh": (lambda T: T.nn.Hardtanh(-0.5, 1.5), array((3, 4)), {}),
    "relu6": (lambda T: T.nn.ReLU6(), array((3, 4), low=-3, high=9), {}),
    "gelu": (lambda T: T.nn.GELU(), array((3, 4)), {}),
    "gelu_tanh": (lambda T: T.nn.GELU("tanh"), array((3, 4)), {}),
    "silu": (lambda T: T.nn.SiLU(), array((3, 4)), {}),
    "sigmoid": (lambda T: T.nn.Sigmoid(), array((3, 4)), {}),
    "tanh": (lambda T: T.nn.Tanh(), array((3, 4)), {}),
    "softmax": (lambda T: T.nn.Softmax(dim=1), array((3, 4)), {}),
    "log_softmax": (lambda T: T.nn.LogSoftmax(dim=0), array((3, 4)), {}),
    "flatten": (lambda T: T.nn.Flatten(), array((2, 3, 4)), {}),
    "flatten_dims": (lambda T: T.nn.Flatten(0, 1), array((2, 3, 4)), {}),
    "unflatten": (lambda T: T.nn.Unflatten(1, (2, 2)), array((3, 4)), {}),
    "dropout_eval": (lambda T: T.nn.Dropout(0.3), array((3, 4)), {"train": False}),
    "layer_norm": (lambda T: T.nn.LayerNorm(4), array((3, 4)), DETACH),
    "layer_norm_2d_shape": (lambda T: T.nn.LayerNorm((3, 4)), array((2, 3, 4)), DETACH),
    "layer_norm_no_affine": (
        lambda T: T.nn.LayerNorm(4, elementwise_affine=False),
        array((3, 4)),
        DETACH,
    ),
    "batch_norm_1d": (lambda T: T.nn.BatchNorm1d(4), array((5, 4)), DETACH),
    "batch_norm_1d_3d_input": (lambda T: T.nn.BatchNorm1d(3), array((5, 3, 2)), DETACH),
    "batch_norm_2d": (lambda T: T.nn.BatchNorm2d(3), array((2, 3, 4, 4)), DETACH),
    "batch_norm_2d_eval": (
        lambda T: T.nn.BatchNorm2d(3),
        array((2, 3, 4, 4)),
        {"detach_output": True, "train": False},
    ),
    "batch_norm_no_stats": (
        lambda T: T.nn.BatchNorm1d(4, track_running_stats=False),
        array((5, 4)),
        {"detach_output": True, "train": False},
    ),
    "conv2d": (lambda T: T.nn.Conv2d(2, 3, 3), array((2, 2, 6, 6)), DETACH),
    "conv2d_stride_padding": (
        lambda T: T.nn.Conv2d(2, 4, 3, stride=2, padding=1),
        array((2, 2, 7, 7)),
        DETACH,
    ),
    "conv2d_dilation_groups": (
        lambda T: T.nn.Conv2d(4, 6, (3, 2), stride=(1, 2), padding=(2, 1), dilation=2, groups=2),
        array((2, 4, 7, 8)),
        DETACH,
    ),
    "conv2d_valid_no_bias": (
        lambda T: T.nn.Conv2d(2, 3, 2, padding="valid", bias=False),
        array((1, 2, 5, 5)),
        DETACH,
    ),
    "conv2d_same": (lambda T: T.nn.Conv2d(2, 3, 3, padding="same"), array((1, 2, 5, 5)), DETACH),
    "conv2d_unbatched": (lambda T: T.nn.Conv2d(2, 3, 3), array((2, 5, 5)), DETACH),
    "max_pool": (lambda T: T.nn.MaxPool2d(2), array((2, 3, 4, 4)), DETACH),
    "max_pool_overlap_padding": (
        lambda T: T.nn.MaxPool2d(3, stride=2, padding=1),
        array((2, 3, 7, 7)),
        DETACH,
    ),
    "max_pool_ceil": (
        lambda T: T.nn.MaxPool2d(3, stride=2, ceil_mode=True),
        array((1, 2, 8, 8)),
        DETACH,
    ),
    "max_pool_dilation": (
        lambda T: T.nn.MaxPool2d(2, stride=1, dilation=2),
        array((1, 2, 6, 6)),
        DETACH,
    ),
    "avg_pool": (lambda T: T.nn.AvgPool2d(2), array((2, 3, 4, 4)), DETACH),
    "avg_pool_padding": (
        lambda T: T.nn.AvgPool2d(3, stride=2, padding=1),
        array((2, 3, 7, 7)),
        DETACH,
    ),
    "avg_pool_exclude_pad": (
        lambda T: T.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        array((2, 3, 7, 7)),
        DETACH,
    ),
    "avg_pool_ceil": (
        lambda T: T.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True),
        array((1, 2, 8, 8)),
        DETACH,
    ),
    "avg_pool_ceil_exclude_pad": (
        lambda T: T.nn.AvgPool2d(3, stride=2, ceil_mode=True, count_include_pad=False),
        array((1, 2, 8, 8)),
        DETACH,
    ),
    "avg_pool_divisor": (
        lambda T: T.nn.AvgPool2d(2, divisor_override=3),
        array((1, 2, 4, 4)),
        DETACH,
    ),
    "adaptive_avg_pool_global": (lambda T: T.nn.AdaptiveAvgPool2d(1), array((2, 3, 5, 5)), {}),
    "adaptive_avg_pool_uneven": (
        lambda T: T.nn.AdaptiveAvgPool2d((3, 2)),
        array((2, 3, 7, 5)),
        DETACH,
    ),
    "adaptive_avg_pool_none": (
        lambda T: T.nn.AdaptiveAvgPool2d((None, 2)),
        array((1, 2, 3, 4)),
        DETACH,
    ),
    "sequential_mlp": (
        lambda T: T.nn.Sequential(T.nn.Linear(4, 8), T.nn.ReLU(inplace=True), T.nn.Linear(8, 2)),
        array((5, 4)),
        {},
    ),
    "sequential_cnn": (
        lambda T: T.nn.Sequential(
            T.nn.Conv2d(1, 4, 3, padding=1),
            T.nn.ReLU(inplace=True),
            T.nn.MaxPool2d(2),
            T.nn.Flatten(),
            T.nn.Linear(16, 3),
        ),
        array((2, 1, 4, 4)),
        {},
    ),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_forward_backward(name):
    make, x, options = LAYERS[name]
    run_both(lambda T: layer_run(T, make, x, **options), rtol=1e-4, atol=1e-5)


@requires_torch
def test_embedding_forward_backward():
    def program(T):
        emb = T.nn.Embedding(6, 3, padding_idx=2)
        weight = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
        with T.no_grad():
            emb.weight.copy_(T.tensor(weight))
        idx = T.tensor([[0, 2, 5], [2, 2, 1]])
        out = emb(idx)
        out.backward(T.ones_like(out) * T.arange(3.0))
        return [out, emb.weight.grad.clone()]

    run_both(program)


@requires_torch
def test_embedding_scale_grad_by_freq_and_padding_init():
    def program(T):
        emb = T.nn.Embedding(4, 2, padding_idx=-1, scale_grad_by_freq=True)
        padding_row = emb.weight[3].detach().clone()
        with T.no_grad():
            emb.weight.copy_(T.arange(8.0).view(4, 2))
        out = emb(T.tensor([0, 0, 1, 3]))
        out.sum().backward()
        return [padding_row, out.detach(), emb.weight.grad.clone(), emb.padding_idx]

    run_both(program)


@requires_torch
def test_embedding_from_pretrained():
    def program(T):
        emb = T.nn.Embedding.from_pretrained(T.tensor([[1.0, 2.0], [3.0, 4.0]]))
        return [emb(T.tensor([1, 0])), emb.weight.requires_grad, repr(emb)]

    run_both(program)


@requires_torch
def test_batch_norm_running_statistics_updated_in_place():
    def program(T):
        bn = T.nn.BatchNorm2d(3)
        mean, var = bn.running_mean, bn.running_var
        ptr = mean.data_ptr()
        x = T.tensor(array((4, 3, 2, 2)))
        for _ in range(3):
            bn(x * 2 + 1)
        return [
            mean is bn.running_mean,
            var is bn.running_var,
            mean.data_ptr() == ptr,
            bn.running_mean,
            bn.running_var,
            bn.num_batches_tracked,
        ]

    run_both(program, rtol=1e-5, atol=1e-6, check_versions=False)


@requires_torch
def test_batch_norm_cumulative_average_and_eval():
    def program(T):
        bn = T.nn.BatchNorm1d(2, momentum=None)
        bn(T.tensor(array((4, 2), seed=1)))
        bn(T.tensor(array((4, 2), seed=2)))
        bn.eval()
        before = bn.num_batches_tracked.clone()
        out = bn(T.tensor(array((3, 2), seed=3)))
        return [bn.running_mean, bn.running_var, before, bn.num_batches_tracked, out.detach()]

    run_both(program, check_versions=False)


@requires_torch
def test_batch_norm_running_stat_versions():
    # The kernel's writes to running_mean/var leave their versions; add_(1) bumps once.
    def program(T):
        bn = T.nn.BatchNorm1d(2)
        bn(T.tensor(array((4, 2))))
        return [bn.running_mean._version, bn.running_var._version, bn.num_batches_tracked._version]

    run_both(program)


@requires_torch
@pytest.mark.parametrize(
    "program",
    [
        lambda T: T.nn.Linear(4, 3)(T.ones(2, 5)),
        lambda T: T.nn.Linear(4, 3)(T.ones(5)),
        lambda T: T.nn.Linear(4, 3)(T.ones(2, 2, 5)),
        lambda T: T.nn.Conv2d(3, 3, 3)(T.ones(1, 2, 5, 5)),
        lambda T: T.nn.Conv2d(3, 3, 3)(T.ones(2, 5)),
        lambda T: T.nn.Conv2d(3, 3, 3)(T.ones(1, 3, 2, 2)),
        lambda T: T.nn.Conv2d(3, 3, 3, groups=2),
        lambda T: T.nn.Conv2d(4, 3, 3, groups=2),
        lambda T: T.nn.Conv2d(4, 4, 3, padding="full"),
        lambda T: T.nn.Conv2d(4, 4, 3, stride=2, padding="same"),
        lambda T: T.nn.MaxPool2d(2)(T.ones(1, 1, 1, 1)),
        lambda T: T.nn.MaxPool2d(2, padding=2)(T.ones(1, 1, 4, 4)),
        lambda T: T.nn.AdaptiveAvgPool2d(2)(T.ones(5)),
        lambda T: T.nn.LayerNorm(4)(T.ones(2, 3)),
        lambda T: T.nn.BatchNorm1d(3)(T.ones(2, 3, 4, 4)),
        lambda T: T.nn.BatchNorm2d(3)(T.ones(2, 3)),
        lambda T: T.nn.BatchNorm1d(3)(T.ones(1, 3)),
        lambda T: T.nn.BatchNorm1d(3)(T.ones(2, 4)),
        lambda T: T.nn.Embedding(3, 2)(T.tensor([3])),
        lambda T: T.nn.Embedding(3, 2)(T.tensor([1.0])),
        lambda T: T.nn.Embedding(3, 2, padding_idx=3),
        lambda T: T.nn.Dropout(1.5),
        lambda T: T.nn.Hardtanh(1.0, -1.0),
        lambda T: T.nn.Unflatten(1, (2, 2.0)),
    ],
    ids=lambda f: "",
)
def test_layer_errors(program):
    run_both(program)


@requires_torch
def test_failed_batch_norm_forward_changes_nothing():
    # mutograd checks the batch before moving num_batches_tracked (PyTorch bumps it first).
    import mutograd

    bn = mutograd.nn.BatchNorm1d(3)
    version = bn.running_mean._version
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        bn(mutograd.ones(1, 3))
    assert bn.num_batches_tracked.item() == 0
    assert bn.running_mean._version == version
