"""The NumPy floor of the MLP workloads: forward, backward and SGD with momentum written by
hand with the kernels mutograd and PyTorch run, and no framework at all."""

from __future__ import annotations

import numpy as np


def numpy_forward(weights, biases, x) -> list:
    """The MLP's activations (input first, logits last): Linear, ReLU between Linears."""
    activations = [x]
    for k, (w, b) in enumerate(zip(weights, biases)):
        h = np.matmul(activations[-1], w.T)
        h += b
        if k < len(weights) - 1:
            np.maximum(h, 0, out=h)
        activations.append(h)
    return activations


def numpy_mlp_grads(weights, biases, x, y) -> tuple:
    """(mean cross-entropy, [dW0, db0, dW1, db1, ...]) by hand: the floor's backward."""
    activations = numpy_forward(weights, biases, x)
    logits = activations[-1]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    loss = -log_probs[rows, y].mean()
    # d(mean NLL)/d(logits) = (softmax - one_hot) / batch
    grad = np.exp(log_probs)
    grad[rows, y] -= 1.0
    grad /= len(y)
    grads = [None] * (2 * len(weights))
    for k in range(len(weights) - 1, -1, -1):
        grads[2 * k] = np.matmul(grad.T, activations[k])
        grads[2 * k + 1] = grad.sum(axis=0)
        if k:
            grad = np.matmul(grad, weights[k])
            grad[activations[k] <= 0] = 0
    return loss, grads


def mlp_shapes(widths) -> list:
    """The parameter shapes of _mlp(widths), in parameters() order."""
    shapes = []
    for k in range(len(widths) - 1):
        shapes += [(widths[k + 1], widths[k]), (widths[k + 1],)]
    return shapes


def numpy_sgd(params, lr: float, momentum: float):
    """A step function: SGD with momentum, as torch.optim.SGD (buf = g first, then
    buf = momentum * buf + g; p -= lr * buf), on the hand-written gradients."""
    weights, biases = params[0::2], params[1::2]
    buffers = [None] * len(params)

    def step(x, y):
        _, grads = numpy_mlp_grads(weights, biases, x, y)
        for i, (p, g) in enumerate(zip(params, grads)):
            if buffers[i] is None:
                buffers[i] = g.copy()
            else:
                buffers[i] *= momentum
                buffers[i] += g
            p -= lr * buffers[i]

    return step


if __name__ == "__main__":  # a module of the harness; `--help` says what it is
    print(__doc__.strip() + "\n\nImported by the harness: see `python bench/run.py --help`.")
