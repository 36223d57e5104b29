"""Party identities: who may speak for a party id, and the keyring that signs and checks messages.

Every runtime message is signed by its sender over its canonical encoding (`wire.to_be_signed`)
with a context string, and checked by its receiver against the sender's registered public key.
Blame then rests only on what the accused signed: a message that does not verify is dropped as
if it had never been sent (the network, a relay or another party could have made it).

Two signature schemes: Ed25519 (fast; the default for in-process simulations) and the composite
ML-DSA-44 + Ed25519 of draft-ietf-lamps-pq-composite-sigs (what nodes use: unforgeable by a
quantum adversary as long as either half holds).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import AuthenticationError, InvalidParameter, VerificationError
from ..math.rand import RandomSource, random_bytes
from . import wire
from .messages import Message, PartyId

SIGNING_CONTEXT = b"pqzk/runtime/message/v1"
ED25519 = "ed25519"
COMPOSITE = "id-MLDSA44-Ed25519-SHA512"
SCHEMES = (ED25519, COMPOSITE)


class VerifyingKey(Protocol):
    """A party's message-verifying key (Ed25519 or composite ML-DSA)."""
    scheme: str

    def verify(self, data: bytes, signature: bytes) -> None:
        """Verify a signature on `data` under the identity context; raises `VerificationError`."""
    def to_bytes(self) -> bytes:
        """The key's encoding (for directories and committee files)."""


class SigningKey(Protocol):
    """A party's message-signing key (Ed25519 or composite ML-DSA)."""
    scheme: str

    def sign(self, data: bytes) -> bytes:
        """A signature on `data` under the identity context."""
    @property
    def public_key(self) -> VerifyingKey:
        """The matching verifying key."""


@dataclass(frozen=True, eq=False)
class Ed25519Verifier:
    raw: bytes
    scheme: str = ED25519

    def verify(self, data: bytes, signature: bytes) -> None:
        """Verify an Ed25519 signature on the identity context and `data`; raises `VerificationError`."""
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(bytes(signature), SIGNING_CONTEXT + data)
        except (InvalidSignature, ValueError):
            raise VerificationError("Ed25519 signature does not verify") from None

    def to_bytes(self) -> bytes:
        """The 32-byte Ed25519 public key."""
        return self.raw

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ed25519Verifier) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)


class Ed25519Signer:
    """An Ed25519 message-signing key (the classical identity scheme)."""
    scheme = ED25519

    def __init__(self, rng: RandomSource | None = None) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(random_bytes(32, rng))
        from cryptography.hazmat.primitives import serialization as s
        self.public_key = Ed25519Verifier(self._key.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw))

    def sign(self, data: bytes) -> bytes:
        """An Ed25519 signature on the identity context and `data`."""
        return self._key.sign(SIGNING_CONTEXT + data)

    def __repr__(self) -> str:
        return "Ed25519Signer(<private key redacted>)"


@dataclass(frozen=True, eq=False)
class CompositeVerifier:
    key: object                      # pqzk.pq.composite.CompositePublicKey
    scheme: str = COMPOSITE

    def verify(self, data: bytes, signature: bytes) -> None:
        """Verify a composite signature on `data` with the identity context; raises `VerificationError`."""
        from ..pq import composite
        composite.verify(self.key, data, signature, SIGNING_CONTEXT)

    def to_bytes(self) -> bytes:
        """The composite public key's encoding."""
        return self.key.to_bytes()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompositeVerifier) and other.to_bytes() == self.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())


class CompositeSigner:
    """A composite ML-DSA + Ed25519 message-signing key (the post-quantum identity scheme)."""
    scheme = COMPOSITE

    def __init__(self, rng: RandomSource | None = None, private_key=None) -> None:
        from ..pq import composite
        self._key = private_key if private_key is not None else composite.keygen(COMPOSITE, rng=rng)
        self.public_key = CompositeVerifier(self._key.public_key)

    def sign(self, data: bytes) -> bytes:
        """A composite signature on `data` with the identity context."""
        from ..pq import composite
        return composite.sign(self._key, data, SIGNING_CONTEXT)

    def __repr__(self) -> str:
        return "CompositeSigner(<private key redacted>)"


