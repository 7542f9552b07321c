"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode.

The flags are class attributes of ``GradMode`` so that the dispatcher's check
(``GradMode.enabled``) is one attribute load.
"""

from __future__ import annotations

import functools
import inspect
import sys
import warnings


class GradMode:
    """``enabled``: whether ops record (what every reader checks).

    Note [Grad mode inside inference mode]: as PyTorch's, inference mode
    records nothing whatever the grad mode, yet ``enable_grad()`` inside it
    still turns ``is_grad_enabled()`` on. So while ``inference`` is on,
    ``enabled`` stays False and the grad mode the user set is kept in
    ``inference_grad``.
    """

    enabled = True
    inference = False
    inference_grad = False


def is_grad_enabled() -> bool:
    return GradMode.inference_grad if GradMode.inference else GradMode.enabled


def _set_grad(mode: bool) -> bool:
    """Set the grad mode (see Note [Grad mode inside inference mode]); return the previous."""
    if GradMode.inference:
        previous = GradMode.inference_grad
        GradMode.inference_grad = mode
    else:
        previous = GradMode.enabled
        GradMode.enabled = mode
    return previous


def is_inference_mode_enabled() -> bool:
    return GradMode.inference


class _DecoratorContextManager:
    """A context manager that also decorates functions (as torch.autograd.grad_mode's).

    As PyTorch's ``torch.utils._contextlib``: each call of the decorated
    function runs under a fresh copy (``clone()``), a generator function gets
    the mode around each step it runs (not around the caller's code between
    its yields), and decorating a class is deprecated: it wraps the
    constructor, with PyTorch's FutureWarning.
    """

    def __call__(self, orig_func):
        if inspect.isclass(orig_func):
            warnings.warn(
                "Decorating classes is deprecated and will be disabled in future versions. "
                "You should only decorate functions or methods. To preserve the current "
                "behavior of class decoration, you can directly decorate the `__init__` "
                "method and nothing else.",
                FutureWarning,
                stacklevel=2,
            )

            def func(*args, **kwargs):
                return orig_func(*args, **kwargs)

        else:
            func = orig_func
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(self.clone, func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


def _wrap_generator(make_context, func):
    """Run each step of the generator ``func`` returns under a fresh context."""

    @functools.wraps(func)
    def generator(*args, **kwargs):
        gen = func(*args, **kwargs)
        try:
            with make_context():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with make_context():
                        gen.close()
                    raise
                except BaseException:
                    with make_context():
                        response = gen.throw(*sys.exc_info())
                else:
                    with make_context():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return generator


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """As PyTorch's: ``@no_grad`` works without parentheses too."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecoratorContextManager):
    """Disable gradient recording inside the block."""

    def __init__(self) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = _set_grad(False)

    def __exit__(self, *exc) -> None:
        _set_grad(self.prev)


class enable_grad(_NoParamDecoratorContextManager):
    """Enable gradient recording inside the block."""

    def __init__(self) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = _set_grad(True)

    def __exit__(self, *exc) -> None:
        _set_grad(self.prev)


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode on or off; takes effect immediately, and as a context manager restores it."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(
                "set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                f"{type(mode).__name__}"
            )
        self.mode = mode
        self.prev = _set_grad(mode)

    def __call__(self, func):
        # As PyTorch: used as a decorator, the mode set by __init__ is undone at once.
        _set_grad(self.prev)
        return super().__call__(func)

    def __enter__(self) -> None:
        _set_grad(self.mode)

    def __exit__(self, *exc) -> None:
        _set_grad(self.prev)

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like no_grad, and tensors created inside are inference tensors.

    As PyTorch's InferenceMode guard, entering sets both flags at once: grad
    mode to ``not mode`` and inference mode to ``mode``, so
    ``inference_mode(False)`` turns grad mode back on even inside
    ``no_grad()``; leaving restores both. ``@inference_mode`` (no parentheses)
    decorates a function directly.
    """

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode
        self.prev = (True, False, False)

    def __enter__(self) -> None:
        self.prev = (GradMode.enabled, GradMode.inference, GradMode.inference_grad)
        # See Note [Grad mode inside inference mode]: on, nothing records.
        GradMode.enabled = not self.mode
        GradMode.inference = self.mode
        GradMode.inference_grad = False

    def __exit__(self, *exc) -> None:
        GradMode.enabled, GradMode.inference, GradMode.inference_grad = self.prev

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
