"""BLS12-381 lazy reduction (native/mont.inc, native/bls_fields.inc): the double-width product,
the separate Montgomery reduction, the wide subtraction and the tower multiplications built on
them, against Python integers on raw limbs (pqzk_bls_kernel_test), with the x86-64 kernels on
and off."""
import pytest
from hypothesis import given, settings, strategies as st

from pqzk import _native
from pqzk.math import bls12_381_fields as ref
from test_field_kernels import kernels

lib, ffi = _native.require(), _native.ffi
P = ref.P
RM = 2**384                       # the Montgomery radix R
RINV = pow(RM, -1, P)
PR = P * RM                       # the reductions' input bound
PU1 = P << 381                    # the wide subtraction's correction (> P^2)
OPS = {"mul_wide": 0, "redc": 1, "wide_sub": 2, "fp2_mul": 3, "fp2_sqr": 4, "fp6_mul": 5,
       "fp12_mul": 6, "cyc_sqr": 7, "mul_014": 8, "mul_014_014": 9, "lines_014_014": 10,
       "compressed3": 11, "cyc_sqr3": 12, "frob": 13, "frob2": 14}
OUT = {0: 96, 1: 48, 2: 96, 3: 96, 4: 96, 5: 288, 6: 576, 7: 576, 8: 576, 9: 576, 10: 576, 11: 576,
       12: 576, 13: 576, 14: 576}
PATHS = [False, True] if _native.asm_available() else [False]


def run(op: str, a: bytes, b: bytes = b"") -> bytes:
    code = OPS[op]
    out = ffi.new("uint8_t[]", OUT[code])
    assert lib.pqzk_bls_kernel_test(code, out, a, b or ffi.NULL) == 0
    return bytes(out)


def le(v: int, n: int) -> bytes:
    return v.to_bytes(n, "little")


def num(b: bytes) -> int:
    return int.from_bytes(b, "little")


def flat(x) -> list[int]:
    return [c for y in x for c in flat(y)] if isinstance(x, tuple) else [x]


def nest(vals: list[int], shape: str):
    """flat coefficients -> the reference's nested tuples (shape "2", "6" or "12")."""
    f2 = [tuple(vals[i:i + 2]) for i in range(0, len(vals), 2)]
    if shape == "2":
        return f2[0]
    f6 = [tuple(f2[i:i + 3]) for i in range(0, len(f2), 3)]
    return f6[0] if shape == "6" else tuple(f6)


def mont_in(vals: list[int]) -> bytes:
    """the raw limbs whose Montgomery values are vals"""
    return b"".join(le(v * RM % P, 48) for v in vals)


def mont_out(raw: bytes) -> list[int]:
    vs = [num(raw[i:i + 48]) for i in range(0, len(raw), 48)]
    assert all(v < P for v in vs), "outputs are fully reduced"
    return [v * RINV % P for v in vs]


