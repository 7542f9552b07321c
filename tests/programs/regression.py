"""Fitting a random polynomial with a single Linear layer and hand-written SGD
(pytorch/examples regression style: make_features, smooth_l1_loss, param.data.add_)."""

from __future__ import annotations

import numpy as np

POLY_DEGREE = 4


def run(torch, max_steps=60, batch_size=32):
    F = torch.nn.functional
    rs = np.random.RandomState(7)
    W_target = torch.tensor(rs.randn(POLY_DEGREE, 1).astype(np.float32)) * 5
    b_target = torch.tensor(rs.randn(1).astype(np.float32)) * 5

    def make_features(x):
        """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
        x = x.unsqueeze(1)
        return torch.cat([x**i for i in range(1, POLY_DEGREE + 1)], 1)

    def f(x):
        return x.mm(W_target) + b_target.item()

    def poly_desc(W, b):
        result = "y = "
        for i, w in enumerate(W):
            result += f"{w:+.2f} x^{len(W) - i} "
        result += f"{b[0]:+.2f}"
        return result

    def get_batch(batch_size=32):
        random = torch.tensor(rs.randn(batch_size).astype(np.float32))
        x = make_features(random)
        y = f(x)
        return x, y

    fc = torch.nn.Linear(W_target.size(0), 1)
    with torch.no_grad():
        fc.weight.copy_(torch.tensor(rs.uniform(-0.5, 0.5, (1, POLY_DEGREE)).astype(np.float32)))
        fc.bias.fill_(0.1)
    losses = []
    for batch_idx in range(1, max_steps + 1):  # noqa: B007 (read after the loop)
        batch_x, batch_y = get_batch(batch_size)
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        for param in fc.parameters():
            param.data.add_(-0.1 * param.grad)
        losses.append(loss)
        if loss < 1e-3:
            break
    losses.append(f"Loss: {loss:.6f} after {batch_idx} batches")
    losses.append("==> Learned function:\t" + poly_desc(fc.weight.view(-1), fc.bias))
    losses.append("==> Actual function:\t" + poly_desc(W_target.view(-1), b_target))
    losses.append(f"{fc.bias.grad.norm():.4f}")
    return losses
