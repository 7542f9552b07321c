"""draw(): the backward graph, with stale saved tensors and their culprits in red."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import doctor_helpers  # noqa: F401  (makes mutograd.doctor importable)
import pytest

torch = pytest.importorskip("torch")

from mutograd.doctor import GraphvizMissingWarning, InplaceModificationError, draw, watch  # noqa: E402
from mutograd.doctor.drawing import RED  # noqa: E402

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)


def stale_graph() -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    x = torch.randn(3, requires_grad=True)
    w = torch.randn(3, requires_grad=True)
    h = torch.sigmoid(x * w)  # draw-save
    h += 1  # draw-write
    return (h * h).sum(), {"x": x, "w": w}


def line_of(marker: str) -> int:
    text = Path(__file__).read_text().splitlines()
    return next(n for n, line in enumerate(text, 1) if line.rstrip().endswith("# " + marker))


def test_watched_graph_highlights_stale_tensor_and_culprit() -> None:
    with watch():
        loss, params = stale_graph()
    dot = draw(loss, params=params)
    assert isinstance(dot, str) and dot.startswith("digraph backward {")
    # the saved sigmoid output: saved at version 0, now 1, filled red
    stale = next(line for line in dot.splitlines() if "saved v0, now v1" in line)
    assert "result" in stale and f'fillcolor="{RED}"' in stale
    assert f"test_draw.py:{line_of('draw-save')}" in stale  # tooltip: where it was saved
    # the culprit write, red, with its line
    culprit = next(line for line in dot.splitlines() if "aten::add_.Tensor" in line)
    assert f"test_draw.py:{line_of('draw-write')}" in culprit and f'fillcolor="{RED}"' in culprit
    assert "wrote" in dot
    # nodes carry their forward line, leaves their parameter names
    assert re.search(
        r'label="SigmoidBackward0\\n\S*test_draw\.py:' + str(line_of("draw-save")) + '"', dot
    )
    assert 'label="x\\nfloat32[3]"' in dot and 'label="w\\nfloat32[3]"' in dot
    # drawing peeks at saved tensors without tripping the version check
    with pytest.raises(InplaceModificationError):
        loss.backward()


def test_plain_pytorch_graph_reads_versions_from_the_error() -> None:
    loss, _ = stale_graph()  # no doctor: PyTorch's own saved variables
    dot = draw(loss, format="dot")
    stale = next(line for line in dot.splitlines() if "saved v0, now v1" in line)
    assert f'fillcolor="{RED}"' in stale
    assert "aten::" not in dot  # without the doctor, no write was recorded


def test_freed_buffers_after_backward() -> None:
    x = torch.randn(3, requires_grad=True)
    loss = torch.sigmoid(x).sum()
    loss.backward()
    dot = draw(loss)
    assert "freed" in dot and RED not in dot


def test_paranoid_silent_change_is_orange() -> None:
    with watch(paranoid=True):
        x = torch.randn(3, requires_grad=True)
        h = torch.tanh(x)
        h.data.mul_(3)
        dot = draw(h.sum())
    assert "values changed!" in dot and "#ff7f0e" in dot and "aten::mul_.Tensor" in dot


@needs_dot
def test_writes_svg_and_dot_files(tmp_path: Path) -> None:
    with watch():
        loss, params = stale_graph()
    svg = draw(loss, tmp_path / "graph.svg", params=params)
    assert svg.path == str(tmp_path / "graph.svg")
    text = (tmp_path / "graph.svg").read_text()
    assert "<svg" in text and "aten::add_.Tensor" in text and RED in text
    assert svg.render("svg").decode().count("<svg") == 1
    dot = draw(loss, tmp_path / "graph.dot")
    assert (tmp_path / "graph.dot").read_text() == str(dot)


def test_without_graphviz_writes_dot_source_and_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # `import graphviz` fails
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no dot on PATH
    loss, _ = stale_graph()
    with pytest.warns(GraphvizMissingWarning, match="apt-get install graphviz"):
        drawing = draw(loss, tmp_path / "graph.svg")
    assert drawing.path == str(tmp_path / "graph.dot")
    assert (tmp_path / "graph.dot").read_text().startswith("digraph backward {")
    assert not (tmp_path / "graph.svg").exists()
    assert drawing._repr_svg_() is None


@needs_dot
def test_watch_graph_option_draws_the_failing_backward(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "failure.svg"
    with pytest.raises(InplaceModificationError):
        with watch(graph=str(path)):
            loss, _ = stale_graph()
            loss.backward()
    assert "backward graph written to" in capsys.readouterr().err
    text = path.read_text()
    assert "aten::add_.Tensor" in text and RED in text


class FakeTensor:
    """A tensor of another engine: only what the drawing reads."""

    def __init__(self, shape: tuple[int, ...], version: int = 0):
        self.shape = shape
        self.dtype = "float64"
        self._version = version


class FakeNode:
    def __init__(self, name: str, inputs: tuple = (), **saved: FakeTensor):
        self._name = name
        self.next_functions = tuple((node, 0) for node in inputs)
        for key, value in saved.items():
            setattr(self, f"_saved_{key}", value)

    def name(self) -> str:
        return self._name


def test_any_engine_with_the_grad_fn_interface() -> None:
    leaf = FakeNode("AccumulateGrad")
    leaf.variable = FakeTensor((2, 2))
    exp = FakeNode("ExpBackward0", (leaf,), result=FakeTensor((2, 2)))
    root = FakeNode("SumBackward0", (exp, None))

    class Output:
        grad_fn = root
        shape = ()
        dtype = "float64"

    dot = draw(Output())
    for text in (
        "SumBackward0",
        "ExpBackward0",
        "AccumulateGrad",
        "result\\nfloat64[2, 2]\\nsaved v0, now v0",
        "leaf\\nfloat64[2, 2]",
    ):
        assert text in dot, text
    assert dot.count("->") == 5  # leaf->acc, acc->exp, saved--exp, exp->sum, sum->output


def test_mutograd_own_tensors() -> None:
    try:
        import mutograd as mg

        x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    except Exception:  # the engine may be unfinished: the doctor does not depend on it
        pytest.skip("mutograd's own engine is not importable")
    h = mg.sigmoid(x)
    y = (h * x).sum()
    h.add_(1)
    dot = draw(y)
    assert "SigmoidBackward0" in dot and "MulBackward0" in dot and "AccumulateGrad" in dot
    stale = [line for line in dot.splitlines() if "saved v0, now v1" in line]
    assert len(stale) == 2 and all(RED in line for line in stale)  # Sigmoid's result, Mul's self


def test_drawing_repr_is_short() -> None:
    loss, _ = stale_graph()
    drawing = draw(loss)
    assert str(drawing).startswith("digraph backward {")  # the DOT source, when asked
    assert repr(drawing).startswith("<backward graph: ") and "digraph" not in repr(drawing)
