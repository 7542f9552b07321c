"""Inference mode side by side with PyTorch: the mode flags, the decorator forms,
and every rule of inference tensors (writes, requires_grad, saving for backward,
views, version counters, mixing with normal tensors)."""

from __future__ import annotations

import pytest
from _harness import run_both
from conftest import requires_torch

import mutograd

pytestmark = requires_torch


def _facts(t):
    """What a test compares about a tensor that may be an inference tensor."""
    try:
        version = t._version
    except RuntimeError as error:
        version = str(error)
    return {
        "inference": t.is_inference(),
        "requires_grad": t.requires_grad,
        "is_leaf": t.is_leaf,
        "is_view": t._is_view(),
        "version": version,
        "values": t.detach().tolist(),
    }


def _raises(program):
    """Run ``program(T, state)``; return the state, or raise what it raised after it."""

    def wrapped(T):
        state = {}
        try:
            program(T, state)
        except Exception as error:  # noqa: BLE001 - compared by the harness
            state["error"] = (type(error).__name__, str(error).split("\n\n")[0])
        return state

    return wrapped


# --- the mode flags and decorator forms ---------------------------------------------------------


def test_flags_inside_and_nested_false():
    def program(T):
        seen = [T.is_inference_mode_enabled(), T.is_grad_enabled()]
        with T.inference_mode():
            seen += [T.is_inference_mode_enabled(), T.is_grad_enabled()]
            with T.inference_mode(False):
                seen += [T.is_inference_mode_enabled(), T.is_grad_enabled()]
                seen.append(T.ones(2).is_inference())
            with T.inference_mode(mode=False):
                seen += [T.is_inference_mode_enabled(), T.is_grad_enabled()]
            seen += [T.is_inference_mode_enabled(), T.is_grad_enabled()]
        seen += [T.is_inference_mode_enabled(), T.is_grad_enabled()]
        return seen

    assert run_both(program)[4] is False


def test_inference_mode_false_inside_no_grad_turns_grad_on():
    # As PyTorch's InferenceMode guard: grad mode is set to `not mode`.
    def program(T):
        with T.no_grad():
            with T.inference_mode(False):
                inner = [T.is_grad_enabled(), T.is_inference_mode_enabled()]
            return inner + [T.is_grad_enabled()]

    assert run_both(program) == [True, False, False]


def test_decorator_forms():
    def program(T):
        @T.inference_mode
        def bare():
            return T.is_inference_mode_enabled(), T.ones(1).is_inference()

        @T.inference_mode()
        def called():
            return T.is_inference_mode_enabled()

        @T.inference_mode(False)
        def off():
            return T.is_inference_mode_enabled(), T.is_grad_enabled()

        @T.inference_mode(mode=False)
        def off_keyword():
            return T.is_inference_mode_enabled()

        with T.inference_mode():
            nested = [off(), off_keyword()]
        return [bare(), called(), off(), off_keyword(), nested, bare.__name__]

    run_both(program)


def test_decorated_generator_runs_each_step_in_the_mode():
    def program(T):
        @T.inference_mode()
        def steps():
            yield T.is_inference_mode_enabled()
            yield T.is_inference_mode_enabled()

        seen = []
        for flag in steps():
            seen.append([flag, T.is_inference_mode_enabled()])
        return seen

    assert run_both(program) == [[True, False], [True, False]]


def test_decorated_function_outputs_are_inference_tensors():
    def program(T):
        @T.inference_mode()
        def square(x):
            return x * x

        out = []
        for requires_grad in (True, False):
            d = square(T.ones(1, 2, 3, requires_grad=requires_grad))
            out.append([T.is_inference(d), d.requires_grad, d.grad_fn is None])
        return out

    run_both(program)


def test_is_inference_of_a_non_tensor():
    run_both(lambda T: T.is_inference(1))
    run_both(lambda T: T.is_inference([1.0]))


def test_clone_of_the_mode_object():
    ctx = mutograd.inference_mode(False)
    copy = ctx.clone()
    assert type(copy) is mutograd.inference_mode and copy.mode is False


# --- tensors created inside -----------------------------------------------------------------------


def test_factories_inside_make_inference_tensors():
    def program(T):
        with T.inference_mode():
            plain = T.ones(1, 2, 3)
            wanting = T.ones(1, 2, 3, requires_grad=True)
            dropped = T.ones(2).requires_grad_(False)
        return [_facts(plain), _facts(wanting), _facts(dropped)]

    run_both(program)


