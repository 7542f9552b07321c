"""Strides of tensors with no elements: gradients accumulated into a leaf and out= results
resized to an empty shape have PyTorch's contiguous strides, not NumPy's zero strides
(cases found by the differential program fuzzer)."""

from __future__ import annotations

import pytest
from _side_by_side import check_same

CASES = [
    "w = torch.ones((0,), dtype=torch.float64, requires_grad=True); w.sum().backward(); r = w.grad",
    "w = torch.zeros((2, 0), requires_grad=True); w.backward(torch.ones_like(w)); r = w.grad",
    "w = torch.zeros((0, 3, 1), requires_grad=True); (w * 2).sum().backward(); r = w.grad",
    "w = torch.zeros((3, 0), requires_grad=True); (w.t() * torch.ones(1)).sum().backward(); r = w.grad",
    "r = torch.tensor([-0.14, -1.83, 0.69]); torch.add(torch.zeros((0,), dtype=torch.bool), True, out=r)",
    "r = torch.tensor([-0.53, 0.46, 2.22]); torch.exp(torch.zeros((0, 2, 1), dtype=torch.int64), out=r)",
    "r = torch.ones(2, 2); torch.mul(torch.ones(0, 2), 2, out=r)",
]  # fmt: skip


@pytest.mark.parametrize("program", CASES)
def test_empty_strides(torch, program):
    check_same(torch, program)
