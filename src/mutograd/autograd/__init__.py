"""``mutograd.autograd``: the public autograd surface, re-exported."""

from .._location import _Recording
from . import functional
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
