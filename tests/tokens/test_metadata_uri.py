"""Metadata encoding (strict, round-trips) and store URIs."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.tokens import ShareMetadata, WrongGroup, parse_uri
from pqzk.tokens.store import UnsealedShare

key_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", fullmatch=True)
suites = st.from_regex(r"[\x21-\x7e]{1,128}", fullmatch=True)


@given(key_ids, st.integers(0, 2**32 - 1), st.binary(max_size=200), suites, st.integers(0, 2**16 - 1))
def test_metadata_roundtrip(kid, party, gpk, suite, t):
    m = ShareMetadata(kid, party, gpk, suite, t)
    assert ShareMetadata.from_bytes(m.to_bytes()) == m


@given(st.binary(max_size=80))
def test_metadata_decoder_never_crashes(data):
    try:
        ShareMetadata.from_bytes(data)
    except InvalidEncoding:
        pass


def test_metadata_decoder_negatives():
    good = ShareMetadata("k", 1, b"\x02" * 33, "FROST-secp256k1-SHA256-v1", 2).to_bytes()
    for bad in (good[:-1], good + b"\x00", b"\x02" + good[1:], b"\x01\x00\x03../" + good[5:]):
        with pytest.raises(InvalidEncoding):
            ShareMetadata.from_bytes(bad)


@pytest.mark.parametrize("kwargs", [dict(party_id=-1), dict(party_id=2**32), dict(threshold=2**16),
                                    dict(ciphersuite=""), dict(ciphersuite="a b"), dict(key_id="../x"),
                                    dict(group_public_key="02ab"), dict(format_version=2)])
def test_metadata_rejects_bad_fields(kwargs):
    base = dict(key_id="k", party_id=1, group_public_key=b"\x02", ciphersuite="s", threshold=2)
    with pytest.raises(InvalidParameter):
        ShareMetadata(**{**base, **kwargs})


def test_check_group():
    m = ShareMetadata("k", 1, b"\x02" * 33, "S", 2)
    m.check_group(b"\x02" * 33, "S")
    m.check_group(None, None)
    with pytest.raises(WrongGroup):
        m.check_group(b"\x03" * 33)
    with pytest.raises(WrongGroup):
        m.check_group(None, "T")


def test_unsealed_share_wipes_and_redacts():
    u = UnsealedShare(ShareMetadata("k", 1, b"", "S", 2), b"\xaa" * 8)
    buf = u._buf
    assert "aa" not in repr(u)
    u.wipe()
    assert buf == bytearray(8)
    with pytest.raises(InvalidParameter):
        u.value  # noqa: B018


def test_uris():
    u = parse_uri("pkcs11:token=my%20token;serial=abc?module-path=/usr/lib/softhsm/libsofthsm2.so")
    assert u.scheme == "pkcs11" and u.attrs == {"token": "my token", "serial": "abc"}
    assert u.query == {"module-path": "/usr/lib/softhsm/libsofthsm2.so"}
    assert parse_uri("file:/tmp/x").path == "/tmp/x"
    assert parse_uri("file:///tmp/x").path == "/tmp/x"
    t = parse_uri("tpm:/var/lib/s?tcti=swtpm:host=127.0.0.1,port=2321&pcrs=sha256:0,7")
    assert t.path == "/var/lib/s" and t.query == {"tcti": "swtpm:host=127.0.0.1,port=2321", "pcrs": "sha256:0,7"}


@pytest.mark.parametrize("bad", ["", "nothing", "http://x", "pkcs11:", "pkcs11:token=a;token=b",
                                 "pkcs11:token=a?pin-value=1234", "pkcs11:token=a;bogus=1", "file:",
                                 "file://host/x", "file:/x?a=b", "tpm:/x?tcti=a&nope=1", "pkcs11:token"])
def test_bad_uris(bad):
    with pytest.raises(InvalidParameter):
        parse_uri(bad)


def test_pin_never_accepted_in_uri():
    with pytest.raises(InvalidParameter, match="PINs never go in a URI"):
        parse_uri("pkcs11:token=a?pin-value=1234")
