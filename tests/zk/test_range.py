"""Bulletproofs: completeness, soundness checks, sizes, aggregation, batch, byte flips."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, VerificationError
from pqzk.groups import get_group
from pqzk.math.rand import DeterministicRNG
from pqzk.zk.generators import pedersen_bases
from pqzk.zk.range import (RangeItem, RangeProof, batch_verify_range, commit, prove_range,
                           range_proof_size, verify_range)
from zkhelpers import GROUPS, group_params

SECP = get_group("secp256k1")


def _prove(g, values, n, seed=b"bp", **kw):
    rng = DeterministicRNG(seed)
    blinds = [g.random_scalar(rng) for _ in values]
    proof, V = prove_range(g, values, blinds, n, rng=rng, **kw)
    assert V == [commit(g, v, r) for v, r in zip(values, blinds)]
    return proof, V


@group_params
def test_small_range_every_group(gname):
    g = get_group(gname)
    proof, V = _prove(g, [0, 255], 8)
    verify_range(g, V, proof, 8)
    assert len(proof.to_bytes()) == range_proof_size(g, 8, 2)
    B, _ = pedersen_bases(g)
    with pytest.raises(VerificationError):
        verify_range(g, [V[0] + 256 * B, V[1]], proof, 8)   # a commitment to an out-of-range value


def test_64bit_size_matches_formula():
    proof, V = _prove(SECP, [2**64 - 1], 64)
    verify_range(SECP, V, proof, 64)
    # 2·log2(64) + 4 = 16 elements and 5 scalars
    assert proof.num_elements == 16
    assert len(proof.to_bytes()) == 16 * SECP.element_size + 5 * SECP.scalar_size == 688
    assert RangeProof.from_bytes(SECP, proof.to_bytes()) == proof


def test_ristretto_size_is_dalek_size():
    try:
        g = get_group("ristretto255")
    except (ImportError, AttributeError):
        pytest.skip("ristretto255 not landed yet")
    assert range_proof_size(g, 64, 1) == 672
    proof, V = _prove(g, [2**64 - 1], 64, seed=b"r255")
    assert len(proof.to_bytes()) == 672
    verify_range(g, V, proof, 64)


def test_byte_flips_rejected_ristretto255_8bit():
    try:
        g = get_group("ristretto255")
    except (ImportError, AttributeError):
        pytest.skip("ristretto255 not landed yet")
    proof, V = _prove(g, [200], 8, seed=b"flip255")
    data = proof.to_bytes()
    for i in range(0, len(data), 3):   # every third byte (every byte is covered on secp256k1)
        b = bytearray(data)
        b[i] ^= 1 << (i % 8)
        try:
            p = RangeProof.from_bytes(g, bytes(b))
        except InvalidEncoding:
            continue
        with pytest.raises(VerificationError):
            verify_range(g, V, p, 8)


def test_every_byte_flip_rejected_64bit():
    proof, V = _prove(SECP, [123456789], 64, seed=b"flip")
    data = proof.to_bytes()
    rejected = 0
    for i in range(len(data)):
        b = bytearray(data)
        b[i] ^= 1 << (i % 8)
        try:
            p = RangeProof.from_bytes(SECP, bytes(b))
        except InvalidEncoding:
            rejected += 1
            continue
        with pytest.raises(VerificationError):
            verify_range(SECP, V, p, 64)
        rejected += 1
    assert rejected == len(data)


def test_aggregated_and_context():
    proof, V = _prove(SECP, [1, 2**32, 7, 2**64 - 2], 64, context=b"tx-1")
    verify_range(SECP, V, proof, 64, context=b"tx-1")
    assert proof.num_elements == 4 + 2 * 8
    with pytest.raises(VerificationError):
        verify_range(SECP, V, proof, 64, context=b"tx-2")
    with pytest.raises(VerificationError):
        verify_range(SECP, [V[1], V[0], V[2], V[3]], proof, 64, context=b"tx-1")   # order bound
    with pytest.raises(VerificationError):
        verify_range(SECP, V[:2], proof, 64, context=b"tx-1")                      # wrong m
    with pytest.raises(VerificationError):
        verify_range(SECP, V, proof, 32, context=b"tx-1")                          # wrong n


def test_prover_refuses_bad_inputs():
    with pytest.raises(InvalidParameter):
        prove_range(SECP, [256], [1], 8)
    with pytest.raises(InvalidParameter):
        prove_range(SECP, [-1], [1], 8)
    with pytest.raises(InvalidParameter):
        prove_range(SECP, [1, 2, 3], [1, 2, 3], 8)    # m not a power of two
    with pytest.raises(InvalidParameter):
        prove_range(SECP, [1], [1], 12)               # n not a power of two
    with pytest.raises(InvalidParameter):
        prove_range(SECP, [1], [1, 2], 8)


def test_batch_verification():
    items = []
    for i in range(4):
        proof, V = _prove(SECP, [i * 1000 + 1], 64, seed=bytes([i]), context=b"b%d" % i)
        items.append(RangeItem(tuple(V), proof, 64, b"b%d" % i))
    agg, Va = _prove(SECP, [3, 4], 16, seed=b"agg")
    items.append(RangeItem(tuple(Va), agg, 16, b""))
    batch_verify_range(SECP, items)
    # one bad proof (wrong context) spoils the batch
    bad = items[:2] + [RangeItem(items[2].commitments, items[2].proof, 64, b"wrong")] + items[3:]
    with pytest.raises(VerificationError):
        batch_verify_range(SECP, bad)
    # swapping proofs between statements is caught too
    swapped = [RangeItem(items[0].commitments, items[1].proof, 64, b"b0")] + items[1:]
    with pytest.raises(VerificationError):
        batch_verify_range(SECP, swapped)


def test_decode_rejects_garbage():
    proof, V = _prove(SECP, [5], 8)
    data = proof.to_bytes()
    for bad in (b"", data[:-1], data + b"\x00" * 66, b"\x00" * len(data)):
        with pytest.raises(InvalidEncoding):
            RangeProof.from_bytes(SECP, bad)
    with pytest.raises(InvalidEncoding):       # scalar not reduced
        RangeProof.from_bytes(SECP, data[:-32] + b"\xff" * 32)


@settings(max_examples=8)
@given(st.integers(min_value=0, max_value=2**16 - 1), st.integers(min_value=0, max_value=2**16 - 1))
def test_property_in_range_verifies(a, b):
    proof, V = _prove(SECP, [a, b], 16, seed=a.to_bytes(4, "big"))
    verify_range(SECP, V, proof, 16)


@pytest.mark.parametrize("gname", [g for g in ("secp256k1", "bls12_381_g1") if g in GROUPS])
def test_ipa_strategies_give_identical_proofs(gname, monkeypatch):
    """Folding generators and tracking their coefficients are two ways to the same proof."""
    from pqzk.zk import range as rp
    g = get_group(gname)
    proofs = []
    for strategy in ("fold", "direct"):
        monkeypatch.setattr(rp, "IPA_STRATEGY", strategy)
        proofs.append(_prove(g, [3, 200], 8, seed=b"ipa"))
    assert proofs[0] == proofs[1]
    verify_range(g, proofs[1][1], proofs[1][0], 8)


def test_decoded_and_in_memory_proofs_verify_alike():
    import dataclasses
    proof, V = _prove(SECP, [42], 8, seed=b"mem")
    decoded = RangeProof.from_bytes(SECP, proof.to_bytes())
    assert decoded.element_encodings == proof.element_encodings
    verify_range(SECP, V, decoded, 8)
    verify_range(SECP, V, proof, 8)
    # a rebuilt proof with one element swapped recomputes its encodings and fails
    swapped = dataclasses.replace(decoded, A=decoded.S)
    with pytest.raises(VerificationError):
        verify_range(SECP, V, swapped, 8)
