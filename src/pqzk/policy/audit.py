"""Append-only, hash-chained, signed audit log in SQLite (WAL mode), with a head file the writer
keeps beside it so that no rollback goes unnoticed.

Record n stores hash_n = SHA-256("pqzk/audit/v1" ‖ n ‖ kind ‖ body ‖ hash_{n-1}) and an Ed25519
signature over hash_n by the log's key (formats in `audit_format`). A signed head (last seq and
hash) is rewritten in the same transaction as every append, so deleting the tail shows up as a head
that points past the end.

Rollback: the writer also keeps its last head in a signed head file (`<db>.head`), written
atomically after each commit, and in memory. Before every append (and on open) it checks, under
the database's write lock, that the stored chain still reaches that head and continues from it;
if records are missing — deleted, or the whole file replaced by an older copy — it refuses with
an `AuditLogError` naming the first missing record, instead of signing a new head over the
shortened chain. `verify_log` takes the head file as an anchor too, and a remembered `Head`.

Crash safety comes from SQLite: each append is one transaction with synchronous=FULL; `BEGIN
IMMEDIATE` takes the write lock before reading the previous hash, so two writers cannot fork it.
The head file is written after the commit (it never names a record that is not durable), under
the write lock, and only forward.
"""
from __future__ import annotations

import glob
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..atomicfile import TMP_PREFIX, atomic_write
from ..errors import InvalidParameter
from . import audit_db as db
from .audit_format import (
    DOMAIN, FORMAT, GENESIS, GENESIS_HEAD, KINDS, LOG_ID_SIZE, MAX_BODY_DEPTH, AuditLogError, Head, HeadFile,
    Record, check_head, default_head_file, head_file_error, head_message, nests_too_deep, parse_head_file,
    public_key_arg, read_head_file_bytes, record_hash,
)
from .model import canonical_json

_head_message = head_message      # the name benchmarks/bench_policy.py builds logs with

__all__ = ["AuditLog", "AuditLogError", "Head", "Record", "records", "verify_log", "record_hash",
           "default_head_file", "DOMAIN", "GENESIS", "KINDS", "FORMAT", "canonical_json"]


