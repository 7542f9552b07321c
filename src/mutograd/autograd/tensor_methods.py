"""Autograd's methods on Tensor: backward, register_hook, retain_grad, post-accumulate hooks."""

from __future__ import annotations

from .. import _errors
from .._tensor import Tensor
from . import engine
from .grad_mode import GradMode
from .graph import RemovableHandle
from .hooks import LeafHooks


def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Compute the gradient of this tensor w.r.t. the graph leaves."""
    engine.backward(self, gradient, retain_graph, create_graph, inputs)


def register_hook(self, hook):
    """Run ``hook(grad)`` when this tensor's gradient is computed; it may return a new grad."""
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    fn = self.grad_fn
    if fn is None:
        if self._hooks is None:
            self._hooks = LeafHooks()
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)
    return fn._register_tensor_hook(self._output_nr, hook)


def register_post_accumulate_grad_hook(self, hook):
    """Run ``hook(tensor)`` after the gradient has been accumulated into this leaf's .grad."""
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if self._hooks is None:
        self._hooks = LeafHooks()
    self._hooks.post.append(hook)
    return RemovableHandle(self._hooks.post, hook)


def retain_grad(self) -> None:
    """Keep ``.grad`` for this non-leaf tensor after backward."""
    if not self.requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self.grad_fn is None or self._retains_grad:
        return
    self._retains_grad = True
    engine.install_retain_grad(self)


def numpy(self, *, force: bool = False):
    """The NumPy array sharing this tensor's memory.

    As PyTorch: refused for a tensor that requires grad only while grad mode is on.
    """
    if self.requires_grad and GradMode.enabled and not force:
        raise _errors.numpy_requires_grad()
    return self._data.view()


Tensor.numpy = numpy
Tensor.backward = backward
Tensor.register_hook = register_hook
Tensor.retain_grad = retain_grad
Tensor.register_post_accumulate_grad_hook = register_post_accumulate_grad_hook
