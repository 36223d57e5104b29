"""The quantum dimension: arrival distributions, exposure (Mosca's inequality), each scheme's risk
from its layers, and the cost table built from `pqzk compare --json`."""
from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from risk_fixtures import domained

from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.risk import (Committee, Domain, Exponential, Lognormal, Never, Party, Piecewise, QuantumModel, analyze,
                       cost_table, exposure, scale, scheme_risk)
from pqzk.risk.model import DAYS_PER_YEAR
from pqzk.risk.quantum import SCHEMES, rows_from_compare, scheme_of_row

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "risk"


def model(**kw) -> QuantumModel:
    base = dict(arrival=Lognormal(16, 0.95), holding_years=10, secrecy_years=20, lattice_break_annual=0.002,
                dealer_compromise=0.001, holder="a")
    return QuantumModel(**(base | kw))


def test_arrival_distributions():
    ln = Lognormal(16, 0.95)
    assert ln.cdf(16) == pytest.approx(0.5) and ln.cdf(0) == 0.0
    # the example's parameters reproduce the GRI 2023 survey averages it was fitted to (docs/risk.md)
    assert ln.cdf(5) == pytest.approx(0.11, abs=0.005) and ln.cdf(10) == pytest.approx(0.31, abs=0.005)
    assert Exponential(20).cdf(20) == pytest.approx(1 - math.exp(-1))
    pw = Piecewise(((5, 0.1), (10, 0.3), (30, 0.8)))
    assert pw.cdf(0) == 0 and pw.cdf(2.5) == pytest.approx(0.05) and pw.cdf(20) == pytest.approx(0.55)
    assert pw.cdf(100) == 0.8                              # flat after the last point
    assert Never().cdf(1000) == 0.0
    for a in (ln, Exponential(20), pw):
        values = [a.cdf(y) for y in range(0, 60)]
        assert values == sorted(values) and all(0 <= v <= 1 for v in values)


@pytest.mark.parametrize("bad", [lambda: Lognormal(0, 1), lambda: Lognormal(10, 0), lambda: Lognormal(10, True),
                                 lambda: Exponential(-1), lambda: Exponential(float("inf")), lambda: Piecewise(()),
                                 lambda: Piecewise(((5, 0.5), (4, 0.6))), lambda: Piecewise(((5, 0.5), (6, 0.4))),
                                 lambda: Piecewise(((5, 1.5),))])
def test_arrival_parameters_are_checked(bad):
    with pytest.raises(InvalidParameter):
        bad()


@pytest.mark.parametrize("kw", [dict(holding_years=0), dict(holding_years=500), dict(secrecy_years=-1),
                                dict(lattice_break_annual=2.0), dict(dealer_compromise=-0.1), dict(scheme="rot13"),
                                dict(migrate_years=float("nan"))])
def test_quantum_model_is_checked(kw):
    with pytest.raises(InvalidParameter):
        model(**kw)


def test_exposure_is_moscas_inequality():
    q = model(migrate_years=4)
    e = exposure(q)
    F = q.arrival.cdf
    assert e.crqc_by_holding == F(10) and e.classical_forgeable == F(4)
    assert e.kex_harvested_now == F(20) and e.kex_harvested_last == F(24)      # recorded at migration + secrecy
    B20 = 1 - (1 - 0.002) ** 20
    assert e.hybrid_kex_harvested_now == pytest.approx(F(20) * B20)
    assert e.lattice_break_by_holding == pytest.approx(1 - 0.998 ** 10)
    none = exposure(model(arrival=Never()))
    assert none.crqc_by_holding == none.kex_harvested_last == none.hybrid_kex_harvested_now == 0.0


def _c() -> Committee:
    return replace(domained(), refresh_days=30)


def test_classical_is_custody_or_the_crqc():
    c, q = _c(), model()
    r = scheme_risk(c, q, "classical")
    K = analyze(c, 10 * DAYS_PER_YEAR).theft
    Q = q.arrival.cdf(10)
    assert r.custody == pytest.approx(K) and r.cryptanalytic == Q
    assert r.unauthorized == pytest.approx(1 - (1 - K) * (1 - Q))
    migrated = scheme_risk(c, model(migrate_years=3), "classical")
    assert migrated.cryptanalytic == q.arrival.cdf(3) and migrated.unauthorized < r.unauthorized


def test_hybrid_layers():
    c = _c()
    h = 10 * DAYS_PER_YEAR
    K = analyze(c, h).theft
    Ks = analyze(replace(c, refresh_days=0), h).theft
    assert K < Ks                      # refresh protects the classical shares; ML-DSA keys are never refreshed
    # no CRQC, no lattice break: only custody remains, and the classical layer's refresh counts
    quiet = model(arrival=Never(), lattice_break_annual=0.0, dealer_compromise=0.0)
    for s in ("hybrid-quorum", "hybrid-composite", "hybrid-threshold-mldsa"):
        assert scheme_risk(c, quiet, s).unauthorized == pytest.approx(K)
    # a certain CRQC: the classical layer is gone, the post-quantum layer's custody (static) is what is left
    sure = model(arrival=Piecewise(((0.5, 1.0),)), lattice_break_annual=0.0, dealer_compromise=0.0)
    assert scheme_risk(c, sure, "hybrid-quorum").unauthorized == pytest.approx(Ks)
    assert scheme_risk(c, sure, "threshold-mldsa").unauthorized == pytest.approx(Ks)
    q = model()
    Q, B = q.arrival.cdf(10), 1 - 0.998 ** 10
    r = scheme_risk(c, q, "hybrid-quorum")
    assert r.unauthorized == pytest.approx(K + Q * (1 - (1 - Ks) * (1 - B) - K))
    assert r.unauthorized < scheme_risk(c, q, "classical").unauthorized
    tm = scheme_risk(c, q, "hybrid-threshold-mldsa")
    assert tm.unauthorized == pytest.approx(K + Q * (1 - (1 - Ks) * (1 - 0.001) * (1 - B) - K))
    assert scheme_risk(c, q, "threshold-mldsa").unauthorized == pytest.approx(1 - (1 - Ks) * (1 - 0.001) * (1 - B))


