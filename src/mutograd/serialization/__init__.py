"""``torch.save`` / ``torch.load`` in PyTorch's own checkpoint format.

Files written by ``mutograd.save`` load in PyTorch with
``torch.load(path, weights_only=True)`` and files written by ``torch.save``
load in mutograd: see Note [PyTorch's zip checkpoint layout] (the container),
Note [How tensors are pickled] (the object stream) and Note [Loading never
runs the file's code] (``weights_only``). The legacy pre-1.6 format is not read.
"""

from __future__ import annotations

import io
import mmap as _mmap
import os
import pickle
import pickletools
import struct
import sys
import zipfile
from typing import IO, Any

import numpy as np

from .._device import device
from ._pickler import BYTEORDER, Pickler, storage_bytes
from ._safe_globals import (
    add_safe_globals,
    clear_safe_globals,
    get_safe_globals,
    safe_globals,
    user_allowed,
)
from ._unpickler import LoadedStorage, Unpickler, allowed
from ._zipformat import ZipReader, ZipWriter, archive_name

__all__ = [
    "DEFAULT_PROTOCOL",
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "get_unsafe_globals_in_checkpoint",
    "load",
    "safe_globals",
    "save",
]

DEFAULT_PROTOCOL = 2

_CUDA_LOCATION = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
    "If you are running on a CPU-only machine, please use torch.load with "
    "map_location=torch.device('cpu') to map your storages to the CPU."
)


