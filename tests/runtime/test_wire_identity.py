"""The runtime's wire encoding (strict, versioned) and party identities (every field signed)."""
from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from pqzk.errors import AuthenticationError, InvalidEncoding, InvalidParameter, PqzkError
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import Kind, Message, generate_keyrings, wire
from pqzk.runtime.identity import COMPOSITE, SIGNING_CONTEXT, Keyring, extend_keyrings

RINGS = generate_keyrings([1, 2, "coordinator"], rng=DeterministicRNG(b"wire"))
party_ids = st.one_of(st.integers(1, 2**64), st.from_regex(r"[A-Za-z0-9_.:-]{1,64}", fullmatch=True))
messages = st.builds(Message, party_ids, party_ids, st.sampled_from(list(Kind)), st.binary(max_size=300),
                     st.binary(max_size=64), st.booleans(), st.binary(max_size=200))


@given(messages)
def test_encode_decode_round_trip(msg):
    data = wire.encode(msg)
    back = wire.decode(data, msg.recipient)
    assert back == msg
    assert wire.encode(back) == data


@given(messages, st.data())
def test_every_truncation_and_extension_is_refused(msg, data):
    enc = wire.encode(msg)
    cut = data.draw(st.integers(0, len(enc) - 1))
    with pytest.raises(InvalidEncoding):
        wire.decode(enc[:cut], msg.recipient)
    with pytest.raises(InvalidEncoding):
        wire.decode(enc + data.draw(st.binary(min_size=1, max_size=8)), msg.recipient)


@given(st.binary(max_size=400))
def test_arbitrary_bytes_decode_or_raise_invalid_encoding(data):
    try:
        msg = wire.decode(data)
    except InvalidEncoding:
        return
    assert wire.encode(msg) == data          # what decodes is canonical


def test_strictness_examples():
    good = wire.encode(Message(1, 2, Kind.COMMITMENT, b"p", b"s", signature=b"sig"))
    assert wire.decode(good) == Message(1, 2, Kind.COMMITMENT, b"p", b"s", signature=b"sig")
    bad = {
        "magic": b"PQZX" + good[4:],
        "version": good[:4] + b"\x02" + good[5:],
        "kind": good.replace(b"commitment", b"commitmenu"),
        "non-minimal integer": good.replace(b"\x01\x01\x01", b"\x01\x02\x00\x01", 1),
        "party tag": good.replace(b"\x01\x01\x01", b"\x07\x01\x01", 1),
    }
    for what, data in bad.items():
        with pytest.raises(InvalidEncoding):
            wire.decode(data)
    with pytest.raises(InvalidEncoding, match="addressed to another party"):
        wire.decode(good, recipient=3)
    for value in (None, "text", 5, [1]):
        with pytest.raises(InvalidParameter):
            wire.decode(value)
    assert wire.decode(memoryview(good)) == wire.decode(bytearray(good))


@pytest.mark.parametrize("pid", [0, -1, True, 2**512, "", "a b", "é", "x" * 65, 1.0, None, b"1"])
def test_party_ids_that_cannot_be_expressed_are_refused(pid):
    with pytest.raises(InvalidParameter):
        wire.encode_party(pid)
    with pytest.raises(InvalidParameter):
        wire.encode(Message(pid, 1, Kind.COMMITMENT))


def test_unknown_kind_and_oversized_fields_are_refused_when_encoding():
    with pytest.raises(InvalidParameter):
        wire.encode(Message(1, 2, "no_such_kind"))
    with pytest.raises(InvalidParameter):
        wire.encode(Message(1, 2, Kind.COMMITMENT, session=b"s" * 256))
    with pytest.raises(InvalidParameter):
        wire.encode(Message(1, 2, Kind.COMMITMENT, signature=b"s" * 65536))


# ---- identities ----

