"""What the audit log stores and signs: record hashes, signed heads, the writer's head file, and
the one error for a log that fails a check.

Record n: `hash_n = SHA-256("pqzk/audit/v1" ‖ u64 n ‖ u8 |kind| ‖ kind ‖ u64 |body| ‖ body ‖ hash_{n-1})`
(hash_0 = 32 zero bytes), Ed25519-signed by the log's key. The database's signed head signs
`"pqzk/audit/v1/head" ‖ u64 seq ‖ hash`. The head file (format below) is the writer's own copy of
its last head, kept outside the database so that a rollback of the database is caught.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..encoding import ByteReader, ByteWriter
from ..errors import InvalidEncoding, InvalidParameter, VerificationError

DOMAIN = b"pqzk/audit/v1"
GENESIS = bytes(32)
KINDS = ("request", "decision", "authorization", "policy_change", "note")
# database format: 1 = written before head files (no 'format' or 'log_id' in meta); 2 = current
FORMAT = 2
LOG_ID_SIZE = 16
PUBLIC_KEY_SIZE, HASH_SIZE, SIGNATURE_SIZE = 32, 32, 64

# records bodies nest at most this deep: deeper JSON could exhaust the C stack when parsed (py_ecc,
# imported by the kit, raises Python's recursion limit to 100 000 at import)
MAX_BODY_DEPTH = 100

HEAD_FILE_MAGIC = b"PQZKHEAD"
HEAD_FILE_VERSION = 1
HEAD_FILE_SUFFIX = ".head"


class AuditLogError(VerificationError):
    """The audit log (its database or its head file) fails a check: tampered, damaged, truncated,
    rolled back, or not an audit log. `path` is the file, `seq` the first bad or missing record
    (None when no single record is to blame)."""

    def __init__(self, path: str | Path, message: str, seq: int | None = None, *, what: str = "audit log") -> None:
        self.path = Path(path)
        self.seq = seq
        where = f"record {seq}: " if seq is not None and not message.startswith("record ") else ""
        super().__init__(f"{what} {self.path}: {where}{message}")


def head_file_error(path: Path, message: str) -> AuditLogError:
    """An `AuditLogError` about the audit head file."""
    return AuditLogError(path, message, what="audit head file")


@dataclass(frozen=True)
class Head:
    """A point of the chain: the last record's seq and hash (seq 0 and GENESIS for an empty log)."""
    seq: int
    hash: bytes


GENESIS_HEAD = Head(0, GENESIS)


@dataclass(frozen=True)
class Record:
    seq: int
    kind: str
    body: dict
    hash: bytes


def record_hash(seq: int, kind: str, body: bytes, prev_hash: bytes) -> bytes:
    """The hash chaining one record to the previous: SHA-256 over the domain, sequence number, kind, body and
    previous hash, each length-framed."""
    return hashlib.sha256(ByteWriter("audit record").put(DOMAIN).uint(seq, 8).lp(kind.encode(), 1).lp(body, 8)
                          .put(prev_hash).to_bytes()).digest()


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def nests_too_deep(text: str) -> bool:
    """True if arrays and objects in a JSON text nest deeper than MAX_BODY_DEPTH (brackets inside
    strings do not count); found without parsing it."""
    if text.count("[") + text.count("{") <= MAX_BODY_DEPTH:
        return False
    depth = 0
    for m in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if m.group() in "[{" else -1
        if depth > MAX_BODY_DEPTH:
            return True
    return False


def head_message(seq: int, h: bytes) -> bytes:
    """What the database's signed head signs."""
    return DOMAIN + b"/head" + seq.to_bytes(8, "big") + h


def check_head(head: object, what: str = "expect_head") -> Head:
    """A caller-supplied Head, type-checked (InvalidParameter otherwise)."""
    if (not isinstance(head, Head) or not isinstance(head.seq, int) or isinstance(head.seq, bool)
            or not 0 <= head.seq < 2**63 or not isinstance(head.hash, (bytes, bytearray, memoryview))
            or len(head.hash) != HASH_SIZE):
        raise InvalidParameter(f"{what} must be a Head(seq, hash) with 0 <= seq < 2^63 and a 32-byte hash")
    return Head(head.seq, bytes(head.hash))


