"""The sealed record kept by file-backed stores (sealed file, TPM): metadata, how the data key is
recovered (the *sealer*), and the share under AES-256-GCM.

    record = "PQZKSEAL" || u8 1 || lp32(metadata) || lp16(sealer id) || lp32(sealer params)
             || nonce(12) || lp32(ciphertext || tag)
    AD     = "pqzk/tokens/share/v1" || lp32(metadata) || lp16(sealer id) || lp32(sealer params)

Everything but the ciphertext is public and bound into the AD, so altering any byte of the
metadata (key id, party id, group public key, suite, threshold, version) or of the sealer
parameters makes unsealing fail with AuthenticationError and return nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..encoding import ByteReader, as_bytes, lp_bytes
from ..errors import AuthenticationError, InvalidEncoding
from ..math.rand import random_bytes
from .store import ShareMetadata

MAGIC = b"PQZKSEAL"
RECORD_VERSION = 1
AD_LABEL = b"pqzk/tokens/share/v1"
NONCE_SIZE = 12
MAX_RECORD = 1 << 20


class Sealer(Protocol):
    """Produces and recovers the 32-byte data key of one record.

    `checks_secret`: recovering a key tells a wrong secret (WrongPin), so a store of this sealer
    keeps a verifier record checked on open (verifier.py). A sealer may also have
    `adopt(params)`: seal new records with the parameters of a record that just opened."""

    sealer_id: str
    checks_secret: bool

    def new_key(self, rng: Callable[[int], bytes] | None = None) -> tuple[bytes, bytes]:
        """(data key, public params recorded next to the ciphertext)."""

    def recover_key(self, params: bytes) -> bytes:
        """The data key from the recorded params; WrongPin when the secret is wrong."""


@dataclass(frozen=True)
class SealedRecord:
    metadata: ShareMetadata
    sealer_id: str
    sealer_params: bytes
    nonce: bytes
    ciphertext: bytes

    def associated_data(self) -> bytes:
        """The associated data the record's AES-GCM ciphertext binds: metadata and sealer."""
        return associated_data(self.metadata, self.sealer_id, self.sealer_params)

    def to_bytes(self) -> bytes:
        """The record's binary form."""
        return (MAGIC + bytes([RECORD_VERSION]) + lp_bytes(self.metadata.to_bytes(), 4)
                + lp_bytes(self.sealer_id.encode(), 2) + lp_bytes(self.sealer_params, 4) + self.nonce
                + lp_bytes(self.ciphertext, 4))

    @classmethod
    def from_bytes(cls, data: bytes) -> "SealedRecord":
        """A sealed record from its binary form, strictly checked (size-bounded)."""
        data = as_bytes(data, "sealed record")
        if len(data) > MAX_RECORD:
            raise InvalidEncoding("sealed record: too large")
        r = ByteReader(data, "sealed record")
        if r.take(len(MAGIC)) != MAGIC:
            raise InvalidEncoding("sealed record: bad magic (not a pqzk sealed share)")
        if r.uint(1) != RECORD_VERSION:
            raise InvalidEncoding("sealed record: unsupported version")
        meta = ShareMetadata.from_bytes(r.lp(4))
        try:
            sealer_id = r.lp(2).decode("ascii")
        except UnicodeDecodeError:
            raise InvalidEncoding("sealed record: non-ASCII sealer id") from None
        params, nonce, ct = r.lp(4), r.take(NONCE_SIZE), r.lp(4)
        r.end()
        if len(ct) < 16:
            raise InvalidEncoding("sealed record: ciphertext shorter than the GCM tag")
        return cls(meta, sealer_id, params, nonce, ct)


def associated_data(metadata: ShareMetadata, sealer_id: str, sealer_params: bytes) -> bytes:
    """The AES-GCM associated data of a sealed share: a label, the metadata and the sealer's id and
    parameters."""
    return AD_LABEL + lp_bytes(metadata.to_bytes(), 4) + lp_bytes(sealer_id.encode(), 2) + lp_bytes(sealer_params, 4)


def seal(share: bytes, metadata: ShareMetadata, sealer: Sealer,
         rng: Callable[[int], bytes] | None = None) -> SealedRecord:
    """Seal a share: AES-256-GCM under a key the sealer makes, binding the metadata."""
    key, params = sealer.new_key(rng)
    nonce = (rng or random_bytes)(NONCE_SIZE)
    ct = AESGCM(key).encrypt(nonce, bytes(share), associated_data(metadata, sealer.sealer_id, params))
    return SealedRecord(metadata, sealer.sealer_id, params, nonce, ct)


def unseal(record: SealedRecord, sealer: Sealer) -> bytearray:
    """The share of a sealed record; `AuthenticationError` when ciphertext or metadata was altered,
    `InvalidEncoding` for another sealer."""
    if record.sealer_id != sealer.sealer_id:
        raise InvalidEncoding(f"record {record.metadata.key_id!r} was sealed with {record.sealer_id!r}, "
                              f"this store uses {sealer.sealer_id!r}")
    key = sealer.recover_key(record.sealer_params)
    try:
        return bytearray(AESGCM(key).decrypt(record.nonce, record.ciphertext, record.associated_data()))
    except InvalidTag:
        raise AuthenticationError(f"share {record.metadata.key_id!r}: ciphertext or metadata was "
                                  "altered (AES-GCM tag mismatch); nothing returned") from None