def new_signing_key(scheme: str = ED25519, rng: RandomSource | None = None) -> SigningKey:
    """A fresh signing key of the identity scheme named (Ed25519 or composite); `InvalidParameter`
    otherwise."""
    if scheme == ED25519:
        return Ed25519Signer(rng)
    if scheme == COMPOSITE:
        return CompositeSigner(rng)
    raise InvalidParameter(f"unknown identity scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")


@dataclass(frozen=True)
class Directory:
    """The public identity of every party that may take part (a roster's keys)."""
    keys: Mapping[PartyId, VerifyingKey]

    def verify(self, msg: Message) -> None:
        """AuthenticationError unless `msg` carries a valid signature of its claimed sender."""
        key = self.keys.get(msg.sender)
        if key is None:
            raise AuthenticationError(f"message from unknown party {msg.sender!r}")
        if not msg.signature:
            raise AuthenticationError(f"unsigned {msg.kind} message claiming to be from {msg.sender}")
        try:
            key.verify(wire.to_be_signed(msg), msg.signature)
        except (VerificationError, InvalidParameter):
            raise AuthenticationError(f"{msg.kind} message does not carry a valid signature of "
                                      f"party {msg.sender}") from None

    def is_authentic(self, msg: Message) -> bool:
        """Whether a message is signed by its sender's key: `verify` as a boolean."""
        try:
            self.verify(msg)
        except AuthenticationError:
            return False
        return True


@dataclass(frozen=True)
class Keyring:
    """One party's view: its own id and signing key, and everyone's public keys."""
    party: PartyId
    signing_key: SigningKey = field(repr=False)
    directory: Directory

    def __post_init__(self) -> None:
        if self.directory.keys.get(self.party) != self.signing_key.public_key:
            raise InvalidParameter(f"the directory does not hold party {self.party}'s public key")

    def sign(self, msg: Message) -> Message:
        """The message signed with this party's key; `InvalidParameter` if it is not from this party."""
        if msg.sender != self.party:
            raise InvalidParameter(f"party {self.party} cannot sign a message from {msg.sender!r}")
        return replace(msg, signature=self.signing_key.sign(wire.to_be_signed(msg)))

    def verify(self, msg: Message) -> None:
        """Verify a message's signature against the directory; raises `AuthenticationError`."""
        self.directory.verify(msg)

    def is_authentic(self, msg: Message) -> bool:
        """Whether a message is signed by its sender's key."""
        return self.directory.is_authentic(msg)


def generate_keyrings(parties: Iterable[PartyId], *, scheme: str = ED25519,
                      rng: RandomSource | None = None) -> dict[PartyId, Keyring]:
    """Fresh identities for an in-process run: one keyring per party, one shared directory."""
    ids = list(dict.fromkeys(parties))
    for pid in ids:
        wire.encode_party(pid)          # every id must be expressible on the wire
    keys = {pid: new_signing_key(scheme, rng) for pid in ids}
    directory = Directory({pid: k.public_key for pid, k in keys.items()})
    return {pid: Keyring(pid, keys[pid], directory) for pid in ids}


def extend_keyrings(keyrings: Mapping[PartyId, Keyring], parties: Iterable[PartyId], *,
                    scheme: str = ED25519, rng: RandomSource | None = None) -> dict[PartyId, Keyring]:
    """`keyrings` plus fresh identities for `parties` not in it, over one directory."""
    new = {pid: new_signing_key(scheme, rng) for pid in parties if pid not in keyrings}
    signing = {pid: k.signing_key for pid, k in keyrings.items()} | new
    directory = Directory({pid: k.public_key for pid, k in signing.items()})
    return {pid: Keyring(pid, k, directory) for pid, k in signing.items()}


__all__ = ["COMPOSITE", "ED25519", "SCHEMES", "SIGNING_CONTEXT", "Directory", "Keyring", "SigningKey",
           "VerifyingKey", "Ed25519Signer", "Ed25519Verifier", "CompositeSigner", "CompositeVerifier",
           "extend_keyrings", "generate_keyrings", "new_signing_key"]
