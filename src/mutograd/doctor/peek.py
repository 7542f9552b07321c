"""Reading saved tensors without checking them, for drawing.

While :func:`peek_records` is active, the recorder's unpack hook hands back
the saved tensor and notes its record instead of running the version check,
so a picture of a broken graph can be drawn.  A module of its own, free of
torch, so that both the recorder and the drawing import it (neither imports
the other for it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

#: one list per active peek_records(): the records unpacked meanwhile
peek_stack: list[list[Any]] = []


@contextlib.contextmanager
def peek_records() -> Iterator[list[Any]]:
    """While active, unpacking a doctor-saved tensor records it instead of checking it."""
    seen: list[Any] = []
    peek_stack.append(seen)
    try:
        yield seen
    finally:
        peek_stack.pop()
