"""Audit log across real processes: a writer killed mid-append, a simulated power loss (the WAL or
the database cut at random offsets), two writers at once, two creators with different keys at
once, and verification while another process appends."""
import multiprocessing
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pqzk.errors import InvalidParameter, PqzkError
from pqzk.policy.audit import AuditLog, AuditLogError, default_head_file, records, verify_log
from pqzk.policy.audit_format import HeadFile

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))

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


def _writer(path, tag, count, **kw):
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag, str(count)], **kw)


def _kill_mid_append(path, at_least):
    """Start a writer, SIGKILL it after it reported `at_least` commits; return the last reported."""
    proc = _writer(path, "a", 100_000, stdout=subprocess.PIPE, text=True)
    committed = 0
    deadline = time.time() + 60
    while committed < at_least and time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        committed = int(line)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert committed >= at_least
    return committed


def _anchor(path):
    return HeadFile.from_bytes(default_head_file(path).read_bytes()).head


def test_kill_9_mid_append_loses_nothing_committed(tmp_path):
    path = tmp_path / "crash.db"
    committed = _kill_mid_append(path, 150)
    head = verify_log(path)
    assert head.seq >= committed                     # every reported commit survived, none half-written
    assert committed - 1 <= _anchor(path).seq <= head.seq   # the head file: never ahead, at most one behind
    with AuditLog(path, KEY) as log:                 # the next writer carries on
        assert log.append("note", {"after": "crash"}).seq == head.seq + 1
    assert verify_log(path).seq == head.seq + 1 == _anchor(path).seq


@pytest.fixture(scope="module")
def crashed(tmp_path_factory):
    """A log whose writer was killed: database, WAL (holding the recent commits) and head file."""
    d = tmp_path_factory.mktemp("crashed")
    path = d / "crash.db"
    assert _writer(path, "first", 30, stdout=subprocess.DEVNULL).wait(timeout=60) == 0   # checkpointed into the file
    _kill_mid_append(path, 60)
    assert Path(path).stat().st_size > 30 * 300 and Path(f"{path}-wal").stat().st_size > 0
    files = {suffix: Path(f"{path}{suffix}").read_bytes() for suffix in ("", "-wal", "-shm", ".head")}
    pristine = d / "pristine"
    pristine.mkdir()
    for suffix, data in files.items():
        (pristine / f"crash.db{suffix}").write_bytes(data)
    originals = list(records(pristine / "crash.db"))
    return files, originals


def test_power_loss_cut_wal_or_database(crashed, tmp_path):
    """Cut the WAL or the database file at random offsets — a torn, uncommitted tail as a power
    loss leaves it, and worse: committed data lost — then open, verify and append. Whatever is
    left: only pqzk errors; a log that verifies holds exactly a prefix of what was written and
    reaches the head file (so lost commits are reported, not silently forgotten); the writer
    appends to such a log, and an append never makes a failing log verify."""
    files, originals = crashed
    rng = random.Random(20240615)
    outcomes = {"verified": 0, "refused": 0}
    trials = [("-wal", 0), ("-wal", 31), ("-wal", 32), ("", 0), ("", 100), ("-wal", len(files["-wal"]))]
    trials += [(rng.choice(["-wal", "", "torn"]), None) for _ in range(45)]
    for n, (which, cut) in enumerate(trials):
        d = tmp_path / str(n)
        d.mkdir()
        path = d / "crash.db"
        for suffix, data in files.items():
            if suffix == "-shm":
                continue                              # a reboot loses the shared-memory index
            if which == "torn" and suffix == "-wal":  # a frame being written when the power went
                data += rng.randbytes(rng.randrange(1, 2 * 4096 + 48))
                data = data[:rng.randrange(len(files["-wal"]), len(data) + 1)]
            elif suffix == which:
                data = data[:cut if cut is not None else rng.randrange(len(data))]
            Path(f"{path}{suffix}").write_bytes(data)
        anchor = _anchor(path)
        try:
            head = verify_log(path)
        except PqzkError:
            head = None
        if head is not None:
            outcomes["verified"] += 1
            assert list(records(path)) == originals[:head.seq]
            assert head.seq >= anchor.seq
        else:
            outcomes["refused"] += 1
            assert which != "torn", f"trial {n}: a torn uncommitted tail must not lose anything"
        try:
            with AuditLog(path, KEY) as log:
                rec = log.append("note", {"after": "power loss"})
        except PqzkError as exc:
            assert head is None, f"trial {n}: a log that verifies was refused: {exc}"
            continue
        if head is not None:
            assert rec.seq == head.seq + 1 and verify_log(path).seq == head.seq + 1
        else:
            with pytest.raises(PqzkError):
                verify_log(path)
    assert outcomes["verified"] >= 5 and outcomes["refused"] >= 5, outcomes


