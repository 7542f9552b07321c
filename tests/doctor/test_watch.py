"""watch(), watched and the checks behind them, on small programs."""

from __future__ import annotations

import gc
import re
import sys
import warnings
import weakref

import doctor_helpers  # noqa: F401  (makes mutograd.doctor importable)
import pytest

torch = pytest.importorskip("torch")

from mutograd import doctor  # noqa: E402
from mutograd.doctor import (  # noqa: E402
    InplaceModificationError,
    InplaceWriteWarning,
    SilentModificationError,
    watch,
    watched,
)


def line_of(marker: str) -> int:
    """Line number in this file of the line containing ``marker`` (after '#')."""
    with open(__file__) as f:
        for n, line in enumerate(f, 1):
            if line.rstrip().endswith("# " + marker):
                return n
    raise AssertionError(marker)


def here(marker: str) -> str:
    return f"test_watch.py:{line_of(marker)}"


def torch_error(program) -> str:  # noqa: ANN001
    """PyTorch's own error text for ``program``, run without the doctor."""
    torch.manual_seed(0)
    with pytest.raises(RuntimeError) as info:
        program()
    assert not isinstance(info.value, doctor.DoctorError)
    return str(info.value)


def doctor_error(program, **options) -> InplaceModificationError:  # noqa: ANN001
    torch.manual_seed(0)
    with pytest.raises(InplaceModificationError) as info:
        with watch(**options):
            program()
    return info.value


def same_text(program) -> InplaceModificationError:  # noqa: ANN001
    """The doctor's message starts with PyTorch's exact text; returns the error."""
    expected = torch_error(program)
    error = doctor_error(program)
    assert str(error).startswith(expected + "\n\n"), (expected, str(error))
    return error


def test_leaf_saved_tensor_message_has_no_producer() -> None:
    def program() -> None:
        x = torch.randn(3, requires_grad=True)
        w = torch.randn(3, requires_grad=True)
        y = x * w  # leaf-save
        with torch.no_grad():
            w.mul_(2)  # leaf-write
        y.sum().backward()

    error = same_text(program)
    assert "which is output" not in str(error)
    assert here("leaf-save") in str(error) and here("leaf-write") in str(error)
    assert "MulBackward0" in str(error)


@pytest.mark.parametrize(
    "case",
    ["copy_slices", "multi_output", "custom_inputs_only", "view_base", "double", "anomaly"],
)
def test_message_matches_pytorch(case: str) -> None:
    def copy_slices() -> None:
        x = torch.randn(3, requires_grad=True)
        w = x.exp()
        y = w * x
        w[0] = 0
        y.sum().backward()

    def multi_output() -> None:
        x = torch.randn(4, 4, requires_grad=True)
        q, r = torch.linalg.qr(x)
        r.mul_(2)
        (q.sum() + r.sum()).backward()

    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):  # noqa: ANN001, ANN205
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):  # noqa: ANN001, ANN205
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    def custom_inputs_only() -> None:
        x = torch.randn(3, requires_grad=True)
        h = x * 1
        y = Square.apply(h)
        h.add_(1)
        y.sum().backward()

    def view_base() -> None:
        x = torch.randn(3, 4, requires_grad=True)
        y = x.exp()
        v = y[:, 0]
        z = v * v
        y[:, 1].mul_(2)
        z.sum().backward()

    def double() -> None:
        x = torch.randn(3, dtype=torch.float64, requires_grad=True)
        y = x.tanh()
        y.mul_(2)
        y.sum().backward()

    def anomaly() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with torch.autograd.set_detect_anomaly(True):
                x = torch.randn(3, requires_grad=True)
                y = x.sigmoid()
                y.add_(1)
                y.sum().backward()

    error = same_text(locals()[case])
    if case == "anomaly":
        assert "Good luck!" in str(error)
    if case == "custom_inputs_only":
        assert "SquareBackward" in str(error)


