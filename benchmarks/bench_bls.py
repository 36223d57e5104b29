"""BLS signatures and threshold BLS, side by side with py_ecc in the same run (issue 3 section 5)."""
import pytest
from py_ecc.bls import G2ProofOfPossession as ref

from pqzk.math.poly import lagrange_coefficients
from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import bls

SK = bls.keygen(b"\x05" * 32)
PK = bls.sk_to_pk(SK)
MSG = b"benchmark message"
SIG = bls.sign(SK, MSG)


def test_bls_sign(benchmark):
    benchmark(bls.sign, SK, MSG)


def test_bls_verify(benchmark):
    benchmark(bls.verify, PK, MSG, SIG)


def test_bls_verify_py_ecc(benchmark):
    assert benchmark.pedantic(ref.Verify, (PK, MSG, SIG), rounds=3, iterations=1)


def test_bls_batch_verify_64_per_item(benchmark):
    rng = DeterministicRNG(2)
    sks = [bls.keygen(rng=rng) for _ in range(64)]
    items = [(bls.sk_to_pk(s), b"m%d" % i, bls.sign(s, b"m%d" % i)) for i, s in enumerate(sks)]
    benchmark.extra_info["items"] = 64
    benchmark.pedantic(bls.batch_verify, (items,), rounds=3, iterations=1)


@pytest.fixture(scope="module")
def threshold_67():
    shares, key = bls.threshold_keygen(67, 100, rng=DeterministicRNG(9))
    partials = [bls.partial_sign(shares[i], MSG) for i in range(1, 68)]
    return key, partials


def test_threshold_combine_67_unverified(benchmark, threshold_67):
    """combine(verify=False): 67 G2 decodings without subgroup checks, Lagrange interpolation,
    one subgroup check of the result (the strict per-partial path runs only when that fails)."""
    key, partials = threshold_67
    sig = benchmark(bls.combine, key, MSG, partials, verify=False)
    bls.verify(key.group_public_key, MSG, sig)


def test_threshold_interpolation_67_decoded(benchmark, threshold_67):
    """The interpolation alone, Σ λ_i·σ_i over already decoded partials (msm_vartime of 67 G2 points)."""
    key, partials = threshold_67
    S = key.suite.S
    points = [S.decode(p.signature) for p in partials]
    lam = lagrange_coefficients([p.identifier for p in partials], S.order)
    sig = benchmark(S.msm_vartime, lam, points)
    bls.verify(key.group_public_key, MSG, sig.to_bytes())


def test_threshold_combine_67_verified(benchmark, threshold_67):
    """combine(verify=True): as unverified, plus one pairing check of the combined signature."""
    key, partials = threshold_67
    benchmark.pedantic(bls.combine, (key, MSG, partials), rounds=5, iterations=1)


def test_threshold_verify_partials_67(benchmark, threshold_67):
    """verify_partials: strict decoding of every partial and one batched pairing check (the path
    combine takes when its result does not check out, to name the bad partials)."""
    key, partials = threshold_67
    assert benchmark.pedantic(bls.verify_partials, (key, MSG, partials), rounds=5, iterations=1) == []
