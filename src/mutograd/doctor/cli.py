"""``mutograd doctor [--early] [--paranoid] [--graph FILE.svg] script.py [args...]``.

Runs the script as ``python script.py`` would (same ``sys.argv``, ``__main__``,
``sys.path[0]``, exit code and traceback) under ``watch()``.  Imports torch only
inside :func:`main`, so that a missing torch can be explained.
"""

from __future__ import annotations

import os
import runpy
import sys
from types import TracebackType
from typing import Any

from .drawing import draw_failure, graph_path_problem

USAGE = (
    "usage: python -m mutograd doctor [--early] [--paranoid] [--light] [--graph FILE.svg] "
    "(script.py | -m module) [args...]"
)

HELP = f"""{USAGE}

Run a PyTorch script and explain "modified by an inplace operation" errors:
which saved tensor, which autograd node saved it and where, every in-place
write to it since (file:line, aten op, versions), and the fix.

options:
  --early           warn at the in-place write itself, before backward runs
  --paranoid        also catch writes autograd cannot see (.data, NumPy, ...),
                    which PyTorch never reports and which give wrong gradients
  --light           cheaper: record only what backward's check needs (names the
                    saved tensor and its forward line, not the write)
  --graph FILE.svg  draw the latest backward graph (the failing one) to FILE
                    (.svg, .png, .pdf or .dot; needs Graphviz except for .dot)
  -m module         run a module as `python -m module` does
  -h, --help        show this help
"""

TORCH_MISSING = """mutograd doctor: PyTorch is not installed in this Python ({python}).
The doctor runs PyTorch programs; install PyTorch first:
    pip install torch
or, with mutograd's optional dependencies:
    pip install "mutograd[torch]"
"""


class _UsageError(Exception):
    pass


def _parse(argv: list[str]) -> dict[str, object] | None:
    """Options up to the script name; everything after it belongs to the script."""
    options: dict[str, object] = {
        "early": False,
        "paranoid": False,
        "light": False,
        "graph": None,
        "module": None,
    }
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            return None
        if arg == "--":
            i += 1
            break
        if arg in ("--early", "--paranoid", "--light"):
            options[arg[2:]] = True
        elif arg == "--graph":
            if i + 1 >= len(argv):
                raise _UsageError("--graph needs a file name")
            options["graph"] = argv[i + 1]
            i += 1
        elif arg.startswith("--graph="):
            options["graph"] = arg.split("=", 1)[1]
        elif arg == "-m":
            if i + 1 >= len(argv):
                raise _UsageError("-m needs a module name")
            options["module"] = argv[i + 1]
            options["script"] = None
            options["args"] = argv[i + 2 :]
            return options
        elif arg.startswith("-") and arg != "-":
            raise _UsageError(f"unknown option {arg}")
        else:
            break
        i += 1
    if i >= len(argv):
        raise _UsageError("no script given")
    options["script"] = argv[i]
    options["args"] = argv[i + 1 :]
    return options


def main(argv: list[str]) -> int:
    """Run ``mutograd doctor`` with ``argv`` (the arguments after ``doctor``); returns the exit code."""
    try:
        options = _parse(list(argv))
    except _UsageError as error:
        # one line and exit status 2, like every mutograd command's usage errors
        print(f"mutograd doctor: error: {error} (see mutograd doctor --help)", file=sys.stderr)
        return 2
    if options is None:
        print(HELP, end="")
        return 0
    if options["graph"] is not None:
        problem = graph_path_problem(str(options["graph"]))
        if problem is not None:  # before the script runs: one line, like a usage error
            print(f"mutograd doctor: error: {problem}", file=sys.stderr)
            return 2
    module = options["module"]
    script = str(options["script"])
    if module is None:
        problem = _cannot_open(script)
        if problem is not None:
            print(problem, file=sys.stderr)
            return 2
    try:
        import torch  # noqa: F401
    except ImportError:
        print(TORCH_MISSING.format(python=sys.executable), file=sys.stderr, end="")
        return 1
    if module is not None:
        found = _module_file(str(module))
        if isinstance(found, str) and found.startswith("No module named"):
            program = (getattr(sys, "orig_argv", None) or [sys.executable])[0]
            print(f"{program}: {found}", file=sys.stderr)  # python's own words
            return 1
        script = "-m " + str(module)
    return _run(
        script,
        list(options["args"]),
        bool(options["early"]),
        bool(options["paranoid"]),
        options["graph"],
        bool(options["light"]),
    )


def _cannot_open(script: str) -> str | None:
    """Python's own message when ``python script`` cannot open the file."""
    if os.path.isdir(script):
        return None  # runpy runs a directory's __main__.py, like python
    try:
        with open(script, "rb"):
            return None
    except OSError as error:
        path = script if os.path.isabs(script) else os.path.join(os.getcwd(), script)
        program = (getattr(sys, "orig_argv", None) or [sys.executable])[0]
        return f"{program}: can't open file {path!r}: [Errno {error.errno}] {error.strerror}"


def run_script(
    script: str,
    args: list[str] | tuple[str, ...] = (),
    *,
    early: bool = False,
    paranoid: bool = False,
    graph: str | None = None,
) -> None:
    """Run ``script`` under ``watch()`` as ``python script args...`` would; its exceptions propagate."""
    from .recorder import watch

    _execute(script, list(args), watch(early=early, paranoid=paranoid, graph=graph))


