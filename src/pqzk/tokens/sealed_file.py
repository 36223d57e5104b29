"""A share store in a directory of sealed records, for machines without a token.

Each share is one file `<key id>.share` holding a `SealedRecord` (envelope.py); signing keys held
by the store are `<key id>.hkey`. The data key comes from a pluggable *sealer*: a passphrase
(Argon2id/scrypt, passphrase.py), the TPM (tpm.py), or a recipient's KEM key (recipient.py).
Writes are atomic (temp file, fsync, rename, fsync directory) and serialized across processes by
flock, so two writers never interleave and a crash leaves the old or the new record.

The marker file `PQZK-STORE` names the sealer and, for sealers that check a secret (passphrase,
TPM), holds the store's verifier record (verifier.py), checked on every open. It is written once,
under the directory lock, so creators racing on a new directory all end up with the same store.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from ..errors import InvalidEncoding, InvalidParameter
from . import heldkeys
from .atomic import atomic_delete, atomic_write, clean_temp_files, locked, os_reason
from .envelope import Sealer, SealedRecord, seal, unseal
from .errors import ShareExists, ShareNotFound, StoreNeedsUpgrade, TokenAbsent, TokenError, WrongPin
from .store import ShareMetadata, UnsealedShare, check_key_id
from .verifier import check_verifier, make_verifier

MARKER = "PQZK-STORE"
MARKER_HEADS = {"pqzk share store v1": 1, "pqzk share store v2": 2}
MAX_MARKER = 1 << 16
SHARE_EXT, HELD_EXT = ".share", ".hkey"


def checks_secret(sealer: Sealer) -> bool:
    """Whether stores of this sealer keep a verifier (the sealer can tell a wrong secret)."""
    return bool(getattr(sealer, "checks_secret", False))


class DirectoryShareStore:
    """ShareStore over a directory; `sealer` decides where the data keys come from.

    `create=True` makes the store if the directory holds none (race-free between processes);
    on an existing store it only opens it — with the verifier checked, so a different secret is
    refused. `upgrade=True` adds a verifier to a store made before verifiers existed, after
    checking the secret against every record in it."""

    def __init__(self, directory: str | os.PathLike, sealer: Sealer, *, uri: str | None = None,
                 create: bool = False, upgrade: bool = False,
                 rng: Callable[[int], bytes] | None = None) -> None:
        self.directory = Path(directory)
        self.sealer = sealer
        self.uri = uri or f"file:{self.directory}"
        self._rng = rng
        if create:
            self._create()
        marker = self._read_marker()
        if marker.get("sealer") != sealer.sealer_id:
            raise InvalidParameter(f"store at {self.directory} uses sealer {marker.get('sealer')!r}, "
                                   f"not {sealer.sealer_id!r}")
        if not checks_secret(sealer):
            return
        if "verifier" not in marker:
            if marker["version"] >= 2:
                raise TokenError(f"store at {self.directory}: its marker {MARKER} lacks the verifier record")
            if not upgrade:
                raise StoreNeedsUpgrade(
                    f"store at {self.directory} was made by an older pqzk and cannot check its "
                    f"{sealer.sealer_id} secret; upgrade it once with `pqzk token init {self.uri} --upgrade` "
                    "(every record is checked against the secret first, then a verifier is added)")
            self._upgrade()
            marker = self._read_marker()
        self._check(marker["verifier"], create)

    # -- the marker and its verifier -----------------------------------------------------------
    def _marker_bytes(self) -> bytes:
        lines = ["pqzk share store v2", f"sealer={self.sealer.sealer_id}"]
        if checks_secret(self.sealer):
            lines.append("verifier=" + make_verifier(self.sealer, self._rng).hex())
        return ("\n".join(lines) + "\n").encode("ascii")

    def _create(self) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise TokenError(f"cannot create store directory {self.directory}: {os_reason(exc)}") from None
        marker = self.directory / MARKER
        with locked(self.directory):   # one creator writes the marker; the others find it
            if not os.path.lexists(marker):
                atomic_write(marker, self._marker_bytes())

    def _read_marker(self) -> dict:
        path = self.directory / MARKER
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_MARKER + 1)
        except (FileNotFoundError, NotADirectoryError):
            raise TokenAbsent(f"no pqzk share store at {self.directory} (create it with `pqzk token init`)") from None
        except OSError as exc:
            raise TokenError(f"cannot read {path}: {os_reason(exc)}") from None
        try:
            if len(data) > MAX_MARKER:
                raise ValueError("too large")
            head, *rest = data.decode("ascii").splitlines() or [""]
            found = dict(line.split("=", 1) for line in rest if line)
        except ValueError:   # UnicodeDecodeError, or a line without "="
            raise TokenError(f"{path} is damaged: not a pqzk store marker") from None
        if head not in MARKER_HEADS:
            raise TokenError(f"{path} is damaged: not a pqzk store marker")
        found["version"] = MARKER_HEADS[head]
        return found

    def _check(self, verifier_hex: str, create: bool) -> None:
        try:
            data = bytes.fromhex(verifier_hex)
        except ValueError:
            raise TokenError(f"store at {self.directory}: damaged verifier record (not hex)") from None
        try:
            record = check_verifier(data, self.sealer, str(self.directory))
        except WrongPin as exc:
            if create:
                raise WrongPin(f"a store already exists at {self.directory} and this secret does not "
                               f"open it ({exc}); nothing was changed") from None
            raise
        adopt = getattr(self.sealer, "adopt", None)
        if adopt is not None:
            adopt(record.sealer_params)   # new records: the store's KDF and salt (one unlock per open)

    def _upgrade(self) -> None:
        """Seal a verifier into a legacy store once every record in it opens with this secret."""
        with locked(self.directory):
            if "verifier" in self._read_marker():
                return   # another process upgraded it first
            for path in sorted([*self.directory.glob(f"*{SHARE_EXT}"), *self.directory.glob(f"*{HELD_EXT}")]):
                try:
                    record = SealedRecord.from_bytes(path.read_bytes())
                except (InvalidEncoding, OSError):
                    raise TokenError(f"cannot upgrade {self.directory}: {path.name} is unreadable or damaged; "
                                     "nothing was changed") from None
                try:
                    plain = unseal(record, self.sealer)
                except WrongPin:
                    raise WrongPin(f"cannot upgrade {self.directory}: {path.name} does not open with this "
                                   "secret (wrong passphrase or PIN?); nothing was changed") from None
                plain[:] = bytes(len(plain))
            atomic_write(self.directory / MARKER, self._marker_bytes())

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
        """Seal and store `share` under its key id (atomic: the old or the new record, never half);
        `ShareExists` unless `overwrite`."""
        if not isinstance(share, (bytes, bytearray)) or not 0 < len(share) <= 65536:
            raise InvalidParameter("share must be 1..65536 bytes")
        self._write(seal(share, metadata, self.sealer, self._rng), SHARE_EXT, overwrite)

    @contextmanager
    def get(self, key_id: str, *, group_public_key: bytes | None = None,
            ciphersuite: str | None = None) -> Iterator[UnsealedShare]:
        """Unseal a share for one `with` block (wiped after); `WrongGroup` if it belongs elsewhere,
        `AuthenticationError` if tampered."""
        record = self._read(key_id, SHARE_EXT)
        record.metadata.check_group(group_public_key, ciphersuite)
        unsealed = UnsealedShare(record.metadata, unseal(record, self.sealer))
        try:
            yield unsealed
        finally:
            unsealed.wipe()

    def list(self) -> list[ShareMetadata]:
        """Metadata of every stored share, sorted by key id (unreadable records skipped)."""
        out = []
        for p in sorted(self.directory.glob(f"*{SHARE_EXT}")):
            try:
                out.append(SealedRecord.from_bytes(p.read_bytes()).metadata)
            except (InvalidEncoding, FileNotFoundError):
                continue  # a damaged record is reported by get(), not hidden in list()
        return out

    def delete(self, key_id: str) -> None:
        """Remove a share; `ShareNotFound` if absent."""
        self._delete(key_id, SHARE_EXT, "share")

    def _delete(self, key_id: str, ext: str, what: str) -> None:
        """Remove one record (under the directory lock), or ShareNotFound naming `what` was missing."""
        with locked(self.directory):
            try:
                atomic_delete(self._path(key_id, ext))
            except FileNotFoundError:
                raise ShareNotFound(f"no {what} {key_id!r} in {self.uri}") from None

    def exists(self, key_id: str) -> bool:
        """Whether a share with this key id is stored."""
        return self._path(key_id, SHARE_EXT).is_file()

    def metadata(self, key_id: str) -> ShareMetadata:
        """Stored metadata without unsealing (authenticated only by `get`)."""
        return self._read(key_id, SHARE_EXT).metadata

    # -- keys held by the store (sealed here, used for one signature, wiped) -----------------
    def generate_held_key(self, key_id: str, algorithm: str) -> bytes:
        """Create a signing key kept sealed in the store; returns its public key."""
        private, public = heldkeys.generate(algorithm)
        meta = ShareMetadata(key_id, 0, public, heldkeys.suite_of(algorithm), 0)
        try:
            self._write(seal(private, meta, self.sealer, self._rng), HELD_EXT, overwrite=False)
        finally:
            private[:] = bytes(len(private))
        return public

    def held_public_key(self, key_id: str) -> bytes:
        """The public key of a held signing key."""
        return self._read(key_id, HELD_EXT).metadata.group_public_key

    def sign_with_held_key(self, key_id: str, message: bytes) -> bytes:
        """Sign with a held key, unsealed for this one signature."""
        record = self._read(key_id, HELD_EXT)
        private = unseal(record, self.sealer)
        try:
            return heldkeys.sign(heldkeys.algorithm_of(record.metadata.ciphersuite), private, message)
        finally:
            private[:] = bytes(len(private))

    def delete_held_key(self, key_id: str) -> None:
        """Remove a held key; `ShareNotFound` if absent."""
        self._delete(key_id, HELD_EXT, "held key")

    def close(self) -> None:
        """Nothing to release."""
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FileShareStore(DirectoryShareStore):
    """Sealed-file store: passphrase → Argon2id/scrypt → AES-256-GCM. The passphrase is checked on
    every open (one KDF run, WrongPin if wrong); `kdf` only matters when the store is created."""

    def __init__(self, directory: str | os.PathLike, passphrase: str | bytes, *, create: bool = False,
                 upgrade: bool = False, kdf=None, uri: str | None = None,
                 rng: Callable[[int], bytes] | None = None) -> None:
        from .passphrase import PassphraseSealer
        super().__init__(directory, PassphraseSealer(passphrase, kdf), uri=uri, create=create,
                         upgrade=upgrade, rng=rng)


__all__ = ["DirectoryShareStore", "FileShareStore", "TokenError"]
