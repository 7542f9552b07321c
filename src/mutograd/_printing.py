"""Tensor ``repr``/``str`` for mutograd, ported from PyTorch 2.13's ``torch/_tensor_str.py``.

The goal is character-for-character agreement with ``repr(torch_tensor)`` for dense CPU
tensors.  Everything here works on plain NumPy arrays, so the module depends only on
NumPy and the standard library; the Tensor class passes in its values, its dtype name and
its autograd state.  Function names follow torch's so the two files can be read side by
side.

(No ``from __future__ import annotations``: with it, ``@dataclass`` fails when the file is
loaded via ``importlib.util.spec_from_file_location`` without a ``sys.modules`` entry, which
is how the tests load it.)
"""

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = [
    "PRINT_OPTS",
    "format_dtype",
    "format_tensor",
    "get_printoptions",
    "printoptions",
    "set_printoptions",
]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

# torch.set_printoptions profiles; an unknown profile name is silently ignored, as in torch.
_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set printing options; same arguments and semantics as ``torch.set_printoptions``."""
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    # torch assigns sci_mode unconditionally: any call without it resets it to None (auto).
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Current options as a dict that can be passed back to :func:`set_printoptions`."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change the print options (``torch._tensor_str.printoptions``)."""
    old_kwargs = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old_kwargs)


_DTYPE_NAMES = frozenset(
    {
        "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
        "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool",
    }
)  # fmt: skip
_DEFAULT_FLOAT = "float32"
# torch omits the dtype suffix for the default float dtype, its complex counterpart, int64
# and bool (``has_default_dtype`` in ``_str_intern``).
_DEFAULT_DTYPES = frozenset({_DEFAULT_FLOAT, "complex64", "int64", "bool"})


def _canonical_dtype(dtype_name: str) -> str:
    name = dtype_name.removeprefix("torch.")
    if name not in _DTYPE_NAMES:
        raise ValueError(f"unknown dtype name: {dtype_name!r}")
    return name


def format_dtype(dtype_name: str) -> str:
    """``str(torch_dtype)`` for a dtype name, e.g. ``"float32"`` -> ``"torch.float32"``."""
    return "torch." + _canonical_dtype(dtype_name)


class _Formatter:
    """Port of ``torch._tensor_str._Formatter``: picks int/fixed/sci mode and a column width."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating_dtype = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)

        if not self.floating_dtype:
            # torch measures f"{value}" of every element (ints and "True"/"False").
            for value in np.unique(flat).tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return

        with np.errstate(all="ignore"):
            # torch decides on the nonzero finite values only; nan/inf/0 never widen columns.
            nonzero_finite = flat[np.isfinite(flat) & (flat != 0)]
            if nonzero_finite.size == 0:
                return
            # torch takes abs in the tensor's dtype, then converts to double for the ratio
            # test (the division may overflow to inf, which still counts as "> 1000").
            abs_vals = np.abs(nonzero_finite).astype(np.float64)
            nz_min, nz_max = float(abs_vals.min()), float(abs_vals.max())
            self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = nz_max / nz_min > 1000.0 or nz_max > 1.0e8 or nz_min < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        precision = PRINT_OPTS.precision
        for value in np.unique(nonzero_finite).tolist():
            if self.sci_mode:
                width = len(f"{value:.{precision}e}")
            elif self.int_mode:
                # Integral floats print as "3." -- the "+ 1" accounts for the dot.
                width = len(f"{value:.0f}") + 1
            else:
                width = len(f"{value:.{precision}f}")
            self.max_width = max(self.max_width, width)

    def width(self) -> int:
        return self.max_width

    def format(self, value: Any) -> str:
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _val_str(value: Any, formatter1: _Formatter, formatter2: _Formatter | None) -> str:
    """One element; complex values join real and imaginary parts as torch's ``_val_formatter``."""
    if formatter2 is None:
        return formatter1.format(value)
    real_str = formatter1.format(value.real)
    imag_str = (formatter2.format(value.imag) + "j").lstrip()
    # A sign already present (negative numbers, -0.0) replaces the "+".
    if imag_str[0] in "+-":
        return real_str + imag_str
    return real_str + "+" + imag_str


