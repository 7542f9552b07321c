"""Backpropagation written out by hand and checked against autograd with cmp()
(makemore lecture, part 4 style: every intermediate kept, retain_grad on each)."""

from __future__ import annotations

import numpy as np

from ._data import NAMES, randn, vocabulary
from .makemore_mlp import build_dataset


def run(torch, block_size=3, n_embd=10, n_hidden=64, batch_size=32, steps=3):
    F = torch.nn.functional
    stoi, _ = vocabulary(NAMES)
    V = len(stoi)
    Xtr, Ytr = build_dataset(torch, NAMES, stoi, block_size)
    rs = np.random.RandomState(1)
    C = randn(torch, rs, V, n_embd)
    fan_in = n_embd * block_size
    W1 = randn(torch, rs, fan_in, n_hidden) * (5 / 3) / fan_in**0.5
    b1 = randn(torch, rs, n_hidden) * 0.1
    W2 = randn(torch, rs, n_hidden, V) * 0.1
    b2 = randn(torch, rs, V) * 0.1
    bngain = randn(torch, rs, 1, n_hidden) * 0.1 + 1.0
    bnbias = randn(torch, rs, 1, n_hidden) * 0.1
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True
    out = []

    def cmp(name, dt, t):
        ex = torch.all(dt == t.grad).item()
        app = torch.allclose(dt, t.grad)
        maxdiff = (dt - t.grad).abs().max().item()
        out.append((name, bool(app), maxdiff < 1e-6))
        return ex

    n = batch_size
    for _ in range(steps):
        ix = torch.tensor(rs.randint(0, Xtr.shape[0], size=(n,)))
        Xb, Yb = Xtr[ix], Ytr[ix]
        # Forward pass, chunked into steps small enough to differentiate by hand.
        emb = C[Xb]
        embcat = emb.view(emb.shape[0], -1)
        hprebn = embcat @ W1 + b1
        bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
        bndiff = hprebn - bnmeani
        bndiff2 = bndiff**2
        bnvar = 1 / (n - 1) * bndiff2.sum(0, keepdim=True)  # Bessel's correction
        bnvar_inv = (bnvar + 1e-5) ** -0.5
        bnraw = bndiff * bnvar_inv
        hpreact = bngain * bnraw + bnbias
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        logit_maxes = logits.max(1, keepdim=True).values
        norm_logits = logits - logit_maxes
        counts = norm_logits.exp()
        counts_sum = counts.sum(1, keepdim=True)
        counts_sum_inv = counts_sum**-1
        probs = counts * counts_sum_inv
        logprobs = probs.log()
        loss = -logprobs[range(n), Yb].mean()
        for p in parameters:
            p.grad = None
        for t in [logprobs, probs, counts, counts_sum, counts_sum_inv, norm_logits, logit_maxes,
                  logits, h, hpreact, bnraw, bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani,
                  embcat, emb]:
            t.retain_grad()
        loss.backward()
        out.append(loss.item())

        # The same gradients, by hand.
        dlogprobs = torch.zeros_like(logprobs)
        dlogprobs[range(n), Yb] = -1.0 / n
        dprobs = (1.0 / probs) * dlogprobs
        dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
        dcounts = counts_sum_inv * dprobs
        dcounts_sum = (-counts_sum**-2) * dcounts_sum_inv
        dcounts += torch.ones_like(counts) * dcounts_sum
        dnorm_logits = counts * dcounts
        dlogits = dnorm_logits.clone()
        dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
        dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
        dh = dlogits @ W2.T
        dW2 = h.T @ dlogits
        db2 = dlogits.sum(0)
        dhpreact = (1.0 - h**2) * dh
        dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
        dbnraw = bngain * dhpreact
        dbnbias = dhpreact.sum(0, keepdim=True)
        dbndiff = bnvar_inv * dbnraw
        dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
        dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv
        dbndiff2 = (1.0 / (n - 1)) * torch.ones_like(bndiff2) * dbnvar
        dbndiff += (2 * bndiff) * dbndiff2
        dhprebn = dbndiff.clone()
        dbnmeani = (-dbndiff).sum(0)
        dhprebn += 1.0 / n * (torch.ones_like(hprebn) * dbnmeani)
        dembcat = dhprebn @ W1.T
        dW1 = embcat.T @ dhprebn
        db1 = dhprebn.sum(0)
        demb = dembcat.view(emb.shape)
        dC = torch.zeros_like(C)
        for k in range(Xb.shape[0]):
            for j in range(Xb.shape[1]):
                dC[Xb[k, j]] += demb[k, j]

        for name, dt, t in [("logprobs", dlogprobs, logprobs), ("probs", dprobs, probs),
                            ("counts_sum_inv", dcounts_sum_inv, counts_sum_inv),
                            ("counts_sum", dcounts_sum, counts_sum), ("counts", dcounts, counts),
                            ("norm_logits", dnorm_logits, norm_logits),
                            ("logit_maxes", dlogit_maxes, logit_maxes), ("logits", dlogits, logits),
                            ("h", dh, h), ("W2", dW2, W2), ("b2", db2, b2),
                            ("hpreact", dhpreact, hpreact), ("bngain", dbngain, bngain),
                            ("bnbias", dbnbias, bnbias), ("bnraw", dbnraw, bnraw),
                            ("bnvar_inv", dbnvar_inv, bnvar_inv), ("bnvar", dbnvar, bnvar),
                            ("bndiff2", dbndiff2, bndiff2), ("bndiff", dbndiff, bndiff),
                            ("bnmeani", dbnmeani, bnmeani), ("hprebn", dhprebn, hprebn),
                            ("embcat", dembcat, embcat), ("W1", dW1, W1), ("b1", db1, b1),
                            ("emb", demb, emb), ("C", dC, C)]:
            cmp(name, dt, t)

        # The fused cross-entropy backward, and a step with the hand-made gradients.
        dlogits = F.softmax(logits, 1)
        dlogits[range(n), Yb] -= 1
        dlogits /= n
        out.append(("logits fused", bool(torch.allclose(dlogits, logits.grad, atol=1e-6))))
        grads = [dC, dW1, db1, dW2, db2, dbngain, dbnbias]
        with torch.no_grad():
            for p, grad in zip(parameters, grads):
                p.data += -0.1 * grad
    return out
