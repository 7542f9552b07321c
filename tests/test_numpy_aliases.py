"""PyTorch's NumPy-style keyword aliases (``keepdims=``, ``axis=``, ``x=``, ``x1=``/``x2=``),
side by side with torch."""

from __future__ import annotations

import pytest
from _side_by_side import check_same

SETUP = "x = torch.arange(6.).reshape(2, 3)\n"

REDUCTIONS = ["sum", "mean", "amax", "amin", "all", "any", "std", "var", "prod", "logsumexp",
              "argmax", "argmin"]  # fmt: skip
KEYWORDS = ["axis=1", "dim=1, keepdims=True", "axis=1, keepdims=True", "axis=-1, keepdim=True",
            "axis=1, dim=1", "dim=1, keepdim=True, keepdims=True"]  # fmt: skip


@pytest.mark.parametrize("keywords", KEYWORDS)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_aliases(torch, name, keywords):
    # NB: both spellings given: PyTorch's message for its overloaded reductions is its
    # "invalid combination of arguments" listing, which mutograd does not reproduce.
    both = ("dim=1" in keywords and "axis" in keywords) or keywords.count("keepdim") == 2
    check_same(torch, SETUP + f"r = torch.{name}(x, {keywords})", message=not both)
    check_same(torch, SETUP + f"r = x.{name}({keywords})", message=not both)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("keywords", KEYWORDS[:4])
def test_max_min_aliases(torch, name, keywords):
    check_same(torch, SETUP + f"r = tuple(torch.{name}(x, {keywords}))")
    check_same(torch, SETUP + f"r = tuple(x.{name}({keywords}))")


@pytest.mark.parametrize(
    "call",
    [
        "torch.softmax(x, axis=1)", "x.log_softmax(axis=0)", "torch.cumsum(x, axis=1)",
        "torch.unsqueeze(x, axis=0)", "x.squeeze(axis=0)", "torch.cat([x, x], axis=1)",
        "torch.cumsum(x, axis=1, keepdims=True)", "torch.softmax(x, axis=1, keepdims=True)",
        "torch.norm(x, axis=1)",
    ],
)  # fmt: skip
def test_dim_aliases_elsewhere(torch, call):
    check_same(torch, SETUP + f"r = {call}")


@pytest.mark.parametrize(
    "call",
    [
        "torch.add(x=x, other=x)", "torch.add(a=x, other=x)", "torch.add(x1=x, other=x)",
        "torch.add(input=x, x2=x)", "torch.mul(x1=x, x2=x)", "torch.sub(x1=x, x2=x, alpha=2)",
        "torch.exp(x=x)", "torch.exp(a=x)", "torch.sum(x=x, axis=0)", "torch.maximum(x1=x, x2=x)",
        "torch.where(x > 1, x=x, other=x)", "x.add(x2=x)", "x.clone().mul_(x2=x)",
        "torch.add(x, x2=x, other=x)",
    ],
)  # fmt: skip
def test_input_and_other_aliases(torch, call):
    check_same(torch, SETUP + f"r = {call}")