def test_saved_attribute_access_outside_backward() -> None:
    def program() -> None:
        x = torch.randn(3, requires_grad=True)
        y = x.sigmoid()
        y.add_(1)
        y.grad_fn.next_functions[0][0]._saved_result  # noqa: B018

    same_text(program)


def test_every_write_is_listed_in_order() -> None:
    def program() -> None:
        x = torch.randn(3, requires_grad=True)
        h = torch.sigmoid(x)  # order-save
        h += 1  # order-write-1
        h.mul_(2)  # order-write-2
        h.sum().backward()

    report = str(doctor_error(program))
    first, second = report.index(here("order-write-1")), report.index(here("order-write-2"))
    assert first < second
    assert re.search(
        r"aten::add_\.Tensor, at \S*" + here("order-write-1") + ", version 0 -> 1", report
    )
    assert re.search(
        r"aten::mul_\.Tensor, at \S*" + here("order-write-2") + ", version 1 -> 2", report
    )


def test_error_is_a_chained_runtime_error() -> None:
    def program() -> None:
        x = torch.randn(3, requires_grad=True)
        y = x.exp()
        y.add_(1)
        torch.autograd.grad(y.sum(), x)

    with watch():
        x = torch.randn(3, requires_grad=True)
        with pytest.raises(RuntimeError) as info:  # user code catching RuntimeError still works
            y = x.exp()
            y.add_(1)
            torch.autograd.grad(y.sum(), x)
    assert isinstance(info.value, InplaceModificationError)
    assert type(info.value.__cause__) is RuntimeError
    assert info.value.node_name == "ExpBackward0"
    assert info.value.record.version == 0


def test_foreach_optimizer_step_is_named() -> None:
    def program() -> None:
        lin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
        opt = torch.optim.Adam(lin.parameters(), foreach=True)
        out = lin(torch.randn(4, 3))  # foreach-save
        out.sum().backward(retain_graph=True)
        opt.step()  # foreach-step
        out.sum().backward()

    report = str(same_text(program))
    # the parameter the step wrote is named by its qualified name
    assert re.search(
        r"inside Adam\.step\(\) updating `lin\.2\.(weight|bias)`, at \S*" + here("foreach-step"),
        report,
    )
    assert "`opt` (Adam) updated `lin.2." in report and "call opt.step() only after" in report
    assert "aten::_foreach_" in report
    assert here("foreach-save") in report


@pytest.mark.parametrize("kind", ["single", "foreach", "fused"])
def test_optimizer_version_counters_as_in_pytorch(kind: str) -> None:
    # Under any TorchDispatchMode, PyTorch skips the version bumps of _foreach_
    # ops; the doctor restores them, so its checks see what PyTorch's would.
    options = {
        "single": {"foreach": False},
        "foreach": {"foreach": True},
        "fused": {"fused": True},
    }[kind]

    def versions() -> list[int]:
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
        opt = torch.optim.Adam(model.parameters(), **options)
        for _ in range(2):
            opt.zero_grad()
            model(torch.randn(5, 3)).sum().backward()
            opt.step()
        state = [t for s in opt.state.values() for t in s.values() if isinstance(t, torch.Tensor)]
        return [t._version for t in [*model.parameters(), *state]]

    expected = versions()
    with watch():
        assert versions() == expected


def test_fused_optimizer_step_is_a_silent_bug_caught_by_paranoid() -> None:
    # The fused Adam kernel does not bump parameter versions: PyTorch misses
    # this bug and computes gradients with the new weights.
    def program() -> None:
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
        opt = torch.optim.Adam(model.parameters(), fused=True)
        out = model(torch.randn(4, 3))  # fused-save
        out.sum().backward(retain_graph=True)
        opt.step()  # fused-step
        out.sum().backward()

    program()  # no error from PyTorch
    with watch():
        program()  # nor from the default doctor, which mirrors PyTorch's checks
    with pytest.raises(SilentModificationError) as info:
        with watch(paranoid=True):
            program()
    report = str(info.value)
    assert re.search(
        r"aten::_fused_adam_, inside Adam\.step\(\), at \S*" + here("fused-step"), report
    )
    assert here("fused-save") in report


