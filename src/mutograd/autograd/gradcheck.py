"""``torch.autograd.gradcheck`` and ``gradgradcheck``: finite differences against backward.

As PyTorch's, the slow mode builds both Jacobians of each (differentiable
output, input requiring grad) pair, one column of numerical Jacobian per
perturbed input element (central differences on the input's ``.data``, so no
version counter moves) and one row of analytical Jacobian per one-hot
``grad_output``, and compares them with ``allclose(analytical, numerical,
rtol, atol)``. The fast mode compares the scalars ``v^T J u`` instead, for
random unit vectors ``u`` (per input) and ``v`` (per output) drawn from a fresh
``Generator()``. Both modes run backward twice (reentrancy, within
``nondet_tol``), check that backward scales with ``grad_output`` (zero
``grad_output`` -> zero gradients of the input's dtype and size), and that
zero ("undefined") output gradients are handled.

mutograd has no forward-mode AD and no vmap: ``check_forward_ad`` and
``check_batched_forward_grad`` raise NotImplementedError;
``check_batched_grad`` is accepted, and since batched gradients are computed
one grad_output at a time it cannot disagree with the unbatched ones.
Jacobians, vectors and comparisons are mutograd tensor ops.
"""

from __future__ import annotations

import warnings

from .. import _creation, _dtype
from .._public import allclose
from .._tensor import Tensor
from ._jacobians import (
    analytical_rows,
    as_tuple,
    central_difference,
    contiguous_zeros,
    differentiable_outputs,
    is_float,
    numerical_jacobians,
    stack_columns,
    tensors_requiring_grad,
    vjps,
)
from .engine import grad as autograd_grad
from .grad_mode import no_grad


class GradcheckError(RuntimeError):
    r"""Error raised by :func:`gradcheck` and :func:`gradgradcheck`."""


_NONDET_NOTE = """\n
NOTE: If your op relies on non-deterministic operations i.e., it is listed here:
https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
this failure might be expected.

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `nondet_tol=<tol>` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_nondet_tol=<tol>`.
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_nondet_tol=<tol>`
"""

_FAST_FAILED_SLOW_OK = """
Fast gradcheck failed but element-wise differences are small. This means that the
test might've passed in slow_mode!

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck:

If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `fast_mode=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_fast_mode=False`
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_fast_mode=False`
""".strip()


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Check the gradients ``func`` computes against finite differences.

    Returns True when every pair matches; otherwise raises GradcheckError, or
    returns False when ``raise_exception=False``.

    >>> import mutograd as torch
    >>> x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    >>> torch.autograd.gradcheck(torch.sin, (x,))
    True
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    if check_batched_grad and not check_backward_ad:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_backward_ad to be True"
        )
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError(
            "Setting check_batched_forward_grad=True requires check_forward_ad to be True"
        )
    if check_forward_ad:
        raise NotImplementedError(
            "gradcheck(check_forward_ad=True): mutograd has no forward-mode AD"
        )
    settings = _Settings(eps, atol, rtol, nondet_tol, check_grad_dtypes, bool(masked))
    try:
        return _check(func, inputs, settings, fast_mode, check_undefined_grad)
    except GradcheckError:
        if raise_exception:
            raise
        return False


class _Settings:
    __slots__ = ("eps", "atol", "rtol", "nondet_tol", "check_grad_dtypes", "masked")

    def __init__(self, eps, atol, rtol, nondet_tol, check_grad_dtypes, masked) -> None:
        self.eps = eps
        self.atol = atol
        self.rtol = rtol
        self.nondet_tol = nondet_tol
        self.check_grad_dtypes = check_grad_dtypes
        self.masked = masked


def _check(func, inputs, settings: _Settings, fast_mode: bool, check_undefined_grad: bool):
    inputs = as_tuple(inputs)
    _check_inputs(inputs)
    func_out = func(*inputs)
    outputs = differentiable_outputs(func_out)
    if fast_mode:
        _fast_check(func, func_out, inputs, outputs, settings)
    else:
        _slow_check(func, func_out, inputs, outputs, settings)
    _check_scaled_by_grad_output(outputs, inputs, settings.masked)
    if check_undefined_grad:
        _check_zero_output_grads(func, inputs)
    return True


