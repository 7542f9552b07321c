"""ResNet block: `out += identity` after a ReLU, which saves its output for backward.

EXPECT: aten::add_.Tensor
EXPECT: ReluBackward0
EXPECT: `out = out + identity` instead of `out += identity`
"""

import sys

import torch
from torch import nn

FIXED = "--fixed" in sys.argv


class BasicBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = torch.relu(self.bn1(self.conv1(x)))
        out = torch.relu(self.conv2(out))  # SAVED
        if FIXED:
            out = out + identity
        else:
            out += identity  # CULPRIT
        return out


torch.manual_seed(0)
block = BasicBlock(4)
x = torch.randn(2, 4, 6, 6)
loss = block(x).square().mean()
loss.backward()
print("loss", loss.item())
print("grads", [p.grad.sum().item() for p in block.parameters()])