def _vector_str(
    arr: np.ndarray,
    indent: int,
    summarize: bool,
    formatter1: _Formatter,
    formatter2: _Formatter | None,
) -> str:
    # Length includes the ", " separator; complex adds the imaginary width plus the "j".
    element_length = formatter1.width() + 2
    if formatter2 is not None:
        element_length += formatter2.width() + 1
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    def fmt(values: np.ndarray) -> list[str]:
        return [_val_str(v, formatter1, formatter2) for v in values.tolist()]

    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and arr.shape[0] > 2 * edge:
        data = fmt(arr[:edge]) + [" ..."] + fmt(arr[-edge:])
    else:
        data = fmt(arr)

    lines = [
        ", ".join(data[i : i + elements_per_line]) for i in range(0, len(data), elements_per_line)
    ]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(
    arr: np.ndarray,
    indent: int,
    summarize: bool,
    formatter1: _Formatter,
    formatter2: _Formatter | None = None,
) -> str:
    dim = arr.ndim
    if dim == 0:
        return _val_str(arr.item(), formatter1, formatter2)
    if dim == 1:
        return _vector_str(arr, indent, summarize, formatter1, formatter2)

    def sub(i: int) -> str:
        return _tensor_str_with_formatter(arr[i], indent + 1, summarize, formatter1, formatter2)

    edge = PRINT_OPTS.edgeitems
    n = arr.shape[0]
    if summarize and n > 2 * edge:
        # With edgeitems == 0 this leaves just "...", exactly like torch.
        slices = [sub(i) for i in range(edge)] + ["..."] + [sub(i) for i in range(n - edge, n)]
    else:
        slices = [sub(i) for i in range(n)]
    # dim - 1 newlines: a blank line between 3-D slices, two between 4-D blocks, ...
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def get_summarized_data(arr: np.ndarray) -> np.ndarray:
    """The elements that stay visible after summarization; only they shape the formatter."""
    edge = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        if arr.shape[0] > 2 * edge:
            # Note arr[-0:] is the whole array, mirroring torch when edgeitems == 0.
            return np.concatenate((arr[:edge], arr[-edge:]))
        return arr
    if not edge:
        return np.empty([0] * arr.ndim, dtype=arr.dtype)
    n = arr.shape[0]
    rows = [*range(edge), *range(n - edge, n)] if n > 2 * edge else range(n)
    return np.stack([get_summarized_data(arr[i]) for i in rows])


def _tensor_str(arr: np.ndarray, indent: int) -> str:
    if arr.size == 0:
        return "[]"
    summarize = arr.size > PRINT_OPTS.threshold

    def formatter_for(part: np.ndarray) -> _Formatter:
        return _Formatter(get_summarized_data(part) if summarize else part)

    if arr.dtype.kind == "c":
        # Complex tensors get independent formatters for the real and imaginary parts.
        real_fmt, imag_fmt = formatter_for(arr.real), formatter_for(arr.imag)
        return _tensor_str_with_formatter(arr, indent, summarize, real_fmt, imag_fmt)
    return _tensor_str_with_formatter(arr, indent, summarize, formatter_for(arr))


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int) -> str:
    tensor_strs = [tensor_str]
    # torch's formula (including its off-by-two "+ 1" when there is no newline).
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += len(suffix) + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def format_tensor(
    data: np.ndarray,
    dtype_name: str,
    *,
    requires_grad: bool = False,
    grad_fn_name: str | None = None,
    is_leaf: bool = True,
    prefix: str = "tensor(",
    extra_suffixes: tuple[str, ...] = (),
) -> str:
    """Render a dense CPU tensor exactly like ``repr(torch_tensor)`` (``str`` is the same).

    ``data`` holds the values (any strides, never modified) and ``dtype_name`` the tensor's
    dtype (``"float32"``, ``"int64"``, ...), which drives the ``dtype=`` suffix.
    ``extra_suffixes`` go after size/dtype and before the autograd suffix, where torch puts
    e.g. ``layout=``.  ``is_leaf`` is accepted for the caller's convenience: torch itself
    prints ``grad_fn=<...>`` whenever there is one, else ``requires_grad=True`` if set (a
    tensor without grad_fn that requires grad is necessarily a leaf).
    """
    del is_leaf  # see docstring
    arr = np.asarray(data)
    name = _canonical_dtype(dtype_name)
    indent = len(prefix)
    suffixes: list[str] = []
    if arr.size == 0:
        # Size is shown unless the shape is (0,), to match NumPy; an empty tensor has no
        # values to infer int64 from, so only the default float dtype omits its dtype.
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if name != _DEFAULT_FLOAT:
            suffixes.append("dtype=" + format_dtype(name))
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(arr.shape)}")
        if name not in _DEFAULT_DTYPES:
            suffixes.append("dtype=" + format_dtype(name))
        tensor_str = _tensor_str(arr, indent)
    suffixes.extend(extra_suffixes)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + tensor_str, suffixes, indent)
