"""PyTorch's checkpoint format, side by side: mutograd.save -> torch.load and torch.save ->
mutograd.load, for tensors of every dtype, views, containers, state dicts and optimizers."""

from __future__ import annotations

import io
from collections import OrderedDict

import numpy as np
import pytest
from conftest import requires_torch

import mutograd

pytestmark = requires_torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
if hasattr(mutograd, "bfloat16"):
    DTYPES.append("bfloat16")


def _via_buffer(save, load, obj, **load_kwargs):
    buffer = io.BytesIO()
    save(obj, buffer)
    buffer.seek(0)
    return load(buffer, **load_kwargs)


def _values(t):
    # NB: bfloat16 has no NumPy type in torch; compare through float32.
    if str(t.dtype) == "torch.bfloat16":
        t = t.float()
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


def _same(mt_tensor, th_tensor):
    assert str(mt_tensor.dtype) == str(th_tensor.dtype)
    assert tuple(mt_tensor.shape) == tuple(th_tensor.shape)
    assert tuple(mt_tensor.stride()) == tuple(th_tensor.stride())
    assert mt_tensor.storage_offset() == th_tensor.storage_offset()
    assert mt_tensor.requires_grad == th_tensor.requires_grad
    np.testing.assert_array_equal(_values(mt_tensor), _values(th_tensor))


def _sample(lib, name):
    dtype = getattr(lib, name)
    base = lib.arange(24).view(2, 3, 4)
    if name == "bool":
        base = base % 3 == 0
    return [
        base.to(dtype),
        base.to(dtype)[:, 1].transpose(0, 1),  # a strided view at an offset
        lib.tensor(7).to(dtype),  # 0-d
        lib.zeros(0, 3).to(dtype),  # empty
    ]


@pytest.mark.parametrize("name", DTYPES)
def test_mutograd_tensors_load_in_torch(torch, name):
    loaded = _via_buffer(mutograd.save, torch.load, _sample(mutograd, name), weights_only=True)
    for mt_tensor, th_tensor in zip(_sample(mutograd, name), loaded, strict=True):
        _same(mt_tensor, th_tensor)


@pytest.mark.parametrize("name", DTYPES)
def test_torch_tensors_load_in_mutograd(torch, name):
    loaded = _via_buffer(torch.save, mutograd.load, _sample(torch, name))
    for th_tensor, mt_tensor in zip(_sample(torch, name), loaded, strict=True):
        _same(mt_tensor, th_tensor)
        assert mt_tensor._version == 0 and mt_tensor._base is None


def _views(lib):
    base = lib.arange(12.0)
    return {"base": base, "row": base.view(3, 4)[1], "col": base.view(3, 4)[:, 2], "alias": base}


@pytest.mark.parametrize("direction", ["mutograd->torch", "torch->mutograd"])
def test_views_stay_views_of_one_storage(torch, direction):
    save, load, lib = (
        (mutograd.save, torch.load, mutograd)
        if direction == "mutograd->torch"
        else (torch.save, mutograd.load, torch)
    )
    loaded = _via_buffer(save, load, _views(lib))
    ptr = loaded["base"].untyped_storage().data_ptr()
    assert all(t.untyped_storage().data_ptr() == ptr for t in loaded.values())
    assert loaded["alias"] is loaded["base"]
    assert loaded["row"].storage_offset() == 4 and loaded["col"].stride() == (4,)
    # A write through one is seen by the others, as in PyTorch.
    loaded["base"].mul_(-1)
    assert loaded["row"].tolist() == [-4.0, -5.0, -6.0, -7.0]
    assert loaded["col"].tolist() == [-2.0, -6.0, -10.0]


def _containers(lib):
    return {
        "nested": {"a": [lib.ones(2), (lib.zeros(1), {"deep": lib.tensor([1, 2])})]},
        "scalars": (1, 2.5, float("inf"), "text", None, True, b"raw", {3, 4}),
        "dtype": lib.float64,
        "size": lib.Size([2, 3]),
        "device": lib.device("cpu"),
        "ordered": OrderedDict(b=1, a=2),
        "param": lib.nn.Parameter(lib.ones(3)),
        "frozen": lib.nn.Parameter(lib.ones(1), requires_grad=False),
        "leaf": lib.ones(2, requires_grad=True),
        3: "int key",
        (1, 2): "tuple key",
    }


def _check_containers(loaded, lib):
    assert loaded["nested"]["a"][1][1]["deep"].tolist() == [1, 2]
    assert loaded["nested"]["a"][0].tolist() == [1.0, 1.0]
    scalars = loaded["scalars"]
    assert scalars[:3] == (1, 2.5, float("inf")) and scalars[3:] == (
        "text",
        None,
        True,
        b"raw",
        {3, 4},
    )
    assert loaded["dtype"] is lib.float64
    assert type(loaded["size"]) is lib.Size and tuple(loaded["size"]) == (2, 3)
    assert loaded["device"] == lib.device("cpu")
    assert type(loaded["ordered"]) is OrderedDict and list(loaded["ordered"]) == ["b", "a"]
    assert isinstance(loaded["param"], lib.nn.Parameter) and loaded["param"].requires_grad
    assert isinstance(loaded["frozen"], lib.nn.Parameter) and not loaded["frozen"].requires_grad
    assert loaded["leaf"].requires_grad and loaded["leaf"].is_leaf
    assert loaded[3] == "int key" and loaded[(1, 2)] == "tuple key"


