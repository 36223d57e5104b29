"""The quantum dimension of long-term custody (docs/risk.md, "Quantum").

A distribution for the arrival time of a cryptographically relevant quantum computer (CRQC), in
years from now, and the holding horizon give the probability that a classical-only authorization
becomes forgeable while its key still controls the assets, and that a key exchange harvested now
(or at the last classical session) becomes readable while it must stay secret. Each authorization
scheme of the kit has layers; each layer falls to custody theft (the committee's shares) or to
cryptanalysis (the CRQC for the classical layer, a break of the lattice assumption for ML-DSA);
the authorization is forged when every layer has fallen. `scheme_risk` combines the exact custody
terms with these; `cost_table` puts them beside `pqzk compare`'s measured costs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import Protocol

import numpy as np

from ..errors import InvalidParameter
from .exact import Layout, distribution, scale_array
from .model import DAYS_PER_YEAR, Committee, check_probability

MAX_YEARS = 200.0


def _years(value: object, what: str, *, zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not (0 <= value if zero else 0 < value) or value > MAX_YEARS:
        bound = "[0" if zero else "(0"
        raise InvalidParameter(f"{what} must be a number of years in {bound}, {MAX_YEARS:g}], got {value!r:.40}")
    return float(value)


class Arrival(Protocol):
    """A distribution of the CRQC's arrival, in years from now."""

    def cdf(self, years: float) -> float:
        """P(a cryptographically relevant quantum computer arrives within `years`)."""

    def to_dict(self) -> dict:
        """The model as a JSON-ready dict."""


@dataclass(frozen=True)
class Lognormal:
    """ln(arrival) ~ Normal(ln median, sigma): a right-skewed belief with a median year."""
    median_years: float
    sigma: float

    def __post_init__(self) -> None:
        _years(self.median_years, "quantum.arrival.median_years")
        if isinstance(self.sigma, bool) or not isinstance(self.sigma, (int, float)) or not 0 < self.sigma <= 10:
            raise InvalidParameter(f"quantum.arrival.sigma must be in (0, 10], got {self.sigma!r:.40}")

    def cdf(self, years: float) -> float:
        """P(a cryptographically relevant quantum computer arrives within `years`), lognormal in time."""
        if years <= 0:
            return 0.0
        return NormalDist().cdf((math.log(years) - math.log(self.median_years)) / self.sigma)

    def to_dict(self) -> dict:
        """The model as a JSON-ready dict."""
        return {"model": "lognormal", "median_years": self.median_years, "sigma": self.sigma}


@dataclass(frozen=True)
class Exponential:
    """A constant hazard: P(by y) = 1 − exp(−y / mean)."""
    mean_years: float

    def __post_init__(self) -> None:
        _years(self.mean_years, "quantum.arrival.mean_years")

    def cdf(self, years: float) -> float:
        """P(a cryptographically relevant quantum computer arrives within `years`), exponential in time."""
        return -math.expm1(-max(years, 0.0) / self.mean_years)

    def to_dict(self) -> dict:
        """The model as a JSON-ready dict."""
        return {"model": "exponential", "mean_years": self.mean_years}


@dataclass(frozen=True)
class Piecewise:
    """An expert-survey style belief: P(by y) at a few horizons, linear in between, 0 at 0, and
    flat after the last point (the remaining mass: never, or later than the survey asked)."""
    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if not self.points:
            raise InvalidParameter("quantum.arrival.points: give at least one [years, probability] pair")
        prev_y, prev_p = 0.0, 0.0
        for k, (y, p) in enumerate(self.points):
            _years(y, f"quantum.arrival.points[{k}] years")
            check_probability(p, f"quantum.arrival.points[{k}] probability")
            if y <= prev_y or p < prev_p:
                raise InvalidParameter(f"quantum.arrival.points[{k}]: years must increase and probabilities "
                                       "must not decrease")
            prev_y, prev_p = y, p

    def cdf(self, years: float) -> float:
        """P(a cryptographically relevant quantum computer arrives within `years`), interpolated between
        the given points."""
        ys = [0.0] + [y for y, _ in self.points]
        ps = [0.0] + [p for _, p in self.points]
        return float(np.interp(max(years, 0.0), ys, ps))

    def to_dict(self) -> dict:
        """The model as a JSON-ready dict."""
        return {"model": "piecewise", "points": [list(p) for p in self.points]}


