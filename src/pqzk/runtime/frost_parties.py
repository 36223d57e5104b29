"""FROST signing as sans-I/O state machines: `FrostSigner` and `FrostCoordinator` (RFC 9591 §5).

    coordinator -> signer   "round1_request"   (empty)
    signer -> coordinator   "commitment"       SigningCommitments bytes
    coordinator -> signer   "sign_request"     u32 len(msg) || msg || encoded commitment list
    signer -> coordinator   "signature_share"  SignatureShare bytes

Nonces are single use: a signer keeps them only until it signs, and refuses (NonceReuse) any
later request that names a commitment it has already used. The coordinator verifies every
message, attributes failures to their sender (ProtocolAbort.culprits) and, when the network goes
quiet with answers missing, names the parties that never answered.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter, NonceReuse, ProtocolAbort, ProtocolError
from ..math.rand import RandomSource
from ..threshold.frost import core
from ..threshold.frost.ciphersuite import Ciphersuite
from ..threshold.frost.types import KeyPackage, PublicKeyPackage, SignatureShare, SigningCommitments
from .messages import Message, PartyId, u32

COORDINATOR = "coordinator"


def encode_sign_request(suite: Ciphersuite, message: bytes, commitment_list: Sequence[SigningCommitments]) -> bytes:
    return u32(len(message)) + message + core.encode_group_commitment_list(suite, commitment_list)


def decode_sign_request(suite: Ciphersuite, data: bytes) -> tuple[bytes, list[SigningCommitments]]:
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


class FrostSigner:
    """One signer: holds its KeyPackage and, between the rounds, its secret nonces."""

    def __init__(self, key_package: KeyPackage, rng: RandomSource | None = None,
                 coordinator: PartyId = COORDINATOR) -> None:
        self.kp = key_package
        self.suite = key_package.suite
        self.id: PartyId = key_package.identifier
        self.rng = rng
        self.coordinator = coordinator
        self._nonces: dict[bytes, object] = {}     # commitment bytes -> SigningNonces
        self._by_session: dict[bytes, bytes] = {}  # session -> commitment bytes
        self._used: set[bytes] = set()

    def __repr__(self) -> str:
        return f"FrostSigner({self.id})"

    def _reply(self, msg: Message, kind: str, payload: bytes) -> list[Message]:
        return [Message(self.id, msg.sender, kind, payload, msg.session)]

    def receive(self, msg: Message) -> list[Message]:
        if msg.sender != self.coordinator:
            raise ProtocolError(f"signer {self.id}: message from {msg.sender!r}, not the coordinator")
        if msg.kind == "round1_request":
            return self.round1(msg)
        if msg.kind == "sign_request":
            return self.round2(msg)
        raise ProtocolError(f"signer {self.id}: unexpected message kind {msg.kind!r}")

    def commit(self) -> SigningCommitments:
        nonces, comm = core.commit(self.suite, self.kp.identifier, self.kp.signing_share, self.rng)
        self._nonces[comm.to_bytes()] = nonces
        return comm

    def round1(self, msg: Message) -> list[Message]:
        if msg.session in self._by_session:        # a repeated request: same commitment again
            return self._reply(msg, "commitment", self._by_session[msg.session])
        comm = self.commit().to_bytes()
        self._by_session[msg.session] = comm
        return self._reply(msg, "commitment", comm)

    def take_nonces(self, comm: SigningCommitments):
        """The nonces for `comm`, removed so that they can never be used again."""
        key = comm.to_bytes()
        if key in self._used:
            raise NonceReuse(f"signer {self.id}: commitment already used for a signature; refusing to sign again")
        nonces = self._nonces.pop(key, None)
        if nonces is None:
            raise ProtocolError(f"signer {self.id}: the request names a commitment this signer never made")
        self._used.add(key)
        return nonces

    def round2(self, msg: Message) -> list[Message]:
        message, cl = decode_sign_request(self.suite, msg.payload)
        mine = [c for c in cl if c.identifier == self.kp.identifier]
        if len(mine) != 1:
            raise ProtocolError(f"signer {self.id}: not in the commitment list")
        if len(cl) < self.kp.min_signers:
            raise ProtocolError(f"signer {self.id}: fewer than min_signers participants")
        nonces = self.take_nonces(mine[0])
        share = self.sign_share(nonces, message, cl)
        return self._reply(msg, "signature_share", share.to_bytes())

    def sign_share(self, nonces, message: bytes, cl: list[SigningCommitments]) -> SignatureShare:
        return core.sign(self.suite, self.kp.identifier, self.kp.signing_share, self.kp.verifying_key,
                         nonces, message, cl)


class FrostCoordinator:
    """Collects commitments, sends the signing package, verifies shares and aggregates."""

    def __init__(self, public_key_package: PublicKeyPackage, message: bytes, signers: Sequence[int],
                 session: bytes = b"frost", verify_each_share: bool = False) -> None:
        self.pkp = public_key_package
        self.suite = public_key_package.suite
        self.id: PartyId = COORDINATOR
        self.message = message
        self.signers = sorted(signers)
        if len(set(self.signers)) != len(self.signers) or len(self.signers) < self.pkp.min_signers:
            raise InvalidParameter("need at least min_signers distinct signers")
        unknown = set(self.signers) - set(self.pkp.verifying_shares)
        if unknown:
            raise InvalidParameter(f"unknown signers {sorted(unknown)}")
        self.session = session
        self.verify_each_share = verify_each_share
        self.commitments: dict[int, SigningCommitments] = {}
        self.shares: dict[int, SignatureShare] = {}
        self.stage = "new"
        self.result: bytes | None = None
        self.error: ProtocolAbort | None = None

    def __repr__(self) -> str:
        return f"FrostCoordinator({self.stage})"

    def start(self) -> list[Message]:
        self.stage = "round1"
        return [Message(self.id, i, "round1_request", b"", self.session) for i in self.signers]

    def _abort(self, reason: str, culprits) -> list[Message]:
        if self.error is None:
            self.error = ProtocolAbort(reason, culprits=culprits)
        self.stage = "aborted"
        return []

    def receive(self, msg: Message) -> list[Message]:
        if self.stage in ("done", "aborted") or msg.session != self.session:
            return []
        if msg.sender not in self.signers:
            return []                      # not part of this session: ignored
        try:
            if msg.kind == "commitment" and self.stage == "round1":
                return self._on_commitment(msg)
            if msg.kind == "signature_share" and self.stage == "round2":
                return self._on_share(msg)
        except InvalidEncoding:
            return self._abort(f"malformed {msg.kind} message", [msg.sender])
        if msg.kind in ("commitment", "signature_share"):
            return []                      # late duplicate of an earlier stage: ignored
        return self._abort(f"unexpected {msg.kind} message", [msg.sender])

    def _on_commitment(self, msg: Message) -> list[Message]:
        comm = SigningCommitments.from_bytes(self.suite, msg.payload)
        if comm.identifier != msg.sender:
            return self._abort("commitment carries another participant's identifier", [msg.sender])
        old = self.commitments.get(msg.sender)
        if old is not None:
            if old != comm:
                return self._abort("two different commitments from one signer", [msg.sender])
            return []
        self.commitments[msg.sender] = comm
        if len(self.commitments) < len(self.signers):
            return []
        self.stage = "round2"
        payload = encode_sign_request(self.suite, self.message, list(self.commitments.values()))
        return [Message(self.id, i, "sign_request", payload, self.session) for i in self.signers]

    def _on_share(self, msg: Message) -> list[Message]:
        share = SignatureShare.from_bytes(self.suite, msg.payload)
        if share.identifier != msg.sender:
            return self._abort("signature share carries another participant's identifier", [msg.sender])
        old = self.shares.get(msg.sender)
        if old is not None:
            if old != share:
                return self._abort("two different signature shares from one signer", [msg.sender])
            return []
        self.shares[msg.sender] = share
        if len(self.shares) < len(self.signers):
            return []
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
        """The network is quiet: whoever has not answered is named."""
        if self.stage == "round1":
            return self._abort("no commitment received", [i for i in self.signers if i not in self.commitments])
        if self.stage == "round2":
            return self._abort("no signature share received", [i for i in self.signers if i not in self.shares])
        return []
