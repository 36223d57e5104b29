"""The sealed-record envelope: round trip and 'any flipped bit is refused' as properties."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqzk.errors import AuthenticationError, InvalidEncoding, InvalidParameter
from pqzk.tokens import ShareMetadata
from pqzk.tokens.envelope import SealedRecord, seal, unseal


class FixedKeySealer:
    """Test sealer: a constant key, its params a constant tag (bound into the AD like any other)."""
    sealer_id = "fixed"

    def new_key(self, rng=None):
        return b"\x11" * 32, b"params"

    def recover_key(self, params):
        return b"\x11" * 32


META = ShareMetadata("k", 5, b"\x02" * 33, "FROST-secp256k1-SHA256-v1", 3)


@given(st.binary(min_size=1, max_size=200))
def test_roundtrip(share):
    rec = seal(share, META, FixedKeySealer())
    assert len(rec.ciphertext) == len(share) + 16
    if len(share) >= 16:   # a shorter ciphertext can equal its plaintext by chance (1 in 256 per byte)
        assert rec.ciphertext[:-16] != share
    again = SealedRecord.from_bytes(rec.to_bytes())
    assert bytes(unseal(again, FixedKeySealer())) == share


@settings(max_examples=60)
@given(st.data())
def test_any_flipped_bit_is_refused(data):
    raw = seal(b"\x42" * 32, META, FixedKeySealer()).to_bytes()
    i = data.draw(st.integers(0, len(raw) - 1))
    bit = data.draw(st.integers(0, 7))
    bad = bytearray(raw)
    bad[i] ^= 1 << bit
    with pytest.raises((AuthenticationError, InvalidEncoding, InvalidParameter)):
        unseal(SealedRecord.from_bytes(bytes(bad)), FixedKeySealer())


def test_record_for_another_sealer_is_refused():
    rec = seal(b"x" * 32, META, FixedKeySealer())

    class Other(FixedKeySealer):
        sealer_id = "other"
    with pytest.raises(InvalidEncoding, match="sealed with 'fixed'"):
        unseal(rec, Other())
