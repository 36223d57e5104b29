"""PKCS#11 backend against a real SoftHSM2 token: mechanism probe, key properties and the failure
cases of issue 8 §4 (wrong PIN once, locked PIN, token absent, token full, crash, two writers)."""
from __future__ import annotations

import pytest
from token_procs import run, spawn
from token_stores import Pkcs11Backend, meta
from token_env import USER_PIN, pkcs11_uri, require_softhsm, softhsm_dir

import pqzk.tokens.pkcs11 as p11store
from pqzk.errors import BackendUnavailable
from pqzk.tokens import (PinLocked, StoreFull, TokenAbsent, UnsupportedMechanism, WrongPin, heldkeys,
                         open_store)


@pytest.fixture
def backend():
    return Pkcs11Backend()


@pytest.fixture
def store(backend):
    s = backend.open()
    yield s
    s.close()


def test_mechanism_probe_on_softhsm(store):
    rep = store.mechanisms
    for op in ("seal shares", "sign ecdsa-p256", "sign ed25519"):
        assert rep.supports(op), rep.describe()
    # SoftHSM2 2.6 has raw ECDSA only and no ML-DSA: the probe says so by name
    assert "ECDSA" in rep.available and "ECDSA_SHA256" not in rep.available
    assert not rep.supports("sign ml-dsa")
    assert "cannot sign ml-dsa: missing ML_DSA_KEY_PAIR_GEN, ML_DSA" in rep.describe()


def test_missing_mechanism_is_named(store):
    store.mechanisms = p11store.MechanismReport(store.mechanisms.available - {"EDDSA"},
                                                {**store.mechanisms.missing, "sign ed25519": ("EDDSA",)})
    with pytest.raises(UnsupportedMechanism, match="cannot sign ed25519: missing EDDSA"):
        store.generate_held_key("ed", "ed25519")


def test_token_without_aes_gcm_is_refused_before_login(backend, monkeypatch):
    real = p11store.probe_mechanisms

    def no_gcm(token):
        rep = real(token)
        return p11store.MechanismReport(rep.available - {"AES_GCM"}, {**rep.missing, "seal shares": ("AES_GCM",)})
    monkeypatch.setattr(p11store, "probe_mechanisms", no_gcm)
    with pytest.raises(UnsupportedMechanism, match="missing AES_GCM"):
        backend.open()


def test_sealing_key_is_non_extractable(store):
    import pkcs11
    from pkcs11 import Attribute
    store.put(b"\x01" * 32, meta())
    key = store._seal_key(create=False)
    assert key[Attribute.SENSITIVE] and not key[Attribute.EXTRACTABLE] and key[Attribute.TOKEN]
    assert key[Attribute.VALUE_LEN] == 32
    with pytest.raises(pkcs11.exceptions.AttributeSensitive):
        key[Attribute.VALUE]
    store.generate_held_key("p", "ecdsa-p256")
    priv = store._held("p", pkcs11.ObjectClass.PRIVATE_KEY)
    assert priv[Attribute.SENSITIVE] and not priv[Attribute.EXTRACTABLE]


def test_record_binds_the_sealing_key_id(backend, store):
    """AD binds the sealing key id: a record claiming another key id does not open."""
    store.put(b"\x01" * 32, meta())
    raw = backend.read_raw(store, "share-1")
    rec = p11store._Record.from_bytes(raw)
    other = p11store._Record(rec.metadata, bytes(16), rec.generation, rec.nonce, rec.ciphertext)
    backend.write_raw(store, "share-1", other.to_bytes())
    from pqzk.errors import AuthenticationError
    with pytest.raises(AuthenticationError):
        with store.get("share-1"):
            pass


def test_ed25519_and_p256_keys_sign_in_token_with_standard_encodings(store):
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    pk = store.generate_held_key("ed", "ed25519")
    ed25519.Ed25519PublicKey.from_public_bytes(pk)              # 32-byte RFC 8032 key
    sig = store.sign_with_held_key("ed", b"m")
    assert len(sig) == 64
    heldkeys.verify("ed25519", pk, b"m", sig)
    pk2 = store.generate_held_key("p", "ecdsa-p256")
    assert len(pk2) == 65 and pk2[0] == 4
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pk2)
    sig2 = store.sign_with_held_key("p", b"m")
    heldkeys.verify("ecdsa-p256", pk2, b"m", sig2)
    assert store.held_algorithm("ed") == "ed25519" and store.held_algorithm("p") == "ecdsa-p256"


class _CountingToken:
    """Wraps a python-pkcs11 Token: counts logins, can pretend to have other flags."""

    def __init__(self, token, extra_flags: int = 0) -> None:
        self._t, self.extra_flags, self.logins = token, extra_flags, 0

    def __getattr__(self, name):
        return getattr(self._t, name)

    @property
    def flags(self):
        return int(self._t.flags) | self.extra_flags

    def open(self, **kw):
        self.logins += 1
        return self._t.open(**kw)


def _wrap_token(monkeypatch, extra_flags: int = 0) -> list:
    made = []
    real = p11store.find_token

    def find(lib, label=None, serial=None):
        made.append(_CountingToken(real(lib, label, serial), extra_flags))
        return made[-1]
    monkeypatch.setattr(p11store, "find_token", find)
    return made


def test_wrong_pin_is_tried_once(backend, monkeypatch):
    made = _wrap_token(monkeypatch)
    with pytest.raises(WrongPin) as ei:
        backend.open(secret="9999")
    assert made[0].logins == 1
    assert "9999" not in str(ei.value)
    # the token counted that one failure (CKF_USER_PIN_COUNT_LOW) and the right PIN still works
    assert int(p11store.load_module().get_token(token_label=backend.label).flags) & 0x00010000
    backend.open().close()


