"""The pairwise OT setup DKLs23 keys store: between parties P and Q, two batches of κ base OTs —
one for each direction of the multiplication (the party that will be the OT-extension sender,
"Alice", is the base-OT receiver).

`OtSetupMessage` is what one party sends one peer: its base-OT receiver message (for the
direction where it is Alice) and its base-OT sender message (where it is Bob); both go out at
once, so the setup is one round. `PairwiseOt` is the result one party keeps per peer.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..encoding import ByteReader, lp_bytes
from ..errors import InvalidEncoding
from ..math.rand import RandomSource
from . import base
from .base import BaseOtReceiver, BaseOtSender, ReceiverSeeds, SenderSeeds
from .extension import KAPPA

_K = base.KEY_BYTES


def direction_session(session: bytes, alice: bytes, bob: bytes) -> bytes:
    """The session of one direction: Alice's and Bob's labels (unambiguous encodings) bound in."""
    return b"".join(lp_bytes(x, 2) for x in (session, alice, bob))


@dataclass(frozen=True)
class PairwiseOt:
    """One party's seeds with one peer: `as_alice` (base-OT receiver seeds: Δ and k_{Δ_i}) and
    `as_bob` (base-OT sender seeds: both keys)."""
    as_alice: ReceiverSeeds
    as_bob: SenderSeeds

    def __repr__(self) -> str:
        return "PairwiseOt(<seeds redacted>)"

    def to_bytes(self) -> bytes:
        """The seeds as bytes, for keeping in a share store."""
        return (self.as_alice.choices + b"".join(self.as_alice.keys)
                + b"".join(k0 + k1 for k0, k1 in self.as_bob.pairs))

    @classmethod
    def from_bytes(cls, data: bytes) -> "PairwiseOt":
        """Seeds from `to_bytes` output; `InvalidEncoding` when the length is wrong."""
        r = ByteReader(data, "pairwise OT seeds")
        choices = r.take(KAPPA // 8)
        keys = tuple(r.take(_K) for _ in range(KAPPA))
        pairs = tuple((r.take(_K), r.take(_K)) for _ in range(KAPPA))
        r.end()
        return cls(ReceiverSeeds(choices, keys), SenderSeeds(pairs))

    SIZE = KAPPA // 8 + KAPPA * _K * 3


class OtSetupMessage:
    """One party's side of the setup with one peer: `message` to send, `finish(peer_message)`."""

    def __init__(self, session: bytes, me: bytes, peer: bytes, rng: RandomSource | None = None) -> None:
        self._receiver = BaseOtReceiver(direction_session(session, me, peer), KAPPA, rng)   # me as Alice
        self._sender = BaseOtSender(direction_session(session, peer, me), KAPPA, rng)       # me as Bob
        self.message = self._receiver.message() + self._sender.message()

    def __repr__(self) -> str:
        return "OtSetupMessage(<secrets redacted>)"

    @staticmethod
    def size() -> int:
        """The length of one setup message (two base-OT messages of KAPPA transfers)."""
        return 2 * base.message_size(KAPPA)

    def finish(self, peer_message: bytes) -> PairwiseOt:
        """InvalidEncoding if the peer's message is malformed (its author is to blame)."""
        if not isinstance(peer_message, (bytes, bytearray)) or len(peer_message) != self.size():
            raise InvalidEncoding(f"OT setup message must be {self.size()} bytes")
        half = base.message_size(KAPPA)
        peer_receiver, peer_sender = peer_message[:half], peer_message[half:]
        return PairwiseOt(self._receiver.finish(peer_sender), self._sender.finish(peer_receiver))


__all__ = ["PairwiseOt", "OtSetupMessage", "direction_session"]
