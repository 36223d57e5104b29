"""Sealed-file store: KDFs, wrong passphrase, absent store, disk full, crash mid-write, two writers."""
from __future__ import annotations

import errno
import os
import signal
import struct

import pytest
from token_procs import run, spawn
from token_stores import PASSPHRASE, FileBackend, meta

from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.tokens import StoreFull, TokenAbsent, WrongPin, open_store
from pqzk.tokens.envelope import SealedRecord
from pqzk.tokens.passphrase import ARGON2ID, SCRYPT, KdfParams, PassphraseSealer, argon2_available
from pqzk.tokens.sealed_file import FileShareStore


@pytest.fixture
def backend(tmp_path):
    return FileBackend(tmp_path)


@pytest.fixture
def store(backend):
    return backend.open()


@pytest.mark.parametrize("kdf", [SCRYPT, ARGON2ID])
def test_both_kdfs_roundtrip_and_record_their_parameters(tmp_path, kdf):
    if kdf == ARGON2ID and not argon2_available():
        pytest.skip("this cryptography build has no Argon2id")
    s = FileShareStore(tmp_path / "s", PASSPHRASE, create=True, kdf=KdfParams.fast_for_tests(kdf))
    s.put(b"\x05" * 32, meta())
    rec = SealedRecord.from_bytes((tmp_path / "s" / "share-1.share").read_bytes())
    assert rec.sealer_id == "passphrase" and rec.sealer_params[0] == kdf
    # a store opened with other default KDF settings still reads it: parameters come from the record
    with FileShareStore(tmp_path / "s", PASSPHRASE).get("share-1") as u:
        assert u.value == b"\x05" * 32


def test_scrypt_matches_rfc7914_vector():
    # RFC 7914 §12, second vector: P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64 (first 32 bytes)
    k = KdfParams(SCRYPT, 10, 8, 16).derive(b"password", b"NaCl")
    assert k.hex() == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"


def test_wrong_passphrase_is_a_clear_error(backend, store):
    store.put(b"\x01" * 32, meta())
    with pytest.raises(WrongPin, match="wrong passphrase") as ei:   # refused on open, before any listing
        backend.open(secret="not the passphrase", create=False)
    assert "not the passphrase" not in str(ei.value)


def test_kdf_parameters_are_bounded(backend, store):
    """A doctored record asking for a 2^30 scrypt (a memory bomb) is refused before deriving."""
    store.put(b"\x01" * 32, meta())
    raw = backend.read_raw(store, "share-1")
    rec = SealedRecord.from_bytes(raw)
    p = bytearray(rec.sealer_params)
    p[0] = SCRYPT
    p[17:29] = struct.pack(">III", 30, 8, 1)
    bad = SealedRecord(rec.metadata, rec.sealer_id, bytes(p), rec.nonce, rec.ciphertext)
    backend.write_raw(store, "share-1", bad.to_bytes())
    with pytest.raises(InvalidEncoding, match="outside"):
        with store.get("share-1"):
            pass


def test_empty_passphrase_refused(tmp_path):
    with pytest.raises(InvalidParameter):
        PassphraseSealer("")
    with pytest.raises(InvalidParameter):
        open_store(f"file:{tmp_path}", None)


def test_store_absent(tmp_path):
    with pytest.raises(TokenAbsent, match="no pqzk share store"):
        open_store(f"file:{tmp_path / 'missing'}", PASSPHRASE)


def test_record_decoder_rejects_garbage(store, backend):
    store.put(b"\x01" * 32, meta())
    raw = backend.read_raw(store, "share-1")
    for bad in (b"", b"PQZKSEAL", b"XXXXXXXX" + raw[8:], raw + b"\x00", raw[:40]):
        with pytest.raises(InvalidEncoding):
            SealedRecord.from_bytes(bad)


def test_disk_full_keeps_the_old_share(store, backend, monkeypatch):
    store.put(b"\x01" * 32, meta())
    real_write = os.write

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StoreFull, match="no space"):
        store.put(b"\x02" * 32, meta(), overwrite=True)
    monkeypatch.setattr(os, "write", real_write)
    with store.get("share-1") as u:
        assert u.value == b"\x01" * 32
    assert not list(backend.dir.glob(".tmp-*"))


