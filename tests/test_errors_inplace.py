"""Errors that say where: PyTorch's exact text, then mutograd's diagnosis.

Each error starts with PyTorch 2.13's message (checked against torch), and
mutograd appends the user's file:line of the in-place write, of the forward op
that saved the tensor, the versions, and the fix. Anomaly mode records forward
tracebacks as PyTorch's does; ``set_record_locations(False)`` turns the
recording of locations off.
"""

from __future__ import annotations

import sys
import warnings

import pytest
from _harness import run_both
from conftest import requires_torch

import mutograd

HERE = __file__


def _line() -> int:
    """The line number of the caller's next line."""
    return sys._getframe(1).f_lineno + 1


def _error(fn) -> str:
    with pytest.raises(RuntimeError) as info:
        fn()
    return str(info.value)


@pytest.fixture(autouse=True)
def _recording_on():
    mutograd.autograd.set_record_locations(True)
    yield
    mutograd.autograd.set_record_locations(True)
    mutograd.autograd.set_detect_anomaly(False)


# --- the version error ----------------------------------------------------------------------


def test_version_error_names_the_writes_and_the_saving_op():
    T = mutograd
    x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    forward = _line()
    y = x.sigmoid()
    first = _line()
    y.mul_(2)
    second = _line()
    y[0] = 1.0
    message = _error(lambda: y.sum().backward())
    pytorch, _, ours = message.partition("\n\nmutograd: ")
    assert pytorch == (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [3]], which is output 0 of Sigmoid, is at version 2; "
        "expected version 0 instead. Hint: enable anomaly detection to find the operation that "
        "failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, "
        "check_nan=False)."
    )
    test = "test_version_error_names_the_writes_and_the_saving_op"
    assert ours.splitlines() == [
        f"this tensor [torch.FloatTensor [3]] was saved for backward by SigmoidBackward0 at "
        f"version 0; the forward op ran at {HERE}:{forward} (in {test}).",
        "It was then modified by these in-place operations:",
        f"  mul_ at {HERE}:{first} (in {test}): version 0 -> 1",
        # y[0] = 1.0 is PyTorch's copy_to: a copy_ into the view y[0].
        f"  copy_ at {HERE}:{second} (in {test}): version 1 -> 2",
        "Fix: use the out-of-place form of that operation (e.g. `y = y.add(1)` instead of "
        "`y.add_(1)`), or `.clone()` the tensor before writing to it, or make the write after "
        "backward() has run.",
    ]


def test_version_error_for_a_saved_input_names_the_op_that_saved_it():
    T = mutograd
    x = T.tensor([1.0, 2.0], requires_grad=True)
    w = T.tensor([3.0, 4.0])
    forward = _line()
    z = x * w
    write = _line()
    w += 1
    message = _error(lambda: z.sum().backward())
    assert message.startswith(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [2]] is at version 1; expected version 0 instead."
    )
    assert (
        f"saved for backward by MulBackward0 at version 0; the forward op ran at {HERE}:{forward}"
        in message
    )
    assert f"  add_ at {HERE}:{write} (in " in message
    assert "version 0 -> 1" in message


def test_nodes_made_by_a_double_backward_are_located_at_the_users_call():
    # The formulas run inside mutograd's generated node code (Note [Generated apply]); the
    # nodes they record under create_graph name the user's grad() call, not that code.
    T = mutograd
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    line = _line()
    (g,) = T.autograd.grad(y, x, create_graph=True)
    assert g.grad_fn.name() == "AddBackward0"  # the engine summing the two contributions
    for node, _ in g.grad_fn.next_functions:
        assert node.name() == "MulBackward0"  # made by MulBackward0's formulas
        assert node._location[:2] == (HERE, line)


def test_version_error_through_a_helper_function_names_the_users_line():
    T = mutograd

    def activation(t):
        return t.exp()

    def normalise(t):
        t.div_(2)  # the culprit, inside the user's helper

    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = activation(x)
    normalise(y)
    message = _error(lambda: y.sum().backward())
    helper_lines = [line for line in message.splitlines() if line.strip().startswith("div_ at")]
    assert len(helper_lines) == 1
    assert f"{HERE}:" in helper_lines[0] and "(in normalise)" in helper_lines[0]
    assert "(in activation)" in message


