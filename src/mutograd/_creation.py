"""Factories (tensor, zeros, arange, rand ...), and the generator's names re-exported.

The generator is PyTorch's CPU generator (``_generator``): after the same seed,
the random factories draw PyTorch's numbers (``_distributions_cpu``).
"""

from __future__ import annotations

import collections.abc
import math
import numbers
import warnings

import numpy as np

from . import _capture, _device, _dtype, _errors, _layout
from . import _distributions_cpu as _dist
from ._generator import (  # noqa: F401  (re-exported: the factories' module is where they were)
    Generator,
    default_generator,
    fill_in_memory_order,
    generator_or_default,
    get_rng_state,
    in_memory_order,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from ._tensor import Tensor, _new
from .autograd.grad_mode import GradMode

# --- helpers ---------------------------------------------------------------------


def _finish(array: np.ndarray, dtype, requires_grad: bool) -> Tensor:
    if array.size == 0:
        array = _layout.contiguous(array)  # NB: NumPy gives empty arrays zero strides
    t = _new(array, dtype)
    if GradMode.inference:
        t._inference = True
    if requires_grad:
        if not dtype.is_floating_point:
            raise _errors.factory_requires_grad_dtype()
        t._requires_grad = True
    return t


def contiguous_copy(t: Tensor, shape: tuple) -> Tensor:
    """``empty(shape).copy_(t)`` without the dispatcher: a contiguous copy of ``t``
    (broadcast to ``shape``) at version 1, as that one write leaves it."""
    array = np.empty(shape, t.dtype._np)
    if not array.size:
        # NB: NumPy gives an empty array zero strides; PyTorch's are contiguous ones.
        array = _layout.contiguous(array)
    np.copyto(array, t._data)
    _capture.copied(array, t._data)
    out = _new(array, t.dtype)
    out._vc.version = 1
    return out


def _size(size, name: str = "empty") -> tuple:
    """The ``*size`` of a factory named ``name``, with PyTorch's argument-parser errors."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    elif len(size) == 1 and not isinstance(size[0], (numbers.Integral, Tensor)):
        raise TypeError(
            f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
            f"{type(size[0]).__name__}"
        )
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(
                f"{name}(): argument 'size' failed to unpack the object at pos {len(out) + 1} "
                f'with error "type must be tuple of ints,but got {type(s).__name__}"'
            )
        if s < 0:
            if name == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: [{', '.join(map(str, size))}]"
            )
        out.append(int(s))
    return tuple(out)


def _dtype_or_default(dtype) -> _dtype.dtype:
    return _dtype.get_default_dtype() if dtype is None else dtype


def _infer_dtype(data) -> _dtype.dtype:
    """PyTorch's inference for nested Python data: any float -> float, any int -> int64, else bool."""
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, (np.ndarray, np.generic)):
        return _dtype.from_numpy_dtype(data.dtype)
    if isinstance(data, (bool, np.bool_)):
        return _dtype.bool_
    if isinstance(data, (numbers.Integral,)):
        return _dtype.int64
    if isinstance(data, numbers.Real):
        return _dtype.get_default_dtype()
    if isinstance(data, (list, tuple)):
        found = [_infer_dtype(x) for x in data]
        if not found:
            return _dtype.get_default_dtype()
        best = found[0]
        for d in found[1:]:
            if d._category > best._category or (
                d._category == best._category and d.itemsize > best.itemsize
            ):
                best = d
        if best._category == 2 and all(isinstance(x, (numbers.Real, list, tuple)) for x in data):
            if not any(isinstance(x, (np.ndarray, Tensor)) for x in data):
                return (
                    _dtype.get_default_dtype() if best in (_dtype.float32, _dtype.float64) else best
                )
        return best
    raise TypeError(f"new(): invalid data type '{type(data).__name__}'")


def _to_array(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_to_array(x) for x in data]
    return data


def _is_sequence(x) -> bool:
    return isinstance(x, (list, tuple)) or (isinstance(x, (np.ndarray, Tensor)) and x.ndim > 0)


def _check_rectangular(data, dtype) -> None:
    """PyTorch's compute_sizes + recursive_store checks: the first elements fix the shape."""
    sizes = []
    seq = data
    while _is_sequence(seq):
        sizes.append(len(seq))
        if not len(seq):
            break
        seq = seq[0]
    _check_store(data, sizes, 0, dtype)


def _check_store(data, sizes, dim: int, dtype) -> None:
    if dim == len(sizes):
        if _is_sequence(data):
            if dtype.is_floating_point:
                raise TypeError(f"must be real number, not {type(data).__name__}")
            raise TypeError(f"'{type(data).__name__}' object cannot be interpreted as an integer")
        return
    if not _is_sequence(data):
        raise TypeError("not a sequence")
    if len(data) != sizes[dim]:
        raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(data)})")
    if isinstance(data, (list, tuple)):
        for x in data:
            _check_store(x, sizes, dim + 1, dtype)