@dataclass(frozen=True)
class Never:
    """No CRQC (a baseline to compare against)."""

    def cdf(self, years: float) -> float:
        """Zero: no quantum computer ever arrives (the classical baseline)."""
        return 0.0

    def to_dict(self) -> dict:
        """The model as a JSON-ready dict."""
        return {"model": "never"}


ARRIVAL_MODELS = {"lognormal": Lognormal, "exponential": Exponential, "piecewise": Piecewise, "never": Never}

# scheme -> (the `pqzk compare` rows it covers (name prefixes), what it is)
SCHEMES: dict[str, tuple[tuple[str, ...], str]] = {
    "classical-single": (("Ed25519", "ECDSA-P256", "BLS (min-pk)"), "one classical key, held by the holder"),
    "classical": (("FROST ", "threshold BLS "), "classical threshold signature (t-of-n, refreshed)"),
    "mldsa-single": (("ML-DSA-",), "one ML-DSA key, held by the holder"),
    "composite-single": (("MLDSA",), "one composite key (ML-DSA + a classical key), held by the holder"),
    "threshold-mldsa": (("threshold ML-DSA-",), "threshold ML-DSA (t-of-n, trusted dealer, no refresh)"),
    "hybrid-quorum": (("hybrid quorum cert ",), "FROST + t ML-DSA signatures by the signers' own keys"),
    "hybrid-composite": (("hybrid composite ",), "FROST + one ML-DSA key from a Shamir-shared seed, "
                                                "reassembled by the holder (the combiner) to sign"),
    "hybrid-threshold-mldsa": (("hybrid threshold ML-DSA ",), "FROST + threshold ML-DSA"),
}


@dataclass(frozen=True)
class QuantumModel:
    """The quantum parameters of a committee file's `[quantum]` table.

    `holding_years`: how long the keys control the assets; `secrecy_years`: how long data sent
    under a key exchange must stay secret; `migrate_years`: when classical-only keys and key
    exchanges are retired (default: never within the holding horizon); `lattice_break_annual`:
    the yearly probability that ML-DSA/ML-KEM's lattice assumption falls (a constant hazard);
    `dealer_compromise`: that the trusted dealer of a seed or threshold ML-DSA key leaked it;
    `holder`: the party holding single keys and acting as composite mode's combiner."""
    arrival: Arrival
    holding_years: float
    secrecy_years: float | None = None
    migrate_years: float | None = None
    lattice_break_annual: float = 0.0
    dealer_compromise: float = 0.0
    holder: str | None = None
    scheme: str = "classical"

    def __post_init__(self) -> None:
        _years(self.holding_years, "quantum.holding_years")
        if self.secrecy_years is not None:
            _years(self.secrecy_years, "quantum.secrecy_years", zero=True)
        if self.migrate_years is not None:
            _years(self.migrate_years, "quantum.migrate_years", zero=True)
        check_probability(self.lattice_break_annual, "quantum.lattice_break_annual")
        check_probability(self.dealer_compromise, "quantum.dealer_compromise")
        if self.scheme not in SCHEMES:
            raise InvalidParameter(f"quantum.scheme must be one of {', '.join(SCHEMES)}, got {self.scheme!r:.40}")

    def to_dict(self) -> dict:
        """The model as a JSON-ready dict."""
        return {"arrival": self.arrival.to_dict(), "holding_years": self.holding_years,
                "secrecy_years": self.secrecy, "migrate_years": self.migrate_years,
                "lattice_break_annual": self.lattice_break_annual, "dealer_compromise": self.dealer_compromise,
                "holder": self.holder, "scheme": self.scheme}

    @property
    def secrecy(self) -> float:
        """Years the key must stay secret (the holding period unless given)."""
        return self.holding_years if self.secrecy_years is None else self.secrecy_years

    @property
    def classical_until(self) -> float:
        """Years during which classical-only keys are in use."""
        return self.holding_years if self.migrate_years is None else min(self.migrate_years, self.holding_years)

    def lattice_break(self, years: float) -> float:
        """P(ML-DSA's lattice problem is broken within `years`), from the annual probability."""
        return -math.expm1(years * math.log1p(-min(self.lattice_break_annual, 1.0))) \
            if self.lattice_break_annual < 1 else 1.0


