"""Audit log: every kind of tampering is detected and named; the writer never signs over a chain
that lost records (truncation, rollback of the whole file); every fault is a pqzk error naming
the file. Processes (kill -9, power loss, races) are in test_audit_processes.py; random byte
corruption in test_audit_corruption.py."""
import shutil
import sqlite3
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pqzk.errors import InvalidParameter, PqzkError, VerificationError
from pqzk.policy.audit import (
    FORMAT, AuditLog, AuditLogError, Head, canonical_json, default_head_file, record_hash, records, verify_log,
)
from pqzk.policy.audit_format import MAX_BODY_DEPTH, HeadFile, head_message

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUB = KEY.public_key().public_bytes_raw()
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def _fill(path, n, start=1, key=KEY):
    with AuditLog(path, key) as log:
        for i in range(start, start + n):
            log.append("request", {"n": i, "amount": 100 * i})


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "audit.db"
    _fill(path, 5)
    return path


def _exec(path, sql, *args):
    conn = sqlite3.connect(path)
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def _meta(path, key):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]
    finally:
        conn.close()


def _restore(saved, path):
    """Put an older copy's content back into a database that a writer holds open."""
    src, dst = sqlite3.connect(saved), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()


def _bodies(path):
    return [r.body["n"] for r in records(path)]


