"""Shamir over prime fields: round trips, properties, strict encodings, galois cross-check."""
import galois
import pytest
from hypothesis import given, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, PqzkError
from pqzk.groups import get_group
from pqzk.math import DeterministicRNG, lagrange_coefficients
from pqzk.sharing.shamir import Share, interpolate_share, reconstruct, split

G = get_group("secp256k1")
Q = G.order
PRIMES = [Q, 2**255 - 19, 2**61 - 1, 8380417, 65537]


@st.composite
def sharings(draw):
    q = draw(st.sampled_from(PRIMES))
    n = draw(st.integers(1, 12))
    t = draw(st.integers(1, n))
    secret = draw(st.integers(0, q - 1))
    seed = draw(st.binary(min_size=4, max_size=4))
    return q, t, n, secret, seed


@given(sharings(), st.data())
def test_any_t_shares_reconstruct(params, data):
    q, t, n, secret, seed = params
    shares = split(secret, t, n, q, rng=DeterministicRNG(seed))
    assert [s.identifier for s in shares] == list(range(1, n + 1))
    subset = data.draw(st.permutations(shares))[:data.draw(st.integers(t, n))]
    assert reconstruct(subset, q) == secret


@given(sharings(), st.data())
def test_t_minus_1_shares_are_consistent_with_every_secret(params, data):
    """Perfect hiding, checkably: for any candidate secret there is a degree t-1 polynomial through
    (0, candidate) and the t-1 shares, and the t-1 shares alone give no constraint on f(0)."""
    q, t, n, secret, seed = params
    if t < 2:
        return
    shares = split(secret, t, n, q, rng=DeterministicRNG(seed))[: t - 1]
    candidate = data.draw(st.integers(0, q - 1))
    # Build the unique polynomial through (0, candidate) and the t-1 shares; it is a valid
    # degree < t sharing of `candidate` that agrees with every share held.
    pts = [(0, candidate)] + [(s.identifier, s.value) for s in shares]
    xs = [x for x, _ in pts]
    free = next(x for x in range(n + 1, n + 50) if x % q not in xs)
    lam = lagrange_coefficients(xs, q, free)
    completed = shares + [Share(free, sum(l * y for l, (_, y) in zip(lam, pts)) % q)]
    assert reconstruct(completed, q) == candidate
    for s in shares:
        assert interpolate_share(completed, s.identifier, q) == s


def test_fewer_than_t_shares_give_a_different_value():
    rng = DeterministicRNG(b"t-1")
    shares = split(42, 3, 5, Q, rng=rng)
    assert reconstruct(shares[:2], Q) != 42


def test_custom_identifiers_and_group_order():
    shares = split(7, 2, 3, G, identifiers=[5, 9, Q - 1], rng=DeterministicRNG(1))
    assert [s.identifier for s in shares] == [5, 9, Q - 1]
    assert reconstruct(shares[1:], G) == 7


def test_threshold_one_every_share_is_the_secret():
    assert {s.value for s in split(99, 1, 4, Q)} == {99}


@pytest.mark.parametrize("kwargs, match", [
    (dict(threshold=0, num_shares=3), "threshold"),
    (dict(threshold=4, num_shares=3), "threshold"),
    (dict(threshold=1, num_shares=0), "number of shares"),
    (dict(threshold=2, num_shares=3, identifiers=[0, 1, 2]), "> 0"),
    (dict(threshold=2, num_shares=3, identifiers=[1, 1, 2]), "duplicate"),
    (dict(threshold=2, num_shares=3, identifiers=[1, 2, Q]), "smaller than the order"),
    (dict(threshold=2, num_shares=3, identifiers=[1, 2]), "identifiers given"),
    (dict(threshold=2, num_shares=3, identifiers=[1, 2, -3]), "> 0"),
])
def test_split_refuses_bad_parameters(kwargs, match):
    with pytest.raises(InvalidParameter, match=match):
        split(5, order=Q, **kwargs)


def test_split_refuses_out_of_range_secret():
    for bad in (-1, Q):
        with pytest.raises(InvalidParameter, match="secret"):
            split(bad, 2, 3, Q)


def test_reconstruct_refuses_bad_share_sets():
    shares = split(5, 2, 3, Q)
    with pytest.raises(InvalidParameter, match="no shares"):
        reconstruct([], Q)
    with pytest.raises(InvalidParameter, match="duplicate"):
        reconstruct([shares[0], shares[0]], Q)
    with pytest.raises(InvalidParameter, match="> 0"):
        reconstruct([Share(0, 1), shares[1]], Q)
    with pytest.raises(InvalidParameter, match="out of range"):
        reconstruct([Share(1, Q), shares[1]], Q)
    with pytest.raises(InvalidParameter, match="order"):
        reconstruct(shares, 2)


def test_repr_is_redacted():
    s = Share(3, 0xDEADBEEF1234)
    assert "deadbeef" not in repr(s).lower() and str(0xDEADBEEF1234) not in repr(s)
    assert "redacted" in repr(s) and "identifier=3" in repr(s) and repr(s) == str(s)


