"""Key containers (`pqzk.pq.pkcs8`) and key files (`pqzk.pq.keyfiles`): every algorithm round-trips
in every form, the standards' other private key forms are read, and malformed, mismatched or
hostile inputs are refused with pqzk errors (never worked on for long)."""
from __future__ import annotations

import time

import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import AuthenticationError, InvalidEncoding, InvalidParameter, PqzkError
from pqzk.math.rand import DeterministicRNG
from pqzk.pq import _der, fips204, keyfiles, mldsa, mlkem, pkcs8, xwing

FAST = 1000


# RSA key generation is slow: one RSA combination stands for the others (same code path)
ROUND_TRIP = sorted(n for n in keyfiles.ALGORITHMS if "RSA" not in n or n == "MLDSA44-RSA2048-PSS-SHA256")


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_every_algorithm_round_trips_in_every_form(name):
    key = keyfiles.generate(name)
    a = keyfiles.algorithm_of(key)
    assert a.name == name and keyfiles.algorithm_of(key.public_key) is a
    for fmt in keyfiles.FORMATS:
        assert keyfiles.load_private(keyfiles.dump_private(key, fmt)) == key
        assert keyfiles.load_public(keyfiles.dump_public(key.public_key, fmt)) == key.public_key
    enc = keyfiles.dump_private(key, passphrase="pw", iterations=FAST)
    assert enc.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") and keyfiles.is_encrypted(enc)
    assert keyfiles.load_private(enc, "pw") == key
    kind, oid = pkcs8.algorithm_oid(key.to_pkcs8())
    assert (kind, oid) == ("pkcs8", a.oid)


def test_generate_is_reproducible_with_rng_and_writes_seed_forms():
    a = keyfiles.generate("ML-KEM-512", rng=DeterministicRNG(b"k"))
    assert a == keyfiles.generate("ML-KEM-512", rng=DeterministicRNG(b"k")) and a.seed is not None
    assert pkcs8.decode_seed_or_expanded(pkcs8.decode_pkcs8(a.to_pkcs8(), {"2.16.840.1.101.3.4.4.1": 1}, "ML-KEM")[1],
                                         "x") == (a.seed, None)


@pytest.mark.parametrize("p", ["ML-DSA-44", "ML-DSA-87"])
def test_mldsa_expanded_and_both_forms(p):
    sk = mldsa.keygen(p, seed=bytes(range(32)), backend="numpy")
    oid = mldsa.mldsa_params(p).oid
    expanded_only = pkcs8.encode_pkcs8(oid, _der.tlv(_der.OCTET_STRING, sk.expanded))
    k = mldsa.MLDSAPrivateKey.from_pkcs8(expanded_only)
    assert k.seed is None and k.public_key == sk.public_key and k.to_pkcs8() == expanded_only
    both = pkcs8.encode_pkcs8(oid, _der.seq(_der.tlv(_der.OCTET_STRING, sk.seed), _der.tlv(_der.OCTET_STRING, sk.expanded)))
    assert mldsa.MLDSAPrivateKey.from_pkcs8(both) == sk
    other = mldsa.keygen(p, seed=bytes(32), backend="numpy")
    mismatched = pkcs8.encode_pkcs8(oid, _der.seq(_der.tlv(_der.OCTET_STRING, sk.seed), _der.tlv(_der.OCTET_STRING, other.expanded)))
    with pytest.raises(InvalidEncoding, match="does not match the seed"):
        mldsa.MLDSAPrivateKey.from_pkcs8(mismatched)
    corrupt = bytearray(sk.expanded)
    corrupt[100] ^= 0x10                      # K: undetectable; tr: detected
    corrupt[64] ^= 1
    with pytest.raises(InvalidEncoding, match="inconsistent"):
        mldsa.MLDSAPrivateKey.from_pkcs8(pkcs8.encode_pkcs8(oid, _der.tlv(_der.OCTET_STRING, bytes(corrupt))))


