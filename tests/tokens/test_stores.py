"""The ShareStore contract, run against every backend: sealed file, PKCS#11 (SoftHSM2), TPM (swtpm)."""
from __future__ import annotations

import pytest
from token_stores import GROUP_PK, FileBackend, Pkcs11Backend, TpmBackend, meta
from token_env import swtpm  # noqa: F401  (fixture)

from pqzk.errors import AuthenticationError, InvalidEncoding, InvalidParameter, VerificationError
from pqzk.tokens import ShareExists, ShareNotFound, ShareStore, WrongGroup
from pqzk.tokens import heldkeys

SHARE = bytes(range(1, 65))


@pytest.fixture(params=["file", "pkcs11", "tpm"])
def backend(request, tmp_path):
    if request.param == "file":
        return FileBackend(tmp_path)
    if request.param == "pkcs11":
        return Pkcs11Backend()
    return TpmBackend(tmp_path, request.getfixturevalue("swtpm"))


@pytest.fixture
def store(backend):
    s = backend.open()
    yield s
    s.close()


def test_is_a_share_store(store):
    assert isinstance(store, ShareStore)


def test_put_get_roundtrip_and_wipe(store):
    store.put(SHARE, meta())
    with store.get("share-1") as u:
        assert u.value == SHARE
        assert u.metadata == meta()
        assert "redacted" in repr(u) and SHARE.hex() not in repr(u)
    with pytest.raises(InvalidParameter):
        u.value  # noqa: B018 — the share is wiped once the block ends


def test_list_exists_metadata_delete(store):
    assert store.list() == [] and not store.exists("a")
    store.put(b"\x01" * 32, meta("b", party=2))
    store.put(b"\x02" * 32, meta("a", party=1))
    assert [m.key_id for m in store.list()] == ["a", "b"]
    assert store.exists("a") and store.metadata("b") == meta("b", party=2)
    store.delete("a")
    assert not store.exists("a") and [m.key_id for m in store.list()] == ["b"]
    with pytest.raises(ShareNotFound):
        store.delete("a")
    with pytest.raises(ShareNotFound):
        with store.get("a"):
            pass
    with pytest.raises(ShareNotFound):
        store.metadata("a")


def test_overwrite_only_when_asked(store):
    store.put(b"\x01" * 32, meta())
    with pytest.raises(ShareExists):
        store.put(b"\x02" * 32, meta())
    with store.get("share-1") as u:
        assert u.value == b"\x01" * 32
    store.put(b"\x02" * 32, meta(t=3), overwrite=True)
    with store.get("share-1") as u:
        assert u.value == b"\x02" * 32 and u.metadata.threshold == 3
    assert len(store.list()) == 1


def test_share_for_another_group_is_refused(store):
    store.put(SHARE, meta())
    other = bytes([GROUP_PK[0]]) + bytes(32)
    with pytest.raises(WrongGroup):
        with store.get("share-1", group_public_key=other):
            pass
    with pytest.raises(WrongGroup):
        with store.get("share-1", ciphersuite="FROST-ED25519-SHA512-v1"):
            pass
    with store.get("share-1", group_public_key=GROUP_PK, ciphersuite="FROST-secp256k1-SHA256-v1") as u:
        assert u.value == SHARE


def _flip_in_ciphertext(raw: bytes) -> bytes:
    return raw[:-1] + bytes([raw[-1] ^ 1])          # the record ends with the GCM tag


@pytest.mark.parametrize("where", ["ciphertext", "party", "group", "threshold"])
def test_tampered_record_returns_nothing(backend, store, where):
    store.put(SHARE, meta(party=7))
    raw = backend.read_raw(store, "share-1")
    if where == "ciphertext":
        bad = _flip_in_ciphertext(raw)
    elif where == "party":   # party id 7 as u32 inside the metadata
        i = raw.index(b"\x00\x00\x00\x07")
        bad = raw[:i] + b"\x00\x00\x00\x08" + raw[i + 4:]
    elif where == "group":
        i = raw.index(GROUP_PK)
        bad = raw[:i + 5] + bytes([raw[i + 5] ^ 0x80]) + raw[i + 6:]
    else:
        i = raw.index(b"FROST-secp256k1-SHA256-v1") + len("FROST-secp256k1-SHA256-v1")
        bad = raw[:i] + b"\x00\x09" + raw[i + 2:]
    assert bad != raw
    backend.write_raw(store, "share-1", bad)
    with pytest.raises(AuthenticationError):
        with store.get("share-1"):
            pytest.fail("tampered share was returned")
    backend.write_raw(store, "share-1", raw)      # the untouched record still opens
    with store.get("share-1") as u:
        assert u.value == SHARE


def test_truncated_record_is_an_encoding_error(backend, store):
    store.put(SHARE, meta())
    raw = backend.read_raw(store, "share-1")
    backend.write_raw(store, "share-1", raw[:-20])
    with pytest.raises((InvalidEncoding, AuthenticationError)):
        with store.get("share-1"):
            pass


def test_reopen_sees_the_same_shares(backend, store):
    store.put(SHARE, meta())
    store.close()
    again = backend.open(create=False)
    try:
        with again.get("share-1") as u:
            assert u.value == SHARE
    finally:
        again.close()


def test_bad_key_ids_are_refused(store):
    for bad in ["", "../x", "a/b", "x" * 65, ".hidden"]:
        with pytest.raises(InvalidParameter):
            store.exists(bad)


@pytest.mark.parametrize("algorithm", ["ecdsa-p256", "ed25519"])
def test_held_key_signs_and_openssl_verifies(store, algorithm):
    pk = store.generate_held_key("sig", algorithm)
    assert store.held_public_key("sig") == pk
    msg = b"composite signature: classical half"
    sig = store.sign_with_held_key("sig", msg)
    heldkeys.verify(algorithm, pk, msg, sig)     # OpenSSL via cryptography
    with pytest.raises(VerificationError):
        heldkeys.verify(algorithm, pk, msg + b"!", sig)
    with pytest.raises(ShareExists):
        store.generate_held_key("sig", algorithm)
    with pytest.raises(ShareNotFound):
        store.sign_with_held_key("nope", msg)


def test_shamir_share_roundtrip_through_store(store):
    from pqzk.groups import get_group
    from pqzk.sharing.shamir import Share
    g = get_group("secp256k1")
    share = Share(3, g.order - 5)
    store.put(share.to_bytes(g), meta(party=3))
    with store.get("share-1") as u:
        assert u.as_share(g) == share
