"""The policy model: a custody policy is data, validated against policy.schema.json.

`load_policy` reads TOML or JSON (bounded parsing: `pqzk.policy.documents`) and raises
InvalidEncoding with the JSON path of the bad field. Amounts are integers in the asset's smallest
unit, times are Unix seconds; an integer field refuses a float, even `3.0` (JSON Schema's own
"integer" accepts it).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidEncoding
from .documents import load_document

if TYPE_CHECKING:
    from .responses import ResponsePolicy

SCHEMA_PATH = Path(__file__).with_name("policy.schema.json")


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


@dataclass(frozen=True)
class Quorum:
    min_signers: int
    roles: tuple[tuple[str, int], ...] = ()      # (role, how many signers must hold it)

    @classmethod
    def from_dict(cls, d: dict) -> "Quorum":
        """A quorum from its JSON object (`min_signers`, optional `roles`)."""
        return cls(d["min_signers"], tuple(sorted(d.get("roles", {}).items())))

    def to_dict(self) -> dict:
        """The quorum as its JSON object."""
        out: dict[str, Any] = {"min_signers": self.min_signers}
        if self.roles:
            out["roles"] = dict(self.roles)
        return out

    def describe(self) -> str:
        """The quorum in words, for refusals and `policy explain`."""
        roles = "".join(f", at least {n} with role {r!r}" for r, n in self.roles)
        return f"{self.min_signers} signers{roles}"


# deliberate look-alike of dkg/pedersen.py:Complaint, DkgResult (duplicates): frozen-dataclass field declarations,
# no shared logic
@dataclass(frozen=True)
class Window:
    seconds: int
    max_amount: int


@dataclass(frozen=True)
class Tier:
    above: int
    quorum: Quorum


@dataclass(frozen=True)
class Policy:
    """A validated custody policy. Build with `Policy.from_dict` / `load_policy`."""
    version: int
    name: str
    signer_roles: tuple[tuple[int, tuple[str, ...]], ...]
    quorum: Quorum
    per_transaction: int | None = None
    windows: tuple[Window, ...] = ()
    whitelist: frozenset[str] | None = None
    blacklist: frozenset[str] = frozenset()
    not_before: int | None = None
    cooling_off_seconds: int = 0
    tiers: tuple[Tier, ...] = ()
    pq_required_above: int | None = None
    request_expiry_seconds: int | None = None
    change_quorum: Quorum | None = None
    source: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def signers(self) -> tuple[int, ...]:
        """The ids of the policy's signers."""
        return tuple(i for i, _ in self.signer_roles)

    @cached_property
    def responses(self) -> "ResponsePolicy | None":
        """The declared responses to detected misbehaviour (`pqzk.policy.responses.ResponsePolicy`),
        or None when the policy declares none."""
        from .responses import parse_responses
        return parse_responses(self)

    def roles_of(self, signer: int) -> tuple[str, ...]:
        """The roles of one signer (empty when it is not a signer)."""
        return dict(self.signer_roles).get(signer, ())

    @classmethod
    def from_dict(cls, doc: dict) -> "Policy":
        """A policy from its JSON document, validated against the JSON Schema and the rules the schema cannot
        say; `InvalidEncoding` naming the field."""
        validate_document(doc)
        for k in doc["signers"]:
            if not SIGNER_ID.fullmatch(k):
                raise InvalidEncoding(f"policy $.signers: {k[:20]!r} is not a signer identifier "
                                      f"(1 to {MAX_SIGNER_ID}, ASCII digits)")
        limits, dest, lock = doc.get("limits", {}), doc.get("destinations", {}), doc.get("time_lock", {})
        wl = dest.get("whitelist")
        policy = cls(
            version=doc["version"], name=doc["name"],
            signer_roles=tuple(sorted((int(k), tuple(v.get("roles", ()))) for k, v in doc["signers"].items())),
            quorum=Quorum.from_dict(doc["quorum"]),
            per_transaction=limits.get("per_transaction"),
            windows=tuple(Window(w["seconds"], w["max_amount"]) for w in limits.get("windows", ())),
            whitelist=frozenset(wl) if wl is not None else None,
            blacklist=frozenset(dest.get("blacklist", ())),
            not_before=lock.get("not_before"),
            cooling_off_seconds=lock.get("cooling_off_seconds", 0),
            tiers=tuple(sorted((Tier(t["above"], Quorum.from_dict(t["quorum"])) for t in doc.get("tiers", ())),
                               key=lambda t: t.above)),
            pq_required_above=doc.get("post_quantum", {}).get("required_above"),
            request_expiry_seconds=doc.get("request_expiry_seconds"),
            change_quorum=Quorum.from_dict(doc["change_quorum"]) if "change_quorum" in doc else None,
            source=doc,
        )
        policy._check_consistency()
        policy.responses        # noqa: B018 — its constraints are checked when the policy is loaded
        return policy

    def _check_consistency(self) -> None:
        """Constraints JSON Schema cannot express, reported with their path like schema errors."""
        n = len(self.signer_roles)
        quorums = [("$.quorum", self.quorum)] + [(f"$.tiers[{i}].quorum", t.quorum) for i, t in enumerate(self.tiers)]
        if self.change_quorum:
            quorums.append(("$.change_quorum", self.change_quorum))
        for path, q in quorums:
            if q.min_signers > n:
                raise InvalidEncoding(f"policy {path}.min_signers: {q.min_signers} exceeds the {n} signers")
            for role, k in q.roles:
                holders = sum(role in roles for _, roles in self.signer_roles)
                if k > holders:
                    raise InvalidEncoding(f"policy {path}.roles.{role}: needs {k} but only {holders} signers hold it")
        if self.whitelist is not None and self.whitelist & self.blacklist:
            raise InvalidEncoding("policy $.destinations: a destination is on both whitelist and blacklist")
        if self.windows:
            smallest = min(q.min_signers for path, q in quorums if path != "$.change_quorum")
            if 2 * smallest <= n:
                raise InvalidEncoding(
                    f"policy $.limits.windows: window limits need quorums that overlap (2 × min_signers > the "
                    f"number of signers), but {smallest} of {n} signers may authorize: two disjoint quorums would "
                    f"each count only their own authorizations, and a coordinator could exceed the window with them "
                    f"(raise min_signers to at least {n // 2 + 1}, or drop the window limit)")

    def digest(self) -> bytes:
        """SHA-256 of the canonical JSON document: what authorizations bind to."""
        return hashlib.sha256(canonical_json(self.source)).digest()

    def to_dict(self) -> dict:
        """The JSON document the policy was made from."""
        return self.source


