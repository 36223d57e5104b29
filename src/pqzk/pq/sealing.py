"""Sealed transport for shares: X-Wing + AES-256-GCM with associated data that binds the sender,
the recipient (name and X-Wing public key), the protocol and the session.

    (ss, ct_kem) = X-Wing.Encaps(pk_R)
    key || nonce = HKDF-SHA256(ss, salt = "pqzk/seal/v1", info = AD || H(pk_R) || ct_kem)
    sealed       = "PQZS1" || ct_kem || AES-256-GCM(key, nonce, plaintext, aad = AD || ct_kem)

AD is the length-prefixed encoding of (protocol, session, sender, recipient, extra). Opening
with any other AD — another recipient, session, sender or protocol — fails authentication, so a
sealed share cannot be replayed to another party or session. Each seal has a fresh KEM secret,
so the derived nonce never repeats under one key. Secrecy holds if either ML-KEM-768 or X25519
holds (X-Wing); integrity and binding come from AES-GCM under the KEM-derived key.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..encoding import ByteWriter, as_bytes
from ..errors import AuthenticationError, InvalidEncoding, InvalidParameter
from . import xwing

MAGIC = b"PQZS1"
SALT = b"pqzk/seal/v1"
OVERHEAD = len(MAGIC) + xwing.CIPHERTEXT_SIZE + 16


@dataclass(frozen=True)
class SealContext:
    """Who sends to whom, in which protocol and session; `extra` is caller-chosen AD."""
    protocol: str
    session: bytes
    sender: str
    recipient: str
    extra: bytes = b""

    def __post_init__(self) -> None:
        for name in ("protocol", "sender", "recipient"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise InvalidParameter(f"seal context: {name} must be a non-empty string")
        if not isinstance(self.session, (bytes, bytearray)) or not self.session:
            raise InvalidParameter("seal context: session must be non-empty bytes")

    def encode(self) -> bytes:
        """The context as length-prefixed fields: the associated data a sealed box binds."""
        return (ByteWriter("seal context").lp(self.protocol.encode()).lp(self.session).lp(self.sender.encode())
                .lp(self.recipient.encode()).lp(as_bytes(self.extra, "seal context: extra")).to_bytes())


def _keys(ss: bytes, ad: bytes, pk: bytes, ct: bytes) -> tuple[bytes, bytes]:
    okm = HKDF(hashes.SHA256(), 44, SALT, ad + hashlib.sha3_256(pk).digest() + ct).derive(ss)
    return okm[:32], okm[32:]


def _context(aad) -> SealContext:
    if not isinstance(aad, SealContext):
        raise InvalidParameter("aad must be a SealContext(protocol, session, sender, recipient[, extra])")
    return aad


def seal(recipient_public_key: xwing.XWingPublicKey | bytes, plaintext: bytes, aad: SealContext,
         *, rng: Callable[[int], bytes] | None = None) -> bytes:
    """Encrypt `plaintext` to the holder of the X-Wing key, bound to `aad`."""
    ctx = _context(aad)
    pk = xwing._as_public(recipient_public_key)
    ss, ct = xwing.encaps(pk, rng=rng)
    ad = ctx.encode()
    key, nonce = _keys(ss, ad, pk.key, ct)
    return MAGIC + ct + AESGCM(key).encrypt(nonce, as_bytes(plaintext, "plaintext"), ad + ct)


def open(recipient_private_key: xwing.XWingPrivateKey, sealed: bytes, aad: SealContext) -> bytes:  # noqa: A001
    """Decrypt a sealed message; AuthenticationError if it, or the context it is opened in, differs."""
    ctx = _context(aad)
    if not isinstance(sealed, (bytes, bytearray)) or len(sealed) < OVERHEAD or not bytes(sealed).startswith(MAGIC):
        raise InvalidEncoding(f"sealed message must start with {MAGIC!r} and be at least {OVERHEAD} bytes")
    sealed = bytes(sealed)
    ct = sealed[len(MAGIC):len(MAGIC) + xwing.CIPHERTEXT_SIZE]
    ss = xwing.decaps(recipient_private_key, ct)
    ad = ctx.encode()
    key, nonce = _keys(ss, ad, recipient_private_key.public_key.key, ct)
    try:
        return AESGCM(key).decrypt(nonce, sealed[len(MAGIC) + xwing.CIPHERTEXT_SIZE:], ad + ct)
    except InvalidTag:
        raise AuthenticationError("sealed message does not authenticate: wrong recipient key, "
                                  "altered ciphertext, or another sender/recipient/protocol/session") from None


seal_message, open_message = seal, open
