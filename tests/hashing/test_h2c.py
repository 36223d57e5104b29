"""RFC 9380 hash-to-curve: every vector file of tests/vectors/hash-to-curve (u, Q/Q0/Q1, P),
suite records agreeing with the files, exceptional cases of each map, cross-checks against
libsecp256k1 / OpenSSL / libsodium / py_ecc, and rejections."""
import hashlib

import coincurve
import nacl.bindings as sodium
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc.bls import hash_to_curve as pyecc_h2c
from py_ecc.optimized_bls12_381 import normalize

from conftest import VECTORS, load_vectors
from pqzk.errors import InvalidParameter
from pqzk.hashing import h2c
from pqzk.hashing.curves import (CURVE448, CURVE25519, affine_add, affine_identity, affine_mul,
                                 on_curve)
from pqzk.hashing.maps import curve448_to_edwards448, iso_map, montgomery_to_edwards25519
from pqzk.hashing.suites import BASE_SUITES

FILES = sorted(p.name for p in (VECTORS / "hash-to-curve").glob("*.json")
               if not p.name.startswith("expand_message"))

ORDERS = {  # prime order of the subgroup clear_cofactor lands in
    "P256_XMD:SHA-256_SSWU_": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "P384_XMD:SHA-384_SSWU_": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
    "P521_XMD:SHA-512_SSWU_": int("01FF" + "FFFFFFFF" * 7 + "FFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409", 16),
    "secp256k1_XMD:SHA-256_SSWU_": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
    "curve25519_XMD:SHA-512_ELL2_": 2**252 + 27742317777372353535851937790883648493,
    "edwards25519_XMD:SHA-512_ELL2_": 2**252 + 27742317777372353535851937790883648493,
    "curve448_XOF:SHAKE256_ELL2_": 2**446 - 13818066809895115352007386748515426880336692474882178609894547503885,
    "edwards448_XOF:SHAKE256_ELL2_": 2**446 - 13818066809895115352007386748515426880336692474882178609894547503885,
    "BLS12381G1_XMD:SHA-256_SSWU_": 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001,
    "BLS12381G2_XMD:SHA-256_SSWU_": 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001,
}


def _parse(s):
    parts = [int(x, 16) for x in s.split(",")]
    return parts[0] if len(parts) == 1 else tuple(parts)


def _point(d):
    return (_parse(d["x"]), _parse(d["y"]))


def test_every_suite_has_vectors_and_every_vector_file_a_suite():
    names = {load_vectors(f"hash-to-curve/{f}")["ciphersuite"] for f in FILES}
    assert names == set(h2c.SUITES)
    assert len(h2c.SUITES) == 20


@pytest.mark.parametrize("fname", FILES)
def test_suite_record_matches_vector_file(fname):
    v = load_vectors(f"hash-to-curve/{fname}")
    s, ro = h2c.get_suite(v["ciphersuite"])
    assert ro == v["randomOracle"]
    assert s.F.p == int(v["field"]["p"], 16) and s.F.m == int(v["field"]["m"], 16)
    assert s.L == int(v["L"], 16) and s.k == int(v["k"], 16)
    assert s.F.to_ints(s.Z) == _parse(v["Z"])
    assert s.map == v["map"]["name"].lower()
    assert s.expander.split(":")[0] == v["expand"].lower()


@pytest.mark.parametrize("fname", FILES)
def test_hash_to_curve_vectors(fname):
    v = load_vectors(f"hash-to-curve/{fname}")
    name, dst = v["ciphersuite"], v["dst"].encode()
    s, ro = h2c.get_suite(name)
    assert len(v["vectors"]) >= 5
    for case in v["vectors"]:
        msg = case["msg"].encode()
        us = h2c.hash_to_field(name, msg, dst, 2 if ro else 1)
        assert us == [_parse(u) for u in case["u"]]
        expected_q = [case["Q0"], case["Q1"]] if ro else [case["Q"]]
        for u, q in zip(us, expected_q):
            Q = h2c.map_to_curve(name, u)
            assert Q == _point(q)
            assert on_curve(s.curve, Q)
        P = (h2c.hash_to_curve if ro else h2c.encode_to_curve)(name, msg, dst)
        assert P == _point(case["P"])
        # a different message or tag gives a different point
        fn = h2c.hash_to_curve if ro else h2c.encode_to_curve
        assert fn(name, msg + b"\x00", dst) != P
        assert fn(name, msg, dst + b"X") != P


