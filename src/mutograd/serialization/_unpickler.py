"""Unpickling for ``mutograd.load``: a restricted unpickler for ``weights_only=True``.

Note [Loading never runs the file's code]
-----------------------------------------
A pickle can only call what its GLOBAL opcodes name, and every name goes
through ``find_class``. With ``weights_only=True`` (the default, as PyTorch
2.6+), ``find_class`` answers only from an allow-list: the names PyTorch
itself allows (tensor and parameter rebuilders, storage classes, dtypes,
``torch.Size``, ``torch.device``, ``collections.OrderedDict``, ``set``...),
each mapped to mutograd's own object, plus what the user added with
``add_safe_globals``. Anything else raises PyTorch's ``UnpicklingError``
before it is imported, so no code from the file ever runs. With
``weights_only=False`` any name is imported, as pickle does, and ``torch.*``
names are looked up in the same places under ``mutograd``.
"""

from __future__ import annotations

import _compat_pickle
import importlib
import pickle
from codecs import encode
from collections import Counter, OrderedDict

import numpy as np

from .. import _dtype
from .._device import device
from .._storage import storage_extent, strided_view
from .._tensor import Size, Tensor, _new
from ..nn.parameter import Parameter
from ._names import (
    DTYPE_OF_STORAGE,
    STORAGE_NAMES,
    TORCH_DTYPE_NAMES,
    StorageType,
    dtype_named,
)
from ._safe_globals import user_allowed

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source."
)
DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default "
    "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)


def unsupported_global_error(full_path: str) -> pickle.UnpicklingError:
    """PyTorch's error for a GLOBAL outside the weights-only allow-list, word for word."""
    reason = (
        f"Unsupported global: GLOBAL {full_path} was not an allowed global by default. Please "
        f"use `torch.serialization.add_safe_globals([{full_path}])` or the "
        f"`torch.serialization.safe_globals([{full_path}])` context manager to allowlist this "
        "global if you trust this class/function."
    )
    return pickle.UnpicklingError(
        "Weights only load failed. This file can still be loaded, to do so you have two options, "
        "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
        f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please "
        "check the recommended steps in the following error message.\n\tWeightsUnpickler error: "
        + reason
        + DOCS_MESSAGE
    )


class LoadedStorage:
    """A storage read from the checkpoint: a flat array of its elements."""

    __slots__ = ("array", "dtype")

    def __init__(self, array: np.ndarray, dtype) -> None:
        self.array = array
        self.dtype = dtype

    def size(self) -> int:
        return self.array.size


def _check_geometry(storage, offset, size, stride) -> tuple:
    ints = (offset, *size, *stride)
    if not isinstance(storage, LoadedStorage) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in ints
    ):
        raise RuntimeError(
            "mutograd.load: malformed checkpoint: a tensor's storage or geometry is invalid"
        )
    if len(size) != len(stride) or any(n < 0 for n in ints):
        raise RuntimeError(
            f"mutograd.load: malformed checkpoint: sizes {list(size)} and strides {list(stride)} "
            "do not describe a tensor"
        )
    needed = storage_extent(size, stride, offset)
    if needed > storage.array.size:
        # NB: PyTorch's setStorage bounds check, in its words.
        itemsize = storage.array.itemsize
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {itemsize} requiring a storage size of {needed * itemsize} are out of "
            f"bounds for storage of size {storage.array.size * itemsize}"
        )
    return tuple(size), tuple(stride)


def _rebuild_tensor(storage, storage_offset, size, stride, dtype=None) -> Tensor:
    size, stride = _check_geometry(storage, storage_offset, size, stride)
    root = storage.array
    if dtype is not None and dtype is not storage.dtype:
        # An untyped storage (bytes) read as ``dtype`` (``_rebuild_tensor_v3``).
        if root.nbytes % dtype.itemsize:
            raise RuntimeError(
                "mutograd.load: malformed checkpoint: storage size is not a multiple of the dtype"
            )
        root = root.view(dtype._np)
        storage = LoadedStorage(root, dtype)
        size, stride = _check_geometry(storage, storage_offset, size, stride)
    data = strided_view(root, size, stride, storage_offset)
    return _new(data, storage.dtype, storage=root)


def _set_requires_grad(t: Tensor, requires_grad) -> Tensor:
    if requires_grad:
        if not t.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        t._requires_grad = True
    return t


def _rebuild_tensor_v1(storage, storage_offset, size, stride):
    return _rebuild_tensor(storage, storage_offset, size, stride)