MAX_SIGNER_ID = 999_999_999
SIGNER_ID = re.compile(r"[1-9][0-9]{0,8}")     # ASCII digits only (str.isdigit accepts '²')


def canonical_json(doc: Any) -> bytes:
    """JSON with sorted keys and no spaces, as UTF-8: the one byte form that digests and signatures cover."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _path(error) -> str:
    out = "$"
    for p in error.absolute_path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _is_integer(_checker, value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@lru_cache(maxsize=1)
def _validator():
    """Draft 2020-12 with a strict "integer": 3.0 is a number, not an integer."""
    import jsonschema
    base = jsonschema.Draft202012Validator
    strict = jsonschema.validators.extend(base, type_checker=base.TYPE_CHECKER.redefine("integer", _is_integer))
    return strict(schema())


def validate_document(doc: Any) -> None:
    """JSON Schema validation; the first error (by path) is raised with its JSON path."""
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        e = errors[0]
        message = e.message if len(e.message) <= 200 else e.message[:200] + "…"
        raise InvalidEncoding(f"policy {_path(e)}: {message}")


def load_policy(path: str | Path) -> Policy:
    """A policy from a .toml or .json file."""
    p = Path(path)
    doc = load_document(p, "policy file")
    try:
        return Policy.from_dict(doc)
    except InvalidEncoding as exc:
        raise InvalidEncoding(f"{p}: {exc}") from None
