"""Views of 0-dim and 1-dim tensors, and their errors, side by side with torch (cases found
by the differential program fuzzer)."""

from __future__ import annotations

import warnings

import pytest
from _side_by_side import check_same

SETUP = (
    "s = torch.tensor(1.5, requires_grad=True)\n"
    "v = torch.tensor([1., 2.])\n"
    "e = torch.zeros(0)\n"
    "b = torch.tensor(True)\n"
)

CASES = [
    "r = s.mT", "r = s.mH", "r = v.mT", "r = v.mH", "r = torch.ones(2, 3).mT",
    "r = (s.mT is s, s.mH is s)",
    "r = s.diagonal(0, 0, -1)", "r = v.diagonal(0, 0, 0)", "r = v.diagonal(0, -1, 0)",
    "r = s.chunk(3, 0)", "r = s.chunk(0)", "r = s.split(3, 0)", "r = s.split([1], 0)",
    "r = v.split(-1)", "r = s.narrow(-1, 1, 0)", "r = s.narrow(0, 0, 1)",
    "r = s.unbind(-1)", "r = s.unbind(0)", "r = b.unbind(3)",
    "r = s.expand()", "r = v.expand()", "r = e.expand()", "r = s.expand(())",
    "r = s.as_strided((3,), (1,), 0)", "r = v.as_strided((3,), (1,), 0)",
    "r = v.as_strided((2,), (1,), 1)", "r = v.as_strided((2, 2), (1, 1), 1)",
    "r = e.as_strided((1,), (1,), 0)", "r = s.as_strided((0,), (1,), 5)",
    "r = v.as_strided((2,), (0,), 1)", "r = s.detach().clone().as_strided_((2,), (1,), 0)",
    "r = b.clone(); r.transpose_(0, 0)", "r = s.detach().clone(); r.transpose_(0, -1)",
    "r = b.clone(); r.swapdims_(-1, 0)", "r = b.clone(); r.transpose_(1, 0)",
    "r = s.unflatten(0, (1,))",
]  # fmt: skip


@pytest.mark.parametrize("program", CASES)
def test_view_of_small_tensor(torch, program):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_same(torch, SETUP + program)


def test_mT_of_0_dim_warns_and_is_identity():
    import mutograd

    s = mutograd.tensor(2.0, requires_grad=True)
    with pytest.warns(UserWarning, match="Tensor.mT is deprecated on 0-D tensors"):
        assert s.mT is s
    with pytest.warns(UserWarning, match="Tensor.mH is deprecated on 0-D tensors"):
        assert s.mH is s


def test_as_strided_out_of_bounds_leaves_tensor_untouched():
    import mutograd

    t = mutograd.tensor(2.0)
    with pytest.raises(RuntimeError, match="out of bounds for storage of size 4"):
        t.as_strided_((2,), (1,), 0)
    assert t.shape == () and t.stride() == () and t._version == 0