def _legacy_log(path, n):
    """A log as pqzk wrote it before head files (format 1): no format, no log id, no head file."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript("""
        CREATE TABLE records (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, body BLOB NOT NULL,
            prev_hash BLOB NOT NULL, hash BLOB NOT NULL, signature BLOB NOT NULL);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);""")
    conn.execute("INSERT INTO meta VALUES ('public_key', ?)", (PUB,))
    prev = bytes(32)
    for seq in range(1, n + 1):
        body = canonical_json({"n": seq})
        h = record_hash(seq, "note", body, prev)
        conn.execute("INSERT INTO records VALUES (?, 'note', ?, ?, ?, ?)", (seq, body, prev, h, KEY.sign(h)))
        prev = h
    head = n.to_bytes(8, "big") + prev + KEY.sign(head_message(n, prev))
    conn.execute("INSERT INTO meta VALUES ('head', ?)", (head,))
    conn.close()


# -- tampering inside the file ---------------------------------------------------------------

def test_clean_log_verifies(log):
    head = verify_log(log, public_key=PUB)
    assert head.seq == 5
    assert _bodies(log) == [1, 2, 3, 4, 5]
    assert "redacted" in repr(AuditLog(log, KEY))
    assert default_head_file(log).exists() and _meta(log, "format") == FORMAT


def test_modified_record_is_named(log):
    _exec(log, "UPDATE records SET body = ? WHERE seq = 3", b'{"amount":1,"n":3}')
    with pytest.raises(AuditLogError, match="record 3: content was modified") as e:
        verify_log(log)
    assert e.value.seq == 3 and e.value.path == log and str(log) in str(e.value)


def test_deleted_record_is_named(log):
    _exec(log, "DELETE FROM records WHERE seq = 2")
    with pytest.raises(VerificationError, match="record 2 is missing"):
        verify_log(log)


def test_inserted_record_is_named(log):
    # shift records 3..5 up by one and insert a forged record 3 (hash recomputed, signature forged)
    conn = sqlite3.connect(log)
    rows = conn.execute("SELECT * FROM records WHERE seq >= 3 ORDER BY seq DESC").fetchall()
    for r in rows:
        conn.execute("UPDATE records SET seq = ? WHERE seq = ?", (r[0] + 1, r[0]))
    prev = conn.execute("SELECT hash FROM records WHERE seq = 2").fetchone()[0]
    body = b'{"n":99}'
    h = record_hash(3, "request", body, prev)
    conn.execute("INSERT INTO records VALUES (3, 'request', ?, ?, ?, ?)", (body, prev, h, bytes(64)))
    conn.commit()
    conn.close()
    with pytest.raises(VerificationError, match="record 3: signature does not verify"):
        verify_log(log)


def test_reordered_records_are_named(log):
    conn = sqlite3.connect(log)
    conn.execute("UPDATE records SET seq = -1 WHERE seq = 2")
    conn.execute("UPDATE records SET seq = 2 WHERE seq = 4")
    conn.execute("UPDATE records SET seq = 4 WHERE seq = -1")
    conn.commit()
    conn.close()
    with pytest.raises(VerificationError, match="record 2: chain broken"):
        verify_log(log)


@pytest.mark.parametrize("column, value, why", [
    ("body", "{\"amount\":300,\"n\":3}", "not of its stored type"),      # same bytes, stored as TEXT
    ("kind", b"\xff\xfe", "not of its stored type"),
    ("hash", b"\x00" * 5, "wrong length"),
])
def test_changed_column_type_is_named(log, column, value, why):
    _exec(log, f"UPDATE records SET {column} = ? WHERE seq = 3", value)
    with pytest.raises(AuditLogError, match=f"record 3: content was modified .*{why}"):
        verify_log(log)
    if column == "body":
        return
    with pytest.raises(AuditLogError, match="record 3"):
        list(records(log))


def test_undecodable_kind_and_body_are_named(log):
    conn = sqlite3.connect(log)
    conn.execute("UPDATE records SET kind = CAST(X'FFFE' AS TEXT) WHERE seq = 2")
    conn.execute("UPDATE records SET body = X'7B2266' WHERE seq = 4")              # '{"f', not JSON
    conn.commit()
    conn.close()
    with pytest.raises(AuditLogError, match="record 2: content was modified \\(kind is not UTF-8\\)"):
        verify_log(log)
    with pytest.raises(AuditLogError, match="record 2"):
        list(records(log))
    _exec(log, "UPDATE records SET kind = 'request' WHERE seq = 2")
    got = []
    with pytest.raises(AuditLogError, match=f"audit log {log}: record 4: body is not valid JSON"):
        for r in records(log):
            got.append(r.seq)
    assert got == [1, 2, 3]
    _exec(log, "UPDATE records SET body = ? WHERE seq = 4", b"\xff{}")
    with pytest.raises(AuditLogError, match="record 4: body is not valid JSON"):
        list(records(log))
    _exec(log, "UPDATE records SET body = ? WHERE seq = 4", b"[4]")
    with pytest.raises(AuditLogError, match="record 4: body is not a JSON object"):
        list(records(log))


def test_deeply_nested_body_is_refused_without_parsing(log):
    """py_ecc (imported by the kit) raises the recursion limit to 100 000: parsing a body nested
    that deep would overflow the C stack and kill the process, so records() refuses it unparsed."""
    _exec(log, "UPDATE records SET body = ? WHERE seq = 4", b"[" * 100_000 + b"]" * 100_000)
    script = ("import sys, py_ecc; from pqzk.policy.audit import records; from pqzk.errors import PqzkError\n"
              "assert sys.getrecursionlimit() >= 100000\n"
              "try:\n    list(records(sys.argv[1]))\nexcept PqzkError as exc:\n    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", script, str(log)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-500:]
    assert f"audit log {log}: record 4: body nests deeper than {MAX_BODY_DEPTH} levels" in out.stdout
    _exec(log, "UPDATE records SET body = ? WHERE seq = 4", b'{"a":"' + b"[" * 500 + b'"}')
    assert [r.seq for r in records(log)] == [1, 2, 3, 4, 5]          # brackets inside strings do not count
    with AuditLog(log.with_name("deep.db"), KEY) as w:
        nested = {}
        for _ in range(MAX_BODY_DEPTH - 1):
            nested = {"n": nested}
        w.append("note", nested)                                      # as deep as allowed: kept and read back
        with pytest.raises(InvalidParameter, match="nests deeper than"):
            w.append("note", {"n": nested})
    assert [r.body for r in records(log.with_name("deep.db"))] == [nested]


def test_truncated_tail_is_detected(log):
    _exec(log, "DELETE FROM records WHERE seq = 5")
    with pytest.raises(VerificationError, match="truncated: head names record 5, the last present is 4"):
        verify_log(log)


# -- the writer refuses to sign over a chain that lost records ---------------------------------

def test_truncation_then_append_is_refused(log):
    """The issue's case: DELETE ... WHERE seq >= k, then the honest writer appends."""
    writer = AuditLog(log, KEY)                       # a writer that stays open across the tampering
    _exec(log, "DELETE FROM records WHERE seq >= 3")
    for attempt in (lambda: writer.append("note", {"x": 1}), lambda: AuditLog(log, KEY).append("note", {})):
        with pytest.raises(AuditLogError, match="record 3 is missing") as e:
            attempt()
        assert e.value.seq == 3
    writer.close()
    with pytest.raises(AuditLogError, match="record 3 is missing"):
        verify_log(log)                                # still reported: nothing was re-signed
    assert _bodies(log) == [1, 2]


