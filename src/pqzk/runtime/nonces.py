"""Where a FROST signer keeps its secret nonces between the commitment and the signature.

Nonces are single use. `NonceStore.take` marks a nonce used — durably, in a persistent store —
*before* it returns it, so the signature share computed from it can leave the process only after
the mark: a crash at any point never lets one nonce sign twice (it may burn one). `expire` burns
the oldest unused nonces of a kind beyond a bound (a signer caps what it holds). The default
`MemoryNonceStore` lives as long as the process; a node injects a persistent one
(`pqzk.tokens.nonces.FileNonceStore`, sealed on disk).
"""
from __future__ import annotations

from typing import Protocol

from ..errors import InvalidParameter, NonceReuse, ProtocolError
from ..threshold.frost.types import SigningNonces

FRESH, PREPROCESSED = "fresh", "preprocessed"


class NonceStore(Protocol):
    """Where a FROST signer keeps its nonces between commitment and signature, so that each is used once."""
    def put(self, nonces: SigningNonces, kind: str = FRESH) -> None:
        """Keep `nonces` (durably, before their commitment is sent)."""

    def take(self, commitment: bytes) -> SigningNonces:
        """The nonces committed to by `commitment`, marked used first. NonceReuse if already used;
        ProtocolError if this store never held them."""

    def kind(self, commitment: bytes) -> str | None:
        """FRESH or PREPROCESSED for unused nonces, None otherwise."""

    def expire(self, kind: str, keep: int) -> int:
        """Burn the oldest unused nonces of `kind` (marked used, durably) so that at most `keep`
        remain; how many were burned. Bounds what a coordinator can make a signer hold."""


class MemoryNonceStore:
    """Nonces in memory (lost with the process — and so never reusable after it)."""

    def __init__(self) -> None:
        self._nonces: dict[bytes, tuple[SigningNonces, str]] = {}
        self._used: set[bytes] = set()

    def __repr__(self) -> str:
        return f"MemoryNonceStore({len(self._nonces)} unused, {len(self._used)} used)"

    def put(self, nonces: SigningNonces, kind: str = FRESH) -> None:
        """Keep `nonces`; `NonceReuse` if they were stored before."""
        if kind not in (FRESH, PREPROCESSED):
            raise InvalidParameter(f"nonce kind is {FRESH!r} or {PREPROCESSED!r}")
        key = nonces.commitments.to_bytes()
        if key in self._used or key in self._nonces:
            raise NonceReuse("these nonces were stored before")
        self._nonces[key] = (nonces, kind)

    def take(self, commitment: bytes) -> SigningNonces:
        """The nonces for `commitment`, marked used; `NonceReuse` if used already, `ProtocolError` if never
        held."""
        if commitment in self._used:
            raise NonceReuse("commitment already used for a signature; refusing to sign again")
        entry = self._nonces.pop(commitment, None)
        if entry is None:
            raise ProtocolError("the request names a commitment this signer never made")
        self._used.add(commitment)
        return entry[0]

    def kind(self, commitment: bytes) -> str | None:
        """FRESH or PREPROCESSED for unused nonces, None otherwise."""
        entry = self._nonces.get(commitment)
        return entry[1] if entry is not None else None

    def expire(self, kind: str, keep: int) -> int:
        """Burn the oldest unused nonces of `kind` so that at most `keep` remain; how many were burned."""
        unused = [c for c, (_, k) in self._nonces.items() if k == kind]
        gone = unused[:max(0, len(unused) - max(0, keep))]
        for c in gone:
            del self._nonces[c]
            self._used.add(c)
        return len(gone)


__all__ = ["FRESH", "PREPROCESSED", "MemoryNonceStore", "NonceStore"]
