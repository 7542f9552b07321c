"""In-place odds and ends: ``torch.relu_`` and the other ``torch.<op>_`` functions,
``Tensor.logical_<op>_``, ``Tensor.fill_diagonal_`` and ``torch.result_type``."""

from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor
from ._api import FUNCTIONS, make_inplace, public
from ._registry import REGISTRY

__all__ = ["result_type"]

# PyTorch exposes these in-place ops as top-level functions too (``torch.relu_(x)``):
# each is the Tensor method of the same name, installed wherever mutograd has it.
_TOP_LEVEL_INPLACE = (
    "abs_ acos_ acosh_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_ "
    "atanh_ ceil_ celu_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ detach_ "
    "dropout_ erf_ erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ index_put_ log10_ log1p_ "
    "log2_ log_ logit_ nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ relu_ round_ rsqrt_ "
    "selu_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ threshold_ trunc_ xlogy_ zero_"
).split()


def _top_level(name: str):
    method = getattr(Tensor, name)

    def function(input, *args, **kwargs):
        return method(input, *args, **kwargs)

    function.__name__ = function.__qualname__ = name
    return function


for _name in _TOP_LEVEL_INPLACE:
    if _name not in FUNCTIONS and hasattr(Tensor, _name):
        public(_top_level(_name))


# Tensor.logical_and_ and friends: the logical rows written into self (self keeps its dtype,
# the result cast to it, as PyTorch's logical_*_ kernels do).
for _name in ("logical_and", "logical_or", "logical_xor", "logical_not"):
    setattr(Tensor, _name + "_", make_inplace(REGISTRY[_name], _name + "_", pointwise=True))


def fill_diagonal_(self, fill_value, wrap=False):
    """Write ``fill_value`` on the main diagonal, in place (PyTorch's fill_diagonal_)."""
    n = self.dim()
    if n < 2:
        raise RuntimeError("dimensions must larger than 1")
    if n > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    if n > 2:
        # Every dim equal: the diagonal of the first two dims, repeated down the others.
        size = self.shape[0]
        stride = sum(self.stride())
        self.as_strided((size,), (stride,), self.storage_offset()).fill_(fill_value)
        return self
    rows, cols = self.shape
    if rows <= cols or not wrap:
        self.diagonal().fill_(fill_value)
        return self
    # wrap=True on a tall matrix: the diagonal starts again every cols + 1 rows.
    for start in range(0, rows, cols + 1):
        self[start : start + cols].diagonal().fill_(fill_value)
    return self


Tensor.fill_diagonal_ = fill_diagonal_


@public
def result_type(tensor1, tensor2):
    """The dtype an op on both operands computes in (PyTorch's type promotion)."""
    dims, zeros, scalars = [], [], []
    for x in (tensor1, tensor2):
        if isinstance(x, Tensor):
            (dims if x.dim() else zeros).append(x.dtype)
        elif isinstance(x, (bool, int, float, complex)):
            scalars.append(x)
        else:
            raise TypeError(
                "result_type() received an invalid combination of arguments - got "
                f"({type(tensor1).__name__}, {type(tensor2).__name__})"
            )
    return _dtype.result_type_from(dims, zeros, scalars)
