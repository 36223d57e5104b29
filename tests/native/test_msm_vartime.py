"""The variable-time Pippenger MSMs of native/curves.c, the native secp256k1 curve, the C
RFC 8032 edwards25519 codec and RFC 9496 ristretto255 decoder, against independent implementations: the pure-Python curves of
pqzk.math.ec, the constant-time native path, libsecp256k1 (coincurve) and libsodium (PyNaCl)."""
import coincurve
import pytest
from hypothesis import given, settings, strategies as st
from nacl import bindings as nacl

from pqzk import _native
from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.groups._native_curves import (CURVES, EDWARDS25519, SECP256K1, edwards25519_decode,
                                        edwards25519_encode, edwards25519_msm, edwards25519_msm_vartime,
                                        ristretto255_decode)
from pqzk.groups.ristretto255 import RISTRETTO255
from pqzk.groups.ristretto255 import _decode_affine as _ristretto_decode_affine
from pqzk.groups.ristretto255 import _torsion_free as _ristretto_torsion_free
from pqzk.math.ec import EDWARDS25519_CURVE as E25519, EDWARDS448_CURVE, P256_CURVE, SECP256K1_CURVE

PAIRS = [("p256", P256_CURVE), ("edwards25519", E25519), ("edwards448", EDWARDS448_CURVE),
         ("secp256k1", SECP256K1_CURVE)]
L = E25519.n


@st.composite
def msm_case(draw, order, max_n=24):
    """Scalars and generator multiples with repeats, negations, zeros and identities among them."""
    n = draw(st.integers(0, max_n))
    base = st.one_of(st.integers(0, 4), st.integers(order - 4, order - 1), st.integers(0, order - 1))
    ms = [draw(base) for _ in range(n)]
    for i in range(1, n):
        how = draw(st.sampled_from(["fresh", "repeat", "negate"]))
        j = draw(st.integers(0, i - 1))
        if how == "repeat":
            ms[i] = ms[j]
        elif how == "negate":
            ms[i] = -ms[j] % order
    ks = [draw(st.one_of(st.integers(0, 2), st.integers(order - 2, order - 1), st.integers(0, order - 1)))
          for _ in range(n)]
    return ks, ms


@pytest.mark.parametrize("name, py", PAIRS)
@given(data=st.data())
@settings(max_examples=25, deadline=None)
def test_msm_vartime_matches_python_and_constant_time_path(name, py, data):
    N = CURVES[name]
    ks, ms = data.draw(msm_case(N.order))
    pts = [py.to_affine(py.mul(m, py.generator())) for m in ms]
    expect = py.to_affine(py.msm(ks, [py.mul(m, py.generator()) for m in ms]))
    assert N.msm_vartime(ks, pts) == expect
    assert N.msm(ks, pts) == expect