def test_truncation_with_an_older_signed_head_is_refused(log, tmp_path):
    """Truncate and put back the database's own signed head of that time: the database is
    consistent again, only the head file (and a writer's memory) can tell."""
    conn = sqlite3.connect(log)
    seq2 = conn.execute("SELECT hash FROM records WHERE seq = 2").fetchone()[0]
    conn.close()
    old_head = (2).to_bytes(8, "big") + seq2 + KEY.sign(head_message(2, seq2))   # what append wrote then
    writer = AuditLog(log, KEY)
    conn = sqlite3.connect(log)
    conn.execute("DELETE FROM records WHERE seq >= 3")
    conn.execute("UPDATE meta SET value = ? WHERE key = 'head'", (old_head,))
    conn.commit()
    conn.close()
    with pytest.raises(AuditLogError, match="record 3 is missing .*head file"):
        verify_log(log)                                # the head file beside the database is an anchor
    with pytest.raises(AuditLogError, match="record 3 is missing: the log ends at record 2, but the head file"):
        AuditLog(log, KEY)
    with pytest.raises(AuditLogError, match="record 3 is missing"):
        writer.append("note", {})
    default_head_file(log).unlink()                   # even without the head file, the open writer remembers
    with pytest.raises(AuditLogError, match="record 3 is missing: .*this writer's last head"):
        writer.append("note", {})
    writer.close()
    assert verify_log(log).seq == 2                    # alone, the shortened database is consistent …
    with pytest.raises(AuditLogError, match="no head file"):
        AuditLog(log, KEY)                            # … but the writer will not take it without adoption


def test_whole_file_rollback_is_refused_and_reported(log, tmp_path):
    saved = tmp_path / "saved.db"
    shutil.copy(log, saved)                           # closed log: the WAL is checkpointed into the file
    _fill(log, 3, start=6)
    assert verify_log(log).seq == 8
    shutil.copy(saved, log)                           # restore the older copy of the whole file
    with pytest.raises(AuditLogError, match="record 6 is missing: the log ends at record 5, but the head file") as e:
        AuditLog(log, KEY)
    assert e.value.seq == 6
    with pytest.raises(AuditLogError, match="record 6 is missing \\(rolled back or truncated: the head file"):
        verify_log(log)
    anchor = tmp_path / "anchor.head"
    shutil.copy(default_head_file(log), anchor)
    default_head_file(log).unlink()
    with pytest.raises(AuditLogError, match="record 6 is missing"):
        verify_log(log, head_file=anchor)             # the head file kept elsewhere, as a trusted anchor
    with pytest.raises(AuditLogError, match="head file .*does not exist"):
        verify_log(log, head_file=tmp_path / "absent.head")
    assert _bodies(log) == [1, 2, 3, 4, 5]