def public_key_arg(public_key: object, what: str = "public_key") -> bytes:
    """A caller-supplied raw Ed25519 public key (bytes-like, 32 bytes), or InvalidParameter."""
    if not isinstance(public_key, (bytes, bytearray, memoryview)):
        raise InvalidParameter(f"{what} must be the 32-byte raw Ed25519 key, got {type(public_key).__name__}")
    raw = bytes(public_key)
    if len(raw) != PUBLIC_KEY_SIZE:
        raise InvalidParameter(f"{what} must be 32 bytes (raw Ed25519), got {len(raw)}")
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise InvalidParameter(f"{what} is not an Ed25519 public key") from None
    return raw


def verifies(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether an Ed25519 signature verifies (a boolean for the log checker, which reports rather than
    raises)."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def default_head_file(db: str | Path) -> Path:
    """Where the writer keeps its head file: beside the database, `<db>.head`."""
    db = Path(db)
    if not db.name:
        raise InvalidParameter(f"audit log path {str(db)!r} names no file")
    return db.with_name(db.name + HEAD_FILE_SUFFIX)


@dataclass(frozen=True)
class HeadFile:
    """The writer's last head, bound to its key and to one log (its random log id) by a signature.

    `"PQZKHEAD" ‖ u8 version ‖ public key (32) ‖ log id (16) ‖ u64 seq ‖ hash (32) ‖ signature (64)`,
    the signature over `DOMAIN ‖ "/head-file" ‖` every field before it.
    """
    public_key: bytes
    log_id: bytes
    head: Head
    signature: bytes

    SIZE = len(HEAD_FILE_MAGIC) + 1 + PUBLIC_KEY_SIZE + LOG_ID_SIZE + 8 + HASH_SIZE + SIGNATURE_SIZE

    @staticmethod
    def _message(public_key: bytes, log_id: bytes, head: Head) -> bytes:
        return (DOMAIN + b"/head-file" + bytes([HEAD_FILE_VERSION]) + public_key + log_id
                + head.seq.to_bytes(8, "big") + head.hash)

    @classmethod
    def sign(cls, key: Ed25519PrivateKey, log_id: bytes, head: Head) -> "HeadFile":
        """A head file for `head`, signed by the log's key."""
        pub = key.public_key().public_bytes_raw()
        return cls(pub, log_id, head, key.sign(cls._message(pub, log_id, head)))

    def to_bytes(self) -> bytes:
        """The head file's binary form (magic, version, public key, log id, head, signature)."""
        return (HEAD_FILE_MAGIC + bytes([HEAD_FILE_VERSION]) + self.public_key + self.log_id
                + self.head.seq.to_bytes(8, "big") + self.head.hash + self.signature)

    @classmethod
    def from_bytes(cls, data: bytes) -> "HeadFile":
        """A head file from its binary form, strictly checked; `InvalidEncoding` naming what is wrong."""
        r = ByteReader(data, "audit head file")
        r.expect(HEAD_FILE_MAGIC, "bad magic (not a pqzk head file)")
        version = r.uint(1)
        if version != HEAD_FILE_VERSION:
            raise InvalidEncoding(f"audit head file: unsupported version {version}")
        pub, log_id, seq, h, sig = (r.take(PUBLIC_KEY_SIZE), r.take(LOG_ID_SIZE), r.uint(8),
                                    r.take(HASH_SIZE), r.take(SIGNATURE_SIZE))
        r.end()
        return cls(pub, log_id, Head(seq, h), sig)

    def check(self, path: Path, public_key: bytes, log_id: bytes | None) -> Head:
        """The head, if this file was signed by `public_key` for the log `log_id`; else AuditLogError."""
        if self.public_key != public_key:
            raise head_file_error(path, "signed by another key than the log's")
        if not verifies(public_key, self.signature, self._message(self.public_key, self.log_id, self.head)):
            raise head_file_error(path, "signature does not verify")
        if self.log_id != log_id:
            raise head_file_error(path, "belongs to another log (its log id differs from the database's): "
                                        "the database was replaced or re-created")
        return self.head


def parse_head_file(path: Path, data: bytes, public_key: bytes, log_id: bytes | None) -> Head:
    """Decode and check head-file bytes read from `path`; every fault is an AuditLogError naming it."""
    try:
        hf = HeadFile.from_bytes(data)
    except InvalidEncoding as exc:
        raise head_file_error(path, f"damaged ({exc})") from None
    return hf.check(path, public_key, log_id)


def read_head_file_bytes(path: Path) -> bytes | None:
    """The head file's bytes, or None when there is none; unreadable → AuditLogError."""
    try:
        with open(path, "rb") as f:
            return f.read(HeadFile.SIZE + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise head_file_error(path, f"cannot be read ({exc.strerror or exc})") from None