def test_composite_mode_adds_the_combiner_as_a_single_point():
    """Static t-of-n seed shares, or the holder who reassembles the seed to sign: checked against
    an enumeration of every outcome."""
    d = Domain("dc", 0.05, 0.0)
    c = Committee((Party("a", 0.1, 0, ("dc",)), Party("b", 0.2, 0), Party("c", 0.15, 0, ("dc",)),
                   Party("x", 0.3, 0)), 3, 365, domains=(d,))
    q = model(arrival=Piecewise(((0.5, 1.0),)), lattice_break_annual=0.0, dealer_compromise=0.0, holding_years=1,
              holder="b")
    pr = {p.name: Fraction(scale(p.compromise, 365, DAYS_PER_YEAR)) for p in c.parties}
    pd = Fraction(scale(0.05, 365, DAYS_PER_YEAR))
    expected = Fraction(0)
    for dom in (0, 1):
        for bits in itertools.product((0, 1), repeat=4):
            w = pd if dom else 1 - pd
            got = set()
            for p, b in zip(c.parties, bits):
                w *= pr[p.name] if b else 1 - pr[p.name]
                if b or (dom and p.domains):
                    got.add(p.name)
            if len(got) >= 3 or "b" in got:
                expected += w
    r = scheme_risk(c, q, "hybrid-composite")
    assert r.unauthorized == pytest.approx(float(expected), rel=1e-12)
    assert r.unauthorized > scheme_risk(c, q, "hybrid-quorum").unauthorized


def test_single_key_schemes_use_the_holder_and_its_domains():
    c, q = _c(), model(holder="a")
    a = c.party("a")
    h = 10 * DAYS_PER_YEAR
    p_own = scale(a.compromise, 365, h)
    doms = [scale(c.domain(d).compromise, 365, h) for d in a.domains]
    expected = 1 - (1 - p_own) * math.prod(1 - x for x in doms)
    assert scheme_risk(c, q, "classical-single").custody == pytest.approx(expected, rel=1e-12)
    assert scheme_risk(c, q, "mldsa-single").custody == pytest.approx(expected, rel=1e-12)
    comp = scheme_risk(c, q, "composite-single")
    assert comp.unauthorized == pytest.approx(1 - (1 - expected) * (1 - comp.cryptanalytic))
    assert scheme_risk(c, model(holder=None), "classical-single").custody == \
        scheme_risk(c, model(holder=c.signers[0].name), "classical-single").custody
    with pytest.raises(InvalidParameter):
        scheme_risk(c, q, "nope")


def test_rows_map_to_schemes():
    assert scheme_of_row("FROST 3-of-5") == "classical"
    assert scheme_of_row("threshold BLS 3-of-5") == "classical"
    assert scheme_of_row("threshold ML-DSA-65 3-of-5") == "threshold-mldsa"
    assert scheme_of_row("hybrid threshold ML-DSA 3-of-5") == "hybrid-threshold-mldsa"
    assert scheme_of_row("hybrid quorum cert 3-of-5") == "hybrid-quorum"
    assert scheme_of_row("hybrid composite 3-of-5") == "hybrid-composite"
    assert scheme_of_row("ML-DSA-87") == "mldsa-single"
    assert scheme_of_row("MLDSA65-Ed25519-SHA512") == "composite-single"
    assert scheme_of_row("Ed25519") == "classical-single"
    assert scheme_of_row("something else") is None
    assert set(SCHEMES) == {"classical-single", "classical", "mldsa-single", "composite-single", "threshold-mldsa",
                            "hybrid-quorum", "hybrid-composite", "hybrid-threshold-mldsa"}


def test_cost_table_from_pqzk_compare_json():
    doc = json.loads((EXAMPLES / "compare-3-of-5.json").read_text())
    c = replace(_c(), threshold=3)
    rows, machine = rows_from_compare(doc, "costs", 3, 5)
    assert machine["cpus"] == doc["machine"]["cpus"]
    table = cost_table(c, model(), rows)
    names = {r.name: r for r in table}
    for needed in ("FROST 3-of-5", "hybrid quorum cert 3-of-5", "hybrid composite 3-of-5",
                   "threshold ML-DSA-65 3-of-5", "hybrid threshold ML-DSA 3-of-5"):
        assert needed in names and names[needed].available
    row = names["hybrid quorum cert 3-of-5"]
    source = next(r for r in doc["results"] if r["scheme"] == row.name)
    assert (row.authorization_bytes, row.sign_ms) == (source["authorization_bytes"], source["sign_ms"])
    assert row.risk == scheme_risk(c, model(), "hybrid-quorum")


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(threshold=2), "measured for 2-of-5"),
    (lambda d: d.update(results={}), "no results list"),
    (lambda d: d["results"][0].update(sign_ms="fast"), "sign_ms"),
    (lambda d: d["results"][0].update(available="yes"), "available"),
    (lambda d: d["results"][3].update(verify_ms=-1), "verify_ms"),
    (lambda d: d.update(results=[r for r in d["results"] if False]), "no row"),
])
def test_costs_documents_are_checked(mutate, message):
    doc = json.loads((EXAMPLES / "compare-3-of-5.json").read_text())
    mutate(doc)
    with pytest.raises(InvalidEncoding, match=message):
        rows_from_compare(doc, "costs", 3, 5)
