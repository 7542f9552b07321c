"""Draw a backward graph with Graphviz, highlighting stale saved tensors.

The walk uses only the grad_fn interface (``name()``, ``next_functions``,
``_saved_*`` attributes, ``variable`` on AccumulateGrad), so any engine that
exposes it can be drawn.  Tensors saved under ``watch()`` carry the doctor's
records: saved and current versions, the forward line, the culprit writes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import GraphvizMissingWarning
from .peek import peek_records

INSTALL_HINT = (
    "install Graphviz to render pictures: `apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install graphviz`; and `pip install graphviz`"
)

RED = "#d62728"
ORANGE = "#ff7f0e"
_VERSION = re.compile(r"is at version (\d+); expected version (\d+)")


class GraphvizMissing(RuntimeError):
    """The ``dot`` program is not installed."""


class Drawing(str):
    """The DOT source of a drawing (it *is* that string), plus rendering helpers."""

    #: the file written by draw(), if any
    path: str | None = None

    def render(self, format: str = "svg") -> bytes:
        """The picture in ``format`` (svg, png, pdf, ...); needs Graphviz."""
        return render(str(self), format)

    def __repr__(self) -> str:
        # The DOT source is str(drawing); a terminal or a notebook without
        # Graphviz shows this line instead of pages of it.
        nodes = sum(1 for line in self.splitlines() if "[" in line and "->" not in line)
        where = f", written to {self.path}" if self.path else ""
        return f"<backward graph: {nodes} boxes{where}; str() gives the DOT source>"

    def _repr_svg_(self) -> str | None:  # Jupyter shows the picture
        try:
            return self.render("svg").decode()
        except GraphvizMissing:
            return None


def render(source: str, format: str = "svg") -> bytes:
    """Render DOT source with Graphviz (via the ``graphviz`` package if installed)."""
    try:
        import graphviz
    except ImportError:
        graphviz = None
    if graphviz is not None:
        try:
            return graphviz.Source(source).pipe(format=format)
        except graphviz.ExecutableNotFound as error:
            raise GraphvizMissing(INSTALL_HINT) from error
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissing(INSTALL_HINT)
    return subprocess.run(
        [dot, f"-T{format}"], input=source.encode(), capture_output=True, check=True
    ).stdout


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(**attrs: Any) -> str:
    return ", ".join(f"{k}={_quote(str(v))}" for k, v in attrs.items() if v is not None)


def _node_name(node: Any) -> str:
    name = getattr(node, "name", None)
    text = str(name()) if callable(name) else type(node).__name__
    return text.removeprefix("torch::autograd::")


def _describe_tensor(t: Any) -> str:
    dtype = str(getattr(t, "dtype", "")).removeprefix("torch.")
    shape = list(getattr(t, "shape", ()))
    return f"{dtype}{shape}"


def _saved_attributes(node: Any) -> list[str]:
    names = [n for n in dir(node) if n.startswith("_saved_")]
    saved = getattr(node, "_saved", None)
    if not names and isinstance(saved, Mapping):
        # engines that serve _saved_<name> through __getattr__ (mutograd's own
        # nodes do) cannot be listed by dir(): take the names from the mapping
        names = [f"_saved_{key}" for key in saved]
    # custom autograd.Function nodes keep theirs in ctx.saved_tensors
    if type(node).__name__.endswith("Backward") and hasattr(type(node), "saved_tensors"):
        names.append("saved_tensors")
    return names


class _Saved:
    """One saved tensor of a node, as the drawing shows it."""

    def __init__(self, attr: str, tensor: Any = None, rec: Any = None, error: str | None = None):
        self.attr = attr
        self.tensor = tensor
        self.rec = rec
        self.error = error

    def versions(self) -> tuple[int | None, int | None]:
        """(saved, current) versions, when known."""
        if self.rec is not None:
            return self.rec.version, self.rec.tensor._version
        if self.error is not None:
            match = _VERSION.search(self.error)
            if match:
                return int(match[2]), int(match[1])
            return None, None
        version = getattr(self.tensor, "_version", None)
        return version, version

    def stale(self) -> bool:
        saved, current = self.versions()
        return saved is not None and saved != current

    def silently_changed(self) -> bool:
        rec = self.rec
        if rec is None or rec.snapshot is None or self.stale():
            return False
        return rec.values_changed()


def _read_saved(node: Any) -> list[_Saved]:
    found: list[_Saved] = []
    for attr in _saved_attributes(node):
        with peek_records() as recs:
            try:
                value = getattr(node, attr)
            except Exception as error:  # stale (no doctor) or already freed
                text = str(error)
                if "freed" in text or "second time" in text:
                    text = "freed"
                found.append(_Saved(attr, error=text))
                continue
        tensors = value if isinstance(value, (tuple, list)) else (value,)
        tensors = [t for t in tensors if hasattr(t, "shape") and hasattr(t, "dtype")]
        if len(recs) != len(tensors):
            recs = [None] * len(tensors)
        found.extend(_Saved(attr, t, rec) for t, rec in zip(tensors, recs, strict=True))
    return found


def to_dot(roots: Iterable[Any], params: dict[str, Any] | None = None) -> str:
    """DOT source for the backward graph(s) below ``roots`` (tensors or nodes)."""
    names = {id(p): name for name, p in (params or {}).items()}
    lines = [
        "digraph backward {",
        '  graph [fontname="Helvetica", fontsize=10];',
        '  node [shape=box, style="rounded,filled", fillcolor="#eeeeee", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    keep: list[Any] = []  # holds node wrappers so id() stays unique during the walk
    seen: dict[int, str] = {}
    numbers: dict[int, str] = {}  # id(node) -> "n0", "n1", ... in walk order

    def ident_of(node: Any) -> str:
        keep.append(node)
        return numbers.setdefault(id(node), f"n{len(numbers)}")

    stack: list[Any] = []
    for i, root in enumerate(roots):
        node = getattr(root, "grad_fn", root) if not callable(getattr(root, "name", None)) else root
        if node is None:
            continue
        if node is not root:
            label = f"output {_describe_tensor(root)}"
            lines.append(f"  out{i} [{_attrs(label=label, shape='ellipse', fillcolor='#c6dbef')}];")
            lines.append(f"  {ident_of(node)} -> out{i};")
        stack.append(node)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        ident = seen[id(node)] = ident_of(node)
        lines.extend(_node_lines(node, ident, names))
        for edge in getattr(node, "next_functions", ()) or ():
            child = edge[0] if isinstance(edge, tuple) else edge
            if child is None:
                continue
            lines.append(f"  {ident_of(child)} -> {ident};")
            if id(child) not in seen:
                stack.append(child)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_lines(node: Any, ident: str, names: dict[int, str]) -> list[str]:
    lines: list[str] = []
    name = _node_name(node)
    saved = _read_saved(node)
    where = next(
        (s.rec.where for s in saved if s.rec is not None and s.rec.where is not None), None
    )
    label, tooltip = name, name
    if where is not None:
        label += f"\n{where.short()}"
        tooltip += f"\n{where.filename}:{where.lineno}\n{where.source()}"
    bad = any(s.stale() or s.silently_changed() for s in saved)
    lines.append(
        f"  {ident} [{_attrs(label=label, tooltip=tooltip, color=RED if bad else None, penwidth=2 if bad else None)}];"
    )
    variable = getattr(node, "variable", None)
    if variable is not None:
        label = names.get(id(variable), "leaf") + "\n" + _describe_tensor(variable)
        lines.append(
            f"  {ident}_var [{_attrs(label=label, shape='ellipse', fillcolor='#c7e9c0')}];"
        )
        lines.append(f"  {ident}_var -> {ident};")
    for k, s in enumerate(saved):
        lines.extend(_saved_lines(s, f"{ident}_s{k}", ident))
    return lines


def _saved_lines(s: _Saved, ident: str, owner: str) -> list[str]:
    title = s.attr.removeprefix("_saved_")
    if s.tensor is None:
        text = s.error if s.error == "freed" else "stale"
        saved, current = s.versions()
        if saved is not None:
            text = f"saved v{saved}, now v{current}"
        color = RED if s.stale() else "#f7f7f7"
        label = title + "\n" + text
        return [
            f"  {ident} [{_attrs(label=label, shape='note', fillcolor=color)}];",
            f"  {ident} -> {owner} [style=dashed, arrowhead=none];",
        ]
    saved, current = s.versions()
    stale, silent = s.stale(), s.silently_changed()
    label = f"{title}\n{_describe_tensor(s.tensor)}\nsaved v{saved}, now v{current}"
    if silent:
        label += "\nvalues changed!"
    tooltip = label
    if s.rec is not None and s.rec.where is not None:
        tooltip += f"\nsaved at {s.rec.where.filename}:{s.rec.where.lineno}"
    fill = RED if stale else ORANGE if silent else "#fff7bc"
    font = "white" if stale or silent else "black"
    lines = [
        f"  {ident} [{_attrs(label=label, tooltip=tooltip, shape='note', fillcolor=fill, fontcolor=font)}];",
        f"  {ident} -> {owner} [style=dashed, arrowhead=none];",
    ]
    if (stale or silent) and s.rec is not None:
        lines.extend(_culprit_lines(s, ident))
    return lines


def _culprit_lines(s: _Saved, ident: str) -> list[str]:
    lines = []
    for k, write in enumerate(s.rec.writes or ()):
        if write.silent and not s.silently_changed():
            continue
        where = write.site.where
        label = write.site.op
        tooltip = write.site.op
        if write.site.context.optimizer:
            label += f"\ninside {write.site.context.optimizer}"
        if where is not None:
            label += f"\n{where.short()}"
            tooltip += f"\n{where.filename}:{where.lineno}\n{where.source()}"
        label += f"\nv{write.before} -> v{write.after}"
        color = RED if not write.silent else ORANGE
        lines.append(
            f"  {ident}_w{k} [{_attrs(label=label, tooltip=tooltip, shape='box', style='filled', fillcolor=color, fontcolor='white')}];"
        )
        lines.append(
            f"  {ident}_w{k} -> {ident} [{_attrs(color=color, label='wrote', fontcolor=color, penwidth=2)}];"
        )
    return lines


def draw(
    root: Any,
    path: str | os.PathLike[str] | None = None,
    *,
    format: str | None = None,
    params: dict[str, Any] | None = None,
) -> Drawing:
    """Draw the backward graph of ``root`` (a tensor, a grad_fn node, or a list of them).

    Returns the DOT source (a ``str``; in Jupyter it displays as the picture).
    With ``path``, also writes the file, in ``format`` or the format named by
    the path's suffix (``.svg``, ``.png``, ``.pdf``, ``.dot``).  Without the
    Graphviz ``dot`` program, writes the DOT source next to ``path`` (suffix
    ``.dot``) and warns with install instructions.  ``params`` maps names to
    leaf tensors (e.g. ``dict(model.named_parameters())``) to label them.
    """
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    drawing = Drawing(to_dot(roots, params))
    if path is None:
        return drawing
    path = os.fspath(path)
    fmt = (format or os.path.splitext(path)[1].lstrip(".") or "svg").lower()
    if fmt in ("dot", "gv"):
        _write(path, str(drawing).encode())
    else:
        try:
            _write(path, render(drawing, fmt))
        except GraphvizMissing:
            path = os.path.splitext(path)[0] + ".dot"
            _write(path, str(drawing).encode())
            warnings.warn(
                f"Graphviz's dot program is missing, wrote DOT source to {path}; {INSTALL_HINT}",
                GraphvizMissingWarning,
                stacklevel=2,
            )
    drawing.path = path
    return drawing


FORMATS = ("svg", "png", "pdf", "dot", "gv")


def graph_path_problem(path: str) -> str | None:
    """Why ``path`` cannot take a drawing (unknown format, missing folder), or None.

    Checked before the watched code runs, so a typo does not cost a whole run.
    """
    suffix = os.path.splitext(path)[1].lstrip(".").lower()
    if suffix and suffix not in FORMATS:
        return f"--graph {path}: unknown format .{suffix} (use .svg, .png, .pdf or .dot)"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"--graph {path}: no such folder {folder}"
    if not os.access(folder, os.W_OK):
        return f"--graph {path}: folder {folder} is not writable"
    if os.path.isdir(path):
        return f"--graph {path}: is a folder, not a file name"
    return None


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


def draw_failure(recorder: Any, path: str, params: dict[str, Any] | None = None) -> None:
    """End of ``watch(graph=...)``: draw the latest backward graph, report on stderr.

    ``params`` (name -> parameter) labels the leaves, as in :func:`draw`.
    """
    roots = recorder.last_roots
    if not roots and recorder.last_error_node is not None:
        roots = [recorder.last_error_node]
    if not roots:
        print(
            "mutograd doctor: no backward graph to draw (no backward() ran under the doctor)",
            file=sys.stderr,
        )
        return
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", GraphvizMissingWarning)
            drawing = draw(roots, path, params=params)
    except Exception as error:  # never hide the script's own outcome
        print(f"mutograd doctor: could not draw the graph: {error}", file=sys.stderr)
        return
    for warning in caught:
        print(f"mutograd doctor: {warning.message}", file=sys.stderr)
    print(f"mutograd doctor: backward graph written to {drawing.path}", file=sys.stderr)
