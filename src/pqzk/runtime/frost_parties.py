"""FROST signing as sans-I/O state machines: `FrostSigner` and `FrostCoordinator` (RFC 9591 §5).

    coordinator -> signer   ROUND1_REQUEST    (empty)
    signer -> coordinator   COMMITMENT        SigningCommitments bytes
    coordinator -> signer   SIGN_REQUEST      u32 len(msg) || msg || encoded commitment list
    signer -> coordinator   SIGNATURE_SHARE   SignatureShare bytes

Preprocessing (RFC 9591 §5.1 allows commitments made ahead of time) makes signing one round:

    coordinator -> signer   PREPROCESS_REQUEST   u16 count
    signer -> coordinator   COMMITMENT_BATCH     count encoded SigningCommitments

and later a SIGN_REQUEST naming one of them, in any session; each is usable once. A signer holds
at most MAX_PREPROCESSED unused preprocessed nonces (and MAX_FRESH two-round ones): beyond that
the oldest are burned, so a coordinator cannot make it hoard nonces without bound.

Every message is signed by its sender (`Keyring`); a message that does not verify is dropped,
never attributed. Nonces are single use: a signer keeps them in its `NonceStore` only until it
signs — marked used, durably in a persistent store, before the share leaves — and refuses
(NonceReuse) any later request that names a commitment it has already used.

What the coordinator's `ProtocolAbort` promises: `culprits` are signers whose own signed messages
prove a deviation — an undecodable commitment or share, another party's identifier, a share that
fails its check against the signer's signed commitment and verifying share, or two different
signed commitments (or shares) in one session (equivocation). `unresponsive` are signers not heard
from when the network went quiet: a hint for the retry, not blame. Equivocation is caught whenever
both commitments reach the coordinator before the session ends (a second commitment arriving while
shares are being collected aborts the session); one arriving after a valid signature was produced
is recorded in `evidence` and does not void the signature, which the commitment list the signers
signed over fixes. A signer that receives a malformed signed request in a session it took part in
refuses with a `ProtocolAbort` naming the coordinator; a request for a session it has no
commitment in is refused without blame (it may be an old request replayed). Session ids must
never repeat under the same identities (the runtime draws them at random).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..encoding import as_bytes, lp_bytes, uint_bytes
from ..errors import InvalidEncoding, InvalidParameter, NonceReuse, ProtocolAbort, ProtocolError
from ..math.rand import RandomSource
from ..threshold.frost import core
from ..threshold.frost.ciphersuite import Ciphersuite
from ..threshold.frost.types import KeyPackage, PublicKeyPackage, SignatureShare, SigningCommitments
from .bounded import BoundedDict
from .identity import Keyring
from .messages import Kind, Message, PartyId
from .nonces import FRESH, PREPROCESSED, MemoryNonceStore, NonceStore
from .party import LeadAbort, SignedParty

MAX_BATCH = 1000
MAX_PREPROCESSED = 2 * MAX_BATCH     # unused preprocessed nonces a signer holds; older ones are burned
MAX_FRESH = 4096                     # unused two-round nonces (sessions left waiting); older ones are burned
MAX_SESSIONS = 4096                  # sessions a signer remembers (a repeated request gets the same answer)

COORDINATOR = "coordinator"


def encode_sign_request(suite: Ciphersuite, message: bytes, commitment_list: Sequence[SigningCommitments]) -> bytes:
    """A signing request: the length-prefixed message and the RFC 9591 encoded commitment list."""
    return lp_bytes(message, 4, "message") + core.encode_group_commitment_list(suite, commitment_list)


def decode_sign_request(suite: Ciphersuite, data: bytes) -> tuple[bytes, list[SigningCommitments]]:
    """The message and commitment list of a signing request; `InvalidEncoding` when malformed."""
    data = as_bytes(data, "sign request")
    if len(data) < 4:
        raise InvalidEncoding("sign request truncated")
    n = int.from_bytes(data[:4], "big")
    if len(data) < 4 + n:
        raise InvalidEncoding("sign request truncated")
    msg, rest = data[4:4 + n], data[4 + n:]
    g = suite.group
    size = g.scalar_size + 2 * g.element_size
    if not rest or len(rest) % size:
        raise InvalidEncoding("sign request: commitment list has a wrong length")
    cl = [SigningCommitments.from_bytes(suite, rest[k:k + size]) for k in range(0, len(rest), size)]
    ids = [c.identifier for c in cl]
    if ids != sorted(set(ids)):
        raise InvalidEncoding("sign request: commitment list not strictly sorted by identifier")
    return msg, cl


class FrostSigner(SignedParty):
    """One signer: holds its KeyPackage and, between the rounds, its secret nonces (in a
    `NonceStore`). It serves any number of sessions, answering only its coordinator; `aborts`
    keeps what it refused and why."""

    def __init__(self, key_package: KeyPackage, keyring: Keyring, *, rng: RandomSource | None = None,
                 coordinator: PartyId = COORDINATOR, nonce_store: NonceStore | None = None) -> None:
        self.kp = key_package
        self.suite = key_package.suite
        self._init_signed(keyring, key_package.identifier, None)
        self.rng = rng
        self.coordinator = coordinator
        self.nonces = nonce_store if nonce_store is not None else MemoryNonceStore()
        self._by_session: BoundedDict[bytes, bytes] = BoundedDict(MAX_SESSIONS)   # session -> commitment (two rounds)
        self._batches: BoundedDict[bytes, list[bytes]] = BoundedDict(MAX_SESSIONS)    # session -> batch sent
        self.aborts: dict[bytes, ProtocolAbort] = {}

    def __repr__(self) -> str:
        return f"FrostSigner({self.id})"

    def receive(self, msg: Message) -> list[Message]:
        """Answer the coordinator: round 1 (a commitment) or round 2 (a signature share)."""
        if not self._accept(msg, [self.coordinator]):
            return []
        # deliberate look-alike of policy/coordinator.py:receive (duplicates): a dispatch on message kinds; here
        # the signer refuses, there a malformed message fails the session
        if msg.kind == Kind.ROUND1_REQUEST:
            return self.round1(msg)
        if msg.kind == Kind.SIGN_REQUEST:
            return self.round2(msg)
        if msg.kind == Kind.PREPROCESS_REQUEST:
            return self.preprocess(msg)
        raise self._refuse(msg, f"unexpected {msg.kind} message from the coordinator")

    def _refuse(self, msg: Message, reason: str) -> ProtocolAbort:
        """The coordinator signed a message this signer cannot act on: it is to blame."""
        exc = ProtocolAbort(f"signer {self.id}: {reason}", culprits=[msg.sender])
        self.aborts.setdefault(msg.session, exc)
        return exc

    def commit(self, kind: str = FRESH) -> SigningCommitments:
        """Fresh nonces, stored durably before their commitment is returned (so they are used at most
        once)."""
        if kind == FRESH:
            self.nonces.expire(FRESH, MAX_FRESH - 1)          # sessions nobody finished: the oldest go
        nonces, comm = core.commit(self.suite, self.kp.identifier, self.kp.signing_share, self.rng)
        self.nonces.put(nonces, kind)          # durably, before the commitment leaves
        return comm

    def round1(self, msg: Message) -> list[Message]:
        """Answer a round-1 request with a commitment (the same one again for a repeated request)."""
        if msg.payload:
            raise self._refuse(msg, "round 1 request carries a payload")
        if msg.session not in self._by_session:     # a repeated request gets the same commitment again
            self._by_session[msg.session] = self.commit().to_bytes()
        return [self._send(msg.sender, Kind.COMMITMENT, self._by_session[msg.session], msg.session)]

    def preprocess(self, msg: Message) -> list[Message]:
        """A batch of commitments for later one-round signing (the same batch if asked again).
        The signer holds at most MAX_PREPROCESSED unused ones: the oldest are burned first (a
        coordinator that lost its pool asks again; one that asks without end gains nothing)."""
        if len(msg.payload) != 2 or not 1 <= int.from_bytes(msg.payload, "big") <= MAX_BATCH:
            raise self._refuse(msg, f"a preprocessing request asks for 1 to {MAX_BATCH} commitments")
        if msg.session not in self._batches:
            count = int.from_bytes(msg.payload, "big")
            self.nonces.expire(PREPROCESSED, MAX_PREPROCESSED - count)
            self._batches[msg.session] = [self.commit(PREPROCESSED).to_bytes() for _ in range(count)]
        return [self._send(msg.sender, Kind.COMMITMENT_BATCH, b"".join(self._batches[msg.session]), msg.session)]

    def take_nonces(self, comm: SigningCommitments):
        """The nonces for `comm`, marked used (durably) before they are returned."""
        try:
            return self.nonces.take(comm.to_bytes())
        except (NonceReuse, ProtocolError) as exc:
            raise type(exc)(f"signer {self.id}: {exc}") from None

    def round2(self, msg: Message) -> list[Message]:
        """Answer a signing request with a signature share, consuming the nonces its commitment names; a
        malformed or replayed request is refused."""
        known = msg.session in self._by_session
        try:
            message, cl = decode_sign_request(self.suite, msg.payload)
        except InvalidEncoding as exc:
            if not known:     # no state of ours in that session: perhaps a replay — not evidence
                raise ProtocolError(f"signer {self.id}: an unreadable request in a session it has no state in") from None
            raise self._refuse(msg, f"malformed sign request ({exc})") from None
        mine = [c for c in cl if c.identifier == self.kp.identifier]
        if len(mine) == 1 and not known and self.nonces.kind(mine[0].to_bytes()) != PREPROCESSED:
            # not a commitment of this session, nor an unused preprocessed one: a replay, or nonsense
            self.take_nonces(mine[0])          # NonceReuse if it was used, ProtocolError if never made
        if len(mine) != 1:
            raise self._refuse(msg, "not in the commitment list")
        if len(cl) < self.kp.min_signers:
            raise self._refuse(msg, "fewer than min_signers participants")
        if known and self._by_session[msg.session] != mine[0].to_bytes():
            raise self._refuse(msg, "the request names a commitment this signer did not make in this session")
        nonces = self.take_nonces(mine[0])
        share = self.sign_share(nonces, message, cl)
        return [self._send(msg.sender, Kind.SIGNATURE_SHARE, share.to_bytes(), msg.session)]

    def sign_share(self, nonces, message: bytes, cl: list[SigningCommitments]) -> SignatureShare:
        """The RFC 9591 signature share for the message with these nonces (the hook the adversaries
        override)."""
        return core.sign(self.suite, self.kp.identifier, self.kp.signing_share, self.kp.verifying_key,
                         nonces, message, cl)


class FrostCoordinator(LeadAbort, SignedParty):
    """Collects commitments, sends the signing package, verifies shares and aggregates. Given
    `commitments` (one preprocessed commitment per signer, from a `CommitmentPool`), signing is
    one round: the signing package goes out at once."""

    def __init__(self, public_key_package: PublicKeyPackage, message: bytes, signers: Sequence[int],
                 keyring: Keyring, *, session: bytes = b"frost", verify_each_share: bool = False,
                 commitments: Mapping[int, SigningCommitments] | None = None) -> None:
        self.pkp = public_key_package
        self.suite = public_key_package.suite
        self._init_signed(keyring, keyring.party, session)
        self.message = message
        self.signers = sorted(signers)
        if len(set(self.signers)) != len(self.signers) or len(self.signers) < self.pkp.min_signers:
            raise InvalidParameter("need at least min_signers distinct signers")
        unknown = set(self.signers) - set(self.pkp.verifying_shares)
        if unknown:
            raise InvalidParameter(f"unknown signers {sorted(unknown)}")
        self.verify_each_share = verify_each_share
        self.preprocessed = dict(commitments or {})
        if self.preprocessed and (sorted(self.preprocessed) != self.signers or any(
                c.identifier != i for i, c in self.preprocessed.items())):
            raise InvalidParameter("preprocessed commitments must be one per signer, with its identifier")
        self.commitments: dict[int, SigningCommitments] = {}
        self.shares: dict[int, SignatureShare] = {}
        self.stage = "new"
        self.result: bytes | None = None
        self.error: ProtocolAbort | None = None
        self.evidence: list[ProtocolAbort] = []   # deviations seen after the result was produced

    def __repr__(self) -> str:
        return f"FrostCoordinator({self.stage})"

    def start(self) -> list[Message]:
        """Ask the signers for commitments (or, with preprocessed ones, go straight to the signing
        request)."""
        if self.preprocessed:
            self.commitments = dict(sorted(self.preprocessed.items()))
            return self._request_shares()
        self.stage = "round1"
        return [self._send(i, Kind.ROUND1_REQUEST, b"") for i in self.signers]

    def _request_shares(self) -> list[Message]:
        self.stage = "round2"
        payload = encode_sign_request(self.suite, self.message, list(self.commitments.values()))
        return [self._send(i, Kind.SIGN_REQUEST, payload) for i in self.signers]

    def receive(self, msg: Message) -> list[Message]:
        """Take a signer's commitment or signature share; abort naming the signer when it is invalid."""
        if self.stage == "aborted" or not self._accept(msg, self.signers):
            return []
        if msg.broadcast:
            return self._abort(f"{msg.kind} sent as a broadcast", [msg.sender])
        try:
            if msg.kind == Kind.COMMITMENT:
                return self._on_commitment(msg)
            if msg.kind == Kind.SIGNATURE_SHARE:
                return self._on_share(msg)
        except InvalidEncoding:
            return self._abort(f"malformed {msg.kind} message", [msg.sender])
        return self._abort(f"unexpected {msg.kind} message", [msg.sender])

    def _collect(self, store: dict, sender: int, value, stage: str, what: str) -> list[Message] | None:
        """Keep `value` from `sender` in `store` during `stage`. The answer to send now: [] while some
        are missing, for a repeat or out of stage; an abort for two different ones (checked in every
        stage: equivocation is caught whenever both arrive). None once every signer's is in."""
        old = store.get(sender)
        if old is not None:
            return self._abort(f"two different {what} from one signer", [sender]) if old != value else []
        if self.stage != stage:
            return []
        store[sender] = value
        return [] if len(store) < len(self.signers) else None

    def _on_commitment(self, msg: Message) -> list[Message]:
        comm = SigningCommitments.from_bytes(self.suite, msg.payload)
        if comm.identifier != msg.sender:
            return self._abort("commitment carries another participant's identifier", [msg.sender])
        answer = self._collect(self.commitments, msg.sender, comm, "round1", "commitments")
        if answer is not None:
            return answer
        self.commitments = dict(sorted(self.commitments.items()))
        return self._request_shares()

    def _on_share(self, msg: Message) -> list[Message]:
        share = SignatureShare.from_bytes(self.suite, msg.payload)
        if share.identifier != msg.sender:
            return self._abort("signature share carries another participant's identifier", [msg.sender])
        if self.stage == "round1":     # a share before any request was sent: nothing it could answer
            return self._abort("signature share before the signing request", [msg.sender])
        answer = self._collect(self.shares, msg.sender, share, "round2", "signature shares")
        if answer is not None:
            return answer
        try:
            sig = core.aggregate_verified(self.suite, list(self.commitments.values()), self.message,
                                          self.pkp.verifying_key, list(self.shares.values()),
                                          self.pkp.verifying_shares, verify_each_share=self.verify_each_share)
        except ProtocolAbort as exc:
            return self._abort(exc.reason, exc.culprits)
        self.result = sig.to_bytes()
        self.stage = "done"
        return []

    def on_idle(self) -> list[Message]:
        """The network is quiet: whoever has not answered is named as unresponsive (not blamed)."""
        if self.stage == "round1":
            return self._abort("no commitment received",
                               unresponsive=[i for i in self.signers if i not in self.commitments])
        if self.stage == "round2":
            return self._abort("no signature share received",
                               unresponsive=[i for i in self.signers if i not in self.shares])
        return []