def save(
    obj: Any,
    f: str | os.PathLike | IO[bytes],
    pickle_module: Any = pickle,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save ``obj`` to ``f`` (a path or a binary file) in PyTorch's zip checkpoint format.

    >>> import io, mutograd as torch
    >>> buffer = io.BytesIO()
    >>> torch.save({"w": torch.ones(2)}, buffer)
    >>> _ = buffer.seek(0)
    >>> torch.load(buffer)
    {'w': tensor([1., 1.])}
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError(
            "torch.save(_use_new_zipfile_serialization=False) is not supported by mutograd yet: "
            "it writes only the zip checkpoint format"
        )
    stream = io.BytesIO()
    pickler = Pickler(stream, pickle_protocol)
    pickler.dump(obj)
    writer = ZipWriter(archive_name(f))
    writer.write_record("data.pkl", stream.getvalue())
    writer.write_record(".format_version", b"1")
    writer.write_record(".storage_alignment", b"64")
    if not _disable_byteorder_record:
        writer.write_record("byteorder", BYTEORDER.encode())
    for ref in pickler.records:
        writer.write_record(f"data/{ref.key}", storage_bytes(ref))
    data = writer.finish()
    # NB: the whole archive is built before the file is touched, so a failed save
    # (an unpicklable object) leaves no partial file behind.
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as handle:
            handle.write(data)
    else:
        f.write(data)


def _read_bytes(f, use_mmap: bool):
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as handle:
            if use_mmap:
                return _mmap.mmap(handle.fileno(), 0, access=_mmap.ACCESS_COPY)
            return handle.read()
    if use_mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    data = f.read()
    if not isinstance(data, bytes):
        raise TypeError(f"mutograd.load: expected a binary file, but read {type(data).__name__}")
    return data


def _check_map_location(map_location) -> None:
    if map_location is None or isinstance(map_location, (str, dict, device)):
        return
    if hasattr(map_location, "type") or callable(map_location):
        return
    raise TypeError(
        f"mutograd.load: map_location of type {type(map_location).__name__} is not understood"
    )


def _target_location(map_location, storage: LoadedStorage, location: str) -> str:
    if map_location is None:
        return location
    if isinstance(map_location, dict):
        return str(map_location.get(location, location))
    if isinstance(map_location, (str, device)) or hasattr(map_location, "type"):
        # A string or a device, mutograd's or PyTorch's: both print as "cpu", "cuda:0"...
        return str(map_location)
    try:
        result = map_location(storage, location)
    except Exception as e:
        raise RuntimeError(f"mutograd.load: map_location raised {type(e).__name__}: {e}") from e
    return location if result is None else "cpu"


def _check_location(location: str) -> None:
    kind = location.split(":")[0]
    if kind == "cpu":
        return
    if kind == "cuda":
        raise RuntimeError(_CUDA_LOCATION)
    raise RuntimeError(
        f"mutograd.load: device {location!r} is not available; mutograd has only the CPU"
    )


def load(
    f: str | os.PathLike | IO[bytes],
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Load a checkpoint written by ``torch.save`` or ``mutograd.save``.

    ``weights_only=True`` (the default) loads tensors, containers and the
    allow-listed types only, never running code from the file; pass
    ``weights_only=False`` for whole modules from a trusted source.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    _check_map_location(map_location)
    data = _read_bytes(f, bool(mmap))
    if bytes(data[:4]) != b"PK\x03\x04" and len(data) >= 2 and bytes(data[:2]) == b"\x80\x02":
        raise RuntimeError(
            "mutograd.load: this checkpoint is in PyTorch's legacy (pre-1.6) format, which "
            "mutograd does not read; load it in PyTorch and save it again with torch.save"
        )
    reader = ZipReader(data)
    byteorder = "little"
    if reader.has_record("byteorder"):
        byteorder = reader.read_record("byteorder").decode("ascii", "replace")
        if byteorder not in ("little", "big"):
            raise RuntimeError(f"Unknown endianness type: {byteorder}")
    storages: dict[str, LoadedStorage] = {}

    def load_storage(key: str, dtype, numel: int, location: str) -> LoadedStorage:
        if key in storages:
            return storages[key]
        raw = reader.record_buffer(f"data/{key}")
        if numel < 0 or len(raw) != numel * dtype.itemsize:
            raise RuntimeError(
                f"mutograd.load: malformed checkpoint: storage {key} holds {len(raw)} bytes, "
                f"expected {numel} elements of {dtype}"
            )
        if byteorder == sys.byteorder:
            array = np.frombuffer(raw, dtype=dtype._np)
        else:
            array = np.frombuffer(raw, dtype=dtype._np.newbyteorder("S"))
        if not array.dtype.isnative or isinstance(raw, bytes) or not array.flags.writeable:
            array = array.astype(dtype._np, copy=True)  # native order, writable, owned
        # NB: else (mmap=True) the storage stays a private copy-on-write map of the file.
        storage = LoadedStorage(array, dtype)
        _check_location(_target_location(map_location, storage, location))
        storages[key] = storage
        return storage

    stream = io.BytesIO(reader.read_record("data.pkl"))
    unpickler = Unpickler(
        stream, weights_only=weights_only, load_storage=load_storage, **pickle_load_args
    )
    try:
        return unpickler.load()
    except pickle.UnpicklingError as e:
        if str(e).startswith(("Weights only load failed", "mutograd.load")):
            raise
        raise _malformed(e) from e
    except (NotImplementedError, RuntimeError, AssertionError):
        raise
    except (
        EOFError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        struct.error,
        OverflowError,
        MemoryError,
        RecursionError,
        UnicodeDecodeError,
        zipfile.BadZipFile,
    ) as e:
        raise _malformed(e) from e


def _malformed(e: Exception) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(
        f"mutograd.load: the checkpoint's data.pkl is malformed or truncated "
        f"({type(e).__name__}: {e})"
    )


def get_unsafe_globals_in_checkpoint(f: str | os.PathLike | IO[bytes]) -> list[str]:
    """The GLOBALs a checkpoint names that ``weights_only=True`` would refuse."""
    reader = ZipReader(_read_bytes(f, False))
    names: list[str] = []
    strings: list[str] = []
    for opcode, arg, _ in pickletools.genops(reader.read_record("data.pkl")):
        if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        if opcode.name == "GLOBAL":
            module, name = arg.split(" ", 1)
        elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
            module, name = strings[-2], strings[-1]
        else:
            continue
        full = f"{module}.{name}"
        try:
            known = allowed(full, module, name) is not None or full in user_allowed()
        except NotImplementedError:  # a dtype mutograd lacks is still a safe name
            known = True
        if not known and full not in names:
            names.append(full)
    return names
