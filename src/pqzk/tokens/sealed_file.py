"""A share store in a directory of sealed records, for machines without a token.

Each share is one file `<key id>.share` holding a `SealedRecord` (envelope.py); signing keys held
by the store are `<key id>.hkey`. The data key comes from a pluggable *sealer*: a passphrase
(Argon2id/scrypt, passphrase.py), the TPM (tpm.py), or a recipient's KEM key (recipient.py).
Writes are atomic (temp file, fsync, rename, fsync directory) and serialized across processes by
flock, so two writers never interleave and a crash leaves the old or the new record.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from ..errors import InvalidEncoding, InvalidParameter
from . import heldkeys
from .atomic import atomic_delete, atomic_write, clean_temp_files, locked
from .envelope import Sealer, SealedRecord, seal, unseal
from .errors import ShareExists, ShareNotFound, TokenAbsent, TokenError
from .store import ShareMetadata, UnsealedShare, check_key_id

MARKER = "PQZK-STORE"
SHARE_EXT, HELD_EXT = ".share", ".hkey"


class DirectoryShareStore:
    """ShareStore over a directory; `sealer` decides where the data keys come from."""

    def __init__(self, directory: str | os.PathLike, sealer: Sealer, *, uri: str | None = None,
                 create: bool = False, rng: Callable[[int], bytes] | None = None) -> None:
        self.directory = Path(directory)
        self.sealer = sealer
        self.uri = uri or f"file:{self.directory}"
        self._rng = rng
        marker = self.directory / MARKER
        if create:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not marker.exists():
                atomic_write(marker, f"pqzk share store v1\nsealer={sealer.sealer_id}\n".encode())
        if not marker.is_file():
            raise TokenAbsent(f"no pqzk share store at {self.directory} (create it with `pqzk token init`)")
        found = dict(line.split("=", 1) for line in marker.read_text().splitlines()[1:] if "=" in line)
        if found.get("sealer") != sealer.sealer_id:
            raise InvalidParameter(f"store at {self.directory} uses sealer {found.get('sealer')!r}, "
                                   f"not {sealer.sealer_id!r}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uri!r})"

    # -- records -----------------------------------------------------------------------------
    def _path(self, key_id: str, ext: str) -> Path:
        return self.directory / (check_key_id(key_id) + ext)

    def _read(self, key_id: str, ext: str) -> SealedRecord:
        try:
            with locked(self.directory, shared=True):
                data = self._path(key_id, ext).read_bytes()
        except FileNotFoundError:
            kind = "share" if ext == SHARE_EXT else "held key"
            raise ShareNotFound(f"no {kind} {key_id!r} in {self.uri}") from None
        record = SealedRecord.from_bytes(data)
        if record.metadata.key_id != key_id:
            from ..errors import AuthenticationError
            raise AuthenticationError(f"record in {key_id}{ext} names key id {record.metadata.key_id!r}")
        return record

    def _write(self, record: SealedRecord, ext: str, overwrite: bool) -> None:
        path = self._path(record.metadata.key_id, ext)
        with locked(self.directory):
            clean_temp_files(self.directory)
            if path.exists() and not overwrite:
                raise ShareExists(f"{record.metadata.key_id!r} already exists in {self.uri}")
            atomic_write(path, record.to_bytes())

    # -- ShareStore --------------------------------------------------------------------------
    def put(self, share: bytes, metadata: ShareMetadata, *, overwrite: bool = False) -> None:
        if not isinstance(share, (bytes, bytearray)) or not 0 < len(share) <= 65536:
            raise InvalidParameter("share must be 1..65536 bytes")
        self._write(seal(share, metadata, self.sealer, self._rng), SHARE_EXT, overwrite)

    @contextmanager
    def get(self, key_id: str, *, group_public_key: bytes | None = None,
            ciphersuite: str | None = None) -> Iterator[UnsealedShare]:
        record = self._read(key_id, SHARE_EXT)
        record.metadata.check_group(group_public_key, ciphersuite)
        unsealed = UnsealedShare(record.metadata, unseal(record, self.sealer))
        try:
            yield unsealed
        finally:
            unsealed.wipe()

    def list(self) -> list[ShareMetadata]:
        out = []
        for p in sorted(self.directory.glob(f"*{SHARE_EXT}")):
            try:
                out.append(SealedRecord.from_bytes(p.read_bytes()).metadata)
            except (InvalidEncoding, FileNotFoundError):
                continue  # a damaged record is reported by get(), not hidden in list()
        return out

    def delete(self, key_id: str) -> None:
        with locked(self.directory):
            try:
                atomic_delete(self._path(key_id, SHARE_EXT))
            except FileNotFoundError:
                raise ShareNotFound(f"no share {key_id!r} in {self.uri}") from None

    def exists(self, key_id: str) -> bool:
        return self._path(key_id, SHARE_EXT).is_file()

    def metadata(self, key_id: str) -> ShareMetadata:
        return self._read(key_id, SHARE_EXT).metadata

    # -- keys held by the store (sealed here, used for one signature, wiped) -----------------
    def generate_held_key(self, key_id: str, algorithm: str) -> bytes:
        private, public = heldkeys.generate(algorithm)
        meta = ShareMetadata(key_id, 0, public, heldkeys.suite_of(algorithm), 0)
        try:
            self._write(seal(private, meta, self.sealer, self._rng), HELD_EXT, overwrite=False)
        finally:
            private[:] = bytes(len(private))
        return public

    def held_public_key(self, key_id: str) -> bytes:
        return self._read(key_id, HELD_EXT).metadata.group_public_key

    def sign_with_held_key(self, key_id: str, message: bytes) -> bytes:
        record = self._read(key_id, HELD_EXT)
        private = unseal(record, self.sealer)
        try:
            return heldkeys.sign(heldkeys.algorithm_of(record.metadata.ciphersuite), private, message)
        finally:
            private[:] = bytes(len(private))

    def delete_held_key(self, key_id: str) -> None:
        with locked(self.directory):
            try:
                atomic_delete(self._path(key_id, HELD_EXT))
            except FileNotFoundError:
                raise ShareNotFound(f"no held key {key_id!r} in {self.uri}") from None

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FileShareStore(DirectoryShareStore):
    """Sealed-file store: passphrase → Argon2id/scrypt → AES-256-GCM."""

    def __init__(self, directory: str | os.PathLike, passphrase: str | bytes, *, create: bool = False,
                 kdf=None, uri: str | None = None, rng: Callable[[int], bytes] | None = None) -> None:
        from .passphrase import PassphraseSealer
        super().__init__(directory, PassphraseSealer(passphrase, kdf), uri=uri, create=create, rng=rng)


__all__ = ["DirectoryShareStore", "FileShareStore", "TokenError"]
