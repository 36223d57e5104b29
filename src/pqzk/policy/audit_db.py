"""The audit log's SQLite database: opening it (writer, or a read-only snapshot), reading its meta
and records with their stored types checked, walking the hash chain, and turning every SQLite
failure into a `pqzk.errors` exception that names the file (and the record being read).

Tables: `records(seq INTEGER PRIMARY KEY, kind TEXT, body BLOB, prev_hash BLOB, hash BLOB,
signature BLOB)` and `meta(key TEXT PRIMARY KEY, value BLOB)` with `public_key` (32 bytes), `head`
(u64 seq ‖ hash ‖ signature), and since format 2 `format` (integer) and `log_id` (16 bytes).
"""
from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidParameter, PqzkError
from .audit_format import (
    FORMAT, GENESIS_HEAD, HASH_SIZE, KINDS, LOG_ID_SIZE, PUBLIC_KEY_SIZE, SIGNATURE_SIZE, AuditLogError, Head,
    head_message, record_hash, verifies,
)

TABLES = ("records", "meta")
CREATE = (
    "CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, body BLOB NOT NULL, "
    "prev_hash BLOB NOT NULL, hash BLOB NOT NULL, signature BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
)
RECORD_COLUMNS = ("seq, kind, body, prev_hash, hash, signature, typeof(seq) || typeof(kind) || typeof(body) "
                  "|| typeof(prev_hash) || typeof(hash) || typeof(signature)")
_RECORD_TYPES = b"integertextblobblobblobblob"
BUSY_TIMEOUT = 30.0
# SQLite result codes that mean "this file is not (or no longer) a sound audit database"
_INTEGRITY_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_ERROR", "SQLITE_FORMAT", "SQLITE_MISMATCH",
                    "SQLITE_SCHEMA", "SQLITE_CONSTRAINT", "SQLITE_RANGE", "SQLITE_TOOBIG")


def sqlite_failure(path: Path, exc: sqlite3.Error, seq: int | None = None, *,
                   environment: type[PqzkError] = InvalidParameter) -> PqzkError:
    """The pqzk exception for a SQLite failure on `path`: damaged content → AuditLogError (naming
    the record being read, if any); the file or system refusing (cannot open, read-only, disk
    full, I/O error, locked) → `environment`."""
    name = getattr(exc, "sqlite_errorname", None) or ""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError)):   # e.g. used after close()
        return InvalidParameter(f"audit log {path}: {detail}")
    if any(name.startswith(code) for code in _INTEGRITY_CODES) or (not name and isinstance(exc, sqlite3.DatabaseError)):
        what = "is damaged" if seq is not None else "is not a readable pqzk audit database"
        return AuditLogError(path, f"{what} ({detail})", seq)
    return _refuse(path, environment, f"cannot be used ({detail})")


def _refuse(path: Path, error: type[PqzkError], message: str) -> PqzkError:
    return AuditLogError(path, message) if error is AuditLogError else error(f"audit log {path}: {message}")


class Position:
    """Tracks which record is being read, so a SQLite error mid-way names it."""

    def __init__(self) -> None:
        self.seq: int | None = None


@contextmanager
def sqlite_errors(path: Path, *, environment: type[PqzkError] = InvalidParameter) -> Iterator[Position]:
    """Turn SQLite and decoding errors inside the block into an `AuditLogError` naming the file (and the
    record being read), never a traceback."""
    where = Position()
    try:
        yield where
    except sqlite3.Error as exc:
        raise sqlite_failure(path, exc, where.seq, environment=environment) from None
    except (MemoryError, OverflowError, UnicodeDecodeError) as exc:
        # absurd sizes or integers, or a schema whose names are no longer UTF-8, in a damaged file
        raise AuditLogError(path, f"is damaged ({type(exc).__name__})", where.seq) from None


