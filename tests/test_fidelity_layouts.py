"""Strides of copies of expanded, transposed and size-1-dim tensors, against PyTorch 2.13.

``.double()``/``.to()`` (``_to_copy``) lays its result out as ``empty_like`` with
preserve_format: a dense input keeps its strides (size-1 dims included), an
expanded one gets dense strides in its stride order, so that
``torch.tensor([[True, True]]).expand(2, -1, 2).double().view(4)`` works.
Pointwise results of those copies follow TensorIterator.
"""

from __future__ import annotations

import pytest
from _harness import Raised, run_both
from conftest import requires_torch

pytestmark = requires_torch

SHAPES = [(1, 3), (3, 1), (1, 1), (2, 1, 3), (1,), (2, 3)]


def _layout(t):
    return [tuple(t.shape), t.stride(), t.is_contiguous(), t]


MAKERS = {
    "plain": lambda T, s: T.ones(s),
    "transposed": lambda T, s: T.ones(s).permute(*reversed(range(len(s)))),
    "expanded": lambda T, s: T.ones(s).unsqueeze(0).expand(2, *s),
    "sliced": lambda T, s: T.ones(s)[..., ::2],
    "bool_expanded": lambda T, s: (T.ones(s) > 0).unsqueeze(0).expand(2, *s),
}

OPS = {
    "double": lambda T, x: x.double(),
    "float": lambda T, x: x.float(),
    "long": lambda T, x: x.long(),
    "to_f64": lambda T, x: x.to(T.float64),
    "clone": lambda T, x: x.clone(),
    "contiguous": lambda T, x: x.contiguous(),
    "double_add": lambda T, x: x.double() + 1,
    "double_neg": lambda T, x: -x.double(),
    "double_mul": lambda T, x: x.double() * x.double(),
    "double_view": lambda T, x: x.double().view(-1),
    "zeros_like": lambda T, x: T.zeros_like(x),
}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("make", list(MAKERS))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_copy_layouts(shape, make, op):
    def program(T):
        x = MAKERS[make](T, shape)
        try:
            return _layout(OPS[op](T, x))
        except RuntimeError as error:
            return Raised(error)

    run_both(program)


def test_issue_reproducer():
    run_both(lambda T: _layout(T.tensor([[True, True]]).expand(2, -1, 2).double().view(4)))