@dataclass(frozen=True)
class Exposure:
    """What the CRQC distribution alone says."""
    crqc_by_holding: float                 # the CRQC exists before the holding horizon ends
    classical_forgeable: float             # ... while classical-only keys are still in use
    kex_harvested_now: float               # a classical key exchange recorded today is read in time
    kex_harvested_last: float              # the last classical one (at migration) is read in time
    hybrid_kex_harvested_now: float        # X-Wing: the CRQC and a lattice break, both in time
    lattice_break_by_holding: float

    def to_dict(self) -> dict:
        """The exposure as a JSON-ready dict."""
        return dict(self.__dict__)


def exposure(q: QuantumModel) -> Exposure:
    """Mosca's X + Y > Z made quantitative: the CRQC arriving within a key's use (forgery) or
    within the time harvested traffic must stay secret (reading it)."""
    F = q.arrival.cdf
    s = q.secrecy
    return Exposure(F(q.holding_years), F(q.classical_until), F(s), F(q.classical_until + s),
                    F(s) * q.lattice_break(s), q.lattice_break(q.holding_years))


def _custody(c: Committee, q: QuantumModel, *, static: bool, holder_too: bool = False) -> float:
    """P(custody theft over the holding horizon): the committee as configured (`static` False:
    its refresh schedule), or with no refresh at all (keys that are never refreshed: ML-DSA keys,
    seed shares, threshold ML-DSA shares); `holder_too` adds the holder as a 1-of-1 path (composite
    mode's combiner holds the whole seed while signing)."""
    from .exact import analyze
    h = q.holding_years * DAYS_PER_YEAR
    if not static:
        return analyze(c, h).theft
    cs = replace(c, refresh_days=0.0, repair=False)
    if not holder_too:
        return analyze(cs, h).theft
    L = Layout.of(cs)
    holder = holder_of(c, q)
    names = list(L.names)
    if holder not in names:
        names.append(holder)
    dom_index = {d.name: i for i, d in enumerate(c.domains)}
    membership = [tuple(dom_index[d] for d in c.party(n).domains) for n in names]
    f = np.array([[c.party(n).compromise for n in names]])
    g = np.array([[d.compromise for d in c.domains]])
    paths = [tuple(range(L.n_primary)), (names.index(holder),)]
    caps = [c.threshold, 1]
    if L.recovery:
        paths.append(L.recovery)
        caps.append(L.recovery_threshold)
    T = distribution(paths, caps, membership, scale_array(f, c.horizon_days, h), scale_array(g, c.horizon_days, h))[0]
    idx = np.indices(T.shape)
    stolen = np.zeros(T.shape, dtype=bool)
    for axis, cap in enumerate(caps):
        stolen |= idx[axis] == cap                   # some path reached its threshold
    return float(T[stolen].sum())


def holder_of(c: Committee, q: QuantumModel) -> str:
    """The party that holds the whole key in a single-holder scheme: the model's `holder`, or the first
    signer."""
    name = q.holder if q.holder is not None else c.signers[0].name
    c.party(name)
    return name


