"""What a responder consumes: events of detected misbehaviour, as frozen data.

An event is **authenticated** when what it says is proven, not merely claimed: the culprits of a
`ProtocolAbort` (named only on messages they signed: docs/runtime.md), a refusal this process
decided itself, a note in a node's audit log whose chain and signatures verify under the node's
pinned key, a log this process failed to verify itself. Anything else — an alarm arriving from
outside, unsigned — is unauthenticated: it can count toward a rule that says so, but it can never
quarantine a party or propose a reshare (`pqzk.policy.responses`). `unresponsive` and `stopped_by`
are never culprits: a lost message is no proof.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..errors import InvalidEncoding, PolicyViolation, ProtocolAbort, VerificationError

MAX_TEXT = 200          # subject, source, detail and evidence are cut to this many characters
MAX_PARTIES = 64


class EventKind(str, Enum):
    """What an event reports: the kinds of misbehaviour the responder's rules can name in `on`."""
    PROTOCOL_ABORT = "protocol_abort"          # a ceremony's verdict named culprits
    POLICY_VIOLATION = "policy_violation"      # a request broke a rule (subject: the rule)
    VELOCITY = "velocity"                      # spending faster than expected (subject: the window)
    REFUSED_REQUEST = "refused_request"        # a requester's request was refused (subject: the requester)
    PIN_FAILURE = "pin_failure"                # a failed PIN or passphrase try on a store (subject: the store)
    AUDIT_FAILURE = "audit_failure"            # an audit log failed verification (subject: the log)


def _text(value: str) -> str:
    return value[:MAX_TEXT]


