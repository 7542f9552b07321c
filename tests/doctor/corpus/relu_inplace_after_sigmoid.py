"""`nn.ReLU(inplace=True)` right after a sigmoid, which saves its output.

EXPECT: aten::relu_
EXPECT: inside ReLU(inplace=True).forward
EXPECT: SigmoidBackward0
EXPECT: inplace=False
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv


class Gate(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 8)
        self.act = nn.ReLU(inplace=not FIXED)
        self.out = nn.Linear(8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.sigmoid(self.fc(x))  # SAVED
        h = self.act(h)  # CULPRIT
        return self.out(h)


torch.manual_seed(0)
model = Gate()
loss = model(torch.randn(5, 4)).pow(2).mean()
loss.backward()
print("loss", loss.item())
print("grads", [p.grad.sum().item() for p in model.parameters()])
