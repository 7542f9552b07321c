"""Shared synthetic data for the programs: invented names, digit-like images, a seeded init."""

from __future__ import annotations

import numpy as np

# A few dozen invented words (no real names list is shipped), for the makemore programs.
NAMES = """
avira belon corrin dasha elmo fenna gorrik hally isko jorna kelvi lumara mosin nettie
orrin pavla quint rosalo sevi tamrin ulla vesko wendra xavo yelena zorik amalie brisko
calen dorit evani faro gilda hesper ivo jessa korin lenna marko nilsa odile perrin
""".split()


def vocabulary(words):
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    return stoi, itos


def randn(torch, rs, *shape, scale=1.0):
    """torch.randn's role, but drawn from NumPy so real PyTorch and mutograd start alike."""
    return torch.tensor((rs.randn(*shape) * scale).astype(np.float32))


def digits(rs, n, size=28):
    """Digit-like images: a class-dependent blob pattern plus noise, values in [0, 1)."""
    labels = rs.randint(0, 10, size=n)
    yy, xx = np.mgrid[0:size, 0:size] / size
    images = np.empty((n, size, size), dtype=np.float32)
    for k, label in enumerate(labels):
        cx, cy = 0.3 + 0.04 * label, 0.7 - 0.04 * label
        blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) * (8 + label))
        images[k] = np.clip(blob + 0.1 * rs.rand(size, size), 0, 1)
    return images, labels.astype(np.int64)


def load_weights(torch, module, rs, scale=0.1):
    """Overwrite every parameter of ``module`` with seeded NumPy numbers (in place, no grad)."""
    with torch.no_grad():
        for p in module.parameters():
            values = (rs.uniform(-1, 1, size=tuple(p.shape)) * scale).astype(np.float32)
            p.copy_(torch.tensor(values))
