"""BLS signatures (POP ciphersuite) and threshold BLS, cross-checked with py_ecc in both directions.

py_ecc's pairing takes about a second, so the checks that make py_ecc verify are few and fixed.
"""

import pytest
from hypothesis import given, settings, strategies as st
from py_ecc.bls import G2ProofOfPossession as ref

from pqzk.errors import InvalidEncoding, InvalidParameter, ProtocolAbort, VerificationError
from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import bls

SK = bls.keygen(b"\x01" * 32)
PK = bls.sk_to_pk(SK)
MSG = b"pqzk threshold authorization"


@settings(max_examples=10)
@given(st.binary(min_size=32, max_size=64), st.binary(max_size=40))
def test_keygen_sign_pop_match_py_ecc(ikm, msg):
    sk = bls.keygen(ikm)
    assert sk == ref.KeyGen(ikm)
    assert bls.sk_to_pk(sk) == ref.SkToPk(sk)
    assert bls.sign(sk, msg) == ref.Sign(sk, msg)


def test_pop_matches_py_ecc():
    assert bls.pop_prove(SK) == ref.PopProve(SK)


def test_verify_both_directions():
    sig = bls.sign(SK, MSG)
    bls.verify(PK, MSG, sig)
    assert ref.Verify(PK, MSG, sig)                       # py_ecc accepts ours
    sk2 = ref.KeyGen(b"\x02" * 32)
    bls.verify(ref.SkToPk(sk2), MSG, ref.Sign(sk2, MSG))  # we accept py_ecc's
    bls.pop_verify(PK, ref.PopProve(SK))


def test_aggregate_both_directions():
    sks = [bls.keygen(bytes([i]) * 32) for i in range(3, 6)]
    pks = [bls.sk_to_pk(s) for s in sks]
    msgs = [b"m1", b"m2", b"m3"]
    agg = bls.aggregate([bls.sign(s, m) for s, m in zip(sks, msgs)])
    assert agg == ref.Aggregate([ref.Sign(s, m) for s, m in zip(sks, msgs)])
    bls.aggregate_verify(pks, msgs, agg)
    assert ref.AggregateVerify(pks, msgs, agg)
    same = bls.aggregate([bls.sign(s, MSG) for s in sks])
    bls.fast_aggregate_verify(pks, MSG, same)
    assert ref.FastAggregateVerify(pks, MSG, same)
    assert bls.aggregate_pks(pks) == ref._AggregatePKs(pks)
    with pytest.raises(VerificationError):
        bls.aggregate_verify(pks, [b"m1", b"m2", b"other"], agg)
    with pytest.raises(VerificationError):
        bls.fast_aggregate_verify(pks[:2], MSG, same)


def test_rejections_agree_with_py_ecc():
    sig = bls.sign(SK, MSG)
    identity_pk = bytes([0xC0]) + bytes(47)
    identity_sig = bytes([0xC0]) + bytes(95)
    cases = [
        (identity_pk, MSG, sig),            # KeyValidate refuses the identity key
        (PK, MSG + b"!", sig),              # another message
        (PK, MSG, identity_sig),            # the identity signature
        (PK, MSG, bls.pop_prove(SK)),       # a PoP is not a signature (domain separation)
        (PK[:-1], MSG, sig),                # wrong length
        (PK, MSG, sig[:-1]),
    ]
    for pk, msg, s in cases:
        with pytest.raises(VerificationError):
            bls.verify(pk, msg, s)
        assert not bls.is_valid(pk, msg, s)
    assert not ref.Verify(identity_pk, MSG, sig)
    assert not ref.Verify(PK, MSG, identity_sig)
    with pytest.raises(VerificationError):
        bls.pop_verify(PK, sig)
    with pytest.raises(InvalidParameter):
        bls.aggregate([])
    with pytest.raises(VerificationError):
        bls.fast_aggregate_verify([], MSG, sig)
    with pytest.raises(InvalidParameter):
        bls.keygen(b"short")
    with pytest.raises(InvalidParameter):
        bls.sign(0, MSG)


@given(st.integers(0, 95), st.integers(1, 255))
@settings(max_examples=25)
def test_every_tampered_signature_is_rejected(pos, flip):
    sig = bytearray(bls.sign(SK, MSG))
    sig[pos] ^= flip
    with pytest.raises(VerificationError):
        bls.verify(PK, MSG, bytes(sig))


