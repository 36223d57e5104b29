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


def assert_generated(script: str, output: str) -> None:
    """native/<output> is what native/<script>'s render() prints (skips when the native sources
    are not beside the tests, as in an installed copy)."""
    import importlib.util
    path = Path(__file__).resolve().parents[1] / "native" / script
    if not path.exists():
        pytest.skip("native sources not beside the tests (installed elsewhere)")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert (path.parent / output).read_text() == gen.render()


@pytest.fixture
def vectors_dir() -> Path:
    return VECTORS


def use_fast_kdf(mp: pytest.MonkeyPatch) -> None:
    """Stores made in this process use cheap KDF parameters (kept in each store, so processes that
    open it later use them too): production Argon2id/scrypt would dominate the tests' time."""
    from pqzk.tokens.passphrase import KdfParams
    mp.setattr(KdfParams, "default", classmethod(lambda cls: KdfParams.fast_for_tests()))


@pytest.fixture
def fast_kdf(monkeypatch):
    """`use_fast_kdf` for one test (undone after it)."""
    use_fast_kdf(monkeypatch)