# --- inputs ---------------------------------------------------------------------------------------


def _check_inputs(inputs) -> None:
    any_requiring_grad = False
    for idx, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        if x.dtype is not _dtype.float64:
            warnings.warn(
                f"Input #{idx} requires gradient and is not a double precision floating point "
                "or complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
                stacklevel=4,
            )
        # NB: as PyTorch, only stride-0 dimensions are caught, not every overlap.
        if not all(st > 0 or sz <= 1 for st, sz in zip(x.stride(), x.shape)):
            raise RuntimeError(
                f"The {idx}th input has a dimension with stride 0. gradcheck only supports "
                "inputs that are non-overlapping to be able to compute the numerical gradients "
                "correctly. You should call .contiguous on the input before passing it to "
                "gradcheck."
            )
        any_requiring_grad = True
    if not any_requiring_grad:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them "
            "have requires_grad=True."
        )


def _analytical_jacobians(inputs, output, settings: _Settings, grad_output=None) -> list:
    """The analytical Jacobians of ``output`` (or, given ``grad_output``, the single
    column v^T J), computed twice to check reentrancy."""
    diff_inputs = tensors_requiring_grad(inputs)
    if grad_output is None:
        first = analytical_rows(output.clone(), diff_inputs)
        second = analytical_rows(output.clone(), diff_inputs)
        n_columns = output.numel()
    else:
        first = [[None if g is None else g.clone()] for g in vjps(output, diff_inputs, grad_output)]
        second = [
            [None if g is None else g.clone()] for g in vjps(output, diff_inputs, grad_output)
        ]
        n_columns = 1
    jacobians, sizes_ok, dtypes_ok = stack_columns(first, diff_inputs, n_columns)
    again, _, _ = stack_columns(second, diff_inputs, n_columns)
    reentrant = all(
        a.numel() == 0 or float((a - b).abs().max()) <= settings.nondet_tol
        for a, b in zip(jacobians, again)
    )
    # NB: PyTorch's check reads its two flags crossed: a size mismatch reports a
    # dtype mismatch (only with check_grad_dtypes), a dtype mismatch a size one.
    if not sizes_ok and settings.check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not dtypes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    if not reentrant:
        raise GradcheckError(
            "Backward is not reentrant, i.e., running backward with same input and grad_output "
            "multiple times gives different values, although analytical gradient matches "
            f"numerical gradient.The tolerance for nondeterminism was {settings.nondet_tol}."
            + _NONDET_NOTE
        )
    return jacobians


# --- comparing --------------------------------------------------------------------------------------


def _allclose_promoted(a: Tensor, b: Tensor, rtol: float, atol: float) -> bool:
    common = _dtype.promote_types(a.dtype, b.dtype)
    return allclose(a.to(common), b.to(common), rtol, atol)


def _mismatch(analytical, numerical, output_idx: int, input_idx: int) -> str:
    return (
        f"Jacobian mismatch for output {output_idx:d} with respect to input {input_idx:d},\n"
        f"numerical:{numerical}\nanalytical:{analytical}\n"
    )


def _slow_check(func, func_out, inputs, outputs, settings: _Settings) -> None:
    func_out = as_tuple(func_out)
    if not outputs:
        for jacobians in numerical_jacobians(func, inputs, func_out, settings.eps):
            for jacobian in jacobians:
                if int(jacobian.ne(0).sum()) > 0:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    per_input = numerical_jacobians(func, inputs, func_out, settings.eps)
    per_output = list(zip(*per_input))
    # NB: as PyTorch, the numerical Jacobians (one per floating output) are
    # paired with the outputs in order, keeping those that require grad.
    numerical = [n for o, n in zip(func_out, per_output) if o.requires_grad]
    for i, output in enumerate(outputs):
        analytical = _analytical_jacobians(inputs, output, settings)
        for j, (a, n) in enumerate(zip(analytical, numerical[i])):
            if not _allclose_promoted(a, n, settings.rtol, settings.atol):
                raise GradcheckError(_mismatch(a, n, i, j))


