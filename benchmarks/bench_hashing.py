"""RFC 9380 hash_to_curve per suite (pure Python on pqzk.math.ec / the Fp2 reference), and
hash-to-G2 next to py_ecc's in the same run."""
from __future__ import annotations

import hashlib

import pytest
from py_ecc.bls import hash_to_curve as pyecc_h2c

from pqzk.hashing import h2c

RO_SUITES = [s for s in h2c.SUITES if s.endswith("RO_")]


@pytest.mark.parametrize("suite", RO_SUITES)
def test_hash_to_curve(benchmark, suite):
    benchmark.group = "hash_to_curve"
    out = benchmark(h2c.hash_to_curve, suite, b"benchmark message", b"pqzk-bench-" + suite.encode())
    assert out is not None


def test_hash_to_g2_py_ecc(benchmark):
    benchmark.group = "hash_to_curve"
    benchmark.pedantic(pyecc_h2c.hash_to_G2, args=(b"benchmark message", b"pqzk-bench", hashlib.sha256),
                       rounds=3, iterations=1)
