"""``Graph`` and the ``graph`` context manager (PyTorch's torch.cuda.CUDAGraph / graph)."""

from __future__ import annotations

from .. import _capture
from ._recorder import Recorder, run_steps


def is_current_stream_capturing() -> bool:
    """True while a graph is being captured (torch.cuda.is_current_stream_capturing)."""
    return _capture.recorder is not None


class Graph:
    """A captured step: ``capture_begin``/``capture_end`` (or ``with graph(g):``), then
    ``replay()`` as often as wanted; ``reset()`` frees it.

    As a CUDA graph, the capture does not do the step: what existed before it
    (parameters, optimizer state, gradients, static inputs, the default
    generator) is as it was when the capture ends, and each ``replay()`` does the
    step once, on whatever the static inputs hold, writing the same tensors the
    eager step would write and bumping their versions as it would.
    """

    def __init__(self, keep_graph: bool = False) -> None:
        self._steps = None
        self._deltas: tuple = ()
        self._buffers = None
        self._recorder = None

    def capture_begin(self, pool=None, capture_error_mode: str = "global") -> None:
        if self._steps is not None:
            raise RuntimeError(
                "mutograd.graphs: this Graph has already been captured; call reset() first"
            )
        if _capture.recorder is not None:
            raise RuntimeError("mutograd.graphs: a graph is already being captured")
        self._recorder = Recorder()
        _capture.recorder = self._recorder

    def capture_end(self) -> None:
        recorder = self._recorder
        if recorder is None or _capture.recorder is not recorder:
            raise RuntimeError("mutograd.graphs: capture_end() without capture_begin()")
        _capture.recorder = None
        self._recorder = None
        self._deltas = tuple(recorder.restore().items())
        self._steps = tuple(recorder.steps)
        self._buffers = recorder.keep

    def _abort(self) -> None:
        """A capture that raised: restore what it wrote and keep nothing."""
        recorder = self._recorder
        _capture.recorder = None
        self._recorder = None
        if recorder is not None:
            recorder.restore()

    def replay(self) -> None:
        steps = self._steps
        if steps is None:
            raise RuntimeError("mutograd.graphs: replay() called on a Graph that was not captured")
        run_steps(steps)
        # Each tensor the eager step writes moves its version as many times (autograd's
        # in-place checks see the same counters after a replay as after an eager step).
        for vc, delta in self._deltas:
            vc.version += delta

    def reset(self) -> None:
        self._steps = None
        self._deltas = ()
        self._buffers = None

    def pool(self):
        """No memory pools on the CPU; accepted for PyTorch's signature."""
        return None

    def debug_dump(self, path: str) -> None:
        raise NotImplementedError("mutograd.graphs.Graph.debug_dump is not supported")

    def __len__(self) -> int:
        """The number of kernel calls (and copies) one replay runs."""
        return 0 if self._steps is None else len(self._steps)


class graph:
    """``with mutograd.graphs.graph(g): out = step(static_input)`` captures into ``g``.

    As ``torch.cuda.graph``; ``pool`` and ``stream`` are accepted and ignored
    (there is one CPU stream and no memory pool).
    """

    def __init__(self, cuda_graph: Graph, pool=None, stream=None, capture_error_mode="global"):
        self.graph = cuda_graph
        self.pool = pool
        self.capture_error_mode = capture_error_mode

    def __enter__(self) -> None:
        # NB: PyTorch collects garbage here to free GPU memory for the graph's pool; on the
        # CPU there is no pool, and a collection would cost more than the capture.
        self.graph.capture_begin(self.pool, self.capture_error_mode)

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            self.graph._abort()
            return False
        self.graph.capture_end()
        return False
