"""BLS12-381 Python reference: field tower, G1/G2 against py_ecc, ZCash encodings (byte-identical
to py_ecc, strictly validated), subgroup checks, hash-to-curve vectors, pairing."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bls12_381 as o
from py_ecc.bls import point_compression as pc
from py_ecc.fields import optimized_bls12_381_FQ as FQ
from py_ecc.fields import optimized_bls12_381_FQ2 as FQ2

from conftest import load_vectors
from pqzk.errors import InvalidEncoding, InvalidParameter, PqzkError
from pqzk.groups import bls12_381_native, get_group
from pqzk.groups import bls12_381_ref as bls12_381  # the public module now exports the native engine
from pqzk.groups.bls12_381_ref import G1, G2, multi_miller_loop, final_exponentiation
from pqzk.math import bls12_381_fields as bf

P, R = bf.P, bf.R
fp = st.integers(0, P - 1)
fp2 = st.tuples(fp, fp)
scalars = st.integers(1, R - 1)


# ---- field tower ----
@given(a=fp2, b=fp2)
def test_fp2_ring_laws_and_inverse(a, b):
    ab = bf.fp2_mul(a, b)
    assert ab == bf.fp2_mul(b, a)
    assert bf.fp2_sqr(a) == bf.fp2_mul(a, a)
    # (a0 + a1 u)(b0 + b1 u) with u^2 = -1
    assert ab == ((a[0] * b[0] - a[1] * b[1]) % P, (a[0] * b[1] + a[1] * b[0]) % P)
    if a != bf.FP2_ZERO:
        assert bf.fp2_mul(a, bf.fp2_inv(a)) == bf.FP2_ONE


@given(a=fp2)
def test_fp2_sqrt_and_sgn0(a):
    sq = bf.fp2_sqr(a)
    r = bf.fp2_sqrt(sq)
    assert r is not None and bf.fp2_sqr(r) == sq
    assert bf.fp2_is_square(sq)
    nonsq = bf.fp2_mul(sq, (1, 1))  # u + 1 is not a square in Fp2
    if a != bf.FP2_ZERO:
        assert bf.fp2_sqrt(nonsq) is None and not bf.fp2_is_square(nonsq)
    s = bf.fp2_sgn0(a)
    assert s == (a[0] % 2 if a[0] else a[1] % 2)


def test_fp2_sqrt_of_pure_imaginary_and_real_non_squares():
    for a in [(0, 5), (5, 0), (P - 5, 0), (0, 0), (7, 0)]:
        r = bf.fp2_sqrt(a)
        assert r is not None and bf.fp2_sqr(r) == a  # every Fp element is a square in Fp2


@settings(max_examples=10)
@given(c=st.lists(fp, min_size=12, max_size=12))
def test_fp12_inverse_square_frobenius(c):
    a = ((tuple(c[0:2]), tuple(c[2:4]), tuple(c[4:6])), (tuple(c[6:8]), tuple(c[8:10]), tuple(c[10:12])))
    assert bf.fp12_sqr(a) == bf.fp12_mul(a, a)
    if any(c):
        assert bf.fp12_mul(a, bf.fp12_inv(a)) == bf.FP12_ONE
    assert bf.fp12_frobenius(a) == bf.fp12_pow(a, P)
    assert bf.fp12_frobenius(a, 12) == a


# ---- helpers to talk to py_ecc ----
def to_pyecc(group, e):
    if e.is_identity():
        return o.Z1 if group is G1 else o.Z2
    x, y = group.point_to_xy(e)
    if group is G1:
        return (FQ(x), FQ(y), FQ(1))
    return (FQ2(list(x)), FQ2(list(y)), FQ2([1, 0]))


def compress_pyecc(group, pt) -> bytes:
    if group is G1:
        return pc.compress_G1(pt).to_bytes(48, "big")
    z1, z2 = pc.compress_G2(pt)
    return z1.to_bytes(48, "big") + z2.to_bytes(48, "big")


def test_registry_and_generators_match_py_ecc():
    assert get_group("bls12_381_g1") is bls12_381_native.G1
    assert get_group("bls12_381_g2") is bls12_381_native.G2
    for group, ref in ((G1, o.G1), (G2, o.G2)):
        assert o.eq(to_pyecc(group, group.generator()), ref)
        assert group.generator().to_bytes() == compress_pyecc(group, ref)
    assert G1.generator().to_bytes().hex().startswith("97f1d3a73197d794")


@pytest.mark.parametrize("group", [G1, G2], ids=["g1", "g2"])
@settings(max_examples=8)
@given(k=scalars, m=scalars)
def test_arithmetic_and_encoding_match_py_ecc(group, k, m):
    ref_g = o.G1 if group is G1 else o.G2
    a, b = group.base_mult(k), k * group.generator()
    assert a == b
    assert o.eq(to_pyecc(group, a), o.multiply(ref_g, k))
    c = a + m * group.generator()
    assert o.eq(to_pyecc(group, c), o.add(o.multiply(ref_g, k), o.multiply(ref_g, m)))
    enc = c.to_bytes()
    assert enc == compress_pyecc(group, to_pyecc(group, c))
    assert group.decode(enc, allow_identity=True) == c      # k + m = r gives the identity
    z = int.from_bytes(enc, "big") if group is G1 else (int.from_bytes(enc[:48], "big"), int.from_bytes(enc[48:], "big"))
    dec = pc.decompress_G1(z) if group is G1 else pc.decompress_G2(z)
    assert o.eq(dec, to_pyecc(group, c))
    un = group.encode_uncompressed(c)
    if not c.is_identity():                                  # the identity has no affine coordinates
        x, y = group.point_to_xy(c)
        coord = (lambda v: v.to_bytes(48, "big")) if group is G1 else (
            lambda v: v[1].to_bytes(48, "big") + v[0].to_bytes(48, "big"))
        assert un == coord(x) + coord(y)
    assert group.decode_uncompressed(un, allow_identity=True) == c
    assert group.msm([k, m, 0], [group.generator(), c, c]) == k * group.generator() + m * c


@pytest.mark.parametrize("group", [G1, G2], ids=["g1", "g2"])
def test_identity_encodings(group):
    n = group.element_size
    inf = group.identity()
    assert inf.to_bytes() == b"\xc0" + bytes(n - 1)
    assert inf.to_bytes() == compress_pyecc(group, o.Z1 if group is G1 else o.Z2)
    assert group.decode(inf.to_bytes(), allow_identity=True).is_identity()
    with pytest.raises(InvalidEncoding):
        group.decode(inf.to_bytes())
    un = group.encode_uncompressed(inf)
    assert un == b"\x40" + bytes(2 * n - 1)
    assert group.decode_uncompressed(un, allow_identity=True) == inf
    with pytest.raises(InvalidEncoding):
        group.decode_uncompressed(un)
    g = group.generator()
    assert g + inf == g and g - g == inf and 0 * g == inf and group.order * g == inf


def _not_on_curve_x(group):
    for i in range(1, 1000):
        x = i if group is G1 else (i, 1)
        if group.F.sqrt(group.curve.y_squared(x)) is None:
            return x
    raise AssertionError("no x off the curve found")


def _off_subgroup_point(group):
    """A point of E (resp. E') that is not in the order-r subgroup."""
    for i in range(1, 1000):
        x = i if group is G1 else (i, 1)
        y = group.F.sqrt(group.curve.y_squared(x))
        if y is not None:
            raw = group.curve.from_affine(x, y)
            if not group.curve.is_identity(group.curve.mul(R, raw)):
                return x, y
    raise AssertionError("no point outside the subgroup found")


def _coords(group, v):
    return v.to_bytes(48, "big") if group is G1 else v[1].to_bytes(48, "big") + v[0].to_bytes(48, "big")


def _compressed(group, x, sign=0):
    out = bytearray(_coords(group, x))
    out[0] |= 0x80 | (0x20 if sign else 0)
    return bytes(out)


@pytest.mark.parametrize("group", [G1, G2], ids=["g1", "g2"])
def test_decode_rejections(group):
    n = group.element_size
    good = (12345 * group.generator()).to_bytes()
    cases = {
        "empty": b"",
        "short": good[:-1],
        "long": good + b"\x00",
        "uncompressed length for decode": group.encode_uncompressed(group.generator()),
        "compression flag cleared": bytes([good[0] & 0x7F]) + good[1:],
        "infinity with sign bit": b"\xe0" + bytes(n - 1),
        "infinity with garbage in first byte": b"\xc1" + bytes(n - 1),
        "infinity with garbage later": b"\xc0" + bytes(n - 2) + b"\x01",
        "infinity without compression flag": b"\x40" + bytes(n - 1),
        "x not on curve": _compressed(group, _not_on_curve_x(group)),
        "not in subgroup": _compressed(group, _off_subgroup_point(group)[0]),
    }
    if group is G1:
        cases["x = p"] = _compressed(group, P)
        cases["x = 2^381 - 1"] = bytes([0x9F]) + b"\xff" * 47
    else:
        cases["x.c0 = p"] = _compressed(group, (P, 0))
        cases["x.c1 = p"] = _compressed(group, (0, P))
    for what, data in cases.items():
        with pytest.raises(InvalidEncoding):
            group.decode(data, allow_identity=True)
            pytest.fail(what)
    for bad_type in ("00" * n, None, 5, [0] * n):
        with pytest.raises(InvalidParameter, match="must be bytes"):
            group.decode(bad_type)


@pytest.mark.parametrize("group", [G1, G2], ids=["g1", "g2"])
def test_decode_uncompressed_rejections(group):
    n = group.element_size
    good = group.encode_uncompressed(777 * group.generator())
    x, y = _off_subgroup_point(group)
    gx, gy = group.point_to_xy(777 * group.generator())
    ybad = (gy + 1) % P if group is G1 else ((gy[0] + 1) % P, gy[1])
    pcoord = P if group is G1 else (0, P)
    cases = {
        "short": good[:-1],
        "compressed length": good[:n],
        "compression flag set": bytes([good[0] | 0x80]) + good[1:],
        "sign flag set": bytes([good[0] | 0x20]) + good[1:],
        "infinity with garbage": b"\x40" + bytes(2 * n - 2) + b"\x01",
        "infinity with sign": b"\x60" + bytes(2 * n - 1),
        "off curve": _coords(group, gx) + _coords(group, ybad),
        "y = y + p": _coords(group, gx) + _coords(group, (gy + P) if group is G1 else (gy[0], gy[1] + P)),
        "x = p": _coords(group, pcoord) + _coords(group, gy),
        "not in subgroup": _coords(group, x) + _coords(group, y),
    }
    for what, data in cases.items():
        with pytest.raises(InvalidEncoding):
            group.decode_uncompressed(data, allow_identity=True)
            pytest.fail(what)
    with pytest.raises(InvalidEncoding):
        group.point_from_xy(x, y)


@pytest.mark.parametrize("group", [G1, G2], ids=["g1", "g2"])
@settings(max_examples=6)
@given(i=st.integers(1, 2**64))
def test_fast_subgroup_check_agrees_with_multiplication_by_r(group, i):
    for j in range(i, i + 50):  # a curve point from x = j (resp. j + u)
        x = j % P if group is G1 else (j % P, 1)
        y = group.F.sqrt(group.curve.y_squared(x))
        if y is not None:
            break
    raw = group.curve.from_affine(x, y)
    cleared = group.curve.mul(group.cofactor, raw)
    for pt in (raw, cleared, group.curve.add(cleared, raw)):
        expected = group.curve.is_identity(group.curve.mul(R, pt))
        assert group.in_subgroup(pt) == expected
    assert group.in_subgroup(cleared)


@pytest.mark.parametrize("group,suite", [(G1, "BLS12381G1_XMD_SHA-256_SSWU_RO_"),
                                         (G2, "BLS12381G2_XMD_SHA-256_SSWU_RO_")], ids=["g1", "g2"])
def test_hash_to_element_vectors(group, suite):
    v = load_vectors(f"hash-to-curve/{suite}.json")
    for case in v["vectors"]:
        e = group.hash_to_element(case["msg"].encode(), v["dst"].encode())
        x, y = group.point_to_xy(e)
        want = [int(c, 16) for c in case["P"]["x"].split(",")]
        assert ([x] if group is G1 else [x[0], x[1]]) == want
        assert group.in_subgroup(e.raw) and group.decode(e.to_bytes()) == e
    with pytest.raises(InvalidParameter):
        group.hash_to_element(b"msg", b"")


@pytest.mark.parametrize("group", [G1, G2], ids=["g1", "g2"])
@settings(max_examples=40)
@given(data=st.data())
def test_decode_fuzz_raises_only_pqzk_errors(group, data):
    n = group.element_size
    good = bytearray((31337 * group.generator()).to_bytes())
    choice = data.draw(st.integers(0, 2))
    if choice == 0:
        blob = data.draw(st.binary(min_size=0, max_size=2 * n + 2))
    elif choice == 1:
        i = data.draw(st.integers(0, n - 1))
        good[i] ^= data.draw(st.integers(1, 255))
        blob = bytes(good)
    else:
        blob = bytes([data.draw(st.sampled_from([0x80, 0xa0, 0xc0, 0xe0, 0x00, 0x40]))]) + data.draw(
            st.binary(min_size=n - 1, max_size=n - 1))
    for fn in (group.decode, group.decode_uncompressed):
        try:
            e = fn(blob, allow_identity=True)
        except PqzkError:
            continue
        assert group.in_subgroup(e.raw)


# ---- pairing ----
def test_pairing_bilinear_nondegenerate_and_matches_py_ecc():
    g1, g2 = G1.generator(), G2.generator()
    e = bls12_381.pairing(g1, g2)
    assert e != bf.FP12_ONE and bf.fp12_pow(e, R) == bf.FP12_ONE
    a, b = 0x1234567890ABCDEF, 0xFEDCBA0987654321
    eab = bls12_381.pairing(a * g1, b * g2)
    assert eab == bf.fp12_pow(e, a * b % R)
    assert eab == bls12_381.pairing((a * b % R) * g1, g2)
    assert bls12_381.pairing(G1.identity(), g2) == bf.FP12_ONE
    # py_ecc computes f_{|x|} without the conjugation for x < 0: its value is our inverse
    ref = o.pairing(o.G2, o.G1)
    mine = [0] * 12
    for i, (c0, c1) in enumerate(bf._fp12_coeffs(bf.fp12_conj(e))):  # w^6 = u + 1 in both towers
        mine[i], mine[i + 6] = (c0 - c1) % P, c1
    assert mine == [int(c) for c in ref.coeffs]


def test_multi_pairing_bls_relation():
    sk = 0x2468ACE
    pk = sk * G1.generator()
    h = G2.hash_to_element(b"message", b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_")
    sig = sk * h
    assert bls12_381.multi_pairing_is_one([(pk, h), (-G1.generator(), sig)])
    assert not bls12_381.multi_pairing_is_one([(pk, h), (-G1.generator(), sig + G2.generator())])
    assert bls12_381.multi_pairing_is_one([(G1.identity(), h), (pk, G2.identity())])
    assert bls12_381.multi_pairing([(pk, h), (G1.generator(), -sig)]) == bf.FP12_ONE
    assert final_exponentiation(multi_miller_loop([(pk, h)])) == bls12_381.pairing(pk, h)
    with pytest.raises(InvalidParameter):
        bls12_381.multi_pairing_is_one([(h, pk)])  # groups swapped


def test_g2_cofactor_constant():
    x, y = _off_subgroup_point(G2)
    raw = G2.curve.from_affine(x, y)
    assert G2.curve.is_identity(G2.curve.mul(R * G2.cofactor, raw))
    assert not G2.curve.is_identity(G2.curve.mul(G2.cofactor, raw))


@settings(max_examples=3)
@given(a=scalars, b=scalars, msg=st.binary(max_size=16))
def test_pairing_bilinearity_random(a, b, msg):
    p, q = G1.hash_to_element(msg, b"pqzk-test-g1"), G2.hash_to_element(msg, b"pqzk-test-g2")
    e = bls12_381.pairing(p, q)
    assert bls12_381.pairing(a * p, b * q) == bf.fp12_pow(e, a * b % R)
    assert bls12_381.multi_pairing_is_one([(a * p, q), (-p, a * q)])
    with pytest.raises(InvalidParameter):
        bls12_381.multi_pairing(((p, q) for _ in range(1)))
