"""Native NTTs against schoolbook multiplication, against dilithium-py's NTT, and the Ring object."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import arrays

from pqzk.errors import InvalidParameter
from pqzk.math import ntt as N
from pqzk.math.ring import Ring
from pqzk.math.rand import DeterministicRNG

from conftest import assert_generated

QS = [N.MLDSA_Q, N.MLKEM_Q]


def polys(q, count=None):
    shape = (256,) if count is None else (count, 256)
    return arrays(np.int64, shape, elements=st.integers(0, q - 1))


@pytest.mark.parametrize("q", QS)
@given(data=st.data())
def test_ntt_product_matches_schoolbook(q, data):
    a, b = data.draw(polys(q)), data.draw(polys(q))
    prod = N.intt(N.ntt_mul(N.ntt(a, q), N.ntt(b, q), q), q)
    assert np.array_equal(prod, N.negacyclic_mul_schoolbook(a, b, q))


@pytest.mark.parametrize("q", QS)
@given(data=st.data())
def test_ntt_roundtrip_batch(q, data):
    a = data.draw(polys(q, count=3))
    a_hat = N.ntt(a, q)
    assert a_hat.shape == (3, 256)
    assert ((0 <= a_hat) & (a_hat < q)).all()
    assert np.array_equal(N.intt(a_hat, q), a)
    # the batch result equals polynomial-by-polynomial transforms
    assert all(np.array_equal(a_hat[i], N.ntt(a[i], q)) for i in range(3))


def test_ntt_edge_values():
    for q in QS:
        for a in (np.zeros(256, np.int64), np.full(256, q - 1), np.arange(256) * 7919 % q):
            assert np.array_equal(N.intt(N.ntt(a, q), q), a % q)
    # inputs outside [0, q) are reduced first
    a = np.arange(-128, 128)
    assert np.array_equal(N.intt(N.ntt(a, N.MLKEM_Q), N.MLKEM_Q), a % N.MLKEM_Q)


@given(polys(N.MLDSA_Q))
def test_mldsa_ntt_matches_dilithium_py(a):
    from dilithium_py.polynomials.polynomials import PolynomialRing
    R = PolynomialRing()
    theirs = R([int(x) for x in a]).to_ntt().coeffs
    assert N.ntt(a, N.MLDSA_Q).tolist() == theirs
    assert N.intt(np.array(theirs), N.MLDSA_Q).tolist() == [int(x) for x in a]


def test_ntt_rejects_bad_input():
    with pytest.raises(InvalidParameter, match="256 coefficients"):
        N.ntt(np.zeros(255, np.int64), N.MLDSA_Q)
    with pytest.raises(InvalidParameter, match="supports q"):
        N.ntt(np.zeros(256, np.int64), 12289)
    with pytest.raises(InvalidParameter, match="integers"):
        N.ntt(np.zeros(256), N.MLKEM_Q)


def test_committed_tables_match_generator():
    assert_generated("gen_ntt_tables.py", "ntt_tables.inc")


@pytest.mark.parametrize("q,n", [(N.MLDSA_Q, 256), (N.MLKEM_Q, 256), (12289, 16), (97, 8)])
@given(seed=st.integers(0, 2**32))
def test_ring_arithmetic(q, n, seed):
    R = Ring(q, n)
    rng = DeterministicRNG(seed)
    a, b, c = R.sample_uniform(rng), R.sample_uniform(rng), R.sample_small(2, rng)
    assert a * (b + c) == a * b + a * c
    assert a * b == b * a
    assert (a - a) == R.zero()
    assert np.array_equal((a * b).coeffs, N.negacyclic_mul_schoolbook(a.coeffs, b.coeffs, q))
    x = R([0, 1] + [0] * (n - 2))      # X^n = -1
    xn = R([1] + [0] * (n - 1))
    for _ in range(n):
        xn = xn * x
    assert xn == -R([1] + [0] * (n - 1))


def test_ring_sampling_ranges():
    R = Ring(N.MLKEM_Q)
    rng = DeterministicRNG(1)
    assert R.sample_small(2, rng).norm_inf() <= 2
    cbd = R.sample_cbd(3, rng)
    assert cbd.norm_inf() <= 3
    samples = np.concatenate([R.sample_cbd(2, rng).centred() for _ in range(40)])
    assert abs(samples.mean()) < 0.2 and 0.7 < samples.var() < 1.3   # CBD_2 has variance 1
    u = np.concatenate([R.sample_uniform(rng).coeffs for _ in range(20)])
    assert u.min() >= 0 and u.max() < R.q and abs(u.mean() / R.q - 0.5) < 0.05
    with pytest.raises(InvalidParameter):
        Ring(100, 6)
    with pytest.raises(InvalidParameter):
        R([1, 2, 3])
    with pytest.raises(InvalidParameter):
        R.zero() + Ring(97, 256).zero()