def _holder_alone(c: Committee, q: QuantumModel) -> float:
    """P(the holder, alone, is compromised within the holding horizon), its domains included."""
    holder = c.party(holder_of(c, q))
    solo = replace(c, parties=(replace(holder, standby=False),), mode="single", threshold=1, recovery=None,
                   refresh_days=0.0, repair=False)
    return _custody(solo, q, static=True)


@dataclass(frozen=True)
class SchemeRisk:
    """Over the holding horizon: P(custody theft), P(forgery by cryptanalysis alone) and
    P(unauthorized signature) — either, for all layers."""
    scheme: str
    custody: float
    cryptanalytic: float
    unauthorized: float
    formula: str

    def to_dict(self) -> dict:
        """The risk as a JSON-ready dict."""
        return dict(self.__dict__)


def scheme_risk(c: Committee, q: QuantumModel, scheme: str | None = None) -> SchemeRisk:
    """The risk of authorizing with `scheme` (default: the model's) for this committee.

    Custody and cryptanalysis are independent; a party's compromise yields everything it holds
    (its classical share and its ML-DSA key or share), so the classical layer's theft (within an
    epoch) implies the post-quantum layer's (accumulated, never refreshed): C_c ⊆ C_p. Then for
    two layers (C_c ∪ X_c) ∩ (C_p ∪ X_p) = C_c ∪ (X_c ∩ (C_p ∪ X_p)), whose probability is
    K + Q·(1 − (1 − K_s)(1 − B) − K)."""
    scheme = q.scheme if scheme is None else scheme
    if scheme not in SCHEMES:
        raise InvalidParameter(f"unknown scheme {scheme!r:.40}; one of {', '.join(SCHEMES)}")
    Q_c = q.arrival.cdf(q.classical_until)           # classical-only: exposed until migration
    Q_h = q.arrival.cdf(q.holding_years)             # hybrid: the classical layer stays in use
    B = q.lattice_break(q.holding_years)
    d = q.dealer_compromise

    def union(*ps: float) -> float:
        out = 0.0
        for p in ps:
            out = out + p - out * p
        return out
    if scheme == "classical-single":
        k = _holder_alone(c, q)
        return SchemeRisk(scheme, k, Q_c, union(k, Q_c), "K1 ∪ Q")
    if scheme == "classical":
        k = _custody(c, q, static=False)
        return SchemeRisk(scheme, k, Q_c, union(k, Q_c), "K ∪ Q")
    if scheme == "mldsa-single":
        k = _holder_alone(c, q)
        return SchemeRisk(scheme, k, B, union(k, B), "K1 ∪ B")
    if scheme == "composite-single":          # one holder holds both halves: C_c = C_p
        k = _holder_alone(c, q)
        return SchemeRisk(scheme, k, Q_h * B, union(k, Q_h * B), "K1 ∪ (Q ∩ B)")
    if scheme == "threshold-mldsa":
        k = union(_custody(c, q, static=True), d)
        return SchemeRisk(scheme, k, B, union(k, B), "(Ks ∪ dealer) ∪ B")
    k = _custody(c, q, static=False)
    if scheme == "hybrid-composite":
        ks = union(_custody(c, q, static=True, holder_too=True), d)
        formula = "K + Q·(P((Ks ∪ holder ∪ dealer) ∪ B) − K)"
    else:
        ks = _custody(c, q, static=True)
        if scheme == "hybrid-threshold-mldsa":
            ks = union(ks, d)
            formula = "K + Q·(P((Ks ∪ dealer) ∪ B) − K)"
        else:
            formula = "K + Q·(P(Ks ∪ B) − K)"
    pq_layer = union(ks, B)
    return SchemeRisk(scheme, k, Q_h * B, k + Q_h * max(0.0, pq_layer - k), formula)


