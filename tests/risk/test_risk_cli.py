"""`pqzk risk analyze | quantum`: outputs, --json, --plot (never over a file without --force), and
one-line errors with exit 2 for bad input."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pqzk.cli.main import app
from pqzk.risk import analyze, load_committee, simulate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "risk"
COMMITTEE = EXAMPLES / "committee.toml"
COSTS = EXAMPLES / "compare-3-of-5.json"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_error(res, code: int, text: str) -> str:
    assert res.exit_code == code, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], res.stderr
    return lines[0]


def test_analyze_prints_the_exact_values_and_the_cross_check():
    res = run("risk", "analyze", COMMITTEE, "--samples", "20000")
    assert res.exit_code == 0, res.output
    r = analyze(load_committee(COMMITTEE).committee)
    text = " ".join(res.stdout.split())
    assert f"{r.theft:.3g}" in text and f"{r.loss:.3g}" in text
    assert "exact values inside the Monte Carlo intervals" in text and "aws-eu" in text and "dominated" in text
    assert "CRQC within the 10-year holding horizon" in text


def test_analyze_json():
    res = run("risk", "analyze", COMMITTEE, "--samples", "50000", "--seed", "9", "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    r = analyze(load_committee(COMMITTEE).committee)
    assert d["exact"]["theft"] == r.theft and d["exact"]["loss"] == r.loss
    assert d["monte_carlo"]["seed"] == 9 and d["monte_carlo"]["theft"]["samples"] == 50000
    mc = simulate(load_committee(COMMITTEE).committee, 50000, seed=9)     # the same draws: a 95 % interval
    assert (d["monte_carlo"]["theft"]["hits"], d["monte_carlo"]["loss"]["hits"]) == (mc.theft.hits, mc.loss.hits)
    assert d["monte_carlo"]["agrees"] is (mc.theft.contains(r.theft) and mc.loss.contains(r.loss))
    d2 = json.loads(run("risk", "analyze", COMMITTEE, "--exact-only", "--horizon-days", "30", "--json").stdout)
    assert d2["monte_carlo"] is None and d2["exact"]["horizon_days"] == 30
    assert d2["exact"]["theft"] == analyze(load_committee(COMMITTEE).committee, 30).theft


def test_plot_is_written_and_never_replaced_without_force(tmp_path):
    out = tmp_path / "frontier.png"
    res = run("risk", "analyze", COMMITTEE, "--exact-only", "--plot", out)
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    out.write_bytes(b"keep")
    one_error(run("risk", "analyze", COMMITTEE, "--exact-only", "--plot", out), 2, "--force")
    assert out.read_bytes() == b"keep"
    assert run("risk", "analyze", COMMITTEE, "--exact-only", "--plot", out, "--force").exit_code == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    one_error(run("risk", "analyze", COMMITTEE, "--plot", tmp_path / "frontier.gif"), 2, ".png")
    svg = tmp_path / "f.svg"
    assert run("risk", "analyze", COMMITTEE, "--exact-only", "--plot", svg).exit_code == 0
    assert b"<svg" in svg.read_bytes()[:500]


def test_plot_without_matplotlib_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "f.png"
    one_error(run("risk", "analyze", COMMITTEE, "--plot", out), 2, "pip install matplotlib")
    assert not out.exists()


def test_bad_committee_files(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text(COMMITTEE.read_text().replace("threshold = 3", "threshold = 8"))
    line = one_error(run("risk", "analyze", bad), 2, "signing.threshold")
    assert str(bad) in line
    res = run("risk", "analyze", tmp_path / "missing.toml", "--json")
    one_error(res, 2, "missing.toml")
    assert json.loads(res.stdout)["error"]["exit_code"] == 2


def test_quantum_table_from_compare_json():
    res = run("risk", "quantum", COMMITTEE, "--costs", COSTS)
    assert res.exit_code == 0, res.output
    assert "hybrid quorum cert" in res.stdout and "threshold" in res.stdout and "either" in res.stdout
    md = run("risk", "quantum", COMMITTEE, "--costs", COSTS, "--markdown").stdout
    assert "| FROST 3-of-5 | 64 |" in md and md.count("\n|") >= 10
    d = json.loads(run("risk", "quantum", COMMITTEE, "--costs", COSTS, "--json").stdout)
    rows = {r["name"]: r for r in d["rows"]}
    qc = rows["hybrid quorum cert 3-of-5"]
    assert qc["scheme"] == "hybrid-quorum" and qc["risk"]["unauthorized"] < rows["FROST 3-of-5"]["risk"]["unauthorized"]
    assert d["exposure"]["crqc_by_holding"] == pytest.approx(0.31, abs=0.01)


def test_quantum_errors(tmp_path):
    other = tmp_path / "c.toml"
    other.write_text(COMMITTEE.read_text().replace("threshold = 3", "threshold = 2"))
    one_error(run("risk", "quantum", other, "--costs", COSTS), 2, "pqzk compare -t 2 -n 5")
    plain = tmp_path / "plain.toml"
    text = COMMITTEE.read_text()
    plain.write_text(text[:text.index("[quantum]")])
    one_error(run("risk", "quantum", plain, "--costs", COSTS), 2, "no [quantum] table")


def test_quantum_measures_when_no_costs_are_given(tmp_path):
    small = tmp_path / "small.toml"
    small.write_text('version = 1\nhorizon_days = 365\n[signing]\nmode = "threshold"\nthreshold = 2\n'
                     '[parties.a]\ncompromise = 0.01\nloss = 0.01\n[parties.b]\ncompromise = 0.01\nloss = 0.01\n'
                     '[quantum]\nholding_years = 5\n[quantum.arrival]\nmodel = "exponential"\nmean_years = 30\n')
    res = run("risk", "quantum", small, "--repeat", "1", "--json")
    assert res.exit_code == 0, res.output
    rows = {r["name"]: r for r in json.loads(res.stdout)["rows"]}
    assert rows["FROST 2-of-2"]["available"] and rows["FROST 2-of-2"]["sign_ms"] > 0
    assert rows["threshold ML-DSA-44 2-of-2"]["authorization_bytes"] == 2420


def test_quantum_refuses_to_measure_beyond_compares_limit(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text('version = 1\nhorizon_days = 365\n[signing]\nmode = "threshold"\nthreshold = 40\n'
                   + "".join(f"[parties.p{i}]\ncompromise = 0.01\nloss = 0.01\n" for i in range(65))
                   + '[quantum]\nholding_years = 5\n[quantum.arrival]\nmodel = "never"\n')
    one_error(run("risk", "quantum", big), 2, "at most 64 parties")
    assert run("risk", "analyze", big, "--exact-only").exit_code == 0