def test_rollback_of_database_and_head_file_together(log, tmp_path):
    """The documented limit: both files rolled back together look like an older log to a new
    writer; a writer still open and a verifier holding a remembered head both catch it."""
    shutil.copy(log, tmp_path / "saved.db")
    shutil.copy(default_head_file(log), tmp_path / "saved.head")
    writer = AuditLog(log, KEY)
    for i in range(6, 9):
        writer.append("note", {"n": i})
    remembered = writer.head()
    _restore(tmp_path / "saved.db", log)              # through SQLite: the writer has the WAL open
    shutil.copy(tmp_path / "saved.head", default_head_file(log))
    with pytest.raises(AuditLogError, match="record 6 is missing: .*this writer's last head"):
        writer.append("note", {})
    writer.close()
    with pytest.raises(AuditLogError, match="record 6 is missing \\(rolled back or truncated: the remembered head"):
        verify_log(log, expect_head=remembered)
    assert verify_log(log).seq == 5                    # not detectable from the two files alone


def test_database_replaced_by_another_log(log, tmp_path):
    other = tmp_path / "other.db"
    _fill(other, 7)                                    # same key, another log (another log id)
    shutil.copy(other, log)
    with pytest.raises(AuditLogError, match="head file .*belongs to another log"):
        AuditLog(log, KEY)
    with pytest.raises(AuditLogError, match="belongs to another log"):
        verify_log(log)


def test_database_deleted_and_recreated(log):
    log.unlink()
    with pytest.raises(AuditLogError, match="belongs to another log"):
        AuditLog(log, KEY)                             # a stale head file: the old log was deleted
    with pytest.raises(AuditLogError, match="signed by another key"):
        AuditLog(log, OTHER)
    conn = sqlite3.connect(log)
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0   # creation rolled back
    conn.close()


def test_forked_copy_is_named(log, tmp_path):
    saved = tmp_path / "saved.db"
    shutil.copy(log, saved)
    _fill(log, 2, start=6)                            # the head file now names record 7
    shutil.copy(saved, log)
    with AuditLog(log, KEY, head_file=tmp_path / "fork.head", adopt_head=True) as fork:   # someone adopts the copy
        fork.append("note", {"n": 60})
        fork.append("note", {"n": 70})
    with pytest.raises(AuditLogError, match="record 7 differs from the one the head file") as e:
        AuditLog(log, KEY)
    assert e.value.seq == 7
    with pytest.raises(AuditLogError, match="record 7 differs from the head file"):
        verify_log(log)


def test_lagging_head_file_is_caught_up(log, tmp_path):
    """A writer killed between its commit and its head-file write leaves the head file one record
    behind: not an error; the next writer checks the records after it and moves it forward."""
    lagging = default_head_file(log).read_bytes()
    _fill(log, 2, start=6)
    default_head_file(log).write_bytes(lagging)
    assert verify_log(log).seq == 7
    with AuditLog(log, KEY) as w:
        assert w.head().seq == 7
    assert HeadFile.from_bytes(default_head_file(log).read_bytes()).head.seq == 7
    default_head_file(log).write_bytes(lagging)       # records after a lagging head are still checked
    _exec(log, "UPDATE records SET body = ? WHERE seq = 6", b'{"n":666}')
    with pytest.raises(AuditLogError, match="record 6: content was modified"):
        AuditLog(log, KEY)


def test_temp_files_of_a_killed_head_file_write_are_removed(log):
    stale = log.with_name(f".tmp-{default_head_file(log).name}.4242.deadbeef")
    stale.write_bytes(b"half a head file")
    other = log.with_name(".tmp-unrelated.4242.deadbeef")
    other.write_bytes(b"not ours")
    AuditLog(log, KEY).close()
    assert not stale.exists() and other.exists()
    assert verify_log(log).seq == 5


def test_head_file_never_moves_back(log):
    a, b = AuditLog(log, KEY), AuditLog(log, KEY)
    a.append("note", {"n": 6})
    b.append("note", {"n": 7})
    assert a.head().seq == 7                           # a's own last head was 6: the file stays at 7
    a._advance_head_file(Head(6, b"\x00" * 32))       # a late writer cannot move it back
    assert HeadFile.from_bytes(default_head_file(log).read_bytes()).head.seq == 7
    a.close()
    b.close()


