"""``mutograd.autograd``: the public autograd surface, re-exported."""

from .._location import _Recording
from . import functional, graph, graph_tools
from . import tensor_methods as _tensor_methods  # noqa: F401  (installs Tensor.backward ...)
from .engine import backward, grad
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
)
from .gradcheck import gradcheck, gradgradcheck
from .graph import Node
from .inference import is_inference
from .variable import Variable

# torch.autograd.graph's helpers beyond Node live in graph_tools (they sit above
# the engine, which graph.py sits below); the public module shows them all.
for _name in graph_tools.__all__:
    setattr(graph, _name, getattr(graph_tools, _name))


def set_record_locations(mode: bool) -> None:
    """Turn mutograd's recording of op locations (the "where" in errors) on or off."""
    _Recording.enabled = bool(mode)


__all__ = [
    "Function",
    "FunctionCtx",
    "Node",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "is_inference",
    "no_grad",
    "once_differentiable",
    "set_detect_anomaly",
    "set_grad_enabled",
    "set_record_locations",
    "Variable",
]
