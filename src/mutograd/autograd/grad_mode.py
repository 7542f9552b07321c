"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode.

The flags are class attributes of ``GradMode`` so that the dispatcher's check
(``GradMode.enabled``) is one attribute load.
"""

from __future__ import annotations

import functools
import warnings


class GradMode:
    enabled = True
    inference = False


def is_grad_enabled() -> bool:
    return GradMode.enabled


def is_inference_mode_enabled() -> bool:
    return GradMode.inference


class _DecoratorContextManager:
    """A context manager that also decorates functions (as torch.autograd.grad_mode's)."""

    def __call__(self, func):
        if isinstance(func, type):
            raise TypeError("mutograd grad-mode decorators apply to functions, not classes")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_DecoratorContextManager):
    """Disable gradient recording inside the block."""

    def __init__(self) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = GradMode.enabled
        GradMode.enabled = False

    def __exit__(self, *exc) -> None:
        GradMode.enabled = self.prev


class enable_grad(_DecoratorContextManager):
    """Enable gradient recording inside the block."""

    def __init__(self) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = GradMode.enabled
        GradMode.enabled = True

    def __exit__(self, *exc) -> None:
        GradMode.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode on or off; takes effect immediately, and as a context manager restores it."""

    def __init__(self, mode: bool) -> None:
        self.prev = GradMode.enabled
        self.mode = bool(mode)
        GradMode.enabled = self.mode

    def __call__(self, func):
        # As PyTorch: used as a decorator, the mode set by __init__ is undone at once.
        GradMode.enabled = self.prev
        return super().__call__(func)

    def __enter__(self) -> None:
        GradMode.enabled = self.mode

    def __exit__(self, *exc) -> None:
        GradMode.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like no_grad, and tensors created inside are inference tensors."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode
        self.prev = (True, False)

    def __enter__(self) -> None:
        self.prev = (GradMode.enabled, GradMode.inference)
        if self.mode:
            GradMode.enabled = False
            GradMode.inference = True

    def __exit__(self, *exc) -> None:
        GradMode.enabled, GradMode.inference = self.prev

    def clone(self):
        return self.__class__(self.mode)


class _AnomalyMode:
    enabled = False
    check_nan = True


def set_detect_anomaly(mode: bool, check_nan: bool = True) -> None:
    _AnomalyMode.enabled = bool(mode)
    _AnomalyMode.check_nan = check_nan


def is_anomaly_enabled() -> bool:
    return _AnomalyMode.enabled


class detect_anomaly:
    """Context manager enabling anomaly detection (forward tracebacks on nodes)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.prev = (False, True)
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self.prev = (_AnomalyMode.enabled, _AnomalyMode.check_nan)
        set_detect_anomaly(True, self.check_nan)

    def __exit__(self, *exc) -> None:
        _AnomalyMode.enabled, _AnomalyMode.check_nan = self.prev
