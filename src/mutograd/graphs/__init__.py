"""``mutograd.graphs``: capture a step once, replay it without Python's per-op cost.

Mirrors ``torch.cuda.graphs`` on the CPU: ``Graph``, the ``graph`` context
manager and ``make_graphed_callables``. See ``_recorder`` for how a capture
becomes a flat program of NumPy kernel calls over static buffers.
"""

from __future__ import annotations

from .._capture import CaptureError
from ._graph import Graph, graph, is_current_stream_capturing
from ._graphed import make_graphed_callables

__all__ = [
    "CaptureError",
    "Graph",
    "graph",
    "is_current_stream_capturing",
    "make_graphed_callables",
]