def scheme_of_row(name: str) -> str | None:
    """The scheme a `pqzk compare` row measures (by its name), or None."""
    best = None
    for scheme, (prefixes, _) in SCHEMES.items():
        for pre in prefixes:
            if name.startswith(pre) and (best is None or len(pre) > best[1]):
                best = (scheme, len(pre))
    return best[0] if best else None


@dataclass(frozen=True)
class CostRiskRow:
    name: str
    scheme: str
    available: bool
    reason: str
    authorization_bytes: int | None
    public_key_bytes: int | None
    sign_ms: float | None
    verify_ms: float | None
    rounds: int | None
    bytes_per_party: int | None
    risk: SchemeRisk

    def to_dict(self) -> dict:
        """The row as a JSON-ready dict, its risk included."""
        out = {k: v for k, v in self.__dict__.items() if k != "risk"}
        out["risk"] = self.risk.to_dict()
        return out


COST_FIELDS = ("authorization_bytes", "public_key_bytes", "sign_ms", "verify_ms", "rounds", "bytes_per_party")


def cost_table(c: Committee, q: QuantumModel, rows: list[dict]) -> list[CostRiskRow]:
    """`pqzk compare` rows (as dicts: name under "scheme", the cost fields, "available",
    "reason") for the schemes `SCHEMES` covers, each with its risk for this committee."""
    risks: dict[str, SchemeRisk] = {}
    out = []
    for r in rows:
        scheme = scheme_of_row(r["scheme"])
        if scheme is None:
            continue
        if scheme not in risks:
            risks[scheme] = scheme_risk(c, q, scheme)
        out.append(CostRiskRow(r["scheme"], scheme, bool(r.get("available")), r.get("reason") or "",
                               *(r.get(k) for k in COST_FIELDS), risks[scheme]))
    return out


def rows_from_compare(doc: dict, where: str, threshold: int, parties: int) -> tuple[list[dict], dict]:
    """The rows and machine of a `pqzk compare --json` document, checked: measured for the same
    t-of-n as the committee (sizes and times depend on both), every cost field a number or null."""
    from ..errors import InvalidEncoding
    if doc.get("threshold") != threshold or doc.get("parties") != parties:
        raise InvalidEncoding(f"{where}: measured for {doc.get('threshold')!r:.20}-of-{doc.get('parties')!r:.20}, "
                              f"the committee signs {threshold}-of-{parties} "
                              f"(run pqzk compare -t {threshold} -n {parties} --json)")
    results, machine = doc.get("results"), doc.get("machine", {})
    if not isinstance(results, list) or not isinstance(machine, dict):
        raise InvalidEncoding(f"{where}: not a `pqzk compare --json` document (no results list)")
    rows = []
    for k, r in enumerate(results):
        if not isinstance(r, dict) or not isinstance(r.get("scheme"), str) or not isinstance(r.get("available"), bool):
            raise InvalidEncoding(f"{where} $.results[{k}]: needs a scheme name and available true/false")
        for f in COST_FIELDS:
            v = r.get(f)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0):
                raise InvalidEncoding(f"{where} $.results[{k}].{f}: must be a number >= 0 or null")
        if not isinstance(r.get("reason", ""), str):
            raise InvalidEncoding(f"{where} $.results[{k}].reason: must be a string")
        rows.append(r)
    if not any(scheme_of_row(r["scheme"]) for r in rows):
        raise InvalidEncoding(f"{where}: no row for a scheme `pqzk risk quantum` covers")
    return rows, {k: v for k, v in machine.items() if isinstance(v, (str, int))}


__all__ = ["Arrival", "Lognormal", "Exponential", "Piecewise", "Never", "ARRIVAL_MODELS", "SCHEMES",
           "QuantumModel", "Exposure", "exposure", "SchemeRisk", "scheme_risk", "scheme_of_row",
           "CostRiskRow", "cost_table", "COST_FIELDS", "holder_of", "rows_from_compare"]
