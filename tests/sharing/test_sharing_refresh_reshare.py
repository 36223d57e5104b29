"""Proactive refresh and resharing: same secret and public key; stale shares do not combine."""
import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import (InvalidEncoding, InvalidParameter, PqzkError, ProtocolAbort,
                         VerificationError)
from pqzk.groups import get_group
from pqzk.math import DeterministicRNG
from pqzk.sharing.refresh import (ZeroSharingCommitment, apply_refresh, refresh,
                                  refresh_commitment, refresh_shares, zero_sharing)
from pqzk.sharing.reshare import reshare, reshare_commitment, reshare_step_1, reshare_step_2
from pqzk.sharing.shamir import Share, reconstruct, split
from pqzk.sharing.vss import feldman_deal

G = get_group("secp256k1")
Q = G.order


def test_refresh_keeps_secret_and_public_key():
    rng = DeterministicRNG(b"refresh")
    secret = G.random_scalar(rng)
    shares, com = feldman_deal(G, secret, 3, 5, rng=rng)
    new, new_com = refresh(shares, com, rng=rng)
    assert new_com.public_key == com.public_key and new_com.threshold == 3
    assert new_com != com
    for s in new:
        new_com.verify_share(s)
    assert reconstruct(new[2:], Q) == secret
    assert all(a.value != b.value for a, b in zip(shares, new))


def test_stale_and_refreshed_shares_do_not_combine():
    rng = DeterministicRNG(b"stale")
    secret = G.random_scalar(rng)
    shares, com = feldman_deal(G, secret, 3, 5, rng=rng)
    new, new_com = refresh(shares, com, rng=rng)
    # an attacker holding stale shares 1, 2 and refreshed share 3 learns nothing usable
    assert reconstruct([shares[0], shares[1], new[2]], Q) != secret
    assert reconstruct([shares[0], new[1], new[2]], Q) != secret
    # and stale shares are rejected by the new commitment
    with pytest.raises(VerificationError, match="share 1 "):
        new_com.verify_share(shares[0])


def test_refresh_refuses_a_threshold_change():
    shares, com = feldman_deal(G, 9, 3, 5, rng=DeterministicRNG(1))
    with pytest.raises(InvalidParameter, match="resharing"):
        refresh(shares, com, threshold=4)
    _, z4 = zero_sharing(G, 4, [1, 2, 3, 4, 5], rng=DeterministicRNG(2))
    with pytest.raises(InvalidParameter, match="keeps the threshold"):
        refresh_commitment(com, [z4])
    with pytest.raises(InvalidParameter, match=">= 2"):
        refresh(*feldman_deal(G, 9, 1, 3))


def test_refresh_refuses_invalid_current_shares():
    shares, com = feldman_deal(G, 9, 2, 3, rng=DeterministicRNG(3))
    with pytest.raises(VerificationError, match="share 2"):
        refresh([shares[0], Share(2, (shares[1].value + 1) % Q), shares[2]], com)


def test_zero_sharing_commitment_round_trip_and_checks():
    zs, zc = zero_sharing(G, 3, [1, 2, 3], rng=DeterministicRNG(4))
    assert reconstruct(zs, Q) == 0
    for s in zs:
        zc.verify_share(s)
    assert ZeroSharingCommitment.from_bytes(G, zc.to_bytes()) == zc and zc.threshold == 3
    with pytest.raises(InvalidEncoding):
        ZeroSharingCommitment.from_bytes(G, zc.to_bytes()[:-1])
    with pytest.raises(InvalidEncoding):
        ZeroSharingCommitment.from_bytes(G, b"")
    with pytest.raises(VerificationError):
        zc.verify_share(Share(1, (zs[0].value + 1) % Q))
    with pytest.raises(InvalidParameter, match="applied to share"):
        apply_refresh(Share(1, 5), [zs[1]], Q)


@given(st.integers(2, 5), st.integers(0, 3), st.binary(min_size=4, max_size=4))
def test_plain_refresh_property(t, extra, seed):
    rng = DeterministicRNG(seed)
    secret = G.random_scalar(rng)
    shares = split(secret, t, t + extra, Q, rng=rng)
    new = refresh_shares(shares, t, Q, rng=rng)
    assert reconstruct(new[-t:], Q) == secret
    assert reconstruct(shares[:t - 1] + new[t - 1:t], Q) != secret


