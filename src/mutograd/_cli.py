"""What every ``mutograd`` command line shares: one-line usage errors and checked option types.

A bad option is answered the way ``--epochs -1`` always was: one line on stderr
(``mutograd train: error: argument --lr: ...``) and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import math
from typing import Callable, NoReturn


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: the message names the option and the value it got."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class HelpFormatter(argparse.HelpFormatter):
    """Shows each option's default after its help (``--help`` answers "what if I omit it");
    flags and options whose help already explains the default are left as written."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (
            action.default in (None, argparse.SUPPRESS)
            or action.default is False
            or "default" in text
        ):
            return text
        return f"{text} (default: %(default)s)"


def positive_int(text: str) -> int:
    """An integer >= 1 (epochs, batch size, threads)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (a learning rate)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def int_between(low: int, high: int, what: str = "an integer") -> Callable[[str], int]:
    """An integer in ``[low, high]``; ``what`` names it in the error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {what} from {low} to {high}, got {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {what} from {low} to {high}, got {value}")
        return value

    parse.__name__ = what  # argparse names the type in some messages
    return parse
