"""Robust reconstruction: right secret despite wrong shares, wrong shares named, abort beyond."""
import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidParameter, ProtocolAbort
from pqzk.groups import get_group
from pqzk.math import DeterministicRNG
from pqzk.sharing.robust import berlekamp_welch, robust_reconstruct
from pqzk.sharing.shamir import Share, split
from pqzk.sharing.vss import PedersenShare, feldman_deal, pedersen_deal

G = get_group("secp256k1")
Q = G.order


def _corrupt(shares, ids, q, delta=1):
    return [Share(s.identifier, (s.value + delta) % q) if s.identifier in ids else s for s in shares]


@settings(max_examples=40)
@given(st.sampled_from([Q, 2**61 - 1, 65537]), st.integers(1, 5), st.integers(1, 6), st.data())
def test_reed_solomon_corrects_up_to_half_the_redundancy(q, t, redundancy, data):
    n = t + redundancy
    e_max = redundancy // 2
    rng = DeterministicRNG(data.draw(st.binary(min_size=4, max_size=4)))
    secret = int.from_bytes(rng(40), "big") % q
    shares = split(secret, t, n, q, rng=rng)
    bad = data.draw(st.lists(st.integers(1, n), unique=True, max_size=e_max))
    delta = data.draw(st.integers(1, q - 1))
    got, culprits = robust_reconstruct(_corrupt(shares, bad, q, delta), q, threshold=t)
    assert got == secret and culprits == sorted(bad)


def test_too_many_wrong_shares_abort():
    shares = split(1234, 3, 7, Q, rng=DeterministicRNG(1))
    with pytest.raises(ProtocolAbort, match="too many wrong shares"):
        robust_reconstruct(_corrupt(shares, [2, 5, 6], Q), Q, threshold=3)


def test_detects_but_cannot_correct_with_one_spare():
    shares = split(1234, 3, 4, Q, rng=DeterministicRNG(2))
    assert robust_reconstruct(shares, Q, threshold=3) == (1234, [])
    with pytest.raises(ProtocolAbort):
        robust_reconstruct(_corrupt(shares, [4], Q), Q, threshold=3)


def test_parameters():
    shares = split(1, 2, 3, Q)
    with pytest.raises(InvalidParameter, match="more than 3"):
        robust_reconstruct(shares, Q, threshold=3)
    with pytest.raises(InvalidParameter, match="give the order"):
        robust_reconstruct(shares)
    with pytest.raises(InvalidParameter, match="duplicate"):
        robust_reconstruct(shares + [shares[0]], Q, threshold=1)


def test_berlekamp_welch_returns_the_polynomial():
    q = 65537
    f = [5, 7, 11]
    pts = [(x, (5 + 7 * x + 11 * x * x) % q) for x in range(1, 8)]
    pts[3] = (4, 0)
    assert berlekamp_welch(pts, 3, q) == f


def test_with_feldman_commitment_names_culprits():
    rng = DeterministicRNG(3)
    secret = G.random_scalar(rng)
    shares, com = feldman_deal(G, secret, 3, 6, rng=rng)
    bad = _corrupt(shares, [1, 4, 6], Q)
    # more wrong shares than Reed–Solomon could correct, but commitments identify them
    assert robust_reconstruct(bad, commitment=com) == (secret, [1, 4, 6])
    with pytest.raises(ProtocolAbort) as ei:
        robust_reconstruct(_corrupt(shares, [1, 2, 4, 6], Q), commitment=com)
    assert ei.value.culprits == [1, 2, 4, 6]
    with pytest.raises(InvalidParameter):
        robust_reconstruct(shares, commitment=com, threshold=2)


def test_with_pedersen_commitment_names_culprits():
    shares, com = pedersen_deal(G, 321, 2, 4, rng=DeterministicRNG(4))
    bad = [PedersenShare(s.identifier, s.value, (s.blinding + 1) % Q) if s.identifier == 3 else s
           for s in shares]
    assert robust_reconstruct(bad, commitment=com) == (321, [3])


def test_berlekamp_welch_refuses_repeated_x_and_bad_threshold():
    """A repeated x counts one party twice: two copies of a wrong point could outvote an honest one."""
    from pqzk.errors import InvalidParameter
    from pqzk.sharing.robust import berlekamp_welch
    q = 7919
    with pytest.raises(InvalidParameter, match="distinct"):
        berlekamp_welch([(1, 2), (1, 2), (2, 3)], 2, q)
    with pytest.raises(InvalidParameter, match="distinct"):
        berlekamp_welch([(1, 2), (1 + q, 5), (2, 3)], 2, q)
    for t in (0, -1, True, "2"):
        with pytest.raises(InvalidParameter, match="threshold"):
            berlekamp_welch([(1, 2), (2, 3)], t, q)
    assert berlekamp_welch([(1, 3), (2, 5), (3, 7), (4, 100), (5, 11)], 2, q) == [1, 2]
