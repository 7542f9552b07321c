"""Run ``mutograd doctor`` in a subprocess even if the rest of mutograd is unfinished.

    python doctor_runner.py [doctor options] script.py [args...]

Same as ``python -m mutograd doctor ...``; with ``--no-torch`` first, makes
``import torch`` fail, to test what the doctor says without torch.
"""

import sys
import types
from pathlib import Path

if sys.argv[1:2] == ["--no-torch"]:
    del sys.argv[1]
    sys.modules["torch"] = None  # `import torch` now raises ImportError

try:
    import mutograd.doctor  # noqa: F401
except Exception:
    for name in [n for n in sys.modules if n == "mutograd" or n.startswith("mutograd.")]:
        del sys.modules[name]
    stub = types.ModuleType("mutograd")
    stub.__path__ = [str(Path(__file__).resolve().parents[2] / "src" / "mutograd")]
    sys.modules["mutograd"] = stub

from mutograd.doctor.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
