"""The x86-64 MULX/ADCX/ADOX field kernels (native/mont_adx.inc) against the portable C
(switched with pqzk_native_set_asm) and Python integers: every field, then every group engine."""
import contextlib
import random

import pytest
from hypothesis import given, settings, strategies as st

from conftest import assert_generated
from pqzk import _native
from pqzk.groups import bls12_381_native as bls
from pqzk.groups._native_curves import CURVES
from pqzk.math.native_field import FIELD_IDS, native_field

NAMES = sorted(FIELD_IDS)
needs_asm = pytest.mark.skipif(not _native.asm_available(),
                               reason="no BMI2+ADX here (or built with PQZK_NATIVE_NO_ASM=1): portable C only")


@contextlib.contextmanager
def kernels(enabled: bool):
    prev = _native.set_asm(enabled)
    try:
        yield
    finally:
        _native.set_asm(prev)


def both(fn):
    """fn() on the portable C and on the asm kernels."""
    with kernels(False):
        assert not _native.asm_active()
        c = fn()
    with kernels(True):
        assert _native.asm_active() == _native.asm_available()
        a = fn()
    return c, a


def edges(p: int, nbytes: int) -> list[int]:
    """0, 1, p-1, p-2, 2^(64N)-1 reduced, and the same values as Montgomery-form limbs (the
    kernels see x*R mod p, so x = v/R puts v itself into the registers)."""
    limbs = (nbytes + 7) // 8
    R = 2 ** (64 * limbs)
    vs = [0, 1, 2, p - 1, p - 2, p // 2, (R - 1) % p, (R - 2) % p, R % p, (p + 1) // 2]
    vs += [(R - 1 - 2**64 * k) % p for k in (1, 2**32)]
    rinv = pow(R, -1, p)
    return sorted({v % p for v in vs} | {v * rinv % p for v in vs})


@st.composite
def field_and_pair(draw):
    name = draw(st.sampled_from(NAMES))
    F = native_field(name)
    el = st.one_of(st.sampled_from(edges(F.p, F.nbytes)), st.integers(0, F.p - 1))
    return name, draw(el), draw(el)


def test_switch():
    avail = _native.asm_available()
    with kernels(True):
        assert _native.asm_active() == avail
        assert _native.set_asm(False) == avail      # returns the previous state
        assert not _native.asm_active()
        assert _native.set_asm(True) is False
        assert _native.asm_active() == avail


@needs_asm
@given(field_and_pair())
@settings(max_examples=300)
def test_ring_ops_both_paths(case):
    name, a, b = case
    F = native_field(name)
    p = F.p
    ops = lambda: (F.mul(a, b), F.sqr(a), F.mul(b, b), F.add(a, b), F.sub(a, b))  # noqa: E731
    c, x = both(ops)
    assert c == x == (a * b % p, a * a % p, b * b % p, (a + b) % p, (a - b) % p)


@needs_asm
@pytest.mark.parametrize("name", NAMES)
def test_edge_products_both_paths(name):
    F = native_field(name)
    vs = edges(F.p, F.nbytes)
    pairs = [(a, b) for a in vs for b in vs]
    c, x = both(lambda: [F.mul(a, b) for a, b in pairs])
    assert c == x == [a * b % F.p for a, b in pairs]


@needs_asm
@pytest.mark.parametrize("name", NAMES)
def test_mixed_product_chains_both_paths(name):
    """A few thousand dependent products, squarings and inversions per field."""
    F, rnd = native_field(name), random.Random(name)
    ys = [rnd.randrange(F.p) for _ in range(64)]

    def run():
        x, out = rnd_start, []
        for i in range(2500):
            x = F.mul(x, ys[i % 64]) if i % 3 else F.sqr(x)
            out.append(x)
        out.append(F.inv(x))
        out.append(F.pow(x, ys[0]))
        out.append(F.sqrt(F.sqr(ys[1])))
        out.append(F.batch_inv(ys[:9]))
        return out

    rnd_start = rnd.randrange(1, F.p)
    c, x = both(run)
    assert c == x
    expect, v = [], rnd_start
    for i in range(2500):
        v = v * ys[i % 64] % F.p if i % 3 else v * v % F.p
        expect.append(v)
    assert c[:2500] == expect
    assert c[2500] == pow(v, -1, F.p) and c[2501] == pow(v, ys[0], F.p)
    assert c[2502] in (ys[1], F.p - ys[1])


@needs_asm
@given(st.integers(0, bls.R - 1), st.integers(0, bls.R - 1))
@settings(max_examples=5, deadline=None)
def test_bls12_381_both_paths(k, j):
    def run():
        P, Q = bls.G1.base_mult(k), bls.G2.base_mult(j)
        H = bls.G2.hash_to_element(k.to_bytes(32, "big"), b"QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_")
        return (P.to_bytes(), Q.to_bytes(), (j * P).to_bytes(), (k * Q).to_bytes(), H.to_bytes(),
                bls.pairing(P, Q).to_bytes(), bls.pairing(j * P, bls.G2.generator()) == bls.pairing(P, Q))
    c, x = both(run)
    assert c == x and c[-1]


@needs_asm
@pytest.mark.parametrize("n", [20, 120])   # Straus, then Pippenger (batch-affine passes, lane sums)
def test_bls12_381_msm_vartime_both_paths(n):
    rnd = random.Random(n)
    pts1 = [bls.G1.base_mult(rnd.randrange(1, bls.R)) for _ in range(n)]
    pts2 = [bls.G2.base_mult(rnd.randrange(1, bls.R)) for _ in range(n // 2)]
    ks = [rnd.randrange(bls.R) for _ in range(n)]
    pts1[1] = pts1[0]                             # a repeated point: P = Q in a bucket
    c, x = both(lambda: (bls.G1.msm_vartime(ks, pts1).to_bytes(),
                         bls.G2.msm_vartime(ks[: n // 2], pts2).to_bytes()))
    assert c == x
    assert c[0] == sum((k * p for k, p in zip(ks, pts1)), bls.G1.identity()).to_bytes()


@needs_asm
@pytest.mark.parametrize("name", sorted(CURVES))
@given(k=st.integers(0, 2**448))
@settings(max_examples=5, deadline=None)
def test_curves_both_paths(name, k):
    C = CURVES[name]
    k %= C.order

    def run():
        A = C.base_mul(k)
        return A, C.mul(C.order - 1 - k, C.generator), C.add(A, C.generator), C.msm([k, 3], [C.generator, A])
    c, x = both(run)
    assert c == x


def test_committed_kernels_match_generator():
    assert_generated("gen_mont_adx.py", "mont_adx.inc")
