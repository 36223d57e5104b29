"""Native BLS12-381 (G1, G2, GT, pairing, hash to curve) against py_ecc and the Python reference."""
import json

import py_ecc.optimized_bls12_381 as pe
import pytest
from hypothesis import given, settings, strategies as st
from py_ecc.bls.point_compression import compress_G1, compress_G2

from conftest import VECTORS
from pqzk.errors import InvalidEncoding, InvalidParameter
from pqzk.groups import bls12_381_ref as ref
from pqzk.groups.bls12_381_native import G1, G2, GT, P, R, X, multi_pairing, multi_pairing_is_one, pairing

scalars = st.integers(min_value=0, max_value=R - 1)
small = st.integers(min_value=1, max_value=2**64)


def py_g1(k):
    return compress_G1(pe.multiply(pe.G1, k)).to_bytes(48, "big")


def py_g2(k):
    z1, z2 = compress_G2(pe.multiply(pe.G2, k))
    return z1.to_bytes(48, "big") + z2.to_bytes(48, "big")


def py_gt(e):
    """py_ecc's FQ12 (basis w^i, w^6 = u + 1) in this module's tower, as a GT element."""
    a = [int(c) for c in e.coeffs]
    c = [((a[i] + a[i + 6]) % P, a[i + 6]) for i in range(6)]
    return GT.from_bytes(b"".join(c[i][0].to_bytes(48, "big") + c[i][1].to_bytes(48, "big")
                                  for i in (0, 2, 4, 1, 3, 5)))


# ---------------------------------------------------------------- group operations
@given(scalars, scalars)
@settings(max_examples=10, deadline=None)
def test_g1_ops_match_py_ecc(a, b):
    A, B = G1.base_mult(a), G1.base_mult(b)
    assert A.to_bytes() == py_g1(a)
    assert (A + B).to_bytes() == compress_G1(pe.add(pe.multiply(pe.G1, a), pe.multiply(pe.G1, b))).to_bytes(48, "big")
    assert (b * A).to_bytes() == py_g1(a * b % R)


@given(scalars, scalars)
@settings(max_examples=5, deadline=None)
def test_g2_ops_match_py_ecc(a, b):
    A, B = G2.base_mult(a), G2.base_mult(b)
    assert A.to_bytes() == py_g2(a)
    assert (A + B).to_bytes() == py_g2((a + b) % R)
    assert (b * A).to_bytes() == py_g2(a * b % R)


@pytest.mark.parametrize("N, RG", [(G1, ref.G1), (G2, ref.G2)])
@given(a=scalars, b=small)
@settings(max_examples=5, deadline=None)
def test_ops_match_reference(N, RG, a, b):
    A = N.base_mult(a)
    RA = RG.base_mult(a)
    assert A.to_bytes() == RA.to_bytes()
    assert N.encode_uncompressed(A) == RG.encode_uncompressed(RA)
    assert (A - N.base_mult(b)).to_bytes() == (RA - RG.base_mult(b)).to_bytes()
    assert N.decode(RA.to_bytes(), allow_identity=True) == A
    if a:
        assert N.point_to_xy(A) == RG.point_to_xy(RA)
        assert N.point_from_xy(*RG.point_to_xy(RA)) == A


@pytest.mark.parametrize("G", [G1, G2])
def test_group_laws_and_edges(G):
    g, O = G.generator(), G.identity()
    assert (0 * g).is_identity() and 1 * g == g
    assert (R - 1) * g == -g
    assert g + O == g and O + g == g and g - g == O
    assert g + g == 2 * g                       # the doubling case of addition
    assert 5 * O == O
    assert G.decode(O.to_bytes(), allow_identity=True) == O
    assert G.decode_uncompressed(G.encode_uncompressed(O), allow_identity=True) == O
    assert G.decode_uncompressed(G.encode_uncompressed(g)) == g
    assert hash(3 * g) == hash(g + g + g)