def _module_file(module: str) -> str:
    """The file ``python -m module`` runs, or python's "No module named" text."""
    import importlib.util

    sys.path.insert(0, os.getcwd())  # where python -m looks first
    try:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.submodule_search_locations is not None:
            spec = importlib.util.find_spec(module + ".__main__")
    except (ImportError, ValueError) as error:
        return f"No module named {module}" if "No module" not in str(error) else str(error)
    finally:
        sys.path.pop(0)
    if spec is None or spec.origin is None:
        return f"No module named {module}"
    return spec.origin


def _execute(script: str, args: list[str], watcher: Any) -> None:
    if script.startswith("-m "):
        _execute_module(script[3:], args, watcher)
        return
    # python puts the script's directory first on sys.path; `python -m` put the cwd there.
    saved_argv, saved_path0 = sys.argv, sys.path[0] if sys.path else None
    sys.argv = [script, *args]
    script_dir = os.path.dirname(os.path.realpath(script))
    if sys.path:
        sys.path[0] = script_dir
    else:
        sys.path.insert(0, script_dir)
    try:
        with watcher:
            script_globals = runpy.run_path(os.path.abspath(script), run_name="__main__")
        if getattr(watcher, "recorder", None) is not None:
            watcher.recorder.namespaces.append(script_globals)
    finally:
        sys.argv = saved_argv
        if saved_path0 is not None:
            sys.path[0] = saved_path0


def _execute_module(module: str, args: list[str], watcher: Any) -> None:
    # python -m puts the working directory first on sys.path and the module's
    # file in sys.argv[0]; runpy does the rest as python does.
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [_module_file(module), *args]
    sys.path.insert(0, os.getcwd())
    try:
        with watcher:
            script_globals = runpy.run_module(module, run_name="__main__", alter_sys=True)
        if getattr(watcher, "recorder", None) is not None:
            watcher.recorder.namespaces.append(script_globals)
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path


def _run(
    script: str, args: list[str], early: bool, paranoid: bool, graph: object, light: bool = False
) -> int:
    from .recorder import watch

    watcher = watch(
        early=early, paranoid=paranoid, graph=None if graph is None else str(graph), light=light
    )
    watcher.draw_at_exit = False  # drawn below, after the script's own output and traceback
    try:
        _execute(script, args, watcher)
    except SystemExit as exit_:
        code = _exit_code(exit_.code)
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        sys.stdout.flush()
        _label_rank(error)
        first = _module_file(script[3:]) if script.startswith("-m ") else os.path.abspath(script)
        error.__traceback__ = _from_script(error.__traceback__, first)
        sys.excepthook(type(error), error, error.__traceback__)
        code = 1
    else:
        code = 0
    if graph is not None and watcher.recorder is not None:
        from .frames import named_parameters_in

        sys.stdout.flush()
        params = named_parameters_in(watcher.recorder.namespaces)
        draw_failure(watcher.recorder, str(graph), params)
    return code


def _label_rank(error: BaseException) -> None:
    """Under torchrun (WORLD_SIZE > 1), prefix the diagnosis lines with ``[rank N]``.

    Every rank prints its own traceback to the same terminal; the prefix tells
    whose diagnosis is whose.  PyTorch's own text, on top, stays as it is.
    """
    rank, world = os.environ.get("RANK"), os.environ.get("WORLD_SIZE", "1")
    if rank is None or not world.isdigit() or int(world) < 2:
        return
    from .errors import DoctorError

    if not isinstance(error, DoctorError) or not error.args:
        return
    text = str(error.args[0])
    head, marker, tail = text.partition("\n\nmutograd doctor")
    if not marker:
        return
    body = ("mutograd doctor" + tail).splitlines()
    error.args = (head + "\n\n" + "\n".join(f"[rank {rank}] {line}" for line in body),)


def _exit_code(code: object) -> int:
    """What python's exit status would be for ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


_DOCTOR_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# torch's wrappers around every TorchDispatchMode.__torch_dispatch__ call
_DISPATCH_WRAPPERS = (
    os.path.join("torch", "_compile.py"),
    os.path.join("torch", "_dynamo", "eval_frame.py"),
)
_OPS_FILE = os.path.join("torch", "_ops.py")


def _from_script(tb: TracebackType | None, filename: str) -> TracebackType | None:
    """The traceback python would print: from the script's frame down, without the doctor.

    Drops runpy's and the doctor's frames above the script, and the doctor's
    hooks below it (with torch's wrappers around its dispatch mode), so an
    error raised inside a watched op or hook looks as it would without the doctor.
    None when the script never ran (a SyntaxError): python then prints no
    "Traceback" header either, just the error with its location.
    """
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    entries = []
    after_doctor = False
    while tb is not None:
        code_file = tb.tb_frame.f_code.co_filename
        if code_file.startswith(_DOCTOR_DIR):
            while entries and entries[-1].tb_frame.f_code.co_filename.endswith(_DISPATCH_WRAPPERS):
                entries.pop()
            after_doctor = True
        elif not (
            after_doctor and code_file.endswith(_OPS_FILE)
        ):  # the op the dispatch mode called
            entries.append(tb)
            after_doctor = False
        tb = tb.tb_next
    result = None
    for entry in reversed(entries):
        result = TracebackType(result, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return result
