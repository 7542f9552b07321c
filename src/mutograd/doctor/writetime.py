"""Diagnoses for the in-place errors PyTorch raises at the write itself, or in
backward without naming a saved tensor.

PyTorch refuses an in-place op on an output of unbind/split/chunk (and on the
rows of ``for row in t:``), on a view a custom Function returned, on a view
made under no_grad, on an inference tensor, on a leaf that requires grad or a
view of one; in backward it raises "leaf variable has been moved into the graph
interior" and "Trying to backward through the graph a second time".  Its
messages say what is forbidden but not which line made the tensor, nor how to
rewrite the user's line.  :func:`diagnose` reads the failing user line from the
traceback, finds the written tensor among that frame's variables, and asks the
recorder where it came from.
"""

from __future__ import annotations

import linecache
import re
from types import FrameType, TracebackType
from typing import Any

import torch

from .frames import (
    Where,
    is_internal,
    name_of,
    namespaces_of,
    optimizer_label,
    parameter_names,
)
from .report import INDENT, _code_only

# PyTorch's message -> kind of error
_KINDS = (
    ("This view is the output of a function that returns multiple views", "multi-output view"),
    ("This view was created inside a custom Function", "custom Function"),
    ("A view was created in no_grad mode and is being modified inplace", "no_grad view"),
    ("Inplace update to inference tensor outside InferenceMode", "inference tensor"),
    ("Inference tensors cannot be saved for backward", "inference saved"),
    ("a view of a leaf Variable that requires grad is being used in an in-place", "leaf view"),
    ("a leaf Variable that requires grad is being used in an in-place", "leaf"),
    ("leaf variable has been moved into the graph interior", "leaf moved"),
    ("Trying to backward through the graph a second time", "backward twice"),
)

_CALL = re.compile(
    r"(?P<target>[A-Za-z_][\w.]*(?:\[[^\]]*\])*)\.(?P<method>[a-z]\w*_)\((?P<args>.*)\)$"
)
_AUGMENTED = re.compile(
    r"^(?P<target>[A-Za-z_][\w.]*(?:\[[^\]]*\])*)\s*(?P<op>\*\*|//|>>|<<|[-+*/@%&|^])=\s*(?P<rhs>.+)$"
)
_SETITEM = re.compile(r"^(?P<target>[A-Za-z_][\w.]*)\s*\[(?P<index>.*)\]\s*=(?!=)\s*(?P<rhs>.+)$")
_FOR = re.compile(r"^for\s+(?P<var>[\w, ()]+?)\s+in\s+(?P<base>.+?)\s*:")


def kind_of(error: BaseException) -> str | None:
    """Which of PyTorch's in-place errors this is, or None."""
    if not isinstance(error, RuntimeError):
        return None
    text = str(error)
    for phrase, kind in _KINDS:
        if phrase in text:
            return kind
    return None