@pytest.mark.parametrize("base", list(BASE_SUITES))
@settings(max_examples=8)
@given(data=st.data())
def test_random_u_maps_on_curve_and_cofactor_clears(base, data):
    s = BASE_SUITES[base]
    u = s.F.from_ints([data.draw(st.integers(0, s.F.p - 1)) for _ in range(s.F.m)])
    Q = h2c.map_to_curve(s, u)
    assert on_curve(s.curve, Q)
    P = h2c.clear_cofactor(s, Q)
    assert on_curve(s.curve, P)
    assert affine_mul(s.curve, ORDERS[base], P) == affine_identity(s.curve)
    if s.clear is not None:  # the psi shortcut equals the plain multiplication by h_eff
        h_eff_g2 = int("0bc69f08f2ee75b3584c6a0ea91b352888e2a8e9145ad7689986ff031508ffe1329c2f178731db95"
                       "6d82bf015d1212b02ec0ec69d7477c1ae954cbc06689f6a359894c0adebbf6b4e8020005aaa95551", 16)
        assert P == affine_mul(s.curve, h_eff_g2, Q)


@pytest.mark.parametrize("base", list(BASE_SUITES))
def test_exceptional_inputs_zero_and_one(base):
    """u = 0 hits SSWU's tv1 == 0 branch; u = ±1 hits Elligator 2's 1 + Z u^2 == 0 for curve448."""
    s = BASE_SUITES[base]
    for c in (0, 1, s.F.p - 1):
        u = s.F.elem(c)
        Q = h2c.map_to_curve(s, u)
        assert on_curve(s.curve, Q)


def test_sswu_exceptional_case_value():
    s = BASE_SUITES["P256_XMD:SHA-256_SSWU_"]
    F, E = s.F, s.curve
    x, _ = h2c.map_to_curve(s, 0)
    assert x == F.mul(E.b, F.inv(F.mul(s.Z, F.elem(E.a))))  # x1 = B / (Z A), and B/(ZA) is on the curve here


def test_rational_map_exceptional_points_go_to_identity():
    s25, s448 = BASE_SUITES["edwards25519_XMD:SHA-512_ELL2_"], BASE_SUITES["edwards448_XOF:SHAKE256_ELL2_"]
    F = s25.F
    assert montgomery_to_edwards25519(F, h2c._SQRT_M486664, (0, 0)) == (0, 1)          # t == 0
    assert montgomery_to_edwards25519(F, h2c._SQRT_M486664, None) == (0, 1)
    assert curve448_to_edwards448(s448.F, (0, 0)) == (0, 1)                             # y_den == 0
    assert curve448_to_edwards448(s448.F, None) == (0, 1)
    c = h2c._SQRT_M486664
    assert c * c % F.p == -486664 % F.p and c % 2 == 0


def test_iso_map_pole_is_infinity():
    s = BASE_SUITES["secp256k1_XMD:SHA-256_SSWU_"]
    F = s.F
    # a root of x_den = x^2 + k21 x + k20 (exists iff the discriminant is a square)
    k20, k21 = s.iso[1][0], s.iso[1][1]
    disc = F.sub(F.sqr(k21), F.mul_int(k20, 4))
    r = F.sqrt(disc)
    assert r is not None  # x_den has a (double) root in Fp for secp256k1's isogeny
    x = F.mul(F.sub(r, k21), F.inv(F.elem(2)))
    assert iso_map(F, s.iso, (x, 1)) is None


@pytest.mark.parametrize("fn", [h2c.hash_to_curve, h2c.encode_to_curve])
def test_rejections(fn):
    ok = "P256_XMD:SHA-256_SSWU_RO_" if fn is h2c.hash_to_curve else "P256_XMD:SHA-256_SSWU_NU_"
    wrong_mode = ok[:-3] + ("NU_" if fn is h2c.hash_to_curve else "RO_")
    for bad in ("P256", "P256_XMD:SHA-256_SSWU_", "P256_XMD:SHA-256_SSWU_XX_", "", None, 5):
        with pytest.raises(InvalidParameter):
            fn(bad, b"m", b"dst")
    with pytest.raises(InvalidParameter):
        fn(wrong_mode, b"m", b"dst")
    with pytest.raises(InvalidParameter):
        fn(ok, b"m", b"")  # empty DST
    with pytest.raises(InvalidParameter):
        fn(ok, "m", b"dst")  # str, not bytes
    with pytest.raises(InvalidParameter):
        fn(ok, b"m", "dst")


def test_map_to_curve_rejects_non_canonical_u():
    s = BASE_SUITES["P256_XMD:SHA-256_SSWU_"]
    for u in (s.F.p, -1, 2**300, "1", (1, 2)):
        with pytest.raises(InvalidParameter):
            h2c.map_to_curve(s, u)
    g2 = BASE_SUITES["BLS12381G2_XMD:SHA-256_SSWU_"]
    for u in (1, (g2.F.p, 0), (0, -1), (1, 2, 3)):
        with pytest.raises(InvalidParameter):
            h2c.map_to_curve(g2, u)


