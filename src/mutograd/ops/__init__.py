"""The op table. Importing the family files registers every op and installs its methods.

Adding an op
------------
An op is its ``defop`` row (as an entry of PyTorch's derivatives.yaml): the
schema, the NumPy forward, the facts PyTorch's codegen knows about it (node
name, dtype rule, in-place name, checks, output layout) and one backward
formula per differentiable input, whose parameter names say what is saved.
A new unary op is one row, made public by one ``expose`` line::

    cube = defop(
        "cube(Tensor self) -> Tensor",
        forward=lambda self, out=None: np.power(self, 3, out=out),
        layout=iterator_layout,          # TensorIterator's output strides
        node="CubeBackward0",
        inplace="cube_",
        self=lambda grad, self: grad * 3 * self * self,   # saves self
    )
    expose(cube, "cube", "cube", "cube_")   # torch.cube, Tensor.cube, Tensor.cube_

A binary op with a Scalar overload is one ``overloads`` declaration of its
rows; it generates ``torch.X``, ``Tensor.X``, ``X_`` and the operators, and
picks the row as PyTorch's argument parser does (see _api.Note [Overloads as
data])::

    overloads(
        "absdiff",
        defop(
            "absdiff.Tensor(Tensor self, Tensor other) -> Tensor",
            forward=_absdiff, layout=iterator_layout, dtype=PROMOTE,
            node="AbsdiffBackward0", inplace="absdiff_",
            self=lambda grad, self, other: grad * (self - other).sign(),
            other=lambda grad, self, other: -grad * (self - other).sign(),
        ),
        defop(
            "absdiff.Scalar(Tensor self, Scalar other) -> Tensor",
            forward=_absdiff, layout=iterator_layout,
            node="AbsdiffBackward1", inplace="absdiff_",
            self=lambda grad, self, other: grad * (self - other).sign(),
        ),
        inplace="absdiff_",
    )

Everything else follows from the rows: what is saved and when (a tensor only
when a formula that will run reads it, see _registry.Note [Which formulas
run]), the node class and its apply, the in-place door's clone of self, and
the tests generated from ``tests/op_db.py`` (a public differentiable row
without an entry there fails ``test_every_op_has_an_entry``). Throwaway ops
(tests, experiments) are declared inside ``_api.scratch()``, which removes
their rows and names on exit.
"""

# NB: each family imports the families it builds on, so the registration order follows
# those imports, whatever the order of this list.
from . import (  # noqa: F401
    comparison,
    counting,
    cumulative,
    einsum,
    extra_linalg,
    extra_rnn,
    indexing,
    inplace_functions,
    linalg,
    loss,
    pointwise,
    random,
    reduction,
    scatter,
    selection,
    shape,
    sorting,
    unary,
    view_api,
    views,
)
from ._api import FUNCTIONS
from ._registry import REGISTRY

__all__ = ["FUNCTIONS", "REGISTRY"]