@pytest.mark.parametrize("name, py", PAIRS)
def test_msm_vartime_large_windows(name, py):
    """Enough terms for wide windows (many points per bucket) on every curve."""
    N = CURVES[name]
    n = 700 if name != "edwards448" else 300
    ks = [pow(7, i + 3, N.order) for i in range(n)]
    ms = [pow(5, i // 2 + 1, N.order) for i in range(n)]        # every point twice
    ms[-1] = -ms[0] % N.order                                   # and one opposite pair
    pts = [py.to_affine(py.mul(m, py.generator())) for m in ms]
    expect = py.to_affine(py.mul(sum(k * m for k, m in zip(ks, ms)) % N.order, py.generator()))
    assert N.msm_vartime(ks, pts) == expect


def test_msm_vartime_errors():
    lib, ffi = _native.require(), _native.ffi
    for name, py in PAIRS:
        N = CURVES[name]
        g = N.generator
        with pytest.raises(InvalidEncoding):
            N.msm_vartime([1], [(g[0], (g[1] + 1) % py.p)])                 # off the curve
        with pytest.raises(InvalidEncoding):
            N.msm_vartime([1], [(g[0] + py.p, g[1])])                        # does not fit / non-canonical
        with pytest.raises(InvalidParameter):
            N.msm_vartime([1, 2], [g])
        out = ffi.new("uint8_t[]", N._plen)
        pt = N._to(g)
        assert lib.pqzk_curve_msm_vartime(N.cid, out, pt, N.order.to_bytes(N.sbytes, "big"), 1) == -1
        assert lib.pqzk_curve_msm_vartime(N.cid, out, pt, (N.order - 1).to_bytes(N.sbytes, "big"), 1) == 0
        assert lib.pqzk_curve_msm_vartime(N.cid, out, b"\x02" + pt[1:], bytes(N.sbytes), 1) == -2
    assert lib.pqzk_curve_msm_vartime(9, ffi.new("uint8_t[]", 65), b"", b"", 0) == -1


# ---- secp256k1 on the native core against libsecp256k1 ----
def _cc(k: int):
    return coincurve.PublicKey.from_valid_secret(k.to_bytes(32, "big")) if k else None


@given(st.integers(1, SECP256K1.order - 1), st.integers(1, SECP256K1.order - 1))
@settings(max_examples=15, deadline=None)
def test_secp256k1_native_matches_coincurve(k, j):
    A = SECP256K1.base_mul(k)
    assert A == _cc(k).point()
    assert SECP256K1.mul(j, A) == _cc(k * j % SECP256K1.order).point()
    assert SECP256K1.add(A, A) == _cc(2 * k % SECP256K1.order).point()      # P == Q: doubling
    assert SECP256K1.add(A, SECP256K1.mul(SECP256K1.order - 1, A)) is None   # P == -Q
    assert SECP256K1.in_subgroup(A)


@given(data=st.data())
@settings(max_examples=25, deadline=None)
def test_secp256k1_msm_vartime_matches_coincurve(data):
    ks, ms = data.draw(msm_case(SECP256K1.order, 30))
    pts = [_cc(m) for m in ms]
    terms = [p.multiply(k.to_bytes(32, "big")) for k, p in zip(ks, pts) if k and p is not None]
    if sum(k * m for k, m in zip(ks, ms)) % SECP256K1.order == 0:
        expect = None                                  # libsecp256k1 cannot represent the identity
    else:
        expect = coincurve.PublicKey.combine_keys(terms).point()
    got = SECP256K1.msm_vartime(ks, [None if p is None else p.point() for p in pts])
    assert got == expect


# ---- edwards25519: RFC 8032 codec in C ----
def _decodes(data: bytes) -> bool:
    try:
        E25519.decode_xy(data, "point")
    except InvalidEncoding:
        return False
    return True


def _curve_point(seed: int) -> tuple[int, int]:
    """A curve point of the full group E (usually with a torsion component): y from the seed."""
    y = seed
    while True:
        try:
            return E25519.decode_xy(y.to_bytes(32, "little"), "point")
        except InvalidEncoding:
            y += 1


@given(st.integers(0, 2**255 - 20), st.booleans())
@settings(max_examples=60, deadline=None)
def test_ed25519_decode_matches_python(y, sign):
    data = (y | (sign << 255)).to_bytes(32, "little")
    try:
        expect = E25519.decode_xy(data, "p")
    except InvalidEncoding:
        with pytest.raises(InvalidEncoding):
            edwards25519_decode(data)
        return
    assert edwards25519_decode(data) == expect
    assert edwards25519_encode(expect) == data


def test_ed25519_decode_rejections():
    p = E25519.p
    for bad in (p, p + 1, 2**255 - 1):                                        # y >= p: non-canonical
        with pytest.raises(InvalidEncoding):
            edwards25519_decode(bad.to_bytes(32, "little"))
    for y in (1, p - 1):                                                      # x = 0 with the sign bit set
        assert edwards25519_decode(y.to_bytes(32, "little"))[0] == 0
        with pytest.raises(InvalidEncoding):
            edwards25519_decode((y | 1 << 255).to_bytes(32, "little"))
    off = [y for y in range(2, 40) if not _decodes(y.to_bytes(32, "little"))]
    assert off
    for y in off:                                                             # not on the curve
        with pytest.raises(InvalidEncoding):
            edwards25519_decode(y.to_bytes(32, "little"))
    for n in (0, 31, 33):
        with pytest.raises(InvalidEncoding):
            edwards25519_decode(bytes(n))
        with pytest.raises(InvalidEncoding):
            edwards25519_msm_vartime([1], [bytes(n)])
    with pytest.raises(InvalidEncoding):
        edwards25519_msm_vartime([1], [(p + 1).to_bytes(32, "little")])
    with pytest.raises(InvalidEncoding):
        edwards25519_encode((1, 1))                                           # off the curve
    with pytest.raises(InvalidParameter):
        edwards25519_msm_vartime([1, 2], [E25519.encode_xy(E25519.gx, E25519.gy)])
    lib, ffi = _native.require(), _native.ffi
    g = E25519.encode_xy(E25519.gx, E25519.gy)
    assert lib.pqzk_ed25519_msm_vartime(ffi.new("uint8_t[]", 32), g, L.to_bytes(32, "little"), 1) == -1


# ---- edwards25519 MSM on encodings ----
_G = nacl.crypto_scalarmult_ed25519_base_noclamp((1).to_bytes(32, "little"))
IDENTITY = (1).to_bytes(32, "little")


def _sodium_msm(ks, pts):
    acc = None
    for k, p in zip(ks, pts):
        if k % L == 0 or p == IDENTITY:
            continue
        t = nacl.crypto_scalarmult_ed25519_noclamp((k % L).to_bytes(32, "little"), p)
        acc = t if acc is None else (None if t == _neg(acc) else nacl.crypto_core_ed25519_add(acc, t))
    return IDENTITY if acc is None else acc


def _neg(enc: bytes) -> bytes:
    return enc[:31] + bytes([enc[31] ^ 0x80])


# edwards25519_msm is the constant-time Straus (secret scalars), _vartime the Pippenger
ED_MSMS = pytest.mark.parametrize("msm", [edwards25519_msm, edwards25519_msm_vartime], ids=["ct", "vartime"])


@ED_MSMS
@given(data=st.data())
@settings(max_examples=25, deadline=None)
def test_ed25519_msm_matches_libsodium(msm, data):
    ks, ms = data.draw(msm_case(L))
    pts = [IDENTITY if m == 0 else nacl.crypto_scalarmult_ed25519_base_noclamp(m.to_bytes(32, "little"))
           for m in ms]
    expect = IDENTITY if sum(k * m for k, m in zip(ks, ms)) % L == 0 else _sodium_msm(ks, pts)
    assert msm(ks, pts) == expect


@ED_MSMS
@given(st.lists(st.tuples(st.integers(0, L - 1), st.integers(0, 2**254)), max_size=12))
@settings(max_examples=25, deadline=None)
def test_ed25519_msm_torsion_matches_python(msm, terms):
    """Points of the full group (torsion components, small-order points) against math.ec."""
    small = [(0, 1), (0, E25519.p - 1), _curve_point(0)]
    pts = [_curve_point(y) for _, y in terms] + small
    ks = [k for k, _ in terms] + [3, 5, 7]
    expect = E25519.to_affine(E25519.msm(ks, [E25519.from_affine(*q) for q in pts]))
    assert msm(ks, [E25519.encode_xy(*q) for q in pts]) == E25519.encode_xy(*expect)
    assert EDWARDS25519.msm_vartime(ks, pts) == expect


def test_ed25519_msm_ct_rejections_and_edge_scalars():
    g = E25519.encode_xy(E25519.gx, E25519.gy)
    for bad in ([bytes(31)], [(E25519.p + 1).to_bytes(32, "little")]):
        with pytest.raises(InvalidEncoding):
            edwards25519_msm([1], bad)
    with pytest.raises(InvalidParameter):
        edwards25519_msm([1, 2], [g])
    lib, ffi = _native.require(), _native.ffi
    assert lib.pqzk_ed25519_msm(ffi.new("uint8_t[]", 32), g, L.to_bytes(32, "little"), 1) == -1
    assert edwards25519_msm([], []) == IDENTITY
    for k in (0, 1, 2, 15, 16, 2**252, L - 1):
        assert edwards25519_msm([k, L - k], [g, g]) == IDENTITY
        assert edwards25519_msm([k], [g]) == (IDENTITY if k == 0 else _sodium_msm([k], [g]))


# ---- ristretto255 decoding in C against the Python RFC 9496 reference ----
@given(st.one_of(st.binary(min_size=32, max_size=32), st.integers(0, 2**255 - 1).map(
    lambda k: RISTRETTO255.encode(RISTRETTO255.base_mult(k % RISTRETTO255.order)))))
@settings(max_examples=80, deadline=None)
def test_ristretto255_decode_matches_python(data):
    try:
        expect = _ristretto_torsion_free(*_ristretto_decode_affine(data))
    except InvalidEncoding:
        expect = None
    if expect is None or int.from_bytes(data, "little") >= E25519.p or data[0] & 1:
        if expect is not None:
            raise AssertionError("the Python reference accepted a non-canonical encoding")
        with pytest.raises(InvalidEncoding):
            ristretto255_decode(data)
        return
    assert ristretto255_decode(data) == expect
    assert RISTRETTO255.decode(data, allow_identity=True).raw == expect


def test_ristretto255_decode_rejections():
    with pytest.raises(InvalidEncoding):
        ristretto255_decode(bytes(31))
    for s in (1, E25519.p, E25519.p + 2):                         # negative, non-canonical
        with pytest.raises(InvalidEncoding):
            ristretto255_decode(s.to_bytes(32, "little"))
    assert ristretto255_decode(bytes(32)) == IDENTITY
