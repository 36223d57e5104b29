"""X-Wing (draft-connolly-cfrg-xwing-kem) vectors and the sealed share transport: round trips,
tamper detection, and no replay to another party, session, sender or protocol."""
from __future__ import annotations

import pytest
from conftest import load_vectors, require_component
from hypothesis import given, settings
from hypothesis import strategies as st

import pqzk.pq as pq
from pqzk.errors import AuthenticationError, InvalidEncoding, InvalidParameter
from pqzk.math.rand import DeterministicRNG
from pqzk.pq import mlkem, xwing
from pqzk.pq.sealing import SealContext

VECTORS = load_vectors("xwing/test-vectors.json")


def _need_derandomized_encaps() -> None:
    """ML-KEM encaps with given randomness (X-Wing's eseed) comes from kyber-py (reference backend)."""
    from pqzk.pq import backend_registry as _B
    from pqzk.pq.params import MLKEM as _K
    ok = any(_B.status(n).usable and _B.BACKENDS[n].supports("mlkem.encaps_derand", _K["ML-KEM-768"]) for n in _B.BACKENDS)
    require_component(ok, "derandomized ML-KEM encapsulation (kyber-py)", "pip install kyber-py")


@pytest.mark.parametrize("i", range(len(VECTORS)))
def test_xwing_vectors(i):
    _need_derandomized_encaps()
    v = {k: bytes.fromhex(x) for k, x in VECTORS[i].items()}
    sk = xwing.keygen(seed=v["seed"])
    assert sk.to_bytes() == v["sk"] and sk.public_key.to_bytes() == v["pk"]
    ss, ct = xwing.encaps(xwing.XWingPublicKey.from_bytes(v["pk"]), eseed=v["eseed"])
    assert ct == v["ct"] and ss == v["ss"]
    assert xwing.decaps(xwing.XWingPrivateKey.from_bytes(v["sk"]), v["ct"]) == v["ss"]


def test_xwing_combiner_binds_both_components():
    v = {k: bytes.fromhex(x) for k, x in VECTORS[0].items()}
    sk = xwing.keygen(seed=v["seed"])
    for pos in (5, 1100):                   # inside ct_M, inside ct_X
        bad = bytearray(v["ct"])
        bad[pos] ^= 1
        assert xwing.decaps(sk, bytes(bad)) != v["ss"]


def test_xwing_randomized_encaps_round_trip_and_bad_lengths():
    sk = xwing.keygen()
    ss, ct = xwing.encaps(sk.public_key)
    assert xwing.decaps(sk, ct) == ss
    assert xwing.encaps(sk.public_key) != (ss, ct)
    with pytest.raises(InvalidEncoding, match="1120"):
        xwing.decaps(sk, ct[:-1])
    with pytest.raises(InvalidEncoding, match="1216"):
        xwing.encaps(sk.public_key.key[:-1])
    with pytest.raises(InvalidEncoding, match="32 bytes"):
        xwing.keygen(seed=bytes(31))
    with pytest.raises(InvalidParameter):
        xwing.encaps(sk.public_key, eseed=bytes(63))
    assert "redacted" in repr(sk)


def test_xwing_mlkem_part_is_standard():
    """The ML-KEM half is plain ML-KEM-768: decapsulable by any backend that can."""
    sk = xwing.keygen(seed=bytes(32))
    ss_m, ct_m = mlkem.encaps("ML-KEM-768", sk.public_key.pk_m, backend="openssl")
    for b in ("openssl", "reference"):
        assert mlkem.decaps("ML-KEM-768", sk._mlkem, ct_m, backend=b) == ss_m


CTX = SealContext(protocol="pqzk/dkg/v1", session=b"session-1", sender="P1", recipient="P2")
ALICE, BOB = xwing.keygen(seed=bytes([1]) * 32), xwing.keygen(seed=bytes([2]) * 32)


def test_seal_open_round_trip_via_package_api():
    sealed = pq.seal(BOB.public_key, b"share of P2", CTX)
    assert pq.open(BOB, sealed, CTX) == b"share of P2"
    assert len(sealed) == len(b"share of P2") + pq.sealing.OVERHEAD


def test_seal_is_deterministic_given_rng_and_fresh_otherwise():
    _need_derandomized_encaps()
    a = pq.seal(BOB.public_key, b"x", CTX, rng=DeterministicRNG(b"seed"))
    assert a == pq.seal(BOB.public_key, b"x", CTX, rng=DeterministicRNG(b"seed"))
    assert pq.seal(BOB.public_key, b"x", CTX) != pq.seal(BOB.public_key, b"x", CTX)


@pytest.mark.parametrize("field,value", [("recipient", "P3"), ("sender", "P4"), ("session", b"session-2"),
                                         ("protocol", "pqzk/refresh/v1"), ("extra", b"round 2")])
def test_no_replay_to_another_party_session_sender_or_protocol(field, value):
    sealed = pq.seal(BOB.public_key, b"share", CTX)
    other = SealContext(**{**CTX.__dict__, field: value})
    with pytest.raises(AuthenticationError, match="does not authenticate"):
        pq.open(BOB, sealed, other)


def test_wrong_recipient_key_fails():
    sealed = pq.seal(BOB.public_key, b"share", CTX)
    with pytest.raises(AuthenticationError):
        pq.open(ALICE, sealed, CTX)


@settings(max_examples=25)
@given(plaintext=st.binary(max_size=64), flip=st.integers(min_value=0))
def test_any_tampering_fails(plaintext, flip):
    sealed = pq.seal(BOB.public_key, plaintext, CTX)
    pos = len(pq.sealing.MAGIC) + flip % (len(sealed) - len(pq.sealing.MAGIC))
    bad = bytearray(sealed)
    bad[pos] ^= 1 << (flip % 8)
    with pytest.raises(AuthenticationError):
        pq.open(BOB, bytes(bad), CTX)


def test_malformed_and_bad_context():
    sealed = pq.seal(BOB.public_key, b"share", CTX)
    with pytest.raises(InvalidEncoding):
        pq.open(BOB, sealed[:100], CTX)
    with pytest.raises(InvalidEncoding):
        pq.open(BOB, b"XXXXX" + sealed[5:], CTX)
    with pytest.raises(InvalidParameter, match="SealContext"):
        pq.seal(BOB.public_key, b"share", b"raw bytes are not a context")
    with pytest.raises(InvalidParameter, match="recipient"):
        SealContext("p", b"s", "P1", "")
