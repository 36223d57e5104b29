"""Single-use FROST nonces that survive crashes: a directory of sealed nonce files.

    <dir>/<sha256(commitment)>   "PQZKNONC" ‖ u8 version ‖ u8 kind ‖ 12-byte nonce ‖ AES-256-GCM(nonces)
                                 AD = "pqzk/tokens/nonce/v1" ‖ ciphersuite ‖ commitment ‖ kind
    once used:                   "PQZKNONC" ‖ u8 version ‖ 0xFF          (a tombstone: the nonces are gone)

`take` replaces the nonce file by its tombstone — written to a temp file, fsynced, renamed over
it, the directory fsynced — *before* it returns the nonces, so a signature share computed from
them can leave the process only after the mark is on disk. A crash before the rename leaves the
nonces unused; after it, they are burned: in no order of events do one nonce's two signatures
exist. Everything runs under the directory's lock (two processes of one node cannot race).
The AEAD key comes from the node's share store; the files say nothing without it.

`expire(kind, keep)` burns (tombstones) the oldest unused nonces of a kind beyond `keep`, oldest
by file time: the store keeps an index of its unused nonces, built by one scan of the directory
the first time it is needed and kept up to date by this store's own puts and takes.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import InvalidEncoding, InvalidParameter, NonceReuse, ProtocolError
from ..runtime.nonces import FRESH, PREPROCESSED
from ..threshold.frost.ciphersuite import Ciphersuite, get_ciphersuite
from ..threshold.frost.types import SigningNonces
from .atomic import atomic_write, locked, os_reason
from .errors import TokenError

MAGIC = b"PQZKNONC"
VERSION = 1
_KINDS = {FRESH: 1, PREPROCESSED: 2}
_USED = 0xFF
AD_LABEL = b"pqzk/tokens/nonce/v1"


class FileNonceStore:
    """A runtime `NonceStore` on disk for one ciphersuite, sealed under `key` (32 bytes)."""

    def __init__(self, directory: str | os.PathLike, suite: str | Ciphersuite, key: bytes) -> None:
        if not isinstance(key, (bytes, bytearray)) or len(key) != 32:
            raise InvalidParameter("a nonce store key is 32 bytes")
        self.dir = Path(directory)
        self.suite = get_ciphersuite(suite)
        self._aead = AESGCM(bytes(key))
        try:
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise TokenError(f"nonce store {self.dir}: {os_reason(exc)}") from None
        if not self.dir.is_dir():
            raise TokenError(f"nonce store {self.dir} is not a directory")
        self._index: dict[int, dict[str, None]] | None = None     # kind -> unused nonce files, oldest first

    def __repr__(self) -> str:
        return f"FileNonceStore({str(self.dir)!r}, {self.suite.name}, <key redacted>)"

    def _path(self, commitment: bytes) -> Path:
        return self.dir / hashlib.sha256(commitment).hexdigest()

    def _ad(self, commitment: bytes, kind: int) -> bytes:
        return AD_LABEL + self.suite.name.encode() + commitment + bytes([kind])

    def _read(self, path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TokenError(f"nonce file {path.name}: {os_reason(exc)}") from None

    def put(self, nonces: SigningNonces, kind: str = FRESH) -> None:
        """Keep `nonces` durably (one file each, written atomically) before their commitment is sent;
        `NonceReuse` if stored before."""
        if kind not in _KINDS:
            raise InvalidParameter(f"nonce kind is {FRESH!r} or {PREPROCESSED!r}")
        if nonces.suite.name != self.suite.name:
            raise InvalidParameter(f"nonces of {nonces.suite.name} in a {self.suite.name} nonce store")
        commitment = nonces.commitments.to_bytes()
        path = self._path(commitment)
        iv = os.urandom(12)
        body = self._aead.encrypt(iv, nonces.to_bytes(), self._ad(commitment, _KINDS[kind]))
        with locked(self.dir):
            if path.exists():
                raise NonceReuse("these nonces were stored before")
            atomic_write(path, MAGIC + bytes([VERSION, _KINDS[kind]]) + iv + body)
            if self._index is not None:
                self._index[_KINDS[kind]][path.name] = None

    def _parse(self, data: bytes, path: Path) -> int:
        if len(data) < len(MAGIC) + 2 or not data.startswith(MAGIC) or data[len(MAGIC)] != VERSION:
            raise InvalidEncoding(f"nonce file {path.name} is damaged")
        return data[len(MAGIC) + 1]

    def take(self, commitment: bytes) -> SigningNonces:
        """The nonces for `commitment`, marked used on disk first; `NonceReuse` if used already,
        `ProtocolError` if never held."""
        path = self._path(commitment)
        with locked(self.dir):
            data = self._read(path)
            if data is None:
                raise ProtocolError("the request names a commitment this signer never made")
            kind = self._parse(data, path)
            if kind == _USED:
                raise NonceReuse("commitment already used for a signature; refusing to sign again")
            if kind not in _KINDS.values():
                raise InvalidEncoding(f"nonce file {path.name} is damaged")
            head = len(MAGIC) + 2
            try:
                raw = self._aead.decrypt(data[head:head + 12], data[head + 12:], self._ad(commitment, kind))
            except InvalidTag:
                raise InvalidEncoding(f"nonce file {path.name} does not authenticate (altered, or another key)") \
                    from None
            atomic_write(path, MAGIC + bytes([VERSION, _USED]))      # durably used, before anything is signed
            if self._index is not None:
                self._index[kind].pop(path.name, None)
        nonces = SigningNonces.from_bytes(self.suite, raw)
        if nonces.commitments.to_bytes() != commitment:
            raise InvalidEncoding(f"nonce file {path.name} holds other nonces")
        return nonces

    def _scan(self) -> dict[int, dict[str, None]]:
        """The unused nonce files by kind, oldest first (one pass over the directory)."""
        if self._index is None:
            found = []
            try:
                for e in os.scandir(self.dir):
                    if not e.is_file() or len(e.name) != 64:          # temp files and the lock
                        continue
                    st = e.stat()
                    if st.st_size <= len(MAGIC) + 2:                 # a tombstone
                        continue
                    with open(e.path, "rb") as f:
                        kind = self._parse(f.read(len(MAGIC) + 2), Path(e.path))
                    found.append((st.st_mtime_ns, e.name, kind))
            except OSError as exc:
                raise TokenError(f"nonce store {self.dir}: {os_reason(exc)}") from None
            self._index = {k: {} for k in _KINDS.values()}
            for _, name, kind in sorted(found):
                if kind in self._index:
                    self._index[kind][name] = None
        return self._index

    def expire(self, kind: str, keep: int) -> int:
        """Burn the oldest unused nonces of `kind` (marked used, durably) so that at most `keep` remain;
        how many were burned."""
        if kind not in _KINDS:
            raise InvalidParameter(f"nonce kind is {FRESH!r} or {PREPROCESSED!r}")
        with locked(self.dir):
            unused = self._scan()[_KINDS[kind]]
            gone = list(unused)[:max(0, len(unused) - max(0, keep))]
            for name in gone:
                try:
                    atomic_write(self.dir / name, MAGIC + bytes([VERSION, _USED]))
                except OSError as exc:
                    raise TokenError(f"nonce file {name}: {os_reason(exc)}") from None
                del unused[name]
        return len(gone)

    def kind(self, commitment: bytes) -> str | None:
        """FRESH or PREPROCESSED for unused nonces, None otherwise."""
        data = self._read(self._path(commitment))
        if data is None:
            return None
        kind = self._parse(data, self._path(commitment))
        return {v: k for k, v in _KINDS.items()}.get(kind)


__all__ = ["FileNonceStore"]
