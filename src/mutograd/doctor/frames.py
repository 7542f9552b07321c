"""Locate the user's line of code behind an aten op, cheaply.

"User code" is every frame outside the torch package and outside the doctor
itself, so code of other libraries (torchvision, ...) counts as user code: that
is where their in-place writes are.  We walk ``sys._getframe`` links instead of
``traceback.extract_stack`` because the pack hook runs for every saved tensor.
"""

from __future__ import annotations

import linecache
import os
import sys
import weakref
from types import CodeType, FrameType, TracebackType
from typing import Any, NamedTuple

import torch

_TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep
_DOCTOR_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_OPTIM_DIR = os.path.join(_TORCH_DIR, "optim") + os.sep
_INTERNAL_PREFIXES = (_TORCH_DIR, _DOCTOR_DIR)

# code object -> "is this torch/doctor code?"; filenames never change per code.
_internal_cache: dict[CodeType, bool] = {}
_CACHE_LIMIT = 50_000  # exec()-generated code in a loop must not grow it forever


class Where(NamedTuple):
    """A user-code location."""

    filename: str
    lineno: int
    function: str

    def short(self) -> str:
        """``file:line`` with the file relative to the working directory when inside it."""
        return f"{display_path(self.filename)}:{self.lineno}"

    def source(self) -> str:
        """The stripped source line, or '' when it cannot be read."""
        return linecache.getline(self.filename, self.lineno).strip()


class WriteContext(NamedTuple):
    """Where an in-place write came from."""

    where: Where | None
    #: e.g. "Adam.step()" when the write happened inside an optimizer step
    optimizer: str | None
    #: e.g. "ReLU(inplace=True).forward" when inside an nn.Module's forward
    module: str | None
    #: innermost torch Python function, e.g. "torch.nn.functional.relu"
    via: str | None
    #: e.g. "Clamp" when the write is in the forward of autograd.Function Clamp
    function: str | None
    #: weak reference to the optimizer whose step() wrote, when one did
    optimizer_ref: Any = None


def display_path(filename: str) -> str:
    try:
        rel = os.path.relpath(filename)
    except ValueError:  # other drive on Windows
        return filename
    return filename if rel.startswith(os.pardir) else rel


def is_internal(code: CodeType) -> bool:
    """Code of torch or of the doctor (anything else is the user's)."""
    return _is_internal(code)


def _is_internal(code: CodeType) -> bool:
    internal = _internal_cache.get(code)
    if internal is None:
        if len(_internal_cache) > _CACHE_LIMIT:
            _internal_cache.clear()
        internal = _internal_cache[code] = code.co_filename.startswith(_INTERNAL_PREFIXES)
    return internal