# -- the head file itself --------------------------------------------------------------------

@pytest.mark.parametrize("damage, why", [
    (lambda d: d[:100], "damaged .*truncated"),
    (lambda d: d + b"\x00", "damaged .*trailing"),
    (lambda d: b"X" + d[1:], "bad magic"),
    (lambda d: d[:8] + b"\x07" + d[9:], "unsupported version 7"),
    (lambda d: d[:-1] + bytes([d[-1] ^ 1]), "signature does not verify"),
    (lambda d: d[:57] + (9).to_bytes(8, "big") + d[65:], "signature does not verify"),   # seq changed
    (lambda d: b"", "damaged"),
])
def test_damaged_head_file_is_refused(log, damage, why):
    hf = default_head_file(log)
    hf.write_bytes(damage(hf.read_bytes()))
    with pytest.raises(AuditLogError, match=f"audit head file {hf}: .*{why}"):
        AuditLog(log, KEY)
    with pytest.raises(AuditLogError, match=why):
        verify_log(log)


def test_head_file_of_another_key_is_refused(log):
    hf = default_head_file(log)
    log_id = _meta(log, "log_id")
    hf.write_bytes(HeadFile.sign(OTHER, log_id, Head(9, b"\x01" * 32)).to_bytes())
    with pytest.raises(AuditLogError, match="signed by another key"):
        AuditLog(log, KEY)
    with pytest.raises(AuditLogError, match="signed by another key"):
        verify_log(log, public_key=PUB)
    hf.unlink()
    hf.mkdir()
    with pytest.raises(AuditLogError, match="head file .*cannot be read"):
        verify_log(log)


def test_missing_head_file_needs_explicit_adoption(log):
    default_head_file(log).unlink()
    assert verify_log(log).seq == 5                    # the verifier does not need it
    with pytest.raises(AuditLogError, match="has 5 records but no head file .*adopt_head=True"):
        AuditLog(log, KEY)
    _exec(log, "UPDATE records SET body = ? WHERE seq = 2", b'{"n":22}')
    with pytest.raises(AuditLogError, match="record 2: content was modified"):
        AuditLog(log, KEY, adopt_head=True)           # adoption verifies the whole chain first
    assert not default_head_file(log).exists()


def test_adoption_keeps_the_verified_head(log):
    default_head_file(log).unlink()
    with AuditLog(log, KEY, adopt_head=True) as w:
        assert w.head() == verify_log(log)
        w.append("note", {"n": 6})
    assert HeadFile.from_bytes(default_head_file(log).read_bytes()).head.seq == 6
    with AuditLog(log, KEY) as w:                     # from now on the head file is the anchor
        w.append("note", {"n": 7})
    assert verify_log(log).seq == 7


def test_empty_log_without_head_file_is_a_new_log(tmp_path):
    path = tmp_path / "a.db"
    AuditLog(path, KEY).close()
    default_head_file(path).unlink()                   # e.g. killed between creation and head file
    with AuditLog(path, KEY) as w:
        assert w.head() == Head(0, bytes(32))
    assert default_head_file(path).exists()


def test_legacy_format_1_log(tmp_path):
    path = tmp_path / "old.db"
    _legacy_log(path, 4)
    assert verify_log(path, public_key=PUB).seq == 4  # old logs verify as before
    assert [r.seq for r in records(path)] == [1, 2, 3, 4]
    with pytest.raises(AuditLogError, match="has 4 records but no head file"):
        AuditLog(path, KEY)
    with AuditLog(path, KEY, adopt_head=True) as w:   # adoption upgrades it to the current format
        w.append("note", {"n": 5})
    assert _meta(path, "format") == FORMAT and len(_meta(path, "log_id")) == 16
    assert verify_log(path).seq == 5


def test_future_format_is_refused(log):
    _exec(log, "UPDATE meta SET value = 3 WHERE key = 'format'")
    for attempt in (lambda: verify_log(log), lambda: AuditLog(log, KEY), lambda: list(records(log))):
        with pytest.raises(AuditLogError, match="format 3 is newer than this pqzk reads"):
            attempt()


