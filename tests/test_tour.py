"""The tour runs end to end and teaches what it claims."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from mutograd.tour import STEPS, main, run_tour


def test_tour_runs_without_unexpected_errors():
    out = io.StringIO()
    assert run_tour(out=out) == 0
    text = out.getvalue()
    assert f"Step {len(STEPS)}/{len(STEPS)}" in text


def test_tour_shows_the_lesson_corrected_and_the_where_diagnosis():
    out = io.StringIO()
    run_tour(out=out)
    text = out.getvalue()
    # The lesson's out-of-place and in-place outputs.
    assert "After y = x + 5: tensor([6., 7., 8.], grad_fn=<AddBackward0>)" in text
    assert "After a.add_(5):  tensor([6., 7., 8.])   version 1" in text
    # PyTorch refuses the lesson's leaf write; the tour shows the no_grad fix.
    assert "a leaf Variable that requires grad is being used in an in-place operation." in text
    assert "mutograd: the in-place operation add_ is at <tour step 4>:4" in text
    assert "x3 after in-place add: tensor([101., 102.], requires_grad=True)   version 1" in text
    # The sigmoid step names the saver and the culprit line.
    assert "which is output 0 of Sigmoid, is at version 1; expected version 0 instead." in text
    assert "saved for backward by SigmoidBackward0 at version 0" in text
    assert "add_ at <tour step 6>:3 (in <module>): version 0 -> 1" in text
    # In-place on a view: CopySlices and correct gradients.
    assert "h.grad_fn = torch::autograd::CopySlices" in text
    assert "w.grad = tensor([ 0.,  1., 11.])" in text
    # Memory, measured live.
    assert "a.mul_(2) peak allocation: 0.0 MB" in text
    # nn.ReLU(inplace=True): safe after Linear, and its gradients match the out-of-place run.
    assert "same gradients: True" in text


def test_python_dash_m_mutograd_tour_exit_code():
    result = subprocess.run(
        [sys.executable, "-m", "mutograd", "tour", "--step", "1", "--step", "4"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Step 4/" in result.stdout


@pytest.mark.parametrize(
    "argv, complaint",
    [
        (["--step", "99"], "expected a step number from 1 to 11, got 99"),
        (["--step", "0"], "expected a step number from 1 to 11, got 0"),
        (["--step", "-1"], "expected a step number from 1 to 11, got -1"),
        (["--step", "two"], "expected a step number from 1 to 11, got 'two'"),
        (["--step"], "argument --step: expected one argument"),
        (["--steps", "1"], "unrecognized arguments: --steps 1"),
    ],
)
def test_bad_options_get_one_line_on_stderr_and_exit_2(argv, complaint, capsys):
    assert len(STEPS) == 11  # the expected messages name the range
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("mutograd tour: error: ")
    assert complaint in captured.err


def test_list_and_help_name_the_lesson_not_its_source(capsys):
    assert main(["--list"]) == 0
    listing = capsys.readouterr().out
    assert listing.count("\n") == len(STEPS) and " 4. The lesson's leaf write" in listing
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: mutograd tour") and "lesson on in-place operations" in text
    assert "seed" not in (listing + text).lower()
