"""Directory stores (file:, and the TPM's) made by racing processes, opened with the right and the
wrong passphrase, made by an older pqzk (no verifier), or with a damaged marker."""
from __future__ import annotations

import json

import pytest
from token_procs import spawn
from token_stores import PASSPHRASE, meta

from pqzk.errors import AuthenticationError, PqzkError
from pqzk.tokens import StoreNeedsUpgrade, TokenAbsent, TokenError, WrongPin, open_store
from pqzk.tokens.envelope import seal
from pqzk.tokens.passphrase import KdfParams, PassphraseSealer
from pqzk.tokens.sealed_file import MARKER, FileShareStore

FAST = KdfParams.fast_for_tests()
ROUNDS = 200


def _open(path, secret=PASSPHRASE, **kw):
    return FileShareStore(path, secret, kdf=FAST, **kw)


def _creator(base, who: int, passphrase: str) -> str:
    """A process that, ROUNDS times, waits for the other creator and then makes the same new store
    at the same moment, writes a share into it and reads it back; prints what happened."""
    return f"""
import json, os
from pqzk.tokens.sealed_file import FileShareStore
from pqzk.tokens.passphrase import KdfParams
from token_stores import meta
base, out = {str(base)!r}, []
for i in range({ROUNDS}):
    open(os.path.join(base, "ready-%d-{who}" % i), "w").close()
    while not all(os.path.exists(os.path.join(base, "ready-%d-%d" % (i, w))) for w in (1, 2)):
        os.sched_yield()
    try:
        s = FileShareStore(os.path.join(base, "s%d" % i, "store"), {passphrase!r}, create=True,
                           kdf=KdfParams.fast_for_tests())
        s.put(bytes([{who}]) * 32, meta("own-{who}"))
        with s.get("own-{who}") as u:
            assert u.value == bytes([{who}]) * 32
        out.append("ok")
    except Exception as exc:
        out.append(type(exc).__name__ + ": " + str(exc))
print(json.dumps(out))
"""


