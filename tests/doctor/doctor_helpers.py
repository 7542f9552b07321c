"""Helpers shared by the doctor's tests: importing the doctor, the corpus, ways to run it.

Importing this module first makes ``mutograd.doctor`` importable whatever state
the rest of mutograd is in: the doctor imports only torch and the standard
library, so when the rest of mutograd cannot be imported (it may be
unfinished), a stub ``mutograd`` package pointing at src/mutograd stands in.
(No conftest.py here: a second module named ``conftest`` would shadow the one
in tests/ that other test modules import from.)
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import runpy
import sys
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
CORPUS = Path(__file__).resolve().parent / "corpus"
RUNNER = Path(__file__).resolve().parent / "doctor_runner.py"


def _import_doctor() -> None:
    try:
        import mutograd.doctor  # noqa: F401

        return
    except Exception:
        pass
    for name in [n for n in sys.modules if n == "mutograd" or n.startswith("mutograd.")]:
        del sys.modules[name]
    stub = types.ModuleType("mutograd")
    stub.__path__ = [str(SRC / "mutograd")]
    sys.modules["mutograd"] = stub
    import mutograd.doctor  # noqa: F401


_import_doctor()


def doctor_env() -> dict[str, str]:
    """Environment for subprocesses running the doctor through doctor_runner.py."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("PYTHONWARNINGS", None)
    return env


class Script:
    """A corpus program and what its comments say about it."""

    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text()
        lines = self.text.splitlines()
        self.saved = [n for n, line in enumerate(lines, 1) if re.search(r"#.*\bSAVED\b", line)]
        self.culprits = [n for n, line in enumerate(lines, 1) if re.search(r"#.*\bCULPRIT\b", line)]
        self.expect = re.findall(r"^EXPECT: (.+)$", self.text, re.M)
        self.paranoid = "MODE: paranoid" in self.text
        # PyTorch raises at the write itself (or a backward error naming no saved tensor)
        self.write_time = "KIND: write-time" in self.text
        self.origins = [n for n, line in enumerate(lines, 1) if re.search(r"#.*\bORIGIN\b", line)]

    def __repr__(self) -> str:
        return self.path.name

    def loc(self, line: int) -> str:
        return f"{self.path.name}:{line}"


def corpus() -> list[Script]:
    return [Script(p) for p in sorted(CORPUS.glob("*.py"))]


def run_plain(script: Script, *args: str) -> tuple[str, BaseException | None]:
    """Run like `python script args` in this process: (stdout, exception)."""
    saved_argv = sys.argv
    sys.argv = [str(script.path), *args]
    out = io.StringIO()
    error = None
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(script.path), run_name="__main__")
    except Exception as e:  # noqa: BLE001 - the script's own error is the result
        error = e
    finally:
        sys.argv = saved_argv
    return out.getvalue(), error


def run_doctor(script: Script, *args: str, **options: object) -> tuple[str, BaseException | None]:
    """Run under the doctor (cli.run_script) in this process: (stdout, exception)."""
    from mutograd.doctor.cli import run_script

    out = io.StringIO()
    error = None
    try:
        with contextlib.redirect_stdout(out):
            run_script(str(script.path), list(args), **options)
    except Exception as e:  # noqa: BLE001
        error = e
    return out.getvalue(), error