# -- remembered heads, keys, and inputs that are not audit logs --------------------------------

def test_rollback_detected_with_remembered_head(log, tmp_path):
    remembered = verify_log(log)
    with AuditLog(log, KEY) as w:
        w.append("note", {"x": 1})
    verify_log(log, expect_head=remembered)          # growing is fine
    with pytest.raises(VerificationError, match="rolled back"):
        verify_log(log, expect_head=Head(remembered.seq + 5, remembered.hash))
    with pytest.raises(VerificationError, match="differs"):
        verify_log(log, expect_head=Head(3, bytes(32)))
    for bad in (Head(-1, bytes(32)), Head(1, b"short"), Head("1", bytes(32)), (1, bytes(32)), Head(True, bytes(32))):
        with pytest.raises(InvalidParameter, match="expect_head"):
            verify_log(log, expect_head=bad)


def test_wrong_key_and_garbage(log, tmp_path):
    other = OTHER.public_key().public_bytes_raw()
    with pytest.raises(VerificationError, match="another key"):
        verify_log(log, public_key=other)
    with pytest.raises(InvalidParameter, match="another signing key"):
        AuditLog(log, Ed25519PrivateKey.generate())
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(VerificationError, match="not a readable"):
        verify_log(junk)
    with pytest.raises(VerificationError, match="does not exist"):
        verify_log(tmp_path / "absent.db")
    with pytest.raises(InvalidParameter):
        AuditLog(log, KEY).append("bogus", {})


@pytest.mark.parametrize("key, why", [
    (b"\x01" * 31, "32 bytes"), (b"\x01" * 33, "32 bytes"), ("ab" * 16, "got str"), (12, "got int"),
    (None, None),
])
def test_public_key_argument(log, key, why):
    if why is None:
        assert verify_log(log, public_key=key).seq == 5
        return
    with pytest.raises(InvalidParameter, match=why):
        verify_log(log, public_key=key)
    assert verify_log(log, public_key=bytearray(PUB)).seq == 5
    assert verify_log(log, public_key=memoryview(PUB)).seq == 5


@pytest.mark.parametrize("key, value, why", [
    ("head", "5:abcd", "stored head is malformed"),                   # a TEXT head
    ("head", b"\x00" * 10, "stored head is malformed"),
    ("public_key", PUB[:31], "stored public_key is malformed"),       # a wrongly sized key
    ("public_key", PUB.hex(), "stored public_key is malformed"),
    ("log_id", b"x", "stored log_id is malformed"),
    ("format", "2", "stored format is malformed"),
])
def test_malformed_meta_is_named(log, key, value, why):
    _exec(log, "UPDATE meta SET value = ? WHERE key = ?", value, key)
    with pytest.raises(AuditLogError, match=f"audit log {log}: {why}"):
        verify_log(log)
    with pytest.raises(PqzkError, match=str(log)):
        AuditLog(log, KEY)
    with pytest.raises(AuditLogError, match=why):
        list(records(log))


@pytest.mark.parametrize("row, why", [("format", "a log id but no format"),
                                      ("log_id", "a format 2 log without its log id")])
def test_format_and_log_id_go_together(log, row, why):
    _exec(log, "DELETE FROM meta WHERE key = ?", row)
    for attempt in (lambda: verify_log(log), lambda: AuditLog(log, KEY), lambda: list(records(log))):
        with pytest.raises(AuditLogError, match=f"is damaged \\({why}"):
            attempt()
    assert _meta(log, "format" if row == "log_id" else "log_id") is not None      # nothing was rewritten


