"""A small convolutional classifier on digit-like images, trained with Adadelta and StepLR
(pytorch/examples mnist style: Conv2d, dropout, log_softmax + nll_loss, train/test loops)."""

from __future__ import annotations

import numpy as np

from ._data import digits, load_weights


def make_net(torch, dropout):
    nn = torch.nn
    F = torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, 1)
            self.conv2 = nn.Conv2d(8, 16, 3, 1)
            self.dropout1 = nn.Dropout(dropout[0])
            self.dropout2 = nn.Dropout(dropout[1])
            self.fc1 = nn.Linear(16 * 5 * 5, 32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    return Net()


def train(torch, model, device, train_loader, optimizer, epoch, log):
    F = torch.nn.functional
    model.train()
    for _batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        log.append(loss.item())


def test(torch, model, device, test_loader, log):
    F = torch.nn.functional
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    log.append(test_loss)
    log.append(correct)


def run(torch, epochs=3, dropout=(0.0, 0.0), torch_init=False):
    """With ``torch_init`` the weights and dropout masks come from torch.manual_seed (the
    example as published); otherwise from NumPy, so real PyTorch and mutograd agree today."""
    use_accel = torch.cuda.is_available()
    device = torch.device("cuda" if use_accel else "cpu")
    torch.manual_seed(1)
    rs = np.random.RandomState(0)
    images, labels = digits(rs, 96, size=14)
    mean, std = images.mean(), images.std()
    x = (torch.tensor(images).unsqueeze(1) - mean) / std
    y = torch.tensor(labels)
    dataset1 = torch.utils.data.TensorDataset(x[:64], y[:64])
    dataset2 = torch.utils.data.TensorDataset(x[64:], y[64:])
    train_loader = torch.utils.data.DataLoader(dataset1, batch_size=16)
    test_loader = torch.utils.data.DataLoader(dataset2, batch_size=100)

    model = make_net(torch, dropout).to(device)
    if not torch_init:
        load_weights(torch, model, rs, scale=0.2)
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    log = []
    for epoch in range(1, epochs + 1):
        train(torch, model, device, train_loader, optimizer, epoch, log)
        test(torch, model, device, test_loader, log)
        scheduler.step()
        log.append(scheduler.get_last_lr()[0])
    log.append(sorted(model.state_dict().keys()))
    return log
