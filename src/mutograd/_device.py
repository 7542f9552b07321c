"""``torch.device`` and the default device, as on a CPU-only build of PyTorch.

Note [A CPU-only build]
-----------------------
mutograd behaves like PyTorch 2.13 compiled without CUDA: ``torch.device("cuda:1")``
is a fine object, but anything that would put memory on it (a factory's
``device="cuda"``, ``.to("cuda")``, ``.cuda()``, ``set_default_device("cuda")``
followed by a factory) raises PyTorch's ``AssertionError: Torch not compiled
with CUDA enabled``, and ``torch.cuda.is_available()`` is False. Other
accelerators raise PyTorch's "not linked with support" error.
"""

from __future__ import annotations

import re

# PyTorch's device types, in the order its parser lists them.
_TYPES = (
    "cpu cuda ipu xpu mkldnn opengl opencl ideep hip ve fpga maia xla lazy vulkan mps meta hpu "
    "mtia privateuseone"
).split()

NO_ACCELERATOR = "Cannot access accelerator device when none is available."


def cuda_not_compiled() -> AssertionError:
    return AssertionError("Torch not compiled with CUDA enabled")


# A device string is a type name, optionally ":" and an index without leading zeros.
_SPEC = re.compile(r"([a-zA-Z_]+)(?::([1-9][0-9]*|0))?")


def _parse(spec: str) -> tuple[str, int | None]:
    match = _SPEC.fullmatch(spec)
    if match is None:
        raise RuntimeError(f"Invalid device string: '{spec}'")
    kind, index = match.groups()
    if kind not in _TYPES:
        raise RuntimeError(
            f"Expected one of {', '.join(_TYPES)} device type at start of device string: {spec}"
        )
    return kind, None if index is None else int(index)


class device:
    """``torch.device``: a device type and an optional index; prints as PyTorch's.

    >>> import mutograd as torch
    >>> torch.device("cuda", 1), str(torch.device("cpu"))
    (device(type='cuda', index=1), 'cpu')
    """

    __slots__ = ("type", "index", "_previous")

    def __init__(self, type, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            # NB: torch.device(0) means "accelerator 0"; a CPU-only build has none.
            raise RuntimeError(NO_ACCELERATOR)
        elif not isinstance(type, str):
            raise TypeError(
                "device() received an invalid combination of arguments - got "
                f"({builtins_type(type).__name__}), but expected one of:\n"
                " * (torch.device device)\n"
                "      didn't match because some of the arguments have invalid types: "
                f"(!{builtins_type(type).__name__}!)\n"
                " * (str type, int index = -1)\n"
            )
        else:
            kind, parsed = _parse(type)
            if parsed is not None and index is not None:
                raise RuntimeError(
                    "type (string) must not include an index because index was passed "
                    f"explicitly: {type}"
                )
            type, index = kind, parsed if parsed is not None else index
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(
                    "device(): argument 'index' (position 2) must be int, not "
                    f"{builtins_type(index).__name__}"
                )
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index
        self._previous = None

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        # NB: as PyTorch, a device never equals a string (``device("cpu") != "cpu"``).
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))

    # ``with torch.device("cpu"):`` makes it the default device inside the block.
    def __enter__(self) -> device:
        self._previous = _Default.device
        set_default_device(self)
        return self

    def __exit__(self, *exc) -> None:
        _Default.device = self._previous


builtins_type = type

CPU = device("cpu")


class _Default:
    """``torch.get_default_device()``'s value; None means the CPU."""

    device: device | None = None


def check(spec) -> None:
    """Raise PyTorch's error unless ``spec`` (a factory's or ``to``'s device) is the CPU."""
    if spec is None:
        if _Default.device is None:
            return
        spec = _Default.device
    kind = spec.type if isinstance(spec, device) else device(spec).type
    if kind == "cpu":
        return
    if kind == "cuda":
        raise cuda_not_compiled()
    if kind == "meta":
        raise NotImplementedError(
            "torch.device('meta') is not supported by mutograd yet; tensors live on the CPU"
        )
    raise RuntimeError(f"PyTorch is not linked with support for {kind} devices")


def set_default_device(spec) -> None:
    """``torch.set_default_device``: later factories create tensors there (see the Note)."""
    if spec is None:
        _Default.device = None
        return
    d = spec if isinstance(spec, device) else device(spec)
    _Default.device = None if d.type == "cpu" and d.index is None else d


def get_default_device() -> device:
    check(None)
    return CPU