class AuditLog:
    """Writer side. The signing key stays in this object; its repr does not show it.

    Opening creates the log if the file is missing or empty (in one transaction: of two processes
    creating it at once with different keys, the second gets InvalidParameter), then checks the
    stored chain against the head file `head_file` (default `<path>.head`).

    A non-empty log without its head file is refused (the writer cannot tell whether records were
    removed) unless `adopt_head=True`: then the whole chain is verified and its current end becomes
    the head file. Use it once, for a log written before head files existed (format 1) or moved
    without its head file, and only for a copy you trust. (It changes nothing when the head file
    exists: a damaged or foreign head file is refused, never overwritten.)

    Errors: AuditLogError (a VerificationError) when the log or head file fails a check;
    InvalidParameter for a wrong key, kind or body, another writer's log, or a path that cannot be
    used (directory, missing parent, read-only, disk full).
    """

    def __init__(self, path: str | Path, signing_key: Ed25519PrivateKey, *,
                 head_file: str | Path | None = None, adopt_head: bool = False) -> None:
        if not isinstance(signing_key, Ed25519PrivateKey):
            raise InvalidParameter("the audit log's signing key must be an Ed25519PrivateKey, "
                                   f"got {type(signing_key).__name__}")
        self.path = Path(path)
        self.head_file = Path(head_file) if head_file is not None else default_head_file(self.path)
        self._key = signing_key
        self._pub = signing_key.public_key().public_bytes_raw()
        self._log_id: bytes | None = None
        self._last: Head | None = None           # the last head this writer checked or wrote
        # bytes already checked under this key and log id: not verified again on every append
        self._known_head_file: tuple[bytes, Head] | None = None
        self._known_signed_head: tuple[Head, bytes] | None = None
        self._conn = db.connect_writer(self.path)
        try:
            with self._transaction() as c:
                self._create_or_open(c)
                head = self._check_chain(c, adopt=adopt_head)
            self._advance_head_file(head, clean=True)
        except BaseException:
            self._conn.close()
            raise

    @property
    def public_key(self) -> bytes:
        """The Ed25519 public key that signs this log's head."""
        return self._pub

    def append(self, kind: str, body: dict) -> Record:
        """Append one record; refuses (AuditLogError naming the first missing record) if the stored
        chain no longer reaches this writer's last head."""
        if kind not in KINDS:
            raise InvalidParameter(f"unknown audit record kind {kind!r}")
        if not isinstance(body, dict):
            raise InvalidParameter(f"an audit record body is a JSON object (dict), got {type(body).__name__}")
        try:
            data = canonical_json(body)
        except (TypeError, ValueError, RecursionError) as exc:
            raise InvalidParameter(f"audit record body is not JSON-serializable: {exc}") from None
        if nests_too_deep(data.decode()):
            raise InvalidParameter(f"audit record body nests deeper than {MAX_BODY_DEPTH} levels")
        with self._transaction() as c:
            head = self._check_chain(c)
            seq, prev = head.seq + 1, head.hash
            h = record_hash(seq, kind, data, prev)
            c.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", (seq, kind, data, prev, h, self._key.sign(h)))
            head_sig = self._key.sign(head_message(seq, h))
            c.execute("INSERT OR REPLACE INTO meta VALUES ('head', ?)", (seq.to_bytes(8, "big") + h + head_sig,))
            self._read_back(c, Head(seq, h), head_sig)
        self._known_signed_head = (Head(seq, h), head_sig)
        self._advance_head_file(Head(seq, h))
        return Record(seq, kind, body, h)

    def head(self) -> Head:
        """The log's current head, checked against this writer's anchors (remember it to detect a
        rollback later: `verify_log(..., expect_head=head)`)."""
        with self._transaction() as c:
            head = self._check_chain(c)
        self._advance_head_file(head)
        return head

    def close(self) -> None:
        """Close the log's database."""
        self._conn.close()

    def __enter__(self) -> "AuditLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r}, key=<redacted>)"

    # -- internals -------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE (the write lock) … COMMIT; rolled back on any error."""
        c = self._conn
        with db.sqlite_errors(self.path):
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
                c.execute("COMMIT")
            except BaseException:
                if c.in_transaction:
                    try:
                        c.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise

    def _create_or_open(self, c: sqlite3.Connection) -> None:
        """Create the tables and meta of a new log, or check an existing log's key and format."""
        strangers = db.other_tables(c)
        if strangers:
            raise AuditLogError(self.path, "is an SQLite database but not a pqzk audit log (tables: "
                                           f"{', '.join(sorted(strangers))[:200]})")
        for stmt in db.CREATE:
            c.execute(stmt)
        meta = db.read_meta(c, self.path)
        if meta.public_key is None:
            if meta.head is not None or db.last_row(c, self.path) is not None:
                raise AuditLogError(self.path, "has records but no public key (damaged)")
            self._log_id = os.urandom(LOG_ID_SIZE)
            c.executemany("INSERT INTO meta VALUES (?, ?)",
                          [("public_key", self._pub), ("log_id", self._log_id), ("format", FORMAT)])
            return
        if meta.public_key != self._pub:
            raise InvalidParameter(f"audit log {self.path} belongs to another signing key "
                                   f"({meta.public_key.hex()[:16]}…, not {self._pub.hex()[:16]}…)")
        self._log_id = meta.log_id

    def _read_anchor(self) -> Head | None:
        data = read_head_file_bytes(self.head_file)
        if data is None:
            return None
        if self._known_head_file is not None and self._known_head_file[0] == data:
            return self._known_head_file[1]
        head = parse_head_file(self.head_file, data, self._pub, self._log_id)
        self._known_head_file = (data, head)
        return head

    def _signed_head(self, meta: db.Meta) -> Head:
        if meta.head is not None and self._known_signed_head == (meta.head, meta.head_signature):
            return meta.head
        head = db.signed_head(meta, self.path)
        self._known_signed_head = (head, meta.head_signature)
        return head

    def _check_chain(self, c: sqlite3.Connection, adopt: bool = False) -> Head:
        """Under the write lock: the database's signed head, after checking that the chain ends
        there and reaches every anchor (head file, this writer's memory) and continues from it."""
        meta = db.read_meta(c, self.path)
        if meta.public_key != self._pub:
            raise AuditLogError(self.path, "public key was changed since the log was opened")
        if meta.log_id != self._log_id:
            raise AuditLogError(self.path, "log id was changed since the log was opened (database replaced)")
        head = self._stored_head(c, meta)
        self._check_anchors(c, head, adopt)
        if meta.format < FORMAT:
            self._upgrade(c)
        return head

    def _stored_head(self, c: sqlite3.Connection, meta: db.Meta) -> Head:
        """The signed head, which must name the last record (else the tail was cut, or the head
        replaced)."""
        head = self._signed_head(meta)
        last = db.last_row(c, self.path)
        last_seq = last.seq if last else 0
        if head.seq > last_seq:
            raise AuditLogError(self.path, f"record {last_seq + 1} is missing: the signed head names record "
                                           f"{head.seq}, the last present is {last_seq} (truncated); "
                                           "refusing to append", last_seq + 1)
        if head.seq < last_seq or (last is not None and last.hash != head.hash):
            raise AuditLogError(self.path, f"signed head (record {head.seq}) does not match the chain's end "
                                           f"(record {last_seq}); refusing to append",
                                head.seq + 1 if head.seq < last_seq else last_seq)
        return head

    def _check_anchors(self, c: sqlite3.Connection, head: Head, adopt: bool) -> None:
        """The chain reaches each anchor with its hash, and verifies from the earliest one to `head`."""
        anchors = {"the head file " + str(self.head_file): self._read_anchor()}
        if self._last is not None:
            anchors["this writer's last head"] = self._last
        present = {name: a for name, a in anchors.items() if a is not None}
        if not present and head.seq > 0:
            if not adopt:
                raise AuditLogError(self.path, f"has {head.seq} records but no head file ({self.head_file}): "
                                               "records could have been removed unnoticed; if this copy is "
                                               "trusted, open it once with adopt_head=True (it is verified "
                                               "in full, then its head is kept)")
            present = {"adoption": GENESIS_HEAD}
        for name, anchor in present.items():
            if anchor.seq > head.seq:
                raise AuditLogError(self.path, f"record {head.seq + 1} is missing: the log ends at record "
                                               f"{head.seq}, but {name} names record {anchor.seq} (truncated, "
                                               "or rolled back to an older copy); refusing to append",
                                    head.seq + 1)
            if db.hash_at(c, self.path, anchor.seq) != anchor.hash:
                raise AuditLogError(self.path, f"record {anchor.seq} differs from the one {name} names "
                                               "(the database was replaced); refusing to append", anchor.seq)
        start = min(present.values(), key=lambda a: a.seq, default=GENESIS_HEAD)
        with db.sqlite_errors(self.path) as where:
            end, _ = db.walk(self.path, db.rows(c, self.path, where, start.seq), self._pub, start)
        if end != head:
            raise AuditLogError(self.path, f"chain ends at record {end.seq}, not at the signed head "
                                           f"(record {head.seq})", end.seq + 1)

    def _upgrade(self, c: sqlite3.Connection) -> None:
        """A format-1 log, verified (adopted, or empty): give it a log id and the current format."""
        log_id = os.urandom(LOG_ID_SIZE)
        c.executemany("INSERT INTO meta VALUES (?, ?)", [("log_id", log_id), ("format", FORMAT)])
        upgraded = db.read_meta(c, self.path)
        if (upgraded.log_id, upgraded.format) != (log_id, FORMAT):
            raise AuditLogError(self.path, "is damaged (its meta table did not read back as written)")
        self._log_id = log_id

    def _read_back(self, c: sqlite3.Connection, head: Head, head_sig: bytes) -> None:
        """Before COMMIT: what the verifier will read (by table scans) is what was just written.
        A damaged index can make a write land beside the row it should replace; then refuse."""
        meta, last = db.read_meta(c, self.path), db.last_row(c, self.path)
        if (meta.head, meta.head_signature) != (head, head_sig) or last is None or Head(last.seq, last.hash) != head:
            raise AuditLogError(self.path, "is damaged (record or signed head did not read back as written); "
                                           "refusing to append", head.seq)

    def _advance_head_file(self, head: Head, clean: bool = False) -> None:
        """After a commit: under the write lock, move the head file forward to `head` (never back:
        another writer may have written a later one). With `clean`, first remove temp files a
        writer killed mid-write left (no writer is writing one while we hold the lock)."""
        with self._transaction():
            if clean:
                pattern = glob.escape(f"{TMP_PREFIX}{self.head_file.name}.") + "*"
                for stale in self.head_file.parent.glob(pattern):
                    stale.unlink(missing_ok=True)
            current = self._read_anchor()
            if current is None or current.seq < head.seq:
                data = HeadFile.sign(self._key, self._log_id, head).to_bytes()
                try:
                    atomic_write(self.head_file, data, 0o644)
                    self._known_head_file = (data, head)
                except OSError as exc:
                    done = f"record {head.seq} is committed" if head.seq else "the log is open"
                    raise InvalidParameter(f"audit log {self.path}: {done}, but its head file {self.head_file} "
                                           f"cannot be written ({exc.strerror or exc})") from None
        if self._last is None or self._last.seq < head.seq:
            self._last = head