def test_containers_mutograd_to_torch(torch):
    _check_containers(_via_buffer(mutograd.save, torch.load, _containers(mutograd)), torch)


def test_containers_torch_to_mutograd(torch):
    _check_containers(_via_buffer(torch.save, mutograd.load, _containers(torch)), mutograd)


def _model(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))


def _train(lib, model, opt, steps=3):
    lib.manual_seed(0)
    for i in range(steps):
        x = lib.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3) * (i + 1))
        opt.zero_grad()
        model(x).pow(2).sum().backward()
        opt.step()


@pytest.mark.parametrize("direction", ["mutograd->torch", "torch->mutograd"])
def test_state_dicts_and_optimizer_states_cross_over(torch, direction):
    src_lib, dst_lib = (mutograd, torch) if direction == "mutograd->torch" else (torch, mutograd)
    save, load = src_lib.save, dst_lib.load
    src_model = _model(src_lib)
    src_opt = src_lib.optim.Adam(src_model.parameters(), lr=0.01, amsgrad=True)
    _train(src_lib, src_model, src_opt)
    checkpoint = _via_buffer(
        save, load, {"model": src_model.state_dict(), "optim": src_opt.state_dict(), "epoch": 3}
    )
    dst_model = _model(dst_lib)
    assert repr(dst_model.load_state_dict(checkpoint["model"])) == "<All keys matched successfully>"
    dst_opt = dst_lib.optim.Adam(dst_model.parameters(), lr=0.5, amsgrad=True)
    dst_opt.load_state_dict(checkpoint["optim"])
    assert dst_opt.param_groups[0]["lr"] == 0.01 and checkpoint["epoch"] == 3
    # Training goes on alike on both sides (a lost optimizer state, lr 0.5 instead of
    # 0.01 or fresh moments, would be off by far more than float32 rounding).
    _train(src_lib, src_model, src_opt, steps=2)
    _train(dst_lib, dst_model, dst_opt, steps=2)
    for a, b in zip(src_model.state_dict().values(), dst_model.state_dict().values(), strict=True):
        np.testing.assert_allclose(_values(a), _values(b), rtol=1e-5, atol=1e-6)


def test_torch_whole_module_with_weights_only_false(torch):
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    loaded = _via_buffer(torch.save, mutograd.load, model, weights_only=False)
    assert isinstance(loaded, mutograd.nn.Sequential)
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(
        loaded(mutograd.tensor(x)).detach().numpy(),
        model(torch.tensor(x)).detach().numpy(),
        rtol=1e-6,
    )


def test_paths_file_objects_and_map_locations(torch, tmp_path):
    path = tmp_path / "weights.pt"
    torch.save({"w": torch.arange(3.0)}, path)
    for kwargs in (
        {},
        {"map_location": "cpu"},
        {"map_location": mutograd.device("cpu")},
        {"map_location": {"cpu": "cpu"}},
        {"map_location": lambda storage, location: storage},
        {"mmap": True},
    ):
        assert mutograd.load(path, **kwargs)["w"].tolist() == [0.0, 1.0, 2.0]
        assert mutograd.load(str(path), **kwargs)["w"].tolist() == [0.0, 1.0, 2.0]
    with open(path, "rb") as handle:
        assert mutograd.load(handle)["w"].tolist() == [0.0, 1.0, 2.0]
    with open(path, "rb") as handle, pytest.raises(ValueError, match="file path"):
        mutograd.load(handle, mmap=True)
    out = tmp_path / "mine.pt"
    with open(out, "wb") as handle:
        mutograd.save({"w": mutograd.arange(2.0)}, handle)
    assert torch.load(out)["w"].tolist() == [0.0, 1.0]


def test_cuda_checkpoints_need_a_map_location(torch):
    buffer = io.BytesIO()
    torch.save(torch.ones(2), buffer)
    for location in ("cuda", "cuda:0", {"cpu": "cuda:0"}):
        buffer.seek(0)
        with pytest.raises(RuntimeError) as theirs:
            torch.load(buffer, map_location=location)
        buffer.seek(0)
        with pytest.raises(RuntimeError) as ours:
            mutograd.load(buffer, map_location=location)
        assert str(ours.value) == str(theirs.value)


def test_legacy_torch_format_is_refused_clearly(torch):
    buffer = io.BytesIO()
    torch.save(torch.ones(2), buffer, _use_new_zipfile_serialization=False)
    buffer.seek(0)
    with pytest.raises(RuntimeError, match="legacy"):
        mutograd.load(buffer)


def test_map_location_may_be_a_torch_device_and_bad_ones_are_named(torch):
    buffer = io.BytesIO()
    mutograd.save(mutograd.ones(1), buffer)
    buffer.seek(0)
    assert mutograd.load(buffer, map_location=torch.device("cpu")).tolist() == [1.0]
    buffer.seek(0)
    with pytest.raises(TypeError, match="map_location of type int"):
        mutograd.load(buffer, map_location=3)

    def broken(storage, location):
        raise KeyError("nope")

    buffer.seek(0)
    with pytest.raises(RuntimeError, match="map_location raised KeyError"):
        mutograd.load(buffer, map_location=broken)
