"""The node as one sans-I/O party that serves many sessions: it decides which sessions to join,
runs the protocol parties for them, and keeps what they produce.

    coordinator -> node   session_invite   {"protocol", "participants", "threshold", ...}   private
    then the protocol's own messages in that session (dkg_*, refresh_*, reshare_*, repair_*)
    node -> coordinator   session_report   how it ended for this node (`report.Report`)       private

A node joins a ceremony only when a coordinator named in the committee file invites it, and only
if the invitation follows from the committee file and the node's state — the coordinator is not
trusted with the key's fate:
- a DKG only for a committee that has no key yet, among all its nodes, with its threshold;
- a refresh only among *all* holders of the key the node holds (none is cut off), of that key's
  version (`Invitation.key`, `PublicKeyPackage.key_version`) and threshold;
- a repair only of a committee node, by at least the key's threshold of its holders;
- a reshare only to the committee file's nodes and threshold (a new membership or threshold is a
  new committee file version, which the previous version's threshold of nodes must approve:
  `committee.Committee.verify_successor`), dealt by at least the key's threshold of its holders;
- one key ceremony at a time, and a result is kept only if the key it started from is still the
  one held when it ends.

The ceremony runs in a session derived from the invitation (`ceremony_session`: H(invitation
session ‖ invitation)): nodes that a two-faced coordinator gave different invitations run
different ceremonies and never judge each other's messages. Messages of a ceremony that arrive
before its invitation are kept, once authenticated, in bounded boxes (`early.EarlyBoxes`) and
delivered when it is accepted. Every decision — joined, refused and why, finished, aborted and who
was blamed — goes to the node's audit log (`audit(kind, body)`), and every new key package to
`keep(key_package, public_key_package)` (the node's share store). When a ceremony ends — or its
invitation is refused — the node reports to the coordinator that invited it, in the invitation's
session (`CeremonyCoordinator` collects the reports: the coordinator holds no share and learns the
key from them).

Policy-governed signing goes to the node's policy signer (`policy`), which checks each request
itself. What the node answers a request with is recorded (`answers.Answers`, durably on a node's
disk) before it leaves, and a repeated request — redelivered after a crash, a cold node's inbox
stepped twice — gets exactly that answer again, never a second commitment. The ceremonies it
joined are recorded too: restarted mid-ceremony, it does not join the same ceremony again (it
would deal a second polynomial); the others finish without it, or abort naming it unresponsive.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ..encoding import as_bytes, from_hex, lp_bytes
from ..errors import InvalidEncoding, InvalidParameter, PqzkError, ProtocolAbort
from ..math.rand import RandomSource
from ..policy.documents import exact_fields, parse_document
from ..policy.model import canonical_json
from ..runtime.bounded import BoundedDict
from ..runtime.dkg_parties import DkgParticipant, RefreshParticipant, ReshareParticipant
from ..runtime.identity import Keyring
from ..runtime.messages import Kind, Message, PartyId
from ..runtime.party import SignedParty
from ..runtime.repair_parties import RepairParticipant
from ..threshold.frost.ciphersuite import get_ciphersuite
from ..threshold.frost.types import KeyPackage, PublicKeyPackage
from .answers import Answers
from .committee import Committee
from .early import EarlyBoxes
from .report import PROTOCOLS, Report

MAX_KEPT = 1024              # ended ceremonies remembered (their late messages are ignored)
_PREFIX = {"dkg": "dkg_", "refresh": "refresh_", "reshare": "reshare_", "repair": "repair_"}
_POLICY_REQUESTS = frozenset({Kind.AUTH_REQUEST, Kind.AUTH_SIGN, Kind.AUTH_DIRECT, Kind.CHANGE_REQUEST,
                              Kind.CHANGE_SIGN, Kind.PREPROCESS_REQUEST})     # answers recorded, repeats answered alike


def ceremony_session(invite_session: bytes, invitation: bytes) -> bytes:
    """The session a ceremony runs in: bound to the invitation's session and payload. Nodes given
    different invitations in one session run different ceremonies: at worst each waits in vain for
    the others (unresponsive), never does one judge a message made for another invitation."""
    h = hashlib.sha256(b"pqzk/node/ceremony/v1" + lp_bytes(invite_session, 2, "invitation session") + invitation)
    return h.digest()[:16]


@dataclass(frozen=True)
class Invitation:
    """What a coordinator asks of the nodes (strictly decoded JSON)."""
    protocol: str
    participants: tuple[int, ...]
    threshold: int
    target: int | None = None            # repair: whose share is rebuilt
    new_threshold: int | None = None     # reshare
    new_members: tuple[int, ...] = ()    # reshare: new identifiers, taken by the same-numbered nodes
    key: bytes | None = None             # the key version it starts from (None: a DKG)

    def __post_init__(self) -> None:
        object.__setattr__(self, "participants", tuple(sorted(self.participants)))
        object.__setattr__(self, "new_members", tuple(sorted(self.new_members)))

    def to_payload(self) -> bytes:
        """The invitation as canonical JSON, the payload of a `SESSION_INVITE` message."""
        return canonical_json({"protocol": self.protocol, "participants": list(self.participants),
                               "threshold": self.threshold, "target": self.target,
                               "new_threshold": self.new_threshold, "new_members": list(self.new_members),
                               "key": None if self.key is None else self.key.hex()})

    @classmethod
    def from_payload(cls, payload: bytes) -> "Invitation":
        """An invitation from a message payload, strictly validated; `InvalidEncoding` naming what is wrong.
        """
        payload = as_bytes(payload, "session invitation")
        d = exact_fields(parse_document(payload, "session invitation"), {
            "protocol", "participants", "threshold", "target", "new_threshold", "new_members", "key"},
            "session invitation")

        def ints(v, what):
            if not isinstance(v, list) or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**32
                                                  for i in v) or len(set(v)) != len(v):
                raise InvalidEncoding(f"session invitation: {what} must be distinct identifiers")
            return tuple(sorted(v))

        def opt_int(v, what):
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 < v < 2**32):
                raise InvalidEncoding(f"session invitation: {what} must be a positive integer or null")
            return v

        if d["protocol"] not in PROTOCOLS:
            raise InvalidEncoding(f"session invitation: protocol must be one of {', '.join(PROTOCOLS)}")
        key = d["key"]
        if key is not None and (not isinstance(key, str) or len(key) != 64 or key != key.lower()
                                or any(ch not in "0123456789abcdef" for ch in key)):
            raise InvalidEncoding("session invitation: key must be 64 lowercase hex digits or null")
        inv = cls(d["protocol"], ints(d["participants"], "participants"), opt_int(d["threshold"], "threshold"),
                  opt_int(d["target"], "target"), opt_int(d["new_threshold"], "new_threshold"),
                  ints(d["new_members"], "new_members"), None if key is None else from_hex(key, "session invitation: key"))
        if inv.to_payload() != payload:
            raise InvalidEncoding("session invitation: not in canonical form")
        return inv


@dataclass
class _Ceremony:
    """A ceremony this node takes part in: who invited it (reports go there, in the invitation's
    session), and the key it started from (its result is kept only if that is still the key)."""
    invite: bytes
    coordinator: PartyId
    protocol: str
    party: object
    kp: KeyPackage | None
    pkp: PublicKeyPackage | None


class NodeService(SignedParty):
    """The sans-I/O node. `key_package`/`public_key_package`: what it holds now (None before a DKG).
    `answers`: where it records what it answered (default: in memory)."""

    def __init__(self, committee: Committee, keyring: Keyring, *, key_package: KeyPackage | None = None,
                 public_key_package: PublicKeyPackage | None = None, policy=None,
                 audit: Callable[[str, dict], None] | None = None,
                 keep: Callable[[KeyPackage | None, PublicKeyPackage], None] | None = None,
                 policy_factory: Callable[[KeyPackage, PublicKeyPackage], object] | None = None,
                 answers: Answers | None = None, rng: RandomSource | None = None) -> None:
        self._init_signed(keyring, keyring.party, None)
        self.committee = committee
        self.coordinators = [c.node_id for c in committee.coordinators]
        self.node_ids = [n.node_id for n in committee.nodes]
        self.kp, self.pkp = key_package, public_key_package
        self._audit, self._keep, self.rng = audit, keep, rng
        self.policy_factory = policy_factory
        self.policy = policy if policy is not None or key_package is None or policy_factory is None \
            else policy_factory(key_package, public_key_package)
        self.answers = answers if answers is not None else Answers()
        self.sessions: dict[bytes, object] = {}                   # ceremony session -> its party (running)
        self._ceremonies: dict[bytes, _Ceremony] = {}              # ceremony session -> its record (running)
        self._invites: dict[bytes, bytes] = {}                     # invitation session -> ceremony session
        self.finished: BoundedDict[bytes, object] = BoundedDict(MAX_KEPT)    # invitation session -> party
        self.refused: BoundedDict[bytes, str] = BoundedDict(MAX_KEPT)        # invitation session -> why
        self._ended: BoundedDict[bytes, bool] = BoundedDict(MAX_KEPT)        # ceremony sessions that ended
        self.early = EarlyBoxes()

    def __repr__(self) -> str:
        return f"NodeService({self.id}, {len(self.sessions)} active sessions)"

    def audit(self, kind: str, body: dict) -> None:
        """Append a record to the node's audit log, when the service has one."""
        if self._audit is not None:
            self._audit(kind, body)

    # ---- routing ----
    def receive(self, msg: Message) -> list[Message]:
        """Route a message: to its session's party; an invitation to a new ceremony; a policy request to
        the node's policy signer (audited); a ceremony message before its invitation to `EarlyBoxes`."""
        party = self.sessions.get(msg.session)
        if party is not None:
            return self._after(msg.session, party, party.receive(msg))
        if msg.session in self._ended or msg.session in self.finished or msg.session in self.refused \
                or msg.session in self._invites:
            return []
        if msg.kind == Kind.SESSION_INVITE:
            return self._on_invite(msg)
        if self.policy is not None and (str(msg.kind).startswith(("auth_", "change_"))
                                        or msg.kind == Kind.PREPROCESS_REQUEST):
            return self._policy(msg)
        if any(str(msg.kind).startswith(p) for p in _PREFIX.values()):
            self._keep_early(msg)
        return []

    def _policy(self, msg: Message) -> list[Message]:
        """The node's policy signer decides; every decision goes to the node's own audit log. A
        request answered before (a redelivery, a repeated inbox) gets the very same answer."""
        recorded = msg.kind in _POLICY_REQUESTS and self._accept(msg, self.coordinators)
        if recorded:
            again = self.answers.get(msg)
            if again is not None:
                return again
        before = len(self.policy.refusals)
        try:
            out = self.policy.receive(msg)
        except PqzkError as exc:
            self.audit("decision", {"event": "request refused", "session": msg.session.hex(), "kind": str(msg.kind),
                                    "from": str(msg.sender), "allowed": False, "rule": "protocol",
                                    "detail": str(exc)[:500],
                                    "culprits": [str(c) for c in getattr(exc, "culprits", [])]})
            raise
        for session, violation in self.policy.refusals[before:]:
            self.audit("decision", {"event": "request refused", "session": session.hex(), "kind": str(msg.kind),
                                    "from": str(msg.sender), "allowed": False, "rule": violation.rule,
                                    "detail": violation.detail[:500]})
        for m in out:
            if m.kind in (Kind.AUTH_ACCEPT, Kind.CHANGE_ACCEPT, Kind.AUTH_SHARE, Kind.CHANGE_SHARE):
                event = "committed" if m.kind in (Kind.AUTH_ACCEPT, Kind.CHANGE_ACCEPT) else "signed"
                self.audit("decision", {"event": event, "session": m.session.hex(), "kind": str(msg.kind),
                                        "from": str(msg.sender), "allowed": True, "rule": "allowed"})
        if recorded and out:
            self.answers.put(msg, out)             # durably, before the answer leaves
        return out

    def _keep_early(self, msg: Message) -> None:
        """A ceremony message before its invitation: kept if a committee node signed it for us."""
        if msg.sender not in self.node_ids or msg.recipient != self.id or not self.keyring.is_authentic(msg):
            if len(self.rejected) < 1000:
                self.rejected.append((msg, "an early message that does not authenticate"))
            return
        self.early.keep(msg)

    def on_idle(self) -> list[Message]:
        """A quiet timeout: pass it to every running session (and the policy responder), and age the early
        boxes."""
        out: list[Message] = []
        for session, party in list(self.sessions.items()):
            out += self._after(session, party, party.on_idle())
        self.early.tick()
        if self.policy is not None and hasattr(self.policy, "on_idle"):
            out += self.policy.on_idle()
        return out

    def _end(self, session: bytes) -> _Ceremony:
        record = self._ceremonies.pop(session)
        self.sessions.pop(session, None)
        self._invites.pop(record.invite, None)
        self._ended[session] = True
        self.finished[record.invite] = record.party
        return record

    def _after(self, session: bytes, party, out: list[Message]) -> list[Message]:
        """Keep what a finished ceremony produced; audit its end."""
        if session not in self.sessions:
            return out
        if getattr(party, "error", None) is not None:
            err = party.error
            record = self._end(session)
            self.audit("note", {"event": "session aborted", "session": record.invite.hex(), "reason": err.reason[:500],
                                "culprits": [str(c) for c in err.culprits],
                                "unresponsive": [str(c) for c in err.unresponsive]})
            return out + self._report(record, "aborted", err.reason, err.culprits, err.unresponsive)
        elif getattr(party, "result", None) is not None:
            record = self._end(session)
            if record.kp is not self.kp or record.pkp is not self.pkp:
                why = "the key this node holds changed during the ceremony: its result is discarded"
                self.audit("note", {"event": "session aborted", "session": record.invite.hex(), "reason": why,
                                    "culprits": [], "unresponsive": []})
                return out + self._report(record, "aborted", why)
            self._store(record, party)
            return out + self._report(record, "finished")
        elif str(getattr(party, "stage", "")) == "done":       # a repair helper: its part is sent, no result
            record = self._end(session)
            self.audit("note", {"event": "session finished", "session": record.invite.hex(),
                                "protocol": type(party).__name__, "holds_share": self.kp is not None})
            return out + self._report(record, "finished")
        return out

    def _report(self, record: _Ceremony, outcome: str, reason: str = "", culprits=(), unresponsive=()) -> list[Message]:
        """Tell the coordinator that invited this node how the ceremony ended for it."""
        finished = outcome == "finished"
        report = Report(record.protocol, outcome, self.pkp.to_bytes() if finished and self.pkp is not None else None,
                        finished and self.kp is not None, reason[:500], tuple(culprits), tuple(unresponsive))
        return [self._send(record.coordinator, Kind.SESSION_REPORT, report.to_payload(), session=record.invite)]

    def _store(self, record: _Ceremony, party) -> None:
        result = party.result
        if isinstance(result, KeyPackage):                      # repair: the rebuilt key package
            kp, pkp = result, self.pkp
        else:
            kp, pkp = result
        if kp is not None:
            self.kp = kp
            if self.policy_factory is not None:       # the policy signer signs with the new share
                old, self.policy = self.policy, self.policy_factory(kp, pkp)
                if old is not None and self.policy is not None and hasattr(self.policy, "inherit"):
                    self.policy.inherit(old)           # the policy it adopted, what it counted
        self.pkp = pkp
        if self._keep is not None:
            self._keep(kp, pkp)
        self.audit("note", {"event": "session finished", "session": record.invite.hex(),
                            "protocol": type(party).__name__,
                            "group_key": pkp.verifying_key.to_bytes().hex() if pkp is not None else None,
                            "holds_share": kp is not None})

    # ---- invitations ----
    def _refuse(self, msg: Message, why: str, protocol: str | None) -> list[Message]:
        self.refused[msg.session] = why
        self.audit("decision", {"event": "invitation refused", "session": msg.session.hex(),
                                "from": str(msg.sender), "allowed": False, "rule": "invitation", "detail": why})
        if protocol is None:                 # not even a readable invitation: nothing to report on
            return []
        record = _Ceremony(msg.session, msg.sender, protocol, None, None, None)
        return self._report(record, "refused", why)

    def _on_invite(self, msg: Message) -> list[Message]:
        if not self._accept(msg, self.coordinators) or msg.broadcast:
            return []
        inv = None
        session = ceremony_session(msg.session, msg.payload)
        try:
            inv = Invitation.from_payload(msg.payload)
            if self.answers.joined(session):
                raise InvalidParameter("this node took part in this ceremony before it restarted and lost its "
                                       "state: it cannot join it again")
            if self.sessions:
                busy = next(iter(self._ceremonies.values()))
                raise InvalidParameter(f"another key ceremony is under way (a {busy.protocol}, session "
                                       f"{busy.invite.hex()}): one at a time")
            party = self._party_for(inv, session)
        except (InvalidEncoding, InvalidParameter) as exc:
            return self._refuse(msg, str(exc), inv.protocol if inv is not None else None)
        self.answers.join(session)                   # durably, before its first message leaves
        self.sessions[session] = party
        self._ceremonies[session] = _Ceremony(msg.session, msg.sender, inv.protocol, party, self.kp, self.pkp)
        self._invites[msg.session] = session
        self.audit("decision", {"event": "invitation accepted", "session": msg.session.hex(), "from": str(msg.sender),
                                "allowed": True, "rule": "invitation", "detail": inv.protocol,
                                "ceremony": session.hex()})
        out = party.start()
        for early in self.early.pop(session):
            if session not in self.sessions:
                break
            try:
                out += party.receive(early)
            except PqzkError:
                continue
        return self._after(session, party, out)

    def _party_for(self, inv: Invitation, session: bytes):
        """The party for an invitation that follows from the committee file and this node's key;
        InvalidParameter naming the rule otherwise."""
        c, me = self.committee, self.id
        nodes = sorted(self.node_ids)
        involved = set(inv.participants) | set(inv.new_members) | ({inv.target} if inv.target else set())
        if not involved <= set(nodes):
            raise InvalidParameter("the invitation names parties that are not nodes of the committee")
        if inv.protocol == "dkg":
            if self.kp is not None or self.pkp is not None or c.public_key_package is not None:
                raise InvalidParameter("this committee already has a key: a DKG would replace it")
            if list(inv.participants) != nodes or inv.threshold != c.threshold:
                raise InvalidParameter("a DKG must include every node, with the committee file's threshold")
            if inv.key is not None or inv.new_members or inv.new_threshold is not None or inv.target is not None:
                raise InvalidParameter("a DKG starts from no key and names no target, new members or new threshold")
            return DkgParticipant(c.suite, me, list(inv.participants), c.threshold, self.keyring, rng=self.rng,
                                  session=session)
        if me not in involved:
            raise InvalidParameter(f"node {me} is not a participant")
        pkp = self.pkp
        if pkp is None:
            raise InvalidParameter("this node holds no key yet")
        if inv.key != pkp.key_version():
            raise InvalidParameter("the invitation starts from another version of the key than the one this node "
                                   "holds")
        if inv.threshold != pkp.min_signers:
            raise InvalidParameter(f"the invitation's threshold {inv.threshold} is not the key's ({pkp.min_signers})")
        holders = sorted(pkp.verifying_shares)
        if inv.protocol == "refresh":
            if list(inv.participants) != holders:
                raise InvalidParameter(f"a refresh renews the shares of every holder of the key ({holders}): "
                                       "none may be left out")
            if self.kp is None or inv.target is not None or inv.new_members or inv.new_threshold is not None:
                raise InvalidParameter("a refresh is among holders of a share, with no target or new members")
            return RefreshParticipant(self.kp, pkp, list(inv.participants), self.keyring, rng=self.rng,
                                      session=session)
        if not set(inv.participants) <= set(holders) or len(inv.participants) < pkp.min_signers:
            raise InvalidParameter(f"a {inv.protocol} needs at least {pkp.min_signers} holders of the key "
                                   f"({holders}) as its {'helpers' if inv.protocol == 'repair' else 'dealers'}")
        if inv.protocol == "repair":
            if inv.target is None or inv.target in inv.participants or inv.target not in holders:
                raise InvalidParameter("a repair names a target, a holder of the key that is not one of its helpers")
            if inv.new_members or inv.new_threshold is not None:
                raise InvalidParameter("a repair names no new members or new threshold")
            if me != inv.target and me not in inv.participants:
                raise InvalidParameter(f"node {me} is neither a helper nor the target")
            return RepairParticipant(me, pkp, list(inv.participants), inv.target, self.keyring,
                                     key_package=self.kp if me in inv.participants else None, rng=self.rng,
                                     session=session)
        if inv.protocol == "reshare":
            if list(inv.new_members) != nodes or inv.new_threshold != c.threshold or inv.target is not None:
                raise InvalidParameter(f"a reshare deals the key to the committee file's nodes ({nodes}) with its "
                                       f"threshold ({c.threshold}); to change them, a new committee file version")
            if me in inv.participants and self.kp is None:
                raise InvalidParameter(f"node {me} holds no share to deal")
            dealers = {i: i for i in inv.participants}
            receivers = {i: i for i in inv.new_members}
            return ReshareParticipant(me, pkp, inv.new_threshold, dealers, receivers, self.keyring,
                                      key_package=self.kp if me in dealers else None, rng=self.rng, session=session)
        raise InvalidParameter(f"unknown protocol {inv.protocol!r}")