def check_path(path: Path, error: type[PqzkError], *, may_be_missing: bool = False) -> bool:
    """True if `path` is a regular file, False if it is missing and may be; otherwise `error`
    (a directory, a missing file that must exist, a path that cannot be examined)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if may_be_missing:
            return False
        raise _refuse(path, error, "does not exist") from None
    except OSError as exc:
        raise _refuse(path, error, f"cannot be opened ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(path, error, "is a directory, not an audit log")
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(path, error, "is not a regular file")
    return True


def connect_writer(path: Path) -> sqlite3.Connection:
    """Open (creating if missing) for writing: WAL, synchronous=FULL, explicit transactions."""
    if not check_path(path, InvalidParameter, may_be_missing=True) and not path.parent.is_dir():
        raise InvalidParameter(f"audit log {path}: cannot be created (directory {path.parent} does not exist)")
    with sqlite_errors(path):
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            conn.text_factory = bytes
            _set_wal(conn)
            conn.execute("PRAGMA synchronous=FULL")
        except BaseException:
            conn.close()
            raise
    return conn


def _set_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL mode. While another process switches the same new file, SQLite answers BUSY
    at once (the busy handler is not used for this lock): retry until BUSY_TIMEOUT."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not (getattr(exc, "sqlite_errorname", "") or "").startswith("SQLITE_BUSY") \
                    or time.monotonic() > deadline:
                raise
            time.sleep(0.002)


@contextmanager
def read_snapshot(path: Path, *, missing: type[PqzkError]) -> Iterator[tuple[sqlite3.Connection, Position]]:
    """A read-only connection inside one read transaction: everything read in the block comes
    from one snapshot, even while a writer appends. SQLite errors become pqzk exceptions."""
    check_path(path, missing)
    uri = path.resolve().as_uri() + "?mode=ro"
    environment = AuditLogError if missing is AuditLogError else InvalidParameter
    with sqlite_errors(path, environment=environment) as where:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            conn.text_factory = bytes
            conn.execute("BEGIN")
            yield conn, where
        finally:
            conn.close()


@dataclass(frozen=True)
class Meta:
    public_key: bytes | None
    head: Head | None
    head_signature: bytes
    format: int
    log_id: bytes | None


def read_meta(conn: sqlite3.Connection, path: Path) -> Meta:
    """The meta table with every value's type and size checked (AuditLogError otherwise)."""
    values: dict[bytes, tuple[object, bytes]] = {}
    for key, value, kind in conn.execute("SELECT key, value, typeof(value) FROM meta"):   # a table scan
        name = key if isinstance(key, bytes) else str(key).encode()
        if name in values:
            raise AuditLogError(path, f"is damaged (two meta rows named {name.decode(errors='replace')[:40]!r}: "
                                      "its index no longer matches its table)")
        values[name] = (value, kind)

    def blob(name: str, size: int | None) -> bytes | None:
        if name.encode() not in values:
            return None
        value, kind = values[name.encode()]
        if kind != b"blob" or (size is not None and len(value) != size):
            raise AuditLogError(path, f"stored {name} is malformed (a {kind.decode(errors='replace')} "
                                      f"of {len(value) if isinstance(value, bytes) else '?'} bytes)")
        return bytes(value)

    pub = blob("public_key", PUBLIC_KEY_SIZE)
    raw_head = blob("head", 8 + HASH_SIZE + SIGNATURE_SIZE)
    log_id = blob("log_id", LOG_ID_SIZE)
    fmt = 1
    if b"format" in values:
        value, kind = values[b"format"]
        if kind != b"integer":
            raise AuditLogError(path, "stored format is malformed")
        fmt = value
    if fmt > FORMAT:
        raise AuditLogError(path, f"format {fmt} is newer than this pqzk reads (1 to {FORMAT}); upgrade pqzk")
    if fmt < 1:
        raise AuditLogError(path, f"stored format {fmt} is invalid")
    if fmt >= 2 and log_id is None:
        raise AuditLogError(path, f"is damaged (a format {fmt} log without its log id)")
    if fmt == 1 and log_id is not None:
        raise AuditLogError(path, "is damaged (a log id but no format: only format 2 logs have a log id)")
    head = None if raw_head is None else Head(int.from_bytes(raw_head[:8], "big"), raw_head[8:40])
    return Meta(pub, head, b"" if raw_head is None else raw_head[40:], fmt, log_id)


