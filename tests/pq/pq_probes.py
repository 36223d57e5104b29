"""Helpers for the post-quantum tests (imported by name: a second conftest.py would shadow
tests/conftest.py for `from conftest import ...`): probes isolated from tests that fake them."""
from __future__ import annotations

import pytest

from pqzk.pq import backend_registry as B


@pytest.fixture
def fresh_probes():
    """For a test that changes what discovery sees (OQS_INSTALL_PATH, a monkeypatched probe):
    probes start afresh and whatever the test cached is forgotten when it ends, so no status
    computed under the test's fakes outlives it (the registry also keys its cache by the
    environment: this is the second line)."""
    B.refresh()
    yield
    B.refresh()


def liboqs_or_skip():
    """Skip (also in CI: no registry ships liboqs) with the how-to when liboqs is not usable here."""
    st = B.status("liboqs")
    if not st.usable:
        pytest.skip(f"liboqs backend not available ({st.reason}); enable it: {st.how_to_enable}")
    return B.BACKENDS["liboqs"]
