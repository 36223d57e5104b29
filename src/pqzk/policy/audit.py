"""Append-only, hash-chained, signed audit log in SQLite (WAL mode).

Record n stores hash_n = SHA-256("pqzk/audit/v1" ‖ n ‖ kind ‖ body ‖ hash_{n-1}) and an Ed25519
signature over hash_n by the log's key. A signed head (last seq and hash) is rewritten in the same
transaction as every append, so deleting the tail shows up as a head that points past the end.
A verifier that also remembers an earlier head (`head()`) detects a rollback of the whole file.

Crash safety comes from SQLite: each append is one transaction with synchronous=FULL; `BEGIN
IMMEDIATE` takes the write lock before reading the previous hash, so two writers cannot fork it.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import InvalidParameter, VerificationError
from .model import canonical_json

DOMAIN = b"pqzk/audit/v1"
GENESIS = bytes(32)
KINDS = ("request", "decision", "authorization", "policy_change", "note")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, body BLOB NOT NULL,
    prev_hash BLOB NOT NULL, hash BLOB NOT NULL, signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


def record_hash(seq: int, kind: str, body: bytes, prev_hash: bytes) -> bytes:
    return hashlib.sha256(DOMAIN + seq.to_bytes(8, "big") + len(kind).to_bytes(1, "big") + kind.encode()
                          + len(body).to_bytes(8, "big") + body + prev_hash).digest()


def _head_message(seq: int, h: bytes) -> bytes:
    return DOMAIN + b"/head" + seq.to_bytes(8, "big") + h


@dataclass(frozen=True)
class Record:
    seq: int
    kind: str
    body: dict
    hash: bytes


@dataclass(frozen=True)
class Head:
    seq: int
    hash: bytes


def _connect(path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(_SCHEMA)
    return conn


class AuditLog:
    """Writer side. The signing key stays in this object; its repr does not show it."""

    def __init__(self, path: str | Path, signing_key: Ed25519PrivateKey) -> None:
        self.path = Path(path)
        self._key = signing_key
        self._conn = _connect(self.path)
        pub = signing_key.public_key().public_bytes_raw()
        row = self._conn.execute("SELECT value FROM meta WHERE key='public_key'").fetchone()
        if row is None:
            self._conn.execute("INSERT OR IGNORE INTO meta VALUES ('public_key', ?)", (pub,))
        elif bytes(row[0]) != pub:
            raise InvalidParameter(f"audit log {self.path} belongs to another signing key")

    @property
    def public_key(self) -> bytes:
        return self._key.public_key().public_bytes_raw()

    def append(self, kind: str, body: dict) -> Record:
        if kind not in KINDS:
            raise InvalidParameter(f"unknown audit record kind {kind!r}")
        data = canonical_json(body)
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            row = c.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (row[0] + 1, bytes(row[1])) if row else (1, GENESIS)
            h = record_hash(seq, kind, data, prev)
            c.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", (seq, kind, data, prev, h, self._key.sign(h)))
            c.execute("INSERT OR REPLACE INTO meta VALUES ('head', ?)",
                      (seq.to_bytes(8, "big") + h + self._key.sign(_head_message(seq, h)),))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return Record(seq, kind, body, h)

    def head(self) -> Head:
        return read_head(self._conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "AuditLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r}, key=<redacted>)"


def read_head(conn: sqlite3.Connection) -> Head:
    row = conn.execute("SELECT value FROM meta WHERE key='head'").fetchone()
    if row is None:
        return Head(0, GENESIS)
    v = bytes(row[0])
    return Head(int.from_bytes(v[:8], "big"), v[8:40])


def records(path: str | Path) -> Iterator[Record]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for seq, kind, body, _prev, h, _sig in conn.execute("SELECT * FROM records ORDER BY seq"):
            yield Record(seq, kind, json.loads(body), bytes(h))
    finally:
        conn.close()


def verify_log(path: str | Path, public_key: bytes | None = None, expect_head: Head | None = None) -> Head:
    """Check the whole chain; raise VerificationError naming the first bad record.

    Without `public_key` the key stored in the log is trusted (it then only proves internal
    consistency); pass the writer's key from elsewhere to detect a log rewritten under a new key.
    """
    p = Path(path)
    if not p.exists():
        raise VerificationError(f"audit log {p} does not exist")
    try:
        conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        stored = conn.execute("SELECT value FROM meta WHERE key='public_key'").fetchone()
        head_row = conn.execute("SELECT value FROM meta WHERE key='head'").fetchone()
        rows = conn.execute("SELECT seq, kind, body, prev_hash, hash, signature FROM records ORDER BY seq").fetchall()
    except sqlite3.DatabaseError as exc:
        raise VerificationError(f"audit log {p} is not a readable pqzk audit database: {exc}") from None
    finally:
        conn.close()
    if stored is None:
        raise VerificationError("audit log has no public key")
    if public_key is not None and bytes(stored[0]) != public_key:
        raise VerificationError("audit log is signed by another key than the one expected")
    key = Ed25519PublicKey.from_public_bytes(public_key or bytes(stored[0]))
    prev, expected_seq = GENESIS, 1
    for seq, kind, body, prev_hash, h, sig in rows:
        if seq != expected_seq:
            what = "missing (deleted)" if seq > expected_seq else "out of order"
            raise VerificationError(f"audit record {expected_seq} is {what}")
        if not all(isinstance(v, bytes) for v in (body, prev_hash, h, sig)) or not isinstance(kind, str):
            raise VerificationError(f"audit record {seq}: content was modified (a column is not of its stored type)")
        if bytes(prev_hash) != prev:
            raise VerificationError(f"audit record {seq}: chain broken (previous hash does not match record {seq - 1})")
        if record_hash(seq, kind, bytes(body), prev) != bytes(h):
            raise VerificationError(f"audit record {seq}: content was modified (hash mismatch)")
        try:
            key.verify(bytes(sig), bytes(h))
        except InvalidSignature:
            raise VerificationError(f"audit record {seq}: signature does not verify") from None
        prev, expected_seq = bytes(h), seq + 1
    last = Head(expected_seq - 1, prev)
    if head_row is None:
        if last.seq:
            raise VerificationError("audit log has records but no signed head")
    else:
        v = bytes(head_row[0])
        head, head_sig = Head(int.from_bytes(v[:8], "big"), v[8:40]), v[40:]
        try:
            key.verify(head_sig, _head_message(head.seq, head.hash))
        except InvalidSignature:
            raise VerificationError("audit log head signature does not verify") from None
        if head.seq > last.seq:
            raise VerificationError(f"audit log truncated: head names record {head.seq}, the last present is {last.seq}")
        if head != last:
            raise VerificationError(f"audit log head (record {head.seq}) does not match the chain's end "
                                    f"(record {last.seq})")
    if expect_head is not None:
        if last.seq < expect_head.seq:
            raise VerificationError(f"audit log rolled back: expected at least record {expect_head.seq}, "
                                    f"found {last.seq}")
        if expect_head.seq and bytes(rows[expect_head.seq - 1][4]) != expect_head.hash:
            raise VerificationError(f"audit record {expect_head.seq} differs from the remembered head")
    return last