class _Line:
    """The user line that raised, and the in-place write spelled on it."""

    def __init__(self, frame: FrameType | None, where: Where | None):
        self.frame = frame
        self.where = where
        self.source = _code_only(where.source()) if where is not None else ""
        self.style = self.target = self.method = self.args = self.op = self.rhs = ""
        match = _AUGMENTED.match(self.source)
        if match and "==" not in self.source:
            self.style, self.target, self.op, self.rhs = (
                "augmented", match["target"], match["op"], match["rhs"].strip()
            )  # fmt: skip
        elif _SETITEM.match(self.source):
            match = _SETITEM.match(self.source)
            self.style, self.target, self.rhs = "setitem", match["target"], match["rhs"].strip()
        elif _CALL.search(self.source):
            match = _CALL.search(self.source)
            self.style, self.target = "call", match["target"]
            self.method, self.args = match["method"], match["args"]
        #: the name of the variable written (``x`` for ``x[0].add_(1)``)
        self.base = re.match(r"[A-Za-z_][\w.]*", self.target)[0] if self.target else ""
        self.spaces = namespaces_of(frame)

    def value(self, name: str) -> Any:
        """The value of a dotted name in the failing frame, or None."""
        if not name or self.frame is None:
            return None
        head, *rest = name.split(".")
        for space in self.spaces:
            if head in space:
                value = space[head]
                break
        else:
            return None
        for attr in rest:
            value = getattr(value, attr, None)
        return value

    def tensor(self) -> torch.Tensor | None:
        """The tensor written on this line, when its name can be read."""
        if self.target and "[" not in self.target:
            value = self.value(self.target)
        else:
            value = None
        if not isinstance(value, torch.Tensor):
            value = self.value(self.base)
        return value if isinstance(value, torch.Tensor) else None

    def out_of_place(self) -> str | None:
        """The line rewritten out of place: ``out = out * scale``, ``row = row.mul(2)``."""
        if self.style == "augmented":
            return f"{self.target} = {self.target} {self.op} {self.rhs}"
        if self.style == "call" and self.method not in ("copy_", "requires_grad_"):
            return f"{self.target} = {self.new_value()}"
        return None

    def new_value(self) -> str:
        """The out-of-place expression for the written value: ``row.mul(2)``."""
        if self.style == "augmented":
            return f"{self.target} {self.op} {self.rhs}"
        if self.style == "call":
            return f"{self.target}.{self.method[:-1]}({self.args})"
        return ""


def _raising_line(error: BaseException) -> _Line:
    tb: TracebackType | None = error.__traceback__
    frame = where = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if not is_internal(code):
            frame = tb.tb_frame
            where = Where(code.co_filename, tb.tb_lineno, code.co_name)
        tb = tb.tb_next
    return _Line(frame, where)


def _at(where: Where | None) -> str:
    if where is None:
        return "at an unknown line"
    source = where.source()
    return f"at {where.short()}" + (f"\n{INDENT * 3}{source}" if source else "")


def _lines(heading: str, rows: list[tuple[str, str]], fixes: list[str]) -> str:
    out = [f"mutograd doctor: {heading}"]
    for label, text in rows:
        out.append(f"{INDENT}{label + ':':<16}{text}")
    for n, text in enumerate(dict.fromkeys(fixes)):  # one suggestion per cause
        out.append(f"{INDENT}{'fix:' if n == 0 else '':<16}{text}")
    return "\n".join(out)


def diagnose(error: BaseException, recorder: Any) -> str | None:
    """The diagnosis to append to one of PyTorch's write-time errors, or None."""
    kind = kind_of(error)
    if kind is None:
        return None
    line = _raising_line(error)
    try:
        return _DIAGNOSES[kind](line, recorder)
    except Exception:  # a diagnosis must never hide PyTorch's own error
        return None


def _what(line: _Line, t: torch.Tensor | None) -> str:
    described = "" if t is None else f" ({str(t.dtype).removeprefix('torch.')}{list(t.shape)})"
    return f"`{line.target or line.base}`{described}" if line.target else f"the tensor{described}"


def _write_row(line: _Line) -> tuple[str, str]:
    return ("in-place write", _at(line.where))


# ------------------------------------------------------------------ views
def _multi_view(line: _Line, recorder: Any) -> str:
    t = line.tensor()
    origin = recorder.origins.find(t, "multi-output view") if t is not None else None
    rows = [_write_row(line)]
    fixes = []
    new_line = line.out_of_place()
    loop = _FOR.match(origin.where.source()) if origin and origin.where else None
    if origin is not None:
        op = origin.op.removeprefix("aten::").split(".")[0]
        how = "iterating over a tensor unbinds it" if loop else f"made by {op}()"
        rows.append(
            ("the view", f"output {origin.index} of {origin.op} ({how}), {_at(origin.where)}")
        )
    if loop and new_line and loop["var"].strip() == line.target:
        base = loop["base"].strip()
        fixes.append(
            f"build the new rows out of place and stack them instead of writing into the rows "
            f"of `{base}`: `{base} = torch.stack([{line.new_value()} for {line.target} in {base}])`"
        )
    if new_line:
        fixes.append(f"use the out-of-place form: `{new_line}` instead of `{line.source}`")
    if origin is not None and not loop:
        joiner = "torch.stack" if "unbind" in origin.op else "torch.cat"
        fixes.append(
            f"to put the pieces back together, collect the new ones in a list and `{joiner}(...)` it "
            "instead of writing into the views"
        )
    name = line.target or "piece"
    fixes.append(
        f"or clone the view first (`{name} = {name}.clone()`): the write then no longer reaches the base tensor"
    )
    return _lines(
        f"{_what(line, t)} is one of the views a multi-output view op returned; PyTorch forbids "
        "writing into them in place.",
        rows,
        fixes,
    )


