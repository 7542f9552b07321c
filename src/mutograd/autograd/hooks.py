"""Running user hooks during backward, with PyTorch's checks on what they return.

NB: in PyTorch this is torch/csrc/autograd/python_hook.cpp. A tensor hook gets
the gradient of its output (None for a sibling output of a multi-output node
that got none) and may return a replacement of the same type and size; a
node's prehook gets and may replace all its gradient outputs, a node's
(post) hook all its gradient inputs. retain_grad runs after the tensor hooks.
"""

from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor
from .grad_mode import GradMode


class LeafHooks(list):
    """A leaf's hooks: the pre-accumulation hooks (the list itself) and ``post``,
    the hooks ``register_post_accumulate_grad_hook`` adds (run after .grad is set)."""

    __slots__ = ("post",)

    def __init__(self) -> None:
        super().__init__()
        self.post = []


def hook_name(fn) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def check_result(original, result, fn):
    """PyTorch's check_single_result: a tensor hook may not change type nor size."""
    if result is None:
        return original
    if original is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if not isinstance(result, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    if result.dtype is not original.dtype:
        raise RuntimeError(
            f"hook '{hook_name(fn)}' has changed the type of value (was "
            f"{_dtype.legacy_type_name(original.dtype)} got {_dtype.legacy_type_name(result.dtype)})"
        )
    if result._data.shape != original._data.shape:
        raise RuntimeError(f"hook '{hook_name(fn)}' has changed the size of value")
    return result


def _check_tuple(result, expected: list, fn) -> list:
    """A node hook's return: a tuple of the same length, each entry checked."""
    if not isinstance(result, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
    if len(result) != len(expected):
        raise RuntimeError(
            f"hook '{hook_name(fn)}' has returned an incorrect number of values (got "
            f"{len(result)}, but expected {len(expected)})"
        )
    return [check_result(old, new, fn) for old, new in zip(expected, result, strict=True)]


def run_leaf_hooks(hooks: list, g):
    for fn in list(hooks):
        g = check_result(g, fn(g), fn)
    return g


def run_pre_hooks(node, inputs: list) -> list:
    """Tensor hooks of each output, then retain_grad, then the node's prehooks."""
    hooks = node._tensor_pre_hooks
    if hooks:
        for nr, fns in hooks.items():
            for fn in list(fns):
                inputs[nr] = check_result(inputs[nr], fn(inputs[nr]), fn)
    retains = node._retain_grad_hooks
    if retains:
        for nr, ref in retains.items():
            t = ref()
            g = inputs[nr]
            if t is None or g is None or t._grad_fn is not node:
                continue
            if t._grad is None:
                t._grad = g.detach().clone() if not GradMode.enabled else g.clone()
            else:
                t._grad = t._grad + g
    if node._pre_hooks:
        for fn in list(node._pre_hooks):
            out = fn(tuple(inputs))
            if out is not None:
                inputs = _check_tuple(out, inputs, fn)
    return inputs


def run_post_hooks(node, outputs, inputs: list) -> list:
    """The node's hooks: ``fn(grad_inputs, grad_outputs)``, each may replace grad_inputs."""
    outputs = list(outputs)
    for fn in list(node._post_hooks):
        new = fn(tuple(outputs), tuple(inputs))
        if new is not None:
            outputs = _check_tuple(new, outputs, fn)
    return outputs