def test_two_writers_do_not_fork_the_chain(tmp_path):
    path = tmp_path / "race.db"
    AuditLog(path, KEY).close()
    procs = [_writer(path, tag, 150, stdout=subprocess.DEVNULL) for tag in ("a", "b")]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    assert verify_log(path).seq == 300
    writers = [r.body["writer"] for r in records(path)]
    assert writers.count("a") == writers.count("b") == 150
    assert _anchor(path).seq == 300                  # the head file followed both, and never went back


def _create(i, rounds, base, barrier, results):
    """One of two processes creating the same new logs at the same moment, each with its own key."""
    key = Ed25519PrivateKey.from_private_bytes(bytes([i + 1]) * 32)
    for k in range(rounds):
        barrier.wait(timeout=60)
        try:
            with AuditLog(Path(base) / f"log{k}.db", key) as log:
                log.append("note", {"creator": i})
            results.put((k, i, "ok", ""))
        except PqzkError as exc:
            results.put((k, i, type(exc).__name__, str(exc)))
        except BaseException as exc:                  # reported, so the test can fail on it
            results.put((k, i, "raw " + type(exc).__name__, repr(exc)))


def test_creation_race_with_two_keys(tmp_path):
    rounds = 40
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_create, args=(i, rounds, str(tmp_path), barrier, results)) for i in range(2)]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in range(2 * rounds)]
    for p in procs:
        p.join(timeout=60)
    for k in range(rounds):
        mine = sorted((r for r in got if r[0] == k), key=lambda r: r[2])
        assert [r[2] for r in mine] == ["InvalidParameter", "ok"], mine     # exactly one wins
        winner = mine[1][1]
        assert "belongs to another signing key" in mine[0][3] and f"log{k}.db" in mine[0][3]
        path = tmp_path / f"log{k}.db"
        pub = Ed25519PrivateKey.from_private_bytes(bytes([winner + 1]) * 32).public_key().public_bytes_raw()
        assert verify_log(path, public_key=pub).seq == 1
        assert [r.body["creator"] for r in records(path)] == [winner]


def test_verify_during_concurrent_appends(tmp_path):
    """verify_log reads the head file, then the head and records in one snapshot: an append
    between its reads cannot make a valid log look broken."""
    path = tmp_path / "busy.db"
    AuditLog(path, KEY).close()
    proc = _writer(path, "w", 400, stdout=subprocess.DEVNULL)
    checks, last = 0, 0
    try:
        while proc.poll() is None and checks < 400:
            head = verify_log(path)
            assert head.seq >= last                   # never goes back
            last = head.seq
            checks += 1
    finally:
        proc.wait(timeout=120)
    assert proc.returncode == 0 and checks >= 5
    assert verify_log(path).seq == 400


def test_truncation_while_a_writer_runs_is_refused(tmp_path):
    """Records deleted under a running writer process: its next append refuses, naming the
    first missing record, and exits with that error instead of re-signing a shortened chain."""
    path = tmp_path / "t.db"
    script = r"""
import sys, time
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pqzk.policy.audit import AuditLog
from pqzk.errors import PqzkError
log = AuditLog(sys.argv[1], Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
for i in range(10):
    log.append("note", {"i": i})
print("ready", flush=True)
sys.stdin.readline()
try:
    log.append("note", {"i": "after"})
    print("appended")
except PqzkError as exc:
    print(type(exc).__name__, exc.seq, exc)
"""
    proc = subprocess.Popen([sys.executable, "-c", script, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM records WHERE seq >= 7")
    conn.commit()
    conn.close()
    out, _ = proc.communicate("go\n", timeout=60)
    assert out.startswith("AuditLogError 7 ") and "record 7 is missing" in out, out
    with pytest.raises(AuditLogError, match="record 7 is missing"):
        verify_log(path)


def test_restored_copy_under_a_new_process_is_refused(tmp_path):
    """The whole file rolled back between two runs of the writer (copy, append more, restore)."""
    path = tmp_path / "r.db"
    assert _writer(path, "a", 5, stdout=subprocess.DEVNULL).wait(timeout=60) == 0
    shutil.copy(path, tmp_path / "copy.db")
    assert _writer(path, "a", 5, stdout=subprocess.DEVNULL).wait(timeout=60) == 0
    shutil.copy(tmp_path / "copy.db", path)
    proc = _writer(path, "a", 1, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and out == ""
    assert "AuditLogError" in err and "record 6 is missing" in err
    with pytest.raises(AuditLogError, match="record 6 is missing"):
        verify_log(path)
    with pytest.raises(InvalidParameter, match="another signing key"):
        AuditLog(path, Ed25519PrivateKey.generate())