def _custom_function(line: _Line, recorder: Any) -> str:
    t = line.tensor()
    origin = recorder.origins.find(t, "custom Function") if t is not None else None
    name = (
        origin.op
        if origin
        else (
            t.grad_fn.name().removesuffix("Backward")
            if t is not None and t.grad_fn
            else "the Function"
        )
    )
    rows = [_write_row(line)]
    if origin is not None:
        rows.append(("the view", f"output {origin.index} of {name}.apply, {_at(origin.where)}"))
    fixes = []
    if line.out_of_place():
        fixes.append(
            f"use the out-of-place form: `{line.out_of_place()}` instead of `{line.source}`"
        )
    fixes.append(
        f"or clone what {name} returns: `{name}.apply(...).clone()` at the call, or in "
        f"{name}.forward return `x.clone()` instead of an input or a view of one"
    )
    return _lines(
        f"{_what(line, t)} is a view returned by the custom Function {name}; PyTorch forbids "
        "writing into it in place, because the write would bypass {name}'s backward.".replace(
            "{name}", name
        ),
        rows,
        fixes,
    )


def _no_grad_view(line: _Line, recorder: Any) -> str:
    t = line.tensor()
    origin = recorder.origins.find(t, "no_grad view") if t is not None else None
    rows = [_write_row(line)]
    if origin is not None:
        rows.append(("the view", f"made by {origin.op} under torch.no_grad(), {_at(origin.where)}"))
    update = ".grad" in line.source or _is_parameter(line, t)
    inside = "move this write into the same `with torch.no_grad():` block as the view"
    outside = "make the view outside torch.no_grad(), next to the write, so autograd tracks both"
    fixes = [f"{inside} (an update autograd must not track, e.g. of parameters)"] if update else []
    fixes.append(f"{outside}")
    if not update:
        fixes.append(f"or, if the write must not be tracked, {inside}")
    if line.out_of_place():
        fixes.append(f"or write out of place: `{line.out_of_place()}`")
    return _lines(
        f"{_what(line, t)} is a view made under torch.no_grad() and is written with grad mode on.",
        rows,
        fixes,
    )


def _inference(line: _Line, recorder: Any) -> str:
    t = line.tensor()
    if t is None or not t.is_inference():
        t = next((v for v in _named_tensors(line) if v.is_inference()), t)
    origin = recorder.origins.find(t, "inference tensor") if t is not None else None
    rows = [_write_row(line) if line.style else ("failing line", _at(line.where))]
    if origin is not None:
        rows.append(("made by", f"{origin.op} inside torch.inference_mode(), {_at(origin.where)}"))
    name = name_of(t, line.spaces) if t is not None else None
    name = name or line.base or "t"
    fixes = [
        f"clone it outside inference mode before using it for training: `{name} = {name}.clone()`",
        "or use `with torch.no_grad():` instead of `with torch.inference_mode():` where the "
        "tensors made are used later for training or written in place",
    ]
    what = f"`{name}`" + (
        f" ({str(t.dtype).removeprefix('torch.')}{list(t.shape)})" if t is not None else ""
    )
    return _lines(
        f"{what} is an inference tensor (made under torch.inference_mode()).", rows, fixes
    )


def _named_tensors(line: _Line) -> list[torch.Tensor]:
    names = re.findall(r"[A-Za-z_][\w.]*", line.source)
    found = [line.value(n) for n in names]
    return [v for v in found if isinstance(v, torch.Tensor)]


