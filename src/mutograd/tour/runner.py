"""Runs lesson steps the autodidax way: prose, then the code, then what it printed.

Each step's code runs in one shared namespace (``torch`` is mutograd), compiled
under the name ``<tour step N>`` so mutograd's "where" diagnostics point into
the lesson itself.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
import traceback
from dataclasses import dataclass


@dataclass
class Step:
    title: str
    prose: str
    code: str
    expect_error: bool = False


def run_step(number: int, step: Step, namespace: dict) -> tuple[str, BaseException | None]:
    """Execute one step; returns (captured output, the error it raised if any)."""
    buffer = io.StringIO()
    code = compile(textwrap.dedent(step.code).strip() + "\n", f"<tour step {number}>", "exec")
    error = None
    with contextlib.redirect_stdout(buffer):
        try:
            exec(code, namespace)
        except Exception as exc:  # noqa: BLE001 - a lesson step may raise on purpose
            error = exc
    return buffer.getvalue(), error


def render(number: int, total: int, step: Step, output: str, error: BaseException | None) -> str:
    rule = "─" * 72
    lines = [
        rule,
        f"Step {number}/{total}: {step.title}",
        rule,
        textwrap.dedent(step.prose).strip(),
        "",
    ]
    for line in textwrap.dedent(step.code).strip().splitlines():
        lines.append(f"    {line}")
    lines.append("")
    if output:
        lines.append("output:")
        lines.extend(f"  {line}" for line in output.rstrip("\n").splitlines())
    if error is not None:
        lines.append(f"raised {type(error).__name__}:")
        lines.extend(f"  {line}" for line in str(error).splitlines())
    lines.append("")
    return "\n".join(lines)


def format_unexpected(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))
