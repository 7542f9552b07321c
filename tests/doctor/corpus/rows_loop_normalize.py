"""Per-channel normalisation written as a loop over the channels, in place.

KIND: write-time
EXPECT: iterating over a tensor unbinds it
EXPECT: torch.stack([
"""

import sys

import torch

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
conv = torch.nn.Conv2d(1, 3, 3)
img = conv(torch.randn(1, 1, 6, 6))
if FIXED:
    img = torch.stack([(ch - ch.mean()) / (ch.std() + 1e-5) for ch in img[0]]).unsqueeze(0)
else:
    for ch in img[0]:  # ORIGIN
        ch.sub_(ch.mean())  # CULPRIT
loss = img.pow(2).mean()
loss.backward()
print("loss", round(loss.item(), 4))
