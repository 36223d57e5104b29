"""PKCS#11 share store (python-pkcs11; tested against SoftHSM2 2.6).

A share is sealed with AES-256-GCM under a non-extractable, sensitive AES key generated in the
token (it never leaves it); the sealed record is a private token DATA object. The GCM associated
data binds the key id of the sealing key, the party id, the group public key, the rest of the
metadata and the format version. SoftHSM2 2.6 reports a GCM tag failure as CKR_GENERAL_ERROR: it
is mapped to AuthenticationError here.

Writes create the new object first and only then destroy older versions (records carry a 128-bit
generation), so a crash leaves the old or the new record and concurrent writers converge on the
newest. Signing keys (ECDSA P-256, Ed25519) are generated in the token and never leave it; P-256
messages are hashed with SHA-256 in Python and signed with raw CKM_ECDSA (SoftHSM2 has no
CKM_ECDSA_SHA256).
"""
from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..encoding import ByteReader, lp_bytes
from ..errors import AuthenticationError, BackendUnavailable, InvalidEncoding, InvalidParameter
from . import heldkeys
from .atomic import file_lock, private_dir
from .errors import (PinLocked, ShareExists, ShareNotFound, StoreFull, TokenAbsent, TokenError,
                     UnsupportedMechanism, WrongPin)
from .store import ShareMetadata, UnsealedShare, check_key_id

MAGIC = b"PQZKP11S"
RECORD_VERSION = 1
AD_LABEL = b"pqzk/tokens/pkcs11/v1"
APPLICATION = "pqzk-share"
SEAL_KEY_LABEL = "pqzk-seal-key"
HELD_PREFIX = "pqzk-held:"
ED25519_OID = "1.3.101.112"

# What each operation needs from the token (mechanism names from python-pkcs11's Mechanism).
REQUIRED = {
    "seal shares": ("AES_KEY_GEN", "AES_GCM"),
    "sign ecdsa-p256": ("EC_KEY_PAIR_GEN", "ECDSA"),
    "sign ed25519": ("EC_EDWARDS_KEY_PAIR_GEN", "EDDSA"),
    "sign ml-dsa": ("ML_DSA_KEY_PAIR_GEN", "ML_DSA"),   # PKCS#11 v3.2; not in SoftHSM2 2.6
}
# CK_TOKEN_INFO flags (PKCS#11 v2.40 §5.2 / python-pkcs11 TokenFlag)
_PIN_FINAL_TRY, _PIN_LOCKED = 0x00020000, 0x00040000


def _p11():
    try:
        import pkcs11
    except ImportError:
        raise BackendUnavailable("pkcs11", "python-pkcs11 not installed", "pip install python-pkcs11") from None
    return pkcs11


_LIBS: dict[str, object] = {}


def module_file(module_path: str | None = None) -> str:
    """The PKCS#11 module's path (SoftHSM2's by default); BackendUnavailable when it is missing."""
    from ..discovery import find_softhsm
    path = module_path or find_softhsm()
    if not path or not os.path.exists(path):
        raise BackendUnavailable("pkcs11", f"PKCS#11 module {path or 'libsofthsm2.so'} not found",
                                 "apt-get install softhsm2, or pass module-path=... in the pkcs11: URI")
    return path


def load_module(module_path: str | None = None):
    """The PKCS#11 library (cached per path; SOFTHSM2_CONF must be set before the first load)."""
    path = module_file(module_path)
    if path not in _LIBS:
        _LIBS[path] = _p11().lib(path)
    return _LIBS[path]


def lock_dir() -> Path:
    """Where this user's PKCS#11 module locks live: $PQZK_LOCK_DIR as given (an operator's choice),
    else a private (0700, ours, not a symlink) `pqzk` directory in $XDG_RUNTIME_DIR, else
    `pqzk-<uid>` in the system temp dir — never a file shared by every user of the machine."""
    given = os.environ.get("PQZK_LOCK_DIR")
    if given:
        return Path(given)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return private_dir(Path(runtime) / "pqzk")
    return private_dir(Path(tempfile.gettempdir()) / f"pqzk-{os.getuid()}")


