"""The custody-risk model as data: parties, failure domains, the signing structure and the
refresh schedule of one committee (docs/risk.md).

Every probability is over the committee's `horizon_days`. Over any other period it follows from a
constant hazard (`scale`): a party with probability p over H days has 1 − (1 − p)^(L/H) over L
days. The committee is a frozen value; the transformations a responder needs (quarantine a party,
remove it after a reshare, raise the threshold) return new committees.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ..errors import InvalidParameter

MODES = ("single", "multisig", "threshold", "cold")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_PARTIES = 1000
MAX_DOMAINS = 256
MAX_HORIZON_DAYS = 365.25 * 200
DAYS_PER_YEAR = 365.25


def check_probability(value: object, what: str) -> float:
    """A number in [0, 1] (not a bool); `InvalidParameter` naming `what` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= 1:
        raise InvalidParameter(f"{what} must be a probability in [0, 1], got {value!r:.40}")
    return float(value)


def scale(p: float, from_days: float, to_days: float) -> float:
    """Probability over `to_days` of an event with probability `p` over `from_days`, under a
    constant hazard: 1 − (1 − p)^(to/from), computed without cancellation for small p."""
    if p >= 1.0:
        return 1.0 if to_days > 0 else 0.0
    return -math.expm1((to_days / from_days) * math.log1p(-p))


@dataclass(frozen=True)
class Party:
    """One share holder: probabilities of its own compromise and loss over the horizon (events
    of its failure domains come on top), the domains it belongs to, and whether it is only a
    candidate (`standby`: considered by the frontier, not part of the current committee)."""
    name: str
    compromise: float
    loss: float
    domains: tuple[str, ...] = ()
    standby: bool = False


@dataclass(frozen=True)
class Domain:
    """A failure domain (a cloud, an HSM vendor, a jurisdiction, an operator): one event over the
    horizon compromises, another loses, every member's share at once. `kind` groups alternative
    domains (each party is in at most one domain of a kind)."""
    name: str
    compromise: float = 0.0
    loss: float = 0.0
    kind: str = "domain"


@dataclass(frozen=True)
class Recovery:
    """Cold storage's recovery path: `threshold` of `parties` can restore the key. `refreshed`:
    its shares are refreshed (and repaired) with the committee's; a static path (paper backups in
    safes, say) accumulates compromises and losses over the whole horizon."""
    threshold: int
    parties: tuple[str, ...]
    refreshed: bool = True


