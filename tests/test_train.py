"""The training example (``python -m mutograd train``) on reduced epochs: the accuracy bar,
step-for-step agreement with PyTorch, and the command line."""

from __future__ import annotations

import io

import pytest
from conftest import requires_torch
from threadpoolctl import threadpool_info

import mutograd
from mutograd._threads import physical_cores
from mutograd.train import Digits, main, peak_step_memory, relu_memory, train_model
from mutograd.train.digits import _memory_report


@pytest.fixture(scope="module")
def digits():
    return Digits.prepare(seed=0)


def test_mlp_reaches_97_percent(digits):
    result = train_model("mlp", digits, epochs=10, seed=0, stream=io.StringIO())
    assert result.accuracy >= 0.97, result
    assert len(result.epoch_times) == 10


@requires_torch
@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_training_follows_torch_step_for_step(name, digits, torch):
    result = train_model(name, digits, epochs=2, seed=1, torch=torch, stream=io.StringIO())
    assert result.max_weight_difference < 1e-4, result
    assert result.torch_accuracy == result.accuracy
    assert result.accuracy > 0.8


def test_in_place_relu_lowers_the_forward_peak(digits):
    forward_in, step_in = peak_step_memory("mlp", digits, inplace=True, batch_size=256)
    forward_out, step_out = peak_step_memory("mlp", digits, inplace=False, batch_size=256)
    # One (256, 512) float32 activation is not allocated with ReLU(inplace=True).
    assert forward_out - forward_in >= 256 * 512 * 4 * 0.9
    assert step_in <= step_out + 4096  # the step peaks in backward, equal up to bookkeeping


def test_command_line(capsys):
    assert main(["--model", "mlp", "--epochs", "1", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "1438 training and 359 test images" in out
    assert "Linear(in_features=64, out_features=512, bias=True)" in out
    assert "epoch  1/1 [########################]" in out
    assert "mutograd MLP: test accuracy" in out and "s/epoch" in out
    assert "ReLU(inplace=True)" in out and "peak memory" in out


@requires_torch
def test_command_line_compare_torch(capsys):
    assert main(["--model", "cnn", "--epochs", "1", "--compare-torch", "--no-memory"]) == 0
    out = capsys.readouterr().out
    assert "torch    CNN: test accuracy" in out and "largest weight difference" in out
    assert "peak memory" not in out


def test_command_line_rejects_bad_options(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--epochs", "0"])
    assert exit_.value.code == 2
    with pytest.raises(SystemExit):
        main(["--model", "resnet"])


@pytest.mark.parametrize(
    "argv, complaint",
    [
        (["--epochs", "-1"], "argument --epochs: expected a positive integer, got -1"),
        (["--epochs", "1.5"], "argument --epochs: expected a positive integer, got '1.5'"),
        (["--batch-size", "0"], "argument --batch-size: expected a positive integer, got 0"),
        (["--lr", "-1"], "argument --lr: expected a positive number, got -1"),
        (["--lr", "0"], "argument --lr: expected a positive number, got 0"),
        (["--lr", "nan"], "argument --lr: expected a positive number, got nan"),
        (["--lr", "inf"], "argument --lr: expected a positive number, got inf"),
        (["--lr", "fast"], "argument --lr: expected a positive number, got 'fast'"),
        (["--seed", "-1"], "argument --seed: expected a seed from 0 to 18446744073709551615"),
        (["--seed", str(2**64)], "argument --seed: expected a seed from 0 to"),
        (["--threads", "0"], "argument --threads: expected a positive integer, got 0"),
        (["--model", "resnet"], "argument --model: invalid choice: 'resnet'"),
        (["--epochs"], "argument --epochs: expected one argument"),
        (["--no-memory=yes"], "argument --no-memory: ignored explicit argument 'yes'"),
        (["--gpu"], "unrecognized arguments: --gpu"),
    ],
)
def test_every_bad_option_is_one_line_on_stderr_and_exit_2(argv, complaint, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("mutograd train: error: ")
    assert complaint in captured.err


def test_help_shows_each_option_with_its_default(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: mutograd train")
    for option, default in [("--epochs", "10"), ("--batch-size", "32"), ("--lr", "0.003")]:
        assert option in text and f"(default: {default})" in " ".join(text.split())
    for option in ("--model", "--seed", "--threads", "--compare-torch", "--no-memory"):
        line = next(line for line in text.splitlines() if line.strip().startswith(option))
        assert len(line.split(None, 2)) >= 2, line  # a help text beside (or below) each
    assert "(default: None)" not in text and "(default: False)" not in text


def test_header_pins_threads_and_says_what_the_loss_is(capsys):
    previous = mutograd.get_num_threads()
    try:
        assert main(["--model", "mlp", "--epochs", "1", "--threads", "1", "--no-memory"]) == 0
        assert mutograd.get_num_threads() == 1
        assert {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"} == {1}
    finally:
        mutograd.set_num_threads(previous)
    out = capsys.readouterr().out
    assert "threads: 1 for mutograd's BLAS (NumPy), from --threads" in out
    assert "loss: cross entropy with label smoothing 0.1" in out
    assert "epoch loss" in out  # the bar's "batch loss" is redrawn on terminals only


@requires_torch
def test_compare_torch_pins_both_engines_to_the_same_threads(capsys, torch):
    before = torch.get_num_threads(), mutograd.get_num_threads()
    # NB: mutograd's count as the policy set it on import (physical cores here; the policy
    # itself is tested in test_threads.py); another test may have pinned it since.
    policy = physical_cores()
    mutograd.set_num_threads(policy)
    try:
        assert main(["--model", "mlp", "--epochs", "1", "--compare-torch", "--no-memory"]) == 0
        assert torch.get_num_threads() == mutograd.get_num_threads() == policy
    finally:
        torch.set_num_threads(before[0])
        mutograd.set_num_threads(before[1])
    out = capsys.readouterr().out
    expected = f"threads: {policy} for both engines (mutograd's NumPy BLAS and torch)"
    assert expected in out and "from PyTorch's default policy" in out


def test_epoch_loss_is_the_mean_over_the_epochs_batches(digits):
    result = train_model("mlp", digits, epochs=2, seed=0, stream=io.StringIO())
    assert len(result.epoch_losses) == 2
    assert result.epoch_losses[1] < result.epoch_losses[0]
    assert result.epoch_losses[1] > 0.1 * 0.9  # label smoothing keeps it away from 0


def test_memory_report_explains_why_the_cnns_peaks_do_not_move(digits):
    cnn = relu_memory("cnn", digits, batch_size=256)
    # The ReLU layer alone: in place, nothing; ReLU(): a (256, 16, 8, 8) float32 buffer.
    assert cnn.relu_inplace < 64 * 1024
    assert cnn.relu_out_of_place >= 256 * 16 * 8 * 8 * 4
    assert cnn.peak_layer.startswith("Conv2d(16, 32")
    mlp = relu_memory("mlp", digits, batch_size=256)
    assert mlp.relu_out_of_place - mlp.relu_inplace >= 256 * 512 * 4 * 0.9
    report = _memory_report("cnn", digits)
    assert "the forward pass peaks in Conv2d(16, 32" in report
    assert "cannot lower that peak" in report and "same step peak" in report
