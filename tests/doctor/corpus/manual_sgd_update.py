"""Hand-written gradient descent: the update forgets torch.no_grad().

KIND: write-time
EXPECT: a leaf tensor that requires grad
EXPECT: `with torch.no_grad(): w -= lr * w.grad`
"""

import sys

import torch

FIXED = "--fixed" in sys.argv

torch.manual_seed(0)
x = torch.randn(16, 3)
y = x @ torch.tensor([1.0, -2.0, 0.5])
w = torch.zeros(3, requires_grad=True)  # ORIGIN
lr = 0.1
for step in range(3):
    loss = (x @ w - y).pow(2).mean()
    loss.backward()
    if FIXED:
        with torch.no_grad():
            w -= lr * w.grad
    else:
        w -= lr * w.grad  # CULPRIT
    w.grad.zero_()
    print(step, round(loss.item(), 4))
