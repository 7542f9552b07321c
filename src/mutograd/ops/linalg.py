"""Matrix products: mm, bmm, mv, dot, addmm, and matmul composed from them as PyTorch does."""

from __future__ import annotations

import numpy as np

from .._dispatch import call
from ._api import method, public
from ._registry import PROMOTE, defop


def _shapes(a, b) -> str:
    return f"{a.shape[0]}x{a.shape[1]} and {b.shape[0]}x{b.shape[1]}"


def _addmm(self, mat1, mat2, beta=1, alpha=1):
    product = np.matmul(mat1, mat2)
    if alpha != 1:
        product *= alpha
    if beta == 0:
        return product
    return np.add(product, self if beta == 1 else self * beta, out=product)


mm_op = defop(
    "mm(Tensor self, Tensor mat2) -> Tensor", forward=np.matmul, node="MmBackward0", dtype=PROMOTE,
    self=lambda grad, mat2: grad.mm(mat2.t()),
    mat2=lambda grad, self: self.t().mm(grad),
)
bmm_op = defop(
    "bmm(Tensor self, Tensor mat2) -> Tensor", forward=np.matmul, node="BmmBackward0", dtype=PROMOTE,
    self=lambda grad, mat2: grad.bmm(mat2.transpose(1, 2)),
    mat2=lambda grad, self: self.transpose(1, 2).bmm(grad),
)
mv_op = defop(
    "mv(Tensor self, Tensor vec) -> Tensor", forward=np.matmul, node="MvBackward0", dtype=PROMOTE,
    self=lambda grad, vec: grad.unsqueeze(1) * vec,
    vec=lambda grad, self: self.t().mv(grad),
)
dot_op = defop(
    "dot(Tensor self, Tensor tensor) -> Tensor", forward=np.dot, node="DotBackward0", dtype=PROMOTE,
    self=lambda grad, tensor: grad * tensor,
    tensor=lambda grad, self: grad * self,
)
addmm_op = defop(
    "addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1) -> Tensor",
    forward=_addmm, node="AddmmBackward0", dtype=PROMOTE,
    self=lambda grad, beta: grad if beta == 1 else grad * beta,
    mat1=lambda grad, mat2, alpha: grad.mm(mat2.t()) if alpha == 1 else grad.mm(mat2.t()) * alpha,
    mat2=lambda grad, mat1, alpha: mat1.t().mm(grad) if alpha == 1 else mat1.t().mm(grad) * alpha,
)


def _check_dtypes(a, b, name):
    if a.dtype is not b.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_c(a.dtype)} != {_c(b.dtype)}"
            if name == "mm"
            else f"expected scalar type {_s(a.dtype)} but found {_s(b.dtype)}"
        )


def _c(d):
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int"}.get(d._name, d._name)


def _s(d):
    from .._dtype import scalar_type_name

    return scalar_type_name(d)


@public
def mm(input, mat2):
    if input.dim() != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.dim() != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shapes(input, mat2)})")
    _check_dtypes(input, mat2, "mm")
    return call(mm_op, (input, mat2))


@public
def bmm(input, mat2):
    if input.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.dim() != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
        )
    _check_dtypes(input, mat2, "bmm")
    return call(bmm_op, (input, mat2))


@public
def mv(input, vec):
    if input.dim() != 2 or vec.dim() != 1 or input.shape[1] != vec.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]}), "
            f"vec ({vec.shape[0]})"
        )
    _check_dtypes(input, vec, "mv")
    return call(mv_op, (input, vec))


@public
def dot(input, tensor):
    if input.dim() != 1 or tensor.dim() != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.dim()}D and {tensor.dim()}D tensors"
        )
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(
            "inconsistent tensor size, expected tensor [" + str(input.shape[0]) + "] and src ["
            + str(tensor.shape[0]) + "] to have the same number of elements, but got "
            + str(input.shape[0]) + " and " + str(tensor.shape[0]) + " elements respectively"
        )
    _check_dtypes(input, tensor, "dot")
    return call(dot_op, (input, tensor))


@public
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shapes(mat1, mat2)})")
    return call(addmm_op, (input, mat1, mat2), {"beta": beta, "alpha": alpha})


@public
def matmul(input, other):
    """As PyTorch's matmul: dot, mv, mm, or a folded/batched mm by the operands' dims."""
    a, b = input.dim(), other.dim()
    if a == 0 or b == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a}D and {b}D"
        )
    if a == 1 and b == 1:
        return dot(input, other)
    if a == 2 and b == 1:
        return mv(input, other)
    if a == 1 and b == 2:
        return mm(input.unsqueeze(0), other).squeeze(0)
    if a == 2 and b == 2:
        return mm(input, other)
    if a >= 3 and b <= 2:
        # Fold the batch into the rows: one mm, as PyTorch does for Linear on 3-D input.
        other2 = other.unsqueeze(1) if b == 1 else other
        if input.shape[-1] != other2.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({input.numel() // input.shape[-1]}x"
                f"{input.shape[-1]} and {other2.shape[0]}x{other2.shape[1]})"
            )
        folded = input.reshape(-1, input.shape[-1]).mm(other2)
        out = folded.view(tuple(input.shape[:-1]) + (other2.shape[1],))
        return out.squeeze(-1) if b == 1 else out
    if a == 1:
        return matmul(input.unsqueeze(0), other).squeeze(-2)
    if b == 1:
        return matmul(input, other.unsqueeze(-1)).squeeze(-1)
    # Both batched: broadcast the batch dims, then bmm.
    batch = np.broadcast_shapes(tuple(input.shape[:-2]), tuple(other.shape[:-2]))
    n, k = input.shape[-2:]
    k2, m = other.shape[-2:]
    if k != k2:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{int(np.prod(batch))}, {k}] "
            f"but got: [{int(np.prod(batch))}, {k2}]."
        )
    left = input.expand(batch + (n, k)).reshape(-1, n, k)
    right = other.expand(batch + (k, m)).reshape(-1, k, m)
    return left.bmm(right).view(batch + (n, m))


for _fn in (mm, bmm, mv, dot, addmm, matmul):
    method(_fn)


def _rmatmul(self, other):
    return matmul(other, self)


from .._tensor import Tensor  # noqa: E402

Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = _rmatmul


@public
def outer(input, vec2):
    return input.unsqueeze(1) * vec2


method(outer)