@pytest.mark.parametrize("G", [G1, G2])
@given(data=st.data())
@settings(max_examples=5, deadline=None)
def test_msm_matches_sum(G, data):
    n = data.draw(st.integers(0, 12))
    ks = data.draw(st.lists(scalars, min_size=n, max_size=n))
    pts = [G.base_mult(data.draw(scalars)) for _ in range(n)]
    if n > 2:
        pts[1] = pts[0]                         # repeated points land in the same bucket
        pts[2] = G.identity()
    expect = G.identity()
    for k, p in zip(ks, pts):
        expect = expect + k * p
    assert G.msm_vartime(ks, pts) == expect
    assert G.msm(ks, pts) == expect           # the constant-time path for secret scalars


def test_msm_large_vs_reference_formula():
    ks = [pow(7, i, R) for i in range(300)]
    pts = [G1.base_mult(pow(11, i, R)) for i in range(300)]
    assert G1.msm_vartime(ks, pts) == G1.base_mult(sum(k * pow(11, i, R) for i, k in enumerate(ks)) % R)


# scalars at the edges of the GLV/GLS decomposition k = sum d_i |x|^i
EDGE_SCALARS = sorted({0, 1, 2, R - 1, R - 2, (R - 1) // 2, 2**64 - 1, 2**64, 2**128 - 1, 2**128, 2**254}
                      | {(abs(X) ** i + d) % R for i in range(1, 4) for d in (-1, 0, 1)})


@pytest.mark.parametrize("G", [G1, G2])
@pytest.mark.parametrize("n", [1, 7, 45, 130])   # Straus up to 96 decomposed terms, Pippenger above
def test_msm_both_algorithms_edge_scalars_and_colliding_points(G, n):
    """Identity, repeated and opposite points and edge scalars, on both sides of the crossover."""
    base = [G.base_mult(3 + i) for i in range(4)]
    pts = [[base[i % 4], -base[i % 4], G.identity(), base[0]][i % 4] if i % 5 else base[1] for i in range(n)]
    ks = [EDGE_SCALARS[i % len(EDGE_SCALARS)] for i in range(n)]
    expect = sum(((k * p for k, p in zip(ks, pts))), G.identity())
    assert G.msm_vartime(ks, pts) == expect
    # the same point n times: every term lands in the same buckets
    assert G.msm_vartime(ks, [base[2]] * n) == (sum(ks) % R) * base[2]


@pytest.mark.parametrize("G", [G1, G2])
def test_msm_pippenger_bucket_collisions(G):
    """Pippenger (above the Straus crossover) on small multiples of one point, so that buckets,
    lane running sums and their additions meet P + P, P + -P and the identity."""
    B = G.base_mult(5)
    mults = [(i % 7) - 3 for i in range(170)]                 # -3..3, 0 gives the identity
    pts = [(m % R) * B for m in mults]
    for ks in ([i % 4 + 1 for i in range(170)],              # small scalars: mostly empty windows
               [R - 1 - (i % 3) for i in range(170)],         # -1, -2, -3
               [2 ** (i % 255) for i in range(170)],
               [pow(3, i, R) for i in range(170)]):
        expect = G.base_mult(5 * sum(k * m for k, m in zip(ks, mults)) % R)
        assert G.msm_vartime(ks, pts) == expect


@pytest.mark.parametrize("G, RG", [(G1, ref.G1), (G2, ref.G2)], ids=["G1", "G2"])
def test_constant_time_mult_edge_scalars(G, RG):
    """The signed-window GLV/GLS ladder at the edges of its decomposition and digit carries,
    against the Python reference and the variable-time Straus."""
    P, RP = G.base_mult(987654321), RG.base_mult(987654321)
    for k in EDGE_SCALARS + [16, 17, 31, 32, 33, 2**130 + 16, (abs(X) ** 2 * 17 + 16) % R]:
        got = k * P
        assert got.to_bytes() == (k * RP).to_bytes()
        assert got == G.msm_vartime([k], [P])


def test_msm_g2_pippenger_vs_reference_formula():
    ks = [pow(7, i, R) for i in range(60)]
    pts = [G2.base_mult(pow(11, i, R)) for i in range(60)]
    assert G2.msm_vartime(ks, pts) == G2.base_mult(sum(k * pow(11, i, R) for i, k in enumerate(ks)) % R)


def test_psi_acts_as_x_on_g2():
    q = G2.base_mult(123456789)
    assert G2.psi(q) == (X % R) * q


# ---------------------------------------------------------------- pairing
def test_pairing_matches_py_ecc():
    # py_ecc computes f^((p^12-1)/r) without conjugating for x < 0: ours is its (-3)rd power
    a, b = 0x1234567890ABCDEF, 0xFEDCBA0987654321
    e = pe.pairing(pe.multiply(pe.G2, b), pe.multiply(pe.G1, a))
    assert pairing(G1.base_mult(a), G2.base_mult(b)) == py_gt(e) ** (-3 % R)


@given(scalars, scalars)
@settings(max_examples=4, deadline=None)
def test_bilinearity(a, b):
    e = pairing(G1.generator(), G2.generator())
    assert pairing(G1.base_mult(a), G2.base_mult(b)) == e ** (a * b % R)
    assert pairing(G1.base_mult(a), G2.generator()) == pairing(G1.generator(), G2.base_mult(a))


def test_non_degenerate_and_order():
    e = pairing(G1.generator(), G2.generator())
    assert not e.is_one() and e != GT.one()
    assert (e ** (R - 1)) * e == GT.one()
    assert pairing(G1.identity(), G2.generator()).is_one()
    assert pairing(G1.generator(), G2.identity()).is_one()
    assert e * e.inverse() == GT.one() and e / e == GT.one()


@given(st.lists(st.tuples(scalars, scalars), min_size=0, max_size=4))
@settings(max_examples=4, deadline=None)
def test_multi_pairing_is_product(pairs):
    els = [(G1.base_mult(a), G2.base_mult(b)) for a, b in pairs]
    expect = GT.one()
    for p, q in els:
        expect = expect * pairing(p, q)
    assert multi_pairing(els) == expect


def test_multi_pairing_batched_affine_with_identities():
    """the Miller loop's inputs share one inversion: identities among the pairs drop out, and
    points with Z != 1 (sums, multiples) normalize to the same affine coordinates"""
    P1, P4 = G1.base_mult(5) + G1.base_mult(7), G1.base_mult(0xABCDEF)
    Q1, Q4 = G2.base_mult(11) + G2.base_mult(13), G2.base_mult(0x123456789)
    els = [(P1, Q1), (G1.identity(), Q4), (P4, G2.identity()), (P4, Q4)]
    assert multi_pairing(els) == pairing(P1, Q1) * pairing(P4, Q4) == pairing(G1.base_mult(12 * 24), G2.generator()) * pairing(P4, Q4)
    assert multi_pairing([(G1.identity(), Q1), (P1, G2.identity())]) == GT.one()


def test_multi_pairing_is_one_bls_equation():
    sk = 0xC0FFEE
    h = G2.hash_to_element(b"msg", b"QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_")
    pk, sig = G1.base_mult(sk), sk * h
    assert multi_pairing_is_one([(pk, h), (-G1.generator(), sig)])
    assert not multi_pairing_is_one([(pk, h), (-G1.generator(), sig + G2.generator())])


def test_gt_bytes_roundtrip_and_rejections():
    e = pairing(G1.base_mult(5), G2.generator())
    data = e.to_bytes()
    assert GT.from_bytes(data) == e
    with pytest.raises(InvalidEncoding):
        GT.from_bytes(data[:-1])
    bad = bytearray(data)
    bad[-1] ^= 1                                # an Fp12 element outside GT
    with pytest.raises(InvalidEncoding):
        GT.from_bytes(bytes(bad))
    with pytest.raises(InvalidEncoding):
        GT.from_bytes(P.to_bytes(48, "big") + data[48:])


# ---------------------------------------------------------------- decoding
def _off_subgroup_g1():
    x = 1
    while True:
        y = pow(x**3 + 4, (P + 1) // 4, P)
        if y * y % P == (x**3 + 4) % P:
            return x, y
        x += 1


def test_g1_decode_rejections():
    g = G1.generator().to_bytes()
    cases = {
        "short": g[:-1],
        "no compression flag": bytes([g[0] & 0x7F]) + g[1:],
        "infinity with bits": bytes([0xC0]) + bytes(46) + b"\x01",
        "infinity with sign": bytes([0xE0]) + bytes(47),
        "x >= p": bytes([(P >> 376) | 0x80]) + (P % 2**376).to_bytes(47, "big"),
    }
    for why, data in cases.items():
        with pytest.raises(InvalidEncoding):
            G1.decode(data, allow_identity=True)
    # not on the curve: x with x^3 + 4 a non-square
    x = next(x for x in range(1, 100) if pow(x**3 + 4, (P - 1) // 2, P) != 1)
    with pytest.raises(InvalidEncoding, match="curve"):
        G1.decode(bytes([0x80 | (x >> 376)]) + (x % 2**376).to_bytes(47, "big"))
    x, y = _off_subgroup_g1()
    with pytest.raises(InvalidEncoding, match="subgroup"):
        G1.decode(bytes([0x80]) + x.to_bytes(47, "big"))
    with pytest.raises(InvalidEncoding, match="subgroup"):
        G1.decode_uncompressed(x.to_bytes(48, "big") + y.to_bytes(48, "big"))
    with pytest.raises(InvalidEncoding, match="subgroup"):
        G1.point_from_xy(x, y)
    u = G1.encode_uncompressed(G1.generator())
    with pytest.raises(InvalidEncoding):
        G1.decode_uncompressed(bytes([u[0] | 0x20]) + u[1:])      # sign flag on uncompressed
    with pytest.raises(InvalidEncoding, match="curve"):
        G1.decode_uncompressed(u[:-1] + bytes([u[-1] ^ 1]))
    with pytest.raises(InvalidEncoding):
        G1.decode(G1.identity().to_bytes())                       # identity refused by default
    # the sign bit selects the other root
    flipped = bytes([g[0] ^ 0x20]) + g[1:]
    assert G1.decode(flipped) == -G1.generator()


def test_g2_decode_rejections():
    g = G2.generator().to_bytes()
    with pytest.raises(InvalidEncoding):
        G2.decode(g[:95])
    with pytest.raises(InvalidEncoding):
        G2.decode(bytes([g[0] & 0x7F]) + g[1:])
    with pytest.raises(InvalidEncoding):
        G2.decode(g[:48] + P.to_bytes(48, "big"))                 # x.c0 >= p
    # an x on the curve whose point is outside the subgroup
    F = ref.G2.F
    for c0 in range(1, 50):
        x = (c0, 1)
        y = F.sqrt(ref.G2.curve.y_squared(x))
        if y is not None:
            break
    enc = bytes([0x80 | (x[1] >> 376)]) + x[1].to_bytes(47, "big") + x[0].to_bytes(48, "big")
    with pytest.raises(InvalidEncoding, match="subgroup"):
        G2.decode(enc)
    with pytest.raises(InvalidEncoding, match="subgroup"):
        G2.point_from_xy(x, y)
    assert G2.decode(bytes([g[0] ^ 0x20]) + g[1:]) == -G2.generator()


@pytest.mark.parametrize("G", [G1, G2])
@given(k=scalars)
@settings(max_examples=5, deadline=None)
def test_encode_decode_roundtrip(G, k):
    p = G.base_mult(k)
    assert G.decode(p.to_bytes(), allow_identity=True) == p
    assert G.decode_uncompressed(G.encode_uncompressed(p), allow_identity=True) == p


# ---------------------------------------------------------------- hash to curve
@pytest.mark.parametrize("suite", ["BLS12381G1_XMD_SHA-256_SSWU_RO_", "BLS12381G1_XMD_SHA-256_SSWU_NU_",
                                   "BLS12381G2_XMD_SHA-256_SSWU_RO_", "BLS12381G2_XMD_SHA-256_SSWU_NU_"])
def test_hash_to_curve_vectors(suite):
    d = json.loads((VECTORS / "hash-to-curve" / f"{suite}.json").read_text())
    G = G1 if "G1" in suite else G2
    fn = G.hash_to_element if suite.endswith("RO_") else G.encode_to_element
    assert d["vectors"]
    for v in d["vectors"]:
        x, y = G.point_to_xy(fn(v["msg"].encode(), d["dst"].encode()))
        ex = [int(t, 16) for t in v["P"]["x"].split(",")]
        ey = [int(t, 16) for t in v["P"]["y"].split(",")]
        assert (list(x) if G is G2 else [x]) == ex
        assert (list(y) if G is G2 else [y]) == ey


@pytest.mark.parametrize("N, RG", [(G1, ref.G1), (G2, ref.G2)])
@given(msg=st.binary(max_size=40))
@settings(max_examples=3, deadline=None)
def test_hash_to_element_matches_reference(N, RG, msg):
    dst = b"PQZK-TEST-DST"
    assert N.hash_to_element(msg, dst).to_bytes() == RG.hash_to_element(msg, dst).to_bytes()


@pytest.mark.parametrize("G", [G1, G2])
def test_hash_to_element_argument_checks(G):
    from pqzk.errors import InvalidParameter
    for msg, dst in ((b"m", b""), ("m", b"DST"), (b"m", "DST")):
        with pytest.raises(InvalidParameter):
            G.hash_to_element(msg, dst)
    with pytest.raises(InvalidParameter):
        G.encode_to_element(b"m", b"")


# ---------------------------------------------------------------- decode_on_curve, constant-time msm
def off_subgroup_encoding(G):
    """Compressed encoding of a curve point outside the order-r subgroup (x = i, or x = 1·u + i)."""
    for i in range(1, 1000):
        data = bytes([0x80]) + (i.to_bytes(47, "big") if G is G1 else (1).to_bytes(47, "big") + i.to_bytes(48, "big"))
        try:
            G.decode_on_curve(data)
        except InvalidEncoding:
            continue
        return data
    raise AssertionError("no curve point found")


@pytest.mark.parametrize("G", [G1, G2])
def test_decode_on_curve_skips_only_the_subgroup_check(G):
    data = off_subgroup_encoding(G)
    Q = G.decode_on_curve(data)
    assert not G.in_subgroup(G._unwrap(Q))
    with pytest.raises(InvalidEncoding, match="subgroup"):
        G.decode(data)
    assert Q.to_bytes() == data                          # encodes back to the same bytes
    g = G.generator()
    assert G.decode_on_curve(g.to_bytes()) == g
    assert G.decode_on_curve(G.encode_uncompressed(g)) == g
    n = G.element_size
    bad = {
        "short": g.to_bytes()[:-1],
        "no compression flag": bytes([g.to_bytes()[0] & 0x7F]) + g.to_bytes()[1:],
        "x >= p": bytes([(P >> 376) | 0x80]) + (P % 2**376).to_bytes(47, "big") + bytes(n - 48),
        "off the curve": G.encode_uncompressed(g)[:-1] + bytes([G.encode_uncompressed(g)[-1] ^ 1]),
    }
    for why, b in bad.items():
        with pytest.raises(InvalidEncoding):
            G.decode_on_curve(b)
    with pytest.raises(InvalidParameter, match="must be bytes"):
        G.decode_on_curve("not bytes")


@pytest.mark.parametrize("G", [G1, G2])
@given(data=st.data())
@settings(max_examples=6, deadline=None)
def test_msm_ct_related_points_against_one_multiplication(G, data):
    """The constant-time msm has complete additions: points that are small multiples of one
    another (equal, opposite, doubles; equal digits in a window) still sum correctly."""
    base = G.base_mult(data.draw(st.integers(1, R - 1)))
    n = data.draw(st.integers(1, 20))
    cs = data.draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
    ks = data.draw(st.lists(st.sampled_from(EDGE_SCALARS) | scalars, min_size=n, max_size=n))
    pts = [(c % R) * base for c in cs]
    assert G.msm(ks, pts) == (sum(k * c for k, c in zip(ks, cs)) % R) * base


@pytest.mark.parametrize("G, RG, chunk", [(G1, ref.G1, 16), (G2, ref.G2, 8)], ids=["G1", "G2"])
def test_msm_ct_chunk_boundaries_against_reference(G, RG, chunk):
    """Across the ladder's chunks of points: against the variable-time msm, and (small n) the
    Python reference."""
    for n in (chunk - 1, chunk, chunk + 1, 2 * chunk + 3):
        ks = [pow(5, i + n, R) for i in range(n)]
        cs = [pow(13, i, R) for i in range(n)]
        pts = [G.base_mult(c) for c in cs]
        assert G.msm(ks, pts) == G.msm_vartime(ks, pts)
    ks, cs = [R - 1, 2**128, 7], [2, 3, 5]
    expect = RG.base_mult(sum(k * c for k, c in zip(ks, cs)) % R)
    assert G.msm(ks, [G.base_mult(c) for c in cs]).to_bytes() == expect.to_bytes()


# ---------------------------------------------------------------- variable-time final exponentiation
def _raw_fp12(coeffs):
    """Raw Fp12 struct (12 Montgomery-form Fp values, tower order) from 12 integers < p."""
    return b"".join((c * 2**384 % P).to_bytes(48, "little") for c in coeffs)


def _final_exp(raw, vt):
    from pqzk import _native
    out = _native.ffi.new("uint8_t[]", len(raw))
    _native.require().pqzk_final_exp_test(out, raw, vt)
    return bytes(_native.ffi.buffer(out))


@given(st.lists(st.integers(0, P - 1), min_size=12, max_size=12))
@settings(max_examples=15, deadline=None)
def test_final_exp_compressed_squarings_match_constant_time(coeffs):
    """Karabina's compressed squarings with batched decompression and the safegcd inversion
    (multi_pairing_is_one's final exponentiation) against the constant-time one."""
    if not any(coeffs):
        coeffs[0] = 1
    raw = _raw_fp12(coeffs)
    assert _final_exp(raw, 1) == _final_exp(raw, 0)


def test_final_exp_vartime_edges():
    one, minus_one = _raw_fp12([1] + [0] * 11), _raw_fp12([P - 1] + [0] * 11)
    for raw in (one, minus_one, _raw_fp12([0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0]), _raw_fp12([2] + [0] * 11)):
        assert _final_exp(raw, 1) == _final_exp(raw, 0)
    assert _final_exp(one, 1) == one


@given(a=st.integers(1, R - 1), b=st.integers(1, R - 1))
@settings(max_examples=5, deadline=None)
def test_multi_pairing_is_one_against_multi_pairing(a, b):
    P1, Q1 = G1.base_mult(a), G2.base_mult(b)
    good = [(P1, Q1), (-G1.base_mult(a * b % R), G2.generator())]
    bad = [(P1, Q1), (-G1.base_mult((a * b + 1) % R), G2.generator())]
    assert multi_pairing_is_one(good) and multi_pairing(good).is_one()
    assert not multi_pairing_is_one(bad) and not multi_pairing(bad).is_one()
    assert multi_pairing_is_one([]) and multi_pairing_is_one([(G1.identity(), Q1)])


# ---------------------------------------------------------------- G2 check inside the pairing check
def _g2_from_ref(pt):
    """A native G2 element (decoded without the subgroup check) from a reference Jacobian point."""
    x, y = ref.G2.curve.to_affine(pt)
    return G2.decode_on_curve(b"".join(c[1].to_bytes(48, "big") + c[0].to_bytes(48, "big") for c in (x, y)))


def _g2_of_order(ell):
    """A curve point of E'(Fp2) of order ell (a prime factor of the cofactor 13^2 23^2 2713 ...)."""
    for i in range(1, 1000):
        try:
            q = G2.decode_on_curve(bytes([0x80]) + (1).to_bytes(47, "big") + i.to_bytes(48, "big"))
        except InvalidEncoding:
            continue
        part = ell
        while G2.cofactor % (part * ell) == 0:
            part *= ell
        c = ref.G2.curve
        pt = c.mul(R * (G2.cofactor // part), c.from_affine(*G2.point_to_xy(q)))   # the ell-part of q
        if c.to_affine(pt) is None:
            continue
        while c.to_affine(c.mul(ell, pt)) is not None:
            pt = c.mul(ell, pt)
        return _g2_from_ref(pt)
    raise AssertionError(f"no point of order {ell} found")


def test_multi_pairing_is_one_checks_g2_in_the_miller_loop():
    """check_g2 tests ψ(Q) = [x]Q on the Miller loop's [|x|]Q: it agrees with in_subgroup on points
    of the subgroup, off it, of small order (which make the loop's steps exceptional) and mixed."""
    sk = 0x1234567
    h = G2.hash_to_element(b"msg", b"DST")
    pk, sig = sk * G1.generator(), sk * h
    good = [(pk, h), (-G1.generator(), sig)]
    assert multi_pairing_is_one(good, check_g2=[1]) and multi_pairing_is_one(good, check_g2=[0, 1])
    assert not multi_pairing_is_one([(pk, h), (-G1.generator(), sig + G2.generator())], check_g2=[1])
    off = G2.decode_on_curve(off_subgroup_encoding(G2))
    tiny = [_g2_of_order(ell) for ell in (13, 23, 2713)]
    for bad in [off, *tiny, sig + tiny[0], sig + tiny[1]]:
        assert not G2.in_subgroup(G2._unwrap(bad))
        pairs = [(pk, h), (-G1.generator(), bad)]
        multi_pairing_is_one(pairs)                       # unchecked: a (meaningless) answer
        with pytest.raises(InvalidEncoding, match="subgroup"):
            multi_pairing_is_one(pairs, check_g2=[1])
    # the reference module: the same check, by in_subgroup
    rg = ref.G2.base_mult(sk)
    assert ref.multi_pairing_is_one([(ref.G1.generator(), rg), (-ref.G1.generator(), rg)], check_g2=[1])
    rbad = ref.G2._wrap(ref.G2.curve.from_affine(*G2.point_to_xy(off)))
    with pytest.raises(InvalidEncoding, match="subgroup"):
        ref.multi_pairing_is_one([(ref.G1.generator(), rbad)], check_g2=[0])
    # an identity pair is dropped and counts as in G2; bad indices are parameter errors
    assert multi_pairing_is_one([(G1.generator(), G2.identity())], check_g2=[0])
    from pqzk.errors import InvalidParameter
    # a flagged pair dropped for an identity P_i still has its Q_i checked
    assert multi_pairing_is_one([(G1.identity(), sig)], check_g2=[0])
    with pytest.raises(InvalidEncoding, match="subgroup"):
        multi_pairing_is_one([(G1.identity(), off), (pk, h), (-G1.generator(), sig)], check_g2=[0])
    for idx in ([2], [-1], ["1"], [True]):
        with pytest.raises(InvalidParameter):
            multi_pairing_is_one(good, check_g2=idx)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, R - 1), st.integers(0, 3))
def test_check_g2_matches_in_subgroup(k, which):
    tiny = [None, _g2_of_order(13), _g2_of_order(23), G2.decode_on_curve(off_subgroup_encoding(G2))][which]
    Q = k * G2.generator() if tiny is None else k * G2.generator() + tiny
    pairs = [(G1.generator(), Q), (-G1.generator(), Q)]
    if G2.in_subgroup(G2._unwrap(Q)):
        assert multi_pairing_is_one(pairs, check_g2=[0, 1])
    else:
        with pytest.raises(InvalidEncoding, match="subgroup"):
            multi_pairing_is_one(pairs, check_g2=[1])