def test_ops_inside_make_inference_tensors_that_need_no_grad():
    def program(T):
        x = T.ones(2, 3, requires_grad=True)
        out = []
        with T.inference_mode():
            for requires_grad in (True, False):
                c = T.ones(2, 3, requires_grad=requires_grad)
                out.append(_facts(c * c))
                out.append(_facts(c.view(-1)))
            y = x * 2
            out.append(_facts(y))
            out.append(y.grad_fn is None)
        return out

    run_both(program)


def test_inplace_on_inference_tensor_inside_the_mode():
    def program(T):
        out = []
        with T.inference_mode():
            for requires_grad in (True, False):
                c = T.ones(1, 2, 3, requires_grad=requires_grad)
                c.add_(2)
                c.transpose_(0, 1)
                out.append(_facts(c))
        return out

    run_both(program)


# --- inference tensors used outside ----------------------------------------------------------------


def test_inplace_on_inference_tensor_outside_raises():
    def make(T):
        with T.inference_mode():
            return T.ones(2, 3)

    def with_op(fn):
        def program(T, state):
            t = make(T)
            state["before"] = t.tolist()
            fn(t)

        return _raises(program)

    for fn in (
        lambda t: t.add_(1),
        lambda t: t.zero_(),
        lambda t: t.copy_(t.clone()),
        lambda t: t.__setitem__(0, 1.0),
        lambda t: t[0].mul_(2),
        lambda t: t.transpose_(0, 1),
    ):
        state = run_both(with_op(fn))
        assert state["error"][0] == "RuntimeError"


def test_failed_write_leaves_the_inference_tensor_unchanged():
    # NB: PyTorch raises after its kernel wrote; mutograd refuses before writing.
    with mutograd.inference_mode():
        t = mutograd.ones(3)
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor"):
        t.add_(1)
    assert t.tolist() == [1.0, 1.0, 1.0]


def test_out_argument_that_is_an_inference_tensor():
    def program(T, state):
        s = T.ones(3)
        with T.inference_mode():
            c = T.ones(3)
        T.mul(s, s, out=c)

    run_both(_raises(program))


def test_version_counter_of_inference_tensors():
    def program(T):
        with T.inference_mode():
            a = T.ones(2, 3)
        # NB: a.detach() and a.data are inference tensors whose _version reads 0 in PyTorch
        # (mutograd raises there, as for every inference tensor).
        return [
            _facts(a),
            _facts(a.view(6)),
            _facts(a[0]),
            a.detach().is_inference(),
            a.data.is_inference(),
        ]

    run_both(program)


def test_views_of_inference_tensors_are_not_tracked_views():
    def program(T):
        out = []
        for requires_grad in (True, False):
            with T.inference_mode():
                c = T.ones(1, 2, 3, requires_grad=requires_grad)
                inside = c.view(-1)
            outside = c.view(-1)
            out += [_facts(inside), _facts(outside), outside._base is None]
        return out

    run_both(program)


def test_requires_grad_on_inference_tensor():
    def setter(T, state):
        with T.inference_mode():
            a = T.ones(2)
        a.requires_grad_(False)
        state["false ok"] = a.requires_grad
        a.requires_grad = True

    def method(T, state):
        with T.inference_mode():
            a = T.ones(2)
        a.requires_grad_()

    def parameter(T, state):
        with T.inference_mode():
            a = T.ones(2)
        T.nn.Parameter(a)

    def inside(T, state):
        with T.inference_mode():
            a = T.ones(2)
        with T.inference_mode():
            a.requires_grad_()
        state["facts"] = _facts(a)

    for program in (setter, method, parameter, inside):
        run_both(_raises(program))


def test_functional_op_on_inference_tensor_outside_is_a_normal_tensor():
    def program(T):
        out = []
        for requires_grad in (True, False):
            with T.inference_mode():
                c = T.ones(1, 2, 3, requires_grad=requires_grad)
            out.append(_facts(c * c))
            out.append(_facts(c.exp()))
            out.append(T.ones_like(c).is_inference())
        return out

    run_both(program)


