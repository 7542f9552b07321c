"""mutograd.save / mutograd.load: round trips, PyTorch's zip format, and refusals."""

from __future__ import annotations

import io
import pickle
import struct
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import mutograd as torch


def _round_trip(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer)


def test_tensors_of_every_dtype_and_shape():
    tensors = [
        torch.tensor(1.5),
        torch.arange(6).view(2, 3),
        torch.ones(0, 2),
        torch.tensor([True, False]),
        torch.tensor([1, 2], dtype=torch.uint8),
        torch.tensor([1.0, 2.0], dtype=torch.float64),
        torch.tensor([0.5], dtype=torch.float16),
        torch.arange(12.0).view(3, 4).t(),
    ]
    loaded = _round_trip(tensors)
    for before, after in zip(tensors, loaded, strict=True):
        assert after.dtype is before.dtype and after.shape == before.shape
        assert (after == before).all()
        # As torch.load: the strides and storage offset are kept, the version starts afresh.
        assert after.stride() == before.stride() and after._version == 0


def test_requires_grad_and_parameters_survive():
    p = torch.nn.Parameter(torch.ones(2))
    frozen = torch.nn.Parameter(torch.ones(1), requires_grad=False)
    leaf = torch.ones(3, requires_grad=True)
    loaded = _round_trip({"p": p, "frozen": frozen, "leaf": leaf, "plain": torch.zeros(1)})
    assert isinstance(loaded["p"], torch.nn.Parameter) and loaded["p"].requires_grad
    assert isinstance(loaded["frozen"], torch.nn.Parameter) and not loaded["frozen"].requires_grad
    assert loaded["leaf"].requires_grad and loaded["leaf"].is_leaf
    assert not loaded["plain"].requires_grad


def test_shared_tensors_stay_shared():
    t = torch.arange(3.0)
    loaded = _round_trip({"a": t, "b": t, "c": [t]})
    assert loaded["a"] is loaded["b"] is loaded["c"][0]


def test_containers_and_scalars():
    obj = {
        "int": 3,
        "float": 0.1,
        "inf": float("inf"),
        "nan": float("nan"),
        "str": "x",
        "none": None,
        "bool": True,
        "tuple": (1, (2.5, "y")),
        "list": [1, [2]],
        1: "int key",
        (1, 2): "tuple key",
        "dtype": torch.float64,
    }
    loaded = _round_trip(obj)
    assert (
        loaded["float"] == 0.1 and loaded["inf"] == float("inf") and loaded["nan"] != loaded["nan"]
    )
    assert loaded["tuple"] == (1, (2.5, "y")) and loaded["list"] == [1, [2]]
    assert loaded[1] == "int key" and loaded[(1, 2)] == "tuple key"
    assert loaded["dtype"] is torch.float64 and loaded["none"] is None and loaded["bool"] is True
    assert type(_round_trip(OrderedDict(a=1))) is OrderedDict


def test_module_state_dict_round_trip_keeps_metadata():
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    model(torch.randn(4, 3))
    sd = _round_trip(model.state_dict())
    assert list(sd) == list(model.state_dict())
    assert sd._metadata == model.state_dict()._metadata
    other = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    assert repr(other.load_state_dict(sd)) == "<All keys matched successfully>"
    for key, value in model.state_dict().items():
        assert (other.state_dict()[key] == value).all()


def test_optimizer_state_dict_round_trip():
    w = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.Adam([w], lr=0.1, amsgrad=True)
    w.grad = torch.ones(3)
    opt.step()
    saved = _round_trip(opt.state_dict())
    assert saved["param_groups"][0]["betas"] == (0.9, 0.999)
    w2 = torch.nn.Parameter(w.detach().clone())
    opt2 = torch.optim.Adam([w2], lr=0.1, amsgrad=True)
    opt2.load_state_dict(saved)
    for p in (w, w2):
        p.grad = torch.full((3,), 0.5)
    opt.step()
    opt2.step()
    assert (w == w2).all()
    assert opt2.state[w2]["step"].item() == 2.0


def test_paths_are_used_as_given(tmp_path):
    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2)}, path)
    assert path.exists() and not (tmp_path / "model.pt.npz").exists()
    assert (torch.load(str(path), map_location="cpu")["w"] == 1).all()