def test_head_signature_and_missing_meta(log):
    head = _meta(log, "head")
    _exec(log, "UPDATE meta SET value = ? WHERE key = 'head'", head[:-1] + bytes([head[-1] ^ 1]))
    with pytest.raises(AuditLogError, match="signed head's signature does not verify"):
        verify_log(log)
    with pytest.raises(AuditLogError, match="signed head's signature does not verify"):
        AuditLog(log, KEY)
    _exec(log, "DELETE FROM meta WHERE key = 'head'")
    with pytest.raises(AuditLogError, match="has records but no signed head"):
        verify_log(log)
    _exec(log, "DELETE FROM meta")
    with pytest.raises(AuditLogError, match="has no public key"):
        verify_log(log)
    with pytest.raises(AuditLogError, match="has records but no public key"):
        AuditLog(log, KEY)


def test_paths_that_are_not_audit_logs(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\xff" * 5000)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE accounts (id INTEGER)")
    conn.commit()
    conn.close()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    cases = [
        (lambda: verify_log(tmp_path), AuditLogError, "is a directory"),
        (lambda: verify_log("/"), AuditLogError, "is a directory"),
        (lambda: verify_log(other), AuditLogError, "not a readable pqzk audit database"),
        (lambda: verify_log(empty), AuditLogError, "not a readable pqzk audit database"),
        (lambda: list(records(tmp_path / "absent.db")), InvalidParameter, "does not exist"),
        (lambda: list(records(tmp_path)), InvalidParameter, "is a directory"),
        (lambda: list(records(junk)), AuditLogError, "not a readable pqzk audit database"),
        (lambda: list(records(other)), AuditLogError, "not a readable pqzk audit database"),
        (lambda: AuditLog(tmp_path, KEY), InvalidParameter, "is a directory"),
        (lambda: AuditLog(tmp_path / "no" / "such" / "a.db", KEY), InvalidParameter, "cannot be created"),
        (lambda: AuditLog(junk, KEY), AuditLogError, "not a readable pqzk audit database"),
        (lambda: AuditLog(other, KEY), AuditLogError, "not a pqzk audit log \\(tables: accounts\\)"),
        (lambda: AuditLog("/", KEY), InvalidParameter, "/"),
    ]
    for attempt, error, why in cases:
        with pytest.raises(error, match=why) as e:
            attempt()
        assert "audit " in str(e.value)
    with AuditLog(empty, KEY) as w:                  # an empty file is a new log
        w.append("note", {})
    assert verify_log(empty).seq == 1


def test_writer_arguments(tmp_path):
    with pytest.raises(InvalidParameter, match="Ed25519PrivateKey, got bytes"):
        AuditLog(tmp_path / "a.db", bytes(32))
    w = AuditLog(tmp_path / "a.db", KEY)
    with pytest.raises(InvalidParameter, match="unknown audit record kind"):
        w.append("bogus", {})
    with pytest.raises(InvalidParameter, match="JSON object"):
        w.append("note", [1, 2])
    with pytest.raises(InvalidParameter, match="not JSON-serializable"):
        w.append("note", {"x": object()})
    cyclic = {}
    cyclic["self"] = cyclic
    with pytest.raises(InvalidParameter, match="not JSON-serializable"):
        w.append("note", cyclic)
    w.close()
    with pytest.raises(InvalidParameter, match=f"audit log {tmp_path / 'a.db'}: .*closed"):
        w.append("note", {})
    assert verify_log(tmp_path / "a.db").seq == 0


def test_head_file_that_cannot_be_read_or_written(log, tmp_path):
    with pytest.raises(InvalidParameter, match="the log is open, but its head file .*nodir.* cannot be written"):
        AuditLog(tmp_path / "new.db", KEY, head_file=tmp_path / "nodir" / "new.head")
    hf = default_head_file(log)
    w = AuditLog(log, KEY)
    hf.unlink()
    hf.mkdir()                                         # the head file's place is taken by a directory
    with pytest.raises(AuditLogError, match="head file .*cannot be read"):
        w.append("note", {"n": 6})
    hf.rmdir()
    rec = w.append("note", {"n": 6})                   # the writer recreates it from its checked memory
    assert rec.seq == 6 and HeadFile.from_bytes(hf.read_bytes()).head.seq == 6
    w.close()
