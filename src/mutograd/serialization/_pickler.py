"""Pickling for ``mutograd.save``: PyTorch's own pickle stream, written by mutograd.

Note [How tensors are pickled]
------------------------------
As ``torch.save``, the object is pickled with protocol 2 and each tensor becomes
``torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride,
requires_grad, OrderedDict())``; a Parameter wraps that in
``torch._utils._rebuild_parameter(data, requires_grad, OrderedDict())``. The
storage is a persistent id ``("storage", torch.<Type>Storage, key, "cpu",
numel)`` whose bytes go to the record ``data/<key>``. Tensors that share a
storage (a base and its views) name the same key, so views stay views.

These names are written as plain GLOBAL opcodes (``_Global``): mutograd never
imports torch to save. Everything else (a whole Module with weights_only=False
loading) is pickled by reference to mutograd's classes, as pickle does.
"""

from __future__ import annotations

import pickle
import sys
from collections import OrderedDict

import numpy as np

from .. import _dtype
from .._device import device
from .._tensor import Size, Tensor
from ..nn.parameter import Parameter
from ._names import STORAGE_NAMES


class _Global:
    """A module-level name written into the pickle as ``GLOBAL module name``."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def __call__(self, *args):
        # NB: pickle's save_reduce requires a callable; the name is only ever written.
        raise TypeError(f"{self.module}.{self.name} is a name written into checkpoints")


_GLOBALS: dict[tuple[str, str], _Global] = {}


def _global(module: str, name: str) -> _Global:
    # One object per name, so the pickler memoizes it like torch's (BINGET on reuse).
    key = (module, name)
    if key not in _GLOBALS:
        _GLOBALS[key] = _Global(module, name)
    return _GLOBALS[key]


class _StorageRef:
    """One storage of the checkpoint: its key, dtype and root array."""

    __slots__ = ("key", "dtype", "array")

    def __init__(self, key: str, dtype, array: np.ndarray) -> None:
        self.key = key
        self.dtype = dtype
        self.array = array


def _memory_order(array: np.ndarray) -> np.ndarray | None:
    """The elements of ``array`` in memory order, as a 1-d view; None if not one block."""
    if array.flags.c_contiguous:
        return array.reshape(-1)
    if array.flags.f_contiguous:
        return array.reshape(-1, order="F")
    return None


class Pickler(pickle._Pickler):
    """The pure-Python pickler, taught PyTorch's tensor and storage encoding."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol: int) -> None:
        super().__init__(file, protocol)
        self.storages: dict[int, _StorageRef] = {}  # id(root array) -> storage
        self.records: list[_StorageRef] = []

    def _save_global_ref(self, obj: _Global) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    dispatch[_Global] = _save_global_ref

    def save(self, obj, save_persistent_id=True):
        # NB: a dtype is pickled by name, as torch's (``GLOBAL torch float32``).
        if type(obj) is _dtype.dtype:
            obj = _global("torch", obj._name)
        super().save(obj, save_persistent_id)

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            storage_type = _global("torch", STORAGE_NAMES[obj.dtype._name])
            return ("storage", storage_type, obj.key, "cpu", obj.array.size)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if type(obj) is Size:
            return (_global("torch", "Size"), (tuple(obj),))
        if type(obj) is device:
            return (_global("torch", "device"), (str(obj),))
        return NotImplemented

    def _reduce_tensor(self, t: Tensor):
        if isinstance(t, Parameter):
            rebuild = _global("torch._utils", "_rebuild_parameter")
            return (rebuild, (t.detach(), t.requires_grad, OrderedDict()))
        storage, offset, stride = self._storage_of(t)
        args = (storage, offset, tuple(t.shape), stride, t.requires_grad, OrderedDict())
        return (_global("torch._utils", "_rebuild_tensor_v2"), args)

    def _storage_of(self, t: Tensor):
        """The storage ``t`` lives in, with its offset and strides there (see the Note)."""
        root = t._storage
        flat = _memory_order(root) if root.dtype == t._data.dtype else None
        if flat is not None:
            ref = self.storages.get(id(root))
            if ref is None:
                ref = self._new_storage(t.dtype, flat)
                self.storages[id(root)] = ref
            return ref, t.storage_offset(), t.stride()
        # A tensor whose root is not one block of its dtype is saved as its own copy.
        copy = np.array(t._data, order="C")
        ref = self._new_storage(t.dtype, copy.reshape(-1))
        strides = tuple(s // copy.itemsize for s in copy.strides) if copy.ndim else ()
        return ref, 0, strides

    def _new_storage(self, dtype, flat: np.ndarray) -> _StorageRef:
        ref = _StorageRef(str(len(self.records)), dtype, flat)
        self.records.append(ref)
        return ref


def storage_bytes(ref: _StorageRef) -> bytes:
    """A storage's bytes in this machine's byte order (recorded in ``byteorder``)."""
    array = ref.array
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array.tobytes()


BYTEORDER = sys.byteorder
