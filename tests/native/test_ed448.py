"""edwards448 on the dedicated p448 field (native/p448.inc, native/ed448.c): the field against
Python integers, and scalar multiplication, addition, MSM and the subgroup check against the
generic Montgomery path (pqzk_curve_mul_generic), the pure-Python curve of pqzk.math.ec, and
OpenSSL's Ed448 public keys (RFC 8032: public key = [clamped s]B)."""
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey
from hypothesis import given, settings, strategies as st

from pqzk import _native
from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.groups import get_group
from pqzk.groups._native_curves import EDWARDS448 as N
from pqzk.math.ec import EDWARDS448_CURVE as PY

P = 2**448 - 2**224 - 1
L = N.order
lib, ffi = _native.lib, _native.ffi

MUL, SQR, ADD, SUB, NEG, INV, ENCODE, MIXED = range(8)
RAW_EDGES = [0, 1, 2, P - 1, P, P + 1, 2**448 - 1, 2**224, 2**224 - 1, 2**56 - 1, 2**56]


def p448(op, a, b=0):
    out = ffi.new("uint8_t[]", 56)
    rc = lib.pqzk_p448_op(op, out, a.to_bytes(56, "little"), b.to_bytes(56, "little"))
    return rc, int.from_bytes(bytes(ffi.buffer(out)), "little")


raw = st.one_of(st.sampled_from(RAW_EDGES), st.integers(0, 2**448 - 1), st.integers(P - 2**64, P + 2**64))


@given(raw, raw)
@settings(max_examples=300, deadline=None)
def test_p448_matches_python(a, b):
    assert p448(MUL, a, b) == (0, a * b % P)
    assert p448(SQR, a) == (0, a * a % P)
    assert p448(ADD, a, b) == (0, (a + b) % P)
    assert p448(SUB, a, b) == (0, (a - b) % P)
    assert p448(NEG, a) == (0, -a % P)
    assert p448(MIXED, a, b) == (0, (((a + b) * (a - b) - b) ** 2 - a) % P)  # unreduced operands


@given(raw)
@settings(max_examples=60, deadline=None)
def test_p448_inverse_and_encoding(a):
    assert p448(INV, a) == (0, pow(a, P - 2, P))                            # inv(0) = 0
    assert p448(ENCODE, a) == (int(a < P), a % P)                           # canonical form and check


def test_p448_unknown_op():
    assert p448(99, 1)[0] == -1


# ---- points ----
def affine(k, pt=None):
    pt = PY.generator() if pt is None else PY.from_affine(*pt)
    return PY.to_affine(PY.mul(k, pt))


T2 = (0, P - 1)                                  # order 2
T4 = (1, 0)                                      # order 4
T4N = (P - 1, 0)
SMALL = [(0, 1), T2, T4, T4N]
G = N.generator
G_T4 = PY.to_affine(PY.add(PY.generator(), PY.from_affine(*T4)))   # outside the prime-order subgroup


def enc(pt):
    return N._to(pt)


def mul_rc(fn, k, pt, flag=None):
    out = ffi.new("uint8_t[]", N._plen)
    data = enc(pt) if flag is None else bytes([flag]) + enc(pt)[1:]
    rc = fn(N.cid, out, data, k.to_bytes(56, "big"))
    return rc, (N._from(out) if rc == 0 else None)