def test_mlkem_expanded_and_both_forms():
    sk = mlkem.keygen("ML-KEM-768", seed=bytes(range(64)), backend="reference")
    oid = "2.16.840.1.101.3.4.4.2"
    k = mlkem.MLKEMPrivateKey.from_pkcs8(pkcs8.encode_pkcs8(oid, _der.tlv(_der.OCTET_STRING, sk.expanded)))
    assert k.seed is None and k.public_key == sk.public_key
    ss, ct = mlkem.encaps("ML-KEM-768", sk.public_key)
    assert mlkem.decaps("ML-KEM-768", k, ct) == ss
    both = _der.seq(_der.tlv(_der.OCTET_STRING, sk.seed), _der.tlv(_der.OCTET_STRING, sk.expanded))
    assert mlkem.MLKEMPrivateKey.from_pkcs8(pkcs8.encode_pkcs8(oid, both)) == sk
    bad = bytearray(sk.expanded)
    bad[-40] ^= 1                              # H(ek) inside dk: the FIPS 203 §7.3 hash check
    with pytest.raises(InvalidEncoding):
        mlkem.MLKEMPrivateKey.from_pkcs8(pkcs8.encode_pkcs8(oid, _der.tlv(_der.OCTET_STRING, bytes(bad))))


def test_containers_refuse_the_wrong_kind_and_shape():
    sk = keyfiles.generate("ML-DSA-44")
    xk = xwing.keygen(seed=bytes(32))
    with pytest.raises(InvalidEncoding, match="is not an ML-DSA OID"):
        mldsa.MLDSAPrivateKey.from_pkcs8(xk.to_pkcs8())
    with pytest.raises(InvalidEncoding, match="is not an X-Wing OID"):
        xwing.XWingPublicKey.from_spki(sk.public_key.to_spki())
    with pytest.raises(InvalidEncoding, match="32-byte seed"):
        xwing.XWingPrivateKey.from_pkcs8(pkcs8.encode_pkcs8(xwing.OID, bytes(31)))
    with pytest.raises(InvalidEncoding, match="version must be 0"):
        pkcs8.decode_pkcs8(_der.seq(_der.integer(1), _der.seq(_der.oid(xwing.OID)), _der.tlv(4, bytes(32))),
                           {xwing.OID: 1}, "X-Wing")
    with pytest.raises(InvalidEncoding, match="parameters absent"):
        pkcs8.decode_spki(_der.seq(_der.seq(_der.oid(xwing.OID), b"\x05\x00"), _der.bit_string(xk.public_key.key)),
                          {xwing.OID: 1}, "X-Wing")
    with pytest.raises(InvalidEncoding, match="none of seed"):
        pkcs8.decode_seed_or_expanded(_der.tlv(0x81, bytes(32)), "ML-DSA")
    with pytest.raises(InvalidEncoding, match="public key"):
        keyfiles.load_private(keyfiles.dump_public(sk.public_key))
    with pytest.raises(InvalidEncoding, match="private key"):
        keyfiles.load_public(keyfiles.dump_private(sk))
    relabelled = keyfiles.dump_private(sk).replace(b"PRIVATE KEY", b"PUBLIC KEY")
    with pytest.raises(InvalidEncoding, match="PEM label"):
        keyfiles.load_private(relabelled)
    with pytest.raises(InvalidEncoding, match="one PEM block"):
        keyfiles.load_private(keyfiles.dump_private(sk) * 2)
    with pytest.raises(InvalidEncoding, match="base64"):
        keyfiles.load_private(b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n")
    with pytest.raises(InvalidParameter, match="encrypted: give"):
        keyfiles.load_private(keyfiles.dump_private(sk, passphrase="pw", iterations=FAST))
    with pytest.raises(InvalidParameter, match="not encrypted"):
        keyfiles.load_private(keyfiles.dump_private(sk), "pw")
    with pytest.raises(InvalidParameter):
        keyfiles.dump_private(sk, "txt")
    with pytest.raises(InvalidParameter, match="unknown algorithm"):
        keyfiles.get_algorithm("Dilithium3")
    assert keyfiles.get_algorithm("id-mldsa65-ed25519-sha512").name == "MLDSA65-Ed25519-SHA512"


def _pbes2(kdf: bytes, ct: bytes, cipher_oid: str = "2.16.840.1.101.3.4.1.42") -> bytes:
    scheme = _der.seq(_der.oid(cipher_oid), _der.tlv(_der.OCTET_STRING, bytes(16)))
    return _der.seq(_der.seq(_der.oid("1.2.840.113549.1.5.13"), _der.seq(kdf, scheme)), _der.tlv(_der.OCTET_STRING, ct))


def test_encrypted_keys_refuse_wrong_passphrases_and_hostile_parameters():
    sk = keyfiles.generate("ML-DSA-44")
    der = pkcs8.encrypt_pkcs8(sk.to_pkcs8(), "right", iterations=FAST)
    assert pkcs8.decrypt_pkcs8(der, "right") == sk.to_pkcs8()
    with pytest.raises(AuthenticationError, match="does not decrypt") as e:
        pkcs8.decrypt_pkcs8(der, "wrong")
    assert "wrong" not in str(e.value).replace("wrong passphrase", "")
    with pytest.raises(InvalidParameter, match="empty"):
        pkcs8.decrypt_pkcs8(der, "")
    with pytest.raises(InvalidParameter, match="iterations"):
        pkcs8.encrypt_pkcs8(sk.to_pkcs8(), "pw", iterations=10)
    salt = _der.tlv(_der.OCTET_STRING, bytes(16))
    hostile = _pbes2(_der.seq(_der.oid("1.2.840.113549.1.5.12"), _der.seq(salt, _der.integer(2**31))), bytes(16))
    start = time.monotonic()
    with pytest.raises(InvalidEncoding, match="iterations"):
        pkcs8.decrypt_pkcs8(hostile, "pw")
    scrypt_huge = _pbes2(_der.seq(_der.oid("1.3.6.1.4.1.11591.4.11"),
                                  _der.seq(salt, _der.integer(1 << 24), _der.integer(8), _der.integer(1))), bytes(16))
    with pytest.raises(InvalidEncoding, match="scrypt"):
        pkcs8.decrypt_pkcs8(scrypt_huge, "pw")
    assert time.monotonic() - start < 1
    for bad in (_pbes2(_der.seq(_der.oid("1.2.3.4"), _der.seq(salt)), bytes(16)),
                _pbes2(_der.seq(_der.oid("1.2.840.113549.1.5.12"), _der.seq(salt, _der.integer(2048))), bytes(16),
                       cipher_oid="1.2.840.113549.3.7"),
                _pbes2(_der.seq(_der.oid("1.2.840.113549.1.5.12"), _der.seq(salt, _der.integer(2048))), bytes(15))):
        with pytest.raises(InvalidEncoding):
            pkcs8.decrypt_pkcs8(bad, "pw")


def test_scrypt_and_other_prfs_are_read():
    """What `openssl pkcs8 -topk8 -scrypt` or `-v2prf hmacWithSHA512` write, built here by hand."""
    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
    plain = keyfiles.generate("X-Wing").to_pkcs8()
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    salt = bytes(range(16))
    for kdf_der, key in (
            (_der.seq(_der.oid("1.3.6.1.4.1.11591.4.11"), _der.seq(_der.tlv(4, salt), _der.integer(1024),
                                                                    _der.integer(8), _der.integer(1))),
             Scrypt(salt, 32, 1024, 8, 1).derive(b"pw")),
            (_der.seq(_der.oid("1.2.840.113549.1.5.12"), _der.seq(_der.tlv(4, salt), _der.integer(1000), _der.integer(32),
                                                                   _der.seq(_der.oid("1.2.840.113549.2.11"), b"\x05\x00"))),
             PBKDF2HMAC(hashes.SHA512(), 32, salt, 1000).derive(b"pw"))):
        enc = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
        der = _pbes2(kdf_der, enc.update(padded) + enc.finalize())
        assert pkcs8.decrypt_pkcs8(der, "pw") == plain


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(0, 300), st.integers(0, 255))
def test_mutated_key_files_raise_only_pqzk_errors(junk, pos, byte):
    good = [keyfiles.dump_private(xwing.keygen(seed=bytes(32)), "der"),
            keyfiles.dump_public(xwing.keygen(seed=bytes(32)).public_key, "der")]
    for data in [junk, *good]:
        mutated = bytearray(data)
        if mutated:
            mutated[pos % len(mutated)] = byte
        for loader in (keyfiles.load_private, keyfiles.load_public):
            try:
                loader(bytes(mutated))
            except PqzkError:
                pass


def test_public_from_expanded_needs_a_consistent_key():
    p = fips204.params("ML-DSA-65")
    pk, sk = fips204.keygen_internal(bytes(32), p)
    assert fips204.public_from_expanded(sk, p) == pk
    bad = bytearray(sk)
    bad[-1] ^= 1                                                    # t0
    with pytest.raises(InvalidEncoding):
        fips204.public_from_expanded(bytes(bad), p)
