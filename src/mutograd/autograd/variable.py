"""The legacy ``torch.autograd.Variable`` and a tensor's ``_backward_hooks``.

Since PyTorch 0.4 a Variable is a Tensor: ``Variable(t, requires_grad=...)``
returns a plain tensor sharing ``t``'s memory and version counter, detached
from its history, and ``isinstance(x, Variable)`` holds for every tensor.
"""

from __future__ import annotations

import warnings
import weakref
from collections import OrderedDict

from .. import _creation, _errors
from .._tensor import Tensor


class VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, Tensor)


class Variable(metaclass=VariableMeta):
    """``Variable(data, requires_grad=False, volatile=False)``: ``data.detach()``, as a leaf.

    >>> import mutograd as torch
    >>> from mutograd.autograd import Variable
    >>> v = Variable(torch.tensor([1.0, 2.0]), requires_grad=True)
    >>> v, isinstance(v, Variable)
    (tensor([1., 2.], requires_grad=True), True)
    """

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if volatile:
            warnings.warn(
                "volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                UserWarning,
                stacklevel=2,
            )
        if data is None:
            data = _creation.empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            if not out.dtype.is_floating_point:
                raise _errors.factory_requires_grad_dtype()
            out.requires_grad_()
        return out


# --- Tensor._backward_hooks ------------------------------------------------------------------------
#
# As PyTorch 2.13: a leaf runs the hooks of the dict its _backward_hooks is set
# to (its values at backward time; register_hook adds to that dict), and None
# removes them all. On a non-leaf the assignment is only recorded: the hooks
# registered on its grad_fn keep running and the dict's never do.


class _HookDict:
    """A leaf's hook list backed by the dict assigned to ``_backward_hooks``."""

    __slots__ = ("hooks", "next_key", "post")

    def __init__(self, hooks, post=None) -> None:
        self.hooks = hooks
        self.next_key = len(hooks)
        # NB: as LeafHooks (autograd.hooks), the post-accumulate-grad hooks ride along;
        # assigning _backward_hooks does not touch them.
        self.post = [] if post is None else post

    def __iter__(self):
        return iter(list(self.hooks.values()))

    def __len__(self) -> int:
        return len(self.hooks)

    def append(self, hook) -> None:
        while self.next_key in self.hooks:
            self.next_key += 1
        self.hooks[self.next_key] = hook

    def remove(self, hook) -> None:
        for key, value in list(self.hooks.items()):
            if value is hook:
                del self.hooks[key]
                return
        raise ValueError("hook not registered")


# id(tensor) -> (weak reference, value) for non-leaf assignments.
_NON_LEAF: dict = {}


def _get_backward_hooks(self):
    fn = self.grad_fn
    if fn is None:
        hooks = self._hooks
        if isinstance(hooks, _HookDict):
            return hooks.hooks
        return OrderedDict(enumerate(hooks)) if hooks else None
    recorded = _NON_LEAF.get(id(self))
    if recorded is not None and recorded[0]() is self:
        return recorded[1]
    pre_hooks = (fn._tensor_pre_hooks or {}).get(self._output_nr)
    return OrderedDict(enumerate(pre_hooks)) if pre_hooks else None


def _set_backward_hooks(self, hooks) -> None:
    if self.grad_fn is None:
        post = getattr(self._hooks, "post", None)
        if hooks is None:
            self._hooks = None
            if post:
                self._hooks = _HookDict({}, post)
            return
        self._hooks = _HookDict(hooks, post)
        return
    key = id(self)
    _NON_LEAF[key] = (weakref.ref(self, lambda _: _NON_LEAF.pop(key, None)), hooks)


def _del_backward_hooks(self) -> None:
    raise RuntimeError("Deletion of _backwards_hooks not allowed!")


Tensor._backward_hooks = property(_get_backward_hooks, _set_backward_hooks, _del_backward_hooks)
