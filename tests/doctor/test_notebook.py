"""IPython / Jupyter: ``%load_ext mutograd.doctor`` watches every later cell and
appends the diagnosis to the traceback; ``%%doctor`` watches one cell.  Run in
IPython's InteractiveShell on the notebook-shaped programs of
tests/doctor/corpus/notebook/."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import doctor_helpers  # noqa: F401  (makes mutograd.doctor importable)
import pytest

pytest.importorskip("torch")
pytest.importorskip("IPython")

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

NOTEBOOKS = sorted((Path(__file__).parent / "corpus" / "notebook").glob("*.ipynb.py"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def shell():  # noqa: ANN201
    ip = InteractiveShell.instance()
    ip.reset(new_session=False)
    yield ip
    ip.run_cell("%unload_ext mutograd.doctor", store_history=False)


def run(ip: InteractiveShell, cell: str) -> tuple[str, object]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = ip.run_cell(cell)
    return ANSI.sub("", out.getvalue()), result


def cells_of(path: Path) -> list[str]:
    return [c.strip("\n") for c in path.read_text().split("# %%")[1:]]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_load_ext_appends_the_diagnosis(shell: InteractiveShell, path: Path) -> None:
    expect = re.findall(r"^# EXPECT: (.+)$", path.read_text(), re.M)
    run(shell, "%load_ext mutograd.doctor")
    outputs = []
    for cell in cells_of(path):
        text, result = run(shell, cell)
        outputs.append((cell, text, result))
    failing = [(c, t, r) for c, t, r in outputs if r.error_in_exec is not None]
    assert len(failing) == 1, [t for _, t, _ in outputs]
    cell, text, result = failing[0]
    assert "# CULPRIT" in cell
    assert isinstance(result.error_in_exec, RuntimeError)
    # the usual traceback first, then the diagnosis
    assert text.index("Traceback") < text.index("mutograd doctor:")
    for phrase in expect:
        assert phrase in text, (phrase, text)
    origin = next(c for c, _, _ in outputs if "# ORIGIN" in c)
    origin_line = next(line for line in origin.splitlines() if "# ORIGIN" in line)
    assert origin_line.strip() in text  # the line that made / saved the tensor


def test_without_the_extension_nothing_is_added(shell: InteractiveShell) -> None:
    run(shell, "import torch\nw = torch.zeros(3, requires_grad=True)")
    text, result = run(shell, "w -= 1")
    assert result.error_in_exec is not None and "mutograd doctor" not in text


def test_doctor_cell_magic(shell: InteractiveShell) -> None:
    run(shell, "%load_ext mutograd.doctor.notebook")  # only %%doctor, no watching
    run(shell, "import torch\nw = torch.zeros(3, requires_grad=True)")
    text, result = run(shell, "%%doctor\nw -= 1")
    assert "mutograd doctor:" in text and "`with torch.no_grad(): w -= 1`" in text
    text, result = run(shell, "w.mul_(2)")  # other cells are not watched
    assert result.error_in_exec is not None and "mutograd doctor" not in text
    text, _ = run(shell, "%%doctor --bogus\npass")
    assert "unknown option --bogus" in text


def test_unload_stops_watching(shell: InteractiveShell) -> None:
    run(shell, "%load_ext mutograd.doctor")
    run(shell, "%unload_ext mutograd.doctor")
    run(shell, "import torch\nw = torch.zeros(3, requires_grad=True)")
    text, result = run(shell, "w -= 1")
    assert result.error_in_exec is not None and "mutograd doctor" not in text
