"""Threshold ML-DSA signing as sans-I/O parties: `TMLDSASigner` and `TMLDSACoordinator`.

The rounds of `pqzk.threshold.mldsa.signing`, relayed by a coordinator that holds no secret:

    coordinator -> signer   tmldsa_request    round, key id, quorum, context, message
    signer -> coordinator   tmldsa_commit     round, hash of the signer's K commitments
    coordinator -> signer   tmldsa_commits    round, the quorum's signed commit messages, forwarded
    signer -> coordinator   tmldsa_reveal     round, the K commitments w_i
    coordinator -> signer   tmldsa_reveals    round, the quorum's signed reveal messages, forwarded
    signer -> coordinator   tmldsa_response   round, which attempts the signer kept and z for each

A round in which no attempt survives is followed by the next (fresh masks, same session); after
`max_rounds` the coordinator gives up. Payloads start with a version byte and the round (u16);
forwarded messages keep their author's signature, so every signer checks every other signer's
commitment and reveal itself and blames on that evidence only.

Blame. The coordinator convicts a signer whose own signed messages prove a deviation: an
undecodable message, a reveal that does not match its commitment, a message of a round or stage
it cannot honestly have reached, two different messages for one slot, and — when no attempt
survives — a response that fails `signing.check_responses` (an addition of this kit: the paper's
ML-DSA scheme does not identify a wrong response). A signer convicts the coordinator for what it
signed: a malformed request or list, a list that is not the quorum's, that forwards a message its
claimed author did not sign or a message of another round, or two different ones for one slot;
and a signer j whose forwarded (signed) commitment and reveal do not match or do not decode.
Everything that might be a replay from another instance — a message for a session the signer has
no state in, its own authentic entry that is not what it sent in this round, a request out of
order — is refused without blame. Masks are single use: a signer answers each round once and
repeats the same answer to a repeated (identical) message.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..encoding import ByteReader, ByteWriter, uint_bytes
from ..errors import InvalidEncoding, InvalidParameter, ProtocolAbort, ProtocolError
from ..math.rand import RandomSource
from ..pq import fips204
from ..pq.backend_registry import message_prime
from ..threshold.mldsa import signing
from ..threshold.mldsa.keys import KeyShare, ThresholdPublicKey
from ..threshold.mldsa.sharing import check_quorum
from .frost_parties import COORDINATOR
from .identity import Keyring
from .messages import Kind, Message, PartyId
from .party import LeadAbort, SignedParty

VERSION = 1
KEY_ID_SIZE = 16
MAX_MESSAGE = 1 << 24


# ---- payloads ----

def _head(rnd: int) -> bytes:
    return bytes([VERSION]) + uint_bytes(rnd, 2, "round")


def read_round(payload: bytes, what: str) -> tuple[int, ByteReader]:
    r = ByteReader(payload, what)
    if r.uint(1) != VERSION:
        raise InvalidEncoding(f"{what}: unknown version")
    return r.uint(2), r


def key_id(public_key: bytes) -> bytes:
    """Which committee key a request is for: the first bytes of tr = H(pk)."""
    return fips204.shake256(public_key, 64)[:KEY_ID_SIZE]


@dataclass(frozen=True)
class Request:
    key: bytes
    quorum: tuple[int, ...]
    ctx: bytes
    message: bytes


def encode_request(rnd: int, req: Request) -> bytes:
    """A threshold ML-DSA signing request for attempt `rnd`: key id, quorum, context and message."""
    return (ByteWriter("signing request").put(_head(rnd) + req.key).lp(bytes(req.quorum), 1).lp(req.ctx, 1)
            .lp(req.message, 4).to_bytes())


def decode_request(payload: bytes) -> tuple[int, Request]:
    """The attempt number and request of a payload, strictly checked; `InvalidEncoding` naming what is
    wrong."""
    rnd, r = read_round(payload, "threshold ML-DSA request")
    key = r.take(KEY_ID_SIZE)
    quorum = tuple(r.take(r.uint(1)))
    if list(quorum) != sorted(set(quorum)):
        raise InvalidEncoding("threshold ML-DSA request: quorum not strictly increasing")
    ctx = r.lp(1)
    message = r.lp(4)
    r.end()
    return rnd, Request(key, quorum, ctx, message)


def _decode_commit(payload: bytes) -> tuple[int, bytes]:
    rnd, r = read_round(payload, "threshold ML-DSA commitment")
    h = r.take(signing.COMMITMENT_SIZE)
    r.end()
    return rnd, h


def _body(payload: bytes, what: str) -> tuple[int, bytes]:
    rnd, r = read_round(payload, what)
    return rnd, r.take(len(payload) - 3)


@dataclass(frozen=True)
class Forwarded:
    """A signer's message, forwarded by the coordinator with its author's signature."""
    party: int
    signature: bytes
    payload: bytes


def encode_forwarded(rnd: int, msgs: Sequence[Message]) -> bytes:
    out = ByteWriter("forwarded messages").put(_head(rnd)).uint(len(msgs), 1)
    for m in msgs:
        out.uint(m.sender, 1).lp(m.signature, 2).lp(m.payload, 4)
    return out.to_bytes()


def decode_forwarded(payload: bytes, what: str) -> tuple[int, list[Forwarded]]:
    rnd, r = read_round(payload, what)
    entries = []
    for _ in range(r.uint(1)):
        entries.append(Forwarded(r.uint(1), r.lp(2), r.lp(4)))
    r.end()
    return rnd, entries


def binding(session: bytes, rnd: int) -> bytes:
    """What a commitment is bound to: the session and the round."""
    return bytes(session) + uint_bytes(rnd, 2, "round")


# ---- the signer ----

@dataclass
class _SignerRound:
    nonce: signing.SignerNonce = field(repr=False)
    sent: dict = field(default_factory=dict)          # our messages of this round, by kind
    lists: dict = field(default_factory=dict)         # the coordinator's lists of this round, by kind
    commitments: dict | None = None


# a forwarded list: the kind of its entries, the kind of our answer, what it is called
_LISTS = {Kind.TMLDSA_COMMITS: (Kind.TMLDSA_COMMIT, Kind.TMLDSA_REVEAL, "commitment"),
          Kind.TMLDSA_REVEALS: (Kind.TMLDSA_REVEAL, Kind.TMLDSA_RESPONSE, "reveal")}


@dataclass
class _SignerSession:
    content: bytes                 # the request without its round: the same in every round
    quorum: tuple[int, ...]
    mu: bytes
    rounds: dict = field(default_factory=dict)


class TMLDSASigner(SignedParty):
    """Holds one KeyShare; serves any number of sessions of its coordinator. `approve(message,
    ctx, session)` may refuse (raise PolicyViolation) before anything is committed to. `aborts`
    keeps, per session, the refusals that blame someone."""

    def __init__(self, share: KeyShare, keyring: Keyring, *, coordinator: PartyId = COORDINATOR,
                 approve: Callable[[bytes, bytes, bytes], None] | None = None,
                 rng: RandomSource | None = None) -> None:
        if not isinstance(share, KeyShare):
            raise InvalidParameter(f"a threshold ML-DSA signer needs a KeyShare, got {type(share).__name__}")
        self.share = share
        self._init_signed(keyring, share.party, None)
        self.coordinator = coordinator
        self.approve = approve
        self.rng = rng
        self._key = key_id(share.public_key)
        self._sessions: dict[bytes, _SignerSession] = {}
        self.aborts: dict[bytes, ProtocolAbort] = {}

    def __repr__(self) -> str:
        return f"TMLDSASigner({self.id})"

    def _blame(self, msg: Message, culprit: PartyId, reason: str) -> ProtocolAbort:
        exc = ProtocolAbort(f"signer {self.id}: {reason}", culprits=[culprit])
        self.aborts.setdefault(msg.session, exc)
        return exc

    def receive(self, msg: Message) -> list[Message]:
        """Answer the coordinator's request or its lists of commitments and reveals."""
        if not self._accept(msg, [self.coordinator]):
            return []
        handler = {Kind.TMLDSA_REQUEST: self._on_request, Kind.TMLDSA_COMMITS: self._on_list,
                   Kind.TMLDSA_REVEALS: self._on_list}.get(msg.kind)
        if handler is None or msg.broadcast:
            # nothing else is for a signer; not attributed (it may be another protocol's or a relay's)
            self.rejected.append((msg, f"unexpected {msg.kind} message"))
            return []
        return handler(msg)

    def _on_request(self, msg: Message) -> list[Message]:
        try:
            rnd, req = decode_request(msg.payload)
        except InvalidEncoding as exc:
            raise self._blame(msg, msg.sender, f"malformed request ({exc})") from None
        content = msg.payload[3:]
        sess = self._sessions.get(msg.session)
        if sess is None:
            if rnd != 0:
                raise ProtocolError(f"signer {self.id}: round {rnd} of a session it never started (a replay?)")
            if req.key != self._key:
                raise ProtocolError(f"signer {self.id}: a request for another key")
            p = self.share.params
            try:
                quorum = check_quorum(req.quorum, p.T, p.N)
            except InvalidParameter as exc:
                raise self._blame(msg, msg.sender, f"request with a bad quorum ({exc})") from None
            if self.id not in quorum:
                raise self._blame(msg, msg.sender, "request for a quorum this signer is not in")
            if self.approve is not None:
                self.approve(req.message, req.ctx, msg.session)   # PolicyViolation: refused
            mu = signing.mu_for(self.share.public_key, req.message, req.ctx)
            sess = self._sessions[msg.session] = _SignerSession(content, quorum, mu)
        elif content != sess.content:
            raise self._blame(msg, msg.sender, "a different request in the same session")
        old = sess.rounds.get(rnd)
        if old is not None:
            return [old.sent[Kind.TMLDSA_COMMIT]]
        last = max(sess.rounds, default=-1)
        if rnd != last + 1 or (last >= 0 and Kind.TMLDSA_RESPONSE not in sess.rounds[last].sent):
            raise ProtocolError(f"signer {self.id}: request for round {rnd} out of order (a replay?)")
        nonce, comm, _ = signing.commit(self.share, binding(msg.session, rnd), self.rng)
        rd = sess.rounds[rnd] = _SignerRound(nonce)
        rd.sent[Kind.TMLDSA_COMMIT] = self._send(msg.sender, Kind.TMLDSA_COMMIT, _head(rnd) + comm, msg.session)
        return [rd.sent[Kind.TMLDSA_COMMIT]]

    def _check_list(self, msg: Message, sess: _SignerSession, rnd: int, entries: list[Forwarded], kind: Kind,
                    mine: Message | None, decode) -> dict[int, bytes]:
        """The forwarded list's bodies by party, after checking what can be checked: the list is
        the quorum's (else the coordinator is to blame), each entry is signed by its party (else
        the coordinator forged it) for this round (else the coordinator mislabelled it) and
        decodes (else its author signed garbage). Our own entry must be what we sent in this
        round; if it is authentic but not that, this is stale or replayed: no blame."""
        if tuple(e.party for e in entries) != sess.quorum:
            raise self._blame(msg, msg.sender, f"{msg.kind} does not list the quorum {list(sess.quorum)}")
        bodies = {}
        for e in entries:
            original = Message(e.party, msg.sender, kind, e.payload, msg.session, False, e.signature)
            if not self.keyring.is_authentic(original):
                raise self._blame(msg, msg.sender, f"{msg.kind} forwards a {kind} party {e.party} did not sign")
            try:
                r2, body = decode(e.payload)
            except InvalidEncoding as exc:
                raise self._blame(msg, e.party, f"party {e.party} signed a malformed {kind} ({exc})") from None
            if r2 != rnd:
                raise self._blame(msg, msg.sender, f"{msg.kind} of round {rnd} forwards a {kind} of round {r2}")
            bodies[e.party] = body
        own = next(e for e in entries if e.party == self.id)
        if mine is None or own.payload != mine.payload:
            raise ProtocolError(f"signer {self.id}: its own {kind} in the list is not what it sent in this round "
                                "(stale or replayed)")
        return bodies

    def _on_list(self, msg: Message) -> list[Message]:
        """The coordinator forwards the quorum's commitments (we answer with our reveal) or their
        reveals (we answer with our response, once: the masks are then gone)."""
        entry_kind, answer_kind, what = _LISTS[msg.kind]
        sess = self._sessions.get(msg.session)
        if sess is None:
            raise ProtocolError(f"signer {self.id}: {what}s for a session it has no state in (a replay?)")
        try:
            rnd, entries = decode_forwarded(msg.payload, f"{what} list")
        except InvalidEncoding as exc:
            raise self._blame(msg, msg.sender, f"malformed {what} list ({exc})") from None
        rd = sess.rounds.get(rnd)
        if rd is not None and msg.kind in rd.lists:
            if rd.lists[msg.kind] != msg.payload:
                raise self._blame(msg, msg.sender, f"two different {what} lists for one round")
            return [rd.sent[answer_kind]]
        decode = _decode_commit if entry_kind == Kind.TMLDSA_COMMIT else (lambda pl: _body(pl, f"{what}"))
        bodies = self._check_list(msg, sess, rnd, entries, entry_kind, rd.sent.get(entry_kind) if rd else None,
                                  decode)
        rd.lists[msg.kind] = msg.payload
        if answer_kind == Kind.TMLDSA_REVEAL:
            rd.commitments = bodies
            answer = rd.nonce.reveal
        else:
            try:
                answer = signing.respond(self.share, rd.nonce, sess.quorum, sess.mu, rd.commitments, bodies)
            except ProtocolAbort as exc:              # a reveal that fails its author's commitment
                self.aborts.setdefault(msg.session, exc)
                raise
        rd.sent[answer_kind] = self._send(msg.sender, answer_kind, _head(rnd) + answer, msg.session)
        return [rd.sent[answer_kind]]