@pytest.mark.parametrize("flag", [0x00040000, 0x00020000], ids=["locked", "final-try"])
def test_locked_or_final_try_pin_is_not_tried(backend, monkeypatch, flag):
    made = _wrap_token(monkeypatch, flag)
    with pytest.raises(PinLocked):
        backend.open()
    assert made[0].logins == 0


def test_token_absent(backend):
    require_softhsm()
    with pytest.raises(TokenAbsent, match="no PKCS#11 token"):
        open_store(pkcs11_uri("no-such-token"), USER_PIN)


def test_module_absent():
    with pytest.raises(BackendUnavailable, match="not found"):
        open_store("pkcs11:token=x?module-path=/nonexistent/libpkcs11.so", USER_PIN)


def test_closed_store_refuses(store):
    store.close()
    from pqzk.tokens import TokenError
    with pytest.raises(TokenError):
        store.exists("x")


class _FullSession:
    """A session whose token has no room left (SoftHSM2 has no object limit: the error is injected)."""

    def __init__(self, s) -> None:
        self._s = s

    def __getattr__(self, name):
        return getattr(self._s, name)

    def create_object(self, attrs):
        import pkcs11
        raise pkcs11.exceptions.DeviceMemory()


def test_token_full_keeps_the_old_share(store):
    store.put(b"\x01" * 32, meta())
    store._session = _FullSession(store._session)
    with pytest.raises(StoreFull, match="full"):
        store.put(b"\x02" * 32, meta(), overwrite=True)
    store._session = store._session._s
    with store.get("share-1") as u:
        assert u.value == b"\x01" * 32


def _child_prelude(label: str) -> str:
    return f"""
import os
os.environ["SOFTHSM2_CONF"] = {str(softhsm_dir() / 'softhsm2.conf')!r}
from pqzk.tokens import open_store
from token_stores import meta
from token_env import pkcs11_uri, USER_PIN
store = open_store(pkcs11_uri({label!r}), USER_PIN)
"""


def test_crash_between_write_and_cleanup_leaves_new_or_old(backend, store):
    store.put(b"\x01" * 32, meta())
    res = run(_child_prelude(backend.label) + """
import pqzk.tokens.pkcs11 as m
m.PKCS11ShareStore._prune = lambda self, key_id, keep_from: os._exit(9)   # crash after the write
store.put(b"\\x02" * 32, meta(), overwrite=True)
""")
    assert res.returncode == 9, res.stderr
    assert len(store._objects("share-1")) == 2          # both versions survived the crash
    with store.get("share-1") as u:
        assert u.value == b"\x02" * 32                  # the newest generation wins
    assert [m.key_id for m in store.list()] == ["share-1"]
    store.put(b"\x03" * 32, meta(), overwrite=True)     # the next write cleans up
    assert len(store._objects("share-1")) == 1


def test_crash_before_the_write_leaves_old(backend, store):
    store.put(b"\x01" * 32, meta())
    res = run(_child_prelude(backend.label) + """
class Dying:   # the process dies while the token is storing the new record
    def __init__(self, s): self.s = s
    def __getattr__(self, n): return getattr(self.s, n)
    def create_object(self, attrs): os._exit(9)
store._session = Dying(store._session)
store.put(b"\\x02" * 32, meta(), overwrite=True)
""")
    assert res.returncode == 9, res.stderr
    with store.get("share-1") as u:
        assert u.value == b"\x01" * 32


def test_two_processes_writing_at_once(backend, store):
    store.put(b"\x00" * 32, meta())
    writers = [spawn(_child_prelude(backend.label) + f"""
for i in range(8):
    store.put(bytes([{w}]) * 32, meta(), overwrite=True)
    store.put(bytes([{w}]) * 32, meta(key_id="own-{w}-%d" % i))
store.close()
""") for w in (1, 2)]
    for p in writers:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with store.get("share-1") as u:
        assert u.value in (b"\x01" * 32, b"\x02" * 32)
    ids = {m.key_id for m in store.list()}
    assert {f"own-{w}-{i}" for w in (1, 2) for i in range(8)} <= ids
    for obj, rec in store._versions("share-1"):   # whatever versions remain all authenticate
        assert rec is not None


def test_two_sealing_keys_from_racing_first_writers(store):
    """If two first writers each created a sealing key, every record still opens (records name
    their key by CKA_ID) and new writes converge on one key."""
    import pkcs11
    from pkcs11 import Attribute as A
    store.put(b"\x01" * 32, meta("a"))
    first = bytes(store._seal_key(create=False)[A.ID])
    store._session.generate_key(pkcs11.KeyType.AES, 256, label=p11store.SEAL_KEY_LABEL, id=b"\x00" * 16,
                                store=True, template={A.SENSITIVE: True, A.EXTRACTABLE: False})
    store.put(b"\x02" * 32, meta("b"))
    assert p11store._Record.from_bytes(bytes(store._objects("b")[0][A.VALUE])).seal_key_id == b"\x00" * 16
    assert first != b"\x00" * 16
    with store.get("a") as u:
        assert u.value == b"\x01" * 32
    with store.get("b") as u:
        assert u.value == b"\x02" * 32


def test_token_removed_while_open(backend, store):
    import subprocess
    store.put(b"\x01" * 32, meta())
    subprocess.run(["softhsm2-util", "--delete-token", "--token", backend.label], check=True, capture_output=True)
    for op in (lambda: store.exists("share-1"), lambda: store.list(),
               lambda: store.put(b"\x02" * 32, meta(), overwrite=True)):
        with pytest.raises(TokenAbsent, match="no longer present"):
            op()
    with pytest.raises(TokenAbsent):
        with store.get("share-1"):
            pass
