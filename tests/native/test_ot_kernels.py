"""native/ot.c against its Python references: SHAKE128, bit transposition, GF(2^128), hashing
rows to scalars, and the scalar-vector arithmetic of two-party multiplication."""
import hashlib

import pytest
from hypothesis import given, settings, strategies as st

from pqzk import _native
from pqzk.errors import InvalidParameter
from pqzk.math import bits, scalar_vec, xof
from pqzk.groups import get_group

ORDERS = [get_group("secp256k1").order, get_group("p256").order]


@given(st.binary(max_size=400), st.integers(0, 500))
@settings(max_examples=40)
def test_shake128_matches_hashlib(data, n):
    out = _native.ffi.new("uint8_t[]", max(1, n))
    _native.lib.pqzk_shake128(out, n, data, len(data))
    assert bytes(_native.ffi.buffer(out, n)) == hashlib.shake_128(data).digest(n)


@given(st.binary(max_size=200), st.lists(st.binary(min_size=16, max_size=16), max_size=6), st.integers(1, 400))
@settings(max_examples=30)
def test_expand_matches_reference(prefix, seeds, n):
    assert xof.expand(prefix, seeds, n) == xof.expand_ref(prefix, seeds, n)


@given(st.integers(1, 6), st.integers(1, 12), st.data())
@settings(max_examples=40)
def test_transpose_matches_reference(r8, c8, data):
    rows, cols = 8 * r8, 8 * c8
    m = data.draw(st.binary(min_size=rows * cols // 8, max_size=rows * cols // 8))
    t = bits.transpose(m, rows, cols)
    assert t == bits.transpose_ref(m, rows, cols)
    assert bits.transpose(t, cols, rows) == m
    r, c = data.draw(st.integers(0, rows - 1)), data.draw(st.integers(0, cols - 1))
    assert bits.get_bit(m[r * cols // 8:(r + 1) * cols // 8], c) == bits.get_bit(t[c * rows // 8:(c + 1) * rows // 8], r)


def test_transpose_rejects_bad_shapes():
    with pytest.raises(InvalidParameter):
        bits.transpose(b"\x00" * 8, 8, 9)
    with pytest.raises(InvalidParameter):
        bits.transpose(b"\x00" * 7, 8, 8)


@given(st.binary(min_size=16, max_size=16), st.binary(min_size=16, max_size=16), st.binary(min_size=16, max_size=16))
@settings(max_examples=60)
def test_gf128_matches_reference_and_is_a_field(a, b, c):
    ab = bits.gf128_mul(a, b)
    assert ab == bits.gf128_mul_ref(a, b) == bits.gf128_mul(b, a)
    assert bits.gf128_mul(ab, c) == bits.gf128_mul(a, bits.gf128_mul(b, c))
    assert bits.gf128_mul(a, bits.xor_bytes(b, c)) == bits.xor_bytes(ab, bits.gf128_mul(a, c))
    one = (1).to_bytes(16, "little")
    assert bits.gf128_mul(a, one) == a


def test_gf128_reduction_polynomial():
    x127 = (1 << 127).to_bytes(16, "little")
    x = (2).to_bytes(16, "little")
    assert bits.gf128_mul(x127, x) == (0x87).to_bytes(16, "little")    # x^128 = x^7 + x^2 + x + 1


@given(st.lists(st.tuples(st.binary(min_size=16, max_size=16), st.binary(min_size=16, max_size=16)), max_size=8))
@settings(max_examples=30)
def test_gf128_inner_matches_reference(pairs):
    a = b"".join(p[0] for p in pairs)
    b = b"".join(p[1] for p in pairs)
    assert bits.gf128_inner(a, b) == bits.gf128_inner_ref(a, b)


@pytest.mark.parametrize("order", ORDERS)
@given(prefix=st.binary(max_size=40), nrows=st.integers(0, 5), rowlen=st.sampled_from([16, 32]),
       width=st.integers(1, 3), data=st.data())
@settings(max_examples=25)
def test_hash_rows_matches_reference(order, prefix, nrows, rowlen, width, data):
    rows = data.draw(st.binary(min_size=nrows * rowlen, max_size=nrows * rowlen))
    mask = data.draw(st.one_of(st.none(), st.binary(min_size=rowlen, max_size=rowlen)))
    got = xof.hash_rows_to_scalars(prefix, rows, rowlen, order, width, mask)
    assert got == xof.hash_rows_to_scalars_ref(prefix, rows, rowlen, order, width, mask)
    assert all(int.from_bytes(got[i:i + 32], "big") < order for i in range(0, len(got), 32))


def test_hash_rows_reduces_values_above_the_order():
    """A 48-byte value whose low half is >= the order exercises the conditional subtraction."""
    order = ORDERS[1]
    for j in range(64):     # enough rows that some chunk has a low half above the P-256 order
        got = xof.hash_rows_to_scalars(b"t", j.to_bytes(16, "big"), 16, order, 3)
        assert got == xof.hash_rows_to_scalars_ref(b"t", j.to_bytes(16, "big"), 16, order, 3)


@pytest.mark.parametrize("order", ORDERS)
@given(data=st.data(), n=st.integers(0, 6), w=st.integers(1, 4))
@settings(max_examples=25)
def test_scalar_vectors_native_match_python(order, data, n, w):
    nat, ref = scalar_vec.ScalarVectors(order, native=True), scalar_vec.ScalarVectors(order, native=False)
    sc = st.integers(0, order - 1)
    a = ref.pack(data.draw(st.lists(sc, min_size=n * w, max_size=n * w)))
    b = ref.pack(data.draw(st.lists(sc, min_size=n * w, max_size=n * w)))
    sel = bytes(data.draw(st.lists(st.integers(0, 1), min_size=n * w, max_size=n * w)))
    v = ref.pack(data.draw(st.lists(sc, min_size=n, max_size=n)))
    u = ref.pack(data.draw(st.lists(sc, min_size=w, max_size=w)))
    assert nat.add(a, b) == ref.add(a, b)
    assert nat.sub(a, b) == ref.sub(a, b)
    assert nat.cadd(a, b, sel) == ref.cadd(a, b, sel)
    if n:
        assert nat.vec_mat(v, a, w) == ref.vec_mat(v, a, w)
        assert nat.mat_vec(a, u) == ref.mat_vec(a, u)


def test_scalar_vectors_reject_unreduced_and_bad_shapes():
    order = ORDERS[0]
    nat = scalar_vec.ScalarVectors(order, native=True)
    big = order.to_bytes(32, "big")
    with pytest.raises(InvalidParameter):
        nat.add(big, bytes(32))
    with pytest.raises(InvalidParameter):
        nat.add(bytes(32), bytes(31))
    with pytest.raises(InvalidParameter):
        nat.cadd(bytes(32), bytes(32), b"")
    with pytest.raises(InvalidParameter):
        nat.vec_mat(bytes(32), bytes(64), 3)
