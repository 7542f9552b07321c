"""Fitting sin(x) with a third-order polynomial, in each of the forms of the
"Learning PyTorch with Examples" tutorial: tensors with a hand-written backward, autograd,
a custom autograd.Function (Legendre polynomial), nn.Sequential, optim, a custom Module,
and a network whose depth changes from step to step (dynamic control flow)."""

from __future__ import annotations

import math
import random

import numpy as np


def run(torch, steps=300, dtype_name="float"):
    dtype = getattr(torch, dtype_name)
    rs = np.random.RandomState(0)

    def randn(*shape):
        return torch.tensor(rs.randn(*shape), dtype=dtype)

    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    log = []

    # Tensors, gradients by hand.
    a, b, c, d = randn(), randn(), randn(), randn()
    learning_rate = 1e-6
    for t in range(steps):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum().item()
        if t % 100 == 99:
            log.append(loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x**2).sum()
        grad_d = (grad_y_pred * x**3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    log.append(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")

    # Autograd.
    a, b, c, d = (randn().requires_grad_() for _ in range(4))
    for t in range(steps):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            log.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None

    # A custom autograd Function: P3(x) = (5x^3 - 3x) / 2.
    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    for t in range(steps):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            log.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    log.append(type(P3(c + d * x).grad_fn).__name__)

    # nn.Sequential with a hand-written parameter update, then optim.RMSprop.
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    for use_optim in (False, True):
        model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1)).to(dtype)
        with torch.no_grad():
            model[0].weight.copy_(randn(1, 3) * 0.1)
            model[0].bias.copy_(randn(1) * 0.1)
        loss_fn = torch.nn.MSELoss(reduction="sum")
        learning_rate = 1e-3 if use_optim else 1e-6
        optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate) if use_optim else None
        for t in range(steps):
            y_pred = model(xx)
            loss = loss_fn(y_pred, y)
            if t % 100 == 99:
                log.append(loss.item())
            if use_optim:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            else:
                model.zero_grad()
                loss.backward()
                with torch.no_grad():
                    for param in model.parameters():
                        param -= learning_rate * param.grad
        linear_layer = model[0]
        log.append(
            f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
            f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3"
        )

    # A custom Module, then a dynamic network reusing its last parameter.
    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(randn())
            self.b = torch.nn.Parameter(randn())
            self.c = torch.nn.Parameter(randn())
            self.d = torch.nn.Parameter(randn())

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

        def string(self):
            return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"

    class DynamicNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(randn())
            self.b = torch.nn.Parameter(randn())
            self.c = torch.nn.Parameter(randn())
            self.d = torch.nn.Parameter(randn())
            self.e = torch.nn.Parameter(randn())

        def forward(self, x):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for exp in range(4, chooser.randint(4, 6)):
                y = y + self.e * x**exp
            return y

    chooser = random.Random(0)
    for Net, lr, momentum in ((Polynomial3, 1e-6, 0.0), (DynamicNet, 1e-8, 0.9)):
        model = Net()
        criterion = torch.nn.MSELoss(reduction="sum")
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        for t in range(steps):
            y_pred = model(x)
            loss = criterion(y_pred, y)
            if t % 100 == 99:
                log.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        log.append(len(list(model.parameters())))
    return log