def test_batch_verify_names_bad_items():
    rng = DeterministicRNG(7)
    sks = [bls.keygen(rng=rng) for _ in range(6)]
    items = [(bls.sk_to_pk(s), b"msg %d" % i, bls.sign(s, b"msg %d" % i)) for i, s in enumerate(sks)]
    bls.batch_verify(items, rng=rng)
    bad = list(items)
    bad[2] = (bad[2][0], b"forged", bad[2][2])
    bad[4] = (bad[4][0], bad[4][1], bad[4][2][:-1])
    with pytest.raises(VerificationError, match=r"\[2, 4\]"):
        bls.batch_verify(bad, rng=rng)


def test_min_signature_suite_roundtrip():
    suite = bls.get_ciphersuite("BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_")
    pk = bls.sk_to_pk(SK, suite)
    assert len(pk) == 96
    sig = bls.sign(SK, MSG, suite)
    assert len(sig) == 48
    bls.verify(pk, MSG, sig, suite)
    with pytest.raises(VerificationError):
        bls.verify(pk, MSG + b"x", sig, suite)


def test_threshold_3_of_5():
    rng = DeterministicRNG(11)
    shares, key = bls.threshold_keygen(3, 5, rng=rng)
    partials = {i: bls.partial_sign(shares[i], MSG) for i in shares}
    for subset in ([1, 2, 3], [2, 4, 5], [5, 1, 3]):
        sig = bls.combine(key, MSG, [partials[i] for i in subset])
        bls.verify(key.group_public_key, MSG, sig)
    # the same key signs as a plain BLS key would
    assert sig == bls.sign(_reconstruct(shares, key), MSG)
    # the combined signature is an ordinary BLS signature: also usable in aggregates
    other_sk = bls.keygen(b"\x09" * 32)
    agg = bls.aggregate([sig, bls.sign(other_sk, b"other")])
    bls.aggregate_verify([key.group_public_key, bls.sk_to_pk(other_sk)], [MSG, b"other"], agg)


def test_threshold_signature_verifies_in_py_ecc():
    shares, key = bls.threshold_keygen(2, 3, rng=DeterministicRNG(3))
    sig = bls.combine(key, MSG, [bls.partial_sign(shares[i], MSG) for i in (1, 3)])
    assert ref.Verify(key.group_public_key, MSG, sig)


def test_threshold_bad_partials_are_named():
    shares, key = bls.threshold_keygen(3, 5, rng=DeterministicRNG(5))
    good = [bls.partial_sign(shares[i], MSG) for i in (1, 2, 3, 4)]
    forged = bls.PartialSignature(5, bls.partial_sign(shares[5], b"other").signature)
    # one bad partial among enough good ones: named, and the signature is still produced
    sig = bls.combine(key, MSG, good[:3] + [forged])
    bls.verify(key.group_public_key, MSG, sig)
    with pytest.raises(VerificationError, match="signer 5"):
        bls.verify_partial(key, MSG, forged)
    # too many bad ones: abort naming the culprits
    swapped = bls.PartialSignature(1, good[1].signature)
    with pytest.raises(ProtocolAbort) as exc:
        bls.combine(key, MSG, [swapped, good[2], forged])
    assert exc.value.culprits == [1, 5]
    with pytest.raises(InvalidParameter, match="threshold"):
        bls.combine(key, MSG, good[:2])
    with pytest.raises(InvalidParameter, match="duplicate"):
        bls.combine(key, MSG, [good[0], good[0], good[1]])
    with pytest.raises(VerificationError):
        bls.verify_partial(key, MSG, bls.PartialSignature(9, good[0].signature))


def _reconstruct(shares, key):
    from pqzk.sharing.shamir import reconstruct
    return reconstruct([shares[i] for i in (1, 2, 3)], key.suite.K.order)


def test_verify_partials_batch_names_every_bad_one():
    shares, key = bls.threshold_keygen(3, 6, rng=DeterministicRNG(8))
    partials = [bls.partial_sign(shares[i], MSG) for i in range(1, 7)]
    assert bls.verify_partials(key, MSG, partials) == []
    partials[1] = bls.PartialSignature(2, partials[2].signature)          # signer 2 replays 3's
    partials[4] = bls.PartialSignature(5, b"\x00" * 96)                    # undecodable
    partials.append(bls.PartialSignature(42, partials[0].signature))      # not a signer of this key
    assert bls.verify_partials(key, MSG, partials) == [2, 5, 42]


