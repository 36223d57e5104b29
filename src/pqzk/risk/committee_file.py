"""COMMITTEE.toml (or .json): a committee for `pqzk risk`, parsed strictly.

Bounded parsing is `pqzk.policy.documents`'; here every field is type- and range-checked, unknown
fields are refused, and every error is an `InvalidEncoding` naming the file and the field (the
format is in docs/risk.md, an example in examples/risk/committee.toml).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidEncoding, InvalidParameter
from ..policy.documents import load_document, parse_document
from .frontier import FrontierSettings
from .model import Committee, Domain, Party, Recovery
from .quantum import ARRIVAL_MODELS, Lognormal, Piecewise, QuantumModel

FORMAT_VERSION = 1
TOP = {"version", "name", "description", "horizon_days", "refresh_days", "repair", "signing", "domains",
       "parties", "quantum", "frontier"}
PARTY = {"compromise", "loss", "domains", "standby"}
DOMAIN = {"compromise", "loss", "kind"}
SIGNING = {"mode", "threshold", "recovery"}
RECOVERY = {"threshold", "parties", "refreshed"}
QUANTUM = {"arrival", "holding_years", "secrecy_years", "migrate_years", "lattice_break_annual",
           "dealer_compromise", "holder", "scheme"}
ARRIVAL = {"lognormal": {"model", "median_years", "sigma"}, "exponential": {"model", "mean_years"},
           "piecewise": {"model", "points"}, "never": {"model"}}
FRONTIER = {"max_parties", "assignments"}


@dataclass(frozen=True)
class CommitteeDocument:
    """A parsed committee file: the committee, its quantum parameters (if any), frontier settings."""
    committee: Committee
    quantum: QuantumModel | None
    frontier: FrontierSettings
    description: str = ""


class _Fields:
    """Typed access to one document; errors name the document and the field's path."""

    def __init__(self, where: str) -> None:
        self.where = where

    def error(self, path: str, message: str) -> InvalidEncoding:
        return InvalidEncoding(f"{self.where} {path}: {message}")

    def table(self, d: dict, key: str, path: str, allowed: set[str] | None, *, required: bool = False) -> dict:
        v = d.get(key)
        if v is None:
            if required:
                raise self.error(f"{path}.{key}", "missing (a table is required)")
            return {}
        if not isinstance(v, dict):
            raise self.error(f"{path}.{key}", "must be a table")
        if allowed is not None:
            self.only(v, f"{path}.{key}", allowed)
        return v

    def only(self, d: dict, path: str, allowed: set[str]) -> None:
        extra = sorted(set(d) - allowed)
        if extra:
            raise self.error(path, f"unknown field {extra[0][:60]!r} (allowed: {', '.join(sorted(allowed))})")

    def number(self, d: dict, key: str, path: str, *, default: Any = None, required: bool = False,
               low: float = -math.inf, high: float = math.inf, low_open: bool = False) -> Any:
        if key not in d:
            if required:
                raise self.error(f"{path}.{key}", "missing")
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.error(f"{path}.{key}", "must be a number")
        if (v <= low if low_open else v < low) or v > high:
            raise self.error(f"{path}.{key}", f"must be in {'(' if low_open else '['}{low:g}, {high:g}], got {v!r:.40}")
        return float(v)

    def probability(self, d: dict, key: str, path: str, *, default: float | None = None) -> float:
        return self.number(d, key, path, default=default, required=default is None, low=0.0, high=1.0)

    def integer(self, d: dict, key: str, path: str, *, default: Any = None, required: bool = False,
                low: int = 1) -> Any:
        if key not in d:
            if required:
                raise self.error(f"{path}.{key}", "missing")
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.error(f"{path}.{key}", "must be an integer")
        if v < low:
            raise self.error(f"{path}.{key}", f"must be >= {low}, got {v}")
        return v

    def string(self, d: dict, key: str, path: str, *, default: Any = None, required: bool = False) -> Any:
        if key not in d:
            if required:
                raise self.error(f"{path}.{key}", "missing")
            return default
        if not isinstance(d[key], str):
            raise self.error(f"{path}.{key}", "must be a string")
        return d[key]

    def boolean(self, d: dict, key: str, path: str, *, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            raise self.error(f"{path}.{key}", "must be true or false")
        return v

    def names(self, d: dict, key: str, path: str) -> tuple[str, ...]:
        v = d.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.error(f"{path}.{key}", "must be a list of names")
        return tuple(v)


def _arrival(f: _Fields, a: dict):
    path = "$.quantum.arrival"
    model = f.string(a, "model", path, required=True)
    if model not in ARRIVAL:
        raise f.error(f"{path}.model", f"must be one of {', '.join(ARRIVAL)}, got {model[:40]!r}")
    f.only(a, path, ARRIVAL[model])
    if model == "lognormal":
        return Lognormal(f.number(a, "median_years", path, required=True, low=0, high=200, low_open=True),
                         f.number(a, "sigma", path, required=True, low=0, high=10, low_open=True))
    if model == "exponential":
        return ARRIVAL_MODELS[model](f.number(a, "mean_years", path, required=True, low=0, high=200, low_open=True))
    if model == "piecewise":
        pts = a.get("points")
        if not isinstance(pts, list) or not pts or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                            for x in p) for p in pts):
            raise f.error(f"{path}.points", "must be a non-empty list of [years, probability] pairs")
        return Piecewise(tuple((float(y), float(p)) for y, p in pts))
    return ARRIVAL_MODELS[model]()


