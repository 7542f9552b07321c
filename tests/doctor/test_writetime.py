"""Errors PyTorch raises at the write itself (or in backward without naming a saved
tensor) get the doctor's diagnosis: the line that made the view / the leaf, and a fix
spelled in the user's own code.  Corpus programs marked ``KIND: write-time``."""

from __future__ import annotations

import pytest
from doctor_helpers import Script, corpus, run_doctor, run_plain

torch = pytest.importorskip("torch")

from mutograd.doctor import DiagnosedError, DoctorError, watch  # noqa: E402
from mutograd.doctor.writetime import kind_of  # noqa: E402

WRITE_TIME = [s for s in corpus() if s.write_time]


def test_every_kind_has_a_corpus_program() -> None:
    kinds = set()
    for script in WRITE_TIME:
        _, error = run_plain(script)
        kinds.add(kind_of(error))
    assert kinds >= {
        "multi-output view", "custom Function", "no_grad view", "inference tensor",
        "leaf", "leaf view", "leaf moved", "backward twice",
    }  # fmt: skip


@pytest.mark.parametrize("script", WRITE_TIME, ids=repr)
def test_write_time_error_gets_a_diagnosis(script: Script) -> None:
    plain_out, plain_error = run_plain(script)
    assert type(plain_error) is RuntimeError and kind_of(plain_error) is not None

    out, error = run_doctor(script)
    assert isinstance(error, DiagnosedError) and isinstance(error, RuntimeError)
    message = str(error)
    # PyTorch's text, to the letter, on top; PyTorch's error is the cause
    assert message.startswith(str(plain_error) + "\n\nmutograd doctor: ")
    assert type(error.__cause__) is RuntimeError and str(error.__cause__) == str(plain_error)
    report = message[len(str(plain_error)) :]
    for n in script.origins + script.culprits:
        assert script.loc(n) in report, (n, report)
    for phrase in script.expect:
        assert phrase in report, (phrase, report)
    assert "fix:" in report
    fixes = [line.strip() for line in report.splitlines() if line.startswith(" " * 20)]
    assert len(fixes) == len(set(fixes))  # one suggestion per cause
    assert out == plain_out


def test_traceback_points_at_the_users_line() -> None:
    def program() -> None:
        x = torch.randn(2, 3, requires_grad=True)
        a, _ = x.sigmoid().chunk(2)
        a.mul_(2)  # the refused write

    with pytest.raises(DiagnosedError) as info:
        with watch():
            program()
    assert info.traceback[-1].name == "program"  # raised where PyTorch raised it
    assert "a = a.mul(2)" in str(info.value)


def test_other_errors_and_handled_errors_are_untouched() -> None:
    with pytest.raises(RuntimeError) as info:
        with watch():
            torch.mm(torch.randn(2, 3), torch.randn(2, 3))
    assert not isinstance(info.value, DoctorError)
    with watch():  # caught inside the block: nothing to diagnose
        try:
            torch.randn(3, requires_grad=True).add_(1)
        except RuntimeError:
            pass
