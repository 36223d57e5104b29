"""BLS12-381 Python reference next to py_ecc in the same run: pairing, multi-pairing of 2,
G2 decode with subgroup check (scalar multiplication and MSM are in bench_groups.py)."""
from __future__ import annotations

from py_ecc import optimized_bls12_381 as o
from py_ecc.bls import point_compression as pc

from pqzk.groups import bls12_381_ref as ref


def test_pairing_ref(benchmark):
    g1, g2 = ref.G1.generator(), ref.G2.generator()
    benchmark.group = "pairing"
    benchmark.pedantic(ref.pairing, args=(7 * g1, 11 * g2), rounds=5, iterations=1)


def test_pairing_py_ecc(benchmark):
    benchmark.group = "pairing"
    benchmark.pedantic(o.pairing, args=(o.multiply(o.G2, 11), o.multiply(o.G1, 7)), rounds=3, iterations=1)


def test_multi_pairing_2_ref(benchmark):
    g1, g2 = ref.G1.generator(), ref.G2.generator()
    benchmark.group = "multi_pairing_2"
    assert benchmark.pedantic(ref.multi_pairing_is_one, args=([(5 * g1, g2), (-g1, 5 * g2)],),
                              rounds=5, iterations=1)


def test_g2_decode_ref(benchmark):
    data = (123456789 * ref.G2.generator()).to_bytes()
    benchmark.group = "g2_decode"
    benchmark(ref.G2.decode, data)


def test_g2_decode_py_ecc(benchmark):
    data = (123456789 * ref.G2.generator()).to_bytes()
    z = (int.from_bytes(data[:48], "big"), int.from_bytes(data[48:], "big"))
    benchmark.group = "g2_decode"
    benchmark.pedantic(pc.decompress_G2, args=(z,), rounds=5, iterations=1)