def test_oversize_dst_is_hashed_down():
    name = "secp256k1_XMD:SHA-256_SSWU_RO_"
    long_dst = b"D" * 300
    P = h2c.hash_to_curve(name, b"msg", long_dst)
    assert on_curve(BASE_SUITES[name[:-3]].curve, P)
    assert P != h2c.hash_to_curve(name, b"msg", long_dst[:255])


# ---- cross-checks of the generic curve arithmetic and of BLS12-381 hashing ----
@settings(max_examples=10)
@given(k=st.integers(1, ORDERS["P256_XMD:SHA-256_SSWU_"] - 1))
def test_p256_arithmetic_matches_openssl(k):
    E = BASE_SUITES["P256_XMD:SHA-256_SSWU_"].curve
    G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
         0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)
    pub = ec.derive_private_key(k, ec.SECP256R1()).public_key().public_numbers()
    assert affine_mul(E, k, G) == (pub.x, pub.y)


@settings(max_examples=10)
@given(k=st.integers(1, ORDERS["secp256k1_XMD:SHA-256_SSWU_"] - 1))
def test_secp256k1_hash_point_arithmetic_matches_libsecp256k1(k):
    name = "secp256k1_XMD:SHA-256_SSWU_RO_"
    E = BASE_SUITES[name[:-3]].curve
    P = h2c.hash_to_curve(name, k.to_bytes(32, "big"), b"pqzk-test")
    kP = affine_mul(E, k, P)
    ref = coincurve.PublicKey.from_point(*P).multiply(k.to_bytes(32, "big")).point()
    assert kP == ref


@settings(max_examples=10)
@given(k=st.integers(1, ORDERS["edwards25519_XMD:SHA-512_ELL2_"] - 1))
def test_edwards25519_hash_point_arithmetic_matches_libsodium(k):
    name = "edwards25519_XMD:SHA-512_ELL2_RO_"
    E = BASE_SUITES[name[:-3]].curve
    p = E.p

    def enc(P):
        return (P[1] | ((P[0] & 1) << 255)).to_bytes(32, "little")

    P = h2c.hash_to_curve(name, k.to_bytes(32, "big"), b"pqzk-test")
    assert sodium.crypto_core_ed25519_is_valid_point(enc(P))
    ref = sodium.crypto_scalarmult_ed25519_noclamp(k.to_bytes(32, "little"), enc(P))
    assert enc(affine_mul(E, k, P)) == ref and P[1] < p


@settings(max_examples=4)
@given(msg=st.binary(max_size=40))
def test_bls12_381_hash_matches_py_ecc(msg):
    dst = b"QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_"
    x, y = normalize(pyecc_h2c.hash_to_G2(msg, dst, hashlib.sha256))
    assert h2c.hash_to_curve("BLS12381G2_XMD:SHA-256_SSWU_RO_", msg, dst) == (
        tuple(int(c) for c in x.coeffs), tuple(int(c) for c in y.coeffs))
    dst1 = b"QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_"
    x1, y1 = normalize(pyecc_h2c.hash_to_G1(msg, dst1, hashlib.sha256))
    assert h2c.hash_to_curve("BLS12381G1_XMD:SHA-256_SSWU_RO_", msg, dst1) == (int(x1), int(y1))


@pytest.mark.parametrize("curve", [CURVE25519, CURVE448])
def test_montgomery_curves(curve):
    G = curve.to_affine(curve.generator())
    assert G[0] in (9, 5) and on_curve(curve, G)
    assert affine_mul(curve, curve.n, G) is None and affine_mul(curve, curve.n - 1, G) == (G[0], -G[1] % curve.p)
    G2 = affine_add(curve, G, G)
    # the Montgomery doubling formula x(2P) = (x^2 - 1)^2 / (4 x (x^2 + A x + 1))
    x, p, A = G[0], curve.p, curve.A
    assert G2[0] == (x * x - 1) ** 2 * pow(4 * x * (x * x + A * x + 1), -1, p) % p
    assert affine_add(curve, G, (G[0], -G[1] % p)) is None
    assert not on_curve(curve, (G[0], G[1] + 1)) and not on_curve(curve, (G[0] + curve.p, G[1]))


def test_map_sqrt_failure_raises_even_under_python_O():
    """The map's "a square has a root" check is a real raise (an assert would vanish under -O)."""
    import pytest as _pytest

    from pqzk.errors import InvalidParameter
    from pqzk.hashing import maps

    class NoRoots:
        def sqrt(self, a):
            return None

    with _pytest.raises(InvalidParameter, match="square root"):
        maps._sqrt(NoRoots(), 4)