# ---- the coordinator ----

_STAGE_KIND = {"commit": Kind.TMLDSA_COMMIT, "reveal": Kind.TMLDSA_REVEAL, "respond": Kind.TMLDSA_RESPONSE}
_ORDER = ["commit", "reveal", "respond"]


class TMLDSACoordinator(LeadAbort, SignedParty):
    """Runs one signing session for exactly T signers: relays the rounds, restarts a round in
    which no attempt survives, and combines the FIPS 204 signature (`result`). It holds no
    secret; `history` keeps, per round, what became of each attempt."""

    def __init__(self, public: ThresholdPublicKey, message: bytes, signers: Sequence[int], keyring: Keyring, *,
                 ctx: bytes = b"", session: bytes = b"tmldsa", max_rounds: int = signing.MAX_ROUNDS) -> None:
        self.public = public
        p = public.params
        self.quorum = check_quorum(signers, p.T, p.N)
        self._init_signed(keyring, keyring.party, session)
        self.message, self.ctx = bytes(message), bytes(ctx)
        self.mu = signing.mu_for(public.public_key, self.message, self.ctx)
        if len(self.message) >= MAX_MESSAGE:
            raise InvalidParameter("message too long for a signing request")
        self.max_rounds = max_rounds
        self.round = 0
        self.stage = "new"
        self._msgs: dict[int, dict[Kind, dict[int, Message]]] = {}
        self.history: list[signing.Combination] = []
        self.result: bytes | None = None
        self.error: ProtocolAbort | None = None
        self.evidence: list[ProtocolAbort] = []

    def __repr__(self) -> str:
        return f"TMLDSACoordinator({self.stage}, round {self.round})"

    @property
    def rounds(self) -> int:
        """How many rounds (each of K parallel attempts) have run so far."""
        return len(self.history)

    def start(self) -> list[Message]:
        """Ask the quorum for their commitments of the first round."""
        return self._request()

    def _request(self) -> list[Message]:
        self.stage = "commit"
        self._msgs[self.round] = {k: {} for k in _STAGE_KIND.values()}
        req = Request(key_id(self.public.public_key), self.quorum, self.ctx, self.message)
        payload = encode_request(self.round, req)
        return [self._send(j, Kind.TMLDSA_REQUEST, payload) for j in self.quorum]

    def receive(self, msg: Message) -> list[Message]:
        """Take a signer's commitment, reveal or response; abort naming a signer whose message is invalid."""
        if self.stage == "aborted" or not self._accept(msg, self.quorum):
            return []
        j = msg.sender
        if msg.broadcast:
            return self._abort(f"{msg.kind} sent as a broadcast", [j])
        if msg.kind not in _STAGE_KIND.values():
            return self._abort(f"unexpected {msg.kind} message", [j])
        try:
            rnd, _ = read_round(msg.payload, str(msg.kind))
        except InvalidEncoding as exc:
            return self._abort(f"malformed {msg.kind} ({exc})", [j])
        if rnd > self.round:
            return self._abort(f"{msg.kind} for round {rnd}, which was never requested", [j])
        slot = self._msgs[rnd][msg.kind]
        old = slot.get(j)
        if old is not None:
            if old.payload != msg.payload:
                return self._abort(f"two different {msg.kind} messages for round {rnd}", [j])
            return []
        if rnd < self.round or self.stage == "done":
            return []                                  # a past round is complete: nothing to add
        need = _ORDER.index(self.stage)
        have = _ORDER.index(next(s for s, k in _STAGE_KIND.items() if k == msg.kind))
        if have > need:
            return self._abort(f"{msg.kind} before this round's previous step was relayed", [j])
        if have < need:
            return []
        try:
            self._check(msg, rnd)
        except ProtocolAbort as exc:
            return self._abort(exc.reason, exc.culprits)
        except InvalidEncoding as exc:
            return self._abort(f"malformed {msg.kind} ({exc})", [j])
        slot[j] = msg
        if len(slot) < len(self.quorum):
            return []
        return self._advance(rnd)

    def _check(self, msg: Message, rnd: int) -> None:
        p = self.public.params
        if msg.kind == Kind.TMLDSA_COMMIT:
            _decode_commit(msg.payload)
        elif msg.kind == Kind.TMLDSA_REVEAL:
            _, body = _body(msg.payload, "threshold ML-DSA reveal")
            signing.decode_reveal(p, body)
            _, comm = _decode_commit(self._msgs[rnd][Kind.TMLDSA_COMMIT][msg.sender].payload)
            if signing.commitment_hash(self.public.tr, msg.sender, binding(self.session, rnd), body) != comm:
                raise ProtocolAbort(f"signer {msg.sender}'s reveal does not match its commitment", [msg.sender])
        else:
            _, body = _body(msg.payload, "threshold ML-DSA response")
            signing.decode_response(p, body)

    def _forward(self, rnd: int, kind: Kind, out_kind: Kind) -> list[Message]:
        msgs = [self._msgs[rnd][kind][j] for j in self.quorum]
        payload = encode_forwarded(rnd, msgs)
        return [self._send(j, out_kind, payload) for j in self.quorum]

    def _advance(self, rnd: int) -> list[Message]:
        if self.stage == "commit":
            self.stage = "reveal"
            return self._forward(rnd, Kind.TMLDSA_COMMIT, Kind.TMLDSA_COMMITS)
        if self.stage == "reveal":
            self.stage = "respond"
            return self._forward(rnd, Kind.TMLDSA_REVEAL, Kind.TMLDSA_REVEALS)
        reveals = {j: m.payload[3:] for j, m in self._msgs[rnd][Kind.TMLDSA_REVEAL].items()}
        responses = {j: m.payload[3:] for j, m in self._msgs[rnd][Kind.TMLDSA_RESPONSE].items()}
        out = signing.combine(self.public, self.quorum, self.mu, reveals, responses)
        self.history.append(out)
        if out.signature is not None:
            if not fips204.verify_internal(self.public.public_key, message_prime(self.message, self.ctx, None),
                                           out.signature, self.public.params.base):
                raise AssertionError("combined threshold ML-DSA signature does not verify")   # a bug, not blame
            self.result = out.signature
            self.stage = "done"
            return []
        bad = signing.check_responses(self.public, self.quorum, self.mu, reveals, responses)
        if bad:
            return self._abort("; ".join(f"signer {j}: {why}" for j, why in bad.items()), list(bad))
        if self.round + 1 >= self.max_rounds:
            return self._abort(f"no attempt passed in {self.max_rounds} rounds")
        self.round += 1
        return self._request()

    def on_idle(self) -> list[Message]:
        """The network is quiet: the signers not heard from in this step are unresponsive."""
        if self.stage not in _STAGE_KIND:
            return []
        got = self._msgs[self.round][_STAGE_KIND[self.stage]]
        return self._abort(f"no {_STAGE_KIND[self.stage]} received in round {self.round}",
                           unresponsive=[j for j in self.quorum if j not in got])


__all__ = ["TMLDSASigner", "TMLDSACoordinator", "Request", "encode_request", "decode_request", "key_id"]
