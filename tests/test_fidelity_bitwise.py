"""Bitwise in-place ops and operators on float tensors that require grad: PyTorch checks the
write into a leaf before finding no float kernel (cases found by the differential program
fuzzer)."""

from __future__ import annotations

import pytest
from _side_by_side import check_same

SETUP = "def leaf():\n    return torch.tensor([1.5, 2.0], requires_grad=True)\n"

CASES = [
    "x = leaf(); x |= 1.85", "x = leaf(); x ^= torch.tensor([-1, -2])",
    "x = leaf(); x &= torch.tensor([True, False])", "x = leaf(); x.bitwise_or_(torch.ones(2))",
    "x = leaf(); x.bitwise_and_(x)", "x = leaf(); x.bitwise_not_()",
    "x = leaf(); x.bitwise_xor_(torch.tensor(2.42))", "x = leaf() * 1; x |= 1",
    "x = leaf()[0]; x ^= 1", "x = leaf(); y = x.detach(); y |= 1",
    "r = torch.tensor([1, 2]); r |= 1", "r = torch.tensor([1, 2]); r |= leaf()",
    "r = torch.tensor([True]); r &= leaf()[:1]",
    "x = leaf()\nwith torch.no_grad():\n    x |= 1",
    "r = torch.tensor([5, 6]); r.bitwise_and_(torch.tensor([3, 3])); r ^= 1",
]  # fmt: skip


@pytest.mark.parametrize("program", CASES)
def test_bitwise_write(torch, program):
    check_same(torch, SETUP + program)
