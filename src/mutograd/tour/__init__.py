"""``python -m mutograd tour``: the lesson on in-place operations, run live."""

from .lesson import STEPS, main, run_tour

__all__ = ["STEPS", "main", "run_tour"]
