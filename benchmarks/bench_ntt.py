"""NTT-256 forward + inverse through the batch API (per polynomial), against dilithium-py's NTT."""
import numpy as np
import pytest

from pqzk.math import ntt as N

BATCH = 1024


@pytest.mark.parametrize("q", [N.MLDSA_Q, N.MLKEM_Q], ids=["mldsa", "mlkem"])
def test_ntt_roundtrip_batch(benchmark, q):
    # arrays kept in the transform's own dtype (int32 for ML-DSA, int16 for ML-KEM) skip a conversion
    dtype = np.int32 if q == N.MLDSA_Q else np.int16
    a = np.random.default_rng(1).integers(0, q, size=(BATCH, 256)).astype(dtype)
    benchmark.extra_info["polynomials_per_call"] = BATCH
    out = benchmark(lambda: N.intt(N.ntt(a, q), q))
    assert np.array_equal(out, a)
    benchmark.extra_info["us_per_polynomial"] = benchmark.stats.stats.median / BATCH * 1e6


def test_ntt_roundtrip_dilithium_py(benchmark):
    from dilithium_py.polynomials.polynomials import PolynomialRing
    R = PolynomialRing()
    p = R(list(range(256)))
    benchmark(lambda: p.to_ntt().from_ntt())
