"""Zero-knowledge proofs: Bulletproofs (64-bit prove/verify, aggregated 8x64 verify, batch of 64),
membership (2^10, 2^16), Schnorr and DLEQ prove/verify.

Anchors (issue 6, docs/performance.md): 64-bit range prove <= 60 ms, verify <= 10 ms (dalek
AVX2: 7.3 / 1.04 ms on a 3.5 GHz core; Monero: 53 / 4.8 ms); aggregated 8x64 verify <= 30 ms;
batch of 64 proofs <= 3 ms per proof (see extra_info["per_proof_ms"]).
Groups: PQZK_BENCH_ZK_GROUPS (comma-separated, default "secp256k1,ristretto255,bls12_381_g1").
"""
from __future__ import annotations

import os

import pytest

from pqzk.groups import get_group
from pqzk.math.rand import DeterministicRNG
from pqzk.zk.membership import MemberSet, prove_membership, verify_membership
from pqzk.zk.range import RangeItem, RangeProof, batch_verify_range, prove_range, verify_range
from pqzk.zk.sigma import Secret, dleq, schnorr
from pqzk.zk.generators import pedersen_bases

GROUPS = os.environ.get("PQZK_BENCH_ZK_GROUPS", "secp256k1,ristretto255,bls12_381_g1").split(",")
params = pytest.mark.parametrize("gname", GROUPS)
_cache: dict = {}


def _range64(g):
    key = ("r64", g.name)
    if key not in _cache:
        rng = DeterministicRNG(b"bench-range")
        blinds = [g.random_scalar(rng)]
        proof, V = prove_range(g, [2**63 + 12345], blinds, 64, rng=rng)
        _cache[key] = (blinds, proof, V)
    return _cache[key]


@params
def test_range64_prove(benchmark, gname):
    g = get_group(gname)
    blinds, _, _ = _range64(g)
    benchmark.group = f"zk range 64-bit prove [{gname}]"
    benchmark.pedantic(prove_range, args=(g, [2**63 + 12345], blinds, 64), rounds=5, iterations=1)


@params
def test_range64_verify(benchmark, gname):
    g = get_group(gname)
    _, proof, V = _range64(g)
    data = proof.to_bytes()
    benchmark.group = f"zk range 64-bit verify (decode + verify) [{gname}]"
    benchmark.pedantic(lambda: verify_range(g, V, RangeProof.from_bytes(g, data), 64), rounds=10, iterations=1)
    benchmark.extra_info["proof_bytes"] = len(proof)


@params
def test_range_8x64_verify(benchmark, gname):
    g = get_group(gname)
    rng = DeterministicRNG(b"bench-agg")
    proof, V = prove_range(g, list(range(8)), [g.random_scalar(rng) for _ in range(8)], 64, rng=rng)
    data = proof.to_bytes()
    benchmark.group = f"zk range 8x64 aggregated verify (decode + verify) [{gname}]"
    benchmark.pedantic(lambda: verify_range(g, V, RangeProof.from_bytes(g, data), 64), rounds=5, iterations=1)
    benchmark.extra_info["proof_bytes"] = len(proof)


@params
def test_range_batch64_verify(benchmark, gname):
    g = get_group(gname)
    rng = DeterministicRNG(b"bench-batch")
    items = []
    for i in range(64):
        proof, V = prove_range(g, [i * 7919], [g.random_scalar(rng)], 64, context=b"%d" % i, rng=rng)
        items.append((tuple(V), proof.to_bytes(), b"%d" % i))

    def run():
        batch_verify_range(g, [RangeItem(V, RangeProof.from_bytes(g, d), 64, c) for V, d, c in items])
    benchmark.group = f"zk range batch of 64 verify (decode + verify) [{gname}]"
    benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["per_proof_ms"] = round(benchmark.stats.stats.median / 64 * 1e3, 3)


@params
@pytest.mark.parametrize("log_n", [10, 16])
def test_membership(benchmark, gname, log_n):
    g = get_group(gname)
    ms = MemberSet(g, list(range(1, 2**log_n + 1)))
    rng = DeterministicRNG(b"bench-mem")
    proof, C = prove_membership(g, 2**log_n // 3, 99, ms, rng=rng)
    benchmark.group = f"zk membership 2^{log_n} [{gname}]"
    benchmark.pedantic(verify_membership, args=(g, C, ms, proof), rounds=5, iterations=1)
    benchmark.extra_info["proof_bytes"] = len(proof)


@params
@pytest.mark.parametrize("log_n", [10, 16])
def test_membership_prove(benchmark, gname, log_n):
    g = get_group(gname)
    ms = MemberSet(g, list(range(1, 2**log_n + 1)))
    _ = ms.digest
    benchmark.group = f"zk membership 2^{log_n} prove [{gname}]"
    benchmark.pedantic(prove_membership, args=(g, 2**log_n // 3, 99, ms), rounds=3, iterations=1)


@params
def test_schnorr(benchmark, gname):
    g = get_group(gname)
    x = Secret("x")
    w = g.random_scalar(DeterministicRNG(b"s"))
    st = schnorr(g.base_mult(w), x)
    benchmark.group = f"zk schnorr prove [{gname}]"
    benchmark(st.prove, {x: w})


@params
def test_schnorr_verify(benchmark, gname):
    g = get_group(gname)
    x = Secret("x")
    w = g.random_scalar(DeterministicRNG(b"s"))
    st = schnorr(g.base_mult(w), x)
    proof = st.prove({x: w})
    benchmark.group = f"zk schnorr verify [{gname}]"
    benchmark(st.verify, proof)


@params
def test_dleq(benchmark, gname):
    g = get_group(gname)
    B, H = pedersen_bases(g)
    x = Secret("x")
    w = g.random_scalar(DeterministicRNG(b"d"))
    st = dleq(w * B, B, w * H, H, x)
    benchmark.group = f"zk dleq prove [{gname}]"
    benchmark(st.prove, {x: w})


@params
def test_dleq_verify(benchmark, gname):
    g = get_group(gname)
    B, H = pedersen_bases(g)
    x = Secret("x")
    w = g.random_scalar(DeterministicRNG(b"d"))
    st = dleq(w * B, B, w * H, H, x)
    proof = st.prove({x: w})
    benchmark.group = f"zk dleq verify [{gname}]"
    benchmark(st.verify, proof)
