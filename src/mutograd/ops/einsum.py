"""``movedim``/``moveaxis`` and ``einsum``, composites of table ops.

``einsum`` follows PyTorch's plan (sumproduct_pair): diagonals for repeated
subscripts, sums for subscripts used by one operand only, then operands
contracted left to right with ``bmm`` (or multiplied, with no subscript to
contract), so autograd (and double backward) comes from the ops it is made of.
"""

from __future__ import annotations

import string

from .._tensor import Tensor, _wrap_dim
from ._api import method, public

__all__ = ["movedim", "einsum"]


def _dims(value, ndim):
    items = (value,) if isinstance(value, int) else tuple(value)
    return [_wrap_dim(d, ndim) for d in items]


@public
def movedim(input, source, destination):
    ndim = input.dim()
    if isinstance(source, int) != isinstance(destination, int):
        got = ", ".join(type(x).__name__ for x in (input, source, destination))
        raise TypeError(
            f"movedim() received an invalid combination of arguments - got ({got}), but "
            "expected one of:\n * (Tensor input, int source, int destination)\n"
            " * (Tensor input, tuple of ints source, tuple of ints destination)\n"
        )
    src, dst = _dims(source, ndim), _dims(destination, ndim)
    if len(src) != len(dst):
        raise RuntimeError(
            "movedim: Invalid source or destination dims: source "
            f"({list(source) if not isinstance(source, int) else [source]} dims) should contain "
            "the same number of dims as destination "
            f"({list(destination) if not isinstance(destination, int) else [destination]} dims)"
        )
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(source)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(destination)})")
    order = [None] * ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(ndim) if d not in src)
    order = [next(rest) if o is None else o for o in order]
    return input.permute(order)


@public
def moveaxis(input, source, destination):
    return movedim(input, source, destination)


method(movedim)
method(moveaxis)


# --- einsum ------------------------------------------------------------------------------------


def _parse(equation: str, operands) -> tuple[list, str]:
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(
            "einsum(): more operands were provided than specified in the equation"
            if len(operands) > len(terms)
            else "einsum(): fewer operands were provided than specified in the equation"
        )
    used = set(equation) - set(".,->")
    spare = [c for c in string.ascii_letters if c not in used]
    ellipsis_dims = 0
    for term, op in zip(terms, operands):
        if "..." in term:
            ellipsis_dims = max(ellipsis_dims, op.dim() - (len(term) - 3))
    fill = "".join(spare[:ellipsis_dims])
    subscripts = []
    for term, op in zip(terms, operands):
        if "..." in term:
            n = op.dim() - (len(term) - 3)
            term = term.replace("...", fill[ellipsis_dims - n :])
        for c in term:
            if not c.isalpha():
                raise ValueError(
                    "einsum(): invalid subscript given at index "
                    f"{equation.index(c)} in the equation string, subscripts must be in [a-zA-Z]"
                )
        if len(term) != op.dim():
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(term)}) does not "
                f"match the number of dimensions ({op.dim()}) for operand "
                f"{list(operands).index(op)} and no ellipsis was given"
            )
        subscripts.append(term)
    if arrow:
        output = rhs.replace("...", fill)
    else:
        counts = {}
        for term in subscripts:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        output = fill + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in fill))
    return subscripts, output


def _diagonals(t: Tensor, term: str) -> tuple[Tensor, str]:
    """Repeated subscripts (``ii``) taken as diagonals, moved to the end as PyTorch does."""
    while True:
        for k, c in enumerate(term):
            j = term.find(c, k + 1)
            if j != -1:
                t = t.diagonal(0, k, j)
                term = term[:k] + term[k + 1 : j] + term[j + 1 :] + c
                break
        else:
            return t, term


def _sum_out(t: Tensor, term: str, keep: set) -> tuple[Tensor, str]:
    dims = [k for k, c in enumerate(term) if c not in keep]
    if not dims:
        return t, term
    return t.sum(dims), "".join(c for c in term if c in keep)


def _pair(a: Tensor, la: str, b: Tensor, lb: str, keep: set) -> tuple[Tensor, str]:
    a, la = _sum_out(a, la, keep | set(lb))
    b, lb = _sum_out(b, lb, keep | set(la))
    size = {}
    for t, term in ((a, la), (b, lb)):
        for c, n in zip(term, t.shape):
            size[c] = max(size.get(c, 1), n)
    batch = [c for c in la if c in lb and c in keep]
    contract = [c for c in la if c in lb and c not in keep]
    a_only = [c for c in la if c not in lb]
    b_only = [c for c in lb if c not in la]
    if not contract:
        # Nothing to sum over: a broadcast product (PyTorch: MulBackward0).
        letters = batch + a_only + b_only
        return _aligned(a, la, letters) * _aligned(b, lb, letters), "".join(letters)
    a = a.expand(*[size[c] for c in la]) if a.dim() else a
    b = b.expand(*[size[c] for c in lb]) if b.dim() else b
    a = a.permute([la.index(c) for c in batch + a_only + contract])
    b = b.permute([lb.index(c) for c in batch + contract + b_only])

    def prod(cs):
        n = 1
        for c in cs:
            n *= size[c]
        return n

    nb, m, k, n = prod(batch), prod(a_only), prod(contract), prod(b_only)
    out = a.reshape(nb, m, k).bmm(b.reshape(nb, k, n))
    letters = batch + a_only + b_only
    return out.view([size[c] for c in letters]), "".join(letters)


def _aligned(t: Tensor, term: str, letters: list) -> Tensor:
    """``t`` permuted into ``letters``' order with size-1 dims where it lacks a letter."""
    present = [c for c in letters if c in term]
    if list(term) != present:
        t = t.permute([term.index(c) for c in present])
    shape = [t.shape[present.index(c)] if c in present else 1 for c in letters]
    return t.reshape(shape) if list(t.shape) != shape else t


@public
def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    subscripts, output = _parse(equation, operands)
    terms = []
    for t, term in zip(operands, subscripts):
        t, term = _diagonals(t, term)
        terms.append((t, term))
    keep_final = set(output)
    t, term = terms[0]
    if len(terms) == 1:
        summed, term = _sum_out(t, term, keep_final)
        if summed is t:
            # PyTorch ends a one-operand einsum with a permute, even the identity one.
            return t.permute([term.index(c) for c in output])
        t = summed
    for k in range(1, len(terms)):
        later = set("".join(s for _, s in terms[k + 1 :]))
        b, lb = terms[k]
        t, term = _pair(t, term, b, lb, keep_final | later)
    if term != output:
        t = t.permute([term.index(c) for c in output])
    return t
