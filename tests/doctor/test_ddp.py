"""torchrun / DDP: ``torchrun --nproc-per-node 2 -m mutograd doctor train.py`` on CPU
with gloo diagnoses each rank, each rank's diagnosis prefixed with ``[rank N]``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import doctor_helpers  # noqa: F401  (makes mutograd.doctor importable)
import pytest
from doctor_helpers import Script, doctor_env

torch = pytest.importorskip("torch")
dist = pytest.importorskip("torch.distributed")
if not (dist.is_available() and dist.is_gloo_available()):
    pytest.skip("torch.distributed with gloo is not available", allow_module_level=True)

PROGRAMS = sorted((Path(__file__).parent / "corpus" / "ddp").glob("*.py"))


def torchrun(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2"]
    env = doctor_env()
    env["OMP_NUM_THREADS"] = "1"
    return subprocess.run(
        [*command, "--standalone", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=110,
    )  # fmt: skip


@pytest.mark.skipif(shutil.which("true") is None, reason="needs a POSIX system")
@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.name)
def test_each_rank_gets_its_diagnosis(path: Path, tmp_path: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import mutograd"], env=doctor_env(), capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip("the mutograd package itself does not import yet")
    script = Script(path)
    got = torchrun("-m", "mutograd", "doctor", str(path), cwd=tmp_path)
    assert got.returncode != 0
    # (torchrun itself may prefix each line of a rank's stderr with "[rankN]: ")
    err = got.stderr
    for rank in (0, 1):
        prefix = f"[rank {rank}] "
        assert prefix + "mutograd doctor: this tensor was written in place" in err, err[-3000:]
        for n in script.saved + script.culprits:
            assert any(
                prefix in line and f"{path.name}:{n}" in line for line in err.splitlines()
            ), (rank, n)
        for phrase in script.expect:
            assert any(prefix in line and phrase in line for line in err.splitlines())
