"""Share repair (RTS, ZF frost's repair_share_step_1/2/3): ZF vectors per suite, properties."""
import pytest
from hypothesis import given, strategies as st

from conftest import load_vectors
from pqzk.errors import InvalidParameter, VerificationError
from pqzk.groups import get_group
from pqzk.math import DeterministicRNG, lagrange_coefficients
from pqzk.sharing.repair import (repair_share, repair_share_step_1, repair_share_step_2,
                                 repair_share_step_3)
from pqzk.sharing.shamir import Share, reconstruct, split
from pqzk.sharing.vss import feldman_deal

# ZF suite folder -> our group
SUITES = {"secp256k1": "secp256k1", "secp256k1-tr": "secp256k1", "ed25519": "ed25519",
          "ristretto255": "ristretto255", "p256": "p256", "ed448": "ed448"}
G = get_group("secp256k1")


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_zf_repair_share_vectors(suite):
    group = get_group(SUITES[suite])
    v = load_vectors(f"frost/zf/{suite}/repair-share.json")
    dec = lambda h: group.scalar_decode(bytes.fromhex(h))  # noqa: E731 - the suite's scalar encoding
    sg = v["scalar_generation"]
    total = repair_share_step_2([dec(sg[f"random_scalar_{k}"]) for k in (1, 2, 3)], group)
    assert group.scalar_encode(total).hex() == sg["random_scalar_sum"]
    sig = v["sigma_generation"]
    share = repair_share_step_3([dec(sig[f"sigma_{k}"]) for k in (1, 2, 3, 4)], 2, group)
    assert share.identifier == 2
    assert group.scalar_encode(share.value).hex() == sig["sigma_sum"]


def test_zf_check_rts_flow_lost_share_2_helpers_1_4_5():
    """ZF's check_rts: 3-of-5 with a dealer; participant 2 lost its share; 1, 4, 5 help."""
    rng = DeterministicRNG(b"rts")
    shares, com = feldman_deal(G, G.random_scalar(rng), 3, 5, rng=rng)
    helpers = [1, 4, 5]
    by_id = {s.identifier: s for s in shares}
    deltas = {i: repair_share_step_1(helpers, by_id[i], 2, G, rng=rng) for i in helpers}
    for i in helpers:  # ZF's check_repair_share_step_1: Σ deltas = ζ_i · s_i
        zeta = lagrange_coefficients(helpers, G.order, 2)[helpers.index(i)]
        assert sum(deltas[i].values()) % G.order == zeta * by_id[i].value % G.order
        assert sorted(deltas[i]) == helpers
    sigmas = [repair_share_step_2([deltas[i][j] for i in helpers], G) for j in helpers]
    assert repair_share_step_3(sigmas, 2, G, com) == by_id[2]


@given(st.integers(2, 6), st.data())
def test_repair_any_t_helpers_any_lost_share(t, data):
    n = data.draw(st.integers(t + 1, 8))
    q = G.order
    rng = DeterministicRNG(data.draw(st.binary(min_size=4, max_size=4)))
    shares = split(G.random_scalar(rng), t, n, q, rng=rng)
    lost = data.draw(st.sampled_from(shares))
    others = [s for s in shares if s != lost]
    helpers = data.draw(st.permutations(others))[:data.draw(st.integers(t, n - 1))]
    assert repair_share(helpers, lost.identifier, q, rng=rng) == lost


def test_a_single_delta_or_sigma_reveals_nothing_checkable():
    """Each value a helper or the participant sees alone is uniformly masked: with fresh
    randomness the same inputs give different deltas/sigmas, yet the same repaired share."""
    shares, com = feldman_deal(G, 5, 3, 5, rng=DeterministicRNG(1))
    a = repair_share_step_1([1, 4, 5], shares[0], 2, G, rng=DeterministicRNG(2))
    b = repair_share_step_1([1, 4, 5], shares[0], 2, G, rng=DeterministicRNG(3))
    assert a[1] != b[1] and a[4] != b[4] and a[5] != b[5]
    assert sum(a.values()) % G.order == sum(b.values()) % G.order
    assert shares[1].value not in a.values()


def test_too_few_helpers_with_commitment_is_refused_or_detected():
    shares, com = feldman_deal(G, 5, 3, 5, rng=DeterministicRNG(4))
    with pytest.raises(InvalidParameter, match="threshold is 3"):
        repair_share(shares[2:4], 1, G, commitment=com)
    wrong = repair_share(shares[2:4], 1, G)  # without a commitment: silently wrong
    assert wrong != shares[0]
    with pytest.raises(VerificationError, match="repaired share 1"):
        repair_share_step_3([wrong.value], 1, G, com)


def test_tampered_sigma_detected_by_commitment():
    shares, com = feldman_deal(G, 5, 2, 4, rng=DeterministicRNG(5))
    helpers = [3, 4]
    deltas = {s.identifier: repair_share_step_1(helpers, s, 1, G) for s in shares[2:]}
    sigmas = [repair_share_step_2([deltas[i][j] for i in helpers], G) for j in helpers]
    assert repair_share_step_3(sigmas, 1, G, com) == shares[0]
    with pytest.raises(VerificationError):
        repair_share_step_3([sigmas[0] + 1, sigmas[1]], 1, G, com)


def test_step_1_parameter_checks():
    s = Share(3, 7)
    with pytest.raises(InvalidParameter, match="at least 2 helpers"):
        repair_share_step_1([3], s, 2, G)          # ZF: InvalidMinSigners
    with pytest.raises(InvalidParameter, match="duplicate"):
        repair_share_step_1([3, 3, 4], s, 2, G)    # ZF: DuplicatedIdentifier
    with pytest.raises(InvalidParameter, match="own helpers"):
        repair_share_step_1([2, 3], s, 2, G)
    with pytest.raises(InvalidParameter, match="not from one of the helpers"):
        repair_share_step_1([1, 4], s, 2, G)
    with pytest.raises(InvalidParameter, match="> 0"):
        repair_share_step_1([1, 3], s, 0, G)
    with pytest.raises(InvalidParameter, match="out of range"):
        repair_share_step_1([1, 3], Share(3, G.order), 2, G)
    with pytest.raises(InvalidParameter):
        repair_share_step_3([1], 0, G)


def test_repaired_share_still_reconstructs_with_others():
    shares, com = feldman_deal(G, 77, 3, 5, rng=DeterministicRNG(6))
    rebuilt = repair_share(shares[1:4], 5, G, commitment=com)
    assert reconstruct([shares[0], shares[1], rebuilt], G) == 77


def test_repair_steps_refuse_non_int_deltas_and_sigmas():
    from pqzk.errors import InvalidParameter
    from pqzk.sharing.repair import repair_share_step_2, repair_share_step_3
    q = 7919
    for bad in (["1"], [1.0], [None], [True]):
        with pytest.raises(InvalidParameter, match="must be an int"):
            repair_share_step_2(bad, q)
        with pytest.raises(InvalidParameter, match="must be an int"):
            repair_share_step_3(bad, 1, q)
    assert repair_share_step_2([q - 1, 2], q) == 1
