"""FIPS 203 input checks, made by pqzk before any backend runs (issue 15 §4): a malformed
decapsulation key (wrong length, failed hash check, embedded encapsulation key failing the
modulus check, another key's dk) or ciphertext is an InvalidEncoding naming what is wrong, on
every backend present; an encapsulation key failing the §7.2 modulus check likewise.

Cross-checks: kyber-py (the reference) rejects every key these checks reject and accepts the
ones they accept; OpenSSL's own encapsulation-key import agrees with the modulus check; and
without these checks pqcrypto and liboqs would silently decapsulate with a non-canonical key.
"""
from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.pq import backend_registry as B
from pqzk.pq import mlkem
from pqzk.pq.mlkem_checks import check_decapsulation_key, check_encapsulation_key
from pqzk.pq.params import MLKEM

USABLE = [n for n in B.BACKENDS if B.status(n).usable]
SETS = list(MLKEM)


def _k(p: str) -> int:
    return (MLKEM[p].encaps_key_size - 32) // 384


def _keys(p: str):
    """(ek, dk) from the reference KeyGen_internal; a ciphertext and its shared secret."""
    ek, dk, _ = B.BACKENDS["reference"].mlkem.keygen_seed(MLKEM[p], bytes(range(64)))
    ss, ct = B.BACKENDS["reference"].mlkem.encaps(MLKEM[p], ek, bytes(32))
    return ek, dk, ct, ss