def _child(backend) -> str:
    return f"""
import os
from pqzk.tokens import open_store
from pqzk.tokens.passphrase import KdfParams
from token_stores import meta
store = open_store({backend.uri!r}, {PASSPHRASE!r}, kdf=KdfParams.fast_for_tests())
"""


def test_crash_before_rename_leaves_old(store, backend):
    store.put(b"\x01" * 32, meta())
    res = run(_child(backend) + """
os.replace = lambda a, b: os._exit(9)     # die after the temp file is written and fsynced
store.put(b"\\x02" * 32, meta(), overwrite=True)
""")
    assert res.returncode == 9, res.stderr
    assert list(backend.dir.glob(".tmp-*"))          # the half-done write is visible only as a temp file
    with store.get("share-1") as u:
        assert u.value == b"\x01" * 32
    assert [m.key_id for m in store.list()] == ["share-1"]
    store.put(b"\x03" * 32, meta(), overwrite=True)  # the next writer removes the leftover
    assert not list(backend.dir.glob(".tmp-*"))


def test_killed_writer_leaves_old_or_new(store, backend):
    """SIGKILL a process that rewrites the share in a loop: the record is always one whole version."""
    store.put(b"\x00" * 32, meta())
    p = spawn(_child(backend) + """
import sys
i = 0
while True:
    i += 1
    store.put(bytes([i % 2 + 1]) * 32, meta(), overwrite=True)
    if i == 3:
        print("ready", flush=True)
""")
    assert p.stdout.readline().strip() == "ready"
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    with store.get("share-1") as u:
        assert u.value in (b"\x01" * 32, b"\x02" * 32)


def test_two_processes_writing_at_once(store, backend):
    store.put(b"\x00" * 32, meta())
    go = backend.dir / "go"
    writers = []
    for w in (1, 2):
        writers.append(spawn(_child(backend) + f"""
import time
while not os.path.exists({str(go)!r}):
    time.sleep(0.01)
won = 0
for i in range(10):
    store.put(bytes([{w}]) * 32, meta(), overwrite=True)
    store.put(bytes([{w}]) * 32, meta(key_id="own-{w}-%d" % i))
    try:
        store.put(bytes([{w}]) * 32, meta(key_id="race-%d" % i))
        won += 1
    except Exception as exc:
        assert type(exc).__name__ == "ShareExists", exc
print(won)
"""))
    go.write_bytes(b"")
    won = 0
    for p in writers:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        won += int(out.strip())
    assert won == 10                                   # each create-only key went to exactly one writer
    with store.get("share-1") as u:
        assert u.value in (b"\x01" * 32, b"\x02" * 32)
    ids = {m.key_id for m in store.list()}
    assert {f"own-{w}-{i}" for w in (1, 2) for i in range(10)} <= ids
    assert not list(backend.dir.glob(".tmp-*"))


def test_one_kdf_run_per_open_store(tmp_path, monkeypatch):
    calls = []
    real = KdfParams.derive
    monkeypatch.setattr(KdfParams, "derive", lambda self, pw, salt: calls.append(salt) or real(self, pw, salt))
    s = FileShareStore(tmp_path / "s", PASSPHRASE, create=True, kdf=KdfParams.fast_for_tests())
    for i in range(3):
        s.put(bytes([i]) * 32, meta(f"k{i}"))
        with s.get(f"k{i}") as u:
            assert u.value == bytes([i]) * 32
    assert len(calls) == 1
    again = FileShareStore(tmp_path / "s", PASSPHRASE)      # a new session derives once more
    for i in range(3):
        with again.get(f"k{i}"):
            pass
    assert len(calls) == 2
    again.put(b"\x09" * 32, meta("k3"))                     # new records: the store's KDF and salt
    assert len(calls) == 2
    for _ in range(2):                                      # one KDF run per refused open
        with pytest.raises(WrongPin):
            FileShareStore(tmp_path / "s", "wrong")
    assert len(calls) == 4
