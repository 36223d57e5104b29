"""Backend probes for the token backends (pqzk info)."""
from __future__ import annotations

from conftest import require_component

from pqzk.discovery import probe_softhsm, probe_tpm


def test_softhsm_probe():
    st = probe_softhsm()
    require_component(st.available, "SoftHSM2", st.how_to_enable)
    assert "SoftHSM2" in st.detail and st.extra["module"].endswith(".so")


def test_tpm_probe():
    st = probe_tpm()
    require_component(st.available, "swtpm + tpm2-pytss", st.how_to_enable)
    assert "tpm2-pytss" in st.detail