@given(st.integers(1, Q - 1), st.integers(0, Q - 1))
def test_share_bytes_round_trip_group(ident, value):
    s = Share(ident, value)
    data = s.to_bytes(G)
    assert len(data) == 2 * G.scalar_size
    assert Share.from_bytes(G, data) == s
    assert Share.from_bytes(Q, s.to_bytes(Q)) == s


def test_share_encoding_is_the_group_scalar_encoding():
    s = Share(1, 2)
    assert s.to_bytes(G) == G.scalar_encode(1) + G.scalar_encode(2)
    assert Share(1, 2).to_bytes(65537) == bytes.fromhex("000001" "000002")


@pytest.mark.parametrize("data, match", [
    (b"", "64 bytes"),
    (bytes(63), "64 bytes"),
    (bytes(65), "64 bytes"),
    (bytes(64), "identifier is zero"),
    (Q.to_bytes(32, "big") + bytes(32), "identifier is not reduced"),
    ((1).to_bytes(32, "big") + Q.to_bytes(32, "big"), "value is not reduced"),
    ((1).to_bytes(32, "big") + b"\xff" * 32, "value is not reduced"),
])
def test_share_from_bytes_is_strict(data, match):
    with pytest.raises(InvalidEncoding, match=match):
        Share.from_bytes(G, data)


def test_share_from_bytes_rejects_non_bytes():
    with pytest.raises(InvalidParameter, match="must be bytes"):
        Share.from_bytes(G, "00" * 64)  # type: ignore[arg-type]


@given(st.binary(max_size=80))
def test_share_from_bytes_fuzz_raises_only_pqzk_errors(data):
    for order in (G, Q, 65537):
        try:
            s = Share.from_bytes(order, data)
        except PqzkError:
            continue
        assert s.to_bytes(order) == data


def test_to_bytes_refuses_out_of_range():
    with pytest.raises(InvalidParameter):
        Share(0, 1).to_bytes(G)
    with pytest.raises(InvalidParameter):
        Share(1, Q).to_bytes(G)


# ---- independent cross-check: galois polynomial interpolation over a prime field ----
@pytest.mark.parametrize("p, prim", [(2**61 - 1, None), (Q, 7)])
def test_reconstruct_matches_galois_lagrange_poly(p, prim):
    # For the 256-bit field galois must not factor p-1: pass a primitive element with
    # verify=False (only field arithmetic is used here, never discrete logarithms).
    GF = galois.GF(p) if prim is None else galois.GF(p, primitive_element=prim, verify=False)
    rng = DeterministicRNG(b"galois" + p.to_bytes(32, "big"))
    secret = int.from_bytes(rng(32), "big") % p
    shares = split(secret, 4, 7, p, rng=rng)
    pick = [shares[i] for i in (6, 1, 3, 4)]
    x = GF([s.identifier for s in pick])
    y = GF([s.value for s in pick])
    poly = galois.lagrange_poly(x, y)
    assert poly.degree <= 3
    assert int(poly(GF(0))) == secret == reconstruct(pick, p)
    for s in shares:  # every other share lies on the same polynomial
        assert int(poly(GF(s.identifier))) == s.value


@pytest.mark.parametrize("secret, t, n, ids, match", [
    (-1, 2, 3, None, "secret"), (7919, 2, 3, None, "secret"), (True, 2, 3, None, "secret"),
    (5, 4, 3, None, "threshold"), (5, 0, 3, None, "threshold"), (5, 2, 0, None, "number of shares"),
    (5, 2, 3, [1, 2], "2 identifiers"), (5, 2, 3, [1, 2, 2], "duplicate"), (5, 2, 3, [0, 1, 2], "> 0"),
])
def test_every_dealer_refuses_the_same_bad_arguments(secret, t, n, ids, match):
    """split, feldman_deal and pedersen_deal share one argument check (check_split)."""
    from pqzk.groups import get_group
    from pqzk.sharing.shamir import check_split, split
    from pqzk.sharing.vss import feldman_deal, pedersen_deal
    g = get_group("secp256k1")
    q = 7919 if secret == 7919 else g.order
    for deal in (lambda: check_split(secret, t, n, q, ids), lambda: split(secret, t, n, q, identifiers=ids),
                 lambda: feldman_deal(g, secret, t, n, identifiers=ids) if q == g.order else check_split(secret, t, n, q, ids),
                 lambda: pedersen_deal(g, secret, t, n, identifiers=ids) if q == g.order else check_split(secret, t, n, q, ids)):
        with pytest.raises(InvalidParameter, match=match):
            deal()


@pytest.mark.parametrize("shares", [None, 5, "shares", b"\x01\x02"])
def test_reconstruct_refuses_a_non_sequence(shares):
    with pytest.raises(InvalidParameter, match="sequence of Share"):
        reconstruct(shares, 7919)
