"""Strict decoding: every malformed element or scalar is refused with InvalidEncoding, and
decoding arbitrary bytes raises nothing but pqzk.errors exceptions (hypothesis fuzz)."""
from __future__ import annotations

import hashlib

import pytest
from _groups import NAMES, group
from hypothesis import given, settings
from hypothesis import strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, PqzkError
from pqzk.math.ec import EDWARDS25519_CURVE, EDWARDS448_CURVE, P256_CURVE, SECP256K1_CURVE
from pqzk.math.field import sqrt_mod

SEC1 = {"secp256k1": SECP256K1_CURVE, "p256": P256_CURVE}


def rejects(G, data, match=None, **kw):
    with pytest.raises(InvalidEncoding, match=match):
        G.decode(data, **kw)


# ---- every group ----
@pytest.mark.parametrize("name", NAMES)
def test_wrong_length_and_type(name):
    G = group(name)
    enc = G.generator().to_bytes()
    for bad in (b"", enc[:-1], enc + b"\x00", enc * 2, bytes(G.element_size + 32)):
        rejects(G, bad, match="bytes")
    for bad in (None, 5, enc.hex(), list(enc)):         # a wrong type is the caller's error
        with pytest.raises(InvalidParameter, match="must be bytes"):
            G.decode(bad)


@pytest.mark.parametrize("name", NAMES)
def test_scalar_out_of_range(name):
    G = group(name)
    n, size, order = G.order, G.scalar_size, G.scalar_byteorder
    for k in (n, n + 1, 2 * n - 1, 2 ** (8 * size) - 1):
        if k < 2 ** (8 * size):
            with pytest.raises(InvalidEncoding, match="reduced"):
                G.scalar_decode(k.to_bytes(size, order))
    for bad in (b"", bytes(size - 1), bytes(size + 1)):
        with pytest.raises(InvalidEncoding, match="bytes"):
            G.scalar_decode(bad)
    with pytest.raises(InvalidParameter, match="must be bytes"):
        G.scalar_decode(5)
    for k in (-1, n, n + 5, 2**600):
        with pytest.raises(PqzkError):
            G.scalar_encode(k)
    assert G.scalar_decode((n - 1).to_bytes(size, order)) == n - 1
    assert G.scalar_decode(bytes(size)) == 0


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60)
@given(data=st.data())
def test_fuzz_decode_raises_only_pqzk_errors(name, data):
    G = group(name)
    blob = data.draw(st.one_of(st.binary(min_size=G.element_size, max_size=G.element_size),
                               st.binary(max_size=G.element_size + 2)))
    for kw in ({}, {"allow_identity": True}):
        try:
            P = G.decode(blob, **kw)
        except PqzkError:
            continue
        assert P.to_bytes() == blob  # whatever decodes is canonical
    sblob = data.draw(st.one_of(st.binary(min_size=G.scalar_size, max_size=G.scalar_size),
                                st.binary(max_size=G.scalar_size + 2)))
    try:
        k = G.scalar_decode(sblob)
    except PqzkError:
        return
    assert G.scalar_encode(k) == sblob


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=30)
@given(data=st.data())
def test_fuzz_mutated_valid_encodings(name, data):
    # flipping bits of a valid encoding: either refused, or another canonical element
    G = group(name)
    enc = bytearray((data.draw(st.integers(1, G.order - 1)) * G.generator()).to_bytes())
    i = data.draw(st.integers(0, len(enc) - 1))
    enc[i] ^= 1 << data.draw(st.integers(0, 7))
    try:
        P = G.decode(bytes(enc))
    except PqzkError:
        return
    assert P.to_bytes() == bytes(enc)


# ---- SEC1 compressed groups: secp256k1, p256 ----
def _off_curve_x(C):
    x = 0
    while sqrt_mod(C.y_squared(x), C.p) is not None:
        x += 1
    return x