@dataclass(frozen=True)
class Committee:
    """Parties (including standby candidates), failure domains, the signing mode and threshold,
    the horizon the probabilities are stated over, the proactive refresh period (0: none) and
    whether lost shares are repaired at each refresh.

    Modes: `single` (one key, one holder), `multisig` (t of n independent keys; `refresh_days`
    is then the key-rotation period), `threshold` (t-of-n shares of one key), `cold` (t-of-n
    primary shares plus a `recovery` path; either restores the key)."""
    parties: tuple[Party, ...]
    threshold: int
    horizon_days: float
    mode: str = "threshold"
    domains: tuple[Domain, ...] = ()
    refresh_days: float = 0.0
    repair: bool = False
    recovery: Recovery | None = None
    name: str = ""
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {p.name: p for p in self.parties})
        self._validate()

    # ------------------------------------------------------------------ validation
    def _validate(self) -> None:
        if self.mode not in MODES:
            raise InvalidParameter(f"signing.mode must be one of {', '.join(MODES)}, got {self.mode!r:.40}")
        if not self.parties:
            raise InvalidParameter("a committee needs at least one party")
        if len(self.parties) > MAX_PARTIES:
            raise InvalidParameter(f"{len(self.parties)} parties: at most {MAX_PARTIES}")
        if len(self.domains) > MAX_DOMAINS:
            raise InvalidParameter(f"{len(self.domains)} domains: at most {MAX_DOMAINS}")
        for kind, items in (("party", self.parties), ("domain", self.domains)):
            seen: set[str] = set()
            for x in items:
                if not isinstance(x.name, str) or not NAME.fullmatch(x.name):
                    raise InvalidParameter(f"{kind} name {x.name!r:.70} is not a name (letters, digits, "
                                           "'_', '.', '-'; at most 64)")
                if x.name in seen:
                    raise InvalidParameter(f"{kind} {x.name!r} appears twice")
                seen.add(x.name)
                check_probability(x.compromise, f"{kind}s.{x.name}.compromise")
                check_probability(x.loss, f"{kind}s.{x.name}.loss")
        kinds = {d.name: d.kind for d in self.domains}
        for p in self.parties:
            used: dict[str, str] = {}
            for d in p.domains:
                if d not in kinds:
                    raise InvalidParameter(f"parties.{p.name}.domains: no domain {d!r:.70}")
                if kinds[d] in used:
                    raise InvalidParameter(f"parties.{p.name}.domains: {used[kinds[d]]!r} and {d!r} are both "
                                           f"of kind {kinds[d]!r} (at most one domain of each kind)")
                used[kinds[d]] = d
        if not (isinstance(self.horizon_days, (int, float)) and not isinstance(self.horizon_days, bool)
                and 0 < self.horizon_days <= MAX_HORIZON_DAYS):
            raise InvalidParameter(f"horizon_days must be in (0, {MAX_HORIZON_DAYS:g}], got {self.horizon_days!r:.40}")
        if not (isinstance(self.refresh_days, (int, float)) and not isinstance(self.refresh_days, bool)
                and 0 <= self.refresh_days <= MAX_HORIZON_DAYS):
            raise InvalidParameter(f"refresh_days must be in [0, {MAX_HORIZON_DAYS:g}], got {self.refresh_days!r:.40}")
        if self.repair and self.refresh_days == 0:
            raise InvalidParameter("repair needs a refresh (refresh_days > 0): lost shares are repaired at a refresh")
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, int):
            raise InvalidParameter("signing.threshold must be an integer")
        names = {p.name for p in self.parties}
        rec = self.recovery
        if self.mode == "cold":
            if rec is None:
                raise InvalidParameter("signing.mode 'cold' needs a recovery path (signing.recovery)")
            for r in rec.parties:
                if r not in names:
                    raise InvalidParameter(f"signing.recovery.parties: no party {r!r:.70}")
            if len(set(rec.parties)) != len(rec.parties):
                raise InvalidParameter("signing.recovery.parties: a party is listed twice")
            standby = [p.name for p in self.parties if p.standby and p.name in rec.parties]
            if standby:
                raise InvalidParameter(f"signing.recovery.parties: {standby[0]!r} is a standby party")
            if isinstance(rec.threshold, bool) or not isinstance(rec.threshold, int) \
                    or not 1 <= rec.threshold <= len(rec.parties):
                raise InvalidParameter(f"signing.recovery.threshold must be in 1..{len(rec.parties)}, "
                                       f"got {rec.threshold!r:.40}")
            if not rec.refreshed and self.refresh_days > 0:
                primary_domains = {d for p in self.signers for d in p.domains}
                shared = sorted(primary_domains & {d for n in rec.parties for d in self._index[n].domains})
                if shared:
                    raise InvalidParameter(f"signing.recovery: a static recovery path must share no failure domain "
                                           f"with the primary signers (both in {shared[0]!r}); mark it refreshed, "
                                           "or model the shared domain differently")
        elif rec is not None:
            raise InvalidParameter(f"signing.recovery is for mode 'cold', not {self.mode!r}")
        n = len(self.signers)
        if n == 0:
            raise InvalidParameter("no signer: every party is standby or on the recovery path")
        if self.mode == "single" and n != 1:
            raise InvalidParameter(f"signing.mode 'single' needs exactly one (non-standby) party, got {n}")
        if not 1 <= self.threshold <= n:
            raise InvalidParameter(f"signing.threshold must be in 1..{n} (the signers), got {self.threshold}")

    # ------------------------------------------------------------------ views
    def party(self, name: str) -> Party:
        """The party called `name` (`InvalidParameter` if there is none)."""
        p = self._index.get(name)
        if p is None:
            raise InvalidParameter(f"no party {name!r:.70} in the committee")
        return p

    def domain(self, name: str) -> Domain:
        """The failure domain called `name`; `InvalidParameter` if there is none."""
        for d in self.domains:
            if d.name == name:
                return d
        raise InvalidParameter(f"no domain {name!r:.70} in the committee")

    @property
    def recovery_names(self) -> tuple[str, ...]:
        """The parties of the recovery set, if the committee has one."""
        return self.recovery.parties if self.recovery is not None else ()

    @property
    def signers(self) -> tuple[Party, ...]:
        """The primary signing set: the parties that are neither standby nor on the recovery path."""
        rec = set(self.recovery_names)
        return tuple(p for p in self.parties if not p.standby and p.name not in rec)

    @property
    def pool(self) -> tuple[Party, ...]:
        """Candidates for the primary set, in the order the frontier adds them: the signers, then
        the standby parties (recovery parties excluded)."""
        rec = set(self.recovery_names)
        return self.signers + tuple(p for p in self.parties if p.standby and p.name not in rec)

    def epochs(self, horizon_days: float | None = None) -> tuple[tuple[float, int], ...]:
        """The refresh epochs over a horizon as (length in days, how many): whole periods, then the
        remainder; one epoch of the whole horizon without refresh (or a period not shorter)."""
        h = self.horizon_days if horizon_days is None else horizon_days
        r = self.refresh_days
        if r <= 0 or r >= h:
            return ((h, 1),)
        full = int(h // r)
        rest = h - full * r
        if rest <= h * 1e-12:
            return ((r, full),)
        return ((r, full), (rest, 1))

    # ------------------------------------------------------------------ transformations
    def with_threshold(self, threshold: int) -> "Committee":
        """The same committee with another threshold (for frontiers over t)."""
        return replace(self, threshold=threshold)

    def with_party(self, name: str, **changes: object) -> "Committee":
        """The committee with one party's fields changed (compromise, loss, domains, standby)."""
        self.party(name)
        return replace(self, parties=tuple(replace(p, **changes) if p.name == name else p for p in self.parties))

    def with_domain(self, name: str, **changes: object) -> "Committee":
        """The same committee with one domain's fields changed (for sensitivity analysis)."""
        self.domain(name)
        return replace(self, domains=tuple(replace(d, **changes) if d.name == name else d for d in self.domains))

    def without(self, names: Iterable[str], *, threshold: int | None = None) -> "Committee":
        """After a reshare that removes `names`: they hold nothing any more (and leave the recovery
        path too). The threshold stays unless given."""
        drop = set(names)
        for n in drop:
            self.party(n)
        rec = self.recovery
        if rec is not None:
            kept = tuple(n for n in rec.parties if n not in drop)
            rec = replace(rec, parties=kept, threshold=min(rec.threshold, len(kept)) if kept else rec.threshold)
        return replace(self, parties=tuple(p for p in self.parties if p.name not in drop), recovery=rec,
                       threshold=self.threshold if threshold is None else threshold)

    def quarantined(self, names: Iterable[str], *, assume_compromised: bool = True) -> "Committee":
        """While `names` are quarantined: they are excluded from signer sets (their shares count as
        unavailable: loss probability 1) but still hold their shares, which a responder that
        suspects them should count as compromised (`assume_compromised`: compromise probability 1)."""
        out = self
        for n in set(names):
            out = out.with_party(n, loss=1.0, **({"compromise": 1.0} if assume_compromised else {}))
        return out

    def summary(self) -> dict:
        """The structure in a few fields (for reports)."""
        out = {"name": self.name, "mode": self.mode, "threshold": self.threshold,
               "signers": [p.name for p in self.signers], "horizon_days": self.horizon_days,
               "refresh_days": self.refresh_days, "repair": self.repair,
               "epochs": [{"days": d, "count": c} for d, c in self.epochs()],
               "domains": [d.name for d in self.domains],
               "standby": [p.name for p in self.parties if p.standby]}
        if self.recovery is not None:
            out["recovery"] = {"threshold": self.recovery.threshold, "parties": list(self.recovery.parties),
                               "refreshed": self.recovery.refreshed}
        return out


__all__ = ["MODES", "DAYS_PER_YEAR", "Party", "Domain", "Recovery", "Committee", "check_probability", "scale"]
