"""The zk walkthrough example runs end to end and prints what the verifier sees."""
from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "zk_walkthrough.py"


def test_walkthrough_runs(capsys):
    module = runpy.run_path(str(EXAMPLE))
    module["main"]("secp256k1")
    out = capsys.readouterr().out
    assert "all proofs verified" in out
    assert "688 bytes = 16 elements + 5 scalars" in out
    assert out.count("verifier sees:") == 7
