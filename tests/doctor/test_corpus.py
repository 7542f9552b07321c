"""Real bug shapes (tests/doctor/corpus/*.py), each run with and without the doctor.

Each program marks the line that saves the tensor (``# SAVED``) and the line
that overwrites it (``# CULPRIT``); ``--fixed`` runs the corrected program.
"""

from __future__ import annotations

import warnings

import pytest
from doctor_helpers import Script, corpus, run_doctor, run_plain

torch = pytest.importorskip("torch")

from mutograd.doctor import (  # noqa: E402
    InplaceModificationError,
    InplaceWriteWarning,
    SilentModificationError,
)

SCRIPTS = corpus()
LOUD = [s for s in SCRIPTS if not (s.paranoid or s.write_time)]  # PyTorch's version error
SILENT = [s for s in SCRIPTS if s.paranoid]  # PyTorch raises nothing: wrong gradients


def test_corpus_is_big_enough() -> None:
    assert len(SCRIPTS) >= 15
    for script in SCRIPTS:
        assert (script.saved or script.write_time) and script.culprits and script.expect, script
        assert script.origins or not script.write_time, script


def _assert_names_lines(script: Script, report: str) -> None:
    saved_section, _, writes_section = report.partition("in-place writes")
    forward_line = next(line for line in saved_section.splitlines() if "forward op:" in line)
    assert any(script.loc(n) in forward_line for n in script.saved), (script.saved, report)
    for n in script.culprits:
        assert script.loc(n) in writes_section, (n, report)
    for phrase in script.expect:
        assert phrase in report, (phrase, report)


@pytest.mark.parametrize("script", LOUD, ids=repr)
def test_version_error_names_culprit(script: Script) -> None:
    plain_out, plain_error = run_plain(script)
    assert isinstance(plain_error, RuntimeError)
    assert "modified by an inplace operation" in str(plain_error)

    out, error = run_doctor(script)
    assert isinstance(error, InplaceModificationError)
    message = str(error)
    # PyTorch's text, to the letter, stays on top; the diagnosis follows.
    assert message.startswith(str(plain_error) + "\n\nmutograd doctor:")
    assert type(error.__cause__) is RuntimeError and str(error.__cause__) == str(plain_error)
    _assert_names_lines(script, message[len(str(plain_error)) :])
    assert out == plain_out  # everything the program printed before the error


@pytest.mark.parametrize("script", LOUD, ids=repr)
def test_early_warning_at_the_write(script: Script) -> None:
    seen: list[tuple[str, str, int, int]] = []

    def record(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001
        # graph task id -1: no backward is running yet
        seen.append((str(message), category, lineno, torch._C._current_graph_task_id()))

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = record
        _, error = run_doctor(script, early=True)
    assert isinstance(error, InplaceModificationError)
    ours = [s for s in seen if s[1] is InplaceWriteWarning]
    assert ours, seen
    message, _, lineno, task = ours[0]
    assert lineno in script.culprits
    assert task == -1
    assert "invalidates a tensor saved by" in message
    assert any(script.loc(n) in message for n in script.saved), message


@pytest.mark.parametrize("script", SILENT, ids=repr)
def test_silent_write_needs_paranoid(script: Script) -> None:
    plain_out, plain_error = run_plain(script)
    assert plain_error is None  # PyTorch notices nothing
    out, error = run_doctor(script)
    assert error is None and out == plain_out  # neither does the default doctor

    _, error = run_doctor(script, paranoid=True)
    assert isinstance(error, SilentModificationError)
    assert isinstance(error, RuntimeError)
    _assert_names_lines(script, str(error))


@pytest.mark.parametrize("script", SILENT, ids=repr)
def test_silent_write_early_paranoid_warning(script: Script) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_doctor(script, early=True, paranoid=True)
    ours = [w for w in caught if w.category is InplaceWriteWarning]
    assert ours and ours[0].lineno in script.culprits
    assert "without autograd noticing" in str(ours[0].message)


@pytest.mark.parametrize("script", SCRIPTS, ids=repr)
def test_fixed_program_is_unchanged(script: Script) -> None:
    plain_out, plain_error = run_plain(script, "--fixed")
    assert plain_error is None and plain_out
    for options in ({}, {"paranoid": True}):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any doctor warning fails the test
            out, error = run_doctor(script, "--fixed", **options)
        assert error is None, (options, error)
        assert out == plain_out, options  # same losses, same gradients, to the bit


@pytest.mark.parametrize("script", SCRIPTS, ids=repr)
def test_fixed_program_early(script: Script) -> None:
    # --early warns when a write invalidates a tensor of a graph that is still
    # alive; it cannot know whether backward will run through that graph.  The
    # programs where the fix leaves such a graph behind say so ("EARLY:").
    plain_out, _ = run_plain(script, "--fixed")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out, error = run_doctor(script, "--fixed", early=True, paranoid=True)
    assert error is None and out == plain_out
    ours = [w for w in caught if w.category is InplaceWriteWarning]
    if "EARLY: " in script.text:
        assert ours and all(w.lineno in script.culprits for w in ours)
    else:
        assert not ours, [str(w.message) for w in ours]
