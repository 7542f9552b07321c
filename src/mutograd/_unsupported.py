"""A clear error for every PyTorch name mutograd lacks.

Note [The unsupported-features table]
-------------------------------------
``_unsupported_table.UNSUPPORTED`` lists, per PyTorch namespace, the public
names of PyTorch 2.13 that mutograd does not have. It is generated (never
edited by hand) by ``python -m mutograd.tools.coverage --write``, which also
renders docs/unsupported.md and the coverage figures in the README; a test
checks that every PyTorch name is either in mutograd or in the table, never
both.

Reaching a listed name raises ``NotImplementedError("torch.<name> is not
supported by mutograd yet; see ...")``: modules get a ``__getattr__`` (PEP 562)
and ``Tensor`` gets one descriptor per missing method. The error is also an
``AttributeError``, so ``hasattr(torch, "compile")`` is False and
``getattr(x, name, default)`` still falls back, as for any missing attribute.
"""

from __future__ import annotations

import sys

from ._unsupported_table import UNSUPPORTED

WHERE = "docs/unsupported.md in the mutograd repository"


class NotSupportedError(NotImplementedError, AttributeError):
    """A PyTorch API that mutograd does not implement (see the Note)."""


def error(qualified_name: str) -> NotSupportedError:
    return NotSupportedError(f"{qualified_name} is not supported by mutograd yet; see {WHERE}")


class _Missing:
    """Stands on ``Tensor`` for a PyTorch method mutograd lacks; any access raises."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        raise error(f"torch.Tensor.{self.name}")

    def __set_name__(self, owner, name) -> None:  # pragma: no cover - set by install()
        self.name = name


def is_missing(obj) -> bool:
    return isinstance(obj, _Missing)


def _module_getattr(namespace: str, module_name: str, names: frozenset):
    def __getattr__(name: str):
        if name in names:
            raise error(f"{namespace}.{name}")
        raise AttributeError(f"module '{module_name}' has no attribute '{name}'")

    return __getattr__


# PyTorch namespace -> the mutograd module that stands for it.
MODULES = {
    "torch": "mutograd",
    "torch.nn": "mutograd.nn",
    "torch.nn.functional": "mutograd.nn.functional",
    "torch.optim": "mutograd.optim",
    "torch.autograd": "mutograd.autograd",
    "torch.linalg": "mutograd.linalg",
    "torch.utils.data": "mutograd.utils.data",
}


def install(tensor_class) -> None:
    """Give each namespace its clear error for the names in the table."""
    for namespace, module_name in MODULES.items():
        module = sys.modules.get(module_name)
        if module is not None and "__getattr__" not in vars(module):
            names = frozenset(UNSUPPORTED.get(namespace, ()))
            module.__getattr__ = _module_getattr(namespace, module_name, names)
    for name in UNSUPPORTED.get("torch.Tensor", ()):
        # NB: a method mutograd has since gained wins; the coverage test flags the stale row.
        if not hasattr(tensor_class, name):
            setattr(tensor_class, name, _Missing(name))
