"""Inference tensors: ``torch.is_inference`` and the rules grad_mode's flag decides.

A tensor made while ``inference_mode()`` is on is an inference tensor
(``Tensor._inference``): it has no version counter, is never recorded by
autograd, and, as PyTorch's InferenceMode RFC rules, outside inference mode it
cannot be written in place (see _inplace.check_not_inference), be made to
require grad, or be saved for backward (see saved.SavedTensor). Views of an
inference tensor are inference tensors; ``clone()`` outside the mode makes a
normal tensor.
"""

from __future__ import annotations

from .. import _tensor
from .._tensor import Tensor
from .grad_mode import is_inference_mode_enabled

# NB: _tensor sits below autograd; its requires_grad setter asks this layer
# whether inference mode is on through this one seam.
_tensor._inference_mode_enabled = is_inference_mode_enabled


def is_inference(input) -> bool:
    """Whether ``input`` is an inference tensor (``torch.is_inference``).

    >>> import mutograd as torch
    >>> with torch.inference_mode():
    ...     t = torch.ones(2)
    >>> torch.is_inference(t), torch.is_inference(t.clone())
    (True, False)
    """
    if not isinstance(input, Tensor):
        raise TypeError(
            "is_inference(): argument 'input' (position 1) must be Tensor, not "
            f"{type(input).__name__}"
        )
    return input._inference


def only_inference_tensors(inputs) -> bool:
    """Whether every tensor argument of an op is an inference tensor.

    As PyTorch, an op whose tensors are all inference tensors skips the
    autograd layer even outside inference mode (they carry no Autograd
    dispatch key): ``c * c`` needs no grad although ``c`` requires grad. A
    Python number where the schema says Tensor is a wrapped normal tensor
    (``c * 2`` is recorded).
    """
    for x in inputs:
        if isinstance(x, Tensor):
            if not x._inference:
                return False
        elif isinstance(x, (list, tuple)):
            for t in x:
                if t is not None and not t._inference:
                    return False
        elif x is not None:
            return False
    return True