def test_version_error_in_a_custom_function_names_the_function():
    T = mutograd

    class Square(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = T.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    forward = _line()
    y = Square.apply(h)
    h.add_(1)
    message = _error(lambda: y.sum().backward())
    # h is saved as an input: PyTorch names its grad_fn now, after the write.
    assert "which is output 0 of Add," in message
    assert (
        f"saved for backward by SquareBackward at version 0; the forward op ran at {HERE}:{forward}"
        in message
    )


@requires_torch
def test_version_error_prefix_is_pytorchs_text_for_each_kind_of_saved_tensor():
    def output(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.tanh()
        y.zero_()
        y.sum().backward()

    def input_(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1
        z = h.sin()
        h.mul_(2)
        z.sum().backward()

    def leaf(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([[1.0], [2.0]])
        z = x * w
        w.t_()
        z.sum().backward()

    for program in (output, input_, leaf):
        run_both(program)


def test_many_writes_are_summarised():
    T = mutograd
    x = T.tensor([1.0, 2.0], requires_grad=True)
    w = T.tensor([3.0, 4.0])
    z = x * w
    for _ in range(40):
        w.add_(1)
    message = _error(lambda: z.sum().backward())
    assert "is at version 40; expected version 0 instead." in message
    assert "earlier in-place writes are no longer remembered" in message
    assert "version 39 -> 40" in message


# --- leaf and view errors -------------------------------------------------------------------


def test_leaf_errors_name_the_offending_line():
    T = mutograd
    x = T.ones(3, requires_grad=True)
    cases = []
    line = _line()
    cases.append((_error(lambda: x.add_(1)), line, "add_", "a leaf Variable"))
    setitem = _line()
    message = _error(lambda: x.__setitem__(0, 2.0))
    cases.append((message, setitem, "copy_", "a view of a leaf Variable"))
    view = x[1:]
    line = _line()
    cases.append((_error(lambda: view.mul_(2)), line, "mul_", "a view of a leaf Variable"))
    for message, line, name, subject in cases:
        pytorch, _, ours = message.partition("\n\n")
        assert pytorch == f"{subject} that requires grad is being used in an in-place operation."
        assert ours.startswith(f"mutograd: the in-place operation {name} is at {HERE}:{line} (in ")
        assert "torch.no_grad()" in ours


def test_no_grad_view_error_names_the_write_and_the_view():
    T = mutograd
    x = T.ones(3, requires_grad=True)
    y = x * 2
    with T.no_grad():
        created = _line()
        v = y[:2]
    write = _line()
    message = _error(lambda: v.add_(1))
    assert message.startswith("A view was created in no_grad mode and is being modified inplace")
    assert f"the in-place operation add_ is at {HERE}:{write}" in message
    assert f"The view was created at {HERE}:{created}" in message


NO_GRAD_VIEWS = {
    "view": lambda y: y.view(2, 3),
    "reshape": lambda y: y.reshape(3, 2),
    "t": lambda y: y.t(),
    "transpose": lambda y: y.transpose(0, 1),
    "unsqueeze": lambda y: y.unsqueeze(0),
    "expand": lambda y: y[:1].expand(4, 3),
    "select": lambda y: y.select(1, 0),
    "int_index": lambda y: y[1],
    "slice": lambda y: y[1:],
}


@pytest.mark.parametrize("make", NO_GRAD_VIEWS)
def test_no_grad_view_location_for_each_view_function(make):
    """Each view function (they wrap their views without the dispatcher when no node is
    recorded) still records the user's line for a no_grad view."""
    T = mutograd
    y = T.ones(2, 3, requires_grad=True) * 2
    with T.no_grad():
        v = NO_GRAD_VIEWS[make](y)
    created = NO_GRAD_VIEWS[make].__code__.co_firstlineno  # the user's frame: the lambda
    message = _error(lambda: v.mul_(2))
    assert message.startswith("A view was created in no_grad mode and is being modified inplace")
    assert f"The view was created at {HERE}:{created}" in message


def test_multi_output_view_error_names_the_write_and_the_view():
    T = mutograd
    x = T.ones(2, 3, requires_grad=True)
    created = _line()
    a, b = (x * 2).unbind()
    write = _line()
    message = _error(lambda: b.mul_(2))
    assert message.startswith(
        "Output 1 of Unbind is a view and is being modified inplace. This view is the output of "
        "a function that returns multiple views."
    )
    assert f"the in-place operation mul_ is at {HERE}:{write}" in message
    assert f"The view was created at {HERE}:{created}" in message


def test_indirect_view_error_names_the_write_into_the_base():
    T = mutograd
    x = T.ones(3, requires_grad=True)
    y = x * 2
    with T.no_grad():
        v = y[:2]
    write = _line()
    y.add_(1)
    message = _error(lambda: v.grad_fn)
    assert message.startswith(
        "A view was created in no_grad mode and its base or another view of its base has been "
        "modified inplace with grad mode enabled."
    )
    assert f"written by add_ at {HERE}:{write}" in message
    assert "(version 0 -> 1)" in message


# --- anomaly mode ---------------------------------------------------------------------------


@requires_torch
def test_detect_anomaly_warns_with_the_forward_traceback(torch):
    for T in (torch, mutograd):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with T.autograd.detect_anomaly():
                x = T.tensor([1.0, 2.0], requires_grad=True)
                forward = _line()
                y = x.sigmoid()
                y.mul_(2)
                message = _error(lambda y=y: y.sum().backward())
        texts = [str(w.message) for w in caught]
        assert texts[0].startswith("Anomaly Detection has been enabled.")
        assert texts[1].startswith(
            "Error detected in SigmoidBackward0. Traceback of forward call that caused the error:\n"
        )
        assert f'File "{HERE}", line {forward}, in test_detect_anomaly_warns' in texts[1]
        assert "y = x.sigmoid()" in texts[1]
        assert "Hint: the backtrace further above shows the operation" in message
        # Only the user's frames: none of mutograd's (or torch's) own.
        assert "mutograd" + "/src" not in texts[1].replace("\\", "/")


def test_set_detect_anomaly_records_tracebacks_and_can_be_turned_off():
    T = mutograd
    T.autograd.set_detect_anomaly(True)
    assert T.is_anomaly_enabled()
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _error(lambda: y.sum().backward())
    assert str(caught[0].message).startswith("Error detected in ExpBackward0.")
    T.autograd.set_detect_anomaly(False)
    z = x.exp()
    z.add_(1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        message = _error(lambda: z.sum().backward())
    assert caught == []
    assert "Hint: enable anomaly detection" in message


def test_anomaly_check_nan():
    T = mutograd
    x = T.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with T.autograd.detect_anomaly():
            y = x.sqrt() * 0
            message = _error(lambda: (y * float("nan")).sum().backward())
    assert message.startswith("Function 'MulBackward0' returned nan values in its 0th output.")


# --- turning the recording off --------------------------------------------------------------


def test_set_record_locations_false_keeps_pytorchs_text_without_locations():
    T = mutograd
    T.autograd.set_record_locations(False)
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    message = _error(lambda: y.sum().backward())
    assert message.startswith(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [2]], which is output 0 of Exp, is at version 1; expected "
        "version 0 instead."
    )
    assert HERE not in message
    assert "  add_: version 0 -> 1" in message
    assert "set_record_locations(False)" in message
    leaf = _error(lambda: x.add_(1))
    assert leaf.startswith(
        "a leaf Variable that requires grad is being used in an in-place operation."
    )
    assert HERE not in leaf
    assert y.grad_fn._location is None


def test_recording_back_on_records_again():
    T = mutograd
    T.autograd.set_record_locations(False)
    x = T.tensor([1.0, 2.0], requires_grad=True)
    assert x.exp().grad_fn._location is None
    T.autograd.set_record_locations(True)
    line = _line()
    y = x.exp()
    assert y.grad_fn._location[:2] == (HERE, line)


def test_writes_are_remembered_only_once_a_saved_tensor_depends_on_them():
    # Locating a write costs a walk up the stack: it is done only for counters that a
    # saved tensor or a restricted view depends on (the ones an error may name).
    T = mutograd
    t = T.ones(3)
    t.add_(1)
    assert t._version == 1 and t._vc.writes is None
    x = T.ones(3, requires_grad=True)
    y = x * 1
    z = y * y  # saves y
    y.add_(1)
    assert [w[:2] for w in y._vc.writes] == [(1, "add_")]
    with pytest.raises(RuntimeError, match="add_ at .*: version 0 -> 1"):
        z.sum().backward()
