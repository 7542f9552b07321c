"""The recorder: what a capture keeps of each kernel call, and the flat program it builds.

While a graph is captured, ``_dispatch.run_kernel`` hands every call to
``Recorder.run``: the step still runs eagerly (Python control flow, autograd,
the optimizer), and each NumPy kernel call is kept as a closure over the very
arrays it read and wrote. Those arrays stay alive with the graph: they are its
static buffers (PyTorch's private memory pool of a CUDA graph). A result the
kernel allocated becomes a buffer that replay writes into (``out=`` when the
kernel takes it, else a copy), so every later call that read it reads the new
values. Results that are views of an operand (reshape, transpose, expand) need
no replay: they see their operand's buffer.

As a CUDA graph's capture, which records work without doing it, a capture
leaves the state it found: the arrays that existed before it and were written
by it (parameters, optimizer state, gradients, static inputs, running stats),
the version counters of their tensors and the default generator are restored
when the capture ends, as are the generators it drew from; the first ``replay()`` then
does the first step.
"""

from __future__ import annotations

import gc

import numpy as np

from .. import _capture, _dtype
from .._dispatch import call_forward, run_kernel
from .._generator import default_generator
from .._npquiet import SILENT, loud, set_errstate
from .._storage import VersionCounter
from .._tensor import Tensor

# Ops whose output shape depends on tensor values: a replay could not reuse the buffer.
DATA_DEPENDENT = frozenset(
    {
        "nonzero",
        "argwhere",
        "masked_select",
        "unique",
        "unique_consecutive",
        "_unique",
        "_unique2",
        "repeat_interleave",
        "bincount",
    }
)


def _has_mask(inputs) -> bool:
    """Whether an index list (``Tensor?[]``) among ``inputs`` holds a bool mask."""
    for x in inputs:
        if isinstance(x, (list, tuple)):
            for index in x:
                if isinstance(index, Tensor) and index.dtype is _dtype.bool_:
                    return True
    return False


def _root(array: np.ndarray) -> np.ndarray:
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