class Inviter(SignedParty):
    """The coordinator's side of a ceremony: invites the participants, then watches nothing more —
    the nodes run the ceremony among themselves (the coordinator holds no share)."""

    def __init__(self, invitation: Invitation, keyring: Keyring, *, session: bytes, to: list[PartyId]) -> None:
        self._init_signed(keyring, keyring.party, session)
        self.invitation, self.to = invitation, list(to)
        self.result = self.error = None

    def start(self) -> list[Message]:
        """Send the invitation to every participant (the inviter's whole job)."""
        payload = self.invitation.to_payload()
        self.result = True
        return [self._send(i, Kind.SESSION_INVITE, payload) for i in self.to]

    def receive(self, msg: Message) -> list[Message]:
        """An inviter expects no answer: every message is dropped."""
        return []


class CeremonyCoordinator(Inviter):
    """The coordinator's side of a ceremony, to its end: it invites the participants, then
    collects each node's `SESSION_REPORT`. `result` is the public key package when every invited
    node reports that it finished with one and the same key; otherwise `error` is a
    ProtocolAbort: its culprits are the parties named by more than half of the invited nodes
    (a coordinator cannot check a node's evidence itself; an honest majority never names an
    honest node), nodes that refused the invitation are in `stopped_by`, and nodes that never
    reported (within `patience` quiet timeouts) are `unresponsive`. `reports` keeps every report."""

    def __init__(self, invitation: Invitation, keyring: Keyring, *, session: bytes, to: list[PartyId],
                 suite: str, patience: int = 15) -> None:
        super().__init__(invitation, keyring, session=session, to=to)
        self.suite, self.patience = suite, patience
        self.reports: dict[PartyId, Report] = {}
        self.keys: dict[PartyId, PublicKeyPackage] = {}
        self._quiet = 0

    def __repr__(self) -> str:
        return f"CeremonyCoordinator({self.invitation.protocol}, {len(self.reports)}/{len(self.to)} reports)"

    def start(self) -> list[Message]:
        """Invite every participant."""
        payload = self.invitation.to_payload()
        return [self._send(i, Kind.SESSION_INVITE, payload) for i in self.to]

    def receive(self, msg: Message) -> list[Message]:
        """Record one node's session report; conclude when all have reported."""
        if self.result is not None or self.error is not None:
            return []
        self._quiet = 0                          # the session is alive (the nodes' broadcasts pass by)
        if msg.kind != Kind.SESSION_REPORT or not self._accept(msg, self.to) or msg.sender in self.reports:
            return []
        report = Report.from_payload(msg.payload)
        if report.protocol != self.invitation.protocol:
            raise InvalidEncoding(f"node {msg.sender} reports on a {report.protocol}, not a {self.invitation.protocol}")
        if report.public_key_package is not None:
            self.keys[msg.sender] = PublicKeyPackage.from_bytes(get_ciphersuite(self.suite),
                                                                report.public_key_package)
        self.reports[msg.sender] = report
        if len(self.reports) == len(self.to):
            self.conclude()
        return []

    def on_idle(self) -> list[Message]:
        """Count a quiet timeout; conclude after `patience` of them."""
        if self.result is None and self.error is None:
            self._quiet += 1
            if self._quiet >= self.patience:
                self.conclude()
        return []

    def conclude(self) -> None:
        """Decide the ceremony from the reports so far: `result` when every invited node finished with one and
        the same key, else `error` naming culprits by majority, refusals and the unresponsive."""
        missing = [i for i in self.to if i not in self.reports]
        outcome = {o: [i for i, r in self.reports.items() if r.outcome == o] for o in ("refused", "aborted")}
        keys = {k.to_bytes() for i, k in self.keys.items() if self.reports[i].outcome == "finished"}
        if not missing and not outcome["refused"] and not outcome["aborted"] and len(keys) == 1:
            self.result = next(iter(self.keys.values()))
            return
        named = Counter(c for r in self.reports.values() for c in set(r.culprits))
        culprits = [p for p, k in named.items() if 2 * k > len(self.to)]
        if len(keys) > 1:
            reason = "the nodes report different keys"
        elif outcome["aborted"]:
            first = outcome["aborted"][0]
            reason = f"node {first} aborted: {self.reports[first].reason}"
        elif outcome["refused"]:
            first = outcome["refused"][0]
            reason = f"node {first} refused the invitation: {self.reports[first].reason}"
        elif missing:
            reason = f"no report from {', '.join(map(str, missing))}"
        else:
            reason = "no node reports a key"
        hints = set(missing) | {u for r in self.reports.values() for u in r.unresponsive}
        self.result = None
        self.error = ProtocolAbort(f"{self.invitation.protocol}: {reason}", culprits=culprits,
                                   unresponsive=hints, stopped_by=outcome["refused"])


__all__ = ["CeremonyCoordinator", "Invitation", "Inviter", "NodeService", "PROTOCOLS"]
