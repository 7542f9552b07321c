"""Memory overlap between the written tensor and the other operands, against PyTorch 2.13.

Index writes (index_put_/setitem, index_add_, index_copy_, index_fill_, scatter_,
scatter_add_, scatter_reduce_, masked_fill_, masked_scatter_) refuse a source,
index or mask that shares memory with the destination ("unsupported operation:
some elements of the input tensor and the written-to tensor refer to a single
memory location.") and write nothing; a 0-dim value that is an element of the
destination (``x.fill_(x[0])``) is read first and is fine.
"""

from __future__ import annotations

import pytest
from _harness import Raised, run_both
from conftest import requires_torch

pytestmark = requires_torch


def _floats(T):
    return T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def _ints(T):
    return T.tensor([[1, 0, 1], [0, 1, 0]])


WRITES = {
    # a source that is (part of) the destination
    "index_put_row": lambda T, x: x.index_put_((T.tensor([1]),), x[0]),
    "index_put_self": lambda T, x: x.index_put_((T.tensor([0, 1]),), x),
    "index_put_acc": lambda T, x: x.index_put_((T.tensor([1]),), x[0], accumulate=True),
    "setitem_list_row": lambda T, x: x.__setitem__([1], x[0]),
    "setitem_mask_row": lambda T, x: x.__setitem__(T.tensor([False, True]), x[0]),
    "setitem_long_0d": lambda T, x: x.__setitem__(T.tensor([1]), x[0, 0]),
    "setitem_int_0d": lambda T, x: x.__setitem__(1, x[0, 0]),
    "setitem_slice_row": lambda T, x: x.__setitem__(slice(1, 2), x[0]),
    "setitem_mask_0d": lambda T, x: x.__setitem__(x > 2, x[0, 0]),
    "index_add_row": lambda T, x: x.index_add_(0, T.tensor([1]), x[:1]),
    "index_add_self": lambda T, x: x.index_add_(0, T.tensor([1, 0]), x),
    "index_copy_row": lambda T, x: x.index_copy_(0, T.tensor([1]), x[:1]),
    "index_copy_self": lambda T, x: x.index_copy_(0, T.tensor([1, 0]), x),
    "index_fill_0d": lambda T, x: x.index_fill_(1, T.tensor([0]), x[0, 1]),
    "scatter_self": lambda T, x: x.scatter_(0, T.tensor([[1, 0, 1]]), x),
    "scatter_row": lambda T, x: x.scatter_(0, T.tensor([[1, 0, 1]]), x[1:]),
    "scatter_add_self": lambda T, x: x.scatter_add_(0, T.tensor([[1, 0, 1]]), x),
    "scatter_reduce_self": lambda T, x: x.scatter_reduce_(0, T.tensor([[1, 0, 1]]), x, "sum"),
    "masked_scatter_row": lambda T, x: x[1].masked_scatter_(x[1] > 4, x[0]),
    "index_put_mask_0d": lambda T, x: x.index_put_((x > 2,), x[0, 0]),
    "setitem_row_mask_0d": lambda T, x: x.__setitem__(x[:, 0] > 2, x[0, 0]),
    "masked_fill_0d": lambda T, x: x.masked_fill_(x > 2, x[0, 0]),
    "fill_0d": lambda T, x: x.fill_(x[1, 1]),
    "copy_self": lambda T, x: x.copy_(x),
    "copy_t": lambda T, x: x[:, :2].copy_(x[:, 1:]),
    "add_overlap": lambda T, x: x[:, :2].add_(x[:, 1:]),
}

INT_WRITES = {
    # an index or mask that is (part of) the destination
    "index_put_index_self": lambda T, x: x.index_put_((x[0],), T.tensor(5)),
    "setitem_index_self": lambda T, x: x.__setitem__(x[0], 5),
    "index_add_index_self": lambda T, x: x[0].index_add_(0, x[0], T.tensor([1, 1, 1])),
    "index_copy_index_self": lambda T, x: x[0].index_copy_(0, x[0], T.tensor([1, 1, 1])),
    "index_fill_index_self": lambda T, x: x[0].index_fill_(0, x[0], 7),
    "scatter_index_self": lambda T, x: x.scatter_(1, x, 7),
    "scatter_add_index_self": lambda T, x: x.scatter_add_(1, x, _ints(T)),
    "gather_out_self": lambda T, x: x[0].gather(0, x[0]),
}

BOOL_WRITES = {
    "setitem_mask_self": lambda T, m: m.__setitem__(m, False),
    "setitem_mask_view": lambda T, m: m[0].__setitem__(m[0], False),
    "masked_fill_mask_self": lambda T, m: m.masked_fill_(m, False),
    "index_put_mask_self": lambda T, m: m.index_put_((m,), T.tensor(False)),
    "masked_scatter_mask_self": lambda T, m: m.masked_scatter_(m, T.zeros(2, 3, dtype=T.bool)),
}


def _program(make, write):
    def program(T):
        x = make(T)
        try:
            write(T, x)
        except Exception as error:  # noqa: BLE001 - the error is the result under test
            return [Raised(error), x, x._version]
        return [x, x._version]

    return program


@pytest.mark.parametrize("write", list(WRITES))
def test_float_writes(write):
    run_both(_program(_floats, WRITES[write]))


@pytest.mark.parametrize("write", list(INT_WRITES))
def test_index_shares_memory_with_destination(write):
    run_both(_program(_ints, INT_WRITES[write]))


@pytest.mark.parametrize("write", list(BOOL_WRITES))
def test_mask_shares_memory_with_destination(write):
    run_both(
        _program(lambda T: T.tensor([[True, False, True], [False, True, True]]), BOOL_WRITES[write])
    )


# --- the two deliberate differences (README): checked on mutograd alone ---------------------


def test_a_failed_write_changes_nothing():
    import mutograd as T

    d = T.tensor([5, 7, 9])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        d.remainder_(T.tensor([2, 0, 3]))
    assert d.tolist() == [5, 7, 9] and d._version == 0


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (
            lambda x: x.__iadd__(x.diagonal()),
            [[0.0, 5.0, 10.0], [3.0, 8.0, 13.0], [6.0, 11.0, 16.0]],
        ),
        (
            lambda x: x[:2].masked_scatter_(x[:2] > 2, x[:2]),
            [[0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [6.0, 7.0, 8.0]],
        ),
    ],
    ids=["diagonal", "masked_scatter"],
)
def test_partly_overlapping_operands_are_read_before_the_write(write, expected):
    import mutograd as T

    x = T.arange(9.0).view(3, 3)
    write(x)
    assert x.tolist() == expected
