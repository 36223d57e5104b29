"""The `ShareStore` protocol and the metadata every stored share carries.

A store keeps *opaque* share bytes (e.g. `pqzk.sharing.shamir.Share.to_bytes(group)`) together with
public metadata; it does not depend on how shares are built. The share is sealed at rest and
unsealed only inside `with store.get(key_id) as share:` — one operation — and wiped on exit.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..encoding import ByteReader, ByteWriter
from ..errors import InvalidEncoding, InvalidParameter
from .errors import WrongGroup

FORMAT_VERSION = 1
HELD_KEY_ALGORITHMS = ("ecdsa-p256", "ed25519")
_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_key_id(key_id: str) -> str:
    """Key ids are short and path-safe: `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`."""
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise InvalidParameter("key id must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}")
    return key_id


@dataclass(frozen=True)
class ShareMetadata:
    """Public facts about a stored share; all of it is bound into the seal's associated data."""

    key_id: str
    party_id: int
    group_public_key: bytes
    ciphersuite: str
    threshold: int
    format_version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        check_key_id(self.key_id)
        if not isinstance(self.party_id, int) or not 0 <= self.party_id < 2**32:
            raise InvalidParameter("party id must be an integer in [0, 2^32)")
        if not isinstance(self.threshold, int) or not 0 <= self.threshold < 2**16:
            raise InvalidParameter("threshold must be an integer in [0, 2^16)")
        if not isinstance(self.group_public_key, bytes) or len(self.group_public_key) > 4096:
            raise InvalidParameter("group public key must be at most 4096 bytes")
        if not re.fullmatch(r"[\x21-\x7e]{1,128}", self.ciphersuite or ""):
            raise InvalidParameter("ciphersuite must be 1..128 printable ASCII characters")
        if self.format_version != FORMAT_VERSION:
            raise InvalidParameter(f"unsupported format version {self.format_version}")

    def to_bytes(self) -> bytes:
        """u8 version || lp16(key id) || u32 party || lp16(suite) || u16 t || lp16(group pk)."""
        return (ByteWriter("share metadata").uint(self.format_version, 1).lp(self.key_id.encode(), 2)
                .u32(self.party_id).lp(self.ciphersuite.encode(), 2).uint(self.threshold, 2)
                .lp(self.group_public_key, 2).to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> "ShareMetadata":
        """Share metadata from its binary form, strictly checked."""
        r = ByteReader(data, "share metadata")
        version = r.uint(1)
        if version != FORMAT_VERSION:
            raise InvalidEncoding(f"share metadata: unsupported format version {version}")
        try:
            key_id = r.lp(2).decode("ascii")
            party, suite = r.uint(4), r.lp(2).decode("ascii")
        except UnicodeDecodeError:
            raise InvalidEncoding("share metadata: non-ASCII text field") from None
        threshold, gpk = r.uint(2), r.lp(2)
        r.end()
        try:
            return cls(key_id, party, gpk, suite, threshold, version)
        except InvalidParameter as exc:
            raise InvalidEncoding(f"share metadata: {exc}") from None

    def check_group(self, group_public_key: bytes | None, ciphersuite: str | None = None) -> None:
        """Raise WrongGroup unless this share belongs to the expected group (and suite)."""
        if group_public_key is not None and bytes(group_public_key) != self.group_public_key:
            raise WrongGroup(f"share {self.key_id!r} belongs to another group (public key differs)")
        if ciphersuite is not None and ciphersuite != self.ciphersuite:
            raise WrongGroup(f"share {self.key_id!r} is for ciphersuite {self.ciphersuite!r}, not {ciphersuite!r}")


class UnsealedShare:
    """A share in the clear for the duration of one `with` block; wiped (best effort) on exit."""

    __slots__ = ("metadata", "_buf")

    def __init__(self, metadata: ShareMetadata, value: bytes | bytearray) -> None:
        self.metadata = metadata
        self._buf = bytearray(value)

    @property
    def value(self) -> bytes:
        """The share's bytes; `InvalidParameter` once its `with` block has ended."""
        if self._buf is None:
            raise InvalidParameter("share used after its `with` block ended")
        return bytes(self._buf)

    def as_share(self, order):
        """Decode as `pqzk.sharing.shamir.Share` (strict), for `order` a Group or prime."""
        from ..sharing.shamir import Share
        return Share.from_bytes(order, self.value)

    def wipe(self) -> None:
        """Overwrite the share's buffer with zeros (best effort in Python)."""
        if self._buf is not None:
            for i in range(len(self._buf)):
                self._buf[i] = 0
            self._buf = None

    def __repr__(self) -> str:
        return f"UnsealedShare(key_id={self.metadata.key_id!r}, party_id={self.metadata.party_id}, value=<redacted>)"


@runtime_checkable
class ShareStore(Protocol):
    """Where a party keeps its share. Implementations: PKCS#11 token, TPM 2.0, sealed file."""

    uri: str

    def put(self, share: bytes, metadata: ShareMetadata, *, overwrite: bool = False) -> None:
        """Seal and store `share` under metadata.key_id (atomic: old or new, never half)."""

    def get(self, key_id: str, *, group_public_key: bytes | None = None,
            ciphersuite: str | None = None) -> AbstractContextManager[UnsealedShare]:
        """Unseal for one operation; WrongGroup if it belongs elsewhere, AuthenticationError if tampered."""

    def list(self) -> list[ShareMetadata]:
        """Metadata of every stored share, sorted by key id."""

    def delete(self, key_id: str) -> None:
        """Remove a share; ShareNotFound if absent."""

    def exists(self, key_id: str) -> bool:
        """Whether a share with this key id is stored."""

    def metadata(self, key_id: str) -> ShareMetadata:
        """Stored metadata without unsealing (authenticated only by `get`)."""

    def generate_held_key(self, key_id: str, algorithm: str) -> bytes:
        """Create a signing key that never leaves the store; returns its public key."""

    def held_public_key(self, key_id: str) -> bytes:
        """The public key of a held signing key."""

    def sign_with_held_key(self, key_id: str, message: bytes) -> bytes:
        """Sign inside the store: ECDSA P-256/SHA-256 (DER) or Ed25519 (RFC 8032, 64 bytes)."""

    def close(self) -> None:
        """Release the store (log out of the token, close the TPM context)."""


def iter_sorted(items: Iterator[ShareMetadata]) -> list[ShareMetadata]:
    """Metadata sorted by key id."""
    return sorted(items, key=lambda m: m.key_id)
