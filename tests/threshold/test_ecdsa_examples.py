"""The threshold ECDSA walkthrough runs, narrates every OT and multiplication step, and its
signature is verified and recovered by libsecp256k1."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ecdsa_walkthrough_runs():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, str(ROOT / "examples" / "ecdsa_walkthrough.py")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "verified: a 2-of-3 ECDSA signature" in out
    for kind in ("ecdsa_dkg_round1", "ecdsa_ot_setup", "ecdsa_sign_commit", "ecdsa_sign_mul1", "ecdsa_sign_mul2",
                 "ecdsa_sign_share"):
        assert kind in out
    assert "[secret]" in out and "[public] signature" in out and "bc1q" in out