def _unit_vector(x: Tensor, generator) -> Tensor:
    v = _creation.rand(x.numel(), generator=generator).to(x.dtype)
    v /= v.norm()
    return v


def _fast_check(func, func_out, inputs, outputs, settings: _Settings) -> None:
    generator = _creation.Generator()
    indices = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    all_u = [_unit_vector(inputs[k], generator) for k in indices]
    all_v = [_unit_vector(o, generator) for o in outputs]
    func_out = as_tuple(func_out)
    numerical = []  # numerical[i][j]: v_j . (J u_i), per input i
    for k, u in zip(indices, all_u):
        x = inputs[k]
        delta = u.reshape(x.shape) * settings.eps
        columns = central_difference(func, inputs, x.data, delta, settings.eps)
        if not outputs:
            for jvp in columns:
                if jvp.numel() and float(jvp.abs().max()) > settings.nondet_tol:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        jus = [ju for ju, o in zip(columns, func_out) if is_float(o)]
        numerical.append([(v * ju).sum() for v, ju in zip(all_v, jus)])
    analytical = []  # analytical[j][i]: (v_j^T J) . u_i
    for output, v in zip(outputs, all_v):
        vjs = _analytical_jacobians(inputs, output, settings, v.reshape(output.shape))
        analytical.append([vj.T.squeeze(0).dot(u) for vj, u in zip(vjs, all_u)])
    for i, per_output in enumerate(numerical):
        for j, n in enumerate(per_output):
            a = analytical[j][i]
            atol = settings.atol * float(all_u[i].sum()) * float(all_v[j].sum())
            if not _allclose_promoted(a, n, settings.rtol, atol):
                detail = _slow_mode_report(func, inputs, outputs, i, j, settings)
                raise GradcheckError(_mismatch(a, n, j, i) + detail)


def _slow_mode_report(func, inputs, outputs, input_idx, output_idx, settings) -> str:
    numerical = numerical_jacobians(func, inputs, outputs, settings.eps)[input_idx][output_idx]
    exact = _Settings(settings.eps, settings.atol, settings.rtol, float("inf"), False, False)
    analytical = _analytical_jacobians(inputs, outputs[output_idx], exact)[input_idx]
    max_diff = (numerical - analytical).abs().max()
    text = (
        "\nThe above quantities relating the numerical and analytical jacobians are computed \n"
        "in fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more background \n"
        "about fast mode. Below, we recompute numerical and analytical jacobians in slow mode:\n\n"
        f"Numerical:\n {numerical}\n"
        f"Analytical:\n{analytical}\n\n"
        f"The max per-element difference (slow mode) is: {max_diff}.\n"
    )
    if allclose(analytical, numerical, settings.rtol, settings.atol):
        text += _FAST_FAILED_SLOW_OK
    return text


# --- backward's contract ------------------------------------------------------------------------------


def _check_scaled_by_grad_output(outputs, inputs, masked: bool) -> None:
    """A zero grad_output gives zero input gradients of the inputs' dtype and size."""
    diff_inputs = tensors_requiring_grad(inputs)
    if not diff_inputs:
        raise GradcheckError("no Tensors requiring grad found in input")
    if not outputs:
        return
    zeros = [contiguous_zeros(o) for o in outputs]
    grads = autograd_grad(outputs, diff_inputs, zeros, allow_unused=True)
    for g, x in zip(grads, diff_inputs):
        if g is None:
            continue
        if masked:
            if not allclose(g, _creation.zeros_like(g)):
                raise GradcheckError("backward not multiplied by grad_output")
        elif not bool(g.eq(0).all()):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype is not x.dtype:
            raise GradcheckError("grad is incorrect type")
        if g.shape != x.shape:
            raise GradcheckError("grad is incorrect size")


