"""PyTorch's errors, never an internal one, on bad input, against PyTorch 2.13.

Shape errors of the index/scatter family (never NumPy's broadcasting error),
as_strided outside its storage (never a read past the buffer), backward from a
view made under no_grad (never an AttributeError), index_put_ with too many
indices; each leaves the tensor untouched.
"""

from __future__ import annotations

import pytest
from _harness import Raised, run_both
from conftest import requires_torch

pytestmark = requires_torch


def _d(T):
    return T.zeros(3, 4)


CASES = {
    "index_add_count": lambda T, d: d.index_add_(0, T.tensor([1]), T.ones(2, 4)),
    "index_add_slice": lambda T, d: d.index_add_(0, T.tensor([1]), T.ones(1, 3)),
    "index_add_more_indices": lambda T, d: d.index_add_(0, T.tensor([1, 2]), T.ones(1, 4)),
    "index_add_dim": lambda T, d: d.index_add_(1, T.tensor([1]), T.ones(3)),
    "index_add_2d_index": lambda T, d: d.index_add_(0, T.tensor([[1]]), T.ones(1, 4)),
    "index_add_0d_source": lambda T, d: d.index_add_(1, T.tensor([1]), T.tensor(1.0)),
    "index_add_into_0d": lambda T, d: T.zeros(()).index_add_(0, T.tensor([0]), T.ones(1)),
    "index_add_1d_0d_source": lambda T, d: T.zeros(3).index_add_(0, T.tensor([1]), T.tensor(1.0)),
    "index_add_out_of_place": lambda T, d: T.index_add(d, 0, T.tensor([1]), T.ones(2, 4)),
    "index_copy_count": lambda T, d: d.index_copy_(0, T.tensor([1]), T.ones(2, 4)),
    "index_copy_slice": lambda T, d: d.index_copy_(0, T.tensor([1]), T.ones(1, 3)),
    "index_copy_dims": lambda T, d: d.index_copy_(0, T.tensor([1, 2]), T.ones(4)),
    "index_copy_2d_index": lambda T, d: d.index_copy_(0, T.tensor([[1]]), T.ones(1, 4)),
    "index_copy_0d_source": lambda T, d: d.index_copy_(1, T.tensor([1]), T.tensor(1.0)),
    "index_copy_0d_source_two": lambda T, d: d.index_copy_(1, T.tensor([1, 2]), T.tensor(1.0)),
    "index_copy_into_0d": lambda T, d: T.zeros(()).index_copy_(0, T.tensor([0]), T.ones(1)),
    "index_copy_3d": lambda T, d: T.zeros(2, 3, 4).index_copy_(1, T.tensor([1]), T.ones(2, 1, 5)),
    "index_fill_2d_index": lambda T, d: d.index_fill_(0, T.tensor([[1]]), 1.0),
    "scatter_index_wide": lambda T, d: d.scatter_(0, T.tensor([[1, 2, 0, 1, 2]]), T.ones(1, 5)),
    "scatter_src_small": lambda T, d: d.scatter_(0, T.tensor([[1, 2]]), T.ones(1, 1)),
    "scatter_add_dims": lambda T, d: d.scatter_add_(0, T.tensor([1, 2]), T.ones(2)),
    "scatter_src_dims": lambda T, d: d.scatter_(0, T.tensor([[1, 2]]), T.ones(2)),
    "scatter_value_wide": lambda T, d: d.scatter_(0, T.tensor([[1, 2, 0, 1, 2]]), 1.5),
    "scatter_empty_index": lambda T, d: d.scatter_(0, T.zeros(0, dtype=T.int64), 1.5),
    "gather_wide": lambda T, d: d.gather(0, T.tensor([[1, 2, 0, 1, 2]])),
    "gather_dims": lambda T, d: d.gather(0, T.tensor([1, 2])),
    "index_put_too_many": lambda T, d: d.index_put_(
        (T.tensor([1]), T.tensor([1]), T.tensor([1])), T.tensor(1.0)
    ),
    "setitem_too_many": lambda T, d: d.__setitem__((T.tensor([1]), 1, T.tensor([1])), 1.0),
    "as_strided_past_end": lambda T, d: d.as_strided((10, 10), (1, 1)),
    "as_strided_offset": lambda T, d: d.as_strided((2, 2), (1, 1), 11),
    "as_strided_view_past_end": lambda T, d: d[1:].as_strided((5,), (2,)),
    "as_strided_empty": lambda T, d: d.as_strided((0, 2), (1, 1), 100),
    "as_strided_negative_stride": lambda T, d: d.as_strided((2,), (-1,)),
    "as_strided_negative_offset": lambda T, d: d.as_strided((2,), (1,), -1),
    "as_strided_negative_size": lambda T, d: d.as_strided((-1,), (1,)),
    "as_strided_lengths": lambda T, d: d.as_strided((2,), (1, 1)),
    "as_strided_inplace": lambda T, d: d.as_strided_((13,), (1,)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_raises_pytorchs_error(case):
    def program(T):
        d = _d(T)
        try:
            result = CASES[case](T, d)
        except Exception as error:  # noqa: BLE001 - the error is the result under test
            return [Raised(error), d, d._version]
        return [result, d, d._version]

    run_both(program)


@pytest.mark.parametrize("how", ["select", "view", "alias", "detach_view"])
def test_backward_from_a_view_made_under_no_grad(how):
    def program(T):
        a = T.ones(3, requires_grad=True)
        with T.no_grad():
            x = {
                "select": lambda: a[:2],
                "view": lambda: a.view(3),
                "alias": lambda: a[...],
                "detach_view": lambda: a.detach()[:2],
            }[how]()
        state = [x.requires_grad, x.is_leaf, type(x.grad_fn).__name__]
        try:
            x.backward(T.ones_like(x))
        except RuntimeError as error:
            return state + [Raised(error)]
        return state + [a.grad]

    run_both(program)
