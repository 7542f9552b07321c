"""Helpers for the nn/optim differential tests: identical weights on both engines."""

from __future__ import annotations

import numpy as np


def fill_parameters(T, module, seed: int = 0, scale: float = 0.5) -> None:
    """Overwrite every parameter of ``module`` with the same NumPy-drawn values on both engines.

    Each engine's own RNG differs (mutograd's generator is not PyTorch's), so the
    differential tests never rely on default initialisation: weights come from here.
    """
    rng = np.random.default_rng(seed)
    with T.no_grad():
        for _, p in module.named_parameters():
            values = rng.uniform(-scale, scale, size=tuple(p.shape)).astype(np.float32)
            p.copy_(T.tensor(values, dtype=p.dtype))


def layer_run(
    T,
    make,
    x_array,
    *,
    seed: int = 0,
    grad_seed: int = 1,
    detach_output: bool = False,
    train: bool = True,
):
    """Forward ``x`` through ``make(T)``, backward a fixed upstream gradient.

    Returns the output, the input's gradient and every parameter's gradient by name.
    """
    module = make(T)
    fill_parameters(T, module, seed)
    module.train(train)
    x = T.tensor(x_array, requires_grad=x_array.dtype.kind == "f")
    out = module(x)
    if out.requires_grad:
        rng = np.random.default_rng(grad_seed)
        upstream = T.tensor(rng.standard_normal(tuple(out.shape)).astype(np.float32))
        out.backward(upstream)
    # NB: gradients are cloned: how many in-place accumulations produced a .grad (its
    # _version) is the engine's business, not the layer's.
    grads = {name: _clone(p.grad) for name, p in module.named_parameters()}
    return [out.detach() if detach_output else out, _clone(x.grad), grads]


def _clone(t):
    return None if t is None else t.clone()


def array(shape, seed: int = 0, low: float = -2.0, high: float = 2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(np.float32)
