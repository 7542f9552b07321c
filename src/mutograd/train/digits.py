"""Train a small MLP and a small CNN on handwritten digits: ``python -m mutograd train``.

The second thing a newcomer runs. It uses the pieces a PyTorch user knows,
imported from mutograd: ``nn.Sequential`` of ``Linear``/``Conv2d``/``ReLU(inplace=True)``
layers, ``optim.Adam`` (an in-place update of every parameter, every step), a
cosine learning-rate schedule, ``utils.data.DataLoader`` and ``F.cross_entropy``.

It prints a progress bar per epoch, the test accuracy on a held-out 20% split
(stratified by digit), the time per epoch, and the peak memory of one training
step with ``ReLU(inplace=True)`` versus ``ReLU()`` (measured with tracemalloc).
With ``--compare-torch`` the same model, from the same seed (``manual_seed``
alone: both generators draw the same initial weights) and on the same
batches, is trained in PyTorch side by side, and the largest weight difference
between the two is reported: the runs follow the same trajectory.

The data: 1,797 8x8 images from the UCI "Optical Recognition of Handwritten
Digits" data set (CC BY 4.0), shipped as ``mutograd/data/digits.npz``; see
``mutograd/data/README.md``.

The loss printed is cross entropy with label smoothing 0.1 (so it never reaches
0): the current batch's on the bar, the mean over the epoch at its end. The
memory report measures the ReLU layer alone, the forward pass and a training
step, and says where each peaks. Both engines run BLAS on the same number of
threads (``--threads``; PyTorch's default, the physical cores), and the header
says how many.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Any, Callable, TextIO

import numpy as np

import mutograd
from mutograd import graphs, nn, optim
from mutograd._cli import HelpFormatter, Parser, int_between, positive_float, positive_int
from mutograd.nn import functional as F
from mutograd.utils.data import DataLoader, TensorDataset

DATA_FILE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "digits.npz")
# Softened targets (PyTorch's label_smoothing): steadier test accuracy on this small data set.
LABEL_SMOOTHING = 0.1


# --- data ---------------------------------------------------------------------------------------


def load_digits() -> tuple[mutograd.Tensor, mutograd.Tensor]:
    """The digits data set: (1797, 64) float32 pixel counts 0..16, and (1797,) int64 labels."""
    with np.load(DATA_FILE, allow_pickle=False) as data:
        images = data["images"].astype(np.float32)
        labels = data["labels"].astype(np.int64)
    return mutograd.from_numpy(images), mutograd.from_numpy(labels)


def stratified_split(
    labels: mutograd.Tensor, test_fraction: float, seed: int
) -> tuple[list[int], list[int]]:
    """Train and test indices; each digit contributes ``test_fraction`` of its images to test."""
    generator = mutograd.Generator().manual_seed(seed)
    train, test = [], []
    for digit in range(10):
        members = (labels == digit).nonzero().flatten()
        order = members[mutograd.randperm(members.numel(), generator=generator)].tolist()
        n_test = round(len(order) * test_fraction)
        test += order[:n_test]
        train += order[n_test:]
    return sorted(train), sorted(test)


@dataclass
class Digits:
    """Standardised train/test tensors (statistics from the training images only)."""

    x_train: mutograd.Tensor
    y_train: mutograd.Tensor
    x_test: mutograd.Tensor
    y_test: mutograd.Tensor

    @classmethod
    def prepare(cls, seed: int, test_fraction: float = 0.2) -> Digits:
        images, labels = load_digits()
        train, test = stratified_split(labels, test_fraction, seed)
        train_idx, test_idx = mutograd.tensor(train), mutograd.tensor(test)
        x_train, x_test = images[train_idx], images[test_idx]
        mean = x_train.mean(0)
        std = x_train.std(0) + 0.01
        return cls(
            (x_train - mean) / std, labels[train_idx], (x_test - mean) / std, labels[test_idx]
        )


# --- models (built from any nn namespace: mutograd.nn or torch.nn) ----------------------------


def build_mlp(nn_module: Any, inplace: bool = True, hidden: int = 512) -> Any:
    """64 -> hidden -> 10, with ReLU(inplace=...)."""
    return nn_module.Sequential(
        nn_module.Linear(64, hidden),
        nn_module.ReLU(inplace=inplace),
        nn_module.Linear(hidden, 10),
    )


def build_cnn(nn_module: Any, inplace: bool = True) -> Any:
    """(1, 8, 8) -> conv 16 -> pool -> conv 32 -> pool -> linear 10."""
    return nn_module.Sequential(
        nn_module.Unflatten(1, (1, 8, 8)),
        nn_module.Conv2d(1, 16, kernel_size=3, padding=1),
        nn_module.ReLU(inplace=inplace),
        nn_module.MaxPool2d(2),
        nn_module.Conv2d(16, 32, kernel_size=3, padding=1),
        nn_module.ReLU(inplace=inplace),
        nn_module.MaxPool2d(2),
        nn_module.Flatten(),
        nn_module.Linear(32 * 2 * 2, 10),
    )


BUILDERS: dict[str, Callable[..., Any]] = {"mlp": build_mlp, "cnn": build_cnn}


# --- progress -------------------------------------------------------------------------------------


class ProgressBar:
    """A one-line text progress bar; redrawn in place on a terminal, printed once otherwise."""

    def __init__(self, total: int, prefix: str, stream: TextIO, width: int = 24) -> None:
        self.total = total
        self.prefix = prefix
        self.stream = stream
        self.width = width
        self.count = 0
        self.interactive = hasattr(stream, "isatty") and stream.isatty()

    def _line(self, suffix: str) -> str:
        filled = self.width * self.count // max(self.total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        return f"{self.prefix} [{bar}] {self.count:>3}/{self.total} {suffix}"

    def update(self, suffix: str = "") -> None:
        self.count += 1
        if self.interactive:
            self.stream.write("\r" + self._line(suffix))
            self.stream.flush()

    def close(self, suffix: str = "") -> None:
        self.stream.write(("\r" if self.interactive else "") + self._line(suffix) + "\n")
        self.stream.flush()


# --- training -------------------------------------------------------------------------------------


@dataclass
class Result:
    """What one training run reports."""

    model: str
    accuracy: float
    epoch_times: list[float] = field(default_factory=list)
    epoch_losses: list[float] = field(default_factory=list)  # mean over each epoch's batches
    torch_accuracy: float | None = None
    torch_epoch_times: list[float] = field(default_factory=list)
    max_weight_difference: float | None = None

    @property
    def seconds_per_epoch(self) -> float:
        return sum(self.epoch_times) / max(len(self.epoch_times), 1)


def accuracy(model: Any, x: Any, y: Any, torch_module: Any = mutograd) -> float:
    model.eval()
    with torch_module.no_grad():
        correct = (model(x).argmax(1) == y).sum().item()
    model.train()
    return correct / len(y)


class _TorchTwin:
    """The same model in PyTorch, from the same seed, stepped on the same batches."""

    def __init__(
        self, torch: Any, name: str, seed: int, lr: float, epochs: int, data: Digits
    ) -> None:
        self.torch = torch
        torch.manual_seed(seed)  # NB: no weight copy: the same seed draws the same weights
        self.model = BUILDERS[name](torch.nn)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)
        self.scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, epochs)
        self.x_test = torch.from_numpy(data.x_test.numpy().copy())
        self.y_test = torch.from_numpy(data.y_test.numpy().copy())
        self.seconds = 0.0

    def step(self, xb: mutograd.Tensor, yb: mutograd.Tensor) -> None:
        torch = self.torch
        x, y = torch.from_numpy(xb.numpy().copy()), torch.from_numpy(yb.numpy().copy())
        start = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(self.model(x), y, label_smoothing=LABEL_SMOOTHING)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.seconds += time.perf_counter() - start

    def max_difference(self, model: nn.Module) -> float:
        ours = model.state_dict()
        return max(
            float(np.abs(v.numpy() - ours[k].numpy()).max())
            for k, v in self.model.state_dict().items()
        )


def train_model(
    name: str,
    data: Digits,
    *,
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 3e-3,
    seed: int = 0,
    torch: Any = None,
    stream: TextIO | None = None,
    capture: bool = False,
) -> Result:
    """Train ``name`` ("mlp" or "cnn") with Adam, a cosine schedule and label-smoothed
    cross entropy; with ``torch`` (the module), a PyTorch twin steps on the same batches.
    With ``capture``, full batches replay a step captured once per epoch (mutograd.graphs):
    the same values as eager, bit for bit."""
    stream = stream if stream is not None else sys.stdout
    mutograd.manual_seed(seed)
    model = BUILDERS[name](nn)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    loader = DataLoader(
        TensorDataset(data.x_train, data.y_train),
        batch_size=batch_size,
        shuffle=True,
        generator=mutograd.Generator().manual_seed(seed),
    )
    twin = _TorchTwin(torch, name, seed, lr, epochs, data) if torch is not None else None
    result = Result(name, 0.0)

    def step(xb: mutograd.Tensor, yb: mutograd.Tensor) -> mutograd.Tensor:
        loss = F.cross_entropy(model(xb), yb, label_smoothing=LABEL_SMOOTHING)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    epoch_steps = 0
    for epoch in range(1, epochs + 1):
        bar = ProgressBar(len(loader), f"  epoch {epoch:>2}/{epochs}", stream)
        seconds = total_loss = 0.0
        captured = None  # NB: the learning rate is frozen in a capture: one per epoch
        for xb, yb in loader:
            start = time.perf_counter()
            if capture and captured is None and epoch_steps > 0 and len(yb) == batch_size:
                captured = _capture_step(step, xb, yb)
            if captured is not None and len(yb) == batch_size:
                loss = captured(xb, yb)
            else:
                loss = step(xb, yb)  # the first step makes Adam's state; a short last batch
            epoch_steps += 1
            seconds += time.perf_counter() - start
            if twin is not None:
                twin.step(xb, yb)
            total_loss += loss.item() * len(yb)
            bar.update(f"batch loss {loss.item():.4f}")
        scheduler.step()
        result.epoch_times.append(seconds)
        result.epoch_losses.append(total_loss / len(data.y_train))
        result.accuracy = accuracy(model, data.x_test, data.y_test)
        summary = (
            f"epoch loss {result.epoch_losses[-1]:.4f} | test acc {100 * result.accuracy:.2f}% "
            f"| {seconds:.2f} s"
        )
        if twin is not None:
            twin.scheduler.step()
            result.torch_epoch_times.append(twin.seconds)
            twin.seconds = 0.0
            result.max_weight_difference = twin.max_difference(model)
            summary += (
                f" | torch {result.torch_epoch_times[-1]:.2f} s, max |dw| "
                f"{result.max_weight_difference:.1e}"
            )
        bar.close(summary)
    if twin is not None:
        result.torch_accuracy = accuracy(twin.model, twin.x_test, twin.y_test, torch)
    return result


def _capture_step(step: Callable, xb: mutograd.Tensor, yb: mutograd.Tensor) -> Callable:
    """Capture ``step`` on static copies of a batch; return a step that replays it."""
    static_x, static_y = xb.clone(), yb.clone()
    g = graphs.Graph()
    with graphs.graph(g):
        static_loss = step(static_x, static_y)

    def replay(xb: mutograd.Tensor, yb: mutograd.Tensor) -> mutograd.Tensor:
        static_x.copy_(xb)
        static_y.copy_(yb)
        g.replay()
        return static_loss

    return replay


def peak_step_memory(
    name: str, data: Digits, inplace: bool, batch_size: int = 512, seed: int = 0
) -> tuple[int, int]:
    """Peak bytes allocated (tracemalloc) by the forward pass, and by a whole training step.

    The step is forward + backward + Adam update. ReLU(inplace=True) saves the
    activation it would otherwise allocate during the forward pass; whether that
    lowers the peak of the whole step depends on where the step peaks (often in
    backward).
    """
    mutograd.manual_seed(seed)
    model = BUILDERS[name](nn, inplace=inplace)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    xb, yb = data.x_train[:batch_size], data.y_train[:batch_size]

    def step() -> int:
        tracemalloc.reset_peak()
        loss = F.cross_entropy(model(xb), yb, label_smoothing=LABEL_SMOOTHING)
        forward_peak = tracemalloc.get_traced_memory()[1]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return forward_peak

    tracemalloc.start()
    try:
        step()  # creates the optimizer state, so the measured step is a steady-state one
        gc.collect()
        base = tracemalloc.get_traced_memory()[0]
        forward_peak = step() - base
        step_peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return forward_peak, step_peak


def _traced_peak(run: Callable[[], Any]) -> int:
    """Peak bytes tracemalloc sees while ``run()`` runs, above what was allocated before."""
    tracemalloc.start()
    try:
        gc.collect()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        run()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@dataclass
class ReluMemory:
    """Where ReLU(inplace=True) saves memory in one model's forward pass (tracemalloc bytes)."""

    relu_inplace: int  # allocated by the first ReLU layer itself, in place
    relu_out_of_place: int  # ... and as ReLU(): a new buffer the size of its input
    peak_layer: str  # the layer during which the forward pass reaches its peak


