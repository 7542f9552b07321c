"""The training example (``python -m mutograd train``) on reduced epochs: the accuracy bar,
step-for-step agreement with PyTorch, and the command line."""

from __future__ import annotations

import io

import pytest
from conftest import requires_torch

from mutograd.train import Digits, main, peak_step_memory, train_model


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
    assert main(["--epochs", "0"]) == 2
    with pytest.raises(SystemExit):
        main(["--model", "resnet"])
