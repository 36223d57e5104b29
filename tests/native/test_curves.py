"""Native P-256, edwards25519, edwards448 against the pure-Python curves of pqzk.math.ec and,
for P-256, OpenSSL (via `cryptography`)."""
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.groups._native_curves import CURVES, EDWARDS448, P256
from pqzk.math.ec import EDWARDS25519_CURVE, EDWARDS448_CURVE, P256_CURVE

PAIRS = [("p256", P256_CURVE), ("edwards25519", EDWARDS25519_CURVE), ("edwards448", EDWARDS448_CURVE)]


@pytest.mark.parametrize("name, py", PAIRS)
@given(data=st.data())
@settings(max_examples=8, deadline=None)
def test_ops_match_python(name, py, data):
    N = CURVES[name]
    k = data.draw(st.one_of(st.integers(0, 20), st.integers(0, N.order - 1), st.integers(N.order - 20, N.order - 1)))
    j = data.draw(st.integers(0, N.order - 1))
    assert N.generator == (py.gx, py.gy)
    A = N.base_mul(k)
    assert A == py.to_affine(py.mul(k, py.generator()))
    B = N.mul(j, A)
    assert B == py.to_affine(py.mul(j * k % N.order, py.generator()))
    assert N.add(A, B) == py.to_affine(py.mul((k + j * k) % N.order, py.generator()))
    assert N.add(A, A) == py.to_affine(py.mul(2 * k % N.order, py.generator()))
    assert N.msm([k, j, 3], [N.generator, A, B]) == py.to_affine(py.mul((k + j * k + 3 * j * k) % N.order, py.generator()))
    assert N.in_subgroup(A)


@given(st.integers(1, P256.order - 1))
@settings(max_examples=10, deadline=None)
def test_p256_matches_openssl(k):
    pub = ec.derive_private_key(k, ec.SECP256R1()).public_key().public_numbers()
    assert P256.base_mul(k) == (pub.x, pub.y)


def test_identity_and_negation():
    n = P256.order
    assert P256.base_mul(0) is None and P256.mul(5, None) is None
    g = P256.generator
    assert P256.add(g, P256.base_mul(n - 1)) is None          # P + (-P) = O
    assert P256.add(None, g) == g and P256.add(g, None) == g
    assert EDWARDS448.base_mul(0) == (0, 1)
    assert EDWARDS448.add(EDWARDS448.generator, EDWARDS448.base_mul(EDWARDS448.order - 1)) == (0, 1)


def test_rejections():
    g = P256.generator
    with pytest.raises(InvalidEncoding):
        P256.mul(3, (g[0], g[1] + 1))                           # off the curve
    with pytest.raises(InvalidEncoding):
        P256.add((P256_CURVE.p, 0), g)                          # non-canonical
    # (0, -1) has order 2 on both Edwards curves: on the curve, outside the prime-order subgroup
    assert not EDWARDS448.in_subgroup((0, EDWARDS448_CURVE.p - 1))
    t = EDWARDS25519_CURVE
    g_plus_t2 = t.to_affine(t.add(t.generator(), t.from_affine(0, t.p - 1)))
    assert not CURVES["edwards25519"].in_subgroup(g_plus_t2)
    assert not CURVES["edwards25519"].in_subgroup((g[0], g[1]))  # P-256 coordinates: off the curve
    with pytest.raises(InvalidParameter):
        from pqzk.groups._native_curves import NativeCurve
        NativeCurve(9, "none", 7)
