"""pqzk.math.ec: curve constants and the generic group law on plain ints."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec as ossl_ec
from hypothesis import given, settings
from hypothesis import strategies as st

from pqzk.errors import InvalidParameter
from pqzk.math.ec import (EDWARDS25519_CURVE, EDWARDS448_CURVE, P256_CURVE, P384_CURVE, P521_CURVE,
                          SECP256K1_CURVE, signed_radix, wnaf)

WEI = [P256_CURVE, P384_CURVE, P521_CURVE, SECP256K1_CURVE]
ALL = WEI + [EDWARDS25519_CURVE, EDWARDS448_CURVE]
OSSL = {"P-256": ossl_ec.SECP256R1(), "P-384": ossl_ec.SECP384R1(), "P-521": ossl_ec.SECP521R1(),
        "secp256k1": ossl_ec.SECP256K1()}


@pytest.mark.parametrize("C", ALL, ids=lambda c: c.name)
def test_generator_on_curve_and_order(C):
    assert C.is_on_curve(C.gx, C.gy)
    G = C.generator()
    assert C.is_identity(C.mul(C.n, G))
    assert not C.is_identity(C.mul(C.n - 1, G))
    assert C.eq(C.mul(C.n - 1, G), C.neg(G))


@pytest.mark.parametrize("C", WEI, ids=lambda c: c.name)
def test_weierstrass_matches_openssl(C):
    # OpenSSL's public key for private key k is k·G.
    for k in (1, 2, 3, 0xDEADBEEF, C.n - 1, C.n // 3):
        nums = ossl_ec.derive_private_key(k, OSSL[C.name]).public_key().public_numbers()
        assert C.to_affine(C.mul(k, C.generator())) == (nums.x, nums.y)


@pytest.mark.parametrize("C", ALL, ids=lambda c: c.name)
@settings(max_examples=10)
@given(data=st.data())
def test_group_law(C, data):
    k1 = data.draw(st.integers(0, C.n - 1))
    k2 = data.draw(st.integers(0, C.n - 1))
    G = C.generator()
    P, Q = C.mul(k1, G), C.mul(k2, G)
    assert C.eq(C.add(P, Q), C.mul((k1 + k2) % C.n, G))
    assert C.eq(C.add(P, P), C.double(P))
    assert C.is_identity(C.add(P, C.neg(P)))
    assert C.eq(C.add(P, C.identity()), P)
    assert C.eq(C.mul(-k1, G), C.neg(P))
    if not C.is_identity(P):
        x, y = C.to_affine(P)
        assert C.is_on_curve(x, y)
        assert C.eq(C.from_affine(x, y), P)


@pytest.mark.parametrize("C", ALL, ids=lambda c: c.name)
@settings(max_examples=5)
@given(data=st.data())
def test_fixed_base_and_msm(C, data):
    G = C.generator()
    table = C.fixed_base_table(G, C.n.bit_length())
    ks = data.draw(st.lists(st.integers(0, C.n - 1), min_size=0, max_size=6))
    for k in ks + [0, 1, C.n - 1]:
        assert C.eq(table.mul(k), C.mul(k, G))
    pts = [C.mul(k + 7, G) for k in range(len(ks))]
    expect = C.identity()
    for k, P in zip(ks, pts):
        expect = C.add(expect, C.mul(k, P))
    assert C.eq(C.msm(ks, pts), expect)


@given(st.integers(0, 2**300), st.integers(2, 8))
def test_recodings(k, w):
    assert sum(d << i for i, d in enumerate(wnaf(k, w))) == k
    n = -(-(k.bit_length() + 1) // w)
    assert sum(d << (w * i) for i, d in enumerate(signed_radix(k, w, n))) == k


def test_off_curve_and_errors():
    C = P256_CURVE
    assert not C.is_on_curve(C.gx, C.gy + 1)
    assert not C.is_on_curve(C.gx + C.p, C.gy)
    assert not EDWARDS25519_CURVE.is_on_curve(EDWARDS25519_CURVE.gx, 5)
    with pytest.raises(InvalidParameter):
        C.msm([1, 2], [C.generator()])
    with pytest.raises(InvalidParameter):
        signed_radix(2**20, 4, 2)
