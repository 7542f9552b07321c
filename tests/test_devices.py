"""The lines scripts start with, side by side with a CPU-only PyTorch: torch.device,
torch.cuda, torch.accelerator, torch.backends, default device and dtype, torch.onnx."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from conftest import requires_torch

import mutograd

pytestmark = requires_torch


def _outcome(fn):
    try:
        result = fn()
    except Exception as e:  # noqa: BLE001 - the outcome under test
        return type(e), str(e)
    return "ok", repr(result)


def _same(torch, make):
    """``make(lib)`` behaves alike: the same repr, or the same exception and text."""
    assert _outcome(lambda: make(mutograd)) == _outcome(lambda: make(torch))


DEVICE_SPECS = [
    ("cpu",),
    ("cpu", 0),
    ("cpu:0",),
    ("cuda",),
    ("cuda", 1),
    ("cuda:1",),
    ("mps",),
    ("meta",),
    ("gpu",),
    ("CPU",),
    (" cpu",),
    ("cuda:x",),
    ("cpu:-1",),
    ("cpu:0", 1),
    ("cpu", -1),
    ("cpu", -2),
    ("cuda", "x"),
    (0,),
    (5.0,),
]


@pytest.mark.parametrize("spec", DEVICE_SPECS, ids=repr)
def test_device_objects(torch, spec):
    _same(torch, lambda lib: lib.device(*spec))
    _same(torch, lambda lib: str(lib.device(*spec)))
    _same(torch, lambda lib: (lib.device(*spec).type, lib.device(*spec).index))


def test_device_equality_hash_and_pickle(torch):
    for lib in (torch, mutograd):
        assert lib.device("cpu") == lib.device("cpu")
        assert lib.device("cpu") != lib.device("cpu", 0)
        assert lib.device("cuda:0") == lib.device("cuda", 0)
        assert lib.device("cpu") != "cpu"  # a device never equals a string
        assert hash(lib.device("cpu")) == hash(lib.device(lib.device("cpu")))
        assert pickle.loads(pickle.dumps(lib.device("cuda", 1))) == lib.device("cuda:1")
        assert lib.ones(2).device == lib.device("cpu") and not lib.ones(2).is_cuda


CUDA_USES = {
    "factory": lambda lib: lib.ones(2, device="cuda"),
    "factory_device_object": lambda lib: lib.zeros(2, device=lib.device("cuda")),
    "factory_indexed": lambda lib: lib.zeros(1, device="cuda:1"),
    "tensor": lambda lib: lib.tensor([1.0], device="cuda"),
    "arange": lambda lib: lib.arange(3, device="cuda"),
    "randn": lambda lib: lib.randn(2, device="cuda"),
    "to": lambda lib: lib.ones(2).to("cuda"),
    "to_kwarg": lambda lib: lib.ones(2).to(device="cuda:0", non_blocking=True),
    "to_device_dtype": lambda lib: lib.ones(2).to("cuda", lib.float64),
    "to_mps": lambda lib: lib.ones(2).to("mps"),
    "cuda": lambda lib: lib.ones(2).cuda(),
    "cuda_index": lambda lib: lib.ones(2).cuda(0),
    "module_cuda": lambda lib: lib.nn.Linear(2, 2).cuda(),
    "module_to": lambda lib: lib.nn.Linear(2, 2).to("cuda"),
    "module_to_device": lambda lib: lib.nn.Linear(2, 2).to(lib.device("cuda")),
    "module_without_tensors": lambda lib: lib.nn.ReLU().cuda(),
    "cpu_is_fine": lambda lib: lib.ones(2).to("cpu").to(lib.device("cpu")).cpu(),
    "cpu_with_dtype": lambda lib: lib.ones(2).to("cpu", lib.float64),
    "module_to_cpu": lambda lib: lib.nn.Linear(2, 2).to("cpu").cpu().weight.shape,
}


@pytest.mark.parametrize("case", sorted(CUDA_USES))
def test_cuda_uses_raise_as_on_a_cpu_build(torch, case):
    _same(torch, CUDA_USES[case])


def test_a_failed_move_leaves_the_tensor_alone():
    t = mutograd.ones(2)
    with pytest.raises(AssertionError):
        t.to("cuda")
    assert t._version == 0 and t.device == mutograd.device("cpu")


PROBES = {
    "cuda.is_available": lambda lib: lib.cuda.is_available(),
    "cuda.device_count": lambda lib: lib.cuda.device_count(),
    "cuda.is_initialized": lambda lib: lib.cuda.is_initialized(),
    "cuda.manual_seed": lambda lib: lib.cuda.manual_seed(3),
    "cuda.manual_seed_all": lambda lib: lib.cuda.manual_seed_all(3),
    "cuda.seed": lambda lib: lib.cuda.seed(),
    "cuda.seed_all": lambda lib: lib.cuda.seed_all(),
    "cuda.empty_cache": lambda lib: lib.cuda.empty_cache(),
    "cuda.memory_allocated": lambda lib: lib.cuda.memory_allocated(),
    "cuda.is_bf16_supported": lambda lib: lib.cuda.is_bf16_supported(),
    "cuda.initial_seed": lambda lib: lib.cuda.initial_seed(),
    "cuda.current_device": lambda lib: lib.cuda.current_device(),
    "cuda.get_device_name": lambda lib: lib.cuda.get_device_name(),
    "cuda.get_device_capability": lambda lib: lib.cuda.get_device_capability(),
    "cuda.synchronize": lambda lib: lib.cuda.synchronize(),
    "cuda.get_rng_state": lambda lib: lib.cuda.get_rng_state(),
    "accelerator.is_available": lambda lib: lib.accelerator.is_available(),
    "accelerator.current_accelerator": lambda lib: lib.accelerator.current_accelerator(),
    "accelerator.device_count": lambda lib: lib.accelerator.device_count(),
    "accelerator.current_device_index": lambda lib: lib.accelerator.current_device_index(),
    "accelerator.synchronize": lambda lib: lib.accelerator.synchronize(),
    "mps.is_available": lambda lib: lib.backends.mps.is_available(),
    "mps.is_built": lambda lib: lib.backends.mps.is_built(),
    "cuda.is_built": lambda lib: lib.backends.cuda.is_built(),
    "cudnn.is_available": lambda lib: lib.backends.cudnn.is_available(),
    "cudnn.version": lambda lib: lib.backends.cudnn.version(),
    "cudnn.flags": lambda lib: (
        lib.backends.cudnn.enabled,
        lib.backends.cudnn.benchmark,
        lib.backends.cudnn.deterministic,
        lib.backends.cudnn.allow_tf32,
        lib.backends.cudnn.benchmark_limit,
    ),
    "matmul.allow_tf32": lambda lib: lib.backends.cuda.matmul.allow_tf32,
    "get_default_device": lambda lib: lib.get_default_device(),
    "onnx.is_in_onnx_export": lambda lib: lib.onnx.is_in_onnx_export(),
}


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_probes(torch, probe):
    _same(torch, PROBES[probe])


def test_cuda_seeding_leaves_the_cpu_generator_alone(torch):
    for lib in (torch, mutograd):
        lib.manual_seed(7)
        expected = lib.rand(3)
        lib.manual_seed(7)
        lib.cuda.manual_seed(123)
        lib.cuda.manual_seed_all(123)
        assert lib.equal(lib.rand(3), expected)
        assert lib.initial_seed() == 7


def test_manual_seed_returns_the_generator():
    assert mutograd.manual_seed(0) is mutograd.default_generator
    assert isinstance(mutograd.manual_seed(0), mutograd.Generator)


def test_cudnn_flags_are_settable():
    cudnn = mutograd.backends.cudnn
    saved = cudnn.benchmark, cudnn.deterministic
    try:
        cudnn.benchmark, cudnn.deterministic = True, True
        assert cudnn.benchmark and cudnn.deterministic
    finally:
        cudnn.benchmark, cudnn.deterministic = saved


def test_default_device(torch):
    try:
        for lib in (torch, mutograd):
            lib.set_default_device("cpu")
            assert lib.get_default_device() == lib.device("cpu")
            lib.set_default_device("cuda")  # accepted; the next factory raises
        for make in (
            lambda lib: lib.get_default_device(),
            lambda lib: lib.tensor([1.0]),
            lambda lib: lib.ones(2),
            lambda lib: lib.arange(3),
            lambda lib: lib.nn.Linear(2, 2),
        ):
            _same(torch, make)
    finally:
        torch.set_default_device(None)
        mutograd.set_default_device(None)
    assert mutograd.ones(1).device == mutograd.device("cpu")
    with mutograd.device("cpu"):
        assert mutograd.ones(1).device == mutograd.device("cpu")


DEFAULT_DTYPE_USES = {
    "tensor_float": lambda lib: lib.tensor(1.0).dtype,
    "tensor_int": lambda lib: lib.tensor(3).dtype,
    "ones": lambda lib: lib.ones(1).dtype,
    "zeros_none": lambda lib: lib.zeros(1, dtype=None).dtype,
    "arange_float": lambda lib: lib.arange(0, 1, 0.5).dtype,
    "arange_int": lambda lib: lib.arange(3).dtype,
    "randn": lambda lib: lib.randn(1).dtype,
    "rand": lambda lib: lib.rand(1).dtype,
    "linspace": lambda lib: lib.linspace(0, 1, 3).dtype,
    "full": lambda lib: lib.full((1,), 2.0).dtype,
    "int_times_float": lambda lib: (lib.tensor([1, 2]) * 2.5).dtype,
    "int_div": lambda lib: (lib.tensor([1, 2]) / 2).dtype,
    "int_sqrt": lambda lib: lib.tensor([1, 2]).sqrt().dtype,
    "float32_stays": lambda lib: (lib.tensor([1.0], dtype=lib.float32) * 2.5).dtype,
    "float_method": lambda lib: lib.tensor([1, 2]).float().dtype,
    "linear": lambda lib: lib.nn.Linear(2, 2).weight.dtype,
    "get": lambda lib: lib.get_default_dtype(),
}


@pytest.mark.parametrize("default", ["float64", "float16"])
def test_set_default_dtype_affects_factories_and_promotion(torch, default):
    try:
        for lib in (torch, mutograd):
            lib.set_default_dtype(getattr(lib, default))
        for make in DEFAULT_DTYPE_USES.values():
            _same(torch, make)
    finally:
        torch.set_default_dtype(torch.float32)
        mutograd.set_default_dtype(mutograd.float32)
    assert mutograd.tensor(1.0).dtype is mutograd.float32


@pytest.mark.parametrize("bad", ["int64", "bool"])
def test_set_default_dtype_refuses_non_floats(torch, bad):
    _same(torch, lambda lib: lib.set_default_dtype(getattr(lib, bad)))
    assert mutograd.get_default_dtype() is mutograd.float32


def test_onnx_export_is_a_clear_not_implemented():
    with pytest.raises(
        NotImplementedError, match=r"^torch\.onnx\.export is not supported by mutograd"
    ):
        mutograd.onnx.export(mutograd.nn.Linear(1, 1), (mutograd.ones(1),), "model.onnx")


def _modern_script(torch, path):
    """The start and end of a pytorch/examples-style training script, written against ``torch``."""
    if torch.accelerator.is_available():
        device = torch.accelerator.current_accelerator()
    elif torch.backends.mps.is_available():
        device = torch.device("mps")
    else:
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(1)
    torch.cuda.manual_seed_all(1)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * (i + 1) / 4)
    model = model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.linspace(-1, 1, 40).reshape(10, 4).to(device)
    y = (torch.arange(10) % 3).to(device)
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)
    return device, losses


def test_a_modern_script_runs_and_its_checkpoint_loads_in_torch(torch, tmp_path):
    mt_device, mt_losses = _modern_script(mutograd, tmp_path / "mutograd.pt")
    th_device, th_losses = _modern_script(torch, tmp_path / "torch.pt")
    assert str(mt_device) == str(th_device) == "cpu"
    np.testing.assert_allclose(mt_losses, th_losses, rtol=1e-6)
    # Each library reads the other's checkpoint; the two runs agree.
    ours_in_torch = torch.load(tmp_path / "mutograd.pt", weights_only=True)
    theirs_in_mutograd = mutograd.load(tmp_path / "torch.pt")
    for key, value in ours_in_torch["model"].items():
        np.testing.assert_allclose(
            value.numpy(), theirs_in_mutograd["model"][key].numpy(), rtol=1e-5, atol=1e-6
        )
    np.testing.assert_allclose(
        ours_in_torch["optimizer"]["state"][0]["momentum_buffer"].numpy(),
        theirs_in_mutograd["optimizer"]["state"][0]["momentum_buffer"].numpy(),
        rtol=1e-5,
        atol=1e-7,
    )