def test_clone_outside_makes_a_normal_tensor_to_write_into():
    def program(T):
        with T.inference_mode():
            a = T.ones(2)
        b = a.clone()
        b.add_(1)
        return [b.is_inference(), b.tolist()]

    run_both(program)


# --- mixing with autograd -------------------------------------------------------------------------


def test_inference_tensor_saved_for_backward_raises():
    def make(T, requires_grad=False):
        with T.inference_mode():
            return T.ones(2, 3, requires_grad=requires_grad)

    programs = [
        lambda T, s: T.ones(2, 3, requires_grad=True) * make(T),
        lambda T, s: make(T) * T.ones(2, 3, requires_grad=True),
        lambda T, s: (T.ones(2, 3, requires_grad=True).exp() * make(T)).sum().backward(),
        lambda T, s: T.ones(2, 3, requires_grad=True).clone().mul_(make(T)),
        lambda T, s: T.addcmul(T.ones(2, 3), make(T, True), make(T)),
    ]
    for program in programs:
        state = run_both(_raises(program))
        assert "Inference tensors cannot be saved for backward" in state["error"][1]


def test_inference_tensor_not_needed_by_the_formula_is_not_saved():
    def make(T):
        with T.inference_mode():
            return T.ones(2, 3)

    def program(T):
        s = T.ones(2, 3, requires_grad=True)
        out = [T.stack([s, make(T)]), T.cat([make(T), s]), T.addcmul(s, make(T), make(T))]
        out[2].sum().backward()
        return out + [s.grad]

    run_both(program)


def test_failed_inplace_save_leaves_self_unchanged():
    with mutograd.inference_mode():
        c = mutograd.full((3,), 2.0)
    a = mutograd.ones(3, requires_grad=True).clone()
    with pytest.raises(RuntimeError, match="cannot be saved for backward"):
        a.mul_(c)
    assert a.tolist() == [1.0, 1.0, 1.0] and a._version == 0


def test_inference_tensor_that_requires_grad_gets_a_gradient():
    # add saves nothing, so an inference leaf that requires grad can take part.
    def program(T):
        s = T.ones(2, 3, requires_grad=True)
        with T.inference_mode():
            c = T.ones(2, 3, requires_grad=True)
        out = c.add(s)
        out.backward(T.ones_like(out))
        return [_facts(out), c.grad, s.grad, (c * 2).grad_fn is not None]

    run_both(program)


def test_no_grad_use_of_inference_tensors_is_fine():
    def program(T):
        x = T.ones(2, requires_grad=True)
        with T.inference_mode():
            a = T.full((2,), 3.0)
        with T.no_grad():
            y = x * a
        return [_facts(y), (x + a).grad_fn is not None]

    run_both(program)


def test_view_as_between_inference_and_normal_tensors():
    def program(T):
        out = []
        for requires_grad in (True, False):
            s = T.ones(1, 2, 3, requires_grad=requires_grad)
            with T.inference_mode():
                c = T.ones(1, 2, 3)
            out += [_facts(c.view_as(s)), _facts(s.view_as(c))]
        return out

    run_both(program)


# --- normal tensors inside inference mode ---------------------------------------------------------


def test_inplace_on_normal_tensor_inside_bumps_its_version():
    def program(T):
        out = []
        for requires_grad in (True, False):
            a = T.ones(1, 2, 3, requires_grad=requires_grad).clone()
            with T.inference_mode():
                a.add_(2)
                a.transpose_(0, 1)
                out.append(_facts(a))
                out.append(_facts(a.view(-1)))
            a.add_(1)
            out.append(_facts(a))
        return out

    run_both(program)


def test_write_inside_the_mode_is_seen_by_a_saved_tensor():
    def program(T, state):
        a = T.ones(1, 2, 3, requires_grad=True).clone()
        out = a * a
        with T.inference_mode():
            a.add_(2)
        state["inference"] = a.is_inference()
        out.backward(T.ones_like(out))

    state = run_both(_raises(program))
    assert "modified by an inplace operation" in state["error"][1]


def test_view_of_normal_tensor_made_inside():
    def program(T, state):
        out = []
        for requires_grad in (True, False):
            a = T.ones(1, 2, 3, requires_grad=requires_grad).clone()
            with T.inference_mode():
                v = a.view(-1)
                w = v.view(-1)
                out += [_facts(v), _facts(w)]
                w.add_(2)
                out.append([w._version, a._version, w.is_inference()])
            out.append(_facts(w * w))
        state["out"] = out

    run_both(_raises(program))


