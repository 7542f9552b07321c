"""Whether a step is being captured (mutograd.graphs), read at the kernel seam.

Kept in a module of its own, below every other, so that the kernel runner
(_dispatch.run_kernel), the copies around it and the host reads (``.item()``,
printing) can all check it with one global lookup and no import cycle.
"""

from __future__ import annotations

# The recorder of the graph being captured, else None (see mutograd.graphs).
recorder = None


class CaptureError(RuntimeError):
    """What cannot be captured: the analogue of CUDA's "operation not permitted when
    stream is capturing"."""


def refuse(what: str) -> None:
    """Raise when ``what`` (a host read of tensor values) runs during a capture."""
    if recorder is not None:
        raise CaptureError(
            f"mutograd.graphs: {what} is not permitted while a graph is being captured: "
            "it reads tensor values on the host, and a captured graph replays kernels "
            "without returning to Python. Move it outside the `with mutograd.graphs.graph(g):` "
            "block (read the static outputs after g.replay())."
        )


def copied(dst, src) -> None:
    """Record ``np.copyto(dst, src)`` done outside the kernel runner (casts, layouts)."""
    if recorder is not None:
        recorder.copy(dst, src)
