"""MLP with a hand-written batch norm and running statistics (makemore lecture, part 3 style),
then the same network as a stack of small layer classes with diagnostics."""

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
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        if self.training:
            xmean = x.mean(0, keepdim=True)
            xvar = x.var(0, keepdim=True)
        else:
            xmean = self.running_mean
            xvar = self.running_var
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


def run(torch, steps=40, block_size=3, n_embd=10, n_hidden=64):
    F = torch.nn.functional
    stoi, _ = vocabulary(NAMES)
    V = len(stoi)
    Xtr, Ytr = build_dataset(torch, NAMES, stoi, block_size)
    rs = np.random.RandomState(42)
    out = []

    # Part one: the network written out by hand, Kaiming-scaled tanh layer and batch norm.
    C = randn(torch, rs, V, n_embd)
    W1 = randn(torch, rs, n_embd * block_size, n_hidden) * (5 / 3) / (n_embd * block_size) ** 0.5
    W2 = randn(torch, rs, n_hidden, V) * 0.01
    b2 = torch.zeros(V)
    bngain = torch.ones((1, n_hidden))
    bnbias = torch.zeros((1, n_hidden))
    bnmean_running = torch.zeros((1, n_hidden))
    bnstd_running = torch.ones((1, n_hidden))
    parameters = [C, W1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True
    for i in range(steps):
        ix = torch.tensor(rs.randint(0, Xtr.shape[0], size=(32,)))
        Xb, Yb = Xtr[ix], Ytr[ix]
        emb = C[Xb]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1
        bnmeani = hpreact.mean(0, keepdim=True)
        bnstdi = hpreact.std(0, keepdim=True)
        hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
        with torch.no_grad():
            bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
            bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < steps // 2 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        out.append(loss.item())
    with torch.no_grad():
        h = torch.tanh(bngain * (C[Xtr].view(Xtr.shape[0], -1) @ W1 - bnmean_running) / bnstd_running + bnbias)
        out.append(F.cross_entropy(h @ W2 + b2, Ytr).item())
    out.append(bnmean_running.sum().item())

    # Part two: layer classes, saturation statistics and update-to-data ratios.
    C = randn(torch, rs, V, n_embd)
    layers = [
        Linear(torch, rs, n_embd * block_size, n_hidden, bias=False), BatchNorm1d(torch, n_hidden), Tanh(torch),
        Linear(torch, rs, n_hidden, n_hidden, bias=False), BatchNorm1d(torch, n_hidden), Tanh(torch),
        Linear(torch, rs, n_hidden, V, bias=False), BatchNorm1d(torch, V),
    ]
    with torch.no_grad():
        layers[-1].gamma *= 0.1
        for layer in layers[:-1]:
            if isinstance(layer, Linear):
                layer.weight *= 5 / 3
    parameters = [C] + [p for layer in layers for p in layer.parameters()]
    for p in parameters:
        p.requires_grad = True
    ud = []
    for _ in range(steps // 2):
        ix = torch.tensor(rs.randint(0, Xtr.shape[0], size=(32,)))
        x = C[Xtr[ix]].view(32, -1)
        for layer in layers:
            x = layer(x)
        loss = F.cross_entropy(x, Ytr[ix])
        for layer in layers:
            layer.out.retain_grad()
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1
        for p in parameters:
            p.data += -lr * p.grad
        with torch.no_grad():
            ud.append([((lr * p.grad).std() / p.data.std()).log10().item() for p in parameters])
        out.append(loss.item())
    for layer in layers[:-1]:
        if isinstance(layer, Tanh):
            t = layer.out
            out.append([t.mean().item(), t.std().item(), (t.abs() > 0.97).float().mean().item() * 100])
            out.append([layer.out.grad.mean().item(), layer.out.grad.std().item()])
    out.append(ud[-1])
    return out
