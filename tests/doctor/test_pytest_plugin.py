"""``pytest --mutograd-doctor``: failing tests' reports carry the diagnosis."""

from __future__ import annotations

import re

import doctor_helpers  # noqa: F401  (makes mutograd.doctor importable)
import pytest
from doctor_helpers import REPO, doctor_env

pytest.importorskip("torch")

pytest_plugins = ["pytester"]

TESTS = """
import torch

def test_version_error():
    x = torch.randn(3, requires_grad=True)
    y = torch.sigmoid(x)
    y += 1
    y.sum().backward()

def test_write_time_error():
    w = torch.zeros(3, requires_grad=True)
    w -= 1

def test_passes():
    x = torch.randn(3, requires_grad=True)
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]

def test_other_failure():
    assert 1 == 2
"""


def _plugin_args() -> tuple:
    """``-p mutograd.doctor.pytest_plugin`` unless the installed package registers it (its
    pytest11 entry point): pytest refuses the same plugin under two names."""
    from importlib.metadata import entry_points

    if any(ep.name == "mutograd-doctor" for ep in entry_points(group="pytest11")):
        return ()
    return ("-p", "mutograd.doctor.pytest_plugin")


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for key, value in doctor_env().items():
        if key == "PYTHONPATH":
            monkeypatch.setenv(key, value)
    pytester.makepyfile(test_user=TESTS)
    return pytester


def test_failing_reports_get_the_diagnosis(suite: pytest.Pytester) -> None:
    result = suite.runpytest_subprocess(*_plugin_args(), "--mutograd-doctor")
    result.assert_outcomes(passed=1, failed=3)
    out = result.stdout.str()
    # the diagnosis is a section of each failing in-place test's report
    assert len(re.findall(r"^-+ mutograd doctor -+$", out, re.M)) == 2
    assert "y += 1" in out and "use the out-of-place form: `y = y + 1`" in out
    assert "`with torch.no_grad(): w -= 1`" in out
    other = out.split("test_other_failure", 1)[1]
    assert "mutograd doctor" not in other.split("short test summary")[0]


def test_without_the_option_nothing_changes(suite: pytest.Pytester) -> None:
    result = suite.runpytest_subprocess(*_plugin_args())
    result.assert_outcomes(passed=1, failed=3)
    assert "mutograd doctor" not in result.stdout.str()


def test_registered_as_a_pytest11_entry_point() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(REPO / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    plugins = project["entry-points"]["pytest11"]
    assert plugins["mutograd-doctor"] == "mutograd.doctor.pytest_plugin"
    assert any(
        dep.lower().startswith("ipython") for dep in project["optional-dependencies"]["test"]
    )