def _check_zero_output_grads(func, inputs) -> None:
    """PyTorch's undefined-output-gradient check, all outputs at once then one at a time.

    NB: mutograd has no undefined tensors; an output that gets no gradient gets
    zeros, which is what PyTorch's backward formulas must treat it as.
    """
    diff_inputs = tensors_requiring_grad(inputs)
    if not diff_inputs:
        raise GradcheckError("no Tensors requiring grad found in input")
    outputs = differentiable_outputs(func(*inputs))
    checks = [list(range(len(outputs)))]
    if len(outputs) > 1:
        checks += [[k] for k in range(len(outputs))]
    for zeroed in checks:
        if len(zeroed) < len(outputs):
            outputs = differentiable_outputs(func(*inputs))
        grads_out = [
            contiguous_zeros(o) if k in zeroed else _creation.ones(o.shape, dtype=o.dtype)
            for k, o in enumerate(outputs)
        ]
        if not outputs:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grads = autograd_grad(outputs, diff_inputs, grads_out, allow_unused=True)
        except RuntimeError as error:
            _warn_undefined()
            raise GradcheckError(
                "Expected backward function to handle undefined output grads. Please look at "
                '"Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"'
            ) from error
        if len(zeroed) < len(outputs):
            continue  # NB: as PyTorch, only the all-undefined case checks the values
        for g in grads:
            if g is not None and not bool(g.eq(0).all()):
                _warn_undefined()
                raise GradcheckError(
                    "Expected all input grads to be undefined or zero when all output grads "
                    'are undefined or zero. Please look at "Notes about undefined output '
                    'gradients" in "tools/autograd/derivatives.yaml"'
                )


def _warn_undefined() -> None:
    warnings.warn(
        "Backwards compatibility: New undefined gradient support checking feature is enabled "
        "by default, but it may break existing callers of this function. If this is true for "
        'you, you can call this function with "check_undefined_grad=False" to disable the '
        "feature",
        UserWarning,
        stacklevel=4,
    )


# --- second order ----------------------------------------------------------------------------------


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """Check the gradients of the gradients of ``func`` (gradcheck on its backward).

    >>> import mutograd as torch
    >>> x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    >>> torch.autograd.gradgradcheck(torch.sin, (x,))
    True
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True"
        )
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_undefined_grad=True requires check_rev_over_rev to be True"
        )
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_rev_over_rev to be True"
        )
    inputs = as_tuple(inputs)
    if grad_outputs is None:
        # As PyTorch (torch.testing.make_tensor): uniform in [-1, 1), requiring grad.
        outputs = differentiable_outputs(func(*inputs))
        grad_outputs = tuple(_random_grad_output(o, gen_non_contig_grad_outputs) for o in outputs)
    else:
        grad_outputs = as_tuple(grad_outputs)
    n_outputs = len(grad_outputs)
    diff_args = {k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad}
    diff_grads = {k for k, g in enumerate(grad_outputs) if g.requires_grad}

    def first_derivatives(*args):
        args_in = tuple(
            x.requires_grad_() if k in diff_args else x for k, x in enumerate(args[:-n_outputs])
        )
        outs = differentiable_outputs(func(*args_in))
        grads_out = tuple(
            g.requires_grad_() if k in diff_grads else g for k, g in enumerate(args[-n_outputs:])
        )
        wrt = tuple(x for k, x in enumerate(args_in) if k in diff_args)
        grads = autograd_grad(outs, wrt, grads_out, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad,
        check_grad_dtypes=check_grad_dtypes,
        check_batched_grad=check_batched_grad,
        fast_mode=fast_mode,
        check_forward_ad=check_fwd_over_rev,
        check_backward_ad=check_rev_over_rev,
        masked=masked,
    )


def _random_grad_output(output: Tensor, noncontiguous: bool) -> Tensor:
    dtype = output.dtype if output.dtype.is_floating_point else _dtype.float64
    shape = tuple(output.shape)
    noncontiguous = noncontiguous and output.numel() > 1
    with no_grad():
        if noncontiguous:
            wide = _creation.empty(shape[:-1] + (2 * shape[-1],), dtype=dtype).uniform_(-1, 1)
            g = wide[..., 1::2]
        else:
            g = _creation.empty(shape, dtype=dtype).uniform_(-1, 1)
    return g.requires_grad_()
