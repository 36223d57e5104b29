"""Secret sharing: Shamir split + reconstruct of a 256-bit secret over the secp256k1 scalar field
for (3,5), (67,100), (667,1000); byte-Shamir over GF(2^8) on a 1 MiB secret, 3-of-5, reported as
bytes/s in extra_info; Feldman deal + verify-all, SLIP-39 and robust decoding for context.

Targets (issue 2): (67,100) split + reconstruct <= 20 ms; byte-Shamir >= 20 MB/s. Medians only.
"""
from __future__ import annotations

import pytest

from pqzk.groups import get_group
from pqzk.math.rand import DeterministicRNG
from pqzk.sharing.bytes_shamir import reconstruct_bytes, split_bytes
from pqzk.sharing.robust import robust_reconstruct
from pqzk.sharing.shamir import Share, reconstruct, split
from pqzk.sharing.slip39 import combine_mnemonics, generate_mnemonics
from pqzk.sharing.vss import feldman_deal

G = get_group("secp256k1")
Q = G.order
MIB = 1 << 20


@pytest.mark.parametrize("t, n", [(3, 5), (67, 100), (667, 1000)], ids=["3of5", "67of100", "667of1000"])
def test_shamir_split_reconstruct(benchmark, t, n):
    benchmark.group = "shamir split+reconstruct (256-bit)"
    secret = G.random_scalar(DeterministicRNG(b"bench"))

    def run():
        shares = split(secret, t, n, Q)
        return reconstruct(shares[-t:], Q)

    rounds = 3 if n >= 1000 else None
    out = benchmark.pedantic(run, rounds=rounds, iterations=1) if rounds else benchmark(run)
    assert out == secret


def test_bytes_shamir_1mib_3of5(benchmark):
    benchmark.group = "byte-Shamir GF(2^8) 1 MiB 3-of-5"
    secret = DeterministicRNG(b"bytes")(MIB)

    def run():
        shares = split_bytes(secret, 3, 5)
        return reconstruct_bytes([shares[4], shares[1], shares[2]])

    out = benchmark(run)
    assert out == secret
    median = benchmark.stats.stats.median
    benchmark.extra_info["secret_bytes"] = MIB
    benchmark.extra_info["bytes_per_s_median"] = MIB / median
    benchmark.extra_info["MB_per_s_median"] = round(MIB / median / 1e6, 1)


def test_feldman_deal_and_verify_all_3of5(benchmark):
    benchmark.group = "Feldman VSS secp256k1"

    def run():
        shares, com = feldman_deal(G, 12345, 3, 5)
        for s in shares:
            com.verify_share(s)

    benchmark(run)


def test_robust_berlekamp_welch_10of16_3_wrong(benchmark):
    benchmark.group = "robust reconstruction"
    shares = split(777, 10, 16, Q, rng=DeterministicRNG(1))
    bad = [Share(s.identifier, (s.value + 1) % Q) if s.identifier in (2, 9, 15) else s for s in shares]
    out = benchmark(robust_reconstruct, bad, Q, threshold=10)
    assert out == (777, [2, 9, 15])


def test_slip39_generate_combine_2of3_exp0(benchmark):
    benchmark.group = "SLIP-39 (iteration exponent 0)"
    secret = bytes(range(16))

    def run():
        m = generate_mnemonics(1, [(2, 3)], secret, b"TREZOR", iteration_exponent=0)[0]
        return combine_mnemonics(m[:2], b"TREZOR")

    assert benchmark(run) == secret
