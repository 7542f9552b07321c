"""A float64 finite-difference check for composed layers (directional derivatives)."""

from __future__ import annotations

import numpy as np

import mutograd


def directional_gradcheck(fn, inputs, seed=0, eps=1e-6, tol=1e-6, directions=3):
    """Compare d/dt sum(w * fn(x + t v)) at t=0 with the analytic gradient, a few v's.

    ``fn`` maps float64 mutograd tensors to one tensor; ``inputs`` are NumPy arrays.
    """
    rng = np.random.default_rng(seed)
    leaves = [mutograd.tensor(a, dtype=mutograd.float64, requires_grad=True) for a in inputs]
    out = fn(*leaves)
    weight = rng.standard_normal(tuple(out.shape))
    (out * mutograd.tensor(weight)).sum().backward()
    analytic_grads = [leaf.grad.numpy() for leaf in leaves]
    for _ in range(directions):
        vs = [rng.standard_normal(a.shape) for a in inputs]

        def value(t, vs=vs):
            with mutograd.no_grad():
                xs = [
                    mutograd.tensor(a + t * v, dtype=mutograd.float64) for a, v in zip(inputs, vs)
                ]
                return float((fn(*xs).numpy() * weight).sum())

        numeric = (value(eps) - value(-eps)) / (2 * eps)
        analytic = sum(float((g * v).sum()) for g, v in zip(analytic_grads, vs))
        assert abs(numeric - analytic) <= tol * max(1.0, abs(numeric)), (numeric, analytic)
    return True