scalars = st.one_of(st.sampled_from([0, 1, 2, 3, 4, 15, 16, 17, L - 1, L - 2, (L - 1) // 2, 2**445]),
                    st.integers(0, L - 1))
points = st.one_of(st.sampled_from(SMALL + [G, G_T4]), st.integers(1, L - 1).map(affine))


@given(scalars, points)
@settings(max_examples=60, deadline=None)
def test_mul_matches_generic_and_python(k, pt):
    new = mul_rc(lib.pqzk_curve_mul, k, pt)
    assert new == mul_rc(lib.pqzk_curve_mul_generic, k, pt)
    assert new == (0, affine(k, pt))


def test_mul_identity_flag_and_small_order():
    assert mul_rc(lib.pqzk_curve_mul, 5, (0, 1), flag=1) == (0, (0, 1))
    assert N.mul(L - 1, (0, 1)) == (0, 1)
    assert N.mul(2, T2) == (0, 1) and N.mul(3, T2) == T2
    assert N.mul(2, T4) == T2 and N.mul(4, T4) == (0, 1) and N.mul(3, T4) == T4N
    assert N.mul(L, G) == (0, 1) and N.mul(L - 1, G) == (P - G[0], G[1])


def test_scalar_range_and_rejections():
    for k in (L, L + 1, 2**446, 2**448 - 1):                 # the ABI takes scalars below the order
        assert mul_rc(lib.pqzk_curve_mul, k, G)[0] == -1
        assert mul_rc(lib.pqzk_curve_mul_generic, k, G)[0] == -1
    assert mul_rc(lib.pqzk_curve_mul, L - 1, G)[0] == 0
    assert mul_rc(lib.pqzk_curve_mul, 1, G, flag=2)[0] == -2
    assert mul_rc(lib.pqzk_curve_mul, 1, (G[0], G[1] + 1))[0] == -2          # off the curve
    assert mul_rc(lib.pqzk_curve_mul, 1, (P, 1))[0] == -2                     # x = 0 + p: not canonical
    assert mul_rc(lib.pqzk_curve_mul, 1, (0, P + 1))[0] == -2                 # y = 1 + p: not canonical
    with pytest.raises(InvalidEncoding):
        N.mul(3, (G[0], G[1] + 1))
    with pytest.raises(InvalidEncoding):
        N.add(G, (P, 1))
    with pytest.raises(InvalidEncoding):
        N.msm([1, 2], [G, (1, 1)])
    out = ffi.new("uint8_t[]", N._plen)
    assert lib.pqzk_curve_msm(N.cid, out, enc(G) * 2, (1).to_bytes(56, "big") + L.to_bytes(56, "big"), 2) == -1
    with pytest.raises(InvalidParameter):
        N.msm([1], [G, G])


@given(st.integers(0, 2**448 - 1))
@settings(max_examples=20, deadline=None)
def test_python_api_reduces_large_scalars(k):
    assert N.mul(k, G) == affine(k % L)
    assert N.mul(k, T4) == affine(k % L, T4)                 # reduced mod the order, as before


@given(st.lists(st.tuples(scalars, points), min_size=0, max_size=5))
@settings(max_examples=25, deadline=None)
def test_add_msm_check_match_python(terms):
    acc = PY.identity()
    for k, pt in terms:
        acc = PY.add(acc, PY.mul(k, PY.from_affine(*pt)))
    assert N.msm([k for k, _ in terms], [pt for _, pt in terms]) == PY.to_affine(acc)
    for _, pt in terms:
        s = PY.to_affine(PY.add(PY.from_affine(*pt), PY.from_affine(*G_T4)))
        assert N.add(pt, G_T4) == s
        assert N.in_subgroup(pt) == PY.is_identity(PY.mul(L, PY.from_affine(*pt)))


def test_subgroup_check():
    assert N.in_subgroup(G) and N.in_subgroup((0, 1)) and N.in_subgroup(affine(12345))
    for pt in (T2, T4, T4N, G_T4):
        assert not N.in_subgroup(pt)
    assert not N.in_subgroup((G[0], G[1] + 1))


# ---- OpenSSL: RFC 8032 section 5.2.5, public key = encode([s]B), s clamped (s >= 2^447) ----
def rfc8032_secret_scalar(seed):
    h = bytearray(hashlib.shake_256(seed).digest(114)[:57])
    h[0] &= 0xFC
    h[55] |= 0x80
    h[56] = 0
    return int.from_bytes(h, "little")


@given(st.binary(min_size=57, max_size=57))
@settings(max_examples=30, deadline=None)
def test_public_keys_match_openssl(seed):
    s = rfc8032_secret_scalar(seed)
    pub = Ed448PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    assert PY.encode_xy(*N.base_mul(s)) == pub
    G448 = get_group("ed448")
    assert G448.scalar_mult(s % L, G448.generator()).to_bytes() == pub
    assert G448.base_mult(s % L).to_bytes() == pub
