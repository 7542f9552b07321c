"""mutograd.load never runs code from a file by default, follows PyTorch's weights-only
allow-list (add_safe_globals & co.), and refuses malformed or truncated files clearly."""

from __future__ import annotations

import io
import pickle
import zipfile

import pytest
from conftest import requires_torch

import mutograd
from mutograd.serialization._zipformat import ZipWriter


class Point:
    """A user class, saved whole: only loadable once allow-listed."""

    def __init__(self, x=0):
        self.x = x


def _saved(obj, save=mutograd.save) -> bytes:
    buffer = io.BytesIO()
    save(obj, buffer)
    return buffer.getvalue()


def _load(data: bytes, **kwargs):
    return mutograd.load(io.BytesIO(data), **kwargs)


@requires_torch
def test_unknown_globals_raise_pytorchs_error_word_for_word(torch):
    data = _saved({"p": Point(3)}, save=torch.save)
    with pytest.raises(pickle.UnpicklingError) as theirs:
        torch.load(io.BytesIO(data))
    with pytest.raises(pickle.UnpicklingError) as ours:
        _load(data)
    assert str(ours.value) == str(theirs.value)
    assert f"GLOBAL {__name__}.Point was not an allowed global" in str(ours.value)


def test_safe_globals_allow_listed_classes():
    data = _saved({"p": Point(3)})
    mutograd.serialization.clear_safe_globals()
    with mutograd.serialization.safe_globals([Point]):
        assert mutograd.serialization.get_safe_globals() == [Point]
        assert _load(data)["p"].x == 3
    assert mutograd.serialization.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError):
        _load(data)
    mutograd.serialization.add_safe_globals([(Point, f"{__name__}.Point")])
    try:
        assert _load(data)["p"].x == 3
    finally:
        mutograd.serialization.clear_safe_globals()
    assert _load(data, weights_only=False)["p"].x == 3


@requires_torch
def test_safe_globals_api_matches_torch(torch):
    for lib in (torch, mutograd):
        before = lib.serialization.get_safe_globals()
        try:
            lib.serialization.add_safe_globals([Point])
            assert Point in lib.serialization.get_safe_globals()
            lib.serialization.clear_safe_globals()
            assert lib.serialization.get_safe_globals() == []
        finally:
            lib.serialization.clear_safe_globals()
            lib.serialization.add_safe_globals(before)


def _checkpoint_with_pickle(payload: bytes) -> bytes:
    writer = ZipWriter("archive")
    writer.write_record("data.pkl", payload)
    writer.write_record("byteorder", b"little")
    return writer.finish()


class _RunsCode:
    def __reduce__(self):
        return (print, ("this must never be printed",))


def test_code_in_a_checkpoint_is_never_run(capsys):
    data = _checkpoint_with_pickle(pickle.dumps({"x": _RunsCode()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="builtins.print was not an allowed global"):
        _load(data)
    assert capsys.readouterr().out == ""
    for protocol in (3, 4, 5):  # STACK_GLOBAL and friends go through the same gate
        data = _checkpoint_with_pickle(pickle.dumps(_RunsCode(), protocol=protocol))
        with pytest.raises(pickle.UnpicklingError):
            _load(data)
    assert capsys.readouterr().out == ""


@requires_torch
def test_get_unsafe_globals_in_checkpoint(torch):
    data = _saved({"p": Point(1), "w": torch.ones(1)}, save=torch.save)
    expected = torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data))
    assert mutograd.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == expected
    assert expected == [f"{__name__}.Point"]


def _good() -> bytes:
    x = mutograd.arange(12.0)
    return _saved({"x": x, "view": x[2:], "n": 3, "sd": mutograd.nn.Linear(2, 2).state_dict()})


CLEAR_ERRORS = (RuntimeError, pickle.UnpicklingError)


def test_every_truncation_gives_a_clear_error():
    data = _good()
    for cut in range(0, len(data), 7):
        with pytest.raises(CLEAR_ERRORS):
            _load(data[:cut])


def test_corrupted_bytes_give_a_clear_error_or_a_whole_result():
    data = _good()
    for position in range(0, len(data), 5):
        corrupted = bytearray(data)
        corrupted[position] ^= 0xFF
        try:
            loaded = _load(bytes(corrupted))
        except CLEAR_ERRORS + (NotImplementedError,):
            continue
        # A flip inside a storage's bytes changes values, never the structure.
        assert set(loaded) == {"x", "view", "n", "sd"}


def test_malformed_pickles_give_a_clear_error():
    valid = pickle.dumps({"a": 1}, protocol=2)
    for payload in (b"", b"\x80\x02", valid[:-1], b"\x80\x02}q\x00(X\x01", b"garbage", b"\xff"):
        with pytest.raises(pickle.UnpicklingError, match="malformed or truncated|Weights only"):
            _load(_checkpoint_with_pickle(payload))


def test_storage_bytes_and_geometry_are_checked():
    good = zipfile.ZipFile(io.BytesIO(_saved(mutograd.arange(4.0))))
    pkl = good.read("archive/data.pkl")
    # The storage record is shorter than the pickle says.
    writer = ZipWriter("archive")
    writer.write_record("data.pkl", pkl)
    writer.write_record("data/0", b"\x00" * 8)
    with pytest.raises(RuntimeError, match="malformed checkpoint: storage 0 holds 8 bytes"):
        _load(writer.finish())
    # The tensor claims more elements than its storage holds.
    too_big = pkl.replace(b"K\x04\x85", b"K\x09\x85", 1)
    assert too_big != pkl
    writer = ZipWriter("archive")
    writer.write_record("data.pkl", too_big)
    writer.write_record("data/0", good.read("archive/data/0"))
    with pytest.raises(RuntimeError, match="out of bounds for storage"):
        _load(writer.finish())
    # The data.pkl record is missing.
    writer = ZipWriter("archive")
    writer.write_record("data/0", good.read("archive/data/0"))
    with pytest.raises(RuntimeError, match="failed locating file data.pkl"):
        _load(writer.finish())


def test_pickle_module_and_weights_only_conflict_as_torch():
    with pytest.raises(RuntimeError, match="explicit pickle_module"):
        _load(_good(), pickle_module=pickle, weights_only=True)
    assert _load(_good(), pickle_module=pickle)["n"] == 3