def user_frame() -> Where | None:
    """The innermost frame of the caller's stack outside torch and the doctor."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if not _is_internal(code):
            return Where(code.co_filename, frame.f_lineno, code.co_name)
        frame = frame.f_back
    return None


def _torch_name(code: CodeType) -> str:
    """``torch.nn.functional.relu`` from a code object inside the torch package."""
    rel = code.co_filename[len(_TORCH_DIR) :]
    module = "torch." + rel.removesuffix(".py").replace(os.sep, ".")
    module = module.removesuffix(".__init__")
    return f"{module}.{getattr(code, 'co_qualname', code.co_name)}"


def write_context() -> WriteContext:
    """Like :func:`user_frame`, plus what torch code sat between user and op.

    Only called for writes into memory that holds a saved tensor, so it may
    afford to look at ``f_locals``.
    """
    frame: FrameType | None = sys._getframe(1)
    optimizer = module = via = owner_ref = None
    while frame is not None:
        code = frame.f_code
        if not _is_internal(code):
            where = Where(code.co_filename, frame.f_lineno, code.co_name)
            function = _custom_function(frame)
            return WriteContext(where, optimizer, module, via, function, owner_ref)
        if code.co_filename.startswith(_TORCH_DIR):
            if via is None:
                via = _torch_name(code)
            if code.co_name == "step" and code.co_filename.startswith(_OPTIM_DIR):
                owner = frame.f_locals.get("self")
                optimizer = f"{type(owner).__name__}.step()"
                try:
                    owner_ref = weakref.ref(owner)
                except TypeError:
                    owner_ref = None
            elif code.co_name == "forward" and module is None:
                owner = frame.f_locals.get("self")
                if isinstance(owner, torch.nn.Module):
                    module = f"{_module_repr(owner)}.forward"
        frame = frame.f_back
    return WriteContext(None, optimizer, module, via, None, owner_ref)


def _module_repr(module: torch.nn.Module) -> str:
    text = repr(module)
    # Containers print their children on many lines; the class name is enough.
    return text if "\n" not in text and len(text) <= 60 else type(module).__name__


def _custom_function(frame: FrameType) -> str | None:
    """The autograd.Function whose ``forward(ctx, ...)`` this frame runs, if any."""
    code = frame.f_code
    if code.co_name != "forward" or "ctx" not in code.co_varnames[: code.co_argcount]:
        return None
    ctx = frame.f_locals.get("ctx")
    if isinstance(ctx, torch.autograd.function.BackwardCFunction):
        return type(ctx).__name__.removesuffix("Backward")
    return None


def namespaces_of(frame: FrameType | None) -> list[dict[str, Any]]:
    """The namespaces a user frame sees, innermost first (locals, then globals)."""
    if frame is None:
        return []
    spaces = [frame.f_locals]
    if frame.f_globals is not frame.f_locals:
        spaces.append(frame.f_globals)
    return spaces


def name_of(obj: Any, namespaces: list[dict[str, Any]]) -> str | None:
    """The variable name under which ``obj`` is visible, e.g. ``opt_d``."""
    for space in namespaces:
        for name, value in list(space.items()):
            if value is obj and not name.startswith("_"):
                return name
    return None


def parameter_names(namespaces: list[dict[str, Any]]) -> dict[int, str]:
    """id(parameter) -> qualified name (``generator.fc.weight``) for the modules in sight."""
    names: dict[int, str] = {}
    for name, p in named_parameters_in(namespaces).items():
        names.setdefault(id(p), name)
    return names


def named_parameters_in(namespaces: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
    """``{"generator.fc.weight": parameter}`` for the modules in sight (for pictures)."""
    found: dict[str, torch.Tensor] = {}
    for space in namespaces:
        for var, value in list(space.items()):
            if isinstance(value, torch.nn.Module) and not var.startswith("__"):
                try:
                    for qualified, p in value.named_parameters():
                        found.setdefault(f"{var}.{qualified}", p)
                except Exception:  # a half-built module: skip it
                    continue
    return found


def namespaces_from_traceback(tb: TracebackType | None) -> list[dict[str, Any]]:
    """The namespaces of the user frames of a traceback, innermost first."""
    spaces: list[dict[str, Any]] = []
    while tb is not None:
        if not _is_internal(tb.tb_frame.f_code):
            for space in reversed(namespaces_of(tb.tb_frame)):
                if not any(space is seen for seen in spaces):
                    spaces.insert(0, space)
        tb = tb.tb_next
    return spaces


def namespaces_here() -> list[dict[str, Any]]:
    """The namespaces of the user frames on the current stack, innermost first."""
    spaces: list[dict[str, Any]] = []
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if not _is_internal(frame.f_code):
            for space in namespaces_of(frame):
                if not any(space is seen for seen in spaces):
                    spaces.append(space)
        frame = frame.f_back
    return spaces


def optimizer_label(optimizer: Any, spaces: list[dict[str, Any]]) -> str:
    """```opt_d` (Adam)`` when a variable holds the optimizer, else ``Adam``."""
    var = name_of(optimizer, spaces)
    cls = type(optimizer).__name__
    return f"`{var}` ({cls})" if var else cls
