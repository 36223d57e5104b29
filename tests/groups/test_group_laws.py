"""Group laws, encodings and the Element API, for every group (hypothesis over scalars)."""
from __future__ import annotations

import pytest
from _groups import NAMES, NO_IDENTITY_ENCODING, group
from hypothesis import given, settings
from hypothesis import strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.groups import Element, get_group

pytestmark = pytest.mark.parametrize("name", NAMES)


def scalars(name):
    return st.integers(min_value=0, max_value=group(name).order - 1)


@settings(max_examples=15)
@given(data=st.data())
def test_associativity_commutativity_identity_inverse(name, data):
    G = group(name)
    a, b, c = (data.draw(scalars(name)) * G.generator() for _ in range(3))
    O = G.identity()
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert a + O == a == O + a
    assert (a + (-a)).is_identity()
    assert a - a == O
    assert a - b == a + (-b)
    assert -(-a) == a
    assert G.add(a, b) == a + b and G.sub(a, b) == a - b and G.neg(a) == -a


@settings(max_examples=15)
@given(data=st.data())
def test_scalar_mult_distributes(name, data):
    G = group(name)
    k1, k2 = data.draw(scalars(name)), data.draw(scalars(name))
    g = G.generator()
    P = data.draw(scalars(name)) * g
    Q = data.draw(scalars(name)) * g
    n = G.order
    assert (k1 + k2) * P == k1 * P + k2 * P
    assert k1 * (P + Q) == k1 * P + k1 * Q
    assert (k1 * k2) * P == k1 * (k2 * P)
    assert G.base_mult(k1) == k1 * g == G.scalar_mult(k1, g) == g * k1
    assert G.base_mult(k1 + n) == G.base_mult(k1)  # scalars are taken mod the order
    assert (-k1) * P == -(k1 * P)
    assert 0 * P == G.identity() and 1 * P == P and 2 * P == P + P


def test_order(name):
    G = group(name)
    g = G.generator()
    assert not g.is_identity()
    assert (G.order - 1) * g == -g
    assert ((G.order - 1) * g + g).is_identity()
    assert G.base_mult(G.order - 1) == -g
    assert (G.order * g).is_identity() and G.base_mult(0).is_identity()


@settings(max_examples=5)
@given(data=st.data())
def test_msm_is_sum_of_products(name, data):
    G = group(name)
    n = data.draw(st.integers(0, 6))
    ks = [data.draw(scalars(name)) for _ in range(n)]
    pts = [data.draw(scalars(name)) * G.generator() for _ in range(n)]
    expect = G.identity()
    for k, P in zip(ks, pts):
        expect = expect + k * P
    assert G.msm(ks, pts) == expect
    assert G.msm_vartime(ks, pts) == expect
    # repeated points, zero scalars, the identity among the points, P and -P (the exceptional
    # cases of Weierstrass addition inside the Pippenger buckets)
    P = pts[0] if pts else G.generator()
    for msm in (G.msm, G.msm_vartime):
        assert msm([3, 0, 5, 7], [P, P, G.identity(), P]) == 10 * P
        assert msm([4, 4, 9], [P, -P, P]) == 9 * P
        assert msm([1, 1], [P, -P]).is_identity()
        assert msm([G.order - 1, 1], [P, P]).is_identity()
        assert msm([], []).is_identity()
        with pytest.raises(InvalidParameter):
            msm([1], [])


@settings(max_examples=15)
@given(data=st.data())
def test_encode_decode_round_trip(name, data):
    G = group(name)
    P = data.draw(st.integers(1, G.order - 1)) * G.generator()
    enc = P.to_bytes()
    assert len(enc) == G.element_size
    assert enc == G.encode(P)
    Q = G.decode(enc)
    assert Q == P and Q.to_bytes() == enc and hash(Q) == hash(P)
    assert G.decode(bytearray(enc)) == P and G.decode(memoryview(enc)) == P
    assert P != P + G.generator()


@settings(max_examples=25)
@given(data=st.data())
def test_scalar_round_trip(name, data):
    G = group(name)
    k = data.draw(scalars(name))
    b = G.scalar_encode(k)
    assert len(b) == G.scalar_size
    assert G.scalar_decode(b) == k
    assert int.from_bytes(b, G.scalar_byteorder) == k


def test_identity_handling(name):
    G = group(name)
    O = G.identity()
    assert O.is_identity() and O == G.generator() - G.generator()
    assert hash(O) == hash(G.generator() - G.generator())
    if name in NO_IDENTITY_ENCODING:
        with pytest.raises(InvalidEncoding):
            O.to_bytes()
        return
    enc = O.to_bytes()
    assert len(enc) == G.element_size
    with pytest.raises(InvalidEncoding, match="identity"):
        G.decode(enc)
    assert G.decode(enc, allow_identity=True).is_identity()


def test_random_and_hash_to_scalar(name):
    G = group(name)
    from pqzk.math.rand import DeterministicRNG
    ks = {G.random_scalar(DeterministicRNG(b"seed-" + name.encode())) for _ in range(3)}
    assert all(0 < k < G.order for k in ks)
    assert G.random_scalar(DeterministicRNG(1)) == G.random_scalar(DeterministicRNG(1))
    h = G.hash_to_scalar(b"msg", b"DST-test")
    assert 0 <= h < G.order
    assert h == G.hash_to_scalar(b"msg", b"DST-test") != G.hash_to_scalar(b"msg", b"DST-other")


def test_element_api(name):
    G = group(name)
    g = G.generator()
    with pytest.raises(AttributeError):
        g.raw = None
    other = get_group("ed25519" if name != "ed25519" else "secp256k1")
    with pytest.raises(InvalidParameter):
        g + other.generator()
    with pytest.raises(InvalidParameter):
        G.add(g, other.generator())
    assert g != other.generator()
    assert isinstance(g, Element) and name in repr(g) and name in repr(G.identity())
    with pytest.raises(TypeError):
        g * 1.5
    assert {g, G.base_mult(1), 2 * g} == {g, 2 * g}