def _quantum(f: _Fields, q: dict) -> QuantumModel | None:
    if not q:
        return None
    path = "$.quantum"
    arrival = f.table(q, "arrival", path, None, required=True)
    scheme = f.string(q, "scheme", path, default="classical")
    return QuantumModel(
        arrival=_arrival(f, arrival),
        holding_years=f.number(q, "holding_years", path, required=True, low=0, high=200, low_open=True),
        secrecy_years=f.number(q, "secrecy_years", path, low=0, high=200),
        migrate_years=f.number(q, "migrate_years", path, low=0, high=200),
        lattice_break_annual=f.probability(q, "lattice_break_annual", path, default=0.0),
        dealer_compromise=f.probability(q, "dealer_compromise", path, default=0.0),
        holder=f.string(q, "holder", path), scheme=scheme)


def committee_from_dict(doc: dict, where: str = "committee") -> CommitteeDocument:
    """A committee document (parsed JSON/TOML) into a `CommitteeDocument`; `where` names it in errors."""
    f = _Fields(where)
    if not isinstance(doc, dict):
        raise f.error("$", "must be a table")
    f.only(doc, "$", TOP)
    version = f.integer(doc, "version", "$", required=True)
    if version != FORMAT_VERSION:
        raise f.error("$.version", f"unsupported format version {version} (this pqzk reads {FORMAT_VERSION})")
    name = f.string(doc, "name", "$", default="")
    description = f.string(doc, "description", "$", default="")
    horizon = f.number(doc, "horizon_days", "$", required=True, low=0, high=73050, low_open=True)
    refresh = f.number(doc, "refresh_days", "$", default=0.0, low=0, high=73050)
    repair = f.boolean(doc, "repair", "$", default=False)
    signing = f.table(doc, "signing", "$", SIGNING, required=True)
    mode = f.string(signing, "mode", "$.signing", required=True)
    threshold = f.integer(signing, "threshold", "$.signing", default=1 if mode == "single" else None,
                          required=mode != "single")
    recovery = None
    if "recovery" in signing:
        r = f.table(signing, "recovery", "$.signing", RECOVERY)
        recovery = Recovery(f.integer(r, "threshold", "$.signing.recovery", required=True),
                            f.names(r, "parties", "$.signing.recovery"),
                            f.boolean(r, "refreshed", "$.signing.recovery", default=True))
    domains = []
    for dname, d in f.table(doc, "domains", "$", None).items():
        path = f"$.domains.{dname[:40]}"
        if not isinstance(d, dict):
            raise f.error(path, "must be a table")
        f.only(d, path, DOMAIN)
        domains.append(Domain(dname, f.probability(d, "compromise", path, default=0.0),
                              f.probability(d, "loss", path, default=0.0),
                              f.string(d, "kind", path, default="domain")))
    parties = []
    for pname, p in f.table(doc, "parties", "$", None, required=True).items():
        path = f"$.parties.{pname[:40]}"
        if not isinstance(p, dict):
            raise f.error(path, "must be a table")
        f.only(p, path, PARTY)
        parties.append(Party(pname, f.probability(p, "compromise", path), f.probability(p, "loss", path),
                             f.names(p, "domains", path), f.boolean(p, "standby", path, default=False)))
    fr = f.table(doc, "frontier", "$", FRONTIER)
    assignments = fr.get("assignments", ["declared", "balanced"])
    if not isinstance(assignments, list) or not all(isinstance(a, str) for a in assignments):
        raise f.error("$.frontier.assignments", "must be a list of names")
    try:
        committee = Committee(tuple(parties), threshold, horizon, mode=mode, domains=tuple(domains),
                              refresh_days=refresh, repair=repair, recovery=recovery, name=name)
        quantum = _quantum(f, f.table(doc, "quantum", "$", QUANTUM))
        if quantum is not None and quantum.holder is not None and quantum.holder not in {p.name for p in committee.parties}:
            raise InvalidParameter(f"quantum.holder: no party {quantum.holder[:40]!r}")
        frontier = FrontierSettings(f.integer(fr, "max_parties", "$.frontier"), tuple(assignments))
    except InvalidParameter as exc:
        raise InvalidEncoding(f"{where}: {exc}") from None
    return CommitteeDocument(committee, quantum, frontier, description)


def parse_committee(data: bytes | str, where: str = "committee", *, toml: bool = True) -> CommitteeDocument:
    """A committee document from TOML (or JSON) text, validated; errors name the file and field."""
    return committee_from_dict(parse_document(data, where, toml=toml), where)


def load_committee(path: str | Path) -> CommitteeDocument:
    """Read and parse a committee file (TOML if it ends in .toml, JSON otherwise)."""
    p = Path(path)
    return committee_from_dict(load_document(p, "committee"), f"committee {p}")


__all__ = ["FORMAT_VERSION", "CommitteeDocument", "committee_from_dict", "parse_committee", "load_committee"]