def _other_sequence(x) -> bool:
    return isinstance(x, (range, collections.abc.Sequence)) and not isinstance(
        x, (list, tuple, str, bytes)
    )


def _plain_sequences(data):
    # NB: PyTorch reads any Python sequence (a deque of returns, a range) as it reads a list.
    if _other_sequence(data):
        return [_plain_sequences(x) for x in data]
    if isinstance(data, list) and any(_other_sequence(x) for x in data):
        return [_plain_sequences(x) for x in data]
    return data


# --- factories ---------------------------------------------------------------------


def tensor(
    data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False
) -> Tensor:
    """Build a tensor by copying ``data`` (nested lists, scalars, arrays, tensors)."""
    _device.check(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
            "or sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    data = _plain_sequences(data)
    target = dtype if dtype is not None else _infer_dtype(data)
    _check_rectangular(data, target)
    array = np.array(_to_array(data), dtype=target._np, copy=True)
    return _finish(array, target, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with tensors and NumPy arrays when it can."""
    _device.check(device)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray):
        t = from_numpy(data)
        return t if dtype is None or dtype is t.dtype else t.to(dtype)
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    if any(stride < 0 for stride in array.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative "
            "strides are not currently supported. (You can probably work around this by making a "
            "copy of your array  with array.copy().) "
        )
    d = _dtype.from_numpy_dtype(array.dtype)
    return _new(array, d)


def _filled(size, value, dtype, requires_grad, name: str) -> Tensor:
    d = _dtype_or_default(dtype)
    return _finish(np.full(_size(size, name), value, dtype=d._np), d, requires_grad)


def zeros(
    *size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False
) -> Tensor:
    _device.check(device)
    return _filled(size, 0, dtype, requires_grad, "zeros")


def ones(
    *size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False
) -> Tensor:
    _device.check(device)
    return _filled(size, 1, dtype, requires_grad, "ones")


def empty(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    memory_format=None,
    pin_memory: bool = False,
) -> Tensor:
    _device.check(device)
    d = _dtype_or_default(dtype)
    return _finish(np.empty(_size(size), dtype=d._np), d, requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    _device.check(device)
    d = _dtype_or_default(dtype)
    size = tuple(size)
    extent = 1 + sum((s - 1) * st for s, st in zip(size, stride, strict=True)) if all(size) else 0
    buffer = np.empty(extent, dtype=d._np)
    array = np.lib.stride_tricks.as_strided(
        buffer, size, tuple(st * d.itemsize for st in stride), writeable=True
    )
    t = _new(array, d, None, buffer)
    if requires_grad:
        t._requires_grad = True
    return t


def full(
    size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False
) -> Tensor:
    _device.check(device)
    if dtype is None:
        dtype = _dtype.scalar_dtype(
            fill_value.item() if isinstance(fill_value, Tensor) else fill_value
        )
    return _filled((size,), fill_value, dtype, requires_grad, "full")


def _like(input: Tensor, dtype, value, requires_grad) -> Tensor:
    # NB: laid out as PyTorch's memory_format=preserve (size-1 dims' strides included).
    d = input.dtype if dtype is None else dtype
    array = _layout.empty_like(input._data, d._np)
    if value is not None:
        array.fill(value)
    return _finish(array, d, requires_grad)


def zeros_like(
    input: Tensor,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    memory_format=None,
) -> Tensor:
    _device.check(device)
    return _like(input, dtype, 0, requires_grad)


def ones_like(
    input: Tensor,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    memory_format=None,
) -> Tensor:
    _device.check(device)
    return _like(input, dtype, 1, requires_grad)


def empty_like(
    input: Tensor,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    memory_format=None,
) -> Tensor:
    _device.check(device)
    return _like(input, dtype, None, requires_grad)


def full_like(
    input: Tensor,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    memory_format=None,
) -> Tensor:
    _device.check(device)
    return _like(input, dtype, fill_value, requires_grad)


def arange(
    start,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    _device.check(device)
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        integral = all(isinstance(v, numbers.Integral) for v in values)
        dtype = _dtype.int64 if integral else _dtype.get_default_dtype()
    count = math.ceil((end - start) / step)
    # As PyTorch, values are computed as start + i * step in double precision.
    array = (
        (start + np.arange(count, dtype=np.float64) * step)
        if dtype is not _dtype.int64
        else (np.arange(start, end, step, dtype=np.int64))
    )
    return _finish(np.asarray(array).astype(dtype._np), dtype, requires_grad)


def linspace(
    start,
    end,
    steps: int,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    _device.check(device)
    d = _dtype_or_default(dtype)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(np.linspace(start, end, steps, dtype=np.float64).astype(d._np), d, requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    _device.check(device)
    d = _dtype_or_default(dtype)
    return _finish(np.eye(n, n if m is None else m, dtype=d._np), d, requires_grad)


def rand(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    _device.check(device)
    d = _dtype_or_default(dtype)
    shape = _size(size, "rand")
    values = _dist.uniform(generator_or_default(generator), math.prod(shape), d._np, 0.0, 1.0)
    return _finish(values.reshape(shape), d, requires_grad)


def randn(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    _device.check(device)
    d = _dtype_or_default(dtype)
    shape = _size(size, "randn")
    gen = generator_or_default(generator)
    values = _dist.normal(gen, math.prod(shape), d._np, 0.0, 1.0, contiguous=True)
    return _finish(values.reshape(shape), d, requires_grad)


def randint(
    *args,
    size=None,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    _device.check(device)
    if size is None:
        *bounds, size = args
    else:
        bounds = list(args)
    low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"randint(): argument 'size' (position {len(bounds) + 1}) must be tuple of ints, not "
            f"{type(size).__name__}"
        )
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    d = _dtype.int64 if dtype is None else dtype
    shape = _size((tuple(size),), "randint")
    gen = generator_or_default(generator)
    values = _dist.random_from_to(gen, math.prod(shape), d._np, int(low), int(high) - int(low))
    return _finish(values.reshape(shape), d, requires_grad)


def randperm(
    n: int, *, generator=None, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    _device.check(device)
    d = _dtype.int64 if dtype is None else dtype
    return _finish(
        _dist.randperm(generator_or_default(generator), int(n)).astype(d._np), d, requires_grad
    )


def _random_like(factory, name: str):
    """``rand_like`` / ``randn_like``: the factory over ``input``'s shape and dtype."""

    def like(
        input: Tensor,
        *,
        generator=None,
        dtype=None,
        layout=None,
        device=None,
        requires_grad: bool = False,
        memory_format=None,
    ) -> Tensor:
        return factory(
            *input._data.shape,
            generator=generator,
            dtype=dtype or input.dtype,
            device=device,
            requires_grad=requires_grad,
        )

    like.__name__ = like.__qualname__ = name
    return like


rand_like = _random_like(rand, "rand_like")
randn_like = _random_like(randn, "randn_like")


def randint_like(
    input: Tensor, low=0, high=None, *, generator=None, dtype=None, requires_grad=False, **kwargs
) -> Tensor:
    """``randint_like(input, high)`` or ``randint_like(input, low, high)``."""
    if high is None:
        low, high = 0, low
    return randint(
        low,
        high,
        tuple(input._data.shape),
        generator=generator,
        dtype=dtype or input.dtype,
        requires_grad=requires_grad,
    )


def _legacy_new(cls, *args, **kwargs) -> Tensor:
    """``torch.Tensor(data)`` (float copy) or ``torch.Tensor(*sizes)`` (uninitialised)."""
    if len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)):
        return tensor(args[0], dtype=_dtype.get_default_dtype())
    if len(args) == 1 and isinstance(args[0], Tensor):
        return args[0]
    return empty(*(args or (0,)), dtype=_dtype.get_default_dtype())