class Recorder:
    def __init__(self) -> None:
        self.steps: list = []  # closures, in the order the eager step ran them
        self.keep: list = []  # every array a step reads or writes: the static buffers
        self.produced: set[int] = set()  # ids of root arrays allocated by the capture
        self.saved: dict[int, tuple] = {}  # id(root) -> (root, its values before the capture)
        self.versions: dict = {}  # VersionCounter -> its version when first seen
        self.generators = {default_generator: default_generator.get_state()}
        # The version counters that exist before the capture: only their tensors are the
        # eager step's lasting state (a tensor made inside the step, such as dropout's
        # mask, keeps the versions the capture gave it, as a fresh eager tensor would).
        # NB: the objects are held, so that no counter made later can reuse an id.
        self._counters = [o for o in gc.get_objects() if type(o) is VersionCounter]
        self._existing = {id(o) for o in self._counters}

    # -- what the seam calls -------------------------------------------------------------

    def run(self, op, arrays, attrs, inputs, out):
        name = op.name.split(".")[0]
        if name in DATA_DEPENDENT:
            _capture.refuse(f"{name}() (its output shape depends on tensor values)")
        if name == "index" and _has_mask(inputs):
            # NB: x[mask] is PyTorch's index.Tensor with a bool index, which is a
            # nonzero() of the mask inside the kernel.
            _capture.refuse("nonzero() (its output shape depends on tensor values)")
        for k, x in enumerate(inputs):
            self._see(x, arrays[k] if k < len(arrays) else None)
        generator = attrs.get("generator")
        if generator is not None and generator not in self.generators:
            # A generator passed by the step: restored too, and advanced by each replay.
            self.generators[generator] = generator.get_state()
        if out is not None:
            self._external(out)
        previous, _capture.recorder = _capture.recorder, None
        try:
            raw = run_kernel(op, arrays, attrs, inputs, out)
        finally:
            _capture.recorder = previous
        arrays = list(arrays)
        attrs = dict(attrs)
        operands = [a for a in _flat(arrays) if isinstance(a, np.ndarray)]
        self.keep.append(arrays)
        if out is not None:
            self.keep.append(out)
            self.steps.append(_kernel(op, arrays, attrs, out))
            return raw
        if isinstance(raw, (tuple, list)):
            raw = tuple(np.asarray(a) for a in raw)
            buffers = [None if _is_view(a, operands) else self._buffer(a) for a in raw]
            if any(b is not None for b in buffers):
                self.steps.append(_copy_many(_kernel(op, arrays, attrs, None), buffers))
            return raw
        if type(raw) is not np.ndarray:
            raw = np.asarray(raw)
        if _is_view(raw, operands):
            return raw  # NB: a view of a buffer follows it; nothing to replay
        self._buffer(raw)
        if isinstance(op.forward, np.ufunc) and raw.ndim:
            # NB: only a ufunc's out= is sure to mean "the whole result here": other forwards
            # take out= for their in-place form (masked_fill_ writes only the masked places).
            self.steps.append(_kernel(op, arrays, attrs, raw))
        else:
            self.steps.append(_copy_into(raw, _kernel(op, arrays, attrs, None)))
        return raw

    def copy(self, dst: np.ndarray, src: np.ndarray) -> None:
        """A copy outside the kernel runner (a cast, a layout, an in-place result)."""
        root = _root(dst)
        if id(root) not in self.saved:
            self.produced.add(id(root))
        self.keep.append((dst, src))
        self.steps.append(_copy(dst, src))

    # -- bookkeeping ---------------------------------------------------------------------

    def _see(self, x, array) -> None:
        if isinstance(x, Tensor):
            vc = x._vc
            if id(vc) in self._existing and vc not in self.versions:
                self.versions[vc] = vc.version
            self._external(x._data)
            if isinstance(array, np.ndarray) and array is not x._data:
                # The kernel reads a cast of the tensor (to_arrays): replay casts again.
                self.copy(array, x._data)
        elif isinstance(x, (list, tuple)):
            for k, t in enumerate(x):
                self._see(t, array[k] if isinstance(array, list) else None)

    def _external(self, array: np.ndarray) -> None:
        """Save an array the capture did not allocate, to restore it when the capture ends."""
        root = _root(array)
        key = id(root)
        if key not in self.produced and key not in self.saved:
            self.saved[key] = (root, root.copy())

    def _buffer(self, array: np.ndarray) -> np.ndarray:
        self.produced.add(id(_root(array)))
        self.keep.append(array)
        return array

    def restore(self) -> dict:
        """Undo the capture's writes to what existed before it; return the version deltas."""
        for root, values in self.saved.values():
            np.copyto(root, values)
        for generator, state in self.generators.items():
            generator.set_state(state)
        self._counters = self._existing = None
        deltas = {}
        for vc, version in self.versions.items():
            if vc.version != version:
                deltas[vc] = vc.version - version
                vc.version = version
        return deltas


def _flat(arrays):
    for a in arrays:
        if isinstance(a, list):
            yield from a
        else:
            yield a


def _is_view(result: np.ndarray, operands) -> bool:
    # NB: may_share_memory compares bounds only: a fresh allocation never overlaps an operand.
    return any(np.may_share_memory(result, a) for a in operands)


def _kernel(op, arrays, attrs, out):
    forward = op.forward
    if op.forward_plan is None:
        args = tuple(arrays)
        if out is None:
            return lambda: forward(*args, **attrs)
        keywords = dict(attrs, out=out)
        return lambda: forward(*args, **keywords)
    return lambda: call_forward(op, arrays, attrs, out)


def _copy_into(buffer: np.ndarray, kernel):
    copyto = np.copyto
    return lambda: copyto(buffer, kernel(), casting="unsafe")


def _copy_many(kernel, buffers):
    copyto = np.copyto

    def step():
        for buffer, value in zip(buffers, kernel(), strict=True):
            if buffer is not None:
                copyto(buffer, value, casting="unsafe")

    return step


def _copy(dst, src):
    copyto = np.copyto
    return lambda: copyto(dst, src, casting="unsafe")


def run_steps(steps) -> None:
    token = set_errstate(SILENT)
    try:
        for step in steps:
            step()
    finally:
        loud(token)
