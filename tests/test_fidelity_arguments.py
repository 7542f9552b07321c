"""A Python number where an op with no Scalar overload wants a Tensor is PyTorch's
argument-parser TypeError, raised before any other check (cases found by the differential
program fuzzer)."""

from __future__ import annotations

import pytest
from _side_by_side import check_same

SETUP = (
    "x = torch.ones(2)\nw = torch.tensor([1.5, -2.0], requires_grad=True)\ni = torch.tensor([0])\n"
)

CASES = [
    "r = x.clone(); r.atan2_(1.0)", "r = w.atan2_(-0.07)", "r = x.atan2(1.0)",
    "r = torch.atan2(x, 1.0)", "r = torch.atan2(x, x)", "r = x.clone(); r.atan2_(x)",
    "r = x.clone(); r.masked_scatter_(x > 0, 1.0)",
    "r = x.clone(); r.index_put_((i,), 1.88)", "r = w.index_put_((i,), 1.88, accumulate=True)",
    "r = torch.index_put(x, (i,), 1.0)", "r = x.clone(); r.index_put_((i,), torch.tensor(3.0))",
    "r = x.clone(); r.index_copy_(0, i, 1.0)", "r = x.clone(); r.index_add_(0, i, 1.0)",
    "r = x.clone(); r.scatter_add_(0, i, 1.0)",
    "r = x.clone(); r.scatter_reduce_(0, i, 1.0, 'sum')", "r = x.clone(); r[i] = 4.0",
]  # fmt: skip


@pytest.mark.parametrize("program", CASES)
def test_number_for_tensor_argument(torch, program):
    check_same(torch, SETUP + program)


EMPTY_DIM_CASES = [
    "r = torch.zeros((1, 0))[..., torch.tensor([0])]", "r = torch.zeros((0,))[torch.tensor([1])]",
    "r = torch.zeros((2,))[torch.tensor([5])]", "r = torch.zeros((0,))[[0]]",
    "r = torch.zeros((3, 0))[torch.tensor([0]), torch.tensor([1])]",
    "r = torch.zeros((0,)).index_put_((torch.tensor([0]),), torch.tensor(1.0))",
    "r = torch.zeros((1, 0)); r[..., torch.tensor([0])] = torch.zeros((1, 0))",
    "r = torch.zeros((0,)); r[torch.tensor([0, 0, 0])] = torch.ones((0,))",
    "r = torch.zeros((0,))[0]",
    "r = torch.tensor(1.0).index_put_((torch.tensor([0, 0]),), torch.tensor(False))",
    "r = torch.ones(2).index_put_((torch.tensor([0]), torch.tensor([0])), torch.tensor(1.0))",
]  # fmt: skip


@pytest.mark.parametrize("program", EMPTY_DIM_CASES)
def test_index_into_empty_dim(torch, program):
    check_same(torch, program)