def module_lock_path(module_path: str) -> Path:
    """Advisory lock file shared by this user's pqzk processes using this PKCS#11 module.

    SoftHSM2's file object store is not safe under concurrent multi-process writes (reads during
    another process's write fail with CKR_GENERAL_ERROR; SoftHSMv2 issues #573, #757), so pqzk
    serializes its own writers (exclusive) against its readers (shared). The directory is
    `lock_dir()`; other PKCS#11 applications, and other users' processes, do not take this lock."""
    digest = hashlib.sha256(os.path.realpath(module_path).encode()).hexdigest()[:16]
    return lock_dir() / f"pqzk-pkcs11-{digest}.lock"


def _reads(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with file_lock(self._lock, shared=True):
            self._check_present()
            return method(self, *args, **kwargs)
    return wrapper


def _writes(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with file_lock(self._lock):
            self._check_present()
            return method(self, *args, **kwargs)
    return wrapper


def refresh_modules() -> None:
    """Re-scan slots (C_Finalize + C_Initialize) so tokens initialised by another process become
    visible (SoftHSM2 reads its token directory at C_Initialize). Invalidates open sessions."""
    for lib in _LIBS.values():
        lib.reinitialize()


@dataclass(frozen=True)
class MechanismReport:
    available: frozenset[str]
    missing: dict[str, tuple[str, ...]]   # operation -> missing mechanism names

    def supports(self, operation: str) -> bool:
        """Whether the token has every mechanism `operation` needs."""
        return not self.missing.get(operation)

    def describe(self) -> str:
        """What the token cannot do, and which mechanisms it lacks, in one line."""
        if not any(self.missing.values()):
            return "token supports every pqzk operation (" + ", ".join(REQUIRED) + ")"
        return "; ".join(f"cannot {op}: missing {', '.join(m)}" for op, m in self.missing.items() if m)


def probe_mechanisms(token) -> MechanismReport:
    """Which pqzk operations the token's mechanism list allows, and what it lacks."""
    Mechanism = _p11().Mechanism
    names = set()
    for m in token.slot.get_mechanisms():
        try:
            names.add(Mechanism(int(m)).name)
        except ValueError:
            continue
    missing = {op: tuple(n for n in need if n not in names) for op, need in REQUIRED.items()}
    return MechanismReport(frozenset(names), missing)


def find_token(lib, label: str | None = None, serial: str | None = None):
    """The PKCS#11 token with this label and/or serial; `TokenAbsent` when none or several match."""
    p11 = _p11()
    kwargs: dict = {}
    if label:
        kwargs["token_label"] = label
    if serial:
        kwargs["token_serial"] = serial.encode()
    try:
        tokens = list(lib.get_tokens(**kwargs))
    except p11.exceptions.PKCS11Error as exc:
        raise TokenAbsent(f"cannot list PKCS#11 tokens: {type(exc).__name__}") from None
    if not tokens:
        what = " ".join(f"{k}={v!r}" for k, v in (("label", label), ("serial", serial)) if v)
        raise TokenAbsent(f"no PKCS#11 token with {what or 'any label'} is present")
    if len(tokens) > 1:
        raise TokenAbsent("several tokens match; name one with token= or serial=")
    return tokens[0]


@dataclass(frozen=True)
class _Record:
    metadata: ShareMetadata
    seal_key_id: bytes
    generation: int
    nonce: bytes
    ciphertext: bytes

    def ad(self) -> bytes:
        return (AD_LABEL + lp_bytes(self.seal_key_id, 2) + lp_bytes(self.metadata.to_bytes(), 4)
                + self.generation.to_bytes(16, "big"))

    def to_bytes(self) -> bytes:
        return (MAGIC + bytes([RECORD_VERSION]) + lp_bytes(self.metadata.to_bytes(), 4) + lp_bytes(self.seal_key_id, 2)
                + self.generation.to_bytes(16, "big") + self.nonce + lp_bytes(self.ciphertext, 4))

    @classmethod
    def from_bytes(cls, data: bytes) -> "_Record":
        r = ByteReader(data, "PKCS#11 share record")
        if r.take(len(MAGIC)) != MAGIC or r.uint(1) != RECORD_VERSION:
            raise InvalidEncoding("PKCS#11 share record: bad magic or version")
        meta = ShareMetadata.from_bytes(r.lp(4))
        kid, gen, nonce, ct = r.lp(2), r.uint(16), r.take(12), r.lp(4)
        r.end()
        if len(ct) < 16:
            raise InvalidEncoding("PKCS#11 share record: ciphertext shorter than the GCM tag")
        return cls(meta, kid, gen, nonce, ct)


def _generation() -> int:
    return (time.time_ns() << 64) | int.from_bytes(os.urandom(8), "big")


class PKCS11ShareStore:
    """ShareStore in a PKCS#11 token. Logs in ONCE with the given PIN: a wrong PIN raises WrongPin
    and is never retried; a locked (or final-try) PIN raises PinLocked before any login."""

    def __init__(self, *, pin: str, token_label: str | None = None, serial: str | None = None,
                 module_path: str | None = None, uri: str | None = None,
                 allow_final_pin_try: bool = False) -> None:
        self.uri = uri or f"pkcs11:token={token_label}"
        self._session = None
        self._lock = module_lock_path(module_file(module_path))
        # Under the lock: SoftHSM2 reads its token directory when the module is first loaded in a
        # process (a concurrent write can hide a token from it), and a failed login is a token
        # write (its PIN counter).
        with file_lock(self._lock):
            self.lib = load_module(module_path)
            self._open(pin, token_label, serial, allow_final_pin_try)

    def _open(self, pin: str, token_label: str | None, serial: str | None, allow_final_pin_try: bool) -> None:
        p11 = _p11()
        self.token = find_token(self.lib, token_label, serial)
        self.mechanisms = probe_mechanisms(self.token)
        self._require("seal shares")   # say up front what the token lacks, before asking for a PIN
        flags = int(self.token.flags)
        if flags & _PIN_LOCKED:
            raise PinLocked(f"user PIN of token {self.token.label!r} is locked (reset it with the SO PIN)")
        if flags & _PIN_FINAL_TRY and not allow_final_pin_try:
            raise PinLocked(f"token {self.token.label!r}: one more wrong PIN locks it; not trying "
                            "(pass allow_final_pin_try=True to try anyway)")
        if not pin:
            raise WrongPin("empty PIN")
        try:
            self._session = self.token.open(rw=True, user_pin=pin)
        except (p11.exceptions.PinIncorrect, p11.exceptions.PinInvalid, p11.exceptions.PinLenRange):
            raise WrongPin(f"PIN refused by token {self.token.label!r} (not retried)") from None
        except p11.exceptions.PinLocked:
            raise PinLocked(f"user PIN of token {self.token.label!r} is locked") from None
        except (p11.exceptions.TokenNotPresent, p11.exceptions.DeviceRemoved):
            raise TokenAbsent(f"token {self.token.label!r} was removed") from None
        except p11.exceptions.PKCS11Error as exc:
            raise TokenError(f"cannot log in to token {self.token.label!r}: {type(exc).__name__}") from None

    def __repr__(self) -> str:
        return f"PKCS11ShareStore({self.uri!r})"

    def close(self) -> None:
        """Close the token session."""
        if getattr(self, "_session", None) is not None:
            try:
                self._session.close()
            finally:
                self._session = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- helpers ---------------------------------------------------------------------------
    def _check_present(self) -> None:
        """TokenAbsent if the token was removed since the store was opened (SoftHSM2 then answers
        object searches with empty lists, which would otherwise read as 'no such share')."""
        p11 = _p11()
        if self._session is None:
            raise TokenError(f"{self.uri} is closed")
        try:
            now = self.token.slot.get_token()
        except p11.exceptions.PKCS11Error:
            raise TokenAbsent(f"token {self.token.label!r} is no longer present") from None
        if (now.label, now.serial) != (self.token.label, self.token.serial):
            raise TokenAbsent(f"token {self.token.label!r} was replaced by another token in its slot")

    def _require(self, operation: str) -> None:
        if not self.mechanisms.supports(operation):
            raise UnsupportedMechanism(f"token {self.token.label!r} cannot {operation}: missing "
                                       + ", ".join(self.mechanisms.missing[operation]))

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        p11 = _p11()
        if self._session is None:
            raise TokenError(f"{self.uri} is closed")
        try:
            yield
        except p11.exceptions.DeviceMemory:
            raise StoreFull(f"{what}: token {self.token.label!r} is full (CKR_DEVICE_MEMORY)") from None
        except (p11.exceptions.TokenNotPresent, p11.exceptions.DeviceRemoved,
                p11.exceptions.SessionHandleInvalid, p11.exceptions.SessionClosed):
            raise TokenAbsent(f"{what}: token {self.token.label!r} is no longer present") from None
        except p11.exceptions.PKCS11Error as exc:
            raise TokenError(f"{what}: {type(exc).__name__} from token {self.token.label!r}") from None

    def _seal_key(self, create: bool, key_id: bytes | None = None):
        """The sealing key: the one with CKA_ID `key_id` (to open a record), else the one with the
        smallest CKA_ID — deterministic even if two first writers raced and both created one."""
        p11 = _p11()
        A = p11.Attribute
        with self._errors("finding the sealing key"):
            keys = list(self._session.get_objects({A.CLASS: p11.ObjectClass.SECRET_KEY, A.LABEL: SEAL_KEY_LABEL}))
            if key_id is not None:
                keys = [k for k in keys if bytes(k[A.ID]) == key_id]
                if not keys:
                    raise AuthenticationError("share was sealed under a key this token does not hold")
            if keys:
                return min(keys, key=lambda k: bytes(k[A.ID]))
            if not create:
                raise ShareNotFound(f"token {self.token.label!r} has no pqzk sealing key (run `pqzk token init`)")
            self._require("seal shares")
            return self._session.generate_key(
                p11.KeyType.AES, 256, label=SEAL_KEY_LABEL, id=os.urandom(16), store=True,
                template={A.SENSITIVE: True, A.EXTRACTABLE: False, A.PRIVATE: True, A.ENCRYPT: True,
                          A.DECRYPT: True, A.WRAP: False, A.UNWRAP: False, A.MODIFIABLE: False})

    @_writes
    def init(self) -> bytes:
        """Create the store's AES-256 sealing key if missing; returns its CKA_ID."""
        return bytes(self._seal_key(create=True)[_p11().Attribute.ID])

    def _objects(self, key_id: str | None = None):
        p11 = _p11()
        A = p11.Attribute
        query = {A.CLASS: p11.ObjectClass.DATA, A.APPLICATION: APPLICATION}
        if key_id is not None:
            query[A.LABEL] = key_id
        with self._errors("listing shares"):
            return list(self._session.get_objects(query))

    def _versions(self, key_id: str) -> list[tuple[object, _Record | None]]:
        """Every stored version of key_id, newest generation first (unparseable ones last)."""
        p11 = _p11()
        out = []
        for obj in self._objects(key_id):
            try:
                with self._errors("reading a share"):
                    try:
                        value = bytes(obj[p11.Attribute.VALUE])
                    except p11.exceptions.ObjectHandleInvalid:
                        continue   # another writer pruned this version since it was listed
                out.append((obj, _Record.from_bytes(value)))
            except InvalidEncoding:
                out.append((obj, None))
        return sorted(out, key=lambda o: -1 if o[1] is None else o[1].generation, reverse=True)

    def _current(self, key_id: str) -> _Record:
        versions = self._versions(check_key_id(key_id))
        if not versions:
            raise ShareNotFound(f"no share {key_id!r} in {self.uri}")
        record = versions[0][1]
        if record is None:
            raise InvalidEncoding(f"share {key_id!r}: stored record does not decode")
        if record.metadata.key_id != key_id:
            raise AuthenticationError(f"share object labelled {key_id!r} holds a record for another key id")
        return record

    # -- ShareStore ------------------------------------------------------------------------
    @_writes
    def put(self, share: bytes, metadata: ShareMetadata, *, overwrite: bool = False) -> None:
        """Store `share` on the token, AES-GCM encrypted under a token key that never leaves it;
        `ShareExists` unless `overwrite`."""
        p11 = _p11()
        A = p11.Attribute
        if not isinstance(share, (bytes, bytearray)) or not 0 < len(share) <= 65536:
            raise InvalidParameter("share must be 1..65536 bytes")
        key_id = metadata.key_id
        older = self._versions(key_id)
        if older and not overwrite:
            raise ShareExists(f"{key_id!r} already exists in {self.uri}")
        key = self._seal_key(create=True)
        nonce = os.urandom(12)
        rec = _Record(metadata, bytes(key[A.ID]), _generation(), nonce, b"")
        with self._errors("sealing a share"):
            ct = key.encrypt(bytes(share), mechanism=p11.Mechanism.AES_GCM,
                             mechanism_param=p11.mechanisms.GCMParams(nonce, rec.ad()))
        rec = _Record(metadata, rec.seal_key_id, rec.generation, nonce, bytes(ct))
        with self._errors("storing a share"):
            try:
                self._session.create_object({A.CLASS: p11.ObjectClass.DATA, A.TOKEN: True, A.PRIVATE: True,
                                             A.MODIFIABLE: True, A.APPLICATION: APPLICATION,
                                             A.LABEL: key_id, A.VALUE: rec.to_bytes()})
            except p11.exceptions.ObjectHandleInvalid:
                # created, then pruned by a concurrent writer holding a newer generation before
                # python-pkcs11 read it back: this write was superseded (last writer wins)
                return
        self._prune(key_id, rec.generation)

    def _prune(self, key_id: str, keep_from: int) -> None:
        """Destroy versions older than `keep_from` (only after the new one is stored)."""
        for obj, r in self._versions(key_id):
            if r is None or r.generation < keep_from:
                try:
                    with self._errors("removing an old share version"):
                        obj.destroy()
                except TokenError:
                    pass  # another writer removed it first

    @contextmanager
    def get(self, key_id: str, *, group_public_key: bytes | None = None,
            ciphersuite: str | None = None) -> Iterator[UnsealedShare]:
        """Decrypt a share inside the token for one `with` block (wiped after); `WrongGroup` if it belongs
        elsewhere."""
        p11 = _p11()
        with file_lock(self._lock, shared=True):
            self._check_present()
            record = self._current(key_id)
            record.metadata.check_group(group_public_key, ciphersuite)
            key = self._seal_key(create=False, key_id=record.seal_key_id)
            try:
                plain = key.decrypt(record.ciphertext, mechanism=p11.Mechanism.AES_GCM,
                                    mechanism_param=p11.mechanisms.GCMParams(record.nonce, record.ad()))
            except (p11.exceptions.GeneralError, p11.exceptions.EncryptedDataInvalid,
                    p11.exceptions.FunctionFailed, p11.exceptions.EncryptedDataLenRange):
                # SoftHSM2 2.6 returns CKR_GENERAL_ERROR for a GCM tag mismatch
                raise AuthenticationError(f"share {key_id!r}: ciphertext or metadata was altered "
                                          "(AES-GCM tag mismatch in the token); nothing returned") from None
        unsealed = UnsealedShare(record.metadata, plain)
        del plain
        try:
            yield unsealed
        finally:
            unsealed.wipe()

    @_reads
    def list(self) -> list[ShareMetadata]:
        """Metadata of every share on the token, sorted by key id."""
        seen: dict[str, _Record] = {}
        A = _p11().Attribute
        for obj in self._objects():
            try:
                rec = _Record.from_bytes(bytes(obj[A.VALUE]))
            except (InvalidEncoding, _p11().exceptions.PKCS11Error):
                continue   # undecodable (reported by get) or pruned by a concurrent writer
            if rec.metadata.key_id not in seen or rec.generation > seen[rec.metadata.key_id].generation:
                seen[rec.metadata.key_id] = rec
        return [seen[k].metadata for k in sorted(seen)]

    @_writes
    def delete(self, key_id: str) -> None:
        """Remove a share's objects from the token; `ShareNotFound` if absent."""
        versions = self._versions(check_key_id(key_id))
        if not versions:
            raise ShareNotFound(f"no share {key_id!r} in {self.uri}")
        for obj, _ in versions:
            with self._errors("deleting a share"):
                obj.destroy()

    @_reads
    def exists(self, key_id: str) -> bool:
        """Whether the token holds a share with this key id."""
        return bool(self._objects(check_key_id(key_id)))

    @_reads
    def metadata(self, key_id: str) -> ShareMetadata:
        """A share's stored metadata."""
        return self._current(key_id).metadata

    # -- signing keys that never leave the token ------------------------------------------
    def _held(self, key_id: str, cls):
        p11 = _p11()
        A = p11.Attribute
        with self._errors("finding a held key"):
            found = list(self._session.get_objects({A.CLASS: cls, A.LABEL: HELD_PREFIX + check_key_id(key_id)}))
        if not found:
            raise ShareNotFound(f"no held key {key_id!r} in {self.uri}")
        if len(found) > 1:
            raise TokenError(f"{len(found)} objects labelled {HELD_PREFIX + key_id!r}")
        return found[0]

    @_writes
    def generate_held_key(self, key_id: str, algorithm: str) -> bytes:
        """Generate an EC P-256 or Ed25519 key pair on the token (the private key never leaves it); returns
        the public key."""
        p11 = _p11()
        from pkcs11.util.ec import encode_named_curve_parameters
        A, KT = p11.Attribute, p11.KeyType
        heldkeys.check_algorithm(algorithm)
        self._require(f"sign {algorithm}")
        try:
            self._held(key_id, p11.ObjectClass.PRIVATE_KEY)
            raise ShareExists(f"held key {key_id!r} already exists in {self.uri}")
        except ShareNotFound:
            pass
        curve = "secp256r1" if algorithm == "ecdsa-p256" else ED25519_OID
        ktype = KT.EC if algorithm == "ecdsa-p256" else KT.EC_EDWARDS
        label = HELD_PREFIX + key_id
        with self._errors(f"generating a {algorithm} key"):
            pub, _priv = self._session.generate_keypair(
                ktype, None, store=True, label=label, id=hashlib.sha256(label.encode()).digest()[:16],
                public_template={A.EC_PARAMS: encode_named_curve_parameters(curve), A.VERIFY: True},
                private_template={A.SENSITIVE: True, A.EXTRACTABLE: False, A.SIGN: True, A.PRIVATE: True})
            return _ec_point(bytes(pub[A.EC_POINT]), algorithm)

    @_reads
    def held_public_key(self, key_id: str) -> bytes:
        """The public key of a key pair held on the token."""
        p11 = _p11()
        pub = self._held(key_id, p11.ObjectClass.PUBLIC_KEY)
        algorithm = "ed25519" if pub[p11.Attribute.KEY_TYPE] == p11.KeyType.EC_EDWARDS else "ecdsa-p256"
        with self._errors("reading a public key"):
            return _ec_point(bytes(pub[p11.Attribute.EC_POINT]), algorithm)

    @_reads
    def held_algorithm(self, key_id: str) -> str:
        """"ed25519" or "ecdsa-p256": the algorithm of a held key pair."""
        p11 = _p11()
        priv = self._held(key_id, p11.ObjectClass.PRIVATE_KEY)
        return "ed25519" if priv[p11.Attribute.KEY_TYPE] == p11.KeyType.EC_EDWARDS else "ecdsa-p256"

    @_reads
    def sign_with_held_key(self, key_id: str, message: bytes) -> bytes:
        """Sign inside the token with a held key: Ed25519, or ECDSA P-256/SHA-256 (DER)."""
        p11 = _p11()
        priv = self._held(key_id, p11.ObjectClass.PRIVATE_KEY)
        if priv[p11.Attribute.KEY_TYPE] == p11.KeyType.EC_EDWARDS:
            with self._errors("signing with Ed25519"):
                return bytes(priv.sign(bytes(message), mechanism=p11.Mechanism.EDDSA))
        digest = hashlib.sha256(bytes(message)).digest()   # no CKM_ECDSA_SHA256 in SoftHSM2 2.6
        with self._errors("signing with ECDSA P-256"):
            raw = bytes(priv.sign(digest, mechanism=p11.Mechanism.ECDSA))
        return heldkeys.raw_ecdsa_to_der(raw)

    @_writes
    def delete_held_key(self, key_id: str) -> None:
        """Remove a held key pair from the token."""
        p11 = _p11()
        for cls in (p11.ObjectClass.PRIVATE_KEY, p11.ObjectClass.PUBLIC_KEY):
            with self._errors("deleting a held key"):
                self._held(key_id, cls).destroy()


def _ec_point(ec_point: bytes, algorithm: str) -> bytes:
    """Unwrap CKA_EC_POINT (a DER OCTET STRING) into SEC1 (P-256) or raw 32 bytes (Ed25519)."""
    size = 65 if algorithm == "ecdsa-p256" else 32
    if len(ec_point) == size + 2 and ec_point[0] == 0x04 and ec_point[1] == size:
        return ec_point[2:]
    if len(ec_point) == size:   # some tokens return the point without the DER wrapper
        return ec_point
    raise InvalidEncoding(f"unexpected CKA_EC_POINT of {len(ec_point)} bytes for {algorithm}")
