"""gather/scatter/scatter_add/scatter_reduce on 0-dim tensors and PyTorch's shape checks,
side by side with torch (cases found by the differential program fuzzer)."""

from __future__ import annotations

import pytest
from _side_by_side import check_same

SETUP = (
    "t = torch.tensor(1.5)\n"
    "m = torch.ones(2, 3)\n"
    "b = torch.tensor(True)\n"
    "i0 = torch.tensor(0)\n"
    "w = torch.tensor(2.5, requires_grad=True)\n"
    "L = torch.long\n"
)

CASES = [
    "r = t.clone().scatter_(0, i0, 0.4)", "r = t.clone().scatter_(-1, torch.tensor([0]), 2.)",
    "r = t.clone().scatter_(0, torch.tensor([0, 0]), 0.4)",
    "r = t.clone().scatter_(0, torch.tensor([0]), torch.tensor(3.))",
    "r = t.clone().scatter_add_(0, i0, torch.tensor(2.))",
    "r = t.clone().scatter_add_(0, torch.tensor([0, 0]), torch.tensor([1., 2.]))",
    "r = t.clone().scatter_add_(0, i0, torch.tensor([3., 4.]))",
    "r = t.clone().scatter_reduce_(0, i0, torch.tensor(3.), 'amax', include_self=False)",
    "r = t.clone().scatter_reduce_(0, torch.tensor([0, 0]), torch.tensor([1., 2.]), 'prod')",
    "r = t.clone().scatter_reduce_(0, i0, torch.tensor(3.), 'mean', include_self=True)",
    "r = b.clone().scatter_(0, i0, torch.tensor(False))",
    "r = b.clone().scatter_add_(0, i0, torch.tensor(True))",
    "r = torch.scatter(t, 0, i0, 2.)", "r = t.gather(0, i0)", "r = t.gather(0, torch.tensor([0, 0]))",
    "r = torch.ones(3).scatter_(0, i0, 5.)", "r = torch.ones(3).gather(0, torch.tensor(2))",
    "r = t.clone().scatter_(1, i0, 0.4)", "r = t.clone().scatter_(0, torch.tensor(1), 0.4)",
    "r = t.clone().scatter_(0, torch.tensor(-1), 0.4)",
    "r = t.gather(0, torch.zeros((1, 1), dtype=L))",
    "r = m.gather(0, torch.zeros((1,), dtype=L))",
    "r = m.gather(0, torch.zeros((1, 4), dtype=L))",
    "r = m.clone().scatter_(0, torch.zeros((1,), dtype=L), 1.)",
    "r = m.clone().scatter_add_(0, torch.zeros((1,), dtype=L), torch.ones(1))",
    "r = m.clone().scatter_reduce_(0, torch.zeros((1,), dtype=L), torch.ones(1), 'sum')",
    "r = m.clone().scatter_(0, torch.zeros((2, 4), dtype=L), torch.ones(2, 3))",
    "r = m.clone().scatter_(0, torch.zeros((2, 2), dtype=L), torch.ones(1, 3))",
    "r = m.clone().scatter_(0, torch.zeros((3, 2), dtype=L), 7.)",
    "r = m.clone().scatter_(0, torch.zeros((0,), dtype=L), 1.)",
    "r = torch.tensor([[True]]).scatter_reduce_(-1, torch.zeros((0, 1, 1), dtype=L), "
    "torch.tensor([[[False, False]]]), 'amax', include_self=False)",
    "r = torch.tensor([True, False]).scatter_reduce_(0, torch.tensor([1]), torch.tensor([True]), "
    "'amin', include_self=False)",
    # gradients through the 0-dim cases
    "r = w * 1; r.scatter_(0, i0, torch.tensor(3.)); g = torch.autograd.grad(r.sum(), w)",
    "r = torch.tensor(1.).scatter(0, i0, w * 2); r.backward(); g = w.grad",
    "r = w.gather(0, torch.tensor([0, 0])); r.sum().backward(); g = w.grad.tolist()",
    "r = (w * 1).scatter_add(0, i0, w); r.backward(); g = w.grad",
]  # fmt: skip


@pytest.mark.parametrize("program", CASES)
def test_scatter_gather(torch, program):
    check_same(torch, SETUP + program, names=("r", "g"))
