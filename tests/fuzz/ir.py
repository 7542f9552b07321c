"""The program IR: a list of statements with structure, rendered to Python text.

Every statement binds fresh names only (t0, t1, ...), so which statement a later one
depends on is known from the names it reads; the minimiser drops a statement together
with everything that reads what it defined, so a shrunk program still runs on torch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NAME = re.compile(r"\bt\d+\b")


@dataclass(frozen=True)
class Stmt:
    kind: str  # "view.transpose", "inplace.add_", "setitem.mask", "nograd.inplace.exp_", ...
    code: str  # Python source, possibly several lines (a `with torch.no_grad():` block)
    defines: tuple = ()
    uses: tuple = field(default=())

    @staticmethod
    def make(kind, code, defines=()):
        uses = tuple(sorted(set(NAME.findall(code)) - set(defines), key=lambda n: int(n[1:])))
        return Stmt(kind, code, tuple(defines), uses)

    def one_line(self):
        return self.code.replace(":\n    ", ": ")


def sources(program):
    return [s.code for s in program]


def render(program, notes=None):
    """Python text of a program; notes maps a statement index to a trailing comment."""
    lines = ["import torch  # or: import mutograd as torch", ""]
    for i, s in enumerate(program):
        text = s.code
        if notes and i in notes:
            text += f"  # <- {notes[i]}"
        lines.append(text)
    return "\n".join(lines) + "\n"


def closure(program, drop):
    """Indices kept when the statements in drop go, with everything reading what they defined."""
    gone = set()
    keep = []
    for i, s in enumerate(program):
        if i in drop or gone.intersection(s.uses):
            gone.update(s.defines)
        else:
            keep.append(i)
    return keep