def _race(tmp_path, passphrases: tuple[str, str]) -> list[tuple[str, str]]:
    procs = [spawn(_creator(tmp_path, w, passphrases[w - 1])) for w in (1, 2)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    return list(zip(*results))


def test_racing_creators_with_one_passphrase_share_one_usable_store(tmp_path):
    """Both processes create the same new store (and its parent directory) at once, ROUNDS times:
    both always succeed and see each other's share — no OSError from a removed temp file."""
    for i, outcome in enumerate(_race(tmp_path, (PASSPHRASE, PASSPHRASE))):
        assert outcome == ("ok", "ok"), (i, outcome)
        store = _open(tmp_path / f"s{i}" / "store")
        assert [m.key_id for m in store.list()] == ["own-1", "own-2"]
        assert not list((tmp_path / f"s{i}" / "store").glob(".tmp-*"))


def test_racing_creators_with_two_passphrases_one_wins_the_other_is_refused(tmp_path):
    for i, outcome in enumerate(_race(tmp_path, ("passphrase one", "passphrase two"))):
        assert sorted(outcome)[1] == "ok", (i, outcome)
        loser = sorted(outcome)[0]
        assert loser.startswith("WrongPin: a store already exists") and "nothing was changed" in loser, (i, outcome)
        assert "passphrase one" not in loser and "passphrase two" not in loser
        winner = "passphrase one" if outcome[0] == "ok" else "passphrase two"
        assert len(_open(tmp_path / f"s{i}" / "store", winner).list()) == 1


def test_every_open_checks_the_passphrase(tmp_path):
    store = _open(tmp_path / "s", create=True)
    store.put(b"\x01" * 32, meta())
    for secret in ("hunter2-not-it", PASSPHRASE + " ", PASSPHRASE[:-1]):
        with pytest.raises(WrongPin, match="wrong passphrase") as ei:
            _open(tmp_path / "s", secret)
        assert secret not in str(ei.value)
        with pytest.raises(WrongPin, match="nothing was changed"):   # `init` with another passphrase
            _open(tmp_path / "s", secret, create=True)
    assert _open(tmp_path / "s", create=True).list() == [meta()]    # init again, same passphrase: fine


def test_one_passphrase_try_per_open(tmp_path, monkeypatch):
    _open(tmp_path / "s", create=True).put(b"\x01" * 32, meta())
    tries = []
    real = PassphraseSealer.recover_key
    monkeypatch.setattr(PassphraseSealer, "recover_key", lambda self, p: tries.append(1) or real(self, p))
    with pytest.raises(WrongPin):
        _open(tmp_path / "s", "wrong")
    assert len(tries) == 1
    tries.clear()
    with _open(tmp_path / "s").get("share-1") as u:
        assert u.value == b"\x01" * 32


def test_verifier_is_sealed_with_the_store_kdf(tmp_path):
    """The verifier record is a sealed record like any share: same envelope, same KDF parameters;
    a later session seals new records with those parameters whatever `kdf` it was given."""
    from pqzk.tokens.envelope import SealedRecord
    from pqzk.tokens.passphrase import SCRYPT
    scrypt = KdfParams.fast_for_tests(SCRYPT)
    FileShareStore(tmp_path / "s", PASSPHRASE, create=True, kdf=scrypt)
    marker = (tmp_path / "s" / MARKER).read_text().splitlines()
    assert marker[:2] == ["pqzk share store v2", "sealer=passphrase"]
    verifier = SealedRecord.from_bytes(bytes.fromhex(marker[2].removeprefix("verifier=")))
    assert verifier.sealer_id == "passphrase" and verifier.sealer_params[0] == SCRYPT
    FileShareStore(tmp_path / "s", PASSPHRASE).put(b"\x02" * 32, meta())   # default KDF asked for
    rec = SealedRecord.from_bytes((tmp_path / "s" / "share-1.share").read_bytes())
    assert rec.sealer_params[:29] == verifier.sealer_params[:29]          # store's KDF and salt


def _legacy(path, records: dict[str, str]) -> None:
    """A store as pqzk made it before verifiers: a v1 marker, records under these passphrases."""
    path.mkdir()
    (path / MARKER).write_text("pqzk share store v1\nsealer=passphrase\n")
    for key_id, secret in records.items():
        rec = seal(b"\x05" * 32, meta(key_id), PassphraseSealer(secret, FAST))
        (path / f"{key_id}.share").write_bytes(rec.to_bytes())


def test_legacy_store_is_refused_with_the_upgrade_step(tmp_path):
    _legacy(tmp_path / "s", {"a": PASSPHRASE})
    for secret in (PASSPHRASE, "anything"):
        with pytest.raises(StoreNeedsUpgrade, match="--upgrade") as ei:
            open_store(f"file:{tmp_path / 's'}", secret)
        assert "pqzk token init file:" in str(ei.value) and secret not in str(ei.value)
        with pytest.raises(StoreNeedsUpgrade):             # init without --upgrade does not adopt it
            open_store(f"file:{tmp_path / 's'}", secret, create=True)
    assert "verifier" not in (tmp_path / "s" / MARKER).read_text()


def test_upgrade_checks_every_record_first(tmp_path):
    _legacy(tmp_path / "s", {"a": PASSPHRASE, "b": PASSPHRASE})
    before = (tmp_path / "s" / MARKER).read_bytes()
    with pytest.raises(WrongPin, match="does not open with this secret"):
        open_store(f"file:{tmp_path / 's'}", "wrong", upgrade=True)
    assert (tmp_path / "s" / MARKER).read_bytes() == before       # nothing changed
    store = open_store(f"file:{tmp_path / 's'}", PASSPHRASE, upgrade=True)
    assert [m.key_id for m in store.list()] == ["a", "b"]
    with pytest.raises(WrongPin):                                  # from now on, checked on open
        open_store(f"file:{tmp_path / 's'}", "wrong")
    with open_store(f"file:{tmp_path / 's'}", PASSPHRASE).get("b") as u:
        assert u.value == b"\x05" * 32


def test_upgrade_refuses_a_store_with_records_under_two_passphrases(tmp_path):
    _legacy(tmp_path / "s", {"a": PASSPHRASE, "z": "another passphrase"})
    for secret in (PASSPHRASE, "another passphrase"):
        with pytest.raises(WrongPin, match=r"\.share does not open") as ei:
            open_store(f"file:{tmp_path / 's'}", secret, upgrade=True)
        assert "nothing was changed" in str(ei.value)
    assert "verifier" not in (tmp_path / "s" / MARKER).read_text()


def test_upgrade_of_an_empty_legacy_store_and_of_a_current_one(tmp_path):
    _legacy(tmp_path / "s", {})
    open_store(f"file:{tmp_path / 's'}", PASSPHRASE, upgrade=True)
    with pytest.raises(WrongPin):
        open_store(f"file:{tmp_path / 's'}", "wrong", upgrade=True)   # a current store: just checked
    with pytest.raises(PqzkError, match="file: and tpm:"):
        open_store("pkcs11:token=x", "1234", upgrade=True)


def _damage(path, data: bytes | None = None, *, directory: bool = False) -> None:
    m = path / MARKER
    m.unlink()
    if directory:
        m.mkdir()
    else:
        m.write_bytes(data)


@pytest.mark.parametrize("data", [
    b"", b"\xff\xfe binary", b"pqzk share store v9\nsealer=passphrase\n", b"pqzk share store v2\nno equals\n",
    b"pqzk share store v2\nsealer=passphrase\n",                           # verifier missing
    b"pqzk share store v2\nsealer=passphrase\nverifier=zz\n",              # not hex
    b"pqzk share store v2\nsealer=passphrase\nverifier=00\n",              # not a record
    b"pqzk share store v2\nsealer=passphrase\n" + b"x=" + b"y" * 70000 + b"\n",
], ids=["empty", "binary", "version", "syntax", "no-verifier", "not-hex", "not-record", "huge"])
def test_damaged_marker_is_a_token_error(tmp_path, data):
    _open(tmp_path / "s", create=True)
    _damage(tmp_path / "s", data)
    for create in (False, True):
        with pytest.raises(TokenError, match="damaged|lacks the verifier"):
            _open(tmp_path / "s", create=create)


def test_marker_that_is_a_directory_or_a_store_path_that_is_a_file(tmp_path):
    _open(tmp_path / "s", create=True)
    _damage(tmp_path / "s", directory=True)
    with pytest.raises(TokenError, match="cannot read"):
        _open(tmp_path / "s")
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(TokenAbsent):
        _open(tmp_path / "f")
    with pytest.raises(TokenError, match="cannot create store directory"):
        _open(tmp_path / "f", create=True)
    with pytest.raises(TokenError, match="cannot create store directory"):
        _open(tmp_path / "f" / "sub", create=True)


def test_altered_or_swapped_verifier(tmp_path):
    _open(tmp_path / "s", create=True)
    lines = (tmp_path / "s" / MARKER).read_text().splitlines()
    raw = bytearray(bytes.fromhex(lines[2].removeprefix("verifier=")))
    raw[-1] ^= 1                                                           # the GCM tag
    _damage(tmp_path / "s", "\n".join(lines[:2] + ["verifier=" + raw.hex()]).encode())
    with pytest.raises(AuthenticationError, match="verifier record does not open"):
        _open(tmp_path / "s")
    # another store's verifier (another passphrase) in this store's marker: refused as wrong
    _open(tmp_path / "t", "another passphrase", create=True)
    _damage(tmp_path / "s", (tmp_path / "t" / MARKER).read_bytes())
    with pytest.raises(WrongPin):
        _open(tmp_path / "s")


def test_a_store_lock_that_cannot_be_taken_is_a_token_error(tmp_path):
    store = _open(tmp_path / "s", create=True)
    (tmp_path / "s" / ".lock").unlink()
    (tmp_path / "s" / ".lock").mkdir()                        # something else in the lock's place
    with pytest.raises(TokenError, match=f"cannot open lock file {tmp_path / 's' / '.lock'}"):
        store.put(b"\x01" * 32, meta())
    with pytest.raises(TokenError, match="cannot open lock file"):
        _open(tmp_path / "s", create=True)