# ------------------------------------------------------------------ leaves
def _is_parameter(line: _Line, t: torch.Tensor | None) -> bool:
    return isinstance(t, torch.nn.Parameter) or (
        t is not None and t._base is not None and isinstance(t._base, torch.nn.Parameter)
    )


_UPDATE_METHODS = {"sub_", "add_", "mul_", "div_", "addcmul_", "addcdiv_", "clamp_", "copy_"}
_INIT_METHODS = {"fill_", "zero_", "normal_", "uniform_", "copy_", "bernoulli_", "random_"}


def _leaf(line: _Line, recorder: Any) -> str:
    t = line.tensor()
    leaf = t._base if t is not None and t._base is not None else t
    rows = [_write_row(line)]
    params = parameter_names(line.spaces)
    name = params.get(id(leaf)) if leaf is not None else None
    if name is not None:
        rows.append(("the leaf", f"parameter `{name}` (nn.Parameter requires grad)"))
    else:
        made = _requires_grad_line(line.base, line.where)
        if made is not None:
            rows.append(("requires grad", _at(made)))
        name = line.base or "the tensor"
    if t is not None and leaf is not t:
        made = _assigned_line(line.target, line.where) if "[" not in line.target else None
        text = f"`{line.target}` is a view of the leaf `{name}`"
        rows.insert(1, ("the view", text + (f", made {_at(made)}" if made else "")))
    update = ".grad" in line.source or (
        line.style in ("augmented", "call")
        and (name in params.values() or line.method in _UPDATE_METHODS)
        and "grad" in line.source
    )
    init = line.method in _INIT_METHODS or line.style == "setitem"
    wrapped = f"`with torch.no_grad(): {line.source}`"
    fixes = []
    if update:
        fixes.append(
            f"a parameter update must not be tracked by autograd: {wrapped} (as torch.optim "
            "optimizers do), then zero the gradient"
        )
    elif init:
        fixes.append(
            f"initialise it without autograd: {wrapped} (as torch.nn.init does), or fill it "
            "before setting requires_grad"
        )
    new_line = line.out_of_place()
    if new_line and not update:
        fixes.append(
            f"if this is part of the computation, write it out of place: `{new_line}` "
            f"(a new tensor; the leaf `{name}` keeps its gradient)"
        )
    if not update:
        fixes.append(f"if it is an update of `{name}` that autograd must not track: {wrapped}")
    what = (
        "a view of a leaf tensor that requires grad"
        if t is not None and leaf is not t
        else "a leaf tensor that requires grad"
    )
    return _lines(
        f"{_what(line, t)} is {what}; PyTorch forbids writing into it in place.", rows, fixes
    )


def _requires_grad_line(name: str, near: Where | None) -> Where | None:
    """The line of the user's file that made ``name`` require grad (last one before ``near``)."""
    if not name or near is None:
        return None
    short = re.escape(name.split(".")[-1])
    pattern = re.compile(
        rf"\b{short}\s*=.*requires_grad\s*=\s*True|\b{short}\.requires_grad_\(|"
        rf"\b{short}\.requires_grad\s*=\s*True|\b{short}\s*=\s*(?:torch\.)?(?:nn\.)?Parameter\("
    )
    lines = linecache.getlines(near.filename)
    found = None
    for n, text in enumerate(lines[: near.lineno], 1):
        if pattern.search(text):
            found = Where(near.filename, n, near.function)
    return found


def _assigned_line(name: str, near: Where | None) -> Where | None:
    """The last line of the user's file before ``near`` that assigns ``name``."""
    if not name or near is None:
        return None
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*=(?!=)")
    found = None
    for n, text in enumerate(linecache.getlines(near.filename)[: near.lineno], 1):
        if pattern.search(text):
            found = Where(near.filename, n, near.function)
    return found


