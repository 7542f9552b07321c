"""``mutograd <command>`` (or ``python -m mutograd <command>``): tour, train, doctor."""

from __future__ import annotations

import sys

from . import __version__

USAGE = """usage: mutograd [-h] [--version] <command> [options]

commands:
  tour     run the lesson on in-place operations, live (about 5 s)
  train    train an MLP and a CNN on the digits data set (about a minute)
  doctor   run a PyTorch script and explain in-place errors (mutograd doctor script.py)

options:
  -h, --help  show this help and exit
  --version   show mutograd's version and exit

`mutograd <command> --help` describes each command's options.
"""

COMMANDS = ("tour", "train", "doctor")


def _usage_error(message: str) -> int:
    # one line on stderr and exit status 2, as argparse's errors in each command
    print(f"mutograd: error: {message} (see mutograd --help)", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        return _usage_error("a command is required: tour, train or doctor")
    command, rest = argv[0], argv[1:]
    if command in ("-h", "--help"):
        print(USAGE, end="")
        return 0
    if command in ("-V", "--version"):
        print(f"mutograd {__version__}")
        return 0
    if command == "tour":
        from .tour import main as tour_main

        return tour_main(rest)
    if command == "train":
        from .train import main as train_main

        return train_main(rest)
    if command == "doctor":
        from .doctor.cli import main as doctor_main

        return doctor_main(rest)
    if command.startswith("-"):
        return _usage_error(f"unrecognized option {command}")
    return _usage_error(f"unknown command {command!r} (choose from tour, train, doctor)")


if __name__ == "__main__":
    sys.exit(main())
