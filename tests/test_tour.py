"""The tour runs end to end and teaches what it claims."""

from __future__ import annotations

import io
import subprocess
import sys

from mutograd.tour import STEPS, run_tour


def test_tour_runs_without_unexpected_errors():
    out = io.StringIO()
    assert run_tour(out=out) == 0
    text = out.getvalue()
    assert f"Step {len(STEPS)}/{len(STEPS)}" in text


def test_tour_shows_the_seed_corrected_and_the_where_diagnosis():
    out = io.StringIO()
    run_tour(out=out)
    text = out.getvalue()
    # The seed's out-of-place and in-place outputs.
    assert "After y = x + 5: tensor([6., 7., 8.], grad_fn=<AddBackward0>)" in text
    assert "After a.add_(5):  tensor([6., 7., 8.])   version 1" in text
    # PyTorch refuses the seed's leaf write; the tour shows the no_grad fix.
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
