"""Matrix products: mm, bmm, mv, dot, addmm, and matmul composed from them as PyTorch does."""

from __future__ import annotations

import numpy as np

from .._dispatch import call
from .._inplace import apply_out
from .._tensor import Tensor
from ..autograd.grad_mode import GradMode, no_grad
from ._api import method, public
from ._registry import PROMOTE, REGISTRY, defop
from .views import unsafe_view


def _shapes(a, b) -> str:
    return f"{a.shape[0]}x{a.shape[1]} and {b.shape[0]}x{b.shape[1]}"


def _addmm(self, mat1, mat2, beta=1, alpha=1):
    product = np.matmul(mat1, mat2)
    if alpha != 1:
        product *= alpha
    if beta == 0:
        return product
    return np.add(product, self if beta == 1 else self * beta, out=product)


def _column_major(sizes, strides) -> bool:
    return strides[0] == 1 and strides[1] == sizes[0]


def _maybe_multiply(t, alpha):
    # PyTorch's maybe_multiply: no multiplication at all when the scalar is 1.
    return t if alpha == 1 else t * alpha


def _mm_mat1_backward(grad, mat2, mat1_sizes, mat1_strides, alpha=1):
    # NB: PyTorch's mm_mat1_backward (FunctionsManual.cpp): "if input was column-major,
    # return grad as column-order for efficiency", the product order picked from the saved
    # input's sizes/strides so that the gradient has the input's layout.
    if _column_major(mat1_sizes, mat1_strides):
        return _maybe_multiply(mat2.mm(grad.t()).t(), alpha)
    return _maybe_multiply(grad.mm(mat2.t()), alpha)


def _mm_mat2_backward(grad, mat1, mat2_sizes, mat2_strides, alpha=1):
    # NB: PyTorch's mm_mat2_backward. For nn.Linear's ``weight.t()`` (column-major) this is
    # ``grad.t().mm(mat1).t()``: the weight's gradient arrives row-major, as the weight is,
    # so AccumulateGrad steals it instead of copying it.
    if _column_major(mat2_sizes, mat2_strides):
        return _maybe_multiply(grad.t().mm(mat1).t(), alpha)
    return _maybe_multiply(mat1.t().mm(grad), alpha)


def _dot_out_dtype(out, result, inputs) -> None:
    # PyTorch's dot(out=) compares out's dtype with the input's, in its own words.
    if out is not result:
        raise RuntimeError(f"result dtype {_s(out)} does not match input dtype {_s(result)}")


def _run(op, inputs, attrs, out):
    """The op out of place, or written into ``out`` through the in-place door."""
    if out is None:
        return call(op, inputs, attrs)
    return apply_out(op, inputs, attrs, out)


mm_op = defop(
    "mm(Tensor self, Tensor mat2) -> Tensor",
    forward=np.matmul,
    node="MmBackward0",
    dtype=PROMOTE,
    out_dtype="exact",
    self=lambda grad, mat2, self_sizes, self_strides: _mm_mat1_backward(
        grad, mat2, self_sizes, self_strides
    ),
    mat2=lambda grad, self, mat2_sizes, mat2_strides: _mm_mat2_backward(
        grad, self, mat2_sizes, mat2_strides
    ),
)
bmm_op = defop(
    "bmm(Tensor self, Tensor mat2) -> Tensor",
    forward=np.matmul,
    node="BmmBackward0",
    dtype=PROMOTE,
    out_dtype="exact",
    self=lambda grad, mat2: grad.bmm(mat2.transpose(1, 2)),
    mat2=lambda grad, self: self.transpose(1, 2).bmm(grad),
)
mv_op = defop(
    "mv(Tensor self, Tensor vec) -> Tensor",
    forward=np.matmul,
    node="MvBackward0",
    dtype=PROMOTE,
    out_dtype="exact",
    self=lambda grad, vec: grad.unsqueeze(1) * vec,
    vec=lambda grad, self: self.t().mv(grad),
)
dot_op = defop(
    "dot(Tensor self, Tensor tensor) -> Tensor",
    forward=np.dot,
    node="DotBackward0",
    dtype=PROMOTE,
    out_dtype=_dot_out_dtype,
    self=lambda grad, tensor: grad * tensor,
    tensor=lambda grad, self: grad * self,
)
addmm_op = defop(
    "addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1) -> Tensor",
    forward=_addmm,
    node="AddmmBackward0",
    dtype=PROMOTE,
    out_dtype="exact",
    self=lambda grad, beta: grad if beta == 1 else grad * beta,
    mat1=lambda grad, mat2, mat1_sizes, mat1_strides, alpha: _mm_mat1_backward(
        grad, mat2, mat1_sizes, mat1_strides, alpha
    ),
    mat2=lambda grad, mat1, mat2_sizes, mat2_strides, alpha: _mm_mat2_backward(
        grad, mat1, mat2_sizes, mat2_strides, alpha
    ),
)


