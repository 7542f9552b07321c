"""torch.autograd.functional side by side with PyTorch: jacobian, hessian, vjp, jvp,
vhp, hvp with create_graph / strict / vectorize, and their argument errors."""

from __future__ import annotations

import pytest
from _harness import run_both
from conftest import requires_torch

import mutograd

pytestmark = requires_torch


def _x(T):
    return T.tensor([1.0, 2.0, 3.0], dtype=T.float64)


def _y(T):
    return T.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=T.float64)


def _v(T):
    return T.tensor([1.0, -1.0, 0.5], dtype=T.float64)


def _ones(T, *shape):
    return T.ones(*shape, dtype=T.float64)


def _f(a):
    return a.exp() * a


def _g(a, b):
    return a[:2] * b.sum(0), b @ b


def _cube_sum(a):
    return (a**3).sum()


def _mixed_sum(a, b):
    return (a[:2] ** 2 * b[0]).sum()


def _leaf(T):
    return _x(T).requires_grad_()


CASES = {
    # jacobian
    "jacobian": lambda F, T: F.jacobian(_f, _x(T)),
    "jacobian tuple": lambda F, T: F.jacobian(_g, (_x(T), _y(T))),
    "jacobian create_graph": lambda F, T: F.jacobian(_f, _x(T), create_graph=True),
    "jacobian create_graph leaf": lambda F, T: F.jacobian(_f, _leaf(T), create_graph=True),
    "jacobian vectorize": lambda F, T: F.jacobian(_g, (_x(T), _y(T)), vectorize=True),
    "jacobian unused input": lambda F, T: F.jacobian(lambda a, b: a * 2, (_x(T), _y(T))),
    "jacobian strict unused": lambda F, T: F.jacobian(
        lambda a, b: a * 2, (_x(T), _y(T)), strict=True
    ),
    "jacobian strict output": lambda F, T: F.jacobian(lambda a: a.detach(), _x(T), strict=True),
    "jacobian strict create_graph": lambda F, T: F.jacobian(
        lambda a: a * 2, _x(T), strict=True, create_graph=True
    ),
    "jacobian strict vectorize": lambda F, T: F.jacobian(_f, _x(T), strict=True, vectorize=True),
    "jacobian forward-mode": lambda F, T: F.jacobian(_f, _x(T), strategy="forward-mode"),
    "jacobian forward-mode create_graph": lambda F, T: F.jacobian(
        _f, _x(T), strategy="forward-mode", create_graph=True
    ),
    "jacobian forward-mode strict": lambda F, T: F.jacobian(
        _f, _x(T), strategy="forward-mode", strict=True
    ),
    "jacobian bad strategy": lambda F, T: F.jacobian(_f, _x(T), strategy="sideways"),
    "jacobian list input": lambda F, T: F.jacobian(_f, [_x(T)]),
    "jacobian number input": lambda F, T: F.jacobian(_f, (_x(T), 3)),
    "jacobian number output": lambda F, T: F.jacobian(lambda a: 3, _x(T)),
    "jacobian scalar output": lambda F, T: F.jacobian(lambda a: a.sum(), _x(T)),
    "jacobian 0-dim input": lambda F, T: F.jacobian(
        lambda a: a * _ones(T, 2), T.tensor(2.0, dtype=T.float64)
    ),
    # hessian
    "hessian": lambda F, T: F.hessian(_cube_sum, _x(T)),
    "hessian tuple": lambda F, T: F.hessian(_mixed_sum, (_x(T), _y(T))),
    "hessian create_graph": lambda F, T: F.hessian(_cube_sum, _x(T), create_graph=True),
    "hessian vectorize": lambda F, T: F.hessian(_cube_sum, _x(T), vectorize=True),
    "hessian strict linear": lambda F, T: F.hessian(lambda a: a.sum(), _x(T), strict=True),
    "hessian non-scalar": lambda F, T: F.hessian(_f, _x(T)),
    "hessian tuple output": lambda F, T: F.hessian(lambda a: (a.sum(),), _x(T)),
    "hessian forward-mode": lambda F, T: F.hessian(
        _cube_sum, _x(T), outer_jacobian_strategy="forward-mode"
    ),
    "hessian bad strategy": lambda F, T: F.hessian(_cube_sum, _x(T), outer_jacobian_strategy="up"),
    # vjp
    "vjp": lambda F, T: F.vjp(_f, _x(T), _v(T)),
    "vjp no v": lambda F, T: F.vjp(_f, _x(T)),
    "vjp scalar no v": lambda F, T: F.vjp(_cube_sum, _x(T)),
    "vjp tuple": lambda F, T: F.vjp(_g, (_x(T), _y(T)), (_ones(T, 2), _ones(T, 2, 2))),
    "vjp v too short": lambda F, T: F.vjp(_g, (_x(T), _y(T)), (_ones(T, 2),)),
    "vjp v size": lambda F, T: F.vjp(_f, _x(T), _ones(T, 2)),
    "vjp v size in tuple": lambda F, T: F.vjp(_g, (_x(T), _y(T)), (_ones(T, 3), _ones(T, 2, 2))),
    "vjp v tuple for one output": lambda F, T: F.vjp(_f, _x(T), (_v(T), _v(T))),
    "vjp create_graph": lambda F, T: F.vjp(_f, _leaf(T), _v(T), create_graph=True),
    "vjp strict unused": lambda F, T: F.vjp(
        lambda a, b: a * 2, (_x(T), _y(T)), _ones(T, 3), strict=True
    ),
    "vjp unused": lambda F, T: F.vjp(lambda a, b: a * 2, (_x(T), _y(T)), _ones(T, 3)),
    # jvp
    "jvp": lambda F, T: F.jvp(_f, _x(T), _v(T)),
    "jvp no v": lambda F, T: F.jvp(_f, _x(T)),
    "jvp one element": lambda F, T: F.jvp(lambda a: a * 3, T.tensor([2.0], dtype=T.float64)),
    "jvp tuple": lambda F, T: F.jvp(_g, (_x(T), _y(T)), (_v(T), _ones(T, 2, 2))),
    "jvp create_graph": lambda F, T: F.jvp(_f, _leaf(T), _v(T), create_graph=True),
    "jvp strict": lambda F, T: F.jvp(lambda a: a * 2, _x(T), _v(T), strict=True),
    "jvp strict constant": lambda F, T: F.jvp(lambda a: a.detach(), _x(T), _v(T), strict=True),
    # vhp / hvp
    "vhp": lambda F, T: F.vhp(_cube_sum, _x(T), _v(T)),
    "hvp": lambda F, T: F.hvp(_cube_sum, _x(T), _v(T)),
    "hvp tuple": lambda F, T: F.hvp(_mixed_sum, (_x(T), _y(T)), (_v(T), _ones(T, 2, 2))),
    "vhp tuple": lambda F, T: F.vhp(_mixed_sum, (_x(T), _y(T)), (_v(T), _ones(T, 2, 2))),
    "hvp create_graph": lambda F, T: F.hvp(_cube_sum, _leaf(T), _v(T), create_graph=True),
    "vhp create_graph": lambda F, T: F.vhp(_cube_sum, _leaf(T), _v(T), create_graph=True),
    "hvp non-scalar": lambda F, T: F.hvp(_f, _x(T), _v(T)),
    "vhp non-scalar": lambda F, T: F.vhp(_f, _x(T), _v(T)),
    "hvp tuple output": lambda F, T: F.hvp(lambda a: (_cube_sum(a),), _x(T), _v(T)),
    "hvp strict linear": lambda F, T: F.hvp(lambda a: a.sum(), _x(T), _v(T), strict=True),
    "vhp strict linear": lambda F, T: F.vhp(lambda a: a.sum(), _x(T), _v(T), strict=True),
    "hvp linear": lambda F, T: F.hvp(lambda a: a.sum(), _x(T), _v(T)),
    "hvp no v": lambda F, T: F.hvp(_cube_sum, _x(T)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_functional(name):
    case = CASES[name]
    # NB: PyTorch's vectorized Jacobians are views (at offsets) of one batched
    # gradient its backward wrote in place (version 2); mutograd stacks rows.
    layout = "vectorize" not in name
    run_both(
        lambda T: case(T.autograd.functional, T),
        message="exact",
        check_versions=layout,
        check_strides=layout,
    )


@pytest.mark.parametrize("name", ["vjp", "jacobian", "hvp"])
def test_under_no_grad(name):
    def program(T):
        with T.no_grad():
            out = CASES[name](T.autograd.functional, T)
            return [out, T.is_grad_enabled()]

    run_both(program)


def test_results_keep_the_graph_to_the_caller_with_create_graph():
    def program(T):
        x = _leaf(T)
        jac = T.autograd.functional.jacobian(_f, x, create_graph=True)
        jac.sum().backward()
        return [jac, x.grad]

    run_both(program)


def test_forward_mode_with_vectorize_is_not_supported():
    with pytest.raises(NotImplementedError, match="forward-mode AD"):
        mutograd.autograd.functional.jacobian(
            _f, _x(mutograd), strategy="forward-mode", vectorize=True
        )
