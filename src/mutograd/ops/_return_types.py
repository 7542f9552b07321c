"""``torch.return_types.max`` and friends: named tuples that print as PyTorch's."""

from __future__ import annotations

from collections import namedtuple


def return_type(name: str, fields: tuple = ("values", "indices")):
    base = namedtuple(name, fields)

    def __repr__(self) -> str:
        body = ",\n".join(f"{field}={value!r}" for field, value in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__})
    cls.__module__ = "torch.return_types"
    return cls


max = return_type("max")
min = return_type("min")
max_out = return_type("max_out")  # max(input, dim, out=(values, indices))
min_out = return_type("min_out")
sort = return_type("sort")
topk = return_type("topk")
kthvalue = return_type("kthvalue")
median = return_type("median")
mode = return_type("mode")