class FrostPreprocessor(SignedParty):
    """Asks each signer for `count` commitments ahead of time (RFC 9591 §5.1's preprocessing);
    `result` is {signer: [SigningCommitments]} once every batch is in. Culprits: a signer whose
    signed batch does not decode, has the wrong size, or carries another identifier."""

    def __init__(self, suite: Ciphersuite, signers: Sequence[int], count: int, keyring: Keyring, *,
                 session: bytes = b"preprocess") -> None:
        if not 1 <= count <= MAX_BATCH:
            raise InvalidParameter(f"a batch is 1 to {MAX_BATCH} commitments")
        self.suite, self.signers, self.count = suite, sorted(signers), count
        self._init_signed(keyring, keyring.party, session)
        self.batches: dict[int, list[SigningCommitments]] = {}
        self.result: dict[int, list[SigningCommitments]] | None = None
        self.error: ProtocolAbort | None = None

    def start(self) -> list[Message]:
        """Ask every signer for a batch of `count` commitments."""
        return [self._send(i, Kind.PREPROCESS_REQUEST, uint_bytes(self.count, 2, "batch size")) for i in self.signers]

    def receive(self, msg: Message) -> list[Message]:
        """Take a signer's commitment batch (checked); `result` once every signer sent one."""
        if self.result is not None or self.error is not None or not self._accept(msg, self.signers):
            return []
        size = self.suite.group.scalar_size + 2 * self.suite.group.element_size
        try:
            if msg.kind != Kind.COMMITMENT_BATCH or msg.broadcast or len(msg.payload) != size * self.count:
                raise InvalidEncoding("not a batch of the requested size")
            batch = [SigningCommitments.from_bytes(self.suite, msg.payload[k:k + size])
                     for k in range(0, len(msg.payload), size)]
            if any(c.identifier != msg.sender for c in batch) or len({c.to_bytes() for c in batch}) != self.count:
                raise InvalidEncoding("commitments of another identifier, or repeated")
        except InvalidEncoding as exc:
            self.error = ProtocolAbort(f"malformed commitment batch ({exc})", culprits=[msg.sender])
            return []
        old = self.batches.setdefault(msg.sender, batch)
        if old != batch:
            self.error = ProtocolAbort("two different commitment batches", culprits=[msg.sender])
        elif len(self.batches) == len(self.signers):
            self.result = dict(sorted(self.batches.items()))
        return []

    def on_idle(self) -> list[Message]:
        """A quiet timeout: fail, naming the signers that sent no batch."""
        if self.result is None and self.error is None:
            self.error = ProtocolAbort("no commitment batch received",
                                       unresponsive=[i for i in self.signers if i not in self.batches])
        return []


class CommitmentPool:
    """Preprocessed commitments per signer, each handed out once (the coordinator's side)."""

    def __init__(self) -> None:
        self._pool: dict[int, list[SigningCommitments]] = {}

    def add(self, batches: Mapping[int, Sequence[SigningCommitments]]) -> None:
        """Add preprocessed commitments by signer."""
        for i, batch in batches.items():
            self._pool.setdefault(i, []).extend(batch)

    def available(self, signer: int) -> int:
        """How many unused commitments a signer has in the pool."""
        return len(self._pool.get(signer, ()))

    def take(self, signers: Sequence[int]) -> dict[int, SigningCommitments]:
        """One unused commitment per signer (removed from the pool), or InvalidParameter."""
        short = [i for i in signers if not self._pool.get(i)]
        if short:
            raise InvalidParameter(f"no preprocessed commitment left for signers {short}")
        return {i: self._pool[i].pop(0) for i in sorted(signers)}
