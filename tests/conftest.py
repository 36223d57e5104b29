"""Shared test fixtures: vectors, deterministic randomness, hypothesis profiles, CI strictness."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

VECTORS = Path(__file__).resolve().parent / "vectors"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

settings.register_profile("default", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def load_vectors(relpath: str):
    """Parsed JSON from tests/vectors (a copy of ../shared/vectors, provenance in its README)."""
    return json.loads((VECTORS / relpath).read_text())


def require_component(available: bool, what: str, how: str) -> None:
    """Skip when an optional component is missing — but fail under CI=true, where `make test`
    installs it, so a missing install step cannot hide behind a skip."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI (make test installs it): {how}")
    pytest.skip(f"{what} not available; enable it with: {how}")


@pytest.fixture
def vectors_dir() -> Path:
    return VECTORS
