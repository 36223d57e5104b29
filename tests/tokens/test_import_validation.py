"""`validate.check_share`: an imported share is checked field by field against its group and
ciphersuite (FROST key packages, threshold BLS shares); negatives for every field."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from token_stores import frost_share

from pqzk.errors import InvalidEncoding, InvalidParameter, PqzkError
from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import bls, frost
from pqzk.tokens import ShareMetadata, WrongGroup
from pqzk.tokens.validate import check_share

SUITES = list(frost.CIPHERSUITES)


def _frost(suite: str = "FROST-secp256k1-SHA256-v1", party: int = 2, t: int = 2, n: int = 4):
    kp, gpk = frost_share(party, t, n, suite)
    return kp, ShareMetadata("k", party, gpk, suite, t)


def _with(meta: ShareMetadata, **kw) -> ShareMetadata:
    return ShareMetadata(**{**meta.__dict__, **kw})


@pytest.mark.parametrize("suite", SUITES)
def test_key_packages_of_every_frost_suite_pass(suite):
    kp, meta = _frost(suite)
    check_share(kp, meta)
    check_share(bytearray(kp), meta, max_signers=4)
    check_share(memoryview(kp), meta, max_signers=2)


def _fields(suite: str, kp: bytes) -> dict[str, slice]:
    g = frost.get_ciphersuite(suite).group
    s, e = g.scalar_size, g.element_size
    return {"identifier": slice(0, s), "signing share": slice(s, 2 * s), "verifying share": slice(2 * s, 2 * s + e),
            "verifying key": slice(2 * s + e, 2 * s + 2 * e), "min_signers": slice(2 * s + 2 * e, len(kp))}


def _put(kp: bytes, where: slice, value: bytes) -> bytes:
    return kp[:where.start] + value + kp[where.stop:]


@pytest.mark.parametrize("suite", ["FROST-secp256k1-SHA256-v1", "FROST-ED25519-SHA512-v1", "FROST-ED448-SHAKE256-v1"])
def test_every_field_of_a_frost_key_package(suite):
    kp, meta = _frost(suite)
    cs = frost.get_ciphersuite(suite)
    g, f = cs.group, _fields(suite, kp)
    enc = g.scalar_encode
    other_kp, _ = _frost(suite, party=3)
    bad = {
        "identifier zero": (_put(kp, f["identifier"], enc(0)), InvalidEncoding, "identifier is zero"),
        "identifier not reduced": (_put(kp, f["identifier"], b"\xff" * g.scalar_size), InvalidEncoding, "not reduced"),
        "identifier of another party": (_put(kp, f["identifier"], enc(3)), InvalidParameter, "participant 3's, not party 2's"),
        "signing share zero": (_put(kp, f["signing share"], enc(0)), InvalidEncoding, "signing share is zero"),
        "signing share not reduced": (_put(kp, f["signing share"], b"\xff" * g.scalar_size), InvalidEncoding, "not reduced"),
        "signing share of another party": (_put(kp, f["signing share"], other_kp[f["signing share"]]),
                                           InvalidEncoding, "does not match the signing share"),
        "verifying share of another party": (_put(kp, f["verifying share"], other_kp[f["verifying share"]]),
                                             InvalidEncoding, "does not match the signing share"),
        "verifying share identity/garbage": (_put(kp, f["verifying share"], b"\x00" * g.element_size), InvalidEncoding, None),
        "verifying key garbage": (_put(kp, f["verifying key"], b"\x00" * g.element_size), InvalidEncoding, None),
        "verifying key of another group": (_put(kp, f["verifying key"], g.base_mult(7).to_bytes()), WrongGroup, "another group"),
        "min_signers zero": (_put(kp, f["min_signers"], b"\x00\x00"), InvalidEncoding, "min_signers"),
        "min_signers other": (_put(kp, f["min_signers"], b"\x00\x03"), InvalidParameter, "min_signers"),
        "empty": (b"", InvalidEncoding, "key package"),
        "one byte": (b"\x01", InvalidEncoding, "key package"),
        "truncated": (kp[:-1], InvalidEncoding, "key package"),
        "trailing byte": (kp + b"\x00", InvalidEncoding, "key package"),
        "a Shamir share, not a key package": (kp[:2 * g.scalar_size], InvalidEncoding, "key package"),
    }
    for name, (share, exc, words) in bad.items():
        with pytest.raises(exc, match=words) as ei:
            check_share(share, meta)
        assert kp[f["signing share"]].hex() not in str(ei.value), name


def test_frost_metadata_fields():
    kp, meta = _frost()
    other_gpk = frost_share(2, seed=b"another group")[1]
    g = frost.get_ciphersuite(meta.ciphersuite).group
    bad = [
        (_with(meta, party_id=0), InvalidParameter, "party identifier must be at least 1"),
        (_with(meta, party_id=3), InvalidParameter, "not party 3's"),
        (_with(meta, threshold=0), InvalidParameter, "threshold must be at least 1"),
        (_with(meta, threshold=3), InvalidParameter, "min_signers"),
        (_with(meta, group_public_key=other_gpk), WrongGroup, "another group"),
        (_with(meta, group_public_key=b"\x00"), InvalidEncoding, "group public key"),
        (_with(meta, group_public_key=b""), InvalidEncoding, "group public key"),
        (_with(meta, group_public_key=meta.group_public_key[:-1]), InvalidEncoding, "group public key"),
        (_with(meta, group_public_key=b"\x02" + b"\xff" * 32), InvalidEncoding, "group public key"),   # x >= p
        (_with(meta, group_public_key=b"\x00" * 33), InvalidEncoding, "group public key"),
        (_with(meta, ciphersuite="FROST-P256-SHA256-v1"), InvalidEncoding,     # same sizes, another group
         "group public key for FROST-P256|does not match the signing share"),
        (_with(meta, ciphersuite="secp256k1"), InvalidParameter, "context string 'FROST-secp256k1-SHA256-v1'"),
        (_with(meta, ciphersuite="FROST-secp256k1-SHA256-v9"), InvalidParameter, "unknown ciphersuite"),
    ]
    for m, exc, words in bad:
        with pytest.raises(exc, match=words):
            check_share(kp, m)


@pytest.mark.parametrize("n, words", [(1, "threshold 2 is above the number of signers 1"), (0, "in \\[1, 65535\\]"),
                                      (65536, "in \\[1, 65535\\]"), (True, "in \\[1, 65535\\]"),
                                      ("4", "in \\[1, 65535\\]")])
def test_number_of_signers(n, words):
    kp, meta = _frost()
    with pytest.raises(InvalidParameter, match=words):
        check_share(kp, meta, max_signers=n)


def test_party_above_the_number_of_signers():
    kp, meta = _frost(party=3, t=2, n=4)
    check_share(kp, meta, max_signers=3)
    with pytest.raises(InvalidParameter, match="party identifier 3 is above the number of signers 2"):
        check_share(kp, meta, max_signers=2)


def test_not_bytes():
    kp, meta = _frost()
    for bad in (None, "00", 7, [1, 2]):
        with pytest.raises(InvalidEncoding, match="must be bytes"):
            check_share(bad, meta)
    with pytest.raises(InvalidParameter):
        check_share(kp, {"party_id": 2})


@given(st.data())
def test_no_single_byte_change_of_a_key_package_passes(data):
    """Every byte of a FROST key package is bound to the metadata or to another field: changing any
    one of them is refused (with a pqzk error)."""
    suite = data.draw(st.sampled_from(SUITES))
    kp, meta = _frost(suite)
    i = data.draw(st.integers(0, len(kp) - 1))
    x = data.draw(st.integers(1, 255))
    bad = kp[:i] + bytes([kp[i] ^ x]) + kp[i + 1:]
    with pytest.raises(PqzkError):
        check_share(bad, meta)


# ---- threshold BLS -------------------------------------------------------------------------

@pytest.fixture(scope="module", params=list(bls.CIPHERSUITES))
def bls_key(request):
    suite = bls.CIPHERSUITES[request.param]
    shares, key = bls.threshold_keygen(2, 3, suite=suite, rng=DeterministicRNG(b"validate"))
    return suite, shares, key


def test_bls_share_passes_and_each_field_is_checked(bls_key):
    suite, shares, key = bls_key
    K = suite.K
    share = shares[2].to_bytes(K)
    meta = ShareMetadata("b", 2, key.group_public_key, suite.name, 2)
    check_share(share, meta, max_signers=3)
    s = K.scalar_size
    enc = K.scalar_encode
    bad_shares = [
        (b"\x01", "bytes"), (share[:-1], "bytes"), (share + b"\x00", "bytes"),
        (enc(0) + share[s:], "identifier is zero"),
        (b"\xff" * s + share[s:], "identifier is not reduced"),
        (share[:s] + enc(0), "value is zero"),
        (share[:s] + b"\xff" * s, "not reduced"),
    ]
    for bad, words in bad_shares:
        with pytest.raises(InvalidEncoding, match=words):
            check_share(bad, meta)
    with pytest.raises(InvalidParameter, match="signer 3's, not party 2's"):
        check_share(shares[3].to_bytes(K), meta)
    identity = b"\xc0" + b"\x00" * (K.element_size - 1)
    for gpk in (b"\x00", identity, key.group_public_key[:-1], suite.S.base_mult(5).to_bytes()):
        with pytest.raises(InvalidEncoding, match="group public key"):
            check_share(share, ShareMetadata("b", 2, gpk, suite.name, 2))
    for kw, words in ((dict(party_id=0), "party identifier"), (dict(threshold=0), "threshold")):
        with pytest.raises(InvalidParameter, match=words):
            check_share(share, _with(meta, **kw))
    with pytest.raises(InvalidParameter, match="above the number of signers"):
        check_share(share, _with(meta, threshold=3), max_signers=2)


def test_bls_group_key_outside_the_subgroup(bls_key):
    """A point on the curve but outside the prime-order subgroup is not a group key."""
    suite, shares, key = bls_key
    K = suite.K
    share = shares[1].to_bytes(K)
    for x in range(1, 500):          # compressed, x (G1) or x = (c1, c0) = (0, x) (G2) small
        cand = b"\x80" + x.to_bytes(K.element_size - 1, "big")
        try:
            K.decode_on_curve(cand)
        except PqzkError:
            continue                  # not on the curve
        try:
            K.decode(cand)
            continue                  # in the subgroup after all
        except PqzkError:
            pass
        with pytest.raises(InvalidEncoding, match="group public key"):
            check_share(share, ShareMetadata("b", 1, cand, suite.name, 2))
        return
    pytest.fail("no on-curve point outside the subgroup found among small x")
