"""`mutograd doctor script.py` behaves like `python script.py`, plus the diagnosis."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from doctor_helpers import CORPUS, REPO, RUNNER, doctor_env

from mutograd.doctor.cli import main


def write(tmp_path: Path, name: str, code: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(code))
    return path


def python(script: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The reference: plain `python script args`."""
    return subprocess.run(
        [sys.executable, str(script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=script.parent,
        timeout=120,
    )


def doctor_in_process(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    stdin: str = "",
    cwd: Path | None = None,
) -> tuple[int, str, str]:
    if cwd is not None:
        monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- no diagnosis: same as python
SCRIPTS = {
    "own_error": """\
        def inner(n):
            return {}[n]

        print("before")
        inner("key")
        """,
    "exit_code": """\
        import sys
        print("bye")
        sys.exit(3)
        """,
    "exit_message": """\
        import sys
        sys.exit("fatal: no data")
        """,
    "exit_none": """\
        raise SystemExit
        """,
    "argv_and_main": """\
        import sys
        import os
        print(sys.argv[1:], __name__, __file__ == os.path.abspath(sys.argv[0]))
        print(sys.path[0] == os.path.dirname(os.path.abspath(__file__)))
        import helper_module  # found next to the script, as with python
        print(helper_module.VALUE)
        """,
    "reads_stdin": """\
        name = input("name? ")
        print("hello", name, len(__import__("sys").stdin.read()))
        """,
    "syntax_error": """\
        def broken(:
            pass
        """,
    "torch_error_in_op": """\
        import torch

        def project(a):
            return torch.mm(a, a)

        project(torch.randn(2, 3))
        """,
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_behaves_like_python(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if name == "torch_error_in_op":
        pytest.importorskip("torch")
    (tmp_path / "helper_module.py").write_text("VALUE = 42\n")
    script = write(tmp_path, f"{name}.py", SCRIPTS[name])
    args = ["a", "--flag"] if name == "argv_and_main" else []
    stdin = "world\nrest of input\n" if name == "reads_stdin" else ""
    expected = python(script, *args, stdin=stdin)
    code, out, err = doctor_in_process(
        capsys, monkeypatch, [str(script), *args], stdin=stdin, cwd=tmp_path
    )
    assert (code, out, err) == (expected.returncode, expected.stdout, expected.stderr)


def test_missing_script_like_python(tmp_path: Path) -> None:
    missing = tmp_path / "nope.py"
    expected = python(missing)
    got = subprocess.run(
        [sys.executable, str(RUNNER), str(missing)], capture_output=True, text=True, cwd=tmp_path
    )
    assert expected.returncode == 2
    assert (got.returncode, got.stdout, got.stderr) == (
        expected.returncode,
        expected.stdout,
        expected.stderr,
    )


def test_usage_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "usage: python -m mutograd doctor" in capsys.readouterr().out
    assert main([]) == 2
    assert "no script given" in capsys.readouterr().err
    assert main(["--bogus", "x.py"]) == 2
    assert "unknown option --bogus" in capsys.readouterr().err


def test_options_after_the_script_belong_to_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("torch")
    script = write(tmp_path, "args.py", "import sys\nprint(sys.argv[1:])\n")
    code, out, _ = doctor_in_process(
        capsys, monkeypatch, ["--early", str(script), "--paranoid", "--graph", "x"]
    )
    assert code == 0 and out == "['--paranoid', '--graph', 'x']\n"


# ---------------------------------------------------------------- the diagnosis, end to end
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot is not installed (apt-get/brew/conda install graphviz)",
)


def test_cli_reports_the_culprit(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    script = CORPUS / "residual_add.py"
    graph = tmp_path / "graph.dot"  # DOT source needs no Graphviz; the SVG test below does
    got = subprocess.run(
        [sys.executable, str(RUNNER), "--graph", str(graph), str(script)],
        capture_output=True, text=True, env=doctor_env(), cwd=REPO, timeout=120,
    )  # fmt: skip
    expected = python(script)
    assert got.returncode == expected.returncode == 1
    torch_message = expected.stderr.strip().splitlines()[
        -1
    ]  # "RuntimeError: one of the variables ..."
    assert torch_message.startswith("RuntimeError: one of the variables needed")
    err = got.stderr
    # PyTorch's error first, as the cause; then the same traceback python shows, ending in the doctor's error.
    assert err.startswith(
        torch_message + "\n\nThe above exception was the direct cause of the following exception:"
    )
    tail = err.split("Traceback (most recent call last):\n", 1)[1]
    expected_frames = expected.stderr.split("Traceback (most recent call last):\n", 1)[1].rsplit(
        "\nRuntimeError", 1
    )[0]
    assert tail.startswith(expected_frames)
    assert (
        "mutograd.doctor.errors.InplaceModificationError: "
        + torch_message.removeprefix("RuntimeError: ")
        in err
    )
    assert "residual_add.py:30" in err and "residual_add.py:26" in err
    assert f"mutograd doctor: backward graph written to {graph}" in err
    dot = graph.read_text()
    assert dot.startswith("digraph backward {")
    assert "aten::add_.Tensor" in dot and "#d62728" in dot


@needs_dot
def test_cli_draws_the_failing_graph_as_svg(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    graph = tmp_path / "graph.svg"
    got = subprocess.run(
        [sys.executable, str(RUNNER), "--graph", str(graph), str(CORPUS / "residual_add.py")],
        capture_output=True, text=True, env=doctor_env(), cwd=REPO, timeout=120,
    )  # fmt: skip
    assert got.returncode == 1
    assert f"mutograd doctor: backward graph written to {graph}" in got.stderr
    svg = graph.read_text()
    assert "<svg" in svg and "aten::add_.Tensor" in svg and "#d62728" in svg


def test_python_dash_m_mutograd_doctor(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    probe = subprocess.run(
        [sys.executable, "-c", "import mutograd"], env=doctor_env(), capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip("the mutograd package itself does not import yet")
    script = write(
        tmp_path, "ok.py", "import sys, torch\nprint(torch.ones(2).sum().item())\nsys.exit(4)\n"
    )
    for command in (["-m", "mutograd.doctor"], ["-m", "mutograd", "doctor"]):
        got = subprocess.run(
            [sys.executable, *command, str(script)],
            capture_output=True,
            text=True,
            env=doctor_env(),
            timeout=120,
        )
        assert (got.returncode, got.stdout, got.stderr) == (4, "2.0\n", ""), command


def test_without_torch_says_how_to_install(tmp_path: Path) -> None:
    script = write(tmp_path, "uses_torch.py", "import torch\n")
    got = subprocess.run(
        [sys.executable, str(RUNNER), "--no-torch", str(script)],
        capture_output=True,
        text=True,
        env=doctor_env(),
    )
    assert got.returncode != 0
    assert "PyTorch is not installed" in got.stderr
    assert "pip install torch" in got.stderr and 'pip install "mutograd[torch]"' in got.stderr
    assert got.stdout == ""
    assert os.path.exists(script)


def test_cli_graph_labels_parameters_by_name(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    script = write(
        tmp_path,
        "named.py",
        """\
        import torch
        from torch import nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                out = torch.sigmoid(self.fc(x))
                out += 1
                return out

        generator = Net()
        generator(torch.randn(2, 4)).sum().backward()
        """,
    )
    graph = tmp_path / "g.dot"
    got = subprocess.run(
        [sys.executable, str(RUNNER), "--graph", str(graph), str(script)],
        capture_output=True, text=True, env=doctor_env(), cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert got.returncode == 1
    dot = graph.read_text()
    assert 'label="generator.fc.weight\\nfloat32[4, 4]"' in dot
    assert 'label="generator.fc.bias\\nfloat32[4]"' in dot
    assert '"leaf\\n' not in dot


@pytest.mark.parametrize("graph", ["out.xyz", "missing_folder/out.svg", "."])
def test_bad_graph_option_fails_before_the_script_runs(
    graph: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    script = write(tmp_path, "slow.py", "open('ran', 'w').close()\n")
    code, out, err = doctor_in_process(
        capsys, monkeypatch, ["--graph", graph, str(script)], cwd=tmp_path
    )
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("mutograd doctor: error: --graph ")
    assert not (tmp_path / "ran").exists()  # the script never ran


def test_watch_refuses_a_bad_graph_path() -> None:
    pytest.importorskip("torch")
    from mutograd.doctor import watch

    with pytest.raises(ValueError, match="unknown format .xyz"):
        watch(graph="out.xyz")


def test_example_prints_no_dot_source_without_graphviz(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    probe = subprocess.run(
        [sys.executable, "-c", "import mutograd"], env=doctor_env(), capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip("the mutograd package itself does not import yet")
    env = doctor_env()
    env["PATH"] = str(tmp_path)  # no Graphviz `dot` here
    example = REPO / "examples" / "doctor" / "find_the_culprit.py"
    got = subprocess.run(
        [sys.executable, str(example), "graph.svg"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert got.returncode == 0, got.stderr
    assert "digraph" not in got.stdout and "digraph" not in got.stderr
    assert "graph written to graph.dot" in got.stdout and "install Graphviz" in got.stdout
    assert (tmp_path / "graph.dot").read_text().startswith("digraph backward {")
    assert "mutograd doctor:" in got.stdout  # the diagnosis is still shown


def test_dash_m_module_like_python_dash_m(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    package = tmp_path / "proj"
    package.mkdir()
    (package / "__init__.py").write_text("")
    write(
        package,
        "train.py",
        """\
        import sys
        import torch
        print(sys.argv[1:], __name__, sys.argv[0].endswith("train.py"))
        x = torch.randn(3, requires_grad=True)
        y = x.sigmoid()
        y *= 2
        y.sum().backward()
        """,
    )
    expected = subprocess.run(
        [sys.executable, "-m", "proj.train", "--lr", "1"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    got = subprocess.run(
        [sys.executable, str(RUNNER), "-m", "proj.train", "--lr", "1"],
        capture_output=True, text=True, env=doctor_env(), cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert got.returncode == expected.returncode == 1
    assert got.stdout == expected.stdout == "['--lr', '1'] __main__ True\n"
    assert "proj/train.py:5" in got.stderr and "proj/train.py:6" in got.stderr
    assert "`y = y * 2`" in got.stderr
    missing = subprocess.run(
        [sys.executable, str(RUNNER), "-m", "no_such_module_here"],
        capture_output=True, text=True, env=doctor_env(), cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 1 and "No module named no_such_module_here" in missing.stderr


def test_rank_label_only_under_a_multi_process_launch(monkeypatch: pytest.MonkeyPatch) -> None:
    from mutograd.doctor.cli import _label_rank
    from mutograd.doctor.errors import InplaceModificationError

    text = "torch text\n\nmutograd doctor: heading\n    fix: x"
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    error = InplaceModificationError(text)
    _label_rank(error)
    assert str(error) == "torch text\n\n[rank 1] mutograd doctor: heading\n[rank 1]     fix: x"
    monkeypatch.setenv("WORLD_SIZE", "1")
    error = InplaceModificationError(text)
    _label_rank(error)
    assert str(error) == text
    plain = RuntimeError(text)  # not the doctor's: left alone
    monkeypatch.setenv("WORLD_SIZE", "2")
    _label_rank(plain)
    assert str(plain) == text
