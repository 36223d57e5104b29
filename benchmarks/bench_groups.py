"""Scalar multiplication and 256-term multi-scalar multiplication per group (constant-time `msm`
and variable-time `msm_vartime`), and side by side the
libraries the thin wrappers call: coincurve (libsecp256k1) and libsodium (PyNaCl) directly, so the
wrapper overhead ratio can be read off one run."""
from __future__ import annotations

import importlib.util

import coincurve
import pytest
from nacl import bindings as nacl

from pqzk.groups import get_group
from pqzk.math.rand import DeterministicRNG

GROUPS = ["secp256k1", "ed25519", "ristretto255", "p256", "ed448"]
if importlib.util.find_spec("pqzk.groups.bls12_381"):
    GROUPS += ["bls12_381_g1", "bls12_381_g2"]
MSM_TERMS = 256


def _setup(name):
    G = get_group(name)
    rng = DeterministicRNG(b"bench-" + name.encode())
    k = G.random_scalar(rng)
    P = G.base_mult(G.random_scalar(rng))
    return G, rng, k, P


@pytest.mark.parametrize("name", GROUPS)
def test_scalar_mult(benchmark, name):
    G, _, k, P = _setup(name)
    benchmark.group = "scalar_mult"
    out = benchmark(G.scalar_mult, k, P)
    assert out == k * P


@pytest.mark.parametrize("name", GROUPS)
def test_base_mult(benchmark, name):
    G, _, k, _ = _setup(name)
    G.base_mult(1)  # build any fixed-base table outside the timing
    benchmark.group = "base_mult"
    out = benchmark(G.base_mult, k)
    assert out == k * G.generator()


def _msm_inputs(name):
    G, rng, _, _ = _setup(name)
    ks = [G.random_scalar(rng) for _ in range(MSM_TERMS)]
    return G, ks, [G.base_mult(G.random_scalar(rng)) for _ in range(MSM_TERMS)]


@pytest.mark.parametrize("name", GROUPS)
def test_msm_256(benchmark, name):
    G, ks, pts = _msm_inputs(name)
    benchmark.group = "msm_256"
    benchmark.pedantic(G.msm, args=(ks, pts), rounds=3 if name in ("p256", "ed448") else 5, iterations=1)


@pytest.mark.parametrize("name", GROUPS)
def test_msm_vartime_256(benchmark, name):
    """The variable-time MSM (Pippenger; public inputs) against test_msm_256's constant-time one."""
    G, ks, pts = _msm_inputs(name)
    benchmark.group = "msm_256"
    out = benchmark.pedantic(G.msm_vartime, args=(ks, pts), rounds=10, iterations=1)
    assert out == G.msm(ks, pts)


# ---- the libraries directly (the 2x wrapper-overhead budget is measured against these) ----
def test_scalar_mult_coincurve_direct(benchmark):
    G, _, k, P = _setup("secp256k1")
    pub, kb = P.raw, k.to_bytes(32, "big")
    benchmark.group = "scalar_mult"
    out = benchmark(pub.multiply, kb)
    assert out.format() == (k * P).to_bytes()


def test_scalar_mult_libsodium_direct(benchmark):
    G, _, k, P = _setup("ed25519")
    enc, kb = P.to_bytes(), k.to_bytes(32, "little")
    benchmark.group = "scalar_mult"
    out = benchmark(nacl.crypto_scalarmult_ed25519_noclamp, kb, enc)
    assert out == (k * P).to_bytes()


def test_base_mult_coincurve_direct(benchmark):
    _, _, k, _ = _setup("secp256k1")
    kb = k.to_bytes(32, "big")
    benchmark.group = "base_mult"
    benchmark(coincurve.PublicKey.from_valid_secret, kb)


def test_base_mult_libsodium_direct(benchmark):
    _, _, k, _ = _setup("ed25519")
    kb = k.to_bytes(32, "little")
    benchmark.group = "base_mult"
    benchmark(nacl.crypto_scalarmult_ed25519_base_noclamp, kb)
