"""``mutograd.save`` / ``mutograd.load``: tensors and state dicts in a safe, documented format.

Note [The .npz checkpoint format]
---------------------------------
A checkpoint is a NumPy ``.npz`` archive (a zip of ``.npy`` files), readable
with ``numpy.load(path, allow_pickle=False)``:

* ``t0``, ``t1``, ... : one array per distinct tensor, in its dtype and shape
  (C order). A tensor that appears several times in the object is stored once
  and loads as one object again (tied weights stay tied).
* ``__mutograd__`` : a 0-d unicode array holding a JSON document,
  ``{"format": "mutograd-npz", "version": 1, "root": <node>}``.

A node is a JSON object with a ``"type"``:

    tensor     {"key": "t0", "dtype": "float32", "requires_grad": false, "parameter": false}
    dict       {"items": [[<key node>, <value node>], ...], "ordered": bool,
                "metadata": <node> or absent}       (state_dict()._metadata)
    list/tuple {"items": [<node>, ...]}
    int/bool/str/none  {"value": ...}
    float      {"value": repr(x)}                   (exact, including inf and nan)
    dtype      {"value": "float32"}

Nothing is pickled and nothing is executed on load: only these node types are
understood, and the arrays are read with ``allow_pickle=False``. Unlike
``torch.save``, views are stored as their values (not as views of a shared
storage), and only the object types above can be saved.
"""

from __future__ import annotations

import io
import json
import os
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from . import _dtype
from ._creation import from_numpy
from ._tensor import Tensor
from .nn.parameter import Parameter

__all__ = ["load", "save"]

_FORMAT = "mutograd-npz"
_VERSION = 1
_STRUCTURE = "__mutograd__"


class _Writer:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.memo: dict[int, str] = {}

    def node(self, obj: Any) -> dict:
        if isinstance(obj, Tensor):
            return self.tensor(obj)
        if isinstance(obj, dict):
            node = {
                "type": "dict",
                "ordered": isinstance(obj, OrderedDict),
                "items": [[self.node(k), self.node(v)] for k, v in obj.items()],
            }
            metadata = getattr(obj, "_metadata", None)
            if metadata is not None:
                node["metadata"] = self.node(metadata)
            return node
        if isinstance(obj, (list, tuple)):
            kind = "tuple" if isinstance(obj, tuple) else "list"
            return {"type": kind, "items": [self.node(v) for v in obj]}
        if obj is None:
            return {"type": "none"}
        if isinstance(obj, bool):
            return {"type": "bool", "value": obj}
        if isinstance(obj, int):
            return {"type": "int", "value": int(obj)}
        if isinstance(obj, float):
            return {"type": "float", "value": repr(float(obj))}
        if isinstance(obj, str):
            return {"type": "str", "value": obj}
        if isinstance(obj, _dtype.dtype):
            return {"type": "dtype", "value": obj._name}
        raise TypeError(
            f"mutograd.save cannot store an object of type {type(obj).__name__}: checkpoints hold "
            "tensors, dicts, lists, tuples, numbers, strings, None and dtypes"
        )

    def tensor(self, t: Tensor) -> dict:
        key = self.memo.get(id(t))
        if key is None:
            key = f"t{len(self.arrays)}"
            self.memo[id(t)] = key
            # NB: not np.ascontiguousarray, which turns 0-d arrays into 1-d ones.
            self.arrays[key] = np.array(t._data, order="C")
        return {
            "type": "tensor",
            "key": key,
            "dtype": t.dtype._name,
            "requires_grad": bool(t.requires_grad),
            "parameter": isinstance(t, Parameter),
        }


def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Save tensors, state dicts and plain containers to ``f`` (a path or a binary file).

    See Note [The .npz checkpoint format]; the file name is used as given.

    >>> import io, mutograd as torch
    >>> buffer = io.BytesIO()
    >>> torch.save({"w": torch.ones(2)}, buffer)
    >>> _ = buffer.seek(0)
    >>> torch.load(buffer)
    {'w': tensor([1., 1.])}
    """
    writer = _Writer()
    root = writer.node(obj)
    document = json.dumps({"format": _FORMAT, "version": _VERSION, "root": root})
    arrays = dict(writer.arrays)
    arrays[_STRUCTURE] = np.array(document)
    if isinstance(f, (str, os.PathLike)):
        # NB: np.savez would append ".npz" to a file name; writing to an open file keeps it.
        with open(f, "wb") as handle:
            np.savez(handle, **arrays)
    else:
        np.savez(f, **arrays)


class _Reader:
    def __init__(self, archive: Any) -> None:
        self.archive = archive
        self.memo: dict[str, Tensor] = {}

    def node(self, node: dict) -> Any:
        kind = node["type"]
        if kind == "tensor":
            return self.tensor(node)
        if kind == "dict":
            items = [(self.node(k), self.node(v)) for k, v in node["items"]]
            out = OrderedDict(items) if node["ordered"] else dict(items)
            if "metadata" in node:
                out._metadata = self.node(node["metadata"])
            return out
        if kind == "list":
            return [self.node(v) for v in node["items"]]
        if kind == "tuple":
            return tuple(self.node(v) for v in node["items"])
        if kind == "none":
            return None
        if kind in ("bool", "int", "str"):
            return node["value"]
        if kind == "float":
            return float(node["value"])
        if kind == "dtype":
            return _dtype._by_name(node["value"])
        raise ValueError(f"mutograd.load: unknown node type {kind!r} in checkpoint")

    def tensor(self, node: dict) -> Tensor:
        key = node["key"]
        if key not in self.memo:
            array = np.array(self.archive[key], copy=True)
            t = from_numpy(array)
            if t.dtype._name != node["dtype"]:
                raise ValueError(
                    f"mutograd.load: array {key} has dtype {t.dtype._name}, expected {node['dtype']}"
                )
            if node["parameter"]:
                t = Parameter(t, requires_grad=node["requires_grad"])
            elif node["requires_grad"]:
                t.requires_grad_(True)
            self.memo[key] = t
        return self.memo[key]


def load(
    f: str | os.PathLike | IO[bytes],
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
) -> Any:
    """Load an object saved by ``mutograd.save`` (never unpickles; see the format note).

    ``map_location`` may only name the CPU; ``weights_only`` is accepted for
    PyTorch compatibility (loading is always restricted to the safe types).
    """
    if map_location is not None and str(map_location).split(":")[0] != "cpu":
        raise RuntimeError(f"mutograd supports only the CPU device, not {map_location!r}")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as handle:
            data = handle.read()
    else:
        data = f.read()
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        if _STRUCTURE not in archive.files:
            raise RuntimeError(
                "mutograd.load: not a mutograd checkpoint (no __mutograd__ entry); files saved "
                "with torch.save (pickle) are not read"
            )
        document = json.loads(str(archive[_STRUCTURE]))
        if document.get("format") != _FORMAT or document.get("version") != _VERSION:
            raise RuntimeError(
                f"mutograd.load: unsupported checkpoint format {document.get('format')!r} "
                f"version {document.get('version')!r}"
            )
        return _Reader(archive).node(document["root"])