def test_decorator_forms() -> None:
    def body() -> None:
        x = torch.randn(3, requires_grad=True)
        y = x.sigmoid()
        y.add_(1)
        y.sum().backward()

    for wrapped in (watch()(body), watched(body), watched(early=True)(body)):
        for _ in range(2):  # each call gets a fresh recorder
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with pytest.raises(InplaceModificationError):
                    wrapped()
    assert doctor.recorder.active_recorder() is None


def test_nested_watch_reuses_the_outer_one() -> None:
    with watch() as outer:
        with watch(early=True) as inner:
            assert inner is outer
        assert doctor.recorder.active_recorder() is outer
    assert doctor.recorder.active_recorder() is None


def test_early_warning_once_per_site_and_before_backward() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with watch(early=True):
            x = torch.randn(3, requires_grad=True)
            h = torch.sigmoid(x)  # early-save
            for _ in range(3):
                h.add_(1)  # early-write
            ours = [w for w in caught if w.category is InplaceWriteWarning]
            assert len(ours) == 1  # before any backward
            with pytest.raises(InplaceModificationError):
                h.sum().backward()
    warning = ours[0]
    assert warning.lineno == line_of("early-write") and warning.filename == __file__
    text = str(warning.message)
    assert re.search(
        r"invalidates a tensor saved by SigmoidBackward0 at \S*" + here("early-save"), text
    )


def test_numpy_write_is_caught_by_paranoid_mode() -> None:
    with watch(paranoid=True):
        x = torch.randn(3, requires_grad=True)
        h = torch.sigmoid(x)  # numpy-save
        h.detach().numpy()[0] = 42.0  # no aten op: only the snapshot can tell
        with pytest.raises(SilentModificationError) as info:
            h.sum().backward()
    assert "outside PyTorch operations" in str(info.value)
    assert here("numpy-save") in str(info.value)


def test_paranoid_same_values_written_is_fine() -> None:
    with watch(paranoid=True):
        x = torch.randn(3, requires_grad=True)
        h = torch.sigmoid(x)
        h.data.mul_(1.0)  # a write, but the values do not change
        h.sum().backward()
    assert torch.allclose(x.grad, torch.sigmoid(x) * (1 - torch.sigmoid(x)))


def test_batch_norm_running_stats_are_not_false_alarms() -> None:
    def train(model: torch.nn.Module) -> list[torch.Tensor]:
        torch.manual_seed(1)
        a, b = torch.randn(4, 3, 5, 5), torch.randn(4, 3, 5, 5)
        loss = model(a).mean() + model(b).pow(2).mean()  # two forwards, one backward
        loss.backward()
        return [p.grad.clone() for p in model.parameters()]

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(inplace=True)
    )
    expected = train(model)
    for p in model.parameters():
        p.grad = None
    with watch(paranoid=True):
        got = train(model)
    assert all(torch.equal(a, b) for a, b in zip(expected, got, strict=True))


def test_gradients_unchanged_including_double_backward() -> None:
    def program() -> list[torch.Tensor]:
        torch.manual_seed(0)
        x = torch.randn(5, requires_grad=True)
        w = torch.randn(5, requires_grad=True)
        y = (torch.tanh(x * w) * x.sigmoid()).sum()
        (gx,) = torch.autograd.grad(y, x, create_graph=True)
        gx.pow(2).sum().backward()
        return [x.grad, w.grad]

    expected = program()
    with watch(paranoid=True):
        got = program()
    assert all(torch.equal(a, b) for a, b in zip(expected, got, strict=True))


def test_records_are_freed_with_the_graph() -> None:
    with watch() as recorder:
        x = torch.randn(100, requires_grad=True)
        h = torch.sigmoid(x)
        alive = weakref.ref(h)
        loss = (h * x).sum()
        assert recorder._by_key
        loss.backward()
        del h, loss
        gc.collect()
        assert alive() is None  # no cycle through the saved output
        assert not recorder._by_key


