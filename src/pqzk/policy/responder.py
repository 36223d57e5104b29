"""Self-correcting custody: a sans-I/O state machine that turns events into the responses the
policy declares, bounded, and rebuilt from the audit log records it writes.

    responder = Responder(policy, key_threshold=pkp.min_signers, now=t0)
    actions = responder.handle(Event.from_abort(exc, time=t, source="coordinator"), now=t)
    policy_now = responder.effective_policy(t)        # what `evaluate` and the signers use meanwhile
    for body in responder.take_records(): audit.append("note", body)

Inputs are `handle` (an event), `tick` (time passes: responses expire), `approve` (a quorum approves
a proposal: a reshare, or a response the policy puts under quorum approval), `lift` (a quorum ends
a response early) and `rebase` (the base policy changed). Each input that changes the state is one
record (`{"event": "responder", "seq", "now", "op", "input", "actions", "effective"}`, the last
the effective policy's digest); `Responder.replay(bodies)` runs the inputs again and checks every
record's actions and digest, so the state is whatever the log says it is, and a log whose records
do not follow from their inputs is refused.

Bounds (what an attacker who fakes alarms can and cannot do):
- only authenticated events name parties (`pqzk.policy.events`); rules that quarantine or propose a
  reshare count nothing else;
- at most `max_quarantined` parties at once, and never so many that the signers left fall below
  the FROST threshold, the (raised) quorum of any tier, the change quorum or a role requirement —
  the committee can always sign and always approve a lift;
- raised quorums stop at the signers left; every timed response ends after its duration (a new
  event extends it, never beyond `duration_seconds` from that event);
- per source at most `rate_limit` events counted per window, and unauthenticated ones at most
  `unauthenticated_rate_limit` in all: events beyond are ignored and not recorded;
- reshares (which remove a party for good) and early lifts need approvals satisfying the
  effective policy's change quorum, in which a quarantined party has no place.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation, VerificationError
from .evaluate import check_signers
from .events import Event
from .model import Policy
from .responses import (
    DEFAULT_PROPOSAL_SECONDS, NAMING, Active, Response, ResponsePolicy, Rule, effective_policy,
)

RECORD_EVENT = "responder"
MAX_COUNTERS = 4096          # trigger counters kept (keys: rule and party or subject); oldest evicted
MAX_SOURCES = 4096           # rate-limit histories kept; oldest evicted
MAX_PROPOSALS = 64


@dataclass(frozen=True)
class Action:
    """What one input did. `op`: quarantine, raise_quorum, require_post_quantum, freeze_above,
    refresh (trigger one now), propose (a proposal waits for its quorum), reshare (approved: carry
    it out), lift, expire, capped (a response refused by a bound), ignored (an event not counted)."""
    op: str
    response: int | None = None
    party: int | None = None
    parties: tuple[int, ...] = ()
    members: tuple[int, ...] = ()
    value: int | None = None
    until: int | None = None
    reason: str = ""

    def to_dict(self) -> dict:
        """The action as JSON-ready data, the form it has in the responder's audit records."""
        out: dict = {"op": self.op}
        for k in ("response", "party", "value", "until"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        for k in ("parties", "members"):
            if getattr(self, k):
                out[k] = list(getattr(self, k))
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class Proposal:
    """A response waiting for a quorum's approval until `expires`."""
    id: int
    response: Response
    created: int
    expires: int
    cause: int
    parties: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        """The proposal as JSON-ready data, the form it has in the responder's audit records."""
        return {"id": self.id, "response": self.response.to_dict(), "created": self.created,
                "expires": self.expires, "cause": self.cause, "parties": list(self.parties)}


@dataclass
class _Window:
    """Event times within a sliding window."""
    times: list[int] = field(default_factory=list)

    def trim(self, now: int, seconds: int | None) -> list[int]:
        if seconds is not None:
            self.times = [t for t in self.times if t > now - seconds]
        return self.times


def _is_time(now: object) -> bool:
    return isinstance(now, int) and not isinstance(now, bool) and 0 <= now < 2**63


class Responder:
    """The responder for one base policy (see the module docstring). `key_threshold` is the FROST
    threshold of the key the signers hold (the signers left must always reach it)."""

    def __init__(self, policy: Policy, *, key_threshold: int | None = None, now: int = 0) -> None:
        if not isinstance(policy, Policy):
            raise InvalidParameter("a responder needs a Policy")
        if key_threshold is not None and (not isinstance(key_threshold, int) or key_threshold < 1):
            raise InvalidParameter("key_threshold must be a positive integer")
        if not _is_time(now):
            raise InvalidParameter("now must be an integer time in [0, 2^63)")
        self.key_threshold = key_threshold or 1
        self.now = now
        self.seq = 0
        self._next_id = 1
        self.active: dict[int, Active] = {}
        self.proposals: dict[int, Proposal] = {}
        self._counters: dict[tuple, _Window] = {}
        self._rates: dict[str, _Window] = {}
        self._unauth = _Window()
        self.records: list[dict] = []
        self._set_base(policy)
        if len(policy.signers) < self.key_threshold:
            raise InvalidParameter(f"the policy has {len(policy.signers)} signers, fewer than the key's threshold "
                                   f"{self.key_threshold}")
        self._record("start", {"policy": policy.source, "key_threshold": key_threshold}, [])

    def _set_base(self, policy: Policy) -> None:
        self.base = policy
        self.config: ResponsePolicy = policy.responses or ResponsePolicy((), 0)

    # ---- views ----
    def active_at(self, now: int | None = None) -> list[Active]:
        """The responses in force at `now` (default: the last input's time), by id."""
        t = self.now if now is None else now
        return [a for _, a in sorted(self.active.items()) if a.since <= t < a.until]

    def quarantined(self, now: int | None = None) -> list[int]:
        """The parties quarantined at `now` (default: the responder's clock), sorted: out of every signer set."""
        return sorted(a.party for a in self.active_at(now) if a.action == "quarantine")

    def effective_policy(self, now: int | None = None) -> Policy:
        """The base policy with the responses in force at `now` applied (pqzk.policy.responses)."""
        return effective_policy(self.base, self.active_at(now))

    def pending(self, now: int | None = None) -> list[Proposal]:
        """The proposals (reshares, early lifts) still waiting for a quorum's approval at `now`."""
        t = self.now if now is None else now
        return [p for _, p in sorted(self.proposals.items()) if t < p.expires]

    def take_records(self) -> list[dict]:
        """The audit record bodies written since the last call (append them as kind "note")."""
        out, self.records = self.records, []
        return out

    # ---- inputs ----
    def handle(self, event: Event, now: int) -> list[Action]:
        """Count an event against the rules and respond as they declare (within the bounds)."""
        if not isinstance(event, Event):
            raise InvalidParameter(f"handle takes an Event, got {type(event).__name__}")
        expired = self._advance(now)
        limited = self._rate_limited(event, now)
        if limited is not None:
            return expired + [Action("ignored", reason=limited)]
        self._rate(event.source).trim(now, self.config.rate_limit[1]).append(now)
        if not event.authenticated:
            self._unauth.trim(now, self.config.unauthenticated_rate_limit[1]).append(now)
        self._evict(self._rates, MAX_SOURCES)
        actions: list[Action] = []
        for i, rule in enumerate(self.config.rules):
            if rule.on != event.kind.value:
                continue
            if rule.authenticated and not event.authenticated:
                actions.append(Action("ignored", reason=f"rule {i} counts authenticated events only"))
                continue
            naming = any(x.action in NAMING for x in rule.do)    # counted per party named, else per subject
            for key in ([("party", p) for p in event.parties] if naming and event.parties
                        else [("subject", event.subject)]):
                window = self._counters.setdefault((i, *key), _Window())
                times = window.trim(now, rule.window_seconds)
                times.append(now)
                if len(times) >= rule.count:
                    del self._counters[(i, *key)]
                    actions += self._fire(rule, key[1] if key[0] == "party" else None, now)
            self._evict(self._counters, MAX_COUNTERS)
        self._record("event", {"event": event.to_dict()}, actions)
        return expired + actions

    def tick(self, now: int) -> list[Action]:
        """Time passes: responses and proposals whose time is up end (recorded when any does)."""
        return self._advance(now)

    def approve(self, proposal_id: int, approvers: Iterable[int], now: int) -> list[Action]:
        """A quorum (the effective policy's change quorum; quarantined parties are not in it)
        approves a proposal: a reshare is to be carried out (`reshare` action), another response
        takes effect. PolicyViolation('quorum') if the approvers do not make the quorum."""
        expired = self._advance(now)
        approvers = self._approvers(approvers, now)
        proposal = self.proposals.get(proposal_id) if isinstance(proposal_id, int) else None
        if proposal is None:
            raise InvalidParameter(f"no pending proposal {proposal_id!r}")
        del self.proposals[proposal_id]
        if proposal.response.action == "propose_reshare":
            removed = set(proposal.parties)
            members = tuple(s for s in self.base.signers if s not in removed)
            if len(members) < self.key_threshold:
                actions = [Action("capped", proposal.id, parties=proposal.parties,
                                  reason=f"a reshare without {sorted(removed)} would leave fewer holders than the "
                                         f"threshold {self.key_threshold}")]
            else:
                actions = [Action("reshare", proposal.id, parties=proposal.parties, members=members,
                                  value=self.key_threshold)]
        else:
            party = proposal.parties[0] if proposal.parties else None
            actions = self._activate(proposal.response, party, proposal.cause, now)
        self._record("approve", {"proposal": proposal_id, "approvers": approvers}, actions)
        return expired + actions

    def lift(self, response_id: int, approvers: Iterable[int], now: int) -> list[Action]:
        """End a response early, approved by the effective policy's change quorum (so a
        quarantined party cannot release itself). PolicyViolation('quorum') otherwise."""
        expired = self._advance(now)
        approvers = self._approvers(approvers, now)
        active = self.active.get(response_id) if isinstance(response_id, int) else None
        if active is None or not active.since <= now < active.until:
            raise InvalidParameter(f"no active response {response_id!r}")
        del self.active[response_id]
        actions = [Action("lift", active.id, party=active.party, reason="lifted by a quorum")]
        self._record("lift", {"response": response_id, "approvers": approvers}, actions)
        return expired + actions

    def rebase(self, policy: Policy, now: int) -> list[Action]:
        """The base policy changed (a policy change took effect, e.g. one removing a reshared-out
        party): responses about parties that are no longer signers end, quarantines the new
        policy cannot bear (newest first) are lifted, and if its rules differ, counting starts over."""
        if not isinstance(policy, Policy):
            raise InvalidParameter("rebase takes a Policy")
        expired = self._advance(now)
        old_rules = self.config.rules
        self._set_base(policy)
        if self.config.rules != old_rules:
            self._counters.clear()            # counts toward rules that are no longer the same
        actions = []
        for a in sorted(self.active.values(), key=lambda a: -a.id):
            if a.action == "quarantine" and (a.party not in policy.signers or self._overreach()):
                del self.active[a.id]
                actions.append(Action("lift", a.id, party=a.party,
                                      reason="no longer a signer" if a.party not in policy.signers
                                      else "the new policy's quorums need this signer"))
        for p in list(self.proposals.values()):
            if any(x not in policy.signers for x in p.parties):
                del self.proposals[p.id]
                actions.append(Action("expire", p.id, parties=p.parties, reason="no longer a signer"))
        self._record("rebase", {"policy": policy.source}, actions)
        return expired + actions

    # ---- internals ----
    def _advance(self, now: int) -> list[Action]:
        if not _is_time(now):
            raise InvalidParameter("now must be an integer time in [0, 2^63)")
        if now < self.now:
            raise InvalidParameter(f"time went backwards: {now} < {self.now} (a responder's inputs are in time order)")
        self.now = now
        actions = []
        for a in [a for a in self.active.values() if a.until <= now]:
            del self.active[a.id]
            actions.append(Action("expire", a.id, party=a.party, reason=f"{a.action} ended"))
        for p in [p for p in self.proposals.values() if p.expires <= now]:
            del self.proposals[p.id]
            actions.append(Action("expire", p.id, parties=p.parties, reason="proposal not approved in time"))
        if actions:
            self._record("tick", {}, actions)
        return actions

    def _approvers(self, approvers: Iterable[int], now: int) -> list[int]:
        approvers = sorted(set(approvers))
        if any(not isinstance(a, int) or isinstance(a, bool) for a in approvers):
            raise InvalidParameter("approvers are signer identifiers (integers)")
        eff = self.effective_policy(now)
        check_signers(eff, eff.change_quorum or eff.quorum, approvers)
        return approvers

    def _rate(self, source: str) -> _Window:
        return self._rates.setdefault(source, _Window())

    def _rate_limited(self, event: Event, now: int) -> str | None:
        """Why the event is over a rate limit, or None. Changes nothing: an ignored event is not
        recorded, so it must leave no trace in the state that replay could not rebuild."""
        def recent(window: _Window | None, seconds: int) -> int:
            return 0 if window is None else sum(t > now - seconds for t in window.times)
        events, seconds = self.config.rate_limit
        if recent(self._rates.get(event.source), seconds) >= events:
            return f"source {event.source!r} is over its rate limit ({events} events per {seconds} s)"
        if not event.authenticated:
            events, seconds = self.config.unauthenticated_rate_limit
            if recent(self._unauth, seconds) >= events:
                return f"unauthenticated events are over their rate limit ({events} per {seconds} s)"
        return None

    @staticmethod
    def _evict(table: dict, most: int) -> None:
        while len(table) > most:
            oldest = min(table, key=lambda k: (table[k].times[-1] if table[k].times else -1, repr(k)))
            del table[oldest]

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _fire(self, rule: Rule, party: int | None, now: int) -> list[Action]:
        cause = self.seq + 1                      # the record this event is about to be
        actions = []
        for resp in rule.do:
            if resp.action in NAMING and party is None:
                actions.append(Action("ignored", reason=f"{resp.action}: the event names no party"))
            elif resp.action in NAMING and party not in self.base.signers:
                actions.append(Action("ignored", party=party, reason=f"{resp.action}: {party} is not a signer"))
            elif resp.approval == "quorum":
                actions += self._propose(resp, party, cause, now)
            else:
                actions += self._activate(resp, party, cause, now)
        return actions

    def _propose(self, resp: Response, party: int | None, cause: int, now: int) -> list[Action]:
        parties = (party,) if party is not None else ()
        for p in self.proposals.values():
            if p.response == resp and p.parties == parties:
                return []                           # already waiting for its quorum
        if len(self.proposals) >= MAX_PROPOSALS:
            return [Action("capped", parties=parties, reason=f"at most {MAX_PROPOSALS} proposals pending")]
        wait = resp.duration_seconds if resp.action == "propose_reshare" and resp.duration_seconds else \
            DEFAULT_PROPOSAL_SECONDS
        proposal = Proposal(self._new_id(), resp, now, now + wait, cause, parties)
        self.proposals[proposal.id] = proposal
        return [Action("propose", proposal.id, parties=parties, until=proposal.expires,
                       reason=resp.action if resp.action == "propose_reshare" else f"{resp.action} (needs a quorum)")]

    def _activate(self, resp: Response, party: int | None, cause: int, now: int) -> list[Action]:
        until = now + resp.duration_seconds
        value = resp.by if resp.action == "raise_quorum" else resp.above
        if resp.action == "refresh":
            for a in self.active.values():
                if a.action == "refresh":
                    return [Action("capped", a.id, reason=f"a refresh was triggered at {a.since}; "
                                                         f"next one after {a.until}")]
            new = Active(self._new_id(), "refresh", now, until, cause)
            self.active[new.id] = new
            return [Action("refresh", new.id, until=until)]
        for a in self.active.values():             # the same response again: extend it
            if a.action == resp.action and a.party == (party if resp.action == "quarantine" else None) \
                    and a.value == (None if resp.action == "quarantine" else value):
                if until > a.until:
                    self.active[a.id] = Active(a.id, a.action, a.since, until, cause, a.party, a.value)
                return [Action(resp.action, a.id, party=a.party, value=a.value, until=max(until, a.until),
                               reason="extended")]
        if resp.action == "quarantine":
            new = Active(self._new_id(), "quarantine", now, until, cause, party=party)
            why = self._quarantine_refused(new)
            if why is not None:
                self._next_id -= 1
                return [Action("capped", party=party, reason=why)]
        else:
            new = Active(self._new_id(), resp.action, now, until, cause, value=value)
        self.active[new.id] = new
        return [Action(resp.action, new.id, party=party if resp.action == "quarantine" else None,
                       value=None if resp.action == "quarantine" else value, until=until)]

    def _need(self, active: Sequence[Active]) -> tuple[int, str]:
        """How many signers must stay: the key's threshold, every (raised) quorum, the change quorum."""
        by = max((a.value for a in active if a.action == "raise_quorum"), default=0)
        need = [(self.key_threshold, "the key's threshold"),
                (self.base.quorum.min_signers + by, "the quorum"),
                ((self.base.change_quorum or self.base.quorum).min_signers, "the change quorum")]
        need += [(t.quorum.min_signers + by, f"the quorum above {t.above}") for t in self.base.tiers]
        return max(need)

    def _overreach(self, extra: Sequence[Active] = ()) -> str | None:
        """Why the active responses plus `extra` would lock out the committee, or None."""
        active = [*self.active_at(self.now), *extra]
        out = {a.party for a in active if a.action == "quarantine"}
        if len(out) > self.config.max_quarantined:
            return f"at most {self.config.max_quarantined} parties may be quarantined at once"
        left = len([s for s in self.base.signers if s not in out])
        need, what = self._need(active)
        if left < need:
            return f"{left} signers would be left, {what} needs {need}"
        try:
            effective_policy(self.base, active)
        except InvalidEncoding as exc:
            return f"the signers left could not satisfy the policy ({exc})"
        return None

    def _quarantine_refused(self, new: Active) -> str | None:
        why = self._overreach([new])
        return None if why is None else f"quarantine of {new.party} refused: {why}"

    def _record(self, op: str, data: dict, actions: list[Action]) -> None:
        self.seq += 1
        self.records.append({"event": RECORD_EVENT, "seq": self.seq, "now": self.now, "op": op, "input": data,
                             "actions": [a.to_dict() for a in actions],
                             "effective": self.effective_policy().digest().hex()})

    # ---- replay ----
    @classmethod
    def replay(cls, bodies: Iterable[dict]) -> "Responder":
        """The responder the records describe: each input run again, its actions and effective
        policy checked against the record (VerificationError naming the record otherwise). Bodies
        that are not responder records are skipped; a `start` record begins a new responder."""
        responder: Responder | None = None
        for body in bodies:
            if not isinstance(body, dict) or body.get("event") != RECORD_EVENT:
                continue
            seq = body.get("seq")
            try:
                responder = cls._replay_one(responder, body)
            except (InvalidEncoding, InvalidParameter, PolicyViolation, KeyError, TypeError) as exc:
                raise VerificationError(f"responder record {seq!r}: cannot be replayed ({exc})") from None
            produced = responder.take_records()
            if produced != [body]:
                raise VerificationError(f"responder record {seq!r}: does not follow from its input "
                                        f"(replayed: {produced[-1] if produced else 'nothing'})")
        if responder is None:
            raise VerificationError("no responder records")
        return responder

    @classmethod
    def _replay_one(cls, responder: "Responder | None", body: dict) -> "Responder":
        op, data, now = body["op"], body["input"], body["now"]
        if op == "start":
            return cls(Policy.from_dict(data["policy"]), key_threshold=data["key_threshold"], now=now)
        if responder is None:
            raise InvalidParameter("records before the responder's start record")
        if op == "tick":
            responder.tick(now)
        elif op == "event":
            responder._replay_input(lambda: responder.handle(Event.from_dict(data["event"]), now), now)
        elif op == "approve":
            responder._replay_input(lambda: responder.approve(data["proposal"], data["approvers"], now), now)
        elif op == "lift":
            responder._replay_input(lambda: responder.lift(data["response"], data["approvers"], now), now)
        elif op == "rebase":
            responder._replay_input(lambda: responder.rebase(Policy.from_dict(data["policy"]), now), now)
        else:
            raise InvalidParameter(f"unknown responder op {str(op)[:40]!r}")
        return responder

    def _replay_input(self, call, now: int) -> None:
        # expiry at `now` was its own (earlier) tick record: it must already have happened
        if any(a.until <= now for a in self.active.values()) or any(p.expires <= now for p in self.proposals.values()):
            raise InvalidParameter("a response expired without its tick record")
        call()


def responder_records(path, public_key: bytes | None = None) -> list[dict]:
    """The responder's record bodies from an audit log, after verifying the whole log
    (`verify_log`, pinned to `public_key` when given)."""
    from .audit import records, verify_log
    verify_log(path, public_key=public_key)
    return [r.body for r in records(path) if r.kind == "note" and r.body.get("event") == RECORD_EVENT]


def replay_log(path, public_key: bytes | None = None) -> Responder:
    """The responder state an audit log records (verified, then replayed)."""
    return Responder.replay(responder_records(path, public_key))


__all__ = ["Action", "Proposal", "Responder", "RECORD_EVENT", "replay_log", "responder_records"]
