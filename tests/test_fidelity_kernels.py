"""Which dtypes an arithmetic kernel takes (PyTorch has no bool remainder, floor_divide,
fmod, addcmul or integer lerp/addcdiv; bool ** bool stays bool), in place and out of place,
side by side with torch (cases found by the differential program fuzzer)."""

from __future__ import annotations

import pytest
from _side_by_side import check_same

SETUP = "T = torch.tensor\ndef B():\n    return torch.tensor([True, False])\n"

CASES = [
    "r = B() % B()", "r = B() % True", "r = torch.remainder(B(), B())", "r = B(); r %= B()",
    "r = B(); r %= T(False)", "r = B(); r.remainder_(True)", "r = B() // B()",
    "r = B(); r //= B()", "r = B(); r.floor_divide_(T(True))", "r = torch.fmod(B(), B())",
    "r = B(); r.fmod_(B())", "r = B(); r.fmod_(True)", "r = torch.div(B(), B(), rounding_mode='trunc')",
    "r = B() ** B()", "r = B() ** False", "r = B(); r **= False", "r = B(); r.pow_(True)",
    "r = B(); r.pow_(B())", "r = torch.pow(True, B())", "r = torch.pow(B(), 2)", "r = B(); r.pow_(2)",
    "r = T([2]); r.pow_(2.5)", "r = T([2.]); r.pow_(2)", "r = T([2]); r **= 2",
    "r = B(); r.addcmul_(B(), B(), value=True)", "r = torch.addcmul(B(), B(), B())",
    "r = T([1.]).addcmul(T([True]), T([True]))", "r = T([True]).addcmul(T([True]), T([1]))",
    "r = T([2, 3]); r.addcmul_(T([1]), T(0), value=-1.11)", "r = T([1]).addcmul(T([1]), T([2]), value=1.5)",
    "r = B(); r.addcdiv_(B(), B())", "r = torch.addcdiv(B(), B(), B())",
    "r = T([2, 3]); r.addcdiv_(T([1, 1]), T([1, 2]))", "r = T([1.]).addcdiv(T([1]), T([2]))",
    "r = T([1]).addcdiv(T([1]), T([2.]))",
    "r = B(); r.lerp_(T(False), False)", "r = B(); r.lerp_(B(), 0.5)", "r = T([1]); r.lerp_(r, 2)",
    "r = torch.zeros((0, 1)); r.lerp_(torch.ones((0, 1), dtype=torch.bool), -0.43)",
    "r = T([1.]).lerp(T([1.], dtype=torch.float64), 0.5)", "r = T([1.]).lerp(T([1.]), T([1.], dtype=torch.float64))",
    "r = T([1]).lerp(T([1]), T([0.5]))", "r = T([1., 3.]).lerp(T([2., 2.]), 0.25)",
    "r = B(); r.square_()", "r = B().square()", "r = T([4, 6]); r //= T([0, 4])",
    "r = T([4, 6]); r %= T([0, 4])",
    "r = torch.zeros((0, 2), dtype=torch.int64); r //= T(0)", "r = torch.zeros((0,), dtype=torch.int64) % 0",
    "r = T([3]) % torch.zeros(0, dtype=torch.long)", "r = T([3]) // 0",
]  # fmt: skip


@pytest.mark.parametrize("program", CASES)
def test_kernel_dtypes(torch, program):
    check_same(torch, SETUP + program)
