"""pytest plugin: ``pytest --mutograd-doctor`` watches every test and appends the
doctor's diagnosis to the report of a test that failed with an in-place error.

Registered through the ``pytest11`` entry point ``mutograd-doctor`` (or load it
with ``-p mutograd.doctor.pytest_plugin``); it does nothing without the option.
torch is imported only when the option is given.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

_DIAGNOSIS = pytest.StashKey[str]()
_HEADING = "mutograd doctor"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mutograd-doctor")
    group.addoption(
        "--mutograd-doctor",
        action="store_true",
        default=False,
        help="run each test under mutograd.doctor.watch() and explain in-place errors "
        "(which write broke backward, which line made the view, the fix)",
    )


def _diagnosis_of(error: BaseException, recorder: Any) -> str | None:
    from .errors import DoctorError
    from .writetime import diagnose

    if isinstance(error, DoctorError):  # the doctor's own error carries it
        text = str(error)
        start = text.find("mutograd doctor")
        return text[start:] if start >= 0 else None
    return diagnose(error, recorder) if recorder is not None else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    if not item.config.getoption("mutograd_doctor"):
        return (yield)
    from .recorder import watch

    watcher = watch()
    watcher.__enter__()
    try:
        result = yield
    except BaseException as error:
        recorder = watcher.recorder
        try:
            watcher.__exit__(None, None, None)
        finally:
            text = _diagnosis_of(error, recorder)
            if text:
                item.stash[_DIAGNOSIS] = text
        raise
    watcher.__exit__(None, None, None)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    text = item.stash.get(_DIAGNOSIS, None)
    if text and report.when == "call" and report.failed:
        report.sections.append((_HEADING, text))
    return report
