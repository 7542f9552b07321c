"""The ``mutograd`` command line as a newcomer meets it: --version, --help, one-line usage
errors with exit status 2 for every command, and no internal words in the package's text."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import mutograd
from mutograd.__main__ import main

PACKAGE = Path(mutograd.__file__).parent


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"mutograd {mutograd.__version__}\n"
    done = run(sys.executable, "-m", "mutograd", "--version")
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"mutograd {mutograd.__version__}\n",
        "",
    )


@pytest.mark.skipif(shutil.which("mutograd") is None, reason="the mutograd script is not installed")
def test_installed_script_answers_version_and_help():
    done = run("mutograd", "--version")
    assert done.returncode == 0 and done.stdout.startswith("mutograd ")
    done = run("mutograd", "--help")
    assert done.returncode == 0 and done.stdout.startswith("usage: mutograd ")


def test_help_names_the_program_mutograd_and_every_command(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: mutograd [-h] [--version] <command>")
    for command in ("tour", "train", "doctor"):
        assert re.search(rf"^  {command} ", text, re.MULTILINE)


@pytest.mark.parametrize(
    "argv, complaint",
    [
        ([], "mutograd: error: a command is required: tour, train or doctor"),
        (["trian"], "mutograd: error: unknown command 'trian' (choose from tour, train, doctor)"),
        (["--bogus"], "mutograd: error: unrecognized option --bogus"),
    ],
)
def test_top_level_usage_errors_are_one_line_and_exit_2(argv, complaint, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith(complaint)


@pytest.mark.parametrize(
    "argv, complaint",
    [
        (["doctor"], "mutograd doctor: error: no script given"),
        (["doctor", "--graph"], "mutograd doctor: error: --graph needs a file name"),
        (["doctor", "--earyl", "x.py"], "mutograd doctor: error: unknown option --earyl"),
    ],
)
def test_doctor_usage_errors_are_one_line_and_exit_2(argv, complaint, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith(complaint)


@pytest.mark.parametrize(
    "argv",
    [["tour", "--step", "99"], ["train", "--batch-size", "0"], ["train", "--lr", "-1"]],
    ids=" ".join,
)
def test_the_issues_tracebacks_are_now_one_line_errors(argv):
    done = run(sys.executable, "-m", "mutograd", *argv)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"mutograd {argv[0]}: error: argument {argv[1]}: ")


# NB: [/] keeps a machine path out of this file.
INTERNAL = re.compile(r"seed document|seed's|seed lesson|shared/|[/]work[/]", re.IGNORECASE)


def test_the_package_never_speaks_of_where_its_text_came_from():
    hits = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*"))
        if path.suffix in (".py", ".md", ".txt")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INTERNAL.search(line)
    ]
    assert hits == []


BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("*.py")))
def test_every_bench_script_answers_help(script):
    done = run(sys.executable, str(BENCH / script), "--help")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout.strip()
    assert "Traceback" not in done.stdout


def readme_program() -> str:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Using mutograd", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("engine", ["mutograd", "torch"])
def test_the_readmes_using_mutograd_program_prints_what_it_says(engine, capsys):
    program = readme_program()
    assert program.startswith("import mutograd as torch\n")
    if engine == "torch":
        pytest.importorskip("torch")
        program = program.replace("import mutograd as torch", "import torch", 1)
    exec(compile(program, "README.md", "exec"), {"__name__": "__readme__"})
    printed = capsys.readouterr().out.splitlines()
    promised = [line.split("# ", 1)[1] for line in program.splitlines() if "print(" in line]
    assert printed == promised