def test_write_after_watch_ended_is_still_checked() -> None:
    with watch():
        x = torch.randn(3, requires_grad=True)
        h = torch.sigmoid(x)
    h.add_(1)  # not watched any more
    with pytest.raises(InplaceModificationError) as info:
        h.sum().backward()
    assert "outside the watched code" in str(info.value)


def test_users_own_saved_tensor_hooks_keep_working() -> None:
    def program() -> torch.Tensor:
        torch.manual_seed(0)
        x = torch.randn(4, 3, requires_grad=True)
        with torch.autograd.graph.save_on_cpu():
            y = torch.tanh(x @ x.T).sum()
        y.backward()
        return x.grad

    expected = program()
    with watch():
        got = program()
    assert torch.equal(expected, got)


def test_public_api() -> None:
    import mutograd.doctor as d

    for name in d.__all__:
        assert getattr(d, name) is not None
    assert issubclass(d.InplaceModificationError, RuntimeError)
    assert issubclass(d.SilentModificationError, RuntimeError)
    assert issubclass(d.InplaceWriteWarning, Warning)
    assert d.main is sys.modules["mutograd.doctor.cli"].main


@pytest.mark.parametrize("case", ["multi_view", "leaf", "shape"])
def test_other_pytorch_errors_keep_their_text(case: str) -> None:
    # In-place errors PyTorch raises at the write get a diagnosis appended
    # (tests/doctor/test_writetime.py); everything else passes through unchanged.
    def multi_view() -> None:
        x = torch.randn(2, 3, requires_grad=True)
        a, _ = x.sigmoid().chunk(2)
        a.mul_(2)  # PyTorch refuses this at the write itself

    def leaf() -> None:
        torch.randn(3, requires_grad=True).add_(1)

    def shape() -> None:
        torch.mm(torch.randn(2, 3), torch.randn(2, 3))

    program = {"multi_view": multi_view, "leaf": leaf, "shape": shape}[case]
    with pytest.raises(RuntimeError) as plain:
        program()
    with pytest.raises(RuntimeError) as watched_error:
        with watch(early=True, paranoid=True):
            program()
    if case == "shape":
        assert type(watched_error.value) is type(plain.value)
        assert str(watched_error.value) == str(plain.value)
    else:
        assert isinstance(watched_error.value, doctor.DiagnosedError)
        assert str(watched_error.value).startswith(str(plain.value) + "\n\nmutograd doctor: ")
        assert watched_error.value.__cause__ is not None
        assert str(watched_error.value.__cause__) == str(plain.value)


def test_one_suggestion_per_cause() -> None:
    def program() -> None:
        x = torch.randn(4, 3, requires_grad=True)
        h = torch.sigmoid(x)
        h[0] = 0
        h[1] = 0
        h[2] = 0
        h[3] = 0
        h.sum().backward()

    report = str(same_text(program)).split("mutograd doctor:", 1)[1]
    assert report.count("4. aten::") == 1  # every write is listed...
    assert report.count("clone before the write: `h = h.clone()`") == 1  # ...one fix for them


def test_light_mode_checks_like_pytorch_without_recording_writes() -> None:
    def program() -> None:
        x = torch.randn(3, requires_grad=True)
        h = torch.sigmoid(x)  # light-save
        h += 1
        h.sum().backward()

    expected = torch_error(program)
    error = doctor_error(program, light=True)
    assert str(error).startswith(expected + "\n\n")
    report = str(error)
    assert here("light-save") in report and "light mode does not record writes" in report
    assert "aten::add_" not in report
    # no dispatch mode in light mode: foreach optimizer steps bump versions natively
    with watch(light=True) as recorder:
        assert recorder.light and torch._C._len_torch_dispatch_stack() == 0
        x = torch.randn(3, requires_grad=True)
        (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
