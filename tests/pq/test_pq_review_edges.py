"""Decoder edge cases a byte fuzzer does not reach: non-bytes arguments (None would draw a fresh
key, an int n would become n zero bytes), trailing bytes, counts that overflow the data."""
from __future__ import annotations

import pytest

from pqzk.errors import InvalidEncoding
from pqzk.pq import composite, hybrid, mldsa, xwing

ALG = list(composite.ALGORITHMS)[0]
NON_BYTES = [None, 7, 10**8, "00" * 32, [0] * 32, 3.5]


@pytest.mark.parametrize("arg", NON_BYTES, ids=repr)
def test_xwing_private_key_refuses_non_bytes_instead_of_drawing_a_fresh_key(arg):
    with pytest.raises(InvalidEncoding, match="must be bytes"):
        xwing.XWingPrivateKey.from_bytes(arg)


def test_xwing_private_key_round_trip_and_bytes_like():
    sk = xwing.keygen(seed=bytes(range(32)))
    assert xwing.XWingPrivateKey.from_bytes(memoryview(sk.to_bytes())) == sk
    with pytest.raises(InvalidEncoding):
        xwing.XWingPrivateKey.from_bytes(sk.to_bytes() + b"\x00")


@pytest.mark.parametrize("arg", NON_BYTES, ids=repr)
@pytest.mark.parametrize("decode", [
    hybrid.QuorumCertificate.from_bytes,
    hybrid.CompositeAuthorization.from_bytes,
    lambda d: composite.CompositePublicKey.from_bytes(ALG, d),
    lambda d: composite.CompositePrivateKey.from_bytes(ALG, d),
    composite.CompositePublicKey.from_spki,
    composite.CompositePrivateKey.from_pkcs8,
    mldsa.MLDSAPublicKey.from_spki,
    mldsa.MLDSAPrivateKey.from_pkcs8,
], ids=["qc", "composite-auth", "composite-pk", "composite-sk", "composite-spki", "composite-pkcs8",
        "mldsa-spki", "mldsa-pkcs8"])
def test_decoders_refuse_non_bytes_with_invalid_encoding(decode, arg):
    with pytest.raises(InvalidEncoding, match="must be bytes"):
        decode(arg)


def test_quorum_certificate_counts_and_trailing_bytes():
    cert = hybrid.QuorumCertificate(b"sig", (1, 2), ((1, b"a"), (2, b"b")))
    data = cert.to_bytes()
    assert hybrid.QuorumCertificate.from_bytes(data) == cert
    with pytest.raises(InvalidEncoding, match="trailing"):
        hybrid.QuorumCertificate.from_bytes(data + b"\x00")
    # signer count 2^32 - 1 with 2 signers' worth of data: truncated, not a long loop or a crash
    at = 4 + 4 + 3
    huge = data[:at] + b"\xff\xff\xff\xff" + data[at + 4:]
    with pytest.raises(InvalidEncoding, match="truncated"):
        hybrid.QuorumCertificate.from_bytes(huge)
    with pytest.raises(InvalidEncoding, match="bad magic"):
        hybrid.QuorumCertificate.from_bytes(b"PQZC" + data[4:])


@pytest.mark.parametrize("alg", [a for a, v in composite.ALGORITHMS.items() if not v.trad.startswith("rsa")])
def test_composite_keygen_takes_an_rng(alg):
    from pqzk.math.rand import DeterministicRNG
    k1 = composite.keygen(alg, rng=DeterministicRNG(b"a"))
    k2 = composite.keygen(alg, rng=DeterministicRNG(b"a"))
    k3 = composite.keygen(alg, rng=DeterministicRNG(b"b"))
    assert k1.to_bytes() == k2.to_bytes() and k1.public_key.to_bytes() == k2.public_key.to_bytes()
    assert k1.trad_key != k3.trad_key and k1.to_bytes()[:32] != k3.to_bytes()[:32]
    sig = composite.sign(k1, b"m")
    composite.verify(composite.CompositePublicKey.from_bytes(alg, k2.public_key.to_bytes()), b"m", sig)
    assert composite.CompositePrivateKey.from_bytes(alg, k1.to_bytes()).public_key.to_bytes() == \
        k1.public_key.to_bytes()


def test_composite_keygen_rsa_refuses_an_rng():
    from pqzk.errors import InvalidParameter
    from pqzk.math.rand import DeterministicRNG
    with pytest.raises(InvalidParameter, match="RSA"):
        composite.keygen("id-MLDSA44-RSA2048-PSS-SHA256", rng=DeterministicRNG(b"a"))
