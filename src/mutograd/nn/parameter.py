"""``nn.Parameter``: a leaf tensor that a Module registers as one of its parameters."""

from __future__ import annotations

from .._creation import empty
from .._tensor import Tensor

# The Tensor fields a Parameter copies from the tensor it wraps (all of Tensor's slots).
_FIELDS = tuple(name for name in Tensor.__slots__ if name != "__weakref__")


class Parameter(Tensor):
    """A Tensor that is a module parameter: ``requires_grad=True`` by default, always a leaf.

    As PyTorch's ``Parameter(data)``, it shares ``data``'s storage and version
    counter (like ``data.detach()``) and prints as ``Parameter containing:``.

    Args:
        data: the tensor to wrap; an empty tensor when None.
        requires_grad: whether the parameter requires gradient (default True).

    >>> import mutograd as torch
    >>> torch.nn.Parameter(torch.ones(2))
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = empty(0)
        # NB: PyTorch's Tensor._make_subclass(cls, data.detach(), requires_grad).
        source = data.detach()
        param = object.__new__(cls)
        for name in _FIELDS:
            setattr(param, name, getattr(source, name))
        param.requires_grad_(requires_grad)
        return param

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        return result
