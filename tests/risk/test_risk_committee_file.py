"""COMMITTEE.toml: the example parses into the committee it describes; every malformed field is
refused with an error naming the file and the field."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.risk import Lognormal, committee_from_dict, load_committee, parse_committee

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "risk" / "committee.toml"


def test_the_example_parses():
    doc = load_committee(EXAMPLE)
    c = doc.committee
    assert (c.mode, c.threshold, c.horizon_days, c.refresh_days, c.repair) == ("threshold", 3, 365, 30, True)
    assert [p.name for p in c.signers] == ["alice", "bob", "carol", "dave", "erin"]
    assert [p.name for p in c.pool] == ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
    assert c.party("alice").domains == ("aws-eu", "hsm-a", "ops-team") and c.domain("hsm-a").kind == "vendor"
    assert doc.quantum.arrival == Lognormal(16, 0.95) and doc.quantum.holder == "alice"
    assert doc.frontier.max_parties == 7 and "concentrated" in doc.frontier.assignments
    # the same document as JSON
    same = parse_committee(json.dumps(tomllib.loads(EXAMPLE.read_text())), "committee.json", toml=False)
    assert same.committee == c and same.quantum == doc.quantum


def base() -> dict:
    return {"version": 1, "horizon_days": 365, "signing": {"mode": "threshold", "threshold": 2},
            "domains": {"cloud": {"compromise": 0.01, "kind": "cloud"}, "other": {"kind": "cloud"}},
            "parties": {"a": {"compromise": 0.1, "loss": 0.1, "domains": ["cloud"]},
                        "b": {"compromise": 0.1, "loss": 0.1}, "c": {"compromise": 0.1, "loss": 0.1}},
            "quantum": {"holding_years": 5, "arrival": {"model": "exponential", "mean_years": 20}}}


def test_minimal_document_and_defaults():
    doc = committee_from_dict(base(), "x.toml")
    c = doc.committee
    assert (c.refresh_days, c.repair, c.name, c.domain("other").compromise) == (0.0, False, "", 0.0)
    assert doc.quantum.scheme == "classical" and doc.quantum.lattice_break_annual == 0.0
    single = base()
    single["signing"] = {"mode": "single"}
    single["parties"] = {"a": {"compromise": 0.1, "loss": 0.1}}
    assert committee_from_dict(single, "x").committee.threshold == 1
    cold = base()
    cold["signing"] = {"mode": "cold", "threshold": 2, "recovery": {"threshold": 1, "parties": ["c"],
                                                                    "refreshed": False}}
    c = committee_from_dict(cold, "x").committee
    assert [p.name for p in c.signers] == ["a", "b"] and c.recovery.parties == ("c",) and not c.recovery.refreshed


def setter(path: str, value):
    def run(d: dict) -> None:
        keys = path.split(".")
        for k in keys[:-1]:
            d = d[k]
        if value is DELETE:
            del d[keys[-1]]
        else:
            d[keys[-1]] = value
    return run


DELETE = object()
BAD = [
    ("version", DELETE, "$.version"), ("version", 2, "$.version"), ("version", "1", "$.version"),
    ("extra", 1, "unknown field 'extra'"),
    ("horizon_days", -1, "$.horizon_days"), ("horizon_days", True, "$.horizon_days"), ("horizon_days", DELETE, "$.horizon_days"),
    ("horizon_days", 10**6, "$.horizon_days"), ("refresh_days", -5, "$.refresh_days"), ("repair", "yes", "$.repair"),
    ("repair", True, "repair needs a refresh"), ("name", 3, "$.name"),
    ("signing", DELETE, "$.signing"), ("signing", [], "$.signing"), ("signing.mode", "dao", "signing.mode"),
    ("signing.threshold", 0, "$.signing.threshold"), ("signing.threshold", 9, "signing.threshold"),
    ("signing.threshold", 2.0, "$.signing.threshold"), ("signing.recovery", {"threshold": 1, "parties": ["c"]},
                                                        "signing.recovery is for mode 'cold'"),
    ("signing.mode", "cold", "needs a recovery path"), ("signing.mode", "single", "exactly one"),
    ("parties", DELETE, "$.parties"), ("parties", {}, "at least one party"), ("parties.a", 1, "$.parties.a"),
    ("parties.a.compromise", 1.5, "$.parties.a.compromise"), ("parties.a.compromise", "low", "$.parties.a.compromise"),
    ("parties.a.loss", DELETE, "$.parties.a.loss"), ("parties.a.colour", "red", "unknown field 'colour'"),
    ("parties.a.domains", ["nowhere"], "parties.a.domains: no domain 'nowhere'"),
    ("parties.a.domains", "cloud", "$.parties.a.domains"), ("parties.a.domains", ["cloud", "other"], "both of kind"),
    ("parties.a.standby", 1, "$.parties.a.standby"), ("parties.a b", {"compromise": 0, "loss": 0}, "is not a name"),
    ("domains.cloud.kind", 7, "$.domains.cloud.kind"), ("domains.cloud.compromise", -0.1, "$.domains.cloud.compromise"),
    ("domains.cloud", "x", "$.domains.cloud"), ("quantum.arrival", DELETE, "$.quantum.arrival"),
    ("quantum.arrival.model", "magic", "$.quantum.arrival.model"), ("quantum.arrival.mean_years", 0, "mean_years"),
    ("quantum.arrival.sigma", 1, "unknown field 'sigma'"), ("quantum.holding_years", DELETE, "$.quantum.holding_years"),
    ("quantum.holder", "zed", "quantum.holder: no party 'zed'"), ("quantum.scheme", "rot13", "quantum.scheme"),
    ("quantum.arrival", {"model": "piecewise", "points": [[5, 0.5], [3, 0.6]]}, "years must increase"),
    ("quantum.arrival", {"model": "piecewise", "points": [[5]]}, "$.quantum.arrival.points"),
    ("quantum.lattice_break_annual", 3, "$.quantum.lattice_break_annual"),
    ("frontier", {"max_parties": 0}, "$.frontier.max_parties"), ("frontier", {"assignments": ["x"]}, "frontier.assignments"),
    ("frontier", {"assignments": "declared"}, "$.frontier.assignments"), ("frontier", {"size": 3}, "unknown field 'size'"),
]


@pytest.mark.parametrize("path, value, message", BAD, ids=[f"{p}={v!r:.20}" for p, v, _ in BAD])
def test_bad_fields_are_named(path, value, message):
    doc = base()
    setter(path, value)(doc)
    with pytest.raises(InvalidEncoding) as e:
        committee_from_dict(doc, "committee bad.toml")
    assert str(e.value).startswith("committee bad.toml") and message in str(e.value), str(e.value)


def test_cold_static_recovery_sharing_a_domain_is_refused():
    doc = base()
    doc["refresh_days"] = 30
    doc["parties"]["c"]["domains"] = ["cloud"]
    doc["signing"] = {"mode": "cold", "threshold": 1, "recovery": {"threshold": 1, "parties": ["c"], "refreshed": False}}
    with pytest.raises(InvalidEncoding, match="static recovery path must share no failure domain"):
        committee_from_dict(doc, "c")
    doc["signing"]["recovery"]["refreshed"] = True
    committee_from_dict(doc, "c")


def test_files(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('version = 1\nhorizon_days = "soon"\n')
    with pytest.raises(InvalidEncoding, match=f"committee {p} \\$.horizon_days"):
        load_committee(p)
    p.write_text("version = \n")
    with pytest.raises(InvalidEncoding, match="not valid TOML"):
        load_committee(p)
    with pytest.raises(InvalidParameter, match="no-such"):
        load_committee(tmp_path / "no-such.toml")


@pytest.mark.parametrize("path", sorted(EXAMPLE.parent.glob("*.toml")), ids=lambda p: p.name)
def test_every_example_parses_and_its_numbers_hold(path):
    from pqzk.risk import analyze, simulate
    c = load_committee(path).committee
    r, mc = analyze(c), simulate(c, 100_000, seed=1, confidence=0.999)
    assert mc.theft.contains(r.theft) and mc.loss.contains(r.loss)
