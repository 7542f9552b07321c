"""Storage and version counters.

Note [Version counters and views]
---------------------------------
As in PyTorch, a base tensor and every view of it share one VersionCounter;
``detach()`` shares it too, while ``.data`` gets a fresh one (which is why
writes through ``.data`` escape autograd's checks). Every in-place write bumps
the shared counter exactly once, and a SavedTensor compares the version it
recorded at save time with the counter's value when backward unpacks it.

The storage itself is the root NumPy array that owns (or wraps) the memory:
views are NumPy views of it, so aliasing is NumPy's own.
"""

from __future__ import annotations

from collections import deque

import numpy as np

# How many recent writes a counter remembers for the "where" diagnosis. Writes
# older than the oldest live saved tensor are of no use, and long training runs
# write the same parameters millions of times: keep a short ring.
_MAX_WRITE_RECORDS = 16


class VersionCounter:
    """A version shared by a base and its views; see Note [Version counters and views]."""

    __slots__ = ("version", "writes")

    def __init__(self) -> None:
        self.version = 0
        # (version_after, op_name, location) for recent in-place writes; None until
        # watch(): writes nobody can be told about are not recorded (nor located).
        self.writes: deque | None = None

    def watch(self) -> None:
        """Start remembering writes: a saved tensor or a restricted view now depends on
        this counter, so a later error may have to name them."""
        if self.writes is None:
            self.writes = deque(maxlen=_MAX_WRITE_RECORDS)

    def record_write(self, op_name: str, location) -> None:
        if self.writes is not None:
            self.writes.append((self.version, op_name, location))

    def writes_since(self, version: int) -> list:
        """The recorded writes that took the counter past ``version``."""
        if not self.writes:
            return []
        return [w for w in self.writes if w[0] > version]


def data_ptr(array: np.ndarray) -> int:
    return array.__array_interface__["data"][0]


class UntypedStorage:
    """What ``tensor.untyped_storage()`` returns: a handle on the root buffer."""

    __slots__ = ("_array",)

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def data_ptr(self) -> int:
        return data_ptr(self._array)

    def nbytes(self) -> int:
        return self._array.nbytes

    def size(self) -> int:
        return self._array.nbytes

    def __len__(self) -> int:
        return self._array.nbytes

    def element_size(self) -> int:
        return 1


class _Interface:
    """Carries an ``__array_interface__`` so NumPy builds a view at any offset of a buffer."""

    __slots__ = ("__array_interface__", "base")

    def __init__(self, interface: dict, base: np.ndarray) -> None:
        self.__array_interface__ = interface
        self.base = base


def strided_view(storage: np.ndarray, shape, strides, offset: int) -> np.ndarray:
    """A writable view of ``storage`` with element ``shape``/``strides`` at element ``offset``.

    As ``torch.as_strided``: the geometry is relative to the start of the storage,
    not to any tensor's first element.
    """
    itemsize = storage.itemsize
    interface = dict(storage.__array_interface__)
    interface["data"] = (data_ptr(storage) + offset * itemsize, False)
    interface["shape"] = tuple(shape)
    interface["strides"] = tuple(s * itemsize for s in strides)
    interface.pop("mask", None)
    interface["version"] = 3
    return np.asarray(_Interface(interface, storage))


def storage_extent(shape, strides, offset: int) -> int:
    """Elements of storage needed to hold a tensor with this geometry."""
    if any(s == 0 for s in shape):
        return offset
    return (
        offset + 1 + sum((size - 1) * stride for size, stride in zip(shape, strides, strict=True))
    )
