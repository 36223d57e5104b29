"""Feldman and Pedersen VSS: deal, verify, reconstruct; tampering caught; strict encodings."""

import pytest
from hypothesis import given, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, PqzkError, VerificationError
from pqzk.groups import get_group, group_names
from pqzk.math import DeterministicRNG
from pqzk.sharing.shamir import Share, reconstruct
from pqzk.sharing.vss import (FeldmanCommitment, PedersenCommitment, PedersenShare, feldman_deal,
                              feldman_reconstruct, pedersen_deal, pedersen_generator,
                              pedersen_reconstruct)

GROUPS = group_names()   # every group: a missing one fails instead of dropping out of the tests
G = get_group("secp256k1")


@pytest.fixture(params=GROUPS)
def group(request):
    return get_group(request.param)


def test_feldman_deal_verify_reconstruct(group):
    rng = DeterministicRNG(b"feldman" + group.name.encode())
    secret = group.random_scalar(rng)
    shares, com = feldman_deal(group, secret, 3, 5, rng=rng)
    assert com.threshold == 3 and com.public_key == group.base_mult(secret)
    for s in shares:
        com.verify_share(s)
        assert com.public_share(s.identifier) == group.base_mult(s.value)
    assert feldman_reconstruct(shares[2:], com) == secret
    assert com.invalid_shares(shares) == []
    assert FeldmanCommitment.from_bytes(group, com.to_bytes()) == com
    assert len(com.to_bytes()) == 3 * group.element_size


def test_share_encoding_in_each_group(group):
    """Share bytes use the group's own scalar encoding (byte order, width) and stay strict."""
    s = Share(2, group.order - 1)
    data = s.to_bytes(group)
    assert data == group.scalar_encode(2) + group.scalar_encode(group.order - 1)
    assert Share.from_bytes(group, data) == s
    n = group.scalar_size
    with pytest.raises(InvalidEncoding, match="not reduced"):
        Share.from_bytes(group, data[:n] + group.order.to_bytes(n, group.scalar_byteorder))
    with pytest.raises(InvalidEncoding, match="bytes"):
        Share.from_bytes(group, data + b"\x00")


def test_feldman_tampered_share_names_the_identifier(group):
    shares, com = feldman_deal(group, 5, 2, 4, rng=DeterministicRNG(2))
    bad = Share(3, (shares[2].value + 1) % group.order)
    with pytest.raises(VerificationError, match="share 3 "):
        com.verify_share(bad)
    assert com.invalid_shares([shares[0], bad, shares[3]]) == [3]
    with pytest.raises(VerificationError, match="share 3"):
        feldman_reconstruct([shares[0], bad], com)
    # a good value presented under another identifier fails as well
    with pytest.raises(VerificationError, match="share 2 "):
        com.verify_share(Share(2, shares[0].value))


def test_feldman_verify_out_of_range_value_and_identifier():
    shares, com = feldman_deal(G, 5, 2, 3, rng=DeterministicRNG(3))
    with pytest.raises(VerificationError, match="share 1: value out of range"):
        com.verify_share(Share(1, G.order + shares[0].value))
    with pytest.raises(VerificationError, match="share 0"):
        com.verify_share(Share(0, 5))
    with pytest.raises(InvalidParameter):
        com.verify_share((1, 2))  # type: ignore[arg-type]


def test_feldman_wrong_commitment_rejects():
    shares, _ = feldman_deal(G, 5, 2, 3, rng=DeterministicRNG(4))
    _, other = feldman_deal(G, 5, 2, 3, rng=DeterministicRNG(5))
    with pytest.raises(VerificationError):
        other.verify_share(shares[0])


def test_feldman_too_few_shares():
    shares, com = feldman_deal(G, 5, 3, 5)
    with pytest.raises(InvalidParameter, match="threshold is 3"):
        feldman_reconstruct(shares[:2], com)


def test_feldman_deal_parameters():
    with pytest.raises(InvalidParameter):
        feldman_deal(G, G.order, 2, 3)
    with pytest.raises(InvalidParameter):
        feldman_deal(G, 1, 4, 3)
    with pytest.raises(InvalidParameter):
        feldman_deal(G, 1, 2, 3, identifiers=[1, 2, 2])
    shares, com = feldman_deal(G, 1, 2, 2, identifiers=[10, 20])
    assert [s.identifier for s in shares] == [10, 20]
    com.verify_share(shares[1])


@given(st.dictionaries(st.integers(1, 2**64), st.integers(0, G.order - 1), min_size=1, max_size=6),
       st.integers(1, 5))
