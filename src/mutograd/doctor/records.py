"""What the doctor records: saved tensors, the writes into them, and aten schema facts."""

from __future__ import annotations

from typing import Any

import torch

from .frames import Where, WriteContext


class SavedRecord:
    """What the doctor knows about one tensor saved for backward.

    This object is what the pack hook returns, so autograd keeps it exactly as
    long as it keeps the saved tensor: its lifetime is the saved tensor's.
    """

    __slots__ = (
        "tensor",  # what unpack returns (a detached alias for outputs, see pack)
        "version",  # _version when saved
        "is_output",  # output of the saving node (else one of its inputs)
        "output_nr",
        "node_seq",  # sequence number of the saving node
        "node_name",  # e.g. "SigmoidBackward0", None until known
        "where",  # user line of the forward op
        "key",  # storage base address
        "lo",  # first byte of the saved tensor's memory
        "hi",  # one past its last byte
        "writes",  # list[Write], writes into this memory since it was saved
        "snapshot",  # paranoid mode: a copy of the values when saved
        "owner",  # the Recorder that made it
        "__weakref__",
    )

    def describe(self) -> str:
        """``float32[3, 4]``."""
        return f"{str(self.tensor.dtype).removeprefix('torch.')}{list(self.tensor.shape)}"

    def values_changed(self) -> bool:
        """Paranoid mode: the values differ from the copy taken when saved."""
        return self.snapshot is not None and not same_bits(self.snapshot, self.tensor)

    @property
    def stale(self) -> bool:
        """True when PyTorch would refuse to use this tensor in backward."""
        return self.tensor._version != self.version


class WriteSite:
    """One in-place aten op call that wrote into memory holding saved tensors."""

    __slots__ = ("op", "context", "grad_enabled", "arg", "is_out", "shape")

    def __init__(
        self,
        op: str,
        context: WriteContext,
        grad_enabled: bool,
        arg: str,
        is_out: bool,
        shape: list[int],
    ):
        self.op = op  # e.g. "aten::add_.Tensor"
        self.context = context
        self.grad_enabled = grad_enabled
        self.arg = arg  # schema name of the written argument: "self", "out", ...
        self.is_out = is_out  # written through an out= (keyword-only) argument
        self.shape = shape  # shape of the tensor the op wrote to

    @property
    def where(self) -> Where | None:
        return self.context.where


class Write:
    """A WriteSite as seen by one saved tensor."""

    __slots__ = ("site", "before", "after", "relation", "target")

    def __init__(self, site: WriteSite, before: int, after: int, relation: str, target: Any = None):
        self.site = site
        self.before = before  # saved tensor's _version before the write
        self.after = after  # ... and after
        # how the written tensor relates to the saved one:
        # "itself", "view" (part of it), "base" (a larger tensor containing it),
        # "overlap", or "disjoint" (other memory, same version counter)
        self.relation = relation
        #: weak reference to the tensor the op wrote (a parameter, for an optimizer step)
        self.target = target

    @property
    def silent(self) -> bool:
        """The write did not move the saved tensor's version counter."""
        return self.before == self.after


def memory_extent(t: torch.Tensor) -> tuple[int, int, int] | None:
    """(storage base address, first byte, one past last byte), None if untrackable."""
    try:
        if t.numel() == 0:
            return None
        ptr = t.data_ptr()
        if ptr == 0:
            return None
        itemsize = t.element_size()
        span = 1
        for n, s in zip(t.shape, t.stride(), strict=True):
            span += (n - 1) * s
        return ptr - t.storage_offset() * itemsize, ptr, ptr + span * itemsize
    except Exception:  # sparse, meta, or wrapper-subclass tensors have no plain memory
        return None


def relation_to(lo: int, hi: int, rec: SavedRecord) -> str:
    """How written bytes [lo, hi) relate to the saved tensor's memory (see Write.relation)."""
    if lo == rec.lo and hi == rec.hi:
        return "itself"
    if rec.lo <= lo and hi <= rec.hi:
        return "view"
    if lo <= rec.lo and rec.hi <= hi:
        return "base"
    if lo < rec.hi and rec.lo < hi:
        return "overlap"
    return "disjoint"


# OpOverload -> ((position, schema name, is keyword-only), ...) of written args.
_written_args_cache: dict[Any, tuple[tuple[int, str, bool], ...]] = {}
# OpOverloads whose written tensor lists miss their version bump under a dispatch mode
FOREACH_WRITES: set[Any] = set()


def written_args(func: Any) -> tuple[tuple[int, str, bool], ...]:
    """The arguments an aten op writes, from its schema (``Tensor(a!)``), cached per op."""
    found = _written_args_cache.get(func)
    if found is None:
        try:
            arguments = func._schema.arguments
            name = func._schema.name
        except AttributeError:
            arguments, name = [], ""
        written = [
            (i, a)
            for i, a in enumerate(arguments)
            if a.alias_info is not None and a.alias_info.is_write
        ]
        found = tuple((i, a.name, a.kwarg_only) for i, a in written)
        _written_args_cache[func] = found
        # PyTorch 2.x bumps the version of every tensor that an in-place
        # _foreach_ op writes (optimizers use them), but not while a
        # TorchDispatchMode is active; the doctor puts the bumps back.
        if name.startswith("aten::_foreach_") and any(
            str(a.type).startswith("List[") for _, a in written
        ):
            FOREACH_WRITES.add(func)
    return found


def op_name(func: Any) -> str:
    """``aten::add_.Tensor``; ``aten::relu_`` for a default overload."""
    try:
        name, overload = func._schema.name, func._overloadname
    except AttributeError:
        return str(func)
    return name if overload == "default" else f"{name}.{overload}"


def first_tensor(out: Any) -> torch.Tensor | None:
    """The first tensor among an op's outputs."""
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (tuple, list)):
        for item in out:
            if isinstance(item, torch.Tensor):
                return item
    return None


def same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Bitwise equality (so NaNs compare equal to themselves)."""
    try:
        return torch.equal(a.reshape(-1).view(torch.uint8), b.reshape(-1).view(torch.uint8))
    except Exception:  # dtypes that cannot be viewed as bytes
        return bool(torch.equal(a, b))
