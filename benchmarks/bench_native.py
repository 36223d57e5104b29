"""The native engine (native/*.c) side by side with py_ecc in one run: pairing, G1/G2 scalar
multiplication, hash to G2, a 4096-term G1 MSM, and P-256 / ristretto255 / Ed448 scalar
multiplication through the native curve wrappers. Medians are what docs/performance.md quotes."""
from __future__ import annotations

import importlib.util

import py_ecc.optimized_bls12_381 as pe
import pytest

from pqzk.groups import bls12_381_native as bls
from pqzk.math.rand import DeterministicRNG

RNG = DeterministicRNG(b"bench-native")
K = bls.G1.random_scalar(RNG)
P1 = bls.G1.base_mult(bls.G1.random_scalar(RNG))
Q2 = bls.G2.base_mult(bls.G2.random_scalar(RNG))
DST = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"


def test_pairing_native(benchmark):
    benchmark.group = "pairing"
    assert not benchmark(bls.pairing, P1, Q2).is_one()


def test_pairing_py_ecc(benchmark):
    benchmark.group = "pairing"
    benchmark.pedantic(pe.pairing, args=(pe.G2, pe.G1), rounds=3, iterations=1)


def test_g1_mul_native(benchmark):
    benchmark.group = "g1_mul"
    assert benchmark(bls.G1.scalar_mult, K, P1) == K * P1


def test_g1_mul_py_ecc(benchmark):
    benchmark.group = "g1_mul"
    benchmark.pedantic(pe.multiply, args=(pe.G1, K), rounds=10, iterations=1)


def test_g2_mul_native(benchmark):
    benchmark.group = "g2_mul"
    assert benchmark(bls.G2.scalar_mult, K, Q2) == K * Q2


def test_g2_mul_py_ecc(benchmark):
    benchmark.group = "g2_mul"
    benchmark.pedantic(pe.multiply, args=(pe.G2, K), rounds=5, iterations=1)


def test_hash_to_g2_native(benchmark):
    benchmark.group = "hash_to_g2"
    benchmark(bls.G2.hash_to_element, b"message to sign", DST)


def test_msm_4096_g1_native(benchmark):
    """Pippenger (msm_vartime: public inputs); `msm` (secret scalars) is benchmarked below."""
    n = 4096
    ks = [bls.G1.random_scalar(RNG) for _ in range(n)]
    pts = [bls.G1.base_mult(bls.G1.random_scalar(RNG)) for _ in range(n)]
    benchmark.group = "msm_4096_g1"
    benchmark.pedantic(bls.G1.msm_vartime, args=(ks, pts), rounds=5, iterations=1)


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_msm_ct_129_native(benchmark, group):
    """Constant-time msm (secret scalars) of 129 terms, the size of a 64-bit range proof's A and S:
    the projective ladder with complete formulas, doublings shared over chunks of points."""
    G = bls.G1 if group == "g1" else bls.G2
    ks = [G.random_scalar(RNG) for _ in range(129)]
    pts = [G.base_mult(G.random_scalar(RNG)) for _ in range(129)]
    benchmark.group = f"msm_ct_129_{group}"
    benchmark.pedantic(G.msm, args=(ks, pts), rounds=5, iterations=1)


def test_msm_ct_129_g1_per_term(benchmark):
    """The same 129 terms as one constant-time multiplication each (what msm did before)."""
    ks = [bls.G1.random_scalar(RNG) for _ in range(129)]
    pts = [bls.G1.base_mult(bls.G1.random_scalar(RNG)) for _ in range(129)]
    benchmark.group = "msm_ct_129_g1"
    benchmark.pedantic(lambda: sum((k * p for k, p in zip(ks, pts)), bls.G1.identity()), rounds=5, iterations=1)


NATIVE_CURVES = ["p256", "ristretto255", "ed448"]


@pytest.mark.skipif(importlib.util.find_spec("pqzk.groups._native_curves") is None,
                    reason="native curves not built")
@pytest.mark.parametrize("name", NATIVE_CURVES)
def test_curve_mul_native(benchmark, name):
    from pqzk.groups import _native_curves as nc
    C = nc.CURVES[name]
    k = C.order - 12345
    P = C.base_mul(7)
    benchmark.group = f"{name}_mul"
    benchmark(C.mul, k, P)