def test_evaluate_combination_is_the_weighted_sum_of_public_shares(weights, t):
    _, commitment = feldman_deal(G, 1234567, t, 5, rng=DeterministicRNG(t))
    expected = G.identity()
    for i, w in weights.items():
        expected = expected + w * commitment.public_share(i)
    assert commitment.evaluate_combination(weights) == expected
    other = dict(weights)
    first = next(iter(other))
    other[first] = (other[first] + 1) % G.order
    assert commitment.evaluate_combination(other) != expected


def test_evaluate_combination_rejects_bad_identifiers():
    _, commitment = feldman_deal(G, 5, 2, 3, rng=DeterministicRNG(1))
    for bad in ({0: 1}, {G.order: 1}, {1: 1.5}, {1: b"x"}):
        with pytest.raises(InvalidParameter):
            commitment.evaluate_combination(bad)


def test_commitment_sum_commits_to_sum_of_sharings():
    s1, c1 = feldman_deal(G, 11, 2, 3, rng=DeterministicRNG(6))
    s2, c2 = feldman_deal(G, 22, 3, 3, rng=DeterministicRNG(7))
    c = c1 + c2
    assert c.threshold == 3 and c.public_key == G.base_mult(33)
    summed = [Share(a.identifier, (a.value + b.value) % G.order) for a, b in zip(s1, s2)]
    for s in summed:
        c.verify_share(s)
    assert reconstruct(summed, G.order) == 33


def test_commitment_constructor_checks():
    with pytest.raises(InvalidParameter):
        FeldmanCommitment(G, ())
    with pytest.raises(InvalidParameter):
        FeldmanCommitment(G, (b"\x02" * 33,))  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", [FeldmanCommitment, PedersenCommitment])
def test_commitment_from_bytes_is_strict(cls):
    shares, com = feldman_deal(G, 5, 2, 3, rng=DeterministicRNG(8))
    good = com.to_bytes()
    cases = [
        (b"", "non-empty multiple"),
        (good[:-1], "non-empty multiple"),
        (good + b"\x02", "non-empty multiple"),
        (b"\x04" + good[1:], "coefficient 0"),                      # bad SEC1 prefix
        (good[:33] + b"\x02" + b"\xff" * 32, "coefficient 1"),       # x >= p
        (good[:33] + b"\x02" + (5).to_bytes(32, "big"), "coefficient 1"),  # x=5 not on curve
    ]
    for data, match in cases:
        with pytest.raises(InvalidEncoding, match=match):
            cls.from_bytes(G, data)
    with pytest.raises(InvalidParameter, match="must be bytes"):
        cls.from_bytes(G, "ab")  # type: ignore[arg-type]


