"""A WaveNet-like hierarchical character model built from hand-written layer classes
(makemore lecture, part 5 style: Embedding, FlattenConsecutive, BatchNorm1d on 3-d input)."""

from __future__ import annotations

import numpy as np

from ._data import NAMES, randn, vocabulary
from .makemore_mlp import build_dataset


class Linear:
    def __init__(self, torch, rs, fan_in, fan_out, bias=True):
        self.weight = randn(torch, rs, fan_in, fan_out) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    def __init__(self, torch, dim, eps=1e-5, momentum=0.1):
        self.torch = torch
        self.eps, self.momentum, self.training = eps, momentum, True
        self.gamma, self.beta = torch.ones(dim), torch.zeros(dim)
        self.running_mean, self.running_var = torch.zeros(dim), torch.ones(dim)

    def __call__(self, x):
        if self.training:
            dim = 0 if x.ndim == 2 else (0, 1)
            xmean = x.mean(dim, keepdim=True)
            xvar = x.var(dim, keepdim=True)
        else:
            xmean, xvar = self.running_mean, self.running_var
        xhat = (x - xmean) / self.torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with self.torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __init__(self, torch):
        self.torch = torch

    def __call__(self, x):
        self.out = self.torch.tanh(x)
        return self.out

    def parameters(self):
        return []


class Embedding:
    def __init__(self, torch, rs, num_embeddings, embedding_dim):
        self.weight = randn(torch, rs, num_embeddings, embedding_dim)

    def __call__(self, IX):
        self.out = self.weight[IX]
        return self.out

    def parameters(self):
        return [self.weight]


class FlattenConsecutive:
    def __init__(self, n):
        self.n = n

    def __call__(self, x):
        B, T, C = x.shape
        x = x.view(B, T // self.n, C * self.n)
        if x.shape[1] == 1:
            x = x.squeeze(1)
        self.out = x
        return self.out

    def parameters(self):
        return []


class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        self.out = x
        return self.out

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def run(torch, steps=40, block_size=8, n_embd=8, n_hidden=32):
    F = torch.nn.functional
    stoi, itos = vocabulary(NAMES)
    V = len(stoi)
    Xtr, Ytr = build_dataset(torch, NAMES, stoi, block_size)
    rs = np.random.RandomState(42)
    model = Sequential([
        Embedding(torch, rs, V, n_embd),
        FlattenConsecutive(2), Linear(torch, rs, n_embd * 2, n_hidden, bias=False), BatchNorm1d(torch, n_hidden), Tanh(torch),
        FlattenConsecutive(2), Linear(torch, rs, n_hidden * 2, n_hidden, bias=False), BatchNorm1d(torch, n_hidden), Tanh(torch),
        FlattenConsecutive(2), Linear(torch, rs, n_hidden * 2, n_hidden, bias=False), BatchNorm1d(torch, n_hidden), Tanh(torch),
        Linear(torch, rs, n_hidden, V),
    ])
    with torch.no_grad():
        model.layers[-1].weight *= 0.1
    parameters = model.parameters()
    for p in parameters:
        p.requires_grad = True
    out = [sum(p.nelement() for p in parameters)]
    shapes = []
    for i in range(steps):
        ix = torch.tensor(rs.randint(0, Xtr.shape[0], size=(32,)))
        logits = model(Xtr[ix])
        if i == 0:
            shapes = [tuple(layer.out.shape) for layer in model.layers]
        loss = F.cross_entropy(logits, Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 3 * steps // 4 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        out.append(loss.item())
    out.append(shapes)

    for layer in model.layers:
        layer.training = False

    @torch.no_grad()
    def split_loss(x, y):
        return F.cross_entropy(model(x), y).item()

    out.append(split_loss(Xtr, Ytr))
    # Greedy sampling from the trained model (eval mode: running statistics).
    context = [0] * block_size
    name = []
    for _ in range(10):
        logits = model(torch.tensor([context]))
        probs = F.softmax(logits, dim=1)
        ix = torch.argmax(probs).item()
        context = context[1:] + [ix]
        if ix == 0:
            break
        name.append(itos[ix])
    out.append("".join(name))
    return out