@dataclass(frozen=True)
class Event:
    """One observation. `source` is who reports it (rate limits are per source), `parties` the
    parties it names (culprits, a store's holder), `subject` what it is about, `evidence` what
    authenticates it (a verdict's reason, a record's hash)."""
    kind: EventKind
    time: int
    source: str
    parties: tuple[int, ...] = ()
    subject: str = ""
    detail: str = ""
    authenticated: bool = False
    evidence: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, EventKind):
            object.__setattr__(self, "kind", EventKind(self.kind))
        if not isinstance(self.time, int) or isinstance(self.time, bool) or not 0 <= self.time < 2**63:
            raise InvalidEncoding("event time must be an integer in [0, 2^63)")
        if not isinstance(self.parties, tuple) or len(self.parties) > MAX_PARTIES or any(
                not isinstance(p, int) or isinstance(p, bool) or not 0 < p < 10**9 for p in self.parties):
            raise InvalidEncoding(f"event parties must be at most {MAX_PARTIES} signer identifiers (1 to 999999999)")
        object.__setattr__(self, "parties", tuple(sorted(set(self.parties))))
        for name in ("source", "subject", "detail", "evidence"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise InvalidEncoding(f"event {name} must be a string")
            object.__setattr__(self, name, _text(value))
        if not isinstance(self.authenticated, bool):
            raise InvalidEncoding("event authenticated must be a boolean")

    # ---- where events come from ----
    @classmethod
    def from_abort(cls, abort: ProtocolAbort, *, time: int, source: str, ceremony: str = "") -> "Event":
        """A ceremony's verdict: its culprits (proven by their own signed messages) only."""
        culprits = [c for c in abort.culprits if isinstance(c, int) and not isinstance(c, bool)]
        return cls(EventKind.PROTOCOL_ABORT, time, source, tuple(culprits), ceremony, abort.reason,
                   authenticated=True, evidence=f"ProtocolAbort verdict: {abort.reason}")

    @classmethod
    def from_refusal(cls, violation: PolicyViolation, *, requester: str, time: int, source: str) -> list["Event"]:
        """A refusal decided here: a policy violation (subject: the rule) and a refused request
        (subject: the requester)."""
        why = f"refused by rule {violation.rule}"
        return [cls(EventKind.POLICY_VIOLATION, time, source, (), violation.rule, violation.detail,
                    authenticated=True, evidence=why),
                cls(EventKind.REFUSED_REQUEST, time, source, (), requester, violation.rule,
                    authenticated=True, evidence=why)]

    @classmethod
    def from_pin_failure(cls, store: str, *, party: int, time: int, source: str, locked: bool = False) -> "Event":
        """A wrong PIN or passphrase this process saw its own store refuse (`tokens.errors.WrongPin`,
        `PinLocked`): the holder `party`'s share may be under attack. The store's URI names it,
        never its PIN."""
        return cls(EventKind.PIN_FAILURE, time, source, (party,), store, "PIN locked" if locked else "wrong PIN",
                   authenticated=True, evidence="refused by the store here")

    @classmethod
    def velocity(cls, history, *, now: int, seconds: int, expected: int, source: str) -> "Event | None":
        """Spending faster than `expected` within `seconds` (from this process's own `History` of
        authorized requests), or None: a velocity anomaly (subject: the window)."""
        spent = history.spent_since(now - seconds)
        if spent <= expected:
            return None
        return cls(EventKind.VELOCITY, now, source, (), f"{seconds}s",
                   f"{spent} authorized in the last {seconds} s, expected at most {expected}",
                   authenticated=True, evidence="this process's own history")

    @classmethod
    def alarm(cls, kind: EventKind | str, *, time: int, source: str, parties: Iterable[int] = (),
              subject: str = "", detail: str = "") -> "Event":
        """An alarm someone reports without proof: unauthenticated."""
        return cls(EventKind(kind), time, source, tuple(parties), subject, detail)

    def to_dict(self) -> dict:
        """The event as JSON-ready data, the form it has in an audit record (`from_dict` reads it back)."""
        return {"kind": self.kind.value, "time": self.time, "source": self.source, "parties": list(self.parties),
                "subject": self.subject, "detail": self.detail, "authenticated": self.authenticated,
                "evidence": self.evidence}

    @classmethod
    def from_dict(cls, d: object) -> "Event":
        """Strict: exactly the fields of `to_dict`, each of its type (InvalidEncoding naming it)."""
        fields = ("kind", "time", "source", "parties", "subject", "detail", "authenticated", "evidence")
        if not isinstance(d, dict) or set(d) != set(fields):
            raise InvalidEncoding(f"an event is an object with exactly the fields {', '.join(fields)}")
        if not isinstance(d["parties"], list):
            raise InvalidEncoding("event parties must be a list")
        try:
            kind = EventKind(d["kind"])
        except ValueError:
            raise InvalidEncoding(f"unknown event kind {str(d['kind'])[:40]!r}") from None
        event = cls(kind, d["time"], d["source"], tuple(d["parties"]), d["subject"], d["detail"],
                    d["authenticated"], d["evidence"])
        if event.to_dict() != d:
            raise InvalidEncoding("event is not in its canonical form (parties sorted and distinct, texts "
                                  f"at most {MAX_TEXT} characters)")
        return event


def events_from_outcome(outcome, *, requester: str, time: int, source: str) -> list[Event]:
    """What an authorization attempt (`custody.Outcome`) tells a responder: its ProtocolAbort's
    culprits, or the refusal; nothing when it was authorized."""
    err = outcome.error
    if outcome.authorization is not None or err is None:
        return []
    if isinstance(err, ProtocolAbort):
        return [Event.from_abort(err, time=time, source=source, ceremony="authorization")] if err.culprits else []
    if isinstance(err, PolicyViolation):
        return Event.from_refusal(err, requester=requester, time=time, source=source)
    return []


def events_from_audit_log(path: str | Path, public_key: bytes, *, time: int, party: int | None = None) -> list[Event]:
    """A node's audit log, verified under its pinned key: each ceremony it recorded as aborted with
    culprits is an authenticated PROTOCOL_ABORT event (its evidence: the record's hash). A log that
    does not verify is one authenticated AUDIT_FAILURE event (naming `party`, its owner, if given)."""
    from .audit import records, verify_log
    source = f"audit:{bytes(public_key).hex()[:16]}"
    try:
        verify_log(path, public_key=public_key)
        recs = list(records(path))
    except VerificationError as exc:
        return [Event(EventKind.AUDIT_FAILURE, time, source, (party,) if party is not None else (), str(path),
                      str(exc), authenticated=True, evidence="verify_log failed here")]
    out = []
    for r in recs:
        if r.kind != "note" or r.body.get("event") != "session aborted":
            continue
        culprits = [int(c) for c in r.body.get("culprits", ()) if isinstance(c, str) and c.isascii() and c.isdigit()
                    and len(c) <= 9 and int(c) > 0]
        if culprits:
            out.append(Event(EventKind.PROTOCOL_ABORT, time, source, tuple(culprits), "ceremony",
                             str(r.body.get("reason", "")), authenticated=True,
                             evidence=f"record {r.seq} {r.hash.hex()}"))
    return out


__all__ = ["Event", "EventKind", "events_from_audit_log", "events_from_outcome"]