def _mutated(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Valid encodings, and the same with one byte changed or the length changed: random bytes
    alone almost never decode (a random 33-byte string is a secp256k1 point ~1/256 of the time),
    so without these the round-trip assertions below would never run."""
    def mutate(args):
        data, pos, flip, cut = args
        b = bytearray(data)
        if flip:
            b[pos % len(b)] ^= flip
        return bytes(b[:len(b) + cut]) if cut < 0 else bytes(b) + bytes(cut)
    return st.one_of(valid, st.tuples(valid, st.integers(0, 10**4), st.integers(0, 255),
                                       st.integers(-2, 2)).map(mutate))


POINTS = st.lists(st.integers(1, G.order - 1), min_size=1, max_size=4).map(
    lambda ks: b"".join(G.base_mult(k).to_bytes() for k in ks))


@given(st.one_of(st.binary(max_size=140), _mutated(POINTS)))
def test_commitment_from_bytes_fuzz(data):
    for cls in (FeldmanCommitment, PedersenCommitment):
        try:
            c = cls.from_bytes(G, data)
        except PqzkError:
            continue
        assert c.to_bytes() == data


def test_pedersen_deal_verify_reconstruct(group):
    rng = DeterministicRNG(b"pedersen" + group.name.encode())
    secret = group.random_scalar(rng)
    shares, com = pedersen_deal(group, secret, 3, 5, rng=rng)
    for s in shares:
        com.verify_share(s)
    assert pedersen_reconstruct(shares[1:4], com) == secret
    assert PedersenCommitment.from_bytes(group, com.to_bytes()) == com
    # the commitment to the secret is not secret·G (it is blinded)
    assert com.coefficients[0] != group.base_mult(secret)
    tampered = PedersenShare(2, shares[1].value, (shares[1].blinding + 1) % group.order)
    with pytest.raises(VerificationError, match="share 2 "):
        com.verify_share(tampered)
    assert com.invalid_shares([shares[0], tampered]) == [2]
    with pytest.raises(VerificationError, match="share 2"):
        pedersen_reconstruct([shares[0], tampered, shares[2]], com)


def test_pedersen_generator_is_fixed_and_independent(group):
    h = pedersen_generator(group)
    assert h == pedersen_generator(group)
    assert not h.is_identity() and h != group.generator()
    assert group.decode(h.to_bytes()) == h


def test_pedersen_share_repr_and_bytes():
    shares, com = pedersen_deal(G, 9, 2, 3, rng=DeterministicRNG(9))
    s = shares[0]
    r = repr(s)
    assert "redacted" in r and str(s.value) not in r and str(s.blinding) not in r
    assert PedersenShare.from_bytes(G, s.to_bytes(G)) == s
    assert s.share == Share(s.identifier, s.value)
    data = s.to_bytes(G)
    with pytest.raises(InvalidEncoding, match="96 bytes"):
        PedersenShare.from_bytes(G, data[:-1])
    with pytest.raises(InvalidEncoding, match="blinding"):
        PedersenShare.from_bytes(G, data[:64] + G.order.to_bytes(32, "big"))
    with pytest.raises(InvalidEncoding, match="identifier is zero"):
        PedersenShare.from_bytes(G, bytes(32) + data[32:])
    with pytest.raises(InvalidParameter):
        com.verify_share(s.share)  # a bare Share is not a Pedersen share


PEDERSEN_SHARES = st.tuples(st.integers(1, G.order - 1), st.integers(0, G.order - 1),
                            st.integers(0, G.order - 1)).map(lambda t: PedersenShare(*t).to_bytes(G))


@given(st.one_of(st.binary(max_size=100), _mutated(PEDERSEN_SHARES)))
def test_pedersen_share_from_bytes_fuzz(data):
    try:
        s = PedersenShare.from_bytes(G, data)
    except PqzkError:
        return
    assert s.to_bytes(G) == data


@pytest.mark.parametrize("name", [n for n in ("secp256k1", "p256", "ed25519", "ristretto255", "ed448")
                                  if n in GROUPS])
def test_pedersen_generator_fallback_without_hash_to_curve(name, monkeypatch):
    """Groups without an RFC 9380 suite get H by try-and-increment over candidate encodings."""
    group = get_group(name)
    via_h2c = pedersen_generator(group)

    def no_suite(msg, dst):
        raise InvalidParameter("no suite")

    monkeypatch.setattr(group, "hash_to_element", no_suite)
    h = pedersen_generator.__wrapped__(group)
    assert h == pedersen_generator.__wrapped__(group)  # deterministic
    assert not h.is_identity() and h != group.generator() and h != via_h2c
    assert group.decode(h.to_bytes()) == h
    # the dealt commitments still verify with this H
    monkeypatch.setattr("pqzk.sharing.vss.pedersen_generator", lambda g: h)
    shares, com = pedersen_deal(group, 5, 2, 3, rng=DeterministicRNG(1))
    for s in shares:
        com.verify_share(s)


@given(t=st.integers(1, 5), extra=st.integers(0, 3), seed=st.binary(max_size=8))
def test_feldman_commitment_rebuilt_from_public_shares(t, extra, seed):
    # interpolation in the exponent recovers the dealer's commitment from f(i)·G alone
    rng = DeterministicRNG(b"from-public-shares" + seed)
    shares, com = feldman_deal(G, G.random_scalar(rng), t, t + extra, rng=rng)
    public = {s.identifier: G.base_mult(s.value) for s in shares}
    assert FeldmanCommitment.from_public_shares(G, public, t, com.public_key) == com


def test_feldman_commitment_from_public_shares_refuses_inconsistent_ones():
    rng = DeterministicRNG(b"from-public-shares-bad")
    shares, com = feldman_deal(G, G.random_scalar(rng), 2, 4, rng=rng)
    public = {s.identifier: G.base_mult(s.value) for s in shares}
    with pytest.raises(VerificationError, match="not consistent"):
        FeldmanCommitment.from_public_shares(G, {**public, 4: public[3]}, 2, com.public_key)
    with pytest.raises(VerificationError, match="not consistent"):        # another public key
        FeldmanCommitment.from_public_shares(G, public, 2, G.base_mult(5))
    with pytest.raises(VerificationError, match="not consistent"):        # a threshold too low for them
        FeldmanCommitment.from_public_shares(G, public, 1, com.public_key)
    with pytest.raises(InvalidParameter, match="threshold is 5"):
        FeldmanCommitment.from_public_shares(G, public, 5, com.public_key)