# ---- resharing ----
@settings(max_examples=15)
@given(st.integers(1, 4), st.integers(0, 2), st.integers(1, 5), st.integers(0, 2),
       st.binary(min_size=4, max_size=4))
def test_reshare_any_committees(t, extra, t2, extra2, seed):
    rng = DeterministicRNG(seed)
    secret = G.random_scalar(rng)
    shares, com = feldman_deal(G, secret, t, t + extra, rng=rng)
    old = shares[extra:]  # any >= t old holders
    new, new_com = reshare(old, com, t2, t2 + extra2, rng=rng)
    assert new_com.public_key == com.public_key and new_com.threshold == t2
    for s in new:
        new_com.verify_share(s)
    assert reconstruct(new[extra2:], Q) == secret
    if t2 > 1:
        assert reconstruct(new[:t2 - 1], Q) != secret


def test_reshare_to_disjoint_identifiers_and_old_shares_do_not_mix():
    shares, com = feldman_deal(G, 1234, 2, 3, rng=DeterministicRNG(5))
    new, new_com = reshare(shares[:2], com, 3, 4, new_identifiers=[10, 11, 12, 13],
                           rng=DeterministicRNG(6))
    assert [s.identifier for s in new] == [10, 11, 12, 13]
    assert reconstruct(new[1:], Q) == 1234
    assert reconstruct([shares[0], new[0], new[1]], Q) != 1234


def test_reshare_needs_old_threshold_and_valid_shares():
    shares, com = feldman_deal(G, 5, 3, 5, rng=DeterministicRNG(7))
    with pytest.raises(InvalidParameter, match="old threshold is 3"):
        reshare(shares[:2], com, 2, 3)
    with pytest.raises(VerificationError, match="share 1"):
        reshare([Share(1, 0)] + shares[1:3], com, 2, 3)


def test_reshare_step_2_identifies_a_cheating_dealer():
    shares, com = feldman_deal(G, 5, 2, 3, rng=DeterministicRNG(8))
    rng = DeterministicRNG(9)
    dealt = {s.identifier: reshare_step_1(G, s, 2, [1, 2, 3], rng=rng) for s in shares[:2]}
    coms = {d: c for d, (_, c) in dealt.items()}
    subs = {d: ss[0] for d, (ss, _) in dealt.items()}
    assert reshare_step_2(1, subs, coms, com, 2).identifier == 1
    # dealer 2 sends a wrong sub-share
    bad = {**subs, 2: Share(1, (subs[2].value + 1) % Q)}
    with pytest.raises(ProtocolAbort) as ei:
        reshare_step_2(1, bad, coms, com, 2)
    assert ei.value.culprits == [2]
    # dealer 1 sub-shares something other than its share (consistent but wrong commitment)
    fake_subs, fake_com = reshare_step_1(G, Share(1, 42), 2, [1, 2, 3], rng=rng)
    with pytest.raises(ProtocolAbort, match="old share") as ei:
        reshare_step_2(1, {**subs, 1: fake_subs[0]}, {**coms, 1: fake_com}, com, 2)
    assert ei.value.culprits == [1]
    with pytest.raises(ProtocolAbort, match="threshold") as ei:
        reshare_step_2(1, subs, coms, com, 3)
    with pytest.raises(InvalidParameter, match="different dealers"):
        reshare_step_2(1, {1: subs[1]}, coms, com, 2)
    with pytest.raises(ProtocolAbort, match="addressed to 1"):
        reshare_step_2(2, subs, coms, com, 2)
    assert reshare_commitment(coms, com).public_key == com.public_key


@given(st.one_of(st.binary(max_size=100),
                 st.lists(st.integers(1, G.order - 1), min_size=1, max_size=3).map(
                     lambda ks: b"".join(G.base_mult(k).to_bytes() for k in ks))))
def test_zero_sharing_commitment_from_bytes_fuzz(data):
    try:
        c = ZeroSharingCommitment.from_bytes(G, data)
    except PqzkError:
        return
    assert c.to_bytes() == data
