"""``python -m mutograd.doctor script.py [args...]``."""

import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
