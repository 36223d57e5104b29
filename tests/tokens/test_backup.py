"""Backup to an offline recovery key (ML-KEM-768 + X25519) and re-import into another store."""
from __future__ import annotations

import pytest
from token_stores import FileBackend, Pkcs11Backend, frost_share, meta as _meta

from pqzk.errors import AuthenticationError, InvalidEncoding, InvalidParameter
from pqzk.tokens import WrongGroup, WrongPin
from pqzk.tokens.backup import (backup_metadata, export_backup, import_backup, load_recovery_key,
                                open_backup, save_recovery_key)
from pqzk.tokens.passphrase import KdfParams
from pqzk.tokens.recipient import RecipientPublicKey, RecipientSealer, generate
from pqzk.tokens.sealed_file import DirectoryShareStore

SHARE, GROUP_PK = frost_share(party=4)   # a real key package: imports check shares against their group


def meta(**kw):
    return _meta(gpk=GROUP_PK, **{"party": 4, **kw})


@pytest.fixture(scope="module")
def recovery():
    return generate()


@pytest.fixture
def source(tmp_path):
    s = FileBackend(tmp_path).open()
    s.put(SHARE, meta())
    return s


def test_hybrid_kem_roundtrip(recovery):
    pub = recovery.public_key()
    ss, ct = pub.encapsulate()
    assert recovery.decapsulate(ct) == ss and len(ss) == 32
    ss2, ct2 = pub.encapsulate()
    assert ss2 != ss and ct2 != ct
    # ML-KEM implicit rejection / X25519: a flipped ciphertext byte gives another secret
    for i in (0, len(ct) - 1):
        bad = bytearray(ct)
        bad[i] ^= 1
        assert recovery.decapsulate(bytes(bad)) != ss
    assert "redacted" in repr(recovery)


def test_recipient_public_key_encoding(recovery):
    pub = recovery.public_key()
    assert RecipientPublicKey.from_bytes(pub.to_bytes()) == pub
    raw = pub.to_bytes()
    for bad in (b"", raw[:-1], raw + b"\x00", b"\x04nope" + raw[16:]):
        with pytest.raises((InvalidEncoding, InvalidParameter)):
            RecipientPublicKey.from_bytes(bad)


def test_export_import_into_another_backend(source, recovery):
    data = export_backup(source, "share-1", recovery.public_key())
    assert SHARE not in data
    assert backup_metadata(data) == meta()
    target = Pkcs11Backend().open()
    try:
        got = import_backup(data, recovery, target, group_public_key=GROUP_PK)
        assert got == meta()
        with target.get("share-1") as u:
            assert u.value == SHARE and u.metadata.party_id == 4
    finally:
        target.close()


def test_import_into_file_store(source, recovery, tmp_path):
    data = export_backup(source, "share-1", recovery.public_key())
    target = FileBackend(tmp_path).open(secret="another passphrase")
    import_backup(data, recovery, target)
    with target.get("share-1") as u:
        assert u.value == SHARE


@pytest.mark.parametrize("where", ["metadata", "kem", "ciphertext"])
def test_tampered_backup_is_refused(source, recovery, where):
    data = bytearray(export_backup(source, "share-1", recovery.public_key()))
    i = {"metadata": data.index(b"\x00\x00\x00\x04"), "kem": len(data) - 12 - 4 - 48 - 600,
         "ciphertext": len(data) - 1}[where]
    if where == "metadata":
        data[i + 3] = 5          # party 4 -> 5
    else:
        data[i] ^= 1
    with pytest.raises(AuthenticationError):
        open_backup(bytes(data), recovery)


def test_backup_for_another_recovery_key(source, recovery):
    data = export_backup(source, "share-1", recovery.public_key())
    with pytest.raises(InvalidParameter, match="another recovery key"):
        open_backup(data, generate())


def test_backup_for_another_group(source, recovery, tmp_path):
    data = export_backup(source, "share-1", recovery.public_key())
    target = FileBackend(tmp_path).open()
    with pytest.raises(WrongGroup):
        import_backup(data, recovery, target, group_public_key=b"\x03" + bytes(32))
    assert not target.exists("share-1")


def test_backup_decoder_negatives(source, recovery):
    data = export_backup(source, "share-1", recovery.public_key())
    for bad in (b"", data[:10], data + b"\x00", b"X" + data[1:], data[:-30]):
        with pytest.raises(InvalidEncoding):
            open_backup(bad, recovery)


def test_recovery_key_file(recovery):
    blob = save_recovery_key(recovery, "offline passphrase", KdfParams.fast_for_tests())
    assert recovery.secret not in blob
    assert load_recovery_key(blob, "offline passphrase") == recovery
    with pytest.raises(WrongPin):
        load_recovery_key(blob, "wrong")
    bad = bytearray(blob)
    bad[-1] ^= 1
    with pytest.raises(AuthenticationError):
        load_recovery_key(bytes(bad), "offline passphrase")


def test_store_sealed_to_a_recipient_key(tmp_path, recovery):
    """Sealed-file store in recipient mode: anyone with the public key can seal, only the
    private-key holder can unseal."""
    pub = recovery.public_key()
    writer = DirectoryShareStore(tmp_path / "r", RecipientSealer(pub), create=True)
    writer.put(SHARE, meta())
    with pytest.raises(InvalidParameter, match="public key only"):
        with writer.get("share-1"):
            pass
    reader = DirectoryShareStore(tmp_path / "r", RecipientSealer(pub, recovery))
    with reader.get("share-1") as u:
        assert u.value == SHARE
    with pytest.raises(InvalidParameter):
        RecipientSealer(pub, generate())


def test_xwing_recovery_key_matches_the_draft_vectors():
    """The X-Wing adapter against draft-connolly-cfrg-xwing-kem vectors (decapsulation side)."""
    from conftest import load_vectors
    from pqzk.tokens.recipient import RecipientPrivateKey, available_kems
    assert "xwing" in available_kems()
    for v in load_vectors("xwing/test-vectors.json"):
        sk = RecipientPrivateKey("xwing", bytes.fromhex(v["seed"]))
        assert sk.public_key().key == bytes.fromhex(v["pk"])
        assert sk.decapsulate(bytes.fromhex(v["ct"])) == bytes.fromhex(v["ss"])


@pytest.mark.parametrize("kem", ["xwing", "mlkem768-x25519"])
def test_backup_roundtrip_with_each_kem(source, tmp_path, kem):
    rec = generate(kem)
    data = export_backup(source, "share-1", rec.public_key())
    assert backup_metadata(data) == meta()
    target = FileBackend(tmp_path).open()
    import_backup(data, rec, target)
    with target.get("share-1") as u:
        assert u.value == SHARE
    blob = save_recovery_key(rec, "p", KdfParams.fast_for_tests())
    assert load_recovery_key(blob, "p") == rec
