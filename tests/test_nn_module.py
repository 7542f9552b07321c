"""nn.Module and nn.Parameter against torch 2.13: registration, traversal, state dicts,
modes, hooks, printing and errors."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
from _harness import run_both
from _nn_helpers import fill_parameters
from conftest import requires_torch


def _net(T):
    class Net(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.features = T.nn.Sequential(
                T.nn.Conv2d(1, 4, 3, padding=1),
                T.nn.BatchNorm2d(4),
                T.nn.ReLU(inplace=True),
                T.nn.MaxPool2d(2),
            )
            self.head = T.nn.ModuleDict({"fc": T.nn.Linear(16, 3), "act": T.nn.LogSoftmax(1)})
            self.blocks = T.nn.ModuleList([T.nn.Linear(3, 3) for _ in range(2)])
            self.register_buffer("scale", T.ones(3))
            self.register_buffer("scratch", T.zeros(2), persistent=False)
            self.temperature = T.nn.Parameter(T.tensor(1.5))

        def forward(self, x):
            x = self.features(x).flatten(1)
            x = self.head["fc"](x) * self.scale
            for block in self.blocks:
                x = block(x)
            return self.head["act"](x / self.temperature)

    return Net()


@requires_torch
def test_traversal_names_and_order():
    def program(T):
        net = _net(T)
        return [
            [name for name, _ in net.named_parameters()],
            [tuple(p.shape) for p in net.parameters()],
            [name for name, _ in net.named_buffers()],
            [name for name, _ in net.named_modules()],
            [type(m).__name__ for m in net.modules()],
            [name for name, _ in net.named_children()],
            [type(m).__name__ for m in net.children()],
            [name for name, _ in net.named_parameters(recurse=False)],
            [name for name, _ in net.features.named_parameters(prefix="features")],
            list(net.state_dict().keys()),
            list(net.state_dict()._metadata.items()),
            type(net.state_dict()).__name__,
        ]

    run_both(program)


@requires_torch
def test_shared_modules_and_parameters_appear_once():
    def program(T):
        shared = T.nn.Linear(2, 2)
        seq = T.nn.Sequential(shared, T.nn.ReLU(), shared)
        return [
            [name for name, _ in seq.named_parameters()],
            [name for name, _ in seq.named_parameters(remove_duplicate=False)],
            [name for name, _ in seq.named_modules()],
            list(seq.state_dict().keys()),
            len(list(seq.children())),
        ]

    run_both(program)


@requires_torch
def test_forward_matches_and_state_dict_round_trip():
    def program(T):
        net = _net(T)
        fill_parameters(T, net, seed=3)
        x = T.tensor(np.random.default_rng(0).uniform(-1, 1, (2, 1, 4, 4)).astype(np.float32))
        out = net(x)
        other = _net(T)
        result = other.load_state_dict(net.state_dict())
        return [
            out.detach(),
            other(x).detach(),
            repr(result),
            str(result),
            result.missing_keys,
            result.unexpected_keys,
        ]

    run_both(program, rtol=1e-4, atol=1e-5)


@requires_torch
def test_state_dict_values_are_detached_aliases():
    def program(T):
        lin = T.nn.Linear(2, 2)
        sd = lin.state_dict()
        kept = lin.state_dict(keep_vars=True)
        return [
            sd["weight"].requires_grad,
            sd["weight"].data_ptr() == lin.weight.data_ptr(),
            kept["weight"] is lin.weight,
            type(kept["weight"]).__name__,
        ]

    run_both(program)


@requires_torch
@pytest.mark.parametrize(
    "program",
    [
        # missing, unexpected and mis-shaped keys, strict and not
        lambda T: T.nn.Linear(3, 2).load_state_dict({"weight": T.zeros(3, 3), "foo": T.zeros(1)}),
        lambda T: T.nn.Linear(3, 2).load_state_dict({"weight": T.zeros(2, 3)}),
        lambda T: repr(
            T.nn.Linear(3, 2).load_state_dict(
                {"weight": T.zeros(2, 3), "x": T.ones(1)}, strict=False
            )
        ),
        lambda T: T.nn.Linear(3, 2).load_state_dict(
            {"weight": T.zeros(4, 3), "bias": T.zeros(2)}, strict=False
        ),
        lambda T: T.nn.Sequential(T.nn.Linear(1, 1)).load_state_dict(
            {"0.weight": T.zeros(1, 1), "1.bias": T.zeros(1)}
        ),
        lambda T: T.nn.Linear(1, 1).load_state_dict({"weight": [[1.0]], "bias": T.zeros(1)}),
        lambda T: T.nn.Linear(1, 1).load_state_dict([("weight", T.zeros(1, 1))]),
    ],
)
def test_load_state_dict_errors(program):
    run_both(program)


@requires_torch
def test_failed_load_changes_nothing_in_mutograd():
    # mutograd checks every key before copying (PyTorch copies the matching keys first).
    import mutograd

    lin = mutograd.nn.Linear(3, 2)
    before = {k: v.clone() for k, v in lin.state_dict().items()}
    version = lin.weight._version
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        lin.load_state_dict({"weight": mutograd.zeros(2, 3), "bias": mutograd.zeros(3)})
    for key, value in lin.state_dict().items():
        assert (value == before[key]).all()
    assert lin.weight._version == version


@requires_torch
def test_load_state_dict_copies_in_place_and_assign_replaces():
    def program(T):
        lin = T.nn.Linear(2, 1)
        weight = lin.weight
        version = weight._version
        lin.load_state_dict({"weight": T.ones(1, 2), "bias": T.zeros(1)})
        copied = [lin.weight is weight, weight._version - version, weight]
        new_weight = T.full((1, 2), 3.0)
        lin.load_state_dict({"weight": new_weight, "bias": T.zeros(1)}, assign=True)
        return copied + [
            lin.weight is weight,
            type(lin.weight).__name__,
            lin.weight.requires_grad,
            lin.weight,
        ]

    run_both(program)


@requires_torch
def test_batch_norm_old_checkpoint_without_num_batches_tracked():
    def program(T):
        bn = T.nn.BatchNorm1d(2)
        sd = OrderedDict((k, v) for k, v in bn.state_dict().items() if k != "num_batches_tracked")
        sd._metadata = OrderedDict([("", {"version": 1})])
        return repr(bn.load_state_dict(sd))

    run_both(program)


@requires_torch
@pytest.mark.parametrize(
    "program",
    [
        lambda T: T.nn.Module().register_buffer("a.b", T.ones(1)),
        lambda T: T.nn.Module().register_buffer("", T.ones(1)),
        lambda T: T.nn.Module().register_buffer(1, T.ones(1)),
        lambda T: T.nn.Module().register_buffer("x", [1.0]),
        lambda T: T.nn.Module().register_parameter("w", T.ones(1)),
        lambda T: T.nn.Module().register_parameter("w", T.nn.Parameter(T.ones(1)) * 2),
        lambda T: T.nn.Module().add_module("m", 3),
        lambda T: T.nn.Module().add_module("a.b", T.nn.ReLU()),
        lambda T: T.nn.Linear(1, 1).register_buffer("weight", T.ones(1)),
        lambda T: T.nn.Linear(1, 1).nothing,
        lambda T: setattr(T.nn.Linear(1, 1), "weight", T.ones(1, 1)),
        lambda T: T.nn.Module()(T.ones(1)),
        lambda T: T.nn.Module().train("yes"),
        lambda T: T.nn.Linear(1, 1).to(T.int64),
        lambda T: T.nn.Sequential(T.nn.ReLU())[3],
        lambda T: T.nn.ModuleList([T.nn.ReLU()])[-2],
        lambda T: T.nn.Linear(1, 1, foo=3),
    ],
)
def test_registration_errors(program):
    run_both(program)


@requires_torch
def test_attribute_assignment_moves_between_registries():
    def program(T):
        m = T.nn.Module()
        m.x = T.nn.Parameter(T.ones(1))
        first = ([n for n, _ in m.named_parameters()], [n for n, _ in m.named_children()])
        m.x = None
        none_kept = "x" in m._parameters
        del m.x
        m.x = T.nn.ReLU()
        m.y = T.nn.Parameter(T.ones(1))
        second = ([n for n, _ in m.named_parameters()], [n for n, _ in m.named_children()])
        m.register_buffer("b", T.zeros(1))
        m.b = T.ones(2)
        m.b = None
        del m.x
        return [first, none_kept, second, list(m.state_dict().keys()), m.b, hasattr(m, "x")]

    run_both(program)


@requires_torch
def test_train_eval_requires_grad_zero_grad_apply():
    def program(T):
        net = _net(T)
        net.eval()
        modes = [m.training for m in net.modules()]
        net.train()
        modes2 = [m.training for m in net.modules()]
        net.requires_grad_(False)
        flags = [p.requires_grad for p in net.parameters()]
        net.requires_grad_()
        lin = net.head["fc"]
        lin.weight.grad = T.ones(3, 16)
        net.zero_grad(set_to_none=False)
        zeroed = lin.weight.grad
        net.zero_grad()
        visited = []
        net.apply(lambda m: visited.append(type(m).__name__))
        return [modes, modes2, flags, zeroed, lin.weight.grad, visited]

    run_both(program)


@requires_torch
def test_to_dtype_keeps_parameter_objects():
    def program(T):
        net = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.BatchNorm1d(2))
        weight = net[0].weight
        net.to(T.float64)
        after = [
            net[0].weight is weight,
            weight.dtype,
            net[1].running_mean.dtype,
            net[1].num_batches_tracked.dtype,
            type(net[0].weight).__name__,
        ]
        net.float()
        return after + [weight.dtype, net.double() is net, weight.dtype]

    run_both(program)


@requires_torch
def test_forward_hooks():
    def program(T):
        lin = T.nn.Linear(2, 2)
        fill_parameters(T, lin)
        calls = []

        def pre(module, args):
            calls.append("pre")
            return args[0] * 2

        def pre_kwargs(module, args, kwargs):
            calls.append("pre_kwargs")
            return None

        def post(module, args, output):
            calls.append(("post", tuple(args[0].shape)))
            return output + 1

        h1 = lin.register_forward_pre_hook(pre)
        lin.register_forward_pre_hook(pre_kwargs, with_kwargs=True, prepend=True)
        h3 = lin.register_forward_hook(post)
        x = T.ones(1, 2)
        first = lin(x)
        h1.remove()
        h3.remove()
        second = lin(x)
        return [calls, first, second]

    run_both(program)


@requires_torch
def test_parameter_basics():
    def program(T):
        base = T.ones(3)
        p = T.nn.Parameter(base)
        base.add_(1)
        q = T.nn.Parameter(T.ones(2), requires_grad=False)
        empty = T.nn.Parameter()
        return [
            repr(p),
            str(q),
            p.is_leaf,
            p.requires_grad,
            p._version,
            p.data_ptr() == base.data_ptr(),
            isinstance(p, T.Tensor),
            type(p * 2).__name__,
            type(p.detach()).__name__,
            repr(T.nn.Parameter(T.zeros(2, dtype=T.float64))),
            tuple(empty.shape),
        ]

    run_both(program)


MODULE_TREES = [
    lambda T: T.nn.Sequential(
        T.nn.Linear(2, 3),
        T.nn.ReLU(inplace=True),
        T.nn.Sequential(T.nn.Dropout(0.1), T.nn.BatchNorm1d(3)),
    ),
    lambda T: T.nn.ModuleList([T.nn.Linear(2, 2) for _ in range(3)] + [T.nn.ReLU(), T.nn.ReLU()]),
    lambda T: T.nn.ModuleList(),
    lambda T: T.nn.ModuleDict({"a": T.nn.ReLU(), "b": T.nn.Sequential(T.nn.Tanh())}),
    lambda T: T.nn.Sequential(
        OrderedDict([("conv", T.nn.Conv2d(1, 2, 3)), ("pool", T.nn.MaxPool2d(2))])
    ),
    lambda T: _net(T),
    lambda T: T.nn.Sequential(
        T.nn.Conv2d(1, 2, 3, padding=1),
        T.nn.Conv2d(1, 2, (3, 2), stride=2, dilation=2, bias=False),
        T.nn.Conv2d(4, 4, 3, groups=2, padding="same"),
        T.nn.MaxPool2d(2),
        T.nn.MaxPool2d((3, 2), stride=1, padding=1, dilation=2, ceil_mode=True),
        T.nn.AvgPool2d(2),
        T.nn.AvgPool2d(3, 2, 1),
        T.nn.AdaptiveAvgPool2d((1, 1)),
        T.nn.AdaptiveAvgPool2d(3),
        T.nn.Embedding(3, 4, padding_idx=0),
        T.nn.Embedding(3, 4, scale_grad_by_freq=True),
        T.nn.LayerNorm(4),
        T.nn.LayerNorm([2, 3], eps=1e-3, elementwise_affine=False),
        T.nn.BatchNorm2d(3),
        T.nn.BatchNorm1d(2, momentum=None, affine=False),
        T.nn.BatchNorm1d(2, track_running_stats=False, bias=False),
        T.nn.Flatten(),
        T.nn.Unflatten(1, (2, 2)),
        T.nn.LeakyReLU(),
        T.nn.LeakyReLU(0.2, True),
        T.nn.ELU(),
        T.nn.ELU(0.5, inplace=True),
        T.nn.Hardtanh(),
        T.nn.Hardtanh(-2, 2, True),
        T.nn.ReLU6(inplace=True),
        T.nn.ReLU6(),
        T.nn.GELU(),
        T.nn.GELU("tanh"),
        T.nn.SiLU(),
        T.nn.SiLU(inplace=True),
        T.nn.Sigmoid(),
        T.nn.Tanh(),
        T.nn.Softmax(dim=1),
        T.nn.LogSoftmax(),
        T.nn.Identity(),
        T.nn.Dropout(),
        T.nn.Dropout(0.2, inplace=True),
        T.nn.Linear(3, 4, bias=False),
    ),
    lambda T: T.nn.Sequential(
        T.nn.CrossEntropyLoss(),
        T.nn.CrossEntropyLoss(weight=T.ones(3), label_smoothing=0.1),
        T.nn.NLLLoss(),
        T.nn.MSELoss(),
        T.nn.L1Loss(reduction="sum"),
        T.nn.SmoothL1Loss(beta=0.5),
        T.nn.BCELoss(),
        T.nn.BCEWithLogitsLoss(pos_weight=T.ones(2)),
    ),
]


@requires_torch
@pytest.mark.parametrize("make", MODULE_TREES, ids=lambda f: "")
def test_module_tree_repr_matches_torch(make):
    run_both(lambda T: repr(make(T)))


@requires_torch
def test_loss_modules_register_weight_buffers():
    def program(T):
        ce = T.nn.CrossEntropyLoss(weight=T.ones(3))
        bce = T.nn.BCEWithLogitsLoss(pos_weight=T.ones(2))
        return [
            list(ce.state_dict().keys()),
            list(bce.state_dict().keys()),
            ce.reduction,
            ce.ignore_index,
            ce.label_smoothing,
        ]

    run_both(program)


@requires_torch
def test_containers_behave_as_torch():
    def program(T):
        seq = T.nn.Sequential(T.nn.ReLU(), T.nn.Tanh(), T.nn.Sigmoid())
        part = seq[1:]
        seq.append(T.nn.Identity())
        seq.insert(0, T.nn.GELU())
        del seq[1]
        popped = seq.pop(0)
        combined = seq + T.nn.Sequential(T.nn.ReLU())
        ml = T.nn.ModuleList([T.nn.ReLU()])
        ml += [T.nn.Tanh()]
        ml.insert(0, T.nn.Sigmoid())
        ml.extend([T.nn.GELU()])
        del ml[0]
        md = T.nn.ModuleDict({"a": T.nn.ReLU()})
        md.update([("b", T.nn.Tanh())])
        md["c"] = T.nn.Sigmoid()
        removed = md.pop("a")
        return [
            repr(part),
            repr(seq),
            type(popped).__name__,
            repr(combined),
            len(seq),
            repr(ml),
            list(md.keys()),
            "b" in md,
            type(removed).__name__,
            repr(ml[1:]),
            type(seq[-1]).__name__,
        ]

    run_both(program)


@requires_torch
def test_sequential_forward_in_place_relu_versions():
    # ReLU(inplace=True) writes into the Linear output: same data_ptr, same version bumps.
    def program(T):
        seq = T.nn.Sequential(T.nn.Linear(3, 3), T.nn.ReLU(inplace=True), T.nn.ReLU(inplace=True))
        fill_parameters(T, seq)
        seen = []

        def record(module, args, output):
            seen.append(
                (args[0] is output, args[0].data_ptr() == output.data_ptr(), output._version)
            )

        for layer in (seq[1], seq[2]):
            layer.register_forward_hook(record)
        out = seq(T.ones(2, 3))
        out.sum().backward()
        return [seen, out._version, out, seq[0].weight.grad.clone()]

    run_both(program)


DOCTESTED = [
    "mutograd.nn.parameter",
    "mutograd.nn.module",
    "mutograd.nn.init",
    "mutograd.nn.modules.container",
    "mutograd.nn.modules.linear",
    "mutograd.nn.modules.activation",
    "mutograd.nn.modules.dropout",
    "mutograd.nn.modules.conv",
    "mutograd.nn.modules.pooling",
    "mutograd.nn.modules.sparse",
    "mutograd.nn.modules.normalization",
    "mutograd.nn.modules.loss",
    "mutograd.optim.sgd",
    "mutograd.utils.data.dataset",
    "mutograd.utils.data.dataloader",
    "mutograd.utils.data.collate",
    "mutograd.serialization",
]


@pytest.mark.parametrize("name", DOCTESTED)
def test_docstring_examples_run(name):
    # The >>> examples print what PyTorch prints; they must keep running.
    import doctest
    import importlib

    failures, attempted = doctest.testmod(importlib.import_module(name))
    assert failures == 0 and attempted > 0
