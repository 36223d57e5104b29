"""Proof of share possession: Feldman, Pedersen, verification shares; no replay."""
from __future__ import annotations

import pytest

from pqzk.errors import InvalidEncoding, InvalidParameter, VerificationError
from pqzk.groups import get_group
from pqzk.math.rand import DeterministicRNG
from pqzk.sharing.shamir import Share
from pqzk.sharing.vss import feldman_deal, pedersen_deal
from pqzk.zk.possession import (PossessionProof, prove_share_possession, prove_verification_share,
                                verify_share_possession, verify_verification_share)
from zkhelpers import group_params


@group_params
def test_feldman_possession_and_no_replay(gname):
    g = get_group(gname)
    rng = DeterministicRNG(b"feldman")
    shares, com = feldman_deal(g, g.random_scalar(rng), 2, 3, rng=rng)
    s1, s2 = shares[0], shares[1]
    proof = prove_share_possession(s1, com, session_id=b"sess-1", rng=rng)
    verify_share_possession(1, com, proof, session_id=b"sess-1")
    assert len(proof) == 2 * g.scalar_size
    with pytest.raises(VerificationError, match="party 2"):
        verify_share_possession(2, com, proof, session_id=b"sess-1")      # another party replays it
    with pytest.raises(VerificationError):
        verify_share_possession(1, com, proof, session_id=b"sess-2")      # another session
    _, other = feldman_deal(g, g.random_scalar(rng), 2, 3, rng=rng)
    with pytest.raises(VerificationError):
        verify_share_possession(1, other, proof, session_id=b"sess-1")    # another commitment
    # a party with a wrong share cannot produce a proof
    with pytest.raises(InvalidParameter):
        prove_share_possession(Share(2, (s2.value + 1) % g.order), com, session_id=b"sess-1")
    back = PossessionProof.from_bytes(g, proof.to_bytes())
    verify_share_possession(1, com, back, session_id=b"sess-1")


def test_pedersen_possession():
    g = get_group("secp256k1")
    rng = DeterministicRNG(b"pedersen")
    shares, com = pedersen_deal(g, 1234, 3, 5, rng=rng)
    for sh in shares:
        p = prove_share_possession(sh, com, session_id=b"dkg-7", rng=rng)
        verify_share_possession(sh.identifier, com, p, session_id=b"dkg-7")
        back = PossessionProof.from_bytes(g, p.to_bytes(), pedersen=True)
        verify_share_possession(sh.identifier, com, back, session_id=b"dkg-7")
    with pytest.raises(VerificationError):
        verify_share_possession(4, com, p, session_id=b"dkg-7")
    with pytest.raises(InvalidParameter):
        prove_share_possession(shares[0].share, com, session_id=b"dkg-7")   # blinding missing


@group_params
def test_verification_share(gname):
    g = get_group(gname)
    rng = DeterministicRNG(b"vshare")
    s = g.random_scalar(rng)
    Y = g.base_mult(s)
    p = prove_verification_share(g, 3, s, Y, session_id=b"sign-1", rng=rng)
    verify_verification_share(g, 3, Y, p, session_id=b"sign-1")
    with pytest.raises(VerificationError):
        verify_verification_share(g, 4, Y, p, session_id=b"sign-1")
    with pytest.raises(VerificationError):
        verify_verification_share(g, 3, Y, p, session_id=b"sign-2")
    with pytest.raises(VerificationError):
        verify_verification_share(g, 3, Y + g.generator(), p, session_id=b"sign-1")


def test_decoding_and_arguments():
    g = get_group("secp256k1")
    with pytest.raises(InvalidEncoding):
        PossessionProof.from_bytes(g, b"\x00" * 63)
    with pytest.raises(InvalidEncoding):
        PossessionProof.from_bytes(g, b"\xff" * 64)
    rng = DeterministicRNG(b"x")
    shares, com = feldman_deal(g, 5, 2, 2, rng=rng)
    with pytest.raises(InvalidParameter):
        prove_share_possession(shares[0], com, session_id=b"")
    p = prove_share_possession(shares[0], com, session_id=b"s", rng=rng)
    data = p.to_bytes()
    for i in range(len(data)):
        b = bytearray(data)
        b[i] ^= 0x80
        try:
            q = PossessionProof.from_bytes(g, bytes(b))
        except InvalidEncoding:
            continue
        with pytest.raises(VerificationError):
            verify_share_possession(1, com, q, session_id=b"s")


def test_threshold_bls_verification_share_in_g2():
    """Threshold BLS (public keys in G2): the proof works over any group of the kit."""
    try:
        g2 = get_group("bls12_381_g2")
    except (ImportError, AttributeError):
        pytest.skip("bls12_381_g2 not landed yet")
    rng = DeterministicRNG(b"g2")
    s = g2.random_scalar(rng)
    Y = g2.base_mult(s)
    p = prove_verification_share(g2, 2, s, Y, session_id=b"bls-sign", rng=rng)
    verify_verification_share(g2, 2, Y, p, session_id=b"bls-sign")
    with pytest.raises(VerificationError):
        verify_verification_share(g2, 1, Y, p, session_id=b"bls-sign")