@pytest.mark.parametrize("name", ["secp256k1", "p256"])
def test_sec1_rejections(name):
    G, C = group(name), SEC1[name]
    enc = G.generator().to_bytes()
    for prefix in (0x00, 0x01, 0x04, 0x05, 0x06, 0x07, 0xFF):
        rejects(G, bytes([prefix]) + enc[1:], match="0x02 or 0x03")
    for x in (C.p, C.p + 1, 2**256 - 1):
        rejects(G, b"\x02" + x.to_bytes(32, "big"), match="reduced")
    x = _off_curve_x(C)
    rejects(G, b"\x02" + x.to_bytes(32, "big"), match="not on the curve")
    rejects(G, b"\x03" + x.to_bytes(32, "big"), match="not on the curve")
    rejects(G, bytes(33))  # SEC1 infinity is the single byte 0x00: never 33 bytes
    # the uncompressed form is not the standard encoding here
    x, y = G.point_to_xy(G.generator())
    rejects(G, b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big"), match="bytes")
    # parity bit selects the point: both decode, to P and -P
    P = G.decode(b"\x02" + enc[1:])
    assert G.decode(b"\x03" + enc[1:]) == -P
    with pytest.raises(InvalidEncoding, match="not on the curve"):
        G.point_from_xy(x, (y + 1) % C.p)


# ---- ed25519 ----
ED25519_SMALL_ORDER = [  # the eight torsion points, and sign-bit variants (libsodium's blacklist)
    "0100000000000000000000000000000000000000000000000000000000000080",  # identity, sign bit set
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # (0, -1), order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
]


def _ed_point_from_seed(C, seed, size):
    i = 0
    while True:
        y = int.from_bytes(hashlib.sha512(seed + bytes([i])).digest(), "little") % C.p
        x = sqrt_mod(C.x_squared(y), C.p)
        if x is not None:
            return C.from_affine(x, y)
        i += 1


def test_ed25519_rejections():
    from pqzk.groups.ed25519 import decode_xy, encode_xy
    G, C = group("ed25519"), EDWARDS25519_CURVE
    p = C.p
    for h in ED25519_SMALL_ORDER:
        rejects(G, bytes.fromhex(h), allow_identity=True)
    # non-canonical y (y >= p), with and without the sign bit
    for y in (p, p + 1, p + 9, 2**255 - 1):
        for sign in (0, 1):
            rejects(G, (y | sign << 255).to_bytes(32, "little"), allow_identity=True)
    rejects(G, (p + 1).to_bytes(32, "little"), match="non-canonical", allow_identity=True)
    with pytest.raises(InvalidEncoding, match="x = 0"):
        decode_xy(bytes.fromhex(ED25519_SMALL_ORDER[0]))
    # off the curve: a y whose x² is not a square
    y = 2
    while sqrt_mod(C.x_squared(y), p) is not None:
        y += 1
    rejects(G, y.to_bytes(32, "little"), match="not on the curve")
    # computed torsion: T = [l]R has order dividing 8; R itself and G + T have a torsion component
    seed = 0
    while True:  # a point R with a torsion component T of order 8
        R = _ed_point_from_seed(C, b"torsion-%d" % seed, 32)
        T = C.mul(C.n, R)
        if not C.is_identity(C.mul(4, T)):
            break
        seed += 1
    for pt in (T, R, C.add(C.generator(), T), C.add(C.generator(), C.mul(4, T))):
        rejects(G, encode_xy(*C.to_affine(pt)), match="subgroup", allow_identity=True)
    with pytest.raises(InvalidEncoding):
        G.point_from_xy(*C.to_affine(C.add(C.generator(), T)))
    with pytest.raises(InvalidEncoding, match="not on the curve"):
        G.point_from_xy(C.gx, C.gy + 1)


# ---- ed448 ----
def test_ed448_rejections():
    from pqzk.groups.ed448 import encode_xy
    G, C = group("ed448"), EDWARDS448_CURVE
    p = C.p
    small = [(0, p - 1), (1, 0), (p - 1, 0)]  # orders 2, 4, 4
    for x, y in small:
        rejects(G, encode_xy(x, y), match="subgroup", allow_identity=True)
    ident_neg = bytearray(encode_xy(0, 1))
    ident_neg[56] |= 0x80
    rejects(G, bytes(ident_neg), match="x = 0", allow_identity=True)
    for y in (p, p + 1, 2**448 - 1, 2**455 - 1):
        rejects(G, y.to_bytes(57, "little"), match="non-canonical", allow_identity=True)
    # bits 448..454 of the last byte must be zero
    enc = bytearray(G.generator().to_bytes())
    enc[56] |= 0x01
    rejects(G, bytes(enc))
    y = 2
    while sqrt_mod(C.x_squared(y), p) is not None:
        y += 1
    rejects(G, y.to_bytes(57, "little"), match="not on the curve")
    seed = 0
    while True:  # a point with a torsion component of order 4
        T = C.mul(C.n, _ed_point_from_seed(C, b"torsion448-%d" % seed, 57))
        if not C.is_identity(C.mul(2, T)):
            break
        seed += 1
    for pt in (T, C.add(C.generator(), T), C.add(C.generator(), C.mul(2, T))):
        rejects(G, encode_xy(*C.to_affine(pt)), match="subgroup", allow_identity=True)
        with pytest.raises(InvalidEncoding):
            G.point_from_xy(*C.to_affine(pt))


# ---- ristretto255: RFC 9496 appendix A.2 ----
RISTRETTO_BAD = [
    # non-canonical field encodings
    "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    # negative field elements
    "0100000000000000000000000000000000000000000000000000000000000000",
    "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
    "c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
    "c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78",
    "47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24",
    "f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72",
    "87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309",
    # non-square x^2
    "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
    "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
    "de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
    "bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
    "2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
    "f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
    "8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
    "2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
    # negative x*y
    "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
    "a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
    "d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
    "8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
    "32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
    "227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
    "5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
    "445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
    # s = -1, which causes y = 0
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
]


@pytest.mark.parametrize("hexenc", RISTRETTO_BAD)
def test_ristretto255_rfc9496_invalid_encodings(hexenc):
    rejects(group("ristretto255"), bytes.fromhex(hexenc), allow_identity=True)


def test_ristretto255_other_rejections():
    G = group("ristretto255")
    enc = G.generator().to_bytes()
    rejects(G, enc[:31] + bytes([enc[31] | 0x80]), match="canonical")
    rejects(G, (int.from_bytes(enc, "little") + (2**255 - 19)).to_bytes(33, "little")[:32],
            allow_identity=True)
    with pytest.raises(PqzkError):
        G.from_uniform_bytes(bytes(63))
