"""clamp_min/clamp_max with a Tensor bound (PyTorch's clamp_min.Tensor / clamp_max.Tensor
rows, which have a bool kernel and promote dtypes), side by side with torch (cases found by
the differential program fuzzer)."""

from __future__ import annotations

import pytest
from _side_by_side import check_same

SETUP = (
    "T = torch.tensor\n"
    "def B():\n"
    "    return torch.tensor([True, False])\n"
    "w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)\n"
)

CASES = [
    "r = B().clamp_max_(T(False))", "r = B().clamp_min_(T([True, False]))",
    "r = B().clamp_(max=torch.ones(2, dtype=torch.bool))", "r = B().clamp_(min=T(True), max=T(False))",
    "r = B().clamp(max=T(False))", "r = B().clamp_min(T(True))", "r = B().clamp_max(True)",
    "r = B().clamp_min(True)", "r = B().clamp(True, False)", "r = B().clamp_(True)",
    "r = torch.clamp(B(), T(False), T(True))", "r = B().clamp_min_(T([-2, -1]))",
    "r = B().clamp_min(T([-2, -1]))", "r = torch.clamp_min(B(), T(True))",
    "r = B().clamp_max_(T(False, dtype=torch.float32))", "r = T(True).clamp_max_(T(True))",
    "r = torch.arange(3).clamp_min(T([0.5]))", "r = torch.clamp_max(torch.arange(3), T(1))",
    "r = w.clamp_min(T([0.0, 0.0, 3.0])); r.sum().backward(); g = w.grad",
    "r = w.clamp_max(T(0.7, dtype=torch.float64)); r.sum().backward(); g = w.grad",
    "b = T(0.7, requires_grad=True); r = w.clamp_max(b); r.sum().backward(); g = b.grad",
    "r = w * 1; r.clamp_max_(r.detach() * 0 + 1.0); r.sum().backward(); g = w.grad",
    "r = torch.ones(3); r.clamp_min_(w)", "r = torch.ones(2); torch.clamp_min(T([0., 3.]), T(1.), out=r)",
]  # fmt: skip


@pytest.mark.parametrize("program", CASES)
def test_clamp_with_tensor_bound(torch, program):
    check_same(torch, SETUP + program, names=("r", "g"))