def _leaf_moved(line: _Line, recorder: Any) -> str:
    rows = [("backward", _at(line.where))]
    leaf = None
    for node in _walk(recorder.last_roots):
        variable = getattr(node, "variable", None)
        if variable is not None and variable.grad_fn is not None:
            leaf = variable
            break
    fixes = []
    if leaf is not None:
        params = parameter_names(line.spaces)
        name = params.get(id(leaf)) or name_of(leaf, line.spaces) or "a leaf"
        rows.append(
            (
                "the leaf",
                f"`{name}` ({str(leaf.dtype).removeprefix('torch.')}{list(leaf.shape)}) is now "
                f"the output of {leaf.grad_fn.name()}: an in-place op with a tensor that requires grad "
                "wrote into it after this graph used it",
            )  # fmt: skip
        )
        write = _last_write_line(name.split(".")[-1], line.where)
        if write is not None:
            rows.append(("in-place write", _at(write)))
        fixes.append(
            f"update `{name}` under `with torch.no_grad():` (it stays a leaf), or write the new "
            f"value into a new tensor (`{name.split('.')[-1]} = ...` out of place) instead of into the leaf"
        )
    else:
        fixes.append(
            "find the in-place write into a tensor this graph uses as a leaf, and do it under "
            "`with torch.no_grad():` or out of place"
        )
    return _lines(
        "a leaf this graph accumulates gradients into was turned into a non-leaf by an in-place write.",
        rows,
        fixes,
    )


def _last_write_line(name: str, near: Where | None) -> Where | None:
    if near is None:
        return None
    pattern = re.compile(rf"\b{re.escape(name)}(\[[^\]]*\])?(\.[a-z]\w*_\(|\s*([-+*/]|\*\*)=)")
    found = None
    for n, text in enumerate(linecache.getlines(near.filename), 1):
        if pattern.search(text) and not text.lstrip().startswith("#"):
            found = Where(near.filename, n, near.function)
    return found


def _walk(roots: list[Any], limit: int = 20_000) -> list[Any]:
    seen: dict[int, Any] = {}
    stack = list(roots)
    while stack and len(seen) < limit:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(edge[0] for edge in getattr(node, "next_functions", ()) or ())
    return list(seen.values())


# ------------------------------------------------------------------ backward twice
def _backward_twice(line: _Line, recorder: Any) -> str:
    rows = [("backward", _at(line.where))]
    current = recorder.backward_count
    freed = None
    for node in _walk(recorder.last_roots):
        try:
            seq = node._sequence_nr()
        except Exception:
            continue
        entry = recorder.freed.get(seq)
        if entry is not None and entry[0] != current:  # freed by an earlier call
            freed = entry
            break
    steps = []
    if freed is not None:
        number, node_name, forward = freed
        by = next((w for n, w, _ in recorder.backward_calls if n == number), None)
        rows.append(("freed by", f"the earlier backward {_at(by)}"))
        rows.append(("shared part", f"{node_name}, whose forward op ran {_at(forward)}"))
        steps = [
            (where, optimizer_label(ref(), line.spaces))
            for where, ref, count in recorder.steps
            if count >= number and ref() is not None
        ]
    for where, optimizer in steps:
        rows.append(("then", f"{optimizer} updated parameters in place, {_at(where)}"))
    fixes = []
    if steps:
        fixes.append(
            'retain_graph=True would only trade this error for "modified by an inplace operation": '
            "the step changed parameters the shared part saved. Recompute the shared part after "
            "the step (a fresh forward pass), or cut it from the first loss with .detach() "
            "(e.g. `D(fake.detach())`)"
        )
    else:
        fixes.append(
            "if the two losses share part of the graph on purpose, add them and call backward() "
            "once, or pass retain_graph=True to the first backward()"
        )
        fixes.append(
            "if the shared part is a state carried across iterations (an RNN hidden state, a "
            "running sum), detach it at the start of each iteration: `h = h.detach()`"
        )
    return _lines(
        "this backward needs saved tensors that an earlier backward already freed.", rows, fixes
    )


_DIAGNOSES = {
    "multi-output view": _multi_view,
    "custom Function": _custom_function,
    "no_grad view": _no_grad_view,
    "inference tensor": _inference,
    "inference saved": _inference,
    "leaf": _leaf,
    "leaf view": _leaf,
    "leaf moved": _leaf_moved,
    "backward twice": _backward_twice,
}
