"""mutograd doctor: find the in-place write that breaks backward in PyTorch programs.

Public API::

    with mutograd.doctor.watch(early=False, paranoid=False): ...
    @mutograd.doctor.watched               # or @mutograd.doctor.watch()
    mutograd.doctor.draw(tensor, "graph.svg")
    mutograd.doctor.main(["script.py", ...])  # the `mutograd doctor` command
    %load_ext mutograd.doctor                 # IPython/Jupyter: every later cell
    pytest --mutograd-doctor                  # the pytest plugin

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


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext mutograd.doctor``: watch every later cell (see doctor.notebook)."""
    importlib.import_module(".notebook", __name__).load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext mutograd.doctor``."""
    importlib.import_module(".notebook", __name__).unload(ipython)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
