"""The two Jacobians gradcheck compares, as mutograd tensors.

``numerical_jacobians``: one column per perturbed input element, by central
differences written into the input's ``.data`` (so no version counter moves)
and restored. ``analytical_rows`` / ``stack_columns``: one row per one-hot
grad_output, by ``autograd.grad``. Each Jacobian has shape (input numel,
output numel), as PyTorch's gradcheck lays them out.
"""

from __future__ import annotations

import itertools

from .. import _creation
from .._tensor import Tensor
from .engine import grad as autograd_grad

# --- inputs and outputs ----------------------------------------------------------------------------


def as_tuple(x) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def differentiable_outputs(out) -> tuple:
    return tuple(o for o in as_tuple(out) if o.requires_grad)


def is_float(x) -> bool:
    return isinstance(x, Tensor) and x.dtype.is_floating_point


def tensors_requiring_grad(inputs) -> list:
    """The tensors requiring grad, nested sequences included (PyTorch's _iter_tensors)."""
    found = []
    for x in inputs:
        if isinstance(x, Tensor):
            if x.requires_grad:
                found.append(x)
        elif isinstance(x, (list, tuple)):
            found.extend(tensors_requiring_grad(x))
    return found


# --- numerical side --------------------------------------------------------------------------------


def central_difference(func, inputs, entry: Tensor, delta, norm: float, where=None) -> list:
    """(f(entry + delta) - f(entry - delta)) / (2 norm), flattened, per output.

    ``entry`` is (part of) an input's ``.data``: written in place and restored,
    outside autograd's version counting.
    """
    original = entry.clone()
    entry.copy_(original - delta)
    before = [o.clone() for o in as_tuple(func(*inputs))]
    entry.copy_(original + delta)
    after = [o.clone() for o in as_tuple(func(*inputs))]
    entry.copy_(original)
    columns = []
    for a, b in zip(before, after):
        _check_same_meta(a, b, norm, where)
        columns.append(((b - a) / (2 * norm)).detach().reshape(-1))
    return columns


def _check_same_meta(a: Tensor, b: Tensor, eps, where) -> None:
    on_index = f"on index {where} " if where is not None else ""
    if a.shape != b.shape:
        raise AssertionError(
            f"Expected `func` to return outputs with the same shape when inputs are perturbed "
            f"{on_index}by {eps}, but got: shapes {a.shape} and {b.shape}."
        )
    if a.dtype is not b.dtype:
        raise AssertionError(
            f"Expected `func` to return outputs with the same dtype when inputs are perturbed "
            f"{on_index}by {eps}, but got: dtypes {a.dtype} and {b.dtype}."
        )


def numerical_jacobians(func, inputs, outputs, eps) -> list:
    """For each input requiring grad, a tuple of (input numel, output numel) Jacobians,
    one per floating-point output."""
    result = []
    for x in inputs:
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        data = x.data
        shape = tuple(x.shape)
        jacobians = [o.new_zeros((x.numel(), o.numel())) for o in outputs if is_float(o)]
        positions = itertools.product(*[range(n) for n in shape])
        for row, position in enumerate(positions):
            columns = central_difference(func, inputs, data[position], eps, eps, position)
            for jacobian, column in zip(jacobians, columns):
                jacobian[row] = column
        result.append(tuple(jacobians))
    return result


# --- analytical side --------------------------------------------------------------------------------


def contiguous_zeros(t: Tensor) -> Tensor:
    # NB: as PyTorch's legacy_contiguous_format: contiguous whatever t's strides.
    return _creation.zeros(t.shape, dtype=t.dtype)


def vjps(output: Tensor, diff_inputs: list, grad_output: Tensor) -> tuple:
    return autograd_grad(output, diff_inputs, grad_output, retain_graph=True, allow_unused=True)


def analytical_rows(output: Tensor, diff_inputs: list) -> list:
    """rows[i][j]: the gradient of input i for the one-hot grad_output j."""
    base = contiguous_zeros(output)
    flat = base.view(-1)
    rows = [[] for _ in diff_inputs]
    for j in range(flat.numel()):
        flat.zero_()
        flat[j] = 1.0
        for i, g in enumerate(vjps(output, diff_inputs, base)):
            rows[i].append(None if g is None else g.clone())
    return rows


def stack_columns(rows: list, diff_inputs: list, n_columns: int) -> tuple:
    """Jacobians (input numel, n_columns) from the rows; whether sizes and dtypes matched."""
    jacobians = []
    sizes_ok = True
    dtypes_ok = True
    for x, row in zip(diff_inputs, rows):
        jacobian = x.new_zeros((x.numel(), n_columns))
        for j, g in enumerate(row):
            if g is None:
                continue
            if g.shape != x.shape:
                sizes_ok = False
            elif g.dtype is not x.dtype:
                dtypes_ok = False
            if jacobian[:, j].numel() != g.numel():
                raise AssertionError(
                    f"Expected out_jacobian column to have {g.numel()} elements, "
                    f"but got {jacobian[:, j].numel()}"
                )
            jacobian[:, j] = g.reshape(-1)
        jacobians.append(jacobian)
    return jacobians, sizes_ok, dtypes_ok