def signed_head(meta: Meta, path: Path) -> Head:
    """The database's signed head (GENESIS_HEAD if none yet), its signature checked."""
    if meta.public_key is None:
        raise AuditLogError(path, "has no public key (not a pqzk audit log, or damaged)")
    if meta.head is None:
        return GENESIS_HEAD
    if not verifies(meta.public_key, meta.head_signature, head_message(meta.head.seq, meta.head.hash)):
        raise AuditLogError(path, "signed head's signature does not verify")
    return meta.head


@dataclass(frozen=True)
class Row:
    seq: int
    kind: str
    body: bytes
    prev_hash: bytes
    hash: bytes
    signature: bytes


def typed_row(path: Path, raw: tuple) -> Row:
    """A records row with its stored types and sizes checked; a changed type or an undecodable
    kind is named as a modification of that record."""
    seq, kind, body, prev_hash, h, sig, types = raw
    if types != _RECORD_TYPES:
        raise AuditLogError(path, "content was modified (a column is not of its stored type)",
                            seq if isinstance(seq, int) else None)
    try:
        kind_s = kind.decode("utf-8")
    except UnicodeDecodeError:
        raise AuditLogError(path, "content was modified (kind is not UTF-8)", seq) from None
    if kind_s not in KINDS:
        raise AuditLogError(path, f"content was modified (unknown kind {kind_s[:40]!r})", seq)
    if len(prev_hash) != HASH_SIZE or len(h) != HASH_SIZE or len(sig) != SIGNATURE_SIZE:
        raise AuditLogError(path, "content was modified (a hash or signature has the wrong length)", seq)
    return Row(seq, kind_s, bytes(body), bytes(prev_hash), bytes(h), bytes(sig))


def rows(conn: sqlite3.Connection, path: Path, where: Position, after: int = 0) -> Iterator[Row]:
    """Records with seq > `after`, in order; `where.seq` follows the record being read."""
    where.seq = after + 1
    for raw in conn.execute(f"SELECT {RECORD_COLUMNS} FROM records WHERE seq > ? ORDER BY seq", (after,)):
        row = typed_row(path, raw)
        where.seq = row.seq + 1
        yield row


def walk(path: Path, records: Iterable[Row], public_key: bytes, start: Head = GENESIS_HEAD,
         marks: Iterable[int] = ()) -> tuple[Head, dict[int, bytes]]:
    """Check the chain from `start` on: consecutive seqs, links, hashes, signatures. Returns the
    end of the chain and the hashes at the `marks` seqs passed on the way (the first fault raises
    AuditLogError naming its record)."""
    want = set(marks)
    seen = {start.seq: start.hash} if start.seq in want else {}
    prev, expected = start.hash, start.seq + 1
    for r in records:
        if r.seq != expected:
            raise AuditLogError(path, f"record {expected} is "
                                      f"{'missing (deleted)' if r.seq > expected else 'out of order'}", expected)
        if r.prev_hash != prev:
            raise AuditLogError(path, f"chain broken (previous hash does not match record {r.seq - 1})", r.seq)
        if record_hash(r.seq, r.kind, r.body, prev) != r.hash:
            raise AuditLogError(path, "content was modified (hash mismatch)", r.seq)
        if not verifies(public_key, r.signature, r.hash):
            raise AuditLogError(path, "signature does not verify", r.seq)
        if r.seq in want:
            seen[r.seq] = r.hash
        prev, expected = r.hash, r.seq + 1
    return Head(expected - 1, prev), seen


def last_row(conn: sqlite3.Connection, path: Path) -> Row | None:
    """The newest record of the log, or None when it is empty."""
    raw = conn.execute(f"SELECT {RECORD_COLUMNS} FROM records ORDER BY seq DESC LIMIT 1").fetchone()
    return None if raw is None else typed_row(path, raw)


def hash_at(conn: sqlite3.Connection, path: Path, seq: int) -> bytes | None:
    """The hash of record `seq` (the genesis hash for 0), or None when there is no such record."""
    if seq == 0:
        return GENESIS_HEAD.hash
    raw = conn.execute(f"SELECT {RECORD_COLUMNS} FROM records WHERE seq = ?", (seq,)).fetchone()
    return None if raw is None else typed_row(path, raw).hash


def other_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables in the database that an audit log does not have (a sign it is not one, or was tampered with)."""
    names = [bytes(n).decode(errors="replace") for (n,) in
             conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [n for n in names if n not in TABLES]
