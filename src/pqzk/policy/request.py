"""Authorization requests and the history a policy is evaluated against."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..errors import InvalidParameter
from .documents import hex_field
from .model import canonical_json


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _field_int(d: dict, key: str, name: str) -> int:
    v = d.get(key)
    if not _is_int(v):
        got = "missing" if key not in d else f"a {type(v).__name__}"
        raise InvalidParameter(f"malformed request: field {name!r} must be an integer ({got})")
    return v


def _field_hex(d: dict, key: str, name: str, default: str | None = None) -> bytes:
    where = "malformed request" + (" (private terms)" if name.startswith("private.") else "")
    return hex_field(d, key, where, default, error=InvalidParameter)


# the fields of a request document (`to_dict` / `from_dict`; docs/policy.md lists them)
FIELDS = ("request_id", "tx_digest", "time", "policy_version", "amount", "destination", "private")
PRIVATE_FIELDS = ("max_amount", "commitments", "proof")


def _known_fields(d: dict, known: tuple[str, ...], where: str) -> None:
    """A misspelt field is named, not ignored (else `amont` would read as a private request)."""
    unknown = sorted(str(k) for k in d if k not in known)
    if unknown:
        shown = unknown[0] if len(unknown[0]) <= 40 else unknown[0][:40] + "…"
        raise InvalidParameter(f"malformed request: unknown field {where + shown!r} (the fields are "
                               f"{', '.join(known)})")


@dataclass(frozen=True)
class PrivateTerms:
    """What a private request's compliance proof establishes instead of revealing the values:
    amount ≤ max_amount and destination on the policy's whitelist (checked by the caller that
    verified the proof: the policy signers and coordinator, pqzk.policy.signer and .coordinator)."""
    max_amount: int
    commitments: bytes = b""      # the Pedersen commitments the proof is about
    proof: bytes = b""


@dataclass(frozen=True)
class AuthorizationRequest:
    """A request to authorize one transaction. `amount`/`destination` are None when private."""
    request_id: bytes              # unique nonce (16+ bytes): replays are refused by it
    tx_digest: bytes               # 32-byte digest of the transaction being authorized
    time: int                      # creation time (Unix seconds)
    policy_version: int
    amount: int | None = None
    destination: str | None = None
    private: PrivateTerms | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.request_id, bytes) or not isinstance(self.tx_digest, bytes):
            raise InvalidParameter("request_id and tx_digest must be bytes")
        for name in ("time", "policy_version") + (("amount",) if self.amount is not None else ()):
            if not _is_int(getattr(self, name)):
                raise InvalidParameter(f"{name} must be an integer")
        if self.destination is not None and not isinstance(self.destination, str):
            raise InvalidParameter("destination must be a string")
        if len(self.request_id) < 16:
            raise InvalidParameter("request_id must be at least 16 bytes")
        if len(self.tx_digest) != 32:
            raise InvalidParameter("tx_digest must be 32 bytes")
        if (self.private is None) == (self.amount is None or self.destination is None):
            raise InvalidParameter("a request is either public (amount and destination) or private (terms)")
        if self.amount is not None and self.amount < 0:
            raise InvalidParameter("amount must be >= 0")

    @property
    def charged_amount(self) -> int:
        """What the request counts for against limits: the amount, or the proven upper bound."""
        return self.amount if self.private is None else self.private.max_amount

    def to_dict(self) -> dict:
        """The request as its JSON object (hex bytes; the private terms instead of amount and destination when
        it has them)."""
        d = {"request_id": self.request_id.hex(), "tx_digest": self.tx_digest.hex(), "time": self.time,
             "policy_version": self.policy_version}
        if self.private is None:
            d.update(amount=self.amount, destination=self.destination)
        else:
            d["private"] = {"max_amount": self.private.max_amount,
                            "commitments": self.private.commitments.hex(), "proof": self.private.proof.hex()}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "AuthorizationRequest":
        """The inverse of `to_dict`, strict: hex strings for bytes, integers (not 3.0, not "3")
        for numbers; InvalidParameter naming the field otherwise."""
        if not isinstance(d, dict):
            raise InvalidParameter(f"malformed request: expected an object, got {type(d).__name__}")
        _known_fields(d, FIELDS, "")
        priv = d.get("private")
        if priv is not None and not isinstance(priv, dict):
            raise InvalidParameter("malformed request: field 'private' must be an object")
        terms = None
        if priv is not None:
            _known_fields(priv, PRIVATE_FIELDS, "private.")
            terms = PrivateTerms(_field_int(priv, "max_amount", "private.max_amount"),
                                 _field_hex(priv, "commitments", "private.commitments", ""),
                                 _field_hex(priv, "proof", "private.proof", ""))
            if terms.max_amount < 0:
                raise InvalidParameter("malformed request: field 'private.max_amount' must be >= 0")
        amount = d.get("amount")
        if amount is not None:
            amount = _field_int(d, "amount", "amount")
        dest = d.get("destination")
        if dest is not None and not isinstance(dest, str):
            raise InvalidParameter("malformed request: field 'destination' must be a string")
        return cls(_field_hex(d, "request_id", "request_id"), _field_hex(d, "tx_digest", "tx_digest"),
                   _field_int(d, "time", "time"), _field_int(d, "policy_version", "policy_version"),
                   amount, dest, terms)

    def digest(self) -> bytes:
        """SHA-256 of the request's canonical JSON under a domain tag: what an authorization binds."""
        return hashlib.sha256(b"pqzk/request/v1\x00" + canonical_json(self.to_dict())).digest()


# deliberate look-alike of dkg/pedersen.py:Round1Package, policy/state.py:PendingChange (duplicates): frozen-
# dataclass field declarations, no shared logic
@dataclass(frozen=True)
class HistoryEntry:
    request_id: bytes
    time: int
    charged_amount: int


@dataclass(frozen=True)
class History:
    """Authorized requests so far (for rolling windows and replay refusal)."""
    entries: tuple[HistoryEntry, ...] = ()
    _ids: frozenset = field(default=frozenset(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ids", frozenset(e.request_id for e in self.entries))

    def seen(self, request_id: bytes) -> bool:
        """Whether a request with this id was already authorized (replays are refused)."""
        return request_id in self._ids

    def spent_since(self, since: int) -> int:
        """The amount charged by requests authorized after `since` (for rolling limits)."""
        return sum(e.charged_amount for e in self.entries if e.time > since)

    def with_entry(self, entry: HistoryEntry) -> "History":
        """A new history with one more authorized request."""
        return History(self.entries + (entry,))
