"""pqzk.encoding: ByteWriter writes what ByteReader reads (hypothesis round trip, every method),
values that do not fit are refused by name, and from_hex is the one hex decoder."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pqzk.encoding import ByteReader, ByteWriter, from_hex, lp_bytes, u32_bytes, uint_bytes
from pqzk.errors import InvalidEncoding, InvalidParameter

# one field: (method, argument(s)) as ByteWriter and ByteReader name them
_uint = st.integers(1, 8).flatmap(lambda w: st.tuples(st.just("uint"), st.integers(0, 2 ** (8 * w) - 1), st.just(w)))
_u32 = st.tuples(st.just("u32"), st.integers(0, 2**32 - 1))
_lp = st.sampled_from([1, 2, 4]).flatmap(
    lambda w: st.tuples(st.just("lp"), st.binary(max_size=min(300, 2 ** (8 * w) - 1)), st.just(w)))
_put = st.tuples(st.just("put"), st.binary(max_size=40))
FIELDS = st.lists(st.one_of(_uint, _u32, _lp, _put), max_size=12)


def _write(fields) -> bytes:
    w = ByteWriter("test format")
    for f in fields:
        getattr(w, f[0])(*f[1:])
    return w.to_bytes()


@given(FIELDS)
def test_writer_reader_round_trip(fields):
    data = _write(fields)
    assert len(data) == len(ByteWriter().put(data)) and bytes(ByteWriter().put(data)) == data
    r = ByteReader(data, "test format")
    for f in fields:
        if f[0] == "uint":
            assert r.uint(f[2]) == f[1]
        elif f[0] == "u32":
            assert r.u32() == f[1]
        elif f[0] == "lp":
            assert r.lp(f[2]) == f[1]
        else:
            assert r.take(len(f[1])) == f[1]
    r.end()


@given(FIELDS.filter(lambda fs: any(f[0] != "put" or f[1] for f in fs)))
def test_a_truncated_record_does_not_read_back(fields):
    data = _write(fields)
    r = ByteReader(data[:-1], "test format")
    with pytest.raises(InvalidEncoding, match="test format: truncated"):
        for f in fields:
            {"uint": lambda: r.uint(f[2]), "u32": r.u32, "lp": lambda: r.lp(f[2]),
             "put": lambda: r.take(len(f[1]))}[f[0]]()
        r.end()


@given(st.binary(min_size=1, max_size=8), st.binary(max_size=16), st.binary(max_size=16))
def test_expect_reads_exactly_the_magic_and_refuses_anything_else(magic, body, other):
    r = ByteReader(magic + body, "test format")
    r.expect(magic)
    assert r.take(len(body)) == body
    r.end()
    head = (other + magic)[:len(magic)]
    if head != magic:
        with pytest.raises(InvalidEncoding, match=r"^test format: bad magic$"):
            ByteReader(head + body, "test format").expect(magic)


def test_expect_names_what_is_wrong_and_reports_truncation():
    with pytest.raises(InvalidEncoding, match=r"^key file: wrong magic or version$"):
        ByteReader(b"PQZK\x02rest", "key file").expect(b"PQZK\x01", "wrong magic or version")
    with pytest.raises(InvalidEncoding, match=r"^key file: truncated$"):
        ByteReader(b"PQ", "key file").expect(b"PQZK")
    with pytest.raises(InvalidEncoding) as exc:
        ByteReader(b"SECRET!!", "key file").expect(b"PQZK0001")
    assert "SECRET" not in str(exc.value)


def test_writer_matches_the_hand_written_formats():
    # the formats the writer replaced, byte for byte
    assert ByteWriter().lp(b"abc").to_bytes() == b"\0\0\0\3abc" == lp_bytes(b"abc")
    assert ByteWriter().lp(b"abc", 2).lp(b"", 1).to_bytes() == b"\0\3abc\0"
    assert ByteWriter().u32(7).uint(258, 2).uint(1, 8).to_bytes() == b"\0\0\0\7\1\2" + b"\0" * 7 + b"\1"
    assert u32_bytes(2**32 - 1) == b"\xff" * 4 and uint_bytes(0, 1) == b"\0"
    assert ByteWriter().put(bytearray(b"x")).put(memoryview(b"yz")).to_bytes() == b"xyz"


def test_values_that_do_not_fit_are_refused_by_name():
    with pytest.raises(InvalidParameter, match="quorum certificate does not fit in 4 bytes"):
        ByteWriter("quorum certificate").u32(2**32)
    with pytest.raises(InvalidParameter, match="does not fit in 2 bytes"):
        ByteWriter("x").uint(-1, 2)
    with pytest.raises(InvalidParameter, match="length of x does not fit in 1 bytes"):
        ByteWriter("x").lp(bytes(256), 1)
    with pytest.raises(InvalidParameter, match="x must be an int, got str"):
        ByteWriter("x").u32("7")
    with pytest.raises(InvalidParameter, match="x must be bytes, got str"):
        ByteWriter("x").lp("text")
    with pytest.raises(InvalidParameter, match="x must be bytes, got NoneType"):
        ByteWriter("x").put(None)


def test_a_refused_value_is_not_echoed():
    secret = 2**40 + 123456789
    with pytest.raises(InvalidParameter) as exc:
        ByteWriter("nonce").u32(secret)
    assert str(secret) not in str(exc.value)


@given(st.binary(max_size=64))
def test_from_hex_round_trip(data):
    assert from_hex(data.hex(), "field") == data
    assert from_hex(data.hex().upper(), "field") == data


@pytest.mark.parametrize("text", ["0", "zz", "0x00", "00 0", "é0"])
def test_from_hex_refuses_what_is_not_hex_naming_the_field(text):
    with pytest.raises(InvalidEncoding, match=r"^signing_key is not valid hex$"):
        from_hex(text, "signing_key")


@pytest.mark.parametrize("value", [None, 5, b"00", ["00"]])
def test_from_hex_refuses_what_is_not_a_string(value):
    with pytest.raises(InvalidEncoding, match="kem_key must be a hex string, got"):
        from_hex(value, "kem_key")
