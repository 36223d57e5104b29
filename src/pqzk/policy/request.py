"""Authorization requests and the history a policy is evaluated against."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..errors import InvalidParameter
from .model import canonical_json


@dataclass(frozen=True)
class PrivateTerms:
    """What a private request's compliance proof establishes instead of revealing the values:
    amount ≤ max_amount and destination on the policy's whitelist (checked by the caller that
    verified the proof; see pqzk.policy.flow)."""
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
        try:
            priv = d.get("private")
            return cls(bytes.fromhex(d["request_id"]), bytes.fromhex(d["tx_digest"]), int(d["time"]),
                       int(d["policy_version"]), d.get("amount"), d.get("destination"),
                       PrivateTerms(int(priv["max_amount"]), bytes.fromhex(priv.get("commitments", "")),
                                    bytes.fromhex(priv.get("proof", ""))) if priv else None)
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidParameter(f"malformed request: {exc!r}") from None

    def digest(self) -> bytes:
        return hashlib.sha256(b"pqzk/request/v1\x00" + canonical_json(self.to_dict())).digest()


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
        return request_id in self._ids

    def spent_since(self, since: int) -> int:
        return sum(e.charged_amount for e in self.entries if e.time > since)

    def with_entry(self, entry: HistoryEntry) -> "History":
        return History(self.entries + (entry,))