def _set_coefficient(t_hat: bytes, index: int, value: int) -> bytes:
    """t_hat with 12-bit coefficient `index` (ByteEncode12 order) set to `value` (may be >= q)."""
    b = bytearray(t_hat)
    j = 3 * (index // 2)
    if index % 2 == 0:
        b[j], b[j + 1] = value & 0xFF, (b[j + 1] & 0xF0) | (value >> 8)
    else:
        b[j + 1], b[j + 2] = (b[j + 1] & 0x0F) | ((value & 0x0F) << 4), value >> 4
    return bytes(b)


def _with_ek(p: str, dk: bytes, ek: bytes) -> bytes:
    """dk with its embedded ek replaced and h = H(ek) recomputed: passes the hash check."""
    k = _k(p)
    return dk[:384 * k] + ek + hashlib.sha3_256(ek).digest() + dk[768 * k + 64:]


def _malformed(p: str):
    """(name, dk, what the error must say) for each §7.3 failure and the key mismatch."""
    k = _k(p)
    ek, dk, _, _ = _keys(p)
    h_at, ek_at = 768 * k + 32, 384 * k
    bad_ek = _set_coefficient(ek, 5, 3329)          # q itself: the smallest non-canonical value
    _, other_dk, _ = B.BACKENDS["reference"].mlkem.keygen_seed(MLKEM[p], bytes(64))
    return [
        ("short", dk[:-1], f"decapsulation key must be {MLKEM[p].decaps_key_size} bytes, got"),
        ("long", dk + b"\x00", f"decapsulation key must be {MLKEM[p].decaps_key_size} bytes, got"),
        ("h altered", dk[:h_at] + bytes([dk[h_at] ^ 1]) + dk[h_at + 1:], "hash check"),
        ("embedded ek altered", dk[:ek_at] + bytes([dk[ek_at] ^ 1]) + dk[ek_at + 1:], "hash check"),
        ("embedded ek non-canonical", _with_ek(p, dk, bad_ek), r"modulus check: coefficient 5 of t_hat\[0\] is 3329"),
        ("another key's dk", other_dk, "embeds another encapsulation key"),
    ]


def _bypass(p: str, public_key: bytes, expanded: bytes) -> mlkem.MLKEMPrivateKey:
    """A key object built around the constructor's checks, to show decaps checks again itself."""
    sk = object.__new__(mlkem.MLKEMPrivateKey)
    for name, value in (("params", p), ("public_key", mlkem.MLKEMPublicKey(p, public_key)), ("seed", None),
                        ("expanded", expanded), ("_handles", {})):
        object.__setattr__(sk, name, value)
    return sk


def _expanded_decapsulators(p: str) -> list[str]:
    return [n for n in USABLE if B.BACKENDS[n].supports("mlkem.decaps_from_expanded", MLKEM[p])]


@pytest.mark.parametrize("p", SETS)
def test_malformed_decapsulation_key_is_refused_when_built(p):
    ek, _, _, _ = _keys(p)
    for name, dk, match in _malformed(p):
        with pytest.raises(InvalidEncoding, match=match):
            mlkem.MLKEMPrivateKey(p, mlkem.MLKEMPublicKey(p, ek), expanded=dk)
            pytest.fail(name)


@pytest.mark.parametrize("p", SETS)
def test_every_backend_is_shielded_by_the_checks_in_decaps(p, monkeypatch):
    """decaps makes the §7.3 checks itself before a backend sees dk: each expanded-key backend
    present is given a key built around the constructor, and is never called."""
    ek, _, ct, _ = _keys(p)
    backends = _expanded_decapsulators(p)
    assert backends, "the reference backend (kyber-py) decapsulates from dk"
    for backend in backends:
        called = []
        monkeypatch.setattr(B.BACKENDS[backend].mlkem, "decaps", lambda *a, _c=called: _c.append(a))
        monkeypatch.setattr(B.BACKENDS[backend].mlkem, "private_handle", lambda *a, _c=called: _c.append(a))
        for name, dk, match in _malformed(p):
            if name == "another key's dk":           # a pairing check: the constructor's, not §7.3
                continue
            with pytest.raises(InvalidEncoding, match=match):
                mlkem.decaps(p, _bypass(p, ek, dk), ct, backend=backend)
                pytest.fail(f"{backend}: {name}")
        assert called == [], backend


@pytest.mark.parametrize("p", SETS)
def test_ciphertext_checks_on_every_backend(p):
    ek, dk, ct, ss = _keys(p)
    sk_dk = mlkem.MLKEMPrivateKey(p, mlkem.MLKEMPublicKey(p, ek), expanded=dk)
    sk_seed = mlkem.keygen(p, seed=bytes(range(64)))
    for backend in [n for n in USABLE if B.BACKENDS[n].supports("mlkem.decaps", MLKEM[p])]:
        sk = sk_seed if B.BACKENDS[backend].supports("mlkem.decaps_from_seed", MLKEM[p]) else sk_dk
        assert mlkem.decaps(p, sk, ct, backend=backend) == ss
        assert mlkem.decaps(p, sk, memoryview(ct), backend=backend) == ss
        for bad in (ct[:-1], ct + b"\x00", b""):
            with pytest.raises(InvalidEncoding, match=f"ciphertext must be {MLKEM[p].ciphertext_size} bytes"):
                mlkem.decaps(p, sk, bad, backend=backend)
        for bad in (None, ct.hex(), list(ct), len(ct)):
            with pytest.raises(InvalidParameter, match="ciphertext must be bytes"):
                mlkem.decaps(p, sk, bad, backend=backend)


@pytest.mark.parametrize("p", SETS)
def test_reference_rejects_what_the_checks_reject(p):
    """kyber-py's own §7.3 checks (and its re-encryption's modulus check) agree with pqzk's:
    each malformed key (but the mismatched one, a valid dk of another key) fails in kyber-py too."""
    pytest.importorskip("kyber_py")
    _, dk, ct, ss = _keys(p)
    ref = B.BACKENDS["reference"].mlkem._kem(MLKEM[p])
    assert ref.decaps(dk, ct) == ss
    check_decapsulation_key(MLKEM[p], dk)
    for name, bad, _ in _malformed(p):
        if name == "another key's dk":
            check_decapsulation_key(MLKEM[p], bad)          # a valid dk: only the pairing is wrong
            continue
        with pytest.raises(ValueError):
            ref.decaps(bad, ct)
            pytest.fail(name)
        with pytest.raises(InvalidEncoding):
            check_decapsulation_key(MLKEM[p], bad)


@pytest.mark.parametrize("p", SETS)
def test_other_backends_would_not_have_refused_a_non_canonical_embedded_key(p):
    """Why the modulus check on the embedded key is pqzk's: called directly, pqcrypto and liboqs
    decapsulate with it (a key nobody can have generated) instead of refusing it."""
    ek, dk, ct, ss = _keys(p)
    bad = _with_ek(p, dk, _set_coefficient(ek, 5, 3329))
    silent = []
    for backend in _expanded_decapsulators(p):
        if backend == "reference":
            continue
        try:
            B.BACKENDS[backend].mlkem.decaps(MLKEM[p], bad, ct)
            silent.append(backend)
        except InvalidEncoding:
            pass
        with pytest.raises(InvalidEncoding, match="modulus check"):
            mlkem.decaps(p, _bypass(p, ek, bad), ct, backend=backend)
    assert set(silent) <= {"pqclean", "liboqs"}


@pytest.mark.parametrize("p", SETS)
@settings(max_examples=25, deadline=None)
@given(index=st.integers(0, 255), value=st.integers(0, 4095), poly=st.integers(0, 3))
def test_modulus_check_agrees_with_openssl_and_kyber_py(p, index, value, poly):
    """An encapsulation key with one coefficient set to `value`: pqzk accepts it iff value < q,
    and so do OpenSSL's key import (where it has the set) and kyber-py's encapsulation."""
    k = _k(p)
    poly %= k
    ek, _, _, _ = _keys(p)
    bad = _set_coefficient(ek, 256 * poly + index, value)
    canonical = value < 3329
    try:
        check_encapsulation_key(MLKEM[p], bad)
        ours = True
    except InvalidEncoding as exc:
        assert f"coefficient {index} of t_hat[{poly}] is {value}" in str(exc)
        ours = False
    assert ours == canonical
    if "openssl" in USABLE and B.BACKENDS["openssl"].supports("mlkem.encaps", MLKEM[p]):
        from cryptography.hazmat.primitives.asymmetric import mlkem as ossl
        cls = getattr(ossl, f"MLKEM{p.split('-')[-1]}PublicKey")
        try:
            cls.from_public_bytes(bad)
            theirs = True
        except ValueError:
            theirs = False
        assert theirs == canonical
    if "reference" in USABLE:
        try:
            B.BACKENDS["reference"].mlkem._kem(MLKEM[p]).encaps(bad)
            theirs = True
        except ValueError:
            theirs = False
        assert theirs == canonical


@pytest.mark.parametrize("p", SETS)
def test_encaps_refuses_a_non_canonical_key_on_every_backend(p, monkeypatch):
    ek, _, _, _ = _keys(p)
    bad = _set_coefficient(ek, 0, 4095)
    with pytest.raises(InvalidEncoding, match=r"modulus check: coefficient 0 of t_hat\[0\] is 4095"):
        mlkem.MLKEMPublicKey.from_bytes(p, bad)
    for backend in [n for n in USABLE if B.BACKENDS[n].supports("mlkem.encaps", MLKEM[p])]:
        monkeypatch.setattr(B.BACKENDS[backend].mlkem, "encaps", lambda *a: pytest.fail("backend reached"))
        with pytest.raises(InvalidEncoding, match="modulus check"):
            mlkem.encaps(p, bad, backend=backend)
    with pytest.raises(InvalidEncoding, match=f"encapsulation key must be {MLKEM[p].encaps_key_size} bytes"):
        mlkem.encaps(p, ek[:-1])
    with pytest.raises(InvalidParameter, match="must be"):
        mlkem.encaps(p, ek.hex())