EDGE_FP = [0, 1, 2, P - 1, P - 2, (P - 1) // 2, (P + 1) // 2, RM % P, (RM - 1) % P, RINV, P - RINV]
EDGE_WIDE = [0, 1, PR - 1, PR - P, P * P - 1, (P - 1) ** 2, 4 * (P - 1) ** 2, RM - 1, RM, RM * (P - 1),
             PR - RM, 9 * (P - 1) ** 2, (RM - 1) * (P - 1)]
fp_el = st.one_of(st.sampled_from(EDGE_FP), st.integers(0, P - 1))
limb384 = st.one_of(st.sampled_from([0, 1, P - 1, P, 2 * P - 1, 2 * P, 3 * P - 1, RM - 1]), st.integers(0, RM - 1))
wide = st.one_of(st.sampled_from(EDGE_WIDE), st.integers(0, PR - 1))


@pytest.mark.parametrize("asm", PATHS)
@given(a=limb384, b=limb384, t=wide, u=wide)
@settings(max_examples=200, deadline=None)
def test_wide_product_reduction_subtraction(asm, a, b, t, u):
    with kernels(asm):
        assert num(run("mul_wide", le(a, 48), le(b, 48))) == a * b
        r = num(run("redc", le(t, 96)))
        assert r < P and r == t * RINV % P
        u %= PU1 + 1                                # the subtrahends fpw_sub sees are at most p 2^381
        d = num(run("wide_sub", le(t, 96), le(u, 96)))
        assert d == t - u + (PU1 if t < u else 0) and d % P == (t - u) % P


LIMB = st.sampled_from([0, 1, 2, 2**63, 2**64 - 2, 2**64 - 1]) | st.integers(0, 2**64 - 1)


@st.composite
def wide_limbs(draw):
    """t < p*R from extreme limbs: zero words make the reduction's (t[0] != 0) carries and m
    vanish (m_lo = 0 with m_hi != 0, and the reverse), all-ones words make every carry of the
    two ADCX/ADOX chains and of the final addition fire; the high half is p - 1 or near it."""
    lo = sum(draw(LIMB) << (64 * j) for j in range(6))
    hi = draw(st.sampled_from([P - 1, P - 2, 0, 1]) | st.integers(0, P - 1))
    return lo + RM * hi


@pytest.mark.parametrize("asm", PATHS)
@given(t=wide_limbs())
@settings(max_examples=600, deadline=None)
def test_reduction_extreme_limbs(asm, t):
    with kernels(asm):
        r = num(run("redc", le(t, 96)))
    assert r < P and r == t * RINV % P


def test_reduction_every_output_edge():
    """t = x*R + (R - 1 - k): the rounds leave V = (t_lo + m p)/R at its largest, V + t_hi lands
    on either side of p and the final subtraction's borrow goes both ways"""
    for asm in PATHS:
        with kernels(asm):
            for x in (P - 1, P - 2, 0, 1, (P - 1) // 2):
                for k in (0, 1, P - 1, P, RM // 2, RM - 1 - P):
                    t = x * RM + (RM - 1 - k)
                    r = num(run("redc", le(t, 96)))
                    assert r < P and r == t * RINV % P
            for v in range(P - 4, P):                   # t_lo = 0: V = 0, r = t_hi
                assert num(run("redc", le(v * RM, 96))) == v


@pytest.mark.parametrize("asm", PATHS)
@given(st.lists(fp_el, min_size=4, max_size=4))
@settings(max_examples=200, deadline=None)
def test_fp2_mul_sqr(asm, v):
    a, b = nest(v[:2], "2"), nest(v[2:], "2")
    with kernels(asm):
        assert nest(mont_out(run("fp2_mul", mont_in(v[:2]), mont_in(v[2:]))), "2") == ref.fp2_mul(a, b)
        assert nest(mont_out(run("fp2_sqr", mont_in(v[:2]))), "2") == ref.fp2_sqr(a)


@pytest.mark.parametrize("asm", PATHS)
@given(st.lists(fp_el, min_size=24 + 6, max_size=24 + 6))
@settings(max_examples=60, deadline=None)
def test_fp6_fp12_mul_sparse(asm, v):
    a12, b12 = nest(v[:12], "12"), nest(v[12:24], "12")
    with kernels(asm):
        a6, b6 = mont_in(v[:6]), mont_in(v[6:12])
        assert nest(mont_out(run("fp6_mul", a6, b6)), "6") == ref.fp6_mul(nest(v[:6], "6"), nest(v[6:12], "6"))
        got = nest(mont_out(run("fp12_mul", mont_in(v[:12]), mont_in(v[12:24]))), "12")
        assert got == ref.fp12_mul(a12, b12)
        c0, c1, c4 = nest(v[24:26], "2"), nest(v[26:28], "2"), nest(v[28:30], "2")
        line = ((c0, c1, ref.FP2_ZERO), (ref.FP2_ZERO, c4, ref.FP2_ZERO))
        got = nest(mont_out(run("mul_014", mont_in(v[:12]), mont_in(v[24:30]))), "12")
        assert got == ref.fp12_mul(a12, line)
        assert nest(mont_out(run("cyc_sqr", mont_in(v[:12]))), "12") == granger_scott(a12)
        got = nest(mont_out(run("mul_014_014", mont_in(v[:12]), mont_in(v[24:30] + v[12:18]))), "12")
        assert got == ref.fp12_mul(ref.fp12_mul(a12, line), line_014(v[12:18]))
        got = nest(mont_out(run("lines_014_014", mont_in(v[24:30]), mont_in(v[12:18]))), "12")
        assert got == ref.fp12_mul(line, line_014(v[12:18]))


def line_014(v: list[int]):
    """c0 + c1 v + c4 v w from six Fp coefficients"""
    c0, c1, c4 = nest(v[0:2], "2"), nest(v[2:4], "2"), nest(v[4:6], "2")
    return ((c0, c1, ref.FP2_ZERO), (ref.FP2_ZERO, c4, ref.FP2_ZERO))


@pytest.mark.parametrize("asm", PATHS)
def test_cyclotomic_squaring_on_gt(asm):
    """GT values (pairing outputs, raw Montgomery fp12) are in the cyclotomic subgroup."""
    g1, g2, gt = ffi.new("uint8_t[]", 144), ffi.new("uint8_t[]", 288), ffi.new("uint8_t[]", 576)
    lib.pqzk_g1_generator(g1)
    lib.pqzk_g2_generator(g2)
    lib.pqzk_pairing(gt, g1, g2)
    f = bytes(gt)
    with kernels(asm):
        for _ in range(4):
            sq = run("cyc_sqr", f)
            assert nest(mont_out(sq), "12") == ref.fp12_sqr(nest(mont_out(f), "12"))
            f = sq


def test_unknown_op():
    out = ffi.new("uint8_t[]", 576)
    assert lib.pqzk_bls_kernel_test(15, out, b"\0" * 576, b"\0" * 576) == -1


@pytest.mark.parametrize("asm", PATHS)
@pytest.mark.parametrize("raw", [P - 1, P - 2, 0, 1])
def test_tower_extreme_limbs(asm, raw):
    """every coefficient's limbs = raw (p - 1 makes every double-width bound as large as it gets),
    with one coefficient of b flipped to 0 so Karatsuba's cross terms differ"""
    v = raw * RINV % P
    a = [v] * 30
    b = [v] * 12
    b[3] = 0
    with kernels(asm):
        assert nest(mont_out(run("fp2_mul", mont_in(a[:2]), mont_in(b[2:4]))), "2") == ref.fp2_mul(nest(a[:2], "2"), nest(b[2:4], "2"))
        assert nest(mont_out(run("fp6_mul", mont_in(a[:6]), mont_in(b[:6]))), "6") == ref.fp6_mul(nest(a[:6], "6"), nest(b[:6], "6"))
        assert nest(mont_out(run("fp12_mul", mont_in(a[:12]), mont_in(b))), "12") == ref.fp12_mul(nest(a[:12], "12"), nest(b, "12"))
        line = ((nest(a[:2], "2"), nest(a[:2], "2"), ref.FP2_ZERO), (ref.FP2_ZERO, nest(a[:2], "2"), ref.FP2_ZERO))
        got = nest(mont_out(run("mul_014", mont_in(b), mont_in(a[:6]))), "12")
        assert got == ref.fp12_mul(nest(b, "12"), line)
        got = nest(mont_out(run("mul_014_014", mont_in(b), mont_in(a[:6] + b[:6]))), "12")
        assert got == ref.fp12_mul(ref.fp12_mul(nest(b, "12"), line), line_014(b[:6]))
        got = nest(mont_out(run("lines_014_014", mont_in(a[:6]), mont_in(b[:6]))), "12")
        assert got == ref.fp12_mul(line, line_014(b[:6]))
        assert nest(mont_out(run("cyc_sqr", mont_in(a[:12]))), "12") == granger_scott(nest(a[:12], "12"))
        check_scaled_and_frobenius(a[:12])


def fp4_sqr(a, b):
    """(a^2 + xi b^2, 2ab): the Fp4 squaring of a + b t, t^2 = xi"""
    add, sub, sqr = ref.fp2_add, ref.fp2_sub, ref.fp2_sqr
    t0, t1 = sqr(a), sqr(b)
    return add(ref.fp2_mul_by_nonresidue(t1), t0), sub(sub(sqr(add(a, b)), t0), t1)


def plus2(t, z):
    return ref.fp2_add(ref.fp2_add(t, z), z)


def minus2(t, z):
    return ref.fp2_sub(ref.fp2_sub(t, z), z)


def granger_scott3(f):
    """the 3-scaled Granger-Scott formula (fp12_cyc_sqr3): on F = 3f, 3f^2 = (squares) -+ 2F"""
    (z0, z4, z3), (z2, z1, z5) = f
    t0, t1 = fp4_sqr(z0, z1)
    n0, n1 = minus2(t0, z0), plus2(t1, z1)
    t0, t1 = fp4_sqr(z2, z3)
    t2, t3 = fp4_sqr(z4, z5)
    n4, n5 = minus2(t0, z4), plus2(t1, z5)
    n2, n3 = plus2(ref.fp2_mul_by_nonresidue(t3), z2), minus2(t2, z3)
    return (n0, n4, n3), (n2, n1, n5)


def karabina3(f):
    """the 3-scaled compressed squaring (fp12_cyc_sqr_compressed) on any value; g0 and g4 pass"""
    (g0, g1, g2), (g3, g4, g5) = f
    a15, m15 = fp4_sqr(g1, g5)
    a32, m23 = fp4_sqr(g3, g2)
    return (g0, minus2(a32, g1), minus2(a15, g2)), (plus2(ref.fp2_mul_by_nonresidue(m15), g3), g4, plus2(m23, g5))


def check_scaled_and_frobenius(v: list[int]):
    f = nest(v, "12")
    assert nest(mont_out(run("compressed3", mont_in(v))), "12") == karabina3(f)
    assert nest(mont_out(run("cyc_sqr3", mont_in(v))), "12") == granger_scott3(f)
    assert nest(mont_out(run("frob", mont_in(v))), "12") == ref.fp12_frobenius(f, 1)
    assert nest(mont_out(run("frob2", mont_in(v))), "12") == ref.fp12_frobenius(f, 2)


@pytest.mark.parametrize("asm", PATHS)
@given(st.lists(fp_el, min_size=12, max_size=12))
@settings(max_examples=100, deadline=None)
def test_scaled_squarings_frobenius(asm, v):
    with kernels(asm):
        check_scaled_and_frobenius(v)


@pytest.mark.parametrize("asm", PATHS)
def test_scaled_squarings_on_gt(asm):
    """on GT, 3-scaled squarings of 3f give 3f^2, and the compressed one's four coefficients
    match; the Frobenius maps match f^p and f^(p^2)"""
    g1, g2, gt = ffi.new("uint8_t[]", 144), ffi.new("uint8_t[]", 288), ffi.new("uint8_t[]", 576)
    lib.pqzk_g1_generator(g1)
    lib.pqzk_g2_generator(g2)
    lib.pqzk_pairing(gt, g1, g2)
    f = nest(mont_out(bytes(gt)), "12")
    three = lambda x: tuple(three(y) for y in x) if isinstance(x, tuple) else 3 * x % P
    with kernels(asm):
        for _ in range(3):
            sq = ref.fp12_sqr(f)
            assert nest(mont_out(run("cyc_sqr3", mont_in(flat(three(f))))), "12") == three(sq)
            got = nest(mont_out(run("compressed3", mont_in(flat(three(f))))), "12")
            assert [got[0][1], got[0][2], got[1][0], got[1][2]] == [three(sq)[0][1], three(sq)[0][2], three(sq)[1][0], three(sq)[1][2]]
            assert nest(mont_out(run("frob", mont_in(flat(f)))), "12") == ref.fp12_frobenius(f, 1)
            assert nest(mont_out(run("frob2", mont_in(flat(f)))), "12") == ref.fp12_frobenius(f, 2)
            f = sq


def granger_scott(f):
    """the cyclotomic squaring's formula (native/bls_fields.inc fp12_cyc_sqr) on any Fp12 value:
    it equals f^2 only in the cyclotomic subgroup, but the formula itself checks the kernels'
    bounds on arbitrary coefficients"""
    (z0, z4, z3), (z2, z1, z5) = f
    add, sub, xi = ref.fp2_add, ref.fp2_sub, ref.fp2_mul_by_nonresidue

    def fp4(a, b):
        t0, t1 = ref.fp2_sqr(a), ref.fp2_sqr(b)
        return add(xi(t1), t0), sub(sub(ref.fp2_sqr(add(a, b)), t0), t1)

    def three_minus_two(t, z):   # 3t - 2z and 3t + 2z
        return add(add(sub(t, z), sub(t, z)), t), add(add(add(t, z), add(t, z)), t)
    t0, t1 = fp4(z0, z1)
    n0, n1 = three_minus_two(t0, z0)[0], three_minus_two(t1, z1)[1]
    t0, t1 = fp4(z2, z3)
    t2, t3 = fp4(z4, z5)
    n4, n5 = three_minus_two(t0, z4)[0], three_minus_two(t1, z5)[1]
    n2, n3 = three_minus_two(xi(t3), z2)[1], three_minus_two(t2, z3)[0]
    return (n0, n4, n3), (n2, n1, n5)


def signed_slots(n: int, zero: bool):
    """every assignment of n Fp2 slots to X, -X (and 0) for X = (p-1)(1+u) in raw limbs: sums that
    cancel next to products at their largest drive the wide subtractions to their corrections"""
    import itertools
    x = (P - 1) * RINV % P
    choices = [(x, x), (P - x, P - x)] + ([(0, 0)] if zero else [])
    return [[c for slot in combo for c in slot] for combo in itertools.product(choices, repeat=n)]


@pytest.mark.parametrize("asm", PATHS)
def test_tower_cancelling_sums(asm):
    with kernels(asm):
        six = signed_slots(3, True)
        for a in six:
            for b in six:
                got = nest(mont_out(run("fp6_mul", mont_in(a), mont_in(b))), "6")
                assert got == ref.fp6_mul(nest(a, "6"), nest(b, "6"))
        for f in signed_slots(6, True):
            assert nest(mont_out(run("cyc_sqr", mont_in(f))), "12") == granger_scott(nest(f, "12"))
            check_scaled_and_frobenius(f)
        for f in signed_slots(6, False):
            for ln in signed_slots(3, False):
                c0, c1, c4 = nest(ln[0:2], "2"), nest(ln[2:4], "2"), nest(ln[4:6], "2")
                line = ((c0, c1, ref.FP2_ZERO), (ref.FP2_ZERO, c4, ref.FP2_ZERO))
                got = nest(mont_out(run("mul_014", mont_in(f), mont_in(ln))), "12")
                assert got == ref.fp12_mul(nest(f, "12"), line)
            for ln in signed_slots(3, True):
                for ln2 in signed_slots(3, False)[::3]:
                    got = nest(mont_out(run("mul_014_014", mont_in(f), mont_in(ln + ln2))), "12")
                    assert got == ref.fp12_mul(ref.fp12_mul(nest(f, "12"), line_014(ln)), line_014(ln2))
        for ln in signed_slots(3, True):
            for ln2 in signed_slots(3, True):
                got = nest(mont_out(run("lines_014_014", mont_in(ln), mont_in(ln2))), "12")
                assert got == ref.fp12_mul(line_014(ln), line_014(ln2))
