"""Set membership: CDS OR for small sets, Groth–Kohlweiss one-out-of-many for large ones."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, VerificationError
from pqzk.groups import get_group
from pqzk.math.rand import DeterministicRNG
from pqzk.zk.membership import (MemberSet, MembershipProof, member_scalar, membership_cost,
                                prove_membership, verify_membership)
from zkhelpers import GROUPS, group_params

SECP = get_group("secp256k1")


@group_params
@pytest.mark.parametrize("method", ["or", "gk"])
def test_membership_every_group(gname, method):
    g = get_group(gname)
    rng = DeterministicRNG(b"mem")
    ms = MemberSet(g, [member_scalar(g, b"alice"), member_scalar(g, b"bob"), member_scalar(g, b"carol")])
    proof, C = prove_membership(g, member_scalar(g, b"bob"), g.random_scalar(rng), ms,
                                method=method, context=b"ctx", rng=rng)
    verify_membership(g, C, ms, proof, context=b"ctx")
    assert MembershipProof.from_bytes(g, proof.to_bytes(), ms) == proof
    with pytest.raises(VerificationError):
        verify_membership(g, C, ms, proof, context=b"other")
    # same proof, a commitment to a non-member
    with pytest.raises(VerificationError):
        verify_membership(g, C + g.generator(), ms, proof, context=b"ctx")
    # same proof, another set that still contains bob
    other = MemberSet(g, [member_scalar(g, b"bob"), member_scalar(g, b"mallory"), 5])
    with pytest.raises(VerificationError):
        verify_membership(g, C, other, MembershipProof.from_bytes(g, proof.to_bytes(), other),
                          context=b"ctx")


def test_non_member_cannot_prove():
    rng = DeterministicRNG(b"nm")
    with pytest.raises(InvalidParameter):
        prove_membership(SECP, 99, 1, [1, 2, 3], rng=rng)
    with pytest.raises(InvalidParameter):
        prove_membership(SECP, 1, 1, [1, 2, 3], method="bogus", rng=rng)


def test_gk_log_size_and_padding():
    rng = DeterministicRNG(b"gk")
    members = list(range(1000, 1000 + 300))                    # padded to 512 = 2^9
    ms = MemberSet(SECP, members)
    for idx in (0, 150, 299):
        proof, C = prove_membership(SECP, members[idx], 77 + idx, ms, rng=rng)
        assert proof.method == "gk"
        verify_membership(SECP, C, ms, proof)
    n = 9
    E, S = SECP.element_size, SECP.scalar_size
    assert len(proof) == 1 + 4 * n * E + (3 * n + 1) * S
    assert membership_cost(SECP, 300)["gk_bytes"] == len(proof)
    assert len(prove_membership(SECP, 3, 1, [1, 2, 3], rng=rng)[0]) == membership_cost(SECP, 3)["or_bytes"]


def test_gk_tampering_rejected():
    rng = DeterministicRNG(b"tamper")
    ms = MemberSet(SECP, list(range(16)))
    proof, C = prove_membership(SECP, 11, 4242, ms, method="gk", rng=rng)
    data = proof.to_bytes()
    for i in range(0, len(data), 7):
        b = bytearray(data)
        b[i] ^= 0x04
        try:
            p = MembershipProof.from_bytes(SECP, bytes(b), ms)
        except InvalidEncoding:
            continue
        with pytest.raises(VerificationError):
            verify_membership(SECP, C, ms, p)
    for bad in (b"", b"\x03" + data[1:], data[:-1]):
        with pytest.raises(InvalidEncoding):
            MembershipProof.from_bytes(SECP, bad, ms)


def test_empty_set_refused():
    with pytest.raises(InvalidParameter):
        MemberSet(SECP, [])


@settings(max_examples=10)
@given(st.lists(st.integers(min_value=0, max_value=2**20), min_size=1, max_size=40, unique=True),
       st.data())
def test_property_any_member_any_position(members, data):
    idx = data.draw(st.integers(min_value=0, max_value=len(members) - 1))
    rng = DeterministicRNG(idx)
    proof, C = prove_membership(SECP, members[idx], 5, members, method="gk", rng=rng)
    verify_membership(SECP, C, members, proof)


def test_proof_from_another_group_rejected():
    if "ristretto255" not in GROUPS:
        pytest.skip("ristretto255 not landed yet")
    other = get_group("ristretto255")
    rng = DeterministicRNG(b"xg")
    p_other, _ = prove_membership(other, 3, 5, list(range(16)), method="gk", rng=rng)
    _, C = prove_membership(SECP, 3, 5, list(range(16)), method="gk", rng=rng)
    with pytest.raises(VerificationError):
        verify_membership(SECP, C, list(range(16)), p_other)


def test_fold_both_paths_agree():
    from pqzk.zk.membership import _fold_scalars
    q = SECP.order
    ws = list(range(5, 5 + 16))
    fs = [(7, 3), (11, 13), (17, 19), (23, 29)]
    expected = 0
    for i, w in enumerate(ws):
        p = w
        for j, (f0, f1) in enumerate(fs):
            p = p * (f1 if (i >> j) & 1 else f0) % q
        expected = (expected + p) % q
    assert _fold_scalars(ws, fs, q) == expected
    fs0 = [(0, 3)] + fs[1:]        # a zero f_{j,0} takes the plain path
    exp0 = sum(w * 3 * 13 ** ((i >> 1) & 1) * 11 ** (1 - ((i >> 1) & 1))
               * 19 ** ((i >> 2) & 1) * 17 ** (1 - ((i >> 2) & 1))
               * 29 ** ((i >> 3) & 1) * 23 ** (1 - ((i >> 3) & 1))
               for i, w in enumerate(ws) if i & 1) % q
    assert _fold_scalars(ws, fs0, q) == exp0
