"""Verifiable secret-sharing ceremonies as one sans-I/O state machine: DKG, refresh and reshare
differ only in what each dealer deals (`DealingScheme`, in `pqzk.runtime.dkg_parties`).

    <p>_round1      broadcast   the dealer's public commitment (and whatever proves it well formed)
    <p>_echo        broadcast   every signed round 1 message this party holds, forwarded; sent again
                                (a higher version) each time it learns one more, until complete
    <p>_round2      private     the dealer's share for one receiver
    <p>_complaints  broadcast   per dealer: a share that is missing, or one that is bad *with the
                                dealer's signed message as evidence*; possibly none
    <p>_reveal      private     an accused dealer's answer to a "missing" complaint: the share again,
                                to the accuser only (sealed on the network: never a share in clear)
    <p>_verdict     broadcast   an accuser's judgement of the reveals it got: each "settled", or
                                "bad" with the dealer's signed reveal as evidence
    <p>_abort       broadcast   this party stops, and why (so that nobody waits for it)

Blame rests only on what the accused signed:
- a round 1 message that does not decode or verify convicts its dealer; two different signed
  round 1 messages of one dealer (seen directly or forwarded in an echo) convict it of equivocation;
- an echo forwarding a "round 1 message" that its dealer did not sign convicts the echoer, as does
  an echo leaving out the echoer's own round 1;
- a "bad share" complaint convicts the dealer if the signed share fails the dealer's commitment,
  and the complainer if it does not (or if the evidence is not the dealer's signed message);
- a revealed share that fails the commitment convicts its dealer (shown by the accuser with the
  dealer's signed reveal), and a "bad" verdict about a good reveal convicts the accuser;
- any signed message of the wrong kind, form or mode (a broadcast sent privately), or two
  different signed messages for one slot, convicts its sender.
Nothing else does. Messages that fail their signature are dropped (the network may have altered
them); silence is reported as `unresponsive`, never as a culprit; an `_abort` notice only ends
the wait for its sender.

Agreement on the commitments: a party deals its shares only when it holds every round 1 message
and the latest echo of every other participant is complete and forwards exactly those. Every
honest party echoes again whenever it learns a round 1 message, so if two honest parties held two
signed versions of one dealer's round 1, each would see the other's in its echo and convict the
dealer; hence honest parties that go on all use the same commitments.
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol

from ..encoding import ByteReader, ByteWriter, uint_bytes
from ..errors import InvalidEncoding, InvalidParameter, PqzkError, VerificationError
from ..groups.base import Group
from ..math.poly import poly_eval
from ..math.rand import RandomSource
from ..sharing.shamir import Share
from ..sharing.vss import FeldmanCommitment
from . import wire
from .identity import Keyring
from .messages import Kind, Message, PartyId
from .party import PATIENCE, AnnouncedAbort, SignedParty


def party_order(pid: PartyId) -> tuple:
    """Integers first, in order, then names: the one order every party lists others in."""
    return (0, pid, "") if isinstance(pid, int) else (1, 0, pid)


def _signed(payload: bytes | None, sig: bytes | None) -> bytes:
    """An optional signed message as echoes, complaints and verdicts carry it (`_read_signed`)."""
    if payload is None:
        return b"\x00"
    return ByteWriter("signed message").uint(1, 1).lp(sig, 2).lp(payload, 4).to_bytes()


def _read_signed(r: ByteReader, what: str) -> tuple[bytes | None, bytes | None]:
    """An optional signed message as echoes, complaints and verdicts carry it: flag 0 (none), or
    flag 1, its signature (u16 length) and its payload (u32 length); returns (payload, signature)."""
    flag = r.uint(1)
    if flag == 0:
        return None, None
    if flag != 1:
        raise InvalidEncoding(f"bad {what} flag")
    sig = r.lp(2)
    return r.lp(4), sig


class Stage(StrEnum):
    """Where a ceremony party is: new, one of the rounds, done or aborted."""
    NEW = "new"
    ROUND1 = "round1"
    ECHO = "echo"
    ROUND2 = "round2"
    COMPLAINTS = "complaints"
    REVEALS = "reveals"
    DONE = "done"
    ABORTED = "aborted"


_RANK = {Stage.ROUND1: 0, Stage.ECHO: 0, Stage.ROUND2: 1, Stage.COMPLAINTS: 2, Stage.REVEALS: 3}


class DealingScheme(Protocol):
    """What one party of a ceremony deals and how it combines what it receives."""
    prefix: str                # the protocol: Kind values are f"{prefix}_round1", ...
    group: Group
    threshold: int             # of the dealt polynomials (their degree + 1)

    def deal(self, rng: RandomSource | None) -> tuple[tuple[int, ...], bytes]:
        """(the polynomial's coefficients — secret, the round 1 payload to broadcast)."""

    def check_round1(self, dealer: PartyId, dealer_index: int, payload: bytes) -> FeldmanCommitment:
        """The dealer's commitment; InvalidEncoding or VerificationError if the payload is bad."""

    def finish(self, commitments: Mapping[PartyId, FeldmanCommitment], shares: Mapping[PartyId, int] | None):
        """The result once every share is in (`shares` None for a dealer that receives nothing)."""


class Ceremony(AnnouncedAbort, SignedParty):
    """One party of a DKG, refresh or reshare. `dealers` and `receivers` map each party id to
    its index in the sharing (its identifier: the evaluation point); a party may be both."""

    def __init__(self, scheme: DealingScheme, me: PartyId, dealers: Mapping[PartyId, int],
                 receivers: Mapping[PartyId, int], keyring: Keyring, *, session: bytes,
                 rng: RandomSource | None = None) -> None:
        self.scheme = scheme
        self._init_signed(keyring, me, session)
        self.dealers = dict(sorted(dealers.items(), key=lambda kv: party_order(kv[0])))
        self.receivers = dict(sorted(receivers.items(), key=lambda kv: party_order(kv[0])))
        for name, m in (("dealer", self.dealers), ("receiver", self.receivers)):
            idx = list(m.values())
            if any(not isinstance(x, int) or isinstance(x, bool) or not 0 < x < scheme.group.order for x in idx) \
                    or len(set(idx)) != len(idx):
                raise InvalidParameter(f"{name} indices must be distinct non-zero scalars")
        if me not in self.dealers and me not in self.receivers:
            raise InvalidParameter(f"party {me!r} is neither a dealer nor a receiver")
        if len(self.receivers) < scheme.threshold:
            raise InvalidParameter(f"{len(self.receivers)} receivers cannot hold a {scheme.threshold}-of-n sharing")
        self.participants = sorted(set(self.dealers) | set(self.receivers), key=party_order)
        for p in self.participants:
            wire.encode_party(p)
        self.others = [p for p in self.participants if p != me]
        self.kinds = {k: Kind(f"{scheme.prefix}_{k}") for k in
                      ("round1", "echo", "round2", "complaints", "reveal", "verdict", "abort")}
        self._kind_names = {v: k for k, v in self.kinds.items()}
        self.rng = rng
        self.stage = Stage.NEW
        self.round1: dict[PartyId, tuple[bytes, bytes]] = {}        # dealer -> (payload, signature)
        self.commitments: dict[PartyId, FeldmanCommitment] = {}
        self.echoes: dict[PartyId, tuple[int, bytes]] = {}          # echoer -> (version, payload) latest
        self.echo_sets: dict[PartyId, dict[PartyId, bytes]] = {}     # echoer -> dealer -> round 1 payload
        self.round2: dict[PartyId, Message] = {}                    # dealer -> its signed share for me
        self.complaints: dict[PartyId, bytes] = {}                  # receiver -> complaint payload
        self._handled_complaints: set[PartyId] = set()
        self.disputes: set[tuple[PartyId, PartyId]] = set()         # (accused dealer, accuser)
        self.reveals: dict[PartyId, Message] = {}                   # dealer -> its signed reveal to me
        self._pending_reveals: set[PartyId] = set()                 # accusers owed a reveal by me
        self._revealed: set[PartyId] = set()                        # accusers I revealed to
        self.verdicts: dict[PartyId, bytes] = {}                    # accuser -> verdict payload
        self._judged_verdicts: set[PartyId] = set()
        self._verdict_sent = False
        self._init_abort()
        self.abort_kind = self.kinds["abort"]
        self.result = None
        self._coeffs: tuple[int, ...] | None = None
        self._my_shares: dict[PartyId, int] = {}                    # dealer -> the share I hold
        self._quiet = 0
        self._progress = False
        self._echo_sent = False
        self._echo_version = 0
        self._echoed: frozenset = frozenset()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id}, {self.stage})"

    # ---- the protocol ----
    @property
    def is_dealer(self) -> bool:
        """Whether this party deals shares in the ceremony."""
        return self.id in self.dealers

    @property
    def is_receiver(self) -> bool:
        """Whether this party receives a share in the ceremony."""
        return self.id in self.receivers

    def start(self) -> list[Message]:
        """Start round 1: a dealer deals its polynomial and broadcasts its round-1 payload (the commitment)."""
        if self.stage != Stage.NEW:
            raise InvalidParameter("a ceremony starts once")
        self.stage = Stage.ROUND1
        out: list[Message] = []
        if self.is_dealer:
            self._coeffs, payload = self.scheme.deal(self.rng)
            self.round1[self.id] = (payload, self._self_sign(payload))
            self.commitments[self.id] = FeldmanCommitment.from_polynomial(self.scheme.group, self._coeffs)
            out = self.send_round1(payload)
        return out + self._advance()

    def _self_sign(self, payload: bytes) -> bytes:
        return self.keyring.sign(Message(self.id, None, self.kinds["round1"], payload, self.session, True)).signature

    def send_round1(self, payload: bytes) -> list[Message]:
        """Broadcast the round 1 payload (an adversary may override)."""
        return self._send_all(self.others, self.kinds["round1"], payload)

    def receive(self, msg: Message) -> list[Message]:
        """Handle one ceremony message (commitments, echoes, shares, complaints, reveals or an abort
        notice) and advance when a round is complete."""
        if self.stage == Stage.NEW or not self._accept(msg, self.others):
            return []
        name = self._kind_names.get(msg.kind)
        if name == "abort":
            return self._on_abort_notice(msg)
        if self.stage in (Stage.DONE, Stage.ABORTED):
            return []
        self._progress = True
        if name is None:
            self._convict(msg.sender, f"sent a {msg.kind} message in a {self.scheme.prefix} session")
        elif msg.broadcast != (name not in ("round2", "reveal")):
            self._convict(msg.sender, f"sent a {name} message {'as a broadcast' if msg.broadcast else 'privately'}")
        else:
            try:
                getattr(self, "_on_" + name)(msg)
            except InvalidEncoding as exc:
                self._convict(msg.sender, f"malformed {name} message ({exc})")
        if self.culprits:
            return self._abort("")
        return self._advance()

    # round 1 and its echo
    def _learn_round1(self, dealer: PartyId, payload: bytes, signature: bytes, via: PartyId) -> None:
        old = self.round1.get(dealer)
        if old is not None:
            if old[0] != payload:
                self._convict(dealer, "signed two different round 1 messages (equivocation)")
            return
        try:
            com = self.scheme.check_round1(dealer, self.dealers[dealer], payload)
        except (InvalidEncoding, VerificationError) as exc:
            self._convict(dealer, f"signed an invalid round 1 message ({exc})")
            return
        self.round1[dealer] = (payload, signature)
        self.commitments[dealer] = com

    def _on_round1(self, msg: Message) -> None:
        if msg.sender not in self.dealers:
            self._convict(msg.sender, "sent a round 1 message but is not a dealer")
            return
        self._learn_round1(msg.sender, msg.payload, msg.signature, msg.sender)

    def _echo_payload(self) -> bytes:
        out = ByteWriter("round 1 echo").uint(self._echo_version, 2).uint(len(self.dealers), 2)
        for d in self.dealers:
            out.put(_signed(*self.round1.get(d, (None, None))))
        return bytes(out)

    def _send_echo(self) -> list[Message]:
        """Echo what we hold now (again, with a higher version, whenever that grows)."""
        self._echo_sent = True
        if self.stage == Stage.ROUND1:
            self.stage = Stage.ECHO
        self._echo_version += 1
        self._echoed = frozenset(self.round1)
        payload = self._echo_payload()
        self.echoes[self.id] = (self._echo_version, payload)
        self.echo_sets[self.id] = {d: self.round1[d][0] for d in self.round1}
        return self._send_all(self.others, self.kinds["echo"], payload)

    def _on_echo(self, msg: Message) -> None:
        r = ByteReader(msg.payload, "echo")
        version = r.uint(2)
        if r.uint(2) != len(self.dealers):
            raise InvalidEncoding("wrong number of entries")
        entries = []
        for d in self.dealers:
            entries.append((d, *_read_signed(r, "entry")))
        r.end()
        old = self.echoes.get(msg.sender)
        if old is not None and old[0] == version and old[1] != msg.payload:
            self._convict(msg.sender, "signed two different echoes of one version")
            return
        for d, payload, sig in entries:
            if payload is None:
                if d == msg.sender:
                    self._convict(msg.sender, "echo leaves out its own round 1 message")
                continue
            forwarded = Message(d, None, self.kinds["round1"], payload, self.session, True, sig)
            if not self.keyring.is_authentic(forwarded):
                self._convict(msg.sender, f"echo forwards a round 1 message party {d} did not sign")
                continue
            self._learn_round1(d, payload, sig, msg.sender)
        if old is None or version > old[0]:
            self.echoes[msg.sender] = (version, msg.payload)
            self.echo_sets[msg.sender] = {d: payload for d, payload, _ in entries if payload is not None}

    def _settled(self) -> bool:
        """Every round 1 held, and every participant's latest echo complete and forwarding exactly
        the round 1 messages held here: the commitments are the same for everyone who goes on."""
        if any(d not in self.round1 for d in self.dealers):
            return False
        mine = {d: self.round1[d][0] for d in self.dealers}
        return all(self.echo_sets.get(p) == mine for p in self.participants)

    # round 2: shares, checked against the commitments
    def share_for(self, receiver: PartyId) -> int:
        """The share this dealer deals to `receiver` (an adversary may override)."""
        return poly_eval(self._coeffs, self.receivers[receiver], self.scheme.group.order)

    def _deal_shares(self) -> list[Message]:
        g = self.scheme.group
        out = []
        for j in self.receivers:
            if j == self.id:
                self._my_shares[self.id] = poly_eval(self._coeffs, self.receivers[j], g.order)
            else:
                out.append(self._send(j, self.kinds["round2"], g.scalar_encode(self.share_for(j))))
        return out

    def _keep_first(self, store: dict, msg: Message, equivocation: str) -> None:
        """Keep each sender's first message in `store`; a different second one convicts the sender
        (`equivocation` says of what), a repeat is ignored."""
        old = store.get(msg.sender)
        if old is None:
            store[msg.sender] = msg
        elif old.payload != msg.payload:
            self._convict(msg.sender, equivocation)

    def _on_round2(self, msg: Message) -> None:
        if msg.sender not in self.dealers or not self.is_receiver:
            self._convict(msg.sender, "sent a share but is not a dealer (or this party receives none)")
            return
        self._keep_first(self.round2, msg, "signed two different shares for one receiver")

    def _share_value(self, dealer: PartyId, receiver: PartyId, payload: bytes) -> int | None:
        """The share if `payload` decodes and matches the dealer's commitment, else None."""
        g = self.scheme.group
        try:
            value = g.scalar_decode(payload)
        except InvalidEncoding:
            return None
        ok = self.commitments[dealer].is_valid_share(Share(self.receivers[receiver], value))
        return value if ok else None

    def _complain(self) -> list[Message]:
        """Check the shares in hand; complain (broadcast, possibly empty) about the others."""
        entries = bytearray()
        count = 0
        for d in self.dealers:
            if d == self.id:
                continue
            msg = self.round2.get(d)
            if msg is None:
                entries += wire.encode_party(d) + _signed(None, None)
                count += 1
                continue
            value = self._share_value(d, self.id, msg.payload)
            if value is None:
                entries += wire.encode_party(d) + _signed(msg.payload, msg.signature)
                count += 1
            else:
                self._my_shares[d] = value
        payload = uint_bytes(count, 2, "entry count") + bytes(entries)
        self.complaints[self.id] = payload
        self._handle_complaints(self.id, payload)
        self.stage = Stage.COMPLAINTS
        return self.send_complaints(payload)

    def send_complaints(self, payload: bytes) -> list[Message]:
        """Broadcast this party's complaints (an adversary may override)."""
        return self._send_all(self.others, self.kinds["complaints"], payload)

    def _on_complaints(self, msg: Message) -> None:
        if msg.sender not in self.receivers:
            self._convict(msg.sender, "complained but receives no shares")
            return
        old = self.complaints.get(msg.sender)
        if old is not None:
            if old != msg.payload:
                self._convict(msg.sender, "signed two different complaint lists")
            return
        self._parse_complaints(msg.payload)        # malformed: InvalidEncoding convicts the sender
        self.complaints[msg.sender] = msg.payload

    def _parse_complaints(self, payload: bytes) -> list[tuple[PartyId, bytes | None, bytes | None]]:
        r = ByteReader(payload, "complaint list")
        n = r.uint(2)
        out, seen = [], []
        for _ in range(n):
            accused = wire.read_party(r)
            if accused not in self.dealers or accused in seen:
                raise InvalidEncoding("complaint names a non-dealer or names one twice")
            seen.append(accused)
            out.append((accused, *_read_signed(r, "complaint")))
        r.end()
        return out

    def _judge_evidence(self, accuser: PartyId, accused: PartyId, kind: str, evidence: bytes, sig: bytes,
                        claim: str, sent: str, valid_claim: str) -> None:
        """`accuser`'s claim (a complaint or a verdict) that the share `accused` sent it as a `kind`
        message is bad, with that signed message as evidence: the accuser is convicted when the
        accused did not sign it or the share is valid (`valid_claim`, formatted with {accused}),
        the accused when its signed share fails its commitment."""
        signed = Message(accused, accuser, self.kinds[kind], evidence, self.session, False, sig)
        if not self.keyring.is_authentic(signed):
            self._convict(accuser, f"{claim} against {accused} carries evidence {accused} did not sign")
        elif self._share_value(accused, accuser, evidence) is None:
            self._convict(accused, f"{sent} a share for {accuser} that fails its commitment")
        else:
            self._convict(accuser, valid_claim.format(accused=accused))

    def _handle_complaints(self, accuser: PartyId, payload: bytes) -> None:
        """Judge one complaint list (once the commitments are known)."""
        self._handled_complaints.add(accuser)
        for accused, evidence, sig in self._parse_complaints(payload):
            if accused == accuser:
                self._convict(accuser, "complained about its own share")
            elif evidence is None:
                self.disputes.add((accused, accuser))
                if accused == self.id:
                    self._pending_reveals.add(accuser)
            else:
                self._judge_evidence(accuser, accused, "round2", evidence, sig, "complaint", "signed",
                                     "complained about a valid share from {accused}")

    def reveal_share(self, accuser: PartyId) -> int:
        """The share sent again, privately, to `accuser` (an adversary may override)."""
        return poly_eval(self._coeffs, self.receivers[accuser], self.scheme.group.order)

    def _send_reveals(self) -> list[Message]:
        """Answer each "missing" complaint against us: the share again, to the accuser only."""
        out = []
        g = self.scheme.group
        for accuser in sorted(self._pending_reveals - self._revealed, key=party_order):
            self._revealed.add(accuser)
            if accuser == self.id:
                continue
            out.append(self._send(accuser, self.kinds["reveal"], g.scalar_encode(self.reveal_share(accuser))))
        self._pending_reveals.clear()
        return out

    def _on_reveal(self, msg: Message) -> None:
        if msg.sender not in self.dealers or not self.is_receiver:
            raise InvalidEncoding("a reveal from a non-dealer or to a non-receiver")
        self._keep_first(self.reveals, msg, "revealed two different shares to one receiver")

    def _my_disputes(self) -> list[PartyId]:
        """The dealers this party complained "missing" about."""
        return sorted((d for d, a in self.disputes if a == self.id), key=party_order)

    def _accusers(self) -> list[PartyId]:
        return sorted({a for _, a in self.disputes}, key=party_order)

    def _verdict(self) -> list[Message]:
        """Every reveal owed to us is in: judge them and tell everyone (a bad one with evidence)."""
        self._verdict_sent = True
        entries, count = bytearray(), 0
        for d in self._my_disputes():
            msg = self.reveals[d]
            value = self._share_value(d, self.id, msg.payload)
            if value is not None:
                self._my_shares[d] = value
                entries += wire.encode_party(d) + _signed(None, None)
            else:
                entries += wire.encode_party(d) + _signed(msg.payload, msg.signature)
            count += 1
        payload = uint_bytes(count, 2, "entry count") + bytes(entries)
        self.verdicts[self.id] = payload
        self._judge_verdict(self.id, payload)
        return self._send_all(self.others, self.kinds["verdict"], payload)

    def _parse_verdict(self, accuser: PartyId, payload: bytes) -> list[tuple[PartyId, bytes | None, bytes | None]]:
        r = ByteReader(payload, "verdict")
        n = r.uint(2)
        out = []
        for _ in range(n):
            d = wire.read_party(r)
            out.append((d, *_read_signed(r, "verdict")))
        r.end()
        if sorted((d for d, _, _ in out), key=party_order) != \
                sorted((d for d, a in self.disputes if a == accuser), key=party_order):
            raise InvalidEncoding("a verdict must answer exactly its author's \"missing\" complaints")
        return out

    def _on_verdict(self, msg: Message) -> None:
        old = self.verdicts.get(msg.sender)
        if old is not None:
            if old != msg.payload:
                self._convict(msg.sender, "signed two different verdicts")
            return
        self.verdicts[msg.sender] = msg.payload

    def _judge_verdict(self, accuser: PartyId, payload: bytes) -> None:
        """A "bad" verdict convicts the dealer if its signed reveal fails, the accuser otherwise."""
        self._judged_verdicts.add(accuser)
        try:
            entries = self._parse_verdict(accuser, payload)
        except InvalidEncoding as exc:
            self._convict(accuser, f"malformed verdict ({exc})")
            return
        for d, evidence, sig in entries:
            if evidence is None:
                continue
            self._judge_evidence(accuser, d, "reveal", evidence, sig, "verdict", "revealed",
                                 "judged a valid revealed share from {accused} bad")

    # ---- moving on ----
    def _advance(self) -> list[Message]:
        out: list[Message] = []
        while self.stage not in (Stage.DONE, Stage.ABORTED) and not self.culprits:
            before = self.stage
            if self._echo_sent and frozenset(self.round1) != self._echoed and self.stage in (Stage.ECHO, Stage.ROUND1):
                out += self._send_echo()                     # we learned more: echo again
            if self.stage == Stage.ROUND1 and all(d in self.round1 for d in self.dealers):
                out += self._send_echo()
            elif self.stage == Stage.ECHO and self._settled():
                if self.is_dealer:
                    out += self._deal_shares()
                self.stage = Stage.ROUND2 if self.is_receiver else Stage.COMPLAINTS
            elif self.stage == Stage.ROUND2 and all(d in self.round2 for d in self.dealers if d != self.id):
                out += self._complain()
            if self.stage in (Stage.ROUND2, Stage.COMPLAINTS, Stage.REVEALS):
                for accuser in [a for a in self.complaints if a not in self._handled_complaints]:
                    self._handle_complaints(accuser, self.complaints[accuser])
                if self.culprits:
                    break
                out += self._send_reveals()
            if self.stage == Stage.COMPLAINTS and all(p in self.complaints for p in self.receivers):
                self.stage = Stage.REVEALS
            if self.stage == Stage.REVEALS:
                if not self._verdict_sent and self.id in self._accusers() \
                        and all(d in self.reveals for d in self._my_disputes()):
                    out += self._verdict()
                for accuser in [a for a in self.verdicts if a not in self._judged_verdicts]:
                    self._judge_verdict(accuser, self.verdicts[accuser])
                if self.culprits:
                    break
                if all(a in self.verdicts for a in self._accusers()):
                    out += self._finish()
            if self.stage == before:
                break
        if self.culprits:
            out += self._abort("")
        return out

    def _finish(self) -> list[Message]:
        try:
            shares = {d: self._my_shares[d] for d in self.dealers} if self.is_receiver else None
            self.result = self.scheme.finish(self.commitments, shares)
        except (PqzkError, KeyError) as exc:      # cannot happen once every share is checked
            return self._abort(f"could not combine the shares ({type(exc).__name__})")
        self.stage = Stage.DONE
        return []

    # ---- timeouts ----
    def _waiting_for(self) -> list[PartyId]:
        if self.stage in (Stage.ROUND1, Stage.ECHO):
            # silent: no echo at all, or a round 1 nobody forwarded. A participant whose echo is
            # incomplete answered; it is waiting too (and reports whom it waits for itself)
            return [p for p in self.participants if p not in self.echoes] + \
                   [d for d in self.dealers if d not in self.round1]
        if self.stage == Stage.ROUND2:
            return [d for d in self.dealers if d != self.id and d not in self.round2]
        if self.stage == Stage.COMPLAINTS:
            return [p for p in self.receivers if p not in self.complaints]
        if self.stage == Stage.REVEALS:
            if not self._verdict_sent and self.id in self._accusers():
                return [d for d in self._my_disputes() if d not in self.reveals]
            return [a for a in self._accusers() if a not in self.verdicts]
        return []

    def on_idle(self) -> list[Message]:
        """A timeout with nothing arriving. Round 1: echo what we have (others may forward the
        rest). Round 2: complain about the missing shares (their dealers send them again). Any
        other stage: after PATIENCE quiet timeouts (more at later stages, so that a party stuck
        upstream announces its abort before the parties waiting for it give up), abort naming
        whom we wait for — as unresponsive, not as culprits."""
        if self.stage in (Stage.NEW, Stage.DONE, Stage.ABORTED):
            return []
        if self._progress:
            self._quiet, self._progress = 0, False
        self._quiet += 1
        if self.stage == Stage.ROUND1:
            return self._send_echo() + self._advance()
        if self.stage == Stage.ROUND2:
            return self._complain() + self._advance()
        if self._quiet >= PATIENCE + _RANK[self.stage]:
            waiting = sorted(set(self._waiting_for()), key=party_order)
            return self._abort(f"timed out at {self.stage} waiting for {', '.join(map(str, waiting))}", waiting)
        return []