def relu_memory(name: str, data: Digits, batch_size: int = 512, seed: int = 0) -> ReluMemory:
    """Measure the first ReLU layer alone (in place and not) and find the layer where the
    forward pass peaks: the in-place saving lowers the forward peak only when the peak is
    at the ReLU, not in a layer whose own temporaries (a convolution's im2col) outweigh it."""
    mutograd.manual_seed(seed)
    model = BUILDERS[name](nn, inplace=True)
    xb = data.x_train[:batch_size]
    first = next(i for i, layer in enumerate(model) if isinstance(layer, nn.ReLU))
    relu_input = model[:first](xb)
    allocated = {
        inplace: _traced_peak(lambda inplace=inplace: nn.ReLU(inplace=inplace)(relu_input.clone()))
        - _traced_peak(relu_input.clone)
        for inplace in (True, False)
    }
    prefix_peaks = [_traced_peak(lambda k=k: model[:k](xb)) for k in range(1, len(model) + 1)]
    top = max(prefix_peaks)
    layer = model[next(k for k, peak in enumerate(prefix_peaks) if peak >= 0.99 * top)]
    return ReluMemory(max(allocated[True], 0), max(allocated[False], 0), repr(layer))


# --- the command line -----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="mutograd train",
        description="Train a small MLP and CNN on the bundled handwritten-digits data set "
        "(1,438 training and 359 test images, 8x8) with mutograd's nn, optim and DataLoader.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--model", choices=["mlp", "cnn", "both"], default="both", help="which model to train"
    )
    parser.add_argument("--epochs", type=positive_int, default=10, help="passes over the data")
    parser.add_argument(
        "--batch-size", type=positive_int, default=32, help="images per optimizer step"
    )
    parser.add_argument(
        "--lr",
        type=positive_float,
        default=3e-3,
        help="Adam's initial learning rate (cosine decay)",
    )
    parser.add_argument(
        "--seed",
        type=int_between(0, 2**64 - 1, "a seed"),
        default=0,
        help="seeds the train/test split, the initial weights and the batch order",
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=None,
        help="BLAS threads for both engines (default: PyTorch's policy, MKL_NUM_THREADS or "
        "OMP_NUM_THREADS, else the physical cores)",
    )
    parser.add_argument(
        "--compare-torch",
        action="store_true",
        help="train the same model in PyTorch side by side (if installed)",
    )
    parser.add_argument(
        "--capture",
        action="store_true",
        help="replay a captured training step (mutograd.graphs) for the full batches",
    )
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="skip the ReLU(inplace=True) vs ReLU() memory measurement",
    )
    return parser


