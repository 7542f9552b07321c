"""In-place on unbind() outputs (feature columns) that a product saved.

EXPECT: aten::clamp_
EXPECT: MulBackward0
EXPECT: through its base tensor
"""

import sys

import torch

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
features = torch.randn(6, 3)
w = torch.randn(3, requires_grad=True)
cols = features.unbind(1)
y = cols[0] * w[0] + cols[1] * w[1] + cols[2] * w[2]  # SAVED
if FIXED:
    features = features.clamp(min=0)
else:
    features.clamp_(min=0)  # CULPRIT
loss = y.pow(2).sum() + features.sum()
loss.backward()
print("loss", loss.item())
print("grads", w.grad.tolist())
