"""Audit log: every kind of tampering is detected and named; crashes and concurrent writers are safe."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pqzk.errors import InvalidParameter, VerificationError
from pqzk.policy.audit import AuditLog, Head, records, verify_log

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "audit.db"
    with AuditLog(path, KEY) as log:
        for i in range(1, 6):
            log.append("request", {"n": i, "amount": 100 * i})
    return path


def _exec(path, sql, *args):
    conn = sqlite3.connect(path)
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def test_clean_log_verifies(log):
    head = verify_log(log, public_key=KEY.public_key().public_bytes_raw())
    assert head.seq == 5
    assert [r.body["n"] for r in records(log)] == [1, 2, 3, 4, 5]
    assert "redacted" in repr(AuditLog(log, KEY))


def test_modified_record_is_named(log):
    _exec(log, "UPDATE records SET body = ? WHERE seq = 3", b'{"amount":1,"n":3}')
    with pytest.raises(VerificationError, match="record 3: content was modified"):
        verify_log(log)


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
    from pqzk.policy.audit import record_hash
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


def test_truncated_tail_is_detected(log):
    _exec(log, "DELETE FROM records WHERE seq = 5")
    with pytest.raises(VerificationError, match="truncated: head names record 5, the last present is 4"):
        verify_log(log)


def test_rollback_detected_with_remembered_head(log, tmp_path):
    remembered = verify_log(log)
    with AuditLog(log, KEY) as w:
        w.append("note", {"x": 1})
    verify_log(log, expect_head=remembered)          # growing is fine
    with pytest.raises(VerificationError, match="rolled back"):
        verify_log(log, expect_head=Head(remembered.seq + 5, remembered.hash))
    with pytest.raises(VerificationError, match="differs"):
        verify_log(log, expect_head=Head(3, bytes(32)))


def test_wrong_key_and_garbage(log, tmp_path):
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
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


WRITER = r"""
import sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pqzk.policy.audit import AuditLog
log = AuditLog(sys.argv[1], Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
tag = sys.argv[2]
for i in range(int(sys.argv[3])):
    rec = log.append("note", {"writer": tag, "i": i, "pad": "x" * 200})
    print(rec.seq, flush=True)
"""


def test_kill_9_mid_append_loses_nothing_committed(tmp_path):
    path = tmp_path / "crash.db"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "a", "100000"],
                            stdout=subprocess.PIPE, text=True)
    committed = 0
    deadline = time.time() + 60
    while committed < 150 and time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        committed = int(line)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert committed >= 150
    head = verify_log(path)
    assert head.seq >= committed                     # every reported commit survived, none half-written


def test_two_writers_do_not_fork_the_chain(tmp_path):
    path = tmp_path / "race.db"
    AuditLog(path, KEY).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag, "150"], stdout=subprocess.DEVNULL)
             for tag in ("a", "b")]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    assert verify_log(path).seq == 300
    writers = [r.body["writer"] for r in records(path)]
    assert writers.count("a") == writers.count("b") == 150
