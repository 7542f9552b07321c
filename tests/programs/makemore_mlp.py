"""Character-level MLP with an embedding table C[X] (makemore lecture, part 2 style)."""

from __future__ import annotations

import numpy as np

from ._data import NAMES, randn, vocabulary


def build_dataset(torch, words, stoi, block_size):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


def run(torch, steps=60, block_size=3):
    F = torch.nn.functional
    stoi, itos = vocabulary(NAMES)
    V = len(stoi)
    n1 = int(0.8 * len(NAMES))
    Xtr, Ytr = build_dataset(torch, NAMES[:n1], stoi, block_size)
    Xdev, Ydev = build_dataset(torch, NAMES[n1:], stoi, block_size)

    rs = np.random.RandomState(2147483647)
    C = randn(torch, rs, V, 2)
    W1 = randn(torch, rs, block_size * 2, 100)
    b1 = randn(torch, rs, 100)
    W2 = randn(torch, rs, 100, V)
    b2 = randn(torch, rs, V)
    parameters = [C, W1, b1, W2, b2]
    for p in parameters:
        p.requires_grad = True
    out = [sum(p.nelement() for p in parameters)]

    for i in range(steps):
        ix = torch.tensor(rs.randint(0, Xtr.shape[0], size=(32,)))
        emb = C[Xtr[ix]]  # (32, block_size, 2)
        h = torch.tanh(emb.view(-1, block_size * 2) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < steps // 2 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        out.append(loss.item())

    @torch.no_grad()
    def split_loss(X, Y):
        emb = C[X]
        h = torch.tanh(emb.view(emb.shape[0], -1) @ W1 + b1)
        return F.cross_entropy(h @ W2 + b2, Y).item()

    out.append(split_loss(Xtr, Ytr))
    out.append(split_loss(Xdev, Ydev))

    # Greedy-ish sampling: the most likely next character, for a deterministic name.
    context = [0] * block_size
    name = []
    for _ in range(12):
        emb = C[torch.tensor([context])]
        h = torch.tanh(emb.view(1, -1) @ W1 + b1)
        probs = F.softmax(h @ W2 + b2, dim=1)
        ix = torch.argmax(probs, dim=1).item()
        context = context[1:] + [ix]
        if ix == 0:
            break
        name.append(itos[ix])
    out.append("".join(name))
    return out