def test_a_signed_message_verifies_and_every_field_is_bound():
    msg = RINGS[1].sign(Message(1, 2, Kind.SIGNATURE_SHARE, b"share", b"session-a"))
    RINGS[2].verify(msg)
    altered = [replace(msg, payload=b"shard"), replace(msg, session=b"session-b"), replace(msg, recipient="coordinator"),
               replace(msg, kind=Kind.COMMITMENT), replace(msg, sender=2), replace(msg, broadcast=True),
               replace(msg, signature=msg.signature[:-1] + bytes([msg.signature[-1] ^ 1])), replace(msg, signature=b"")]
    for m in altered:
        with pytest.raises(AuthenticationError):
            RINGS[2].verify(m)
        assert not RINGS[2].is_authentic(m)


def test_a_broadcast_signature_names_no_recipient():
    """One signature for every copy: the copies can be forwarded and compared as evidence."""
    signed = RINGS[1].sign(Message(1, None, Kind.DKG_ROUND1, b"commitment", b"s", broadcast=True))
    for to in (2, "coordinator"):
        RINGS[2].verify(replace(signed, recipient=to))
    with pytest.raises(AuthenticationError):       # the same bytes as a private message do not verify
        RINGS[2].verify(replace(signed, recipient=2, broadcast=False))


def test_signatures_are_ed25519_over_the_context_and_the_wire_bytes():
    msg = RINGS[1].sign(Message(1, 2, Kind.COMMITMENT, b"x", b"s"))
    pk = Ed25519PublicKey.from_public_bytes(RINGS[1].directory.keys[1].to_bytes())
    pk.verify(msg.signature, SIGNING_CONTEXT + wire.to_be_signed(msg))     # raises if not


def test_unknown_senders_and_foreign_keyrings():
    other = generate_keyrings([1, 2], rng=DeterministicRNG(b"other"))
    forged = other[1].sign(Message(1, 2, Kind.COMMITMENT, b"x", b"s"))
    with pytest.raises(AuthenticationError, match="valid signature of party 1"):
        RINGS[2].verify(forged)
    with pytest.raises(AuthenticationError, match="unknown party"):
        RINGS[2].verify(replace(forged, sender=9))
    with pytest.raises(InvalidParameter):
        RINGS[1].sign(Message(2, 1, Kind.COMMITMENT))               # cannot sign for another party
    with pytest.raises(InvalidParameter):
        Keyring(1, other[1].signing_key, RINGS[1].directory)          # key not in the directory
    with pytest.raises(InvalidParameter):
        generate_keyrings([1], scheme="rsa")


def test_extended_keyrings_keep_the_old_identities():
    more = extend_keyrings(RINGS, [7], rng=DeterministicRNG(b"more"))
    msg = RINGS[1].sign(Message(1, 7, Kind.COMMITMENT, b"x", b"s"))
    more[7].verify(msg)
    assert more[1].directory.keys[1] == RINGS[1].directory.keys[1]


def test_composite_identities_sign_and_verify():
    rings = generate_keyrings([1, 2], scheme=COMPOSITE, rng=DeterministicRNG(b"composite"))
    msg = rings[1].sign(Message(1, 2, Kind.COMMITMENT, b"x", b"s"))
    rings[2].verify(msg)
    with pytest.raises(AuthenticationError):
        rings[2].verify(replace(msg, payload=b"y"))


def test_keyrings_hide_their_private_keys():
    text = repr(RINGS[1]) + str(RINGS[1]) + repr(RINGS[1].signing_key)
    raw = RINGS[1].signing_key._key.private_bytes_raw()
    assert raw.hex() not in text and "redacted" in repr(RINGS[1].signing_key)


@given(messages)
def test_decoding_never_raises_anything_but_pqzk_errors(msg):
    data = bytearray(wire.encode(msg))
    for i in range(0, len(data), max(1, len(data) // 16)):
        data[i] ^= 0xFF
        try:
            wire.decode(bytes(data))
        except PqzkError:
            pass
