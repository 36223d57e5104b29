"""Decoder edge cases a byte fuzzer does not reach: non-bytes arguments (None would draw a fresh
key, an int n would become n zero bytes: a wrong type is an InvalidParameter), trailing bytes,
counts that overflow the data."""
from __future__ import annotations

import pytest

from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.pq import composite, hybrid, mldsa, xwing

ALG = list(composite.ALGORITHMS)[0]
NON_BYTES = [None, 7, 10**8, "00" * 32, [0] * 32, 3.5]


@pytest.mark.parametrize("arg", NON_BYTES, ids=repr)
def test_xwing_private_key_refuses_non_bytes_instead_of_drawing_a_fresh_key(arg):
    with pytest.raises(InvalidParameter, match="must be bytes"):
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
def test_decoders_refuse_non_bytes_with_invalid_parameter(decode, arg):
    with pytest.raises(InvalidParameter, match="must be bytes"):
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


def _pq_calls():
    from pqzk.pq import mlkem, sealing
    sk = mldsa.keygen("ML-DSA-44", seed=bytes(32))
    sig = mldsa.sign("ML-DSA-44", sk, b"m")
    kem = mlkem.keygen("ML-KEM-768", seed=bytes(64))
    xk = xwing.keygen(seed=bytes(32))
    ctx = sealing.SealContext("p", b"s", "a", "b")
    ck = composite.keygen("id-MLDSA44-Ed25519-SHA512", rng=lambda n: bytes(n))
    csig = composite.sign(ck, b"m")
    return {
        "mldsa.sign": lambda: mldsa.sign("ML-DSA-44", sk, "m"),
        "mldsa.verify": lambda: mldsa.verify("ML-DSA-44", sk.public_key, "m", sig),
        "mldsa.is_valid": lambda: mldsa.is_valid("ML-DSA-44", sk.public_key, "m", sig),
        "mlkem.encaps m": lambda: mlkem.encaps("ML-KEM-768", kem.public_key, m="x" * 32),
        "xwing.encaps eseed": lambda: xwing.encaps(xk.public_key, eseed="x" * 64),
        "sealing.seal plaintext": lambda: sealing.seal(xk.public_key, "hi", ctx),
        "sealing extra": lambda: sealing.seal(xk.public_key, b"hi", sealing.SealContext("p", b"s", "a", "b", "x")),
        "composite.verify message": lambda: composite.verify(ck.public_key, "m", csig),
        "composite.verify ctx": lambda: composite.verify(ck.public_key, b"m", csig, "c"),
        "composite.sign message": lambda: composite.sign(ck, 5),
    }


PQ_CALLS = _pq_calls()


@pytest.mark.parametrize("name", sorted(PQ_CALLS))
def test_text_where_bytes_belong_is_an_invalid_parameter(name):
    from pqzk.errors import InvalidParameter
    with pytest.raises(InvalidParameter, match="must be bytes"):
        PQ_CALLS[name]()


def test_bip340_verify_refuses_non_bytes():
    from pqzk.threshold.frost.taproot import bip340_verify
    for args in ((None, b"m", bytes(64)), (bytes(32), "m", bytes(64)), (bytes(32), b"m", "s" * 64)):
        with pytest.raises(InvalidEncoding, match="must be bytes"):
            bip340_verify(*args)


def test_composite_private_key_on_an_unsupported_curve_is_invalid_encoding():
    # one flipped bit in the ECPrivateKey's curve OID: OpenSSL raises UnsupportedAlgorithm
    # (found by the mutation sweep of test_decoders_fuzz)
    alg = "id-MLDSA44-ECDSA-P256-SHA256"
    data = bytearray(composite.keygen(alg).to_bytes())
    oid = bytes.fromhex("2a8648ce3d030107")           # 1.2.840.10045.3.1.7 (P-256)
    at = bytes(data).index(oid)
    data[at + len(oid) - 1] ^= 0x01
    with pytest.raises(InvalidEncoding, match="traditional private key"):
        composite.CompositePrivateKey.from_bytes(alg, bytes(data))


@pytest.mark.parametrize("cert", [
    hybrid.QuorumCertificate(b"c", (2**32,), ((2**32, b"s"),)),
    hybrid.QuorumCertificate(b"c", (1,), ((-1, b"s"),)),
    hybrid.QuorumCertificate(b"c", ("1",), ()),
])
def test_quorum_certificate_identifiers_that_do_not_fit_are_refused_at_encoding(cert):
    from pqzk.errors import InvalidParameter
    with pytest.raises(InvalidParameter, match="0..2\\^32-1"):
        cert.to_bytes()


def test_hybrid_authorizations_are_reproducible_from_an_rng():
    """Every randomized signing path takes an rng: same rng, same bytes; another rng, other bytes."""
    from pqzk.math.rand import DeterministicRNG
    from pqzk.threshold import bls, frost
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    kps, pub = frost.trusted_dealer_keygen(suite, 2, 3, rng=DeterministicRNG(b"k"))
    pq = {i: mldsa.keygen("ML-DSA-44", seed=bytes([i]) * 32) for i in (1, 2, 3)}
    roster = hybrid.Roster("ML-DSA-44", {i: k.public_key for i, k in pq.items()}, 2)
    scheme = hybrid.FrostScheme(suite, pub)

    def quorum(seed):
        return hybrid.authorize_quorum(scheme, [kps[1], kps[2]], roster, {1: pq[1], 2: pq[2]}, b"m",
                                       rng=DeterministicRNG(seed)).to_bytes()
    assert quorum(b"a") == quorum(b"a") != quorum(b"b")
    hybrid.verify_quorum(scheme, roster, b"m", hybrid.QuorumCertificate.from_bytes(quorum(b"a")))

    pk, shares = hybrid.deal_pq_seed("ML-DSA-44", 2, 3, rng=DeterministicRNG(b"seed"))

    def comp(seed):
        return hybrid.authorize_composite(scheme, [kps[1], kps[3]], pk, shares[:2], b"m", 2,
                                          rng=DeterministicRNG(seed)).to_bytes()
    assert comp(b"a") == comp(b"a") != comp(b"b")

    ck = composite.keygen("id-MLDSA44-Ed25519-SHA512", rng=DeterministicRNG(b"ck"))
    s1, s2 = (composite.sign(ck, b"m", rng=DeterministicRNG(s)) for s in (b"a", b"a"))
    assert s1 == s2 != composite.sign(ck, b"m", rng=DeterministicRNG(b"b"))

    shares_b, key = bls.threshold_keygen(2, 3, rng=DeterministicRNG(b"bls"))
    bscheme = hybrid.ThresholdBlsScheme(key)
    assert bscheme.sign([shares_b[1], shares_b[2]], b"m", rng=DeterministicRNG(b"x")) == \
        bscheme.sign([shares_b[1], shares_b[3]], b"m")   # BLS is deterministic; rng only batches checks