def _rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
):
    t = _rebuild_tensor(storage, storage_offset, size, stride)
    return _set_requires_grad(t, requires_grad)


def _rebuild_tensor_v3(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None
):
    t = _rebuild_tensor(storage, storage_offset, size, stride, dtype)
    return _set_requires_grad(t, requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    if not isinstance(data, Tensor):
        raise RuntimeError("mutograd.load: malformed checkpoint: a Parameter without a tensor")
    return Parameter(data, bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    param = _rebuild_parameter(data, requires_grad, backward_hooks)
    if state:
        raise NotImplementedError(
            "mutograd.load: Parameters carrying extra Python attributes are not supported by "
            "mutograd yet"
        )
    return param


def _rebuild_from_type_v2(func, new_type, args, state):
    result = func(*args)
    if new_type is Parameter and not isinstance(result, Parameter):
        result = Parameter(result, result.requires_grad)
    elif new_type not in (Tensor, Parameter):
        raise NotImplementedError(
            f"mutograd.load: tensor subclass {new_type!r} is not supported by mutograd yet"
        )
    if state:
        raise NotImplementedError(
            "mutograd.load: tensors carrying extra Python attributes are not supported by "
            "mutograd yet"
        )
    return result


def _torch_device(*args):
    return device(*args)


# PyTorch's weights-only allow-list, by the name a checkpoint uses, mapped to mutograd.
_ALLOWED = {
    "collections.OrderedDict": OrderedDict,
    "collections.Counter": Counter,
    "torch.nn.parameter.Parameter": Parameter,
    "torch.Size": Size,
    "torch.Tensor": Tensor,
    "torch.device": _torch_device,
    "_codecs.encode": encode,  # how protocol 2 pickles bytes
    "builtins.bytearray": bytearray,
    "builtins.set": set,
    "builtins.complex": complex,
    "torch._utils._rebuild_tensor": _rebuild_tensor_v1,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
    "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    "torch.UntypedStorage": StorageType("UntypedStorage"),
    "torch.storage.UntypedStorage": StorageType("UntypedStorage"),
}
for _name in STORAGE_NAMES.values():
    _ALLOWED[f"torch.{_name}"] = StorageType(_name)


def allowed(full_path: str, module: str, name: str):
    """The allow-listed object for a GLOBAL, or None."""
    if full_path in _ALLOWED:
        return _ALLOWED[full_path]
    if module == "torch" and name in TORCH_DTYPE_NAMES:
        return dtype_named(name)
    return None


class Unpickler(pickle.Unpickler):
    """Reads ``data.pkl``; storages come from the archive through persistent ids."""

    def __init__(self, file, *, weights_only: bool, load_storage, **kwargs) -> None:
        super().__init__(file, **kwargs)
        self.weights_only = weights_only
        self.load_storage = load_storage
        self.user_allowed = user_allowed() if weights_only else {}

    def find_class(self, module: str, name: str):
        # NB: protocol 2 writes Python 2 names (``__builtin__.set``); read them as pickle does.
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full_path = f"{module}.{name}"
        found = allowed(full_path, module, name)
        if found is not None:
            return found
        if self.weights_only:
            if full_path in self.user_allowed:
                return self.user_allowed[full_path]
            raise unsupported_global_error(full_path)
        if module == "torch" or module.startswith("torch."):
            return _mutograd_counterpart(module, name)
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage":
            raise pickle.UnpicklingError(
                f"mutograd.load: malformed checkpoint: unknown persistent id {pid!r:.80}"
            )
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, StorageType):
            raise pickle.UnpicklingError("mutograd.load: malformed checkpoint: bad storage type")
        if storage_type.name == "UntypedStorage":
            dtype = _dtype.uint8
        else:
            dtype = dtype_named(DTYPE_OF_STORAGE.get(storage_type.name, storage_type.name))
        return self.load_storage(str(key), dtype, int(numel), str(location))


def _mutograd_counterpart(module: str, name: str):
    """``torch.nn.modules.linear.Linear`` -> mutograd's, for weights_only=False checkpoints."""
    target = "mutograd" + module[len("torch") :]
    try:
        obj = importlib.import_module(target)
        for part in name.split("."):
            obj = getattr(obj, part)
        return obj
    except (ImportError, AttributeError, NotImplementedError):
        raise NotImplementedError(
            f"{module}.{name} is not supported by mutograd yet; the checkpoint refers to it"
        ) from None
