"""`pqzk compare`: every scheme measured or reported unavailable with its reason; JSON,
Markdown and PNG outputs."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pqzk.cli.main import app
from pqzk.pq import comparison

SMALL = dict(threshold=2, parties=3, repeat=1)


def test_missing_scheme_is_listed_unavailable_with_reason(monkeypatch):
    def missing(_s):
        raise ImportError("No module named 'pqzk.threshold.bls'")
    monkeypatch.setattr(comparison, "_bls", missing)
    monkeypatch.setattr(comparison, "_threshold_bls", missing)
    s = comparison.Settings(**SMALL, composites=("id-MLDSA44-Ed25519-SHA512",))
    monkeypatch.setattr(comparison, "_hybrid_quorum", lambda _s: comparison.SchemeResult("q", "hybrid", True))
    monkeypatch.setattr(comparison, "_hybrid_composite", lambda _s: comparison.SchemeResult("c", "hybrid", True))
    rows = {r.scheme: r for r in comparison.run(s)}
    assert not rows["BLS (min-pk)"].available and "pqzk.threshold.bls" in rows["BLS (min-pk)"].reason
    assert rows["BLS (min-pk)"].verify_ms is None            # nothing faked
    assert rows["ML-DSA-65"].available and rows["ML-DSA-65"].signature_bytes == 3309


def test_cli_json_markdown_and_plot(tmp_path):
    runner = CliRunner()
    png = tmp_path / "cmp.png"
    res = runner.invoke(app, ["compare", "--threshold", "2", "--parties", "3", "--repeat", "1", "--json", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    names = [r["scheme"] for r in data["results"]]
    for want in ("Ed25519", "ECDSA-P256", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "FROST 2-of-3",
                 "hybrid quorum cert 2-of-3", "hybrid composite 2-of-3", "threshold ML-DSA-44 2-of-3",
                 "threshold ML-DSA-65 2-of-3", "hybrid threshold ML-DSA 2-of-3"):
        assert want in names
    for r in data["results"]:
        if r["available"]:
            assert r["verify_ms"] > 0 and r["authorization_bytes"] > 0 and r["rounds"] >= 1
        else:
            assert r["reason"]
    by = {r["scheme"]: r for r in data["results"]}
    # a quorum certificate carries t ML-DSA-65 signatures; composite mode one
    assert by["hybrid quorum cert 2-of-3"]["authorization_bytes"] > 2 * 3309
    assert 3309 < by["hybrid composite 2-of-3"]["authorization_bytes"] < 2 * 3309
    # threshold ML-DSA: one standard signature, three rounds, K attempts, at least one round of K commitments
    t44 = by["threshold ML-DSA-44 2-of-3"]
    assert t44["authorization_bytes"] == 2420 and t44["rounds"] == 3 and t44["parallel_attempts"] == 3
    assert t44["bytes_per_party"] >= 32 + 3 * 2944
    assert 3309 < by["hybrid threshold ML-DSA 2-of-3"]["authorization_bytes"] < 2 * 3309
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_markdown_renderer_marks_unavailable():
    rows = [comparison.SchemeResult("X", "classical", False, "not installed"),
            comparison.SchemeResult("Y", "classical", True, "", 1, 2, 2, 0.1, 0.2, 0.3, 1, 2, "note")]
    from pqzk.cli.compare import markdown
    md = markdown(rows, comparison.machine())
    assert "| X | classical | unavailable: not installed |" in md
    assert "| Y | classical | 1 | 2 | 2 | 0.100 | 0.200 | 0.300 | 1 | 2 | – |" in md


def test_bad_threshold_rejected():
    res = CliRunner().invoke(app, ["compare", "--threshold", "4", "--parties", "3"])
    assert res.exit_code != 0
