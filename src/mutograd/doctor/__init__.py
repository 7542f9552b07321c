"""mutograd doctor: find the in-place write that breaks backward in PyTorch programs.

Public API::

    with mutograd.doctor.watch(early=False, paranoid=False): ...
    @mutograd.doctor.watched               # or @mutograd.doctor.watch()
    mutograd.doctor.draw(tensor, "graph.svg")
    mutograd.doctor.main(["script.py", ...])  # the `mutograd doctor` command

Importing this package does not import torch (so the command can explain a
missing torch); ``watch``, ``watched`` and ``draw`` import it on first use.
Modules here import only torch, the standard library and each other.
"""

from __future__ import annotations

import importlib
from typing import Any

from .cli import main
from .errors import (
    DiagnosedError,
    DoctorError,
    GraphvizMissingWarning,
    InplaceModificationError,
    InplaceWriteWarning,
    SilentModificationError,
)

__all__ = [
    "DiagnosedError",
    "DoctorError",
    "GraphvizMissingWarning",
    "InplaceModificationError",
    "InplaceWriteWarning",
    "SilentModificationError",
    "draw",
    "main",
    "watch",
    "watched",
]

_LAZY = {"watch": "recorder", "watched": "recorder", "draw": "drawing"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