def test_view_made_inside_then_written_outside():
    def direct(T, state):
        state["ok"] = T.ones(3).clone().view_as(T.ones(3)).add_(1).tolist()
        for requires_grad in (False, True):
            a = T.ones(2, 3, requires_grad=requires_grad).clone()
            with T.inference_mode():
                view = a.view_as(a)
            view.add_(2)
            state[requires_grad] = a.tolist()

    def indirect(T, state):
        for requires_grad in (False, True):
            a = T.ones(2, 3, requires_grad=requires_grad).clone()
            with T.inference_mode():
                view = a.view(-1)
            a.add_(2)
            state[requires_grad] = view.grad_fn is None

    run_both(_raises(direct))
    run_both(_raises(indirect))


def test_copies_of_inference_tensors_outside_are_composite_copies():
    # As PyTorch: empty_like + copy_, so version 1 and CopyBackwards when the
    # inference tensor requires grad.
    def program(T):
        out = []
        for requires_grad in (True, False):
            with T.inference_mode():
                a = T.ones(2, 3, requires_grad=requires_grad)
            for make in (
                lambda t: t.clone(),
                lambda t: T.clone(t),
                lambda t: t.t().clone(),
                lambda t: t.t().contiguous(),
                lambda t: t.double(),
                lambda t: t.to(T.float32, copy=True),
            ):
                c = make(a)
                out.append([c, c.is_inference(), c._version])
            c = a.float()
            out.append([c is a, c.is_inference()])
            with T.no_grad():
                out.append(_facts(a.clone()))
            with T.inference_mode():
                out.append(_facts(a.clone()))
        with T.inference_mode():
            a = T.ones(2, requires_grad=True)
        c = a.clone()
        c.sum().backward()
        return out + [a.grad]

    run_both(program)


def test_grad_mode_inside_inference_mode_records_nothing():
    # As PyTorch: enable_grad() inside inference mode turns is_grad_enabled() on,
    # but ops still record nothing and make inference tensors.
    def program(T):
        x = T.ones(2, requires_grad=True)
        out = []
        with T.inference_mode():
            with T.enable_grad():
                y = x * 2
                out += [T.is_grad_enabled(), T.is_inference_mode_enabled(), _facts(y)]
                with T.no_grad():
                    out.append(T.is_grad_enabled())
                out.append(T.is_grad_enabled())
            with T.set_grad_enabled(True):
                out += [T.is_grad_enabled(), _facts(x.exp())]
            out.append(T.is_grad_enabled())
            with T.inference_mode(False):
                out += [T.is_grad_enabled(), (x * 2).grad_fn is not None]
            out.append(T.is_grad_enabled())
        out += [T.is_grad_enabled(), T.is_inference_mode_enabled()]
        return out

    run_both(program)


def test_modes_are_restored_after_an_exception():
    def program(T):
        @T.inference_mode()
        def fails():
            raise ValueError("boom")

        try:
            fails()
        except ValueError:
            pass
        return [T.is_grad_enabled(), T.is_inference_mode_enabled()]

    run_both(program)


def test_inplace_on_inference_leaf_that_requires_grad_outside():
    # As PyTorch: with only inference tensors the autograd checks are skipped, so
    # the inference error comes first; a normal operand requiring grad brings
    # the leaf check back.
    def make(T):
        with T.inference_mode():
            return T.ones(3, requires_grad=True), T.ones(3)

    programs = [
        lambda T, s: make(T)[0].add_(1),
        lambda T, s: make(T)[0].add_(make(T)[1]),
        lambda T, s: make(T)[0].add_(T.ones(3, requires_grad=True)),
        lambda T, s: make(T)[0].mul_(T.ones(3, requires_grad=True)),
        lambda T, s: make(T)[0].zero_(),
        lambda T, s: make(T)[0].__setitem__(0, 1.0),
        lambda T, s: make(T)[0].copy_(T.ones(3, requires_grad=True)),
        lambda T, s: make(T)[0].unsqueeze_(0),
        lambda T, s: make(T)[0].t_(),
        lambda T, s: make(T)[1].add_(T.ones(3, requires_grad=True)),
    ]
    for program in programs:
        assert "error" in run_both(_raises(program))
