"""The doctor inside your own code: ``watch()``, early warnings, and a picture.

    python examples/doctor/find_the_culprit.py [graph.svg] [--dot]

The same program also runs unchanged under the command line doctor:

    python -m mutograd doctor --early --graph graph.svg examples/doctor/find_the_culprit.py
"""

from __future__ import annotations

import sys
import warnings

import torch
from torch import nn

from mutograd import doctor


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.fc(x))  # ReLU saves its output for backward...
        out += x  # ...which this residual add overwrites
        return out


def main() -> None:
    torch.manual_seed(0)
    block = Block()
    x = torch.randn(2, 4)

    # 1. Early warning: at the write itself, long before backward.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with doctor.watch(early=True):
            loss = block(x).sum()
    # (Under `python -m mutograd doctor --early` the outer doctor reports it instead.)
    for warning in caught[:1]:
        print(warning.message, end="\n\n")

    # 2. The picture: the stale saved tensor and the write that broke it, in red.
    #    Without Graphviz, draw() writes DOT source to graph.dot and says how to
    #    install it; the DOT source is printed only when asked (--dot).
    args = [a for a in sys.argv[1:] if a != "--dot"]
    path = args[0] if args else "graph.svg"
    with warnings.catch_warnings(record=True) as missing:
        warnings.simplefilter("always", doctor.GraphvizMissingWarning)
        drawing = doctor.draw(loss, path, params=dict(block.named_parameters()))
    for warning in missing:
        print(f"note: {warning.message}")
    print(f"graph written to {drawing.path}\n")
    if "--dot" in sys.argv:
        print(drawing)

    # 3. The error backward raises: PyTorch's message, then the diagnosis.
    try:
        loss.backward()
    except doctor.InplaceModificationError as error:
        print(error)


if __name__ == "__main__":
    main()
