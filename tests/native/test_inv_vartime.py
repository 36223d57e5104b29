"""The variable-time safegcd inversion (native/modinv.inc, for public values) against Python's
pow(a, -1, p): every field instance with the asm kernels on and off, edge values (0, 1, p-1,
powers of two, many trailing zeros, and the same values as Montgomery-form limbs), and the
Fp2 inversion of BLS12-381 built on it."""
import random

import pytest
from hypothesis import given, settings, strategies as st

from pqzk import _native
from pqzk.errors import InvalidParameter
from pqzk.groups.bls12_381_native import P
from pqzk.math.native_field import FIELD_IDS, native_field

NAMES = sorted(FIELD_IDS)


def inv0(a, p):
    return pow(a, -1, p) if a % p else 0


def edges(p):
    """Edge values, and the same values as Montgomery limbs (the inversion sees a*R mod p)."""
    n = (p.bit_length() + 63) // 64
    R = 2 ** (64 * n)
    vs = [0, 1, 2, 3, p - 1, p - 2, (p - 1) // 2, (p + 1) // 2, R % p, (R - 1) % p]
    vs += [2**k for k in range(p.bit_length())]                   # single bits, long zero runs
    vs += [(2**k * 0xABCDEF + 1) for k in (62, 64, 124, 200)]      # ones after long zero runs
    vs += [(2**k - 1) for k in (62, 63, 64, 126, 128, p.bit_length() - 1)]
    vs += [p - 2**k for k in (1, 62, 64, 128)]
    rinv = pow(R, -1, p)
    return sorted({v % p for v in vs} | {v * rinv % p for v in vs})


@pytest.mark.parametrize("asm", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_edges(name, asm):
    F = native_field(name)
    prev = _native.set_asm(asm)
    try:
        for a in edges(F.p):
            assert F.inv_vartime(a) == inv0(a, F.p), (name, a)
    finally:
        _native.set_asm(prev)


@given(st.sampled_from(NAMES), st.data())
@settings(max_examples=300, deadline=None)
def test_random(name, data):
    F = native_field(name)
    a = data.draw(st.integers(0, F.p - 1))
    r = F.inv_vartime(a)
    assert r == inv0(a, F.p)
    assert r == F.inv(a)          # agrees with the constant-time Fermat inversion


def test_many_random():
    rng = random.Random(7)
    for name in NAMES:
        F = native_field(name)
        for _ in range(300):
            a = rng.randrange(F.p)
            assert F.inv_vartime(a) == inv0(a, F.p)


def test_rejects_non_canonical():
    F = native_field("bls12_381_fp")
    with pytest.raises(InvalidParameter):
        F.inv_vartime(F.p)


def fp2_inv(c0, c1):
    lib = _native.require()
    ffi = _native.ffi
    out = ffi.new("uint8_t[]", 96)
    rc = lib.pqzk_fp2_inv_vartime(out, c0.to_bytes(48, "big") + c1.to_bytes(48, "big"))
    raw = bytes(ffi.buffer(out))
    return rc, int.from_bytes(raw[:48], "big"), int.from_bytes(raw[48:], "big")


def fp2_ref(c0, c1):
    """(c0 + c1 u)^-1 in Fp[u]/(u^2 + 1), 0 for 0"""
    n = inv0(c0 * c0 + c1 * c1, P)
    return c0 * n % P, -c1 * n % P


fp_el = st.one_of(st.sampled_from([0, 1, 2, P - 1, P - 2, 2**380]), st.integers(0, P - 1))


@given(fp_el, fp_el)
@settings(max_examples=200, deadline=None)
def test_fp2(c0, c1):
    rc, r0, r1 = fp2_inv(c0, c1)
    assert rc == 0
    assert (r0, r1) == fp2_ref(c0, c1)
    if c0 or c1:   # a * a^-1 = 1
        assert ((c0 * r0 - c1 * r1) % P, (c0 * r1 + c1 * r0) % P) == (1, 0)


def test_fp2_rejects_non_canonical():
    assert fp2_inv(P, 0)[0] == -1
    assert fp2_inv(0, P)[0] == -1
