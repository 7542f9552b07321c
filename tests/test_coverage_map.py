"""The coverage map: every public name of PyTorch 2.13's main namespaces is either in
mutograd or in the one unsupported-features table (never both), each table name raises a
clear NotImplementedError, and the README's figures and docs/unsupported.md are current."""

from __future__ import annotations

import pytest
from conftest import requires_torch

import mutograd
from mutograd import _unsupported
from mutograd._unsupported_table import UNSUPPORTED
from mutograd.tools import coverage

pytestmark = requires_torch

REGENERATE = "run `python -m mutograd.tools.coverage --write`"


@pytest.fixture(scope="module")
def survey():
    import torch

    if not torch.__version__.startswith("2.13"):
        pytest.skip(f"the coverage map is of PyTorch 2.13, not {torch.__version__}")
    return coverage.survey(torch)


@pytest.mark.parametrize("namespace", coverage.NAMESPACES)
def test_every_name_is_in_mutograd_or_in_the_table_never_both(survey, namespace):
    names, present = survey[namespace]
    table = set(UNSUPPORTED[namespace])
    assert not present & table, f"implemented yet listed as unsupported; {REGENERATE}"
    assert not table - names, f"listed but not a PyTorch 2.13 name; {REGENERATE}"
    assert names == present | table, f"neither implemented nor listed; {REGENERATE}"


def _namespace_object(namespace: str):
    obj = mutograd
    for part in namespace.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("namespace", [n for n in coverage.NAMESPACES if n != "torch.Tensor"])
def test_table_names_raise_a_clear_not_implemented_error(namespace):
    parent, _, last = namespace.rpartition(".")
    if parent and last in UNSUPPORTED.get(parent, ()):
        # The namespace itself is missing (torch.linalg): reaching it is the error.
        with pytest.raises(NotImplementedError, match=rf"^{namespace} is not supported"):
            _namespace_object(namespace)
        return
    module = _namespace_object(namespace)
    for name in UNSUPPORTED[namespace]:
        with pytest.raises(NotImplementedError) as info:
            getattr(module, name)
        assert str(info.value) == (
            f"{namespace}.{name} is not supported by mutograd yet; see {_unsupported.WHERE}"
        )


def test_tensor_table_names_raise_on_instances_and_on_the_class():
    t = mutograd.ones(2)
    p = mutograd.nn.Parameter(mutograd.ones(1))
    for name in UNSUPPORTED["torch.Tensor"]:
        expected = f"torch.Tensor.{name} is not supported by mutograd yet; see {_unsupported.WHERE}"
        for owner in (t, mutograd.Tensor, p):
            with pytest.raises(NotImplementedError) as info:
                getattr(owner, name)
            assert str(info.value) == expected


def test_probing_still_works_like_a_missing_attribute():
    name = UNSUPPORTED["torch"][0]
    assert not hasattr(mutograd, name)
    assert getattr(mutograd, name, "fallback") == "fallback"
    assert getattr(mutograd.ones(1), UNSUPPORTED["torch.Tensor"][0], None) is None
    # Names PyTorch does not have stay plain AttributeErrors, with Python's text.
    with pytest.raises(AttributeError, match="module 'mutograd' has no attribute 'no_such_api'"):
        mutograd.no_such_api  # noqa: B018
    with pytest.raises(AttributeError) as info:
        mutograd.ones(1).no_such_method  # noqa: B018
    assert not isinstance(info.value, NotImplementedError)


def test_readme_figures_and_docs_are_current(survey):
    for path, text in coverage.outputs(survey).items():
        assert path.read_text() == text, f"{path.name} is stale; {REGENERATE}"


def test_the_figures_count_what_mutograd_has(survey):
    names, present = survey["torch.Tensor"]
    assert {"add_", "backward", "view", "grad"} <= present
    assert "stft" in names - present
    names, present = survey["torch"]
    assert {"cuda", "testing", "device", "save", "load", "serialization"} <= present