Tensor._legacy_new = classmethod(_legacy_new)


def wrapped_number(value) -> Tensor:
    """A 0-dim tensor for a Python scalar operand (PyTorch's "wrapped number")."""
    return _new(np.array(value, dtype=_dtype.scalar_dtype(value)._np), _dtype.scalar_dtype(value))


def scalar_tensor(value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    _device.check(device)
    d = _dtype_or_default(dtype)
    return _finish(np.array(value, dtype=d._np), d, requires_grad)


# --- Tensor.new_* (factories that take dtype from self) ------------------------------------


def _new_factory(name, fill):
    def factory(
        self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False
    ):
        _device.check(device)
        d = self.dtype if dtype is None else dtype
        if fill is None:
            array = np.empty(_size(size), dtype=d._np)
        else:
            array = np.full(_size(size), fill, dtype=d._np)
        return _finish(array, d, requires_grad)

    factory.__name__ = name
    setattr(Tensor, name, factory)


_new_factory("new_zeros", 0)
_new_factory("new_ones", 1)
_new_factory("new_empty", None)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    _device.check(device)
    d = self.dtype if dtype is None else dtype
    return _finish(np.full(_size((size,)), fill_value, dtype=d._np), d, requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    _device.check(device)
    return tensor(data, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad)


Tensor.new_full = _new_full
Tensor.new_tensor = _new_tensor
