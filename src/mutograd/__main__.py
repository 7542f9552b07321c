"""``python -m mutograd <command>``: tour (the lesson), train (the example), doctor."""

from __future__ import annotations

import sys

USAGE = """usage: python -m mutograd <command> [options]

commands:
  tour     run the lesson on in-place operations, live
  train    train an MLP and a CNN on the digits data set
  doctor   run a PyTorch script and explain in-place errors (python -m mutograd doctor script.py)
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "tour":
        from .tour import main as tour_main

        return tour_main(rest)
    if command == "train":
        from .train import main as train_main

        return train_main(rest)
    if command == "doctor":
        from .doctor.cli import main as doctor_main

        return doctor_main(rest)
    print(f"unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
