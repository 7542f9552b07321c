"""Where in the user's code an operation ran: the first frame outside mutograd.

This is what lets mutograd's errors name the line of an in-place write and of
the forward op that saved a tensor, which PyTorch's errors cannot do.
"""

from __future__ import annotations

import os
import sys
import traceback

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_getframe = sys._getframe


class _Recording:
    """Whether op locations are recorded (on by default; ``mutograd.autograd.set_record_locations``)."""

    enabled = True
    # Set by the engine while it runs backward formulas without create_graph: the views
    # and writes they make are its own temporaries, whose location no message names.
    paused = False


def user_location(depth: int = 2):
    """(filename, lineno, function) of the nearest caller outside the package, or None."""
    if not _Recording.enabled or _Recording.paused:
        return None
    frame = _getframe(depth)
    prefix = _PACKAGE_DIR
    while frame is not None and frame.f_code.co_filename.startswith(prefix):
        frame = frame.f_back
    if frame is None:
        return None
    return (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)


def format_location(location) -> str:
    if location is None:
        return "<unknown location>"
    filename, lineno, function = location
    return f"{filename}:{lineno} (in {function})"


def user_stack() -> list:
    """The formatted stack of user frames (mutograd's own frames dropped), oldest first.

    What anomaly mode records for each node, as PyTorch records the Python stack
    of the forward call.
    """
    frames = traceback.extract_stack(_getframe(1))
    kept = [f for f in frames if not f.filename.startswith(_PACKAGE_DIR)]
    return traceback.format_list(kept)
