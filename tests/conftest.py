"""Shared test setup: torch (the reference) is optional and skips cleanly when absent."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

try:
    import torch as _torch

    _torch.set_num_threads(1)
except ImportError:  # pragma: no cover - exercised only without torch
    _torch = None


@pytest.fixture
def torch():
    """The real PyTorch, or skip."""
    if _torch is None:
        pytest.skip("torch is not installed")
    return _torch


requires_torch = pytest.mark.skipif(_torch is None, reason="torch is not installed")
