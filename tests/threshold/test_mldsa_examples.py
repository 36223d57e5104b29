"""The threshold ML-DSA walkthrough runs, narrates every message kind and every attempt, and
its signature is verified by OpenSSL."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_threshold_mldsa_walkthrough_runs():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, str(ROOT / "examples" / "threshold_mldsa_walkthrough.py")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "OpenSSL: verified: a 2-of-3 signature" in out
    for kind in ("tmldsa_request", "tmldsa_commit", "tmldsa_commits", "tmldsa_reveal", "tmldsa_reveals",
                 "tmldsa_response"):
        assert f"[{kind}," in out
    rounds = int(re.search(r"after (\d+) round", out).group(1))
    assert len(re.findall(r"attempt \d: ", out)) == 3 * rounds            # K = 3 attempts, every round told
    assert out.count("this attempt is the signature") == 1
    assert "[secret]" in out and "[public] signature" in out
