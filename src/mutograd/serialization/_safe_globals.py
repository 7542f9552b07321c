"""``torch.serialization.add_safe_globals`` & co.: the user's weights-only allow-list.

As PyTorch's, entries are objects (keyed by ``module.qualname``) or
``(object, "module.name")`` pairs for objects saved under another name.
"""

from __future__ import annotations

from typing import Any

_USER_GLOBALS: list[Any] = []


def _key(entry) -> str:
    if isinstance(entry, tuple):
        return entry[1]
    return f"{entry.__module__}.{entry.__qualname__}"


def _object(entry):
    return entry[0] if isinstance(entry, tuple) else entry


def add_safe_globals(safe_globals: list) -> None:
    """Mark these globals safe to load with ``weights_only=True``."""
    _USER_GLOBALS.extend(safe_globals)


def get_safe_globals() -> list:
    """The globals added by ``add_safe_globals`` (a copy)."""
    return list(_USER_GLOBALS)


def clear_safe_globals() -> None:
    """Forget every global added by ``add_safe_globals``."""
    _USER_GLOBALS.clear()


class safe_globals:
    """``with safe_globals([...]):`` these globals are also safe to load inside the block."""

    def __init__(self, safe_globals: list) -> None:
        self.safe_globals = list(safe_globals)
        self.before: list = []

    def __enter__(self) -> None:
        self.before = list(_USER_GLOBALS)
        _USER_GLOBALS.extend(self.safe_globals)

    def __exit__(self, *exc) -> None:
        _USER_GLOBALS[:] = self.before


def user_allowed() -> dict[str, Any]:
    return {_key(entry): _object(entry) for entry in _USER_GLOBALS}
