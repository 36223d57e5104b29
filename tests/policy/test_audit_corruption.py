"""Random byte corruption of an audit database (and of its head file): every reader and the writer
end in a pqzk error or in success, never in another exception; a log verifies only if every record
reads back unchanged; and an append never turns a failing log into one that verifies."""
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import assume, given, settings, strategies as st

from pqzk.errors import PqzkError
from pqzk.policy.audit import AuditLog, default_head_file, records, verify_log

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    path = tmp_path_factory.mktemp("pristine") / "audit.db"
    with AuditLog(path, KEY) as log:
        for i in range(12):
            log.append(["request", "decision", "note"][i % 3], {"n": i, "who": "ü" * (i % 4), "pad": "x" * (i * 20)})
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0   # all in the file
    return Pristine(path.read_bytes(), default_head_file(path).read_bytes(), list(records(path)))


class Pristine(tuple):
    """(database bytes, head file bytes, records), with a short repr for hypothesis reports."""

    def __new__(cls, *items):
        return super().__new__(cls, items)

    def __repr__(self):
        return f"<pristine log: {len(self[0])}-byte database, {len(self[2])} records>"


def _outcome(action):
    """('ok', value) or ('error', message); anything but a pqzk error fails the test."""
    try:
        return "ok", action()
    except PqzkError as exc:
        assert str(exc), "a pqzk error with no message"
        return "error", str(exc)


def _check(db: bytes, head_file: bytes, originals) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "audit.db"
        path.write_bytes(db)
        default_head_file(path).write_bytes(head_file)
        verified, head = _outcome(lambda: verify_log(path))
        read, got = _outcome(lambda: list(records(path)))
        if verified == "ok":
            assert head.seq == len(originals)          # the head file is an anchor: nothing dropped
            assert read == "ok" and got == originals   # nothing changed
        else:
            assert str(path) in head or "head file" in head
        wrote, rec = _outcome(lambda: _append(path))
        after, now = _outcome(lambda: verify_log(path))
        if verified == "ok":
            # the records are intact; the append is done, or refused when the damage is in a
            # part only writing uses (an index page): either way nothing is broken by it
            assert after == "ok"
            assert now.seq == len(originals) + (wrote == "ok")
        else:
            assert after == "error"                    # an append never hides the damage


def _append(path):
    with AuditLog(path, KEY) as log:
        return log.append("note", {"after": "corruption"})


corruptions = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=4)


def _flipped(data: bytes, flips) -> bytes:
    """`data` with each (relative position, xor mask) applied."""
    out = bytearray(data)
    for where, xor in flips:
        out[int(where * len(out))] ^= xor
    return bytes(out)


@settings(max_examples=250)
@given(corruptions)
def test_random_database_corruption(pristine, flips):
    db, head_file, originals = pristine
    _check(_flipped(db, flips), head_file, originals)


@settings(max_examples=60)
@given(st.integers(0, 1 << 16), st.binary(max_size=64))
def test_random_database_truncation_or_extension(pristine, cut, tail):
    db, head_file, originals = pristine
    _check(db[:cut] + tail, head_file, originals)


@settings(max_examples=80)
@given(corruptions)
def test_random_head_file_corruption(pristine, flips):
    db, head_file, _ = pristine
    data = _flipped(head_file, flips)
    assume(data != head_file)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "audit.db"
        path.write_bytes(db)
        default_head_file(path).write_bytes(data)
        for action in (lambda: verify_log(path), lambda: AuditLog(path, KEY)):
            status, msg = _outcome(action)
            assert status == "error" and "head file" in msg   # any change to the signed file is refused
