"""Every group against an independent implementation, on random scalars (hypothesis):
libsecp256k1 is cross-checked with OpenSSL and py_ecc, ed25519 with libsodium, OpenSSL Ed25519 and
the pure-Python edwards25519 arithmetic, P-256 and Ed448 with OpenSSL."""
from __future__ import annotations

import hashlib

from _groups import group
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from nacl import bindings as nacl

from pqzk.math.ec import EDWARDS25519_CURVE, EDWARDS448_CURVE, P256_CURVE, SECP256K1_CURVE

RAW = (ser.Encoding.Raw, ser.PublicFormat.Raw)
COMPRESSED = (ser.Encoding.X962, ser.PublicFormat.CompressedPoint)


def nonzero(name):
    return st.integers(min_value=1, max_value=group(name).order - 1)


def _ecdh_x(curve, k: int, peer_compressed: bytes) -> int:
    """x-coordinate of k·Q by OpenSSL ECDH."""
    priv = ec.derive_private_key(k, curve)
    peer = ec.EllipticCurvePublicKey.from_encoded_point(curve, peer_compressed)
    return int.from_bytes(priv.exchange(ec.ECDH(), peer), "big")


# ---- secp256k1 and P-256 against OpenSSL ----
@settings(max_examples=12)
@given(data=st.data())
def test_weierstrass_groups_vs_openssl(data):
    for name, curve in (("secp256k1", ec.SECP256K1()), ("p256", ec.SECP256R1())):
        G = group(name)
        a, b = data.draw(nonzero(name)), data.draw(nonzero(name))
        # public key from private key: a·G
        pub = ec.derive_private_key(a, curve).public_key().public_bytes(*COMPRESSED)
        A = G.base_mult(a)
        assert A.to_bytes() == pub
        assert G.decode(pub) == a * G.generator()
        # ECDH: x(b·A) == x(ab·G)
        B_A = b * A
        assert _ecdh_x(curve, b, pub) == G.point_to_xy(B_A)[0]
        # addition: (a+b)·G computed by OpenSSL equals a·G + b·G
        if (a + b) % G.order:
            s = ec.derive_private_key((a + b) % G.order, curve).public_key().public_bytes(*COMPRESSED)
            assert (A + G.base_mult(b)).to_bytes() == s
        # affine coordinates agree with OpenSSL's public numbers
        nums = ec.derive_private_key(a, curve).public_key().public_numbers()
        assert G.point_to_xy(A) == (nums.x, nums.y)
        assert G.point_from_xy(nums.x, nums.y) == A


@settings(max_examples=12)
@given(data=st.data())
def test_secp256k1_vs_py_ecc(data):
    from py_ecc.secp256k1 import secp256k1 as k1
    G = group("secp256k1")
    a, b = data.draw(nonzero("secp256k1")), data.draw(nonzero("secp256k1"))
    assume((a + b) % G.order)  # a·G + b·G = O has no affine coordinates
    Pa, Pb = k1.multiply(k1.G, a), k1.multiply(k1.G, b)
    assert G.point_to_xy(G.base_mult(a)) == Pa
    assert G.point_to_xy(G.base_mult(a) + G.base_mult(b)) == tuple(k1.add(Pa, Pb))
    assert G.point_to_xy(b * G.base_mult(a)) == tuple(k1.multiply(Pa, b))


@settings(max_examples=8)
@given(data=st.data())
def test_sec1_groups_vs_pure_python(data):
    # the libsecp256k1 / pure-Python groups against math.ec on the other implementation's curve
    for name, C in (("secp256k1", SECP256K1_CURVE), ("p256", P256_CURVE)):
        G = group(name)
        a, b = data.draw(nonzero(name)), data.draw(nonzero(name))
        assume((a + b) % G.order)  # the identity has no affine coordinates
        expect = C.to_affine(C.add(C.mul(a, C.generator()), C.mul(b, C.generator())))
        assert G.point_to_xy(G.base_mult(a) + G.base_mult(b)) == expect


# ---- ed25519 against libsodium, OpenSSL and the pure-Python curve ----
def _clamp25519(seed: bytes) -> int:
    # RFC 8032 section 5.1.5
    h = bytearray(hashlib.sha512(seed).digest()[:32])
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    return int.from_bytes(h, "little")


@settings(max_examples=20)
@given(seed=st.binary(min_size=32, max_size=32), data=st.data())
def test_ed25519_vs_openssl_and_libsodium(seed, data):
    G = group("ed25519")
    s = _clamp25519(seed)
    pub = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(*RAW)
    assert G.base_mult(s).to_bytes() == pub
    assert (s * G.generator()).to_bytes() == pub
    assert G.decode(pub) == G.base_mult(s)
    # libsodium's own public key derivation
    pk, _ = nacl.crypto_sign_seed_keypair(seed)
    assert pk == pub
    k = data.draw(nonzero("ed25519"))
    A = G.decode(pub)
    assert (k * A).to_bytes() == nacl.crypto_scalarmult_ed25519_noclamp(k.to_bytes(32, "little"), pub)
    # independent arithmetic: pure-Python extended coordinates
    C = EDWARDS25519_CURVE
    A_ext = C.from_affine(*G.point_to_xy(A))
    kA_B = C.add(C.mul(k, A_ext), C.generator())
    assert G.point_to_xy(k * A + G.generator()) == C.to_affine(kA_B)


def _clamp448(seed: bytes) -> int:
    # RFC 8032 section 5.2.5: s = clamp(SHAKE256(seed, 114)[:57]); the public key is [s]B
    h = bytearray(hashlib.shake_256(seed).digest(114)[:57])
    h[0] &= 0xFC
    h[56] = 0
    h[55] |= 0x80
    return int.from_bytes(h, "little")


@settings(max_examples=15)
@given(seed=st.binary(min_size=57, max_size=57), data=st.data())
def test_ed448_vs_openssl(seed, data):
    G = group("ed448")
    s = _clamp448(seed)
    pub = Ed448PrivateKey.from_private_bytes(seed).public_key().public_bytes(*RAW)
    assert G.base_mult(s).to_bytes() == pub
    assert G.decode(pub) == s * G.generator()
    # addition: [s]B + [k]B == [s + k]B, through OpenSSL's encoding of [s]B
    k = data.draw(nonzero("ed448"))
    assert (G.decode(pub) + G.base_mult(k)).to_bytes() == G.base_mult(s + k).to_bytes()
    x, y = G.point_to_xy(G.decode(pub))
    assert EDWARDS448_CURVE.is_on_curve(x, y)
    assert G.point_from_xy(x, y) == G.decode(pub)


def test_generators_match_the_standards():
    assert group("ed25519").generator().to_bytes().hex() == "58" + "66" * 31  # RFC 8032 B
    assert group("p256").point_to_xy(group("p256").generator()) == (P256_CURVE.gx, P256_CURVE.gy)
    assert group("secp256k1").point_to_xy(group("secp256k1").generator()) == (SECP256K1_CURVE.gx,
                                                                             SECP256K1_CURVE.gy)
    # RFC 8032 section 7.1 TEST 1 and section 7.4 "Blank": secret key -> public key [s]B
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    assert group("ed25519").base_mult(_clamp25519(seed)).to_bytes().hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    seed = bytes.fromhex("6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e"
                         "39a3fc5b94492f8f032e7549a20098f95b")
    assert group("ed448").base_mult(_clamp448(seed)).to_bytes().hex() == (
        "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa"
        "1abeafe8256180")