def test_combine_checks_the_result_not_each_partial():
    """combine decodes the partials without subgroup checks and checks the sum: a partial with a
    component outside the subgroup (or a wrong one) sends it to the strict path, which names it."""
    from pqzk.groups import bls12_381_ref as ref
    from pqzk.groups.bls12_381_native import G2, R
    shares, key = bls.threshold_keygen(3, 5, rng=DeterministicRNG(7))
    good = [bls.partial_sign(shares[i], MSG) for i in (1, 2, 3, 4)]
    expect = bls.combine(key, MSG, good[:3])
    bls.verify(key.group_public_key, MSG, expect)
    # T: a pure torsion point (r times an off-subgroup curve point), added to signer 2's partial
    for i in range(1, 1000):
        data = bytes([0x80]) + (1).to_bytes(47, "big") + i.to_bytes(48, "big")
        try:
            q = G2.decode_on_curve(data)
            break
        except InvalidEncoding:
            continue
    rq = ref.G2.curve.mul(R, ref.G2.curve.from_affine(*G2.point_to_xy(q)))
    x, y = ref.G2.curve.to_affine(rq)
    torsion = G2.decode_on_curve(b"".join(c[1].to_bytes(48, "big") + c[0].to_bytes(48, "big") for c in (x, y)))
    assert not G2.in_subgroup(G2._unwrap(torsion))
    tainted = bls.PartialSignature(2, (G2.decode(good[1].signature) + torsion).to_bytes())
    with pytest.raises(InvalidEncoding, match="subgroup"):
        bls.combine(key, MSG, [good[0], tainted, good[2]], verify=False)
    with pytest.raises(ProtocolAbort) as exc:
        bls.combine(key, MSG, [good[0], tainted, good[2]])
    assert exc.value.culprits == [2]
    # with a spare valid partial the strict path drops the tainted one: same signature
    assert bls.combine(key, MSG, [good[0], tainted, good[2], good[3]]) == \
        bls.combine(key, MSG, [good[0], good[2], good[3]])
    # a forged partial in the subgroup: unverified combine returns a non-verifying signature,
    # verified combine names it
    forged = bls.PartialSignature(3, bls.partial_sign(shares[3], b"other").signature)
    bad = bls.combine(key, MSG, [good[0], good[1], forged], verify=False)
    with pytest.raises(VerificationError):
        bls.verify(key.group_public_key, MSG, bad)
    with pytest.raises(ProtocolAbort) as exc:
        bls.combine(key, MSG, [good[0], good[1], forged])
    assert exc.value.culprits == [3]


def test_verifiers_reject_a_signature_outside_the_subgroup():
    """verify, aggregate_verify and pop_verify leave σ's subgroup check to the pairing check (the
    Miller loop's [|x|]σ): a curve point outside G2 (alone, or added to the valid signature) is
    rejected with the decoder's reason, as py_ecc rejects it."""
    from py_ecc.bls import G2ProofOfPossession as pe_bls
    from pqzk.groups.bls12_381_native import G2
    sk = bls.keygen(b"\x09" * 32)
    pk, sig, pop = bls.sk_to_pk(sk), bls.sign(sk, MSG), bls.pop_prove(sk)
    for i in range(1, 1000):
        try:
            off = G2.decode_on_curve(bytes([0x80]) + (1).to_bytes(47, "big") + i.to_bytes(48, "big"))
            break
        except InvalidEncoding:
            continue
    for bad in (off.to_bytes(), (G2.decode(sig) + off).to_bytes()):
        assert not pe_bls.Verify(pk, MSG, bad)
        with pytest.raises(VerificationError, match="subgroup"):
            bls.verify(pk, MSG, bad)
        with pytest.raises(VerificationError, match="subgroup"):
            bls.aggregate_verify([pk], [MSG], bad)
        with pytest.raises(VerificationError, match="subgroup"):
            bls.pop_verify(pk, bad)
    bls.verify(pk, MSG, sig)
    bls.aggregate_verify([pk], [MSG], sig)
    bls.pop_verify(pk, pop)
    # the min-signature suite (σ in G1) keeps the strict decoding
    s2 = bls.MIN_SIG
    pk2, sig2 = bls.sk_to_pk(sk, s2), bls.sign(sk, MSG, s2)
    bls.verify(pk2, MSG, sig2, s2)
