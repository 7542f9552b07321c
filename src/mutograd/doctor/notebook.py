"""Jupyter / IPython: ``%load_ext mutograd.doctor`` and ``%%doctor``.

After ``%load_ext mutograd.doctor`` every cell runs under one ``watch()``; when a
cell fails with an in-place error, the diagnosis follows the traceback.
``%%doctor`` (options ``--early``, ``--paranoid``) runs one cell under
``watch()`` without loading the extension for the others.  ``%unload_ext
mutograd.doctor`` stops watching.
"""

from __future__ import annotations

import shlex
import sys
from typing import Any

from .errors import DoctorError
from .recorder import watch
from .writetime import diagnose


class CellWatcher:
    """One ``watch()`` for the whole session, from ``%load_ext`` to ``%unload_ext``.

    Not one per cell: a tensor saved in one cell is often written in the next
    and backpropagated in a third, and the doctor must see all three.
    """

    def __init__(self, shell: Any):
        self.shell = shell
        self.watcher = watch()
        self.watcher.__enter__()

    def stop(self) -> None:
        self.watcher.__exit__(None, None, None)

    def show_error(
        self, shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None
    ) -> None:
        """IPython's custom exception handler: the usual traceback, then the diagnosis."""
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        if isinstance(value, DoctorError):
            return  # its message is the diagnosis already
        recorder = self.watcher.recorder
        text = diagnose(value, recorder) if recorder is not None else None
        if text:
            print("\n" + text, file=sys.stdout)


_watchers: dict[int, CellWatcher] = {}


def load(shell: Any) -> None:
    if id(shell) in _watchers:
        return
    cells = _watchers[id(shell)] = CellWatcher(shell)
    shell.set_custom_exc((RuntimeError,), cells.show_error)
    shell.register_magic_function(doctor_cell, magic_kind="cell", magic_name="doctor")


def unload(shell: Any) -> None:
    cells = _watchers.pop(id(shell), None)
    if cells is None:
        return
    cells.stop()
    shell.set_custom_exc((), None)


def doctor_cell(line: str, cell: str) -> None:
    """``%%doctor [--early] [--paranoid]``: run this cell under the doctor."""
    from IPython import get_ipython

    shell = get_ipython()
    options = shlex.split(line)
    unknown = [o for o in options if o not in ("--early", "--paranoid")]
    if unknown:
        raise ValueError(f"%%doctor: unknown option {unknown[0]} (use --early, --paranoid)")
    # compiled under a cached file name, so tracebacks and the doctor show its lines
    filename = shell.compile.cache(cell)
    code = compile(cell, filename, "exec")
    with watch(early="--early" in options, paranoid="--paranoid" in options):
        exec(code, shell.user_global_ns, shell.user_ns)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext mutograd.doctor.notebook``: only the ``%%doctor`` cell magic."""
    ipython.register_magic_function(doctor_cell, magic_kind="cell", magic_name="doctor")