def test_the_format_is_pytorchs_zip_archive(tmp_path):
    path = tmp_path / "checkpoint.pt"
    torch.save({"weight": torch.arange(4.0).view(2, 2), "step": 3}, path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names == [
            "checkpoint/data.pkl",
            "checkpoint/.format_version",
            "checkpoint/.storage_alignment",
            "checkpoint/byteorder",
            "checkpoint/data/0",
            "checkpoint/version",
            "checkpoint/.data/serialization_id",
        ]
        assert archive.read("checkpoint/version") == b"3\n"
        assert archive.read("checkpoint/byteorder") == sys.byteorder.encode()
        np.testing.assert_array_equal(
            np.frombuffer(archive.read("checkpoint/data/0"), np.float32), np.arange(4.0)
        )
        # PyTorch aligns every record's data to 64 bytes so storages can be mapped.
        with open(path, "rb") as handle:
            raw = handle.read()
        for info in archive.infolist():
            name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26 :][:4])
            assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        assert len(archive.read("checkpoint/.data/serialization_id")) == 40


def test_buffers_use_the_archive_folder():
    buffer = io.BytesIO()
    torch.save(torch.ones(1), buffer)
    assert zipfile.ZipFile(buffer).namelist()[0] == "archive/data.pkl"


def test_whole_modules_need_weights_only_false():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh())
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="mutograd.nn.modules.container.Sequential"):
        torch.load(buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)
    x = torch.randn(4, 2)
    assert torch.equal(loaded(x), model(x)) and loaded is not model


def test_unpicklable_objects_fail_before_the_file_is_written(tmp_path):
    path = tmp_path / "bad.pt"
    with pytest.raises((TypeError, AttributeError, pickle.PicklingError)):
        torch.save({"f": lambda: 1, "w": torch.ones(2)}, path)
    assert not path.exists()


def test_plain_pickles_are_never_loaded():
    buffer = io.BytesIO(pickle.dumps({"a": 1}))
    with pytest.raises(RuntimeError, match="not a ZIP archive"):
        torch.load(buffer)
    legacy = io.BytesIO(pickle.dumps({"a": 1}, protocol=2))
    with pytest.raises(RuntimeError, match="legacy"):
        torch.load(legacy)


def test_map_location_cuda_is_refused_as_pytorch_on_a_cpu_build():
    buffer = io.BytesIO()
    torch.save(torch.ones(1), buffer)
    buffer.seek(0)
    with pytest.raises(RuntimeError, match="map your storages to the CPU"):
        torch.load(buffer, map_location="cuda:0")


def test_big_endian_checkpoints_are_read():
    from mutograd.serialization._zipformat import ZipWriter

    little = io.BytesIO()
    torch.save({"w": torch.arange(3.0), "i": torch.tensor([1, 256])}, little)
    archive = zipfile.ZipFile(little)
    writer = ZipWriter("archive")
    writer.write_record("data.pkl", archive.read("archive/data.pkl"))
    writer.write_record("byteorder", b"big")
    for key, dtype in (("0", ">f4"), ("1", ">i8")):
        native = np.frombuffer(archive.read(f"archive/data/{key}"), "<" + dtype[1:])
        writer.write_record(f"data/{key}", native.astype(dtype).tobytes())
    loaded = torch.load(io.BytesIO(writer.finish()))
    assert loaded["w"].tolist() == [0.0, 1.0, 2.0] and loaded["i"].tolist() == [1, 256]


def test_whole_modules_and_optimizers_keep_their_links():
    model = torch.nn.Linear(2, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    model(torch.ones(1, 2)).sum().backward()
    opt.step()
    loaded = _round_trip_unsafe({"model": model, "opt": opt})
    weight = loaded["model"].weight
    assert loaded["opt"].param_groups[0]["params"][0] is weight
    assert torch.equal(loaded["opt"].state[weight]["exp_avg"], opt.state[model.weight]["exp_avg"])


def _round_trip_unsafe(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=False)


def test_tensors_over_numpy_memory_of_any_layout():
    base = np.arange(12.0).reshape(3, 4)
    tensors = {
        "fortran": torch.from_numpy(np.asfortranarray(base)),
        "transposed": torch.from_numpy(base.T),
        "every_other": torch.from_numpy(base.reshape(-1)[::2]),  # not one block: saved as a copy
    }
    loaded = _round_trip(tensors)
    for name, before in tensors.items():
        assert loaded[name].tolist() == before.tolist(), name
    assert loaded["transposed"].stride() == tensors["transposed"].stride()