def _mib(n: int) -> str:
    return f"{n / 2**20:.2f} MiB"


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m mutograd train``; returns the exit status."""
    args = _parser().parse_args(argv)
    torch = None
    if args.compare_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed: --compare-torch is skipped.")
    threads = _pin_threads(args.threads, torch)
    data = Digits.prepare(args.seed)
    print(
        f"digits: {len(data.y_train)} training and {len(data.y_test)} test images (8x8), "
        f"10 classes; seed {args.seed}"
    )
    print(threads)
    print(
        f"loss: cross entropy with label smoothing {LABEL_SMOOTHING} (so never 0); the bar "
        "shows the current batch's while it runs, then the mean over the epoch's batches"
    )
    names = ["mlp", "cnn"] if args.model == "both" else [args.model]
    for name in names:
        print(f"\n{name.upper()}:")
        print(BUILDERS[name](nn))
        result = train_model(
            name,
            data,
            epochs=args.epochs,
            batch_size=args.batch_size,
            lr=args.lr,
            seed=args.seed,
            torch=torch,
            capture=args.capture,
        )
        print(
            f"mutograd {name.upper()}: test accuracy {100 * result.accuracy:.2f}%, "
            f"{result.seconds_per_epoch:.2f} s/epoch"
        )
        if result.torch_accuracy is not None:
            torch_seconds = sum(result.torch_epoch_times) / len(result.torch_epoch_times)
            print(
                f"torch    {name.upper()}: test accuracy {100 * result.torch_accuracy:.2f}%, "
                f"{torch_seconds:.2f} s/epoch; largest weight difference after training "
                f"{result.max_weight_difference:.1e}"
            )
        if not args.no_memory:
            print(_memory_report(name, data))
    return 0


def _pin_threads(threads: int | None, torch: Any) -> str:
    """Run both engines' BLAS on the same thread count, so their times compare; say so."""
    count = threads if threads is not None else mutograd.get_num_threads()
    mutograd.set_num_threads(count)
    how = (
        "--threads"
        if threads is not None
        else "PyTorch's default policy (see --help); on a busy machine --threads 1 is faster"
    )
    if torch is None:
        return f"threads: {count} for mutograd's BLAS (NumPy), from {how}"
    torch.set_num_threads(count)
    return f"threads: {count} for both engines (mutograd's NumPy BLAS and torch), from {how}"


