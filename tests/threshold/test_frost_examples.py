"""The FROST walkthrough example runs and its signature verifies."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pqzk

ROOT = Path(__file__).resolve().parents[2]


def test_frost_walkthrough_runs():
    env = dict(os.environ, PYTHONPATH=str(Path(pqzk.__file__).resolve().parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, str(ROOT / "examples" / "frost_walkthrough.py")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "verified: a 2-of-3 signature" in out
    for kind in ("round1_request", "commitment", "sign_request", "signature_share"):
        assert kind in out
    assert "[secret]" in out and "[public] signature" in out