def _no_bool_kernel(t, kernel: str) -> None:
    """PyTorch has no bool matmul kernels."""
    if t.dtype._name == "bool":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _check_dtypes(a, b, name):
    if name == "mv" and a.dtype is not b.dtype:
        # NB: mv runs as addmv into an output of the vector's dtype.
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{_s(b.dtype)}, {_s(a.dtype)}, and {_s(b.dtype)}"
        )
    if a.dtype is not b.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_c(a.dtype)} != {_c(b.dtype)}"
            if name == "mm"
            else f"expected scalar type {_s(a.dtype)} but found {_s(b.dtype)}"
        )


def _c(d):
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int"}.get(
        d._name, d._name
    )


def _s(d):
    from .._dtype import scalar_type_name

    return scalar_type_name(d)


@public
def mm(input, mat2, *, out=None):
    if input.dim() != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.dim() != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shapes(input, mat2)})")
    _check_dtypes(input, mat2, "mm")
    _no_bool_kernel(input, "addmm_impl_cpu_")
    return _run(mm_op, (input, mat2), {}, out)


@public
def bmm(input, mat2, *, out=None):
    if input.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.dim() != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
        )
    _no_bool_kernel(input, "bmm")
    _check_dtypes(input, mat2, "bmm")
    return _run(bmm_op, (input, mat2), {}, out)


@public
def mv(input, vec, *, out=None):
    if input.dim() != 2 or vec.dim() != 1 or input.shape[1] != vec.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]}), "
            f"vec ({vec.shape[0]})"
        )
    _check_dtypes(input, vec, "mv")
    _no_bool_kernel(input, "addmv_impl_cpu")
    return _run(mv_op, (input, vec), {}, out)


@public
def dot(input, tensor, *, out=None):
    if input.dim() != 1 or tensor.dim() != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.dim()}D and {tensor.dim()}D tensors"
        )
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(
            "inconsistent tensor size, expected tensor ["
            + str(input.shape[0])
            + "] and src ["
            + str(tensor.shape[0])
            + "] to have the same number of elements, but got "
            + str(input.shape[0])
            + " and "
            + str(tensor.shape[0])
            + " elements respectively"
        )
    if input.dtype is not tensor.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{_s(input.dtype)} and {_s(tensor.dtype)}"
        )
    _no_bool_kernel(input, "dot")
    return _run(dot_op, (input, tensor), {}, out)


@public
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shapes(mat1, mat2)})")
    return _run(addmm_op, (input, mat1, mat2), {"beta": beta, "alpha": alpha}, out)


@public
def matmul(input, other, *, out=None):
    """As PyTorch's matmul (LinearAlgebra.cpp _matmul_impl): dot, mv, mm, a folded mm/mv,
    or a broadcast bmm, chosen from the operands' dims, so grad_fn names match too."""
    a, b = input.dim(), other.dim()
    if a == 0 or b == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a}D and {b}D"
        )
    if out is not None:
        return _matmul_out(input, other, out)
    if a == 1 and b == 1:
        return dot(input, other)
    if a == 2 and b == 1:
        return mv(input, other)
    if a == 1 and b == 2:
        return mm(input.unsqueeze(0), other).squeeze_(0)
    if a == 2 and b == 2:
        return mm(input, other)
    if _should_fold(input, other):
        return _folded_matmul(input, other)
    return _batched_matmul(input, other)