def _memory_report(name: str, data: Digits) -> str:
    """What ReLU(inplace=True) saves, where it shows, and why the peaks may not move."""
    forward_in, step_in = peak_step_memory(name, data, inplace=True)
    forward_out, step_out = peak_step_memory(name, data, inplace=False)
    relu = relu_memory(name, data)
    lines = [
        "peak memory, batch 512 (tracemalloc), ReLU(inplace=True) vs ReLU():",
        f"  the first ReLU layer alone {_mib(relu.relu_inplace)} vs "
        f"{_mib(relu.relu_out_of_place)} (in place it writes into its input's buffer)",
        f"  the forward pass           {_mib(forward_in)} vs {_mib(forward_out)}",
        f"  a training step            {_mib(step_in)} vs {_mib(step_out)}",
    ]
    saved = relu.relu_out_of_place - relu.relu_inplace
    if forward_out - forward_in < saved / 2:
        lines.append(
            f"  the forward pass peaks in {relu.peak_layer}, whose own temporaries are larger; "
            "by then the ReLU's extra buffer is freed, so the in-place ReLU cannot lower that peak"
        )
    if step_out - step_in < saved / 2 and step_in > forward_in:
        lines.append(
            "  a training step peaks after the forward pass (backward, Adam's update); ReLU()'s "
            "input is freed once the ReLU has run (nothing saved it), so both keep the same "
            "tensors for backward and reach the same step peak"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
