"""Logistic regression on digit-like images, refactored step by step from raw tensors to
nn.Module, optim, TensorDataset/DataLoader and a small CNN
("What is torch.nn really?" tutorial style)."""

from __future__ import annotations

import math

import numpy as np

from ._data import digits, load_weights


def run(torch, epochs=2, bs=16, lr=0.05):
    nn = torch.nn
    F = torch.nn.functional
    from_numpy_weights = np.random.RandomState(0)
    images, labels = digits(np.random.RandomState(4), 96)
    x_train, y_train, x_valid, y_valid = (
        images[:64].reshape(64, -1), labels[:64], images[64:].reshape(32, -1), labels[64:]
    )
    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    n, c = x_train.shape
    log = [tuple(x_train.shape), int(y_train.min()), int(y_train.max())]

    # 1. Raw tensors: weights with requires_grad_(), a hand-written log_softmax and nll.
    weights = torch.tensor(from_numpy_weights.randn(784, 10).astype(np.float32)) / math.sqrt(784)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    loss_func = nll

    def accuracy(out, yb):
        preds = torch.argmax(out, dim=1)
        return (preds == yb).float().mean()

    for _epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)
            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
    log += [loss_func(model(xb), yb).item(), accuracy(model(xb), yb).item()]

    # 2. F.cross_entropy, then nn.Module with nn.Parameter, then nn.Linear and optim.
    loss_func = F.cross_entropy
    log.append(loss_func(xb @ weights + bias, yb).item())

    class Mnist_Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(torch.tensor(np.random.RandomState(1).randn(784, 10).astype(np.float32)) / math.sqrt(784))
            self.bias = nn.Parameter(torch.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    model = Mnist_Logistic()

    def fit():
        for _epoch in range(epochs):
            for i in range((n - 1) // bs + 1):
                start_i = i * bs
                end_i = start_i + bs
                xb = x_train[start_i:end_i]
                yb = y_train[start_i:end_i]
                loss = loss_func(model(xb), yb)
                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p -= p.grad * lr
                    model.zero_grad()

    fit()
    log.append(loss_func(model(xb), yb).item())

    class Mnist_Linear(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(784, 10)

        def forward(self, xb):
            return self.lin(xb)

    def get_model(seed):
        model = Mnist_Linear()
        load_weights(torch, model, np.random.RandomState(seed), scale=0.03)
        return model, torch.optim.SGD(model.parameters(), lr=lr)

    model, opt = get_model(2)
    train_ds = torch.utils.data.TensorDataset(x_train, y_train)
    valid_ds = torch.utils.data.TensorDataset(x_valid, y_valid)

    def get_data(train_ds, valid_ds, bs):
        return (
            torch.utils.data.DataLoader(train_ds, batch_size=bs),
            torch.utils.data.DataLoader(valid_ds, batch_size=bs * 2),
        )

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)
        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss.item(), len(xb)

    def fit_loaders(epochs, model, loss_func, opt, train_dl, valid_dl):
        for _epoch in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss_batch(model, loss_func, xb, yb, opt)
            model.eval()
            with torch.no_grad():
                losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
            val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
            log.append(float(val_loss))

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    fit_loaders(epochs, model, loss_func, opt, train_dl, valid_dl)

    # 3. A CNN, first as a module, then nn.Sequential with a Lambda layer and a wrapped loader.
    class Mnist_CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1)
            self.conv2 = nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1)
            self.conv3 = nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1)

        def forward(self, xb):
            xb = xb.view(-1, 1, 28, 28)
            xb = F.relu(self.conv1(xb))
            xb = F.relu(self.conv2(xb))
            xb = F.relu(self.conv3(xb))
            xb = F.avg_pool2d(xb, 4)
            return xb.view(-1, xb.size(1))

    model = Mnist_CNN()
    load_weights(torch, model, np.random.RandomState(3), scale=0.3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    fit_loaders(epochs, model, loss_func, opt, train_dl, valid_dl)

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    def preprocess(x, y):
        return x.view(-1, 1, 28, 28), y

    class WrappedDataLoader:
        def __init__(self, dl, func):
            self.dl = dl
            self.func = func

        def __len__(self):
            return len(self.dl)

        def __iter__(self):
            for b in self.dl:
                yield self.func(*b)

    train_dl = WrappedDataLoader(train_dl, preprocess)
    valid_dl = WrappedDataLoader(valid_dl, preprocess)
    model = nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    load_weights(torch, model, np.random.RandomState(3), scale=0.3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    fit_loaders(epochs, model, loss_func, opt, train_dl, valid_dl)
    return log
