"""BLS edge cases a byte fuzzer does not reach: wrong argument types, malformed batch items,
signer identifiers that are not Shamir x-coordinates (0, repeated, too few for the threshold)."""
from __future__ import annotations

import pytest

from pqzk.errors import InvalidParameter, VerificationError
from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import bls

SK = bls.keygen(bytes(range(32)))
PK = bls.sk_to_pk(SK)
SIG = bls.sign(SK, b"m")


@pytest.mark.parametrize("call", [
    lambda: bls.verify(PK, "m", SIG),
    lambda: bls.sign(SK, None),
    lambda: bls.aggregate_verify([PK], ["m"], SIG),
    lambda: bls.fast_aggregate_verify([PK], 5, SIG),
], ids=["verify", "sign", "aggregate_verify", "fast_aggregate_verify"])
def test_non_bytes_message_is_an_invalid_parameter(call):
    with pytest.raises(InvalidParameter, match="message must be bytes"):
        call()


def test_memoryview_message_is_accepted():
    bls.verify(PK, memoryview(b"m"), SIG)


def test_keygen_and_secret_key_types():
    with pytest.raises(InvalidParameter, match="IKM must be bytes"):
        bls.keygen("x" * 40)
    assert bls.keygen(bytearray(range(32))) == SK
    with pytest.raises(InvalidParameter):
        bls.sign(True, b"m")
    with pytest.raises(InvalidParameter, match="unknown BLS ciphersuite"):
        bls.get_ciphersuite(["not", "a", "name"])


def test_batch_verify_refuses_malformed_items():
    with pytest.raises(InvalidParameter, match="item 1"):
        bls.batch_verify([(PK, b"m", SIG), (PK, b"m")])
    bls.batch_verify([(PK, b"m", SIG), [PK, b"m", SIG]])
    with pytest.raises(VerificationError, match=r"\[1\]"):
        bls.batch_verify([(PK, b"m", SIG), (PK, b"other", SIG)])


def test_threshold_key_identifiers_are_checked():
    shares, key = bls.threshold_keygen(2, 3, rng=DeterministicRNG(b"bls-ids"))
    for ids, match in (([0, 1, 2], "> 0"), ([1, 1, 2], "duplicate"), ([1], "cannot reach"),
                       ([1, key.suite.K.order], "smaller than the order")):
        with pytest.raises(InvalidParameter, match=match):
            bls.threshold_key_from_commitment(key.commitment, ids)
    with pytest.raises(InvalidParameter, match="differs from the commitment"):
        bls.ThresholdKey(key.suite, 3, key.commitment, (1, 2, 3))


def test_combine_refuses_identifier_zero_even_unverified():
    # with x = 0 in the interpolation set, a "partial" would stand for the group signature itself
    shares, key = bls.threshold_keygen(2, 3, rng=DeterministicRNG(b"bls-zero"))
    parts = [bls.partial_sign(shares[i], b"m") for i in (1, 2)]
    with pytest.raises(InvalidParameter, match="> 0"):
        bls.combine(key, b"m", [bls.PartialSignature(0, parts[0].signature), parts[1]], verify=False)
    assert bls.combine(key, b"m", parts, verify=False) == bls.combine(key, b"m", parts)
