"""Threshold BLS signing as sans-I/O parties: `BlsSigner` and `BlsCombiner`.

    combiner -> signer   bls_request   the message to sign
    signer -> combiner   bls_partial   its partial signature σ_i = s_i·H(m) (compressed G2)

The combiner checks every partial against the signer's verification key (one pairing equation)
as it arrives and combines the first t valid ones; the result verifies under the group key.
Culprits are signers whose signed partial is undecodable or fails its check, or who signed two
different partials (BLS partials are deterministic); signers not heard from are unresponsive. A
signer answers only its combiner, and only for messages its `approve` hook lets through (a
PolicyViolation from the hook is a refusal: it is not a signing oracle unless told to be).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from ..errors import InvalidEncoding, InvalidParameter, ProtocolAbort, VerificationError
from ..sharing.shamir import Share
from ..threshold import bls
from .bounded import BoundedDict
from .identity import Keyring
from .messages import Kind, Message, PartyId
from .party import SignedParty

COMBINER = "combiner"

MAX_SESSIONS = 4096      # sessions a signer remembers (BLS partials are deterministic: a repeat is harmless)


class BlsSigner(SignedParty):
    """Holds one share of a threshold BLS key; serves any number of sessions."""

    def __init__(self, share: Share, key: bls.ThresholdKey, keyring: Keyring, *, combiner: PartyId = COMBINER,
                 approve: Callable[[bytes], None] | None = None) -> None:
        if share.identifier not in key.identifiers:
            raise InvalidParameter(f"share {share.identifier} is not part of this key")
        self.share, self.key = share, key
        self._init_signed(keyring, share.identifier, None)
        self.combiner = combiner
        self.approve = approve
        self.signed: BoundedDict[bytes, bytes] = BoundedDict(MAX_SESSIONS)   # session -> the message signed in it

    def __repr__(self) -> str:
        return f"BlsSigner({self.id})"

    def partial(self, message: bytes) -> bytes:
        """This signer's partial signature (an adversary may override)."""
        return bls.partial_sign(self.share, message, self.key.suite).signature

    def receive(self, msg: Message) -> list[Message]:
        """Answer the combiner's signing request with a partial signature; a different message in the same
        session aborts, naming the combiner."""
        if not self._accept(msg, [self.combiner]):
            return []
        if msg.kind != Kind.BLS_REQUEST or msg.broadcast:
            raise ProtocolAbort(f"signer {self.id}: unexpected {msg.kind} message", culprits=[msg.sender])
        old = self.signed.get(msg.session)
        if old is not None and old != msg.payload:
            raise ProtocolAbort(f"signer {self.id}: another message in the same session", culprits=[msg.sender])
        if self.approve is not None:
            self.approve(msg.payload)                 # PolicyViolation: refused
        self.signed[msg.session] = msg.payload
        return [self._send(msg.sender, Kind.BLS_PARTIAL, self.partial(msg.payload), msg.session)]


class BlsCombiner(SignedParty):
    """Asks `signers` (at least t of the key's) for partials on `message` and combines them."""

    def __init__(self, key: bls.ThresholdKey, message: bytes, signers: Sequence[int], keyring: Keyring, *,
                 session: bytes = b"bls") -> None:
        self.key, self.message = key, bytes(message)
        self.signers = sorted(signers)
        if len(set(self.signers)) != len(self.signers) or len(self.signers) < key.threshold:
            raise InvalidParameter(f"need at least {key.threshold} distinct signers")
        unknown = set(self.signers) - set(key.identifiers)
        if unknown:
            raise InvalidParameter(f"unknown signers {sorted(unknown)}")
        self._init_signed(keyring, keyring.party, session)
        self.partials: dict[int, bytes] = {}
        self.valid: dict[int, bls.PartialSignature] = {}
        self.culprits: dict[int, str] = {}
        self.stage = "new"
        self.result: bytes | None = None
        self.error: ProtocolAbort | None = None

    def __repr__(self) -> str:
        return f"BlsCombiner({self.stage})"

    def start(self) -> list[Message]:
        """Ask every chosen signer for a partial signature on the message."""
        self.stage = "collecting"
        return [self._send(i, Kind.BLS_REQUEST, self.message) for i in self.signers]

    def _abort(self, reason: str, unresponsive=()) -> list[Message]:
        if self.error is None:
            self.error = ProtocolAbort(reason, culprits=list(self.culprits), unresponsive=unresponsive)
            self.stage = "aborted"
        return []

    def receive(self, msg: Message) -> list[Message]:
        """Check a partial signature against the sender's public share; combine once enough valid ones are
        in."""
        if self.stage != "collecting" or not self._accept(msg, self.signers):
            return []
        if msg.kind != Kind.BLS_PARTIAL or msg.broadcast:
            self.culprits[msg.sender] = f"sent an unexpected {msg.kind} message"
        else:
            old = self.partials.get(msg.sender)
            if old is not None:
                if old != msg.payload:
                    self.culprits[msg.sender] = "signed two different partial signatures"
            else:
                self.partials[msg.sender] = msg.payload
                partial = bls.PartialSignature(msg.sender, msg.payload)
                try:
                    bls.verify_partial(self.key, self.message, partial)
                    self.valid[msg.sender] = partial
                except (VerificationError, InvalidEncoding) as exc:
                    self.culprits[msg.sender] = f"partial signature does not verify ({exc})"
        return self._progress()

    def _progress(self) -> list[Message]:
        if len(self.valid) >= self.key.threshold:
            chosen = [self.valid[i] for i in sorted(self.valid)[: self.key.threshold]]
            self.result = bls.combine(self.key, self.message, chosen)
            self.stage = "done"
            return []
        if len(self.signers) - len(self.culprits) < self.key.threshold:
            return self._abort("invalid partial signatures leave fewer than the threshold")
        return []

    def on_idle(self) -> list[Message]:
        """A quiet timeout while collecting: abort, naming the silent signers as unresponsive."""
        if self.stage != "collecting":
            return []
        silent = [i for i in self.signers if i not in self.partials]
        return self._abort("not enough valid partial signatures", unresponsive=silent)


__all__ = ["COMBINER", "BlsSigner", "BlsCombiner"]