def records(path: str | Path) -> Iterator[Record]:
    """The records in order, from one read snapshot, without verifying them (use verify_log).

    A missing or unusable path → InvalidParameter; a damaged record or file → AuditLogError
    naming the file and the record."""
    p = Path(path)
    with db.read_snapshot(p, missing=InvalidParameter) as (conn, where):
        db.read_meta(conn, p)
        for row in db.rows(conn, p, where):
            try:
                text = row.body.decode("utf-8")
                if nests_too_deep(text):
                    raise AuditLogError(p, f"body nests deeper than {MAX_BODY_DEPTH} levels", row.seq)
                body = json.loads(text)
            except (ValueError, RecursionError):
                raise AuditLogError(p, "body is not valid JSON", row.seq) from None
            if not isinstance(body, dict):
                raise AuditLogError(p, "body is not a JSON object", row.seq)
            yield Record(row.seq, row.kind, body, row.hash)


def verify_log(path: str | Path, public_key: bytes | None = None, expect_head: Head | None = None,
               head_file: str | Path | None = None) -> Head:
    """Check the whole chain and return its head; raise AuditLogError (a VerificationError) naming
    the file and the first bad record.

    Without `public_key` the key stored in the log is trusted (it then only proves internal
    consistency); pass the writer's key from elsewhere to detect a log rewritten under a new key.
    Anchors against rollback: `expect_head`, a head remembered earlier, and the writer's head file
    (`head_file`; by default `<path>.head` is used when it exists). The chain must reach each
    anchor with the same hash there. Everything is read in one snapshot, so a writer appending
    meanwhile cannot cause a false failure.
    """
    p = Path(path)
    pin = None if public_key is None else public_key_arg(public_key)
    remembered = None if expect_head is None else check_head(expect_head)
    db.check_path(p, AuditLogError)
    anchor_path = Path(head_file) if head_file is not None else default_head_file(p)
    # the head file first, then the snapshot: the writer moves it only after the records it names
    # are committed, so it cannot be ahead of a snapshot taken later
    anchor_bytes = read_head_file_bytes(anchor_path)
    if head_file is not None and anchor_bytes is None:
        raise head_file_error(anchor_path, "does not exist")
    with db.read_snapshot(p, missing=AuditLogError) as (conn, where):
        meta = db.read_meta(conn, p)
        if meta.public_key is None:
            raise AuditLogError(p, "has no public key (not a pqzk audit log, or damaged)")
        if pin is not None and meta.public_key != pin:
            raise AuditLogError(p, "is signed by another key than the one expected")
        key = meta.public_key
        anchors: dict[str, Head] = {}
        if remembered is not None:
            anchors["the remembered head"] = remembered
        if anchor_bytes is not None:
            anchors[f"the head file {anchor_path}"] = parse_head_file(anchor_path, anchor_bytes, key, meta.log_id)
        last, seen = db.walk(p, db.rows(conn, p, where), key, GENESIS_HEAD, [a.seq for a in anchors.values()])
    head = db.signed_head(meta, p) if meta.head is not None else None
    if head is None:
        if last.seq:
            raise AuditLogError(p, "has records but no signed head")
    elif head.seq > last.seq:
        raise AuditLogError(p, f"record {last.seq + 1} is missing (truncated: head names record {head.seq}, "
                               f"the last present is {last.seq})", last.seq + 1)
    elif head != last:
        raise AuditLogError(p, f"head (record {head.seq}) does not match the chain's end (record {last.seq})")
    for name, anchor in anchors.items():
        if anchor.seq > last.seq:
            raise AuditLogError(p, f"record {last.seq + 1} is missing (rolled back or truncated: {name} "
                                   f"names record {anchor.seq}, the log ends at {last.seq})", last.seq + 1)
        if seen.get(anchor.seq) != anchor.hash:
            raise AuditLogError(p, f"record {anchor.seq} differs from {name}", anchor.seq)
    return last
