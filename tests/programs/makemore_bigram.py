"""Bigram character model, counting then as a one-layer net (makemore lecture, part 1 style)."""

from __future__ import annotations

import numpy as np

from ._data import NAMES, vocabulary


def run(torch, steps=20, sample_with_torch=False):
    F = torch.nn.functional
    words = NAMES
    stoi, itos = vocabulary(words)
    V = len(stoi)
    out = []

    # Counting: a V x V table of how often character b follows character a.
    N = torch.zeros((V, V), dtype=torch.int32)
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            N[stoi[ch1], stoi[ch2]] += 1
    P = (N + 1).float()
    P /= P.sum(1, keepdims=True)

    # Average negative log likelihood of the training set under the counts model.
    log_likelihood = 0.0
    n = 0
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            logprob = torch.log(P[stoi[ch1], stoi[ch2]])
            log_likelihood += logprob
            n += 1
    out.append((-log_likelihood / n).item())

    # Sampling a few names from the table.
    g = torch.Generator().manual_seed(2147483647)
    rs = np.random.RandomState(3)
    samples = []
    for _ in range(5):
        ix, name = 0, []
        while True:
            p = P[ix]
            if sample_with_torch:
                ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            else:
                ix = int(np.searchsorted(np.cumsum(p.tolist()), rs.rand()))
                ix = min(ix, V - 1)
            if ix == 0:
                break
            name.append(itos[ix])
        samples.append("".join(name))
    out.append(samples)

    # The same model as a single linear layer on one-hot inputs, trained by gradient descent.
    xs, ys = [], []
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    xs = torch.tensor(xs)
    ys = torch.tensor(ys)
    num = xs.nelement()
    W = torch.tensor(np.random.RandomState(2147483647).randn(V, V).astype(np.float32))
    W.requires_grad = True
    for _ in range(steps):
        xenc = F.one_hot(xs, num_classes=V).float()
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
        out.append(loss.item())
        W.grad = None
        loss.backward()
        W.data += -50 * W.grad
    return out
