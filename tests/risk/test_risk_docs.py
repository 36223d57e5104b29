"""docs/risk.md's worked example quotes numbers; they are recomputed here so the page stays true."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from pqzk.risk import analyze, cost_table, exposure, frontier, load_committee, sensitivity, simulate
from pqzk.risk.quantum import rows_from_compare

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "risk.md").read_text()
TEXT = " ".join(DOC.split())
EXAMPLE = load_committee(ROOT / "examples" / "risk" / "committee.toml")


def num(x: float) -> str:
    """How the page writes a probability: 3 significant digits, powers of ten below 0.001."""
    if x < 1e-3:
        m, e = f"{x:.2e}".split("e")
        return f"{m} × 10^{int(e)}"
    return f"{x:.3g}"


def quoted(x: float) -> bool:
    return num(x) in TEXT or f"{x:.3f}" in TEXT


def test_the_worked_example_numbers():
    c = EXAMPLE.committee
    r = analyze(c)
    assert quoted(r.theft) and f"{r.loss:.5f}" in TEXT
    mc = simulate(c, 200_000, seed=0)
    assert f"({mc.theft.hits} hits)" in TEXT and f"({mc.loss.hits} hits)" in TEXT
    assert f"[{num(mc.theft.low)}, {num(mc.theft.high)}]" in TEXT
    rows = {i.name: i for i in sensitivity(c)}
    assert quoted(rows["aws-eu"].theft_if_perfect) and quoted(rows["hsm-a"].theft_if_perfect)
    assert num(rows["erin"].theft_drop) in TEXT
    assert num(rows["aws-eu"].loss_if_perfect) in TEXT
    assert quoted(analyze(replace(c, refresh_days=0, repair=False)).theft)
    f = frontier(c, EXAMPLE.frontier)
    assert f"{len(f.points)} candidates" in TEXT and not f.current.pareto
    pts = {(p.threshold, p.parties, p.assignment): p for p in f.points}
    bal = pts[(3, 5, "balanced")]
    assert num(bal.theft) in TEXT and num(bal.loss) in TEXT
    assert f"{r.theft / bal.theft:.0f} and {r.loss / bal.loss:.0f} times lower" in TEXT
    assert num(pts[(4, 7, "declared")].theft) in TEXT and pts[(4, 7, "declared")].pareto
    for names in (["erin"], ["erin", "dave"]):
        q = analyze(c.quarantined(names))
        assert quoted(q.theft) and (quoted(q.loss) or f"{q.loss:.5f}" in TEXT)


def test_the_quantum_table():
    c, q = EXAMPLE.committee, EXAMPLE.quantum
    e = exposure(q)
    assert f"{e.crqc_by_holding:.3f}" in TEXT and quoted(e.kex_harvested_now) and quoted(e.hybrid_kex_harvested_now)
    doc = json.loads((ROOT / "examples" / "risk" / "compare-3-of-5.json").read_text())
    rows, _ = rows_from_compare(doc, "costs", 3, 5)
    table = {r.name: r for r in cost_table(c, q, rows)}
    lines = [line for line in DOC.splitlines() if line.startswith("| ")]
    for name in ("FROST 3-of-5", "hybrid quorum cert 3-of-5", "hybrid composite 3-of-5",
                 "threshold ML-DSA-65 3-of-5", "hybrid threshold ML-DSA 3-of-5"):
        row = table[name]
        line = next(x for x in lines if x.startswith(f"| {name} |"))
        cells = [x.strip() for x in line.strip("|").split("|")]
        assert cells[1] == str(row.authorization_bytes)
        assert [float(x) for x in cells[4:7]] == [float(num(v)) for v in
                                                  (row.risk.custody, row.risk.cryptanalytic, row.risk.unauthorized)]
