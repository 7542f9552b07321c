"""PyTorch's checkpoint container: a zip archive of uncompressed records.

Note [PyTorch's zip checkpoint layout]
--------------------------------------
``torch.save`` (PyTorch >= 1.6) writes a zip archive, every record stored
uncompressed under one top-level folder (the file's stem, or ``archive`` for a
buffer)::

    <name>/data.pkl                 the object, pickled (protocol 2); tensors refer
                                    to storages by key through persistent ids
    <name>/.format_version          "1"
    <name>/.storage_alignment       "64"
    <name>/byteorder                "little" or "big"
    <name>/data/<key>               the raw bytes of one storage
    <name>/version                  "3\\n"
    <name>/.data/serialization_id   a 40-digit identifier of this save

As PyTorch does, each record's data starts on a 64-byte boundary (padding goes
into the local header's extra field, tagged ``FB``), so a reader can map
storages straight from the file. The zip itself is written with Python's
``zipfile``; only the padding is ours.
"""

from __future__ import annotations

import io
import os
import secrets
import struct
import zipfile

ALIGNMENT = 64
_LOCAL_HEADER_SIZE = 30  # the fixed part of a zip local file header

# PyTorch's reader's text for a file that is not a whole zip archive.
_CORRUPTED = (
    "PytorchStreamReader failed reading zip archive: {what}. This is an internal miniz error. "
    "If you are seeing this error, there is a high likelihood that your checkpoint file is "
    "corrupted. This can happen if the checkpoint was not saved properly, was transferred "
    "incorrectly, or the file was modified after saving."
)


def archive_name(f) -> str:
    """The top-level folder torch.save uses: the file's stem, or ``archive`` for buffers."""
    if isinstance(f, (str, os.PathLike)):
        base = os.path.basename(os.fspath(f))
        stem = base.rsplit(".", 1)[0] if "." in base else base
        return stem or "archive"
    return "archive"


class ZipWriter:
    """Writes records into an in-memory zip, each record's data 64-byte aligned."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_STORED)

    def write_record(self, record: str, data: bytes) -> None:
        filename = f"{self.name}/{record}"
        info = zipfile.ZipInfo(filename, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        start = self.buffer.tell() + _LOCAL_HEADER_SIZE + len(filename.encode("utf-8")) + 4
        padding = -start % ALIGNMENT
        info.extra = b"FB" + struct.pack("<H", padding) + b"Z" * padding
        self.zip.writestr(info, data)

    def finish(self) -> bytes:
        # NB: PyTorch writes a random 40-digit id last; any digits do.
        self.write_record("version", b"3\n")
        self.write_record(".data/serialization_id", str(secrets.randbits(128)).zfill(40).encode())
        self.zip.close()
        return self.buffer.getvalue()


class ZipReader:
    """Reads the records of a PyTorch zip checkpoint: ``data`` is its bytes or an mmap."""

    def __init__(self, data) -> None:
        if len(data) < 4 or bytes(data[:4]) != b"PK\x03\x04":
            raise RuntimeError(_CORRUPTED.format(what="not a ZIP archive"))
        self.data = data
        try:
            self.zip = zipfile.ZipFile(
                io.BytesIO(data) if isinstance(data, bytes) else _MmapFile(data)
            )
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as e:
            raise RuntimeError(_CORRUPTED.format(what="failed finding central directory")) from e
        if not infos or "/" not in infos[0].filename:
            raise RuntimeError(_CORRUPTED.format(what="failed finding central directory"))
        self.prefix = infos[0].filename.split("/", 1)[0]
        self.infos = {info.filename: info for info in infos}

    def has_record(self, record: str) -> bool:
        return f"{self.prefix}/{record}" in self.infos

    def _info(self, record: str) -> zipfile.ZipInfo:
        info = self.infos.get(f"{self.prefix}/{record}")
        if info is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {record}: file not found")
        return info

    def read_record(self, record: str) -> bytes:
        info = self._info(record)
        try:
            return self.zip.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as e:
            raise RuntimeError(_CORRUPTED.format(what=f"failed reading file {record}")) from e

    def record_buffer(self, record: str):
        """The record's bytes: for an mmap'd file, a zero-copy window onto the mapping."""
        info = self._info(record)
        if isinstance(self.data, bytes) or info.compress_type != zipfile.ZIP_STORED:
            return self.read_record(record)
        header = bytes(self.data[info.header_offset : info.header_offset + _LOCAL_HEADER_SIZE])
        if len(header) < _LOCAL_HEADER_SIZE or header[:4] != b"PK\x03\x04":
            raise RuntimeError(_CORRUPTED.format(what=f"failed reading file {record}"))
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = info.header_offset + _LOCAL_HEADER_SIZE + name_len + extra_len
        if start + info.file_size > len(self.data):
            raise RuntimeError(_CORRUPTED.format(what=f"failed reading file {record}"))
        return memoryview(self.data)[start : start + info.file_size]


class _MmapFile(io.RawIOBase):
    """A read-only file over an mmap (mmap itself lacks ``seekable`` for zipfile)."""

    def __init__(self, mapped) -> None:
        self.mapped = mapped
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self.pos, len(self.mapped))[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def readinto(self, buffer) -> int:
        chunk = self.mapped[self.pos : self.pos + len(buffer)]
        buffer[: len(chunk)] = chunk
        self.pos += len(chunk)
        return len(chunk)