def _matmul_out(input, other, out):
    """matmul(out=): dot, mv and mm write into out themselves; the other shapes compute
    the product and write it through the in-place door (as PyTorch's matmul_out, which
    resizes out and copies the folded or batched product in)."""
    if GradMode.enabled and (input.requires_grad or other.requires_grad or out.requires_grad):
        raise RuntimeError(
            "matmul(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    a, b = input.dim(), other.dim()
    if a == 1 and b == 1:
        return dot(input, other, out=out)
    if a == 2 and b == 1:
        return mv(input, other, out=out)
    if a == 2 and b == 2:
        return mm(input, other, out=out)
    if a == 1 and b == 2:
        # As PyTorch: mm into out (resized to [1, m], with its warning), then squeezed in place.
        return mm(input.unsqueeze(0), other, out=out).squeeze_(0)
    with no_grad():
        result = matmul(input, other)
    if out.dtype is not result.dtype:
        raise RuntimeError(
            f"Expected out tensor to have dtype {_c(result.dtype)}, but got {_c(out.dtype)} instead"
        )
    return apply_out(REGISTRY["clone"], (result,), {}, out)


def _should_fold(tensor1, tensor2) -> bool:
    """Whether the larger operand folds into a matrix for one mm/mv (PyTorch's should_fold)."""
    larger = tensor1.dim() >= tensor2.dim()
    t1 = tensor1 if larger else tensor2.mT
    dim_t2 = tensor2.dim() if larger else tensor1.dim()
    if not (t1.dim() >= 3 and dim_t2 <= 2):
        return False
    # NB: folding when the smaller operand requires grad keeps its gradient small,
    # even at the price of a copy of the larger one.
    if (tensor2 if larger else tensor1).requires_grad:
        return True
    if tensor1.dim() == 2:
        return False
    if t1.numel() == 0:
        return True
    shape, strides = t1.shape, t1.stride()
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(t1.dim() - 2))


def _folded_matmul(tensor1, tensor2):
    transpose = tensor2.dim() > tensor1.dim()
    t1 = tensor2.mT if transpose else tensor1
    t2 = (tensor1.t() if tensor1.dim() == 2 else tensor1) if transpose else tensor2
    output_shape = tuple(t1.shape[:-1])
    folded = 1
    for s in output_shape:
        folded *= s
    t1_folded = t1.reshape(folded, t1.shape[-1])
    if t2.dim() == 2:
        output = _unsafe_view(t1_folded.mm(t2), output_shape + (t2.shape[1],))
        return output.mT.contiguous() if transpose else output
    return _unsafe_view(t1_folded.mv(t2), output_shape)


def _batched_matmul(tensor1, tensor2):
    a, b = tensor1.dim(), tensor2.dim()
    n = tensor1.shape[-2] if a > 1 else 1
    m1 = tensor1.shape[-1]
    m2 = tensor2.shape[-2] if b > 1 else tensor2.shape[0]
    p = tensor2.shape[-1] if b > 1 else 1
    batch = _broadcast_batch(
        tuple(tensor1.shape[: max(a - 2, 0)]), tuple(tensor2.shape[: max(b - 2, 0)])
    )
    batch_product = 1
    for s in batch:
        batch_product *= s
    output_shape = batch + ((n,) if a > 1 else ()) + ((p,) if b > 1 else ())
    left = tensor1.expand(batch + (n, m1)).reshape(batch_product, n, m1)
    if b == 1:
        right = tensor2.expand(batch + (m2,)).reshape(batch_product, m2).unsqueeze(2)
        return _unsafe_view(left.bmm(right).squeeze(-1), output_shape)
    right = tensor2.expand(batch + (m2, p)).reshape(batch_product, m2, p)
    return _unsafe_view(left.bmm(right), output_shape)


def _broadcast_batch(shape1: tuple, shape2: tuple) -> tuple:
    """PyTorch's infer_size for the batch dims, with its error."""
    ndim = max(len(shape1), len(shape2))
    out = []
    for i in range(ndim):
        offset = ndim - 1 - i
        size1 = shape1[len(shape1) - 1 - offset] if len(shape1) - 1 - offset >= 0 else 1
        size2 = shape2[len(shape2) - 1 - offset] if len(shape2) - 1 - offset >= 0 else 1
        if size1 != size2 and size1 != 1 and size2 != 1:
            raise RuntimeError(
                f"The size of tensor a ({size1}) must match the size of tensor b ({size2}) at "
                f"non-singleton dimension {i}"
            )
        out.append(size2 if size1 == 1 else size1)
    return tuple(out)


def _unsafe_view(t, shape):
    return call(unsafe_view, (t,), {"size": tuple(shape)})


for _fn in (mm, bmm, mv, dot, addmm, matmul):
    method(_fn)


def _matmul_operator(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def _rmatmul_operator(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


Tensor.__matmul__ = _matmul_operator
Tensor.__rmatmul__ = _rmatmul_operator


@public
def outer(input, vec2):
    return input.unsqueeze(1) * vec2


method(outer)
