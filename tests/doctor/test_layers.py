"""The doctor's modules import one another in one direction only (no cycles, none hidden)."""

from __future__ import annotations

import ast
from pathlib import Path

from doctor_helpers import SRC

DOCTOR = SRC / "mutograd" / "doctor"


def sibling_imports(path: Path) -> dict[str, bool]:
    """{sibling module: imported inside a function?} for every `from .x import ...`."""
    tree = ast.parse(path.read_text())
    found: dict[str, bool] = {}
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [a.name for a in node.names]
            for name in names:
                found[name.split(".")[0]] = found.get(name, False) or id(node) not in top_level
    return found


def test_no_import_cycles_among_doctor_modules() -> None:
    graph = {p.stem: sibling_imports(p) for p in DOCTOR.glob("*.py")}
    # drawing must not reach back into the recorder (it used to, through a local import)
    assert "recorder" not in graph["drawing"]
    assert "drawing" in graph["recorder"] and not graph["recorder"]["drawing"]

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, " -> ".join([*path, module])
        for child in graph.get(module, {}):
            if child in graph and child != "__init__":
                visit(child, [*path, module])

    for module in graph:
        if module not in ("__init__", "__main__"):
            visit(module, [])
