"""Byte-string Shamir over GF(2^8): field tables vs galois, round trips, strict share decoding."""
import itertools

import galois
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, PqzkError
from pqzk.math import DeterministicRNG
from pqzk.sharing import gf256
from pqzk.sharing.bytes_shamir import BytesShare, reconstruct_bytes, split_bytes

GF = galois.GF(2**8, irreducible_poly=0x11B)


def test_multiplication_table_matches_galois():
    a = GF(np.arange(256, dtype=np.uint8))
    assert np.array_equal(gf256.MUL, np.asarray(a[:, None] * a[None, :]).astype(np.uint8))
    for x in range(1, 256):
        assert gf256.inv(x) == int(GF(x) ** -1)
    with pytest.raises(InvalidParameter):
        gf256.inv(0)


@settings(max_examples=15)  # galois.lagrange_poly is slow per call
@given(st.lists(st.integers(1, 255), min_size=1, max_size=6, unique=True), st.integers(0, 255),
       st.binary(min_size=1, max_size=8))
def test_interpolation_matches_galois_lagrange_poly(xs, at, seed):
    rng = DeterministicRNG(seed)
    ys = [rng(3) for _ in xs]
    got = gf256.interpolate(xs, ys, at)
    for j in range(3):
        poly = galois.lagrange_poly(GF(xs), GF([y[j] for y in ys]))
        assert got[j] == int(poly(GF(at)))


@given(st.binary(min_size=1, max_size=300), st.integers(1, 8), st.data())
def test_any_t_shares_reconstruct(secret, n, data):
    t = data.draw(st.integers(1, n))
    shares = split_bytes(secret, t, n, rng=DeterministicRNG(secret))
    assert all(len(s.value) == len(secret) for s in shares)
    subset = data.draw(st.permutations(shares))[:data.draw(st.integers(t, n))]
    assert reconstruct_bytes(subset) == secret


def test_every_subset_of_size_t_reconstructs_and_fewer_do_not():
    secret = b"attack at dawn!!" * 4
    shares = split_bytes(secret, 3, 5, rng=DeterministicRNG(1))
    for combo in itertools.combinations(shares, 3):
        assert reconstruct_bytes(combo) == secret
    assert reconstruct_bytes(shares[:2]) != secret


def test_t_minus_1_shares_are_consistent_with_every_secret():
    shares = split_bytes(b"\x42" * 8, 3, 5, rng=DeterministicRNG(2))[:2]
    for candidate in (b"\x00" * 8, b"\xff" * 8, b"anything"):
        # extend the two shares plus (0, candidate) to a third share: a valid 3-of-n sharing
        third = gf256.interpolate([0, shares[0].identifier, shares[1].identifier],
                                  [candidate, shares[0].value, shares[1].value], 9).tobytes()
        assert reconstruct_bytes(shares + [BytesShare(9, third)]) == candidate


def test_large_secret_with_default_rng():
    secret = DeterministicRNG(3)(1 << 18)
    shares = split_bytes(secret, 3, 5)
    assert reconstruct_bytes([shares[4], shares[0], shares[2]]) == secret
    assert shares[0].value != shares[1].value


def test_parameters_refused():
    for args in [(b"", 1, 1), (b"x", 0, 2), (b"x", 3, 2), (b"x", 1, 256)]:
        with pytest.raises(InvalidParameter):
            split_bytes(*args)
    with pytest.raises(InvalidParameter, match="duplicate"):
        split_bytes(b"x", 2, 2, identifiers=[3, 3])
    with pytest.raises(InvalidParameter, match="1..255"):
        split_bytes(b"x", 2, 2, identifiers=[0, 3])
    s = split_bytes(b"xy", 2, 3)
    with pytest.raises(InvalidParameter, match="different lengths"):
        reconstruct_bytes([s[0], BytesShare(2, b"x")])
    with pytest.raises(InvalidParameter, match="duplicate"):
        reconstruct_bytes([s[0], s[0]])
    with pytest.raises(InvalidParameter):
        reconstruct_bytes([])


def test_share_bytes_and_repr():
    s = BytesShare(7, b"topsecret")
    assert BytesShare.from_bytes(s.to_bytes()) == s
    assert "topsecret" not in repr(s) and "redacted" in repr(s)
    for bad in (b"", b"\x07", b"\x00abc"):
        with pytest.raises(InvalidEncoding):
            BytesShare.from_bytes(bad)
    with pytest.raises(InvalidParameter, match="must be bytes"):
        BytesShare.from_bytes(bytearray(b"\x01a").decode())  # type: ignore[arg-type]


@given(st.binary(max_size=20))
def test_share_from_bytes_fuzz(data):
    try:
        s = BytesShare.from_bytes(data)
    except PqzkError:
        return
    assert s.to_bytes() == data


@given(st.binary(min_size=1, max_size=64), st.lists(st.integers(0, 255), max_size=40))
def test_multiples_match_the_table(values, constants):
    """The XOR-reuse fast path gives exactly c·v for every constant, in any order."""
    out = gf256.multiples(values, constants)
    assert set(out) == set(constants)
    for c in constants:
        acc = np.zeros(len(values), dtype=np.uint8)
        gf256.xor_into(acc, out[c])
        assert acc.tobytes() == bytes(gf256.MUL[c][b] for b in values)


@pytest.mark.parametrize("t, n", [(2, 2), (3, 5), (5, 9), (16, 40), (255, 255)])
def test_split_matches_direct_polynomial_evaluation(t, n):
    rng = DeterministicRNG(b"direct")
    secret = rng(8)
    shares = split_bytes(secret, t, n, rng=DeterministicRNG(b"coeffs"))
    # recompute with galois from the same coefficients
    pad = DeterministicRNG(b"coeffs")(8 * (t - 1))
    coeffs = [secret] + [pad[k * 8:(k + 1) * 8] for k in range(t - 1)]
    for s in shares[:: max(1, n // 7)]:
        x = GF(s.identifier)
        for j in range(8):
            expect = GF(0)
            for k in reversed(range(t)):
                expect = expect * x + GF(coeffs[k][j])
            assert s.value[j] == int(expect)
    assert reconstruct_bytes(shares[-t:]) == secret


def test_reconstruct_refuses_non_bytes_values():
    from pqzk.errors import InvalidParameter
    with pytest.raises(InvalidParameter, match="value must be bytes"):
        reconstruct_bytes([BytesShare(1, "ab"), BytesShare(2, "cd")])


def test_gf256_helpers_refuse_out_of_range_and_ragged_inputs():
    from pqzk.errors import InvalidParameter
    for call in (lambda: gf256.mul(300, 2), lambda: gf256.mul(2, -1), lambda: gf256.inv(256),
                 lambda: gf256.lagrange_coefficients([1, 300], 0), lambda: gf256.lagrange_coefficients([1, 2], 256),
                 lambda: gf256.interpolate([1, 2], [b"a", b"bc"], 0), lambda: gf256.interpolate([1, 2], [b"a"], 0),
                 lambda: gf256.interpolate([], [], 0)):
        with pytest.raises(InvalidParameter):
            call()
    assert gf256.mul(gf256.inv(7), 7) == 1


@pytest.mark.parametrize("bad, message", [
    (b"\x01\x02", "shares must be a sequence of BytesShare, got bytes"),
    ([], "no shares given"),
    ([BytesShare(1, b"x"), (2, b"y")], "expected BytesShare objects, got tuple"),
])
def test_reconstruct_bytes_names_what_is_wrong_with_the_share_list(bad, message):
    with pytest.raises(InvalidParameter, match=message):
        reconstruct_bytes(bad)
