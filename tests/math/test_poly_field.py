"""Field and polynomial helpers against direct computation, with hypothesis."""
import pytest
from hypothesis import given, strategies as st

from pqzk.errors import InvalidParameter
from pqzk.math import (batch_inv, interpolate_at, interpolate_polynomial, lagrange_coefficients,
                       poly_eval, sqrt_mod, DeterministicRNG, random_polynomial)

PRIMES = [2**255 - 19, 2**256 - 2**32 - 977, 8380417, 3329, 2**448 - 2**224 - 1,
          0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab]


@given(st.sampled_from(PRIMES), st.lists(st.integers(min_value=1), min_size=1, max_size=20))
def test_batch_inv_matches_pow(p, values):
    values = [v % p or 1 for v in values]
    assert batch_inv(values, p) == [pow(v, -1, p) for v in values]


def test_batch_inv_rejects_zero():
    with pytest.raises(InvalidParameter, match="index 1"):
        batch_inv([3, 0, 5], 7)


@given(st.sampled_from(PRIMES), st.integers(min_value=0))
def test_sqrt_mod(p, a):
    a %= p
    r = sqrt_mod(a, p)
    if r is None:
        assert pow(a, (p - 1) // 2, p) == p - 1
    else:
        assert r * r % p == a


@given(st.integers(min_value=1, max_value=30), st.integers(min_value=0, max_value=2**32))
def test_interpolation_recovers_polynomial(t, seed):
    q = PRIMES[1]
    f = random_polynomial(12345, t - 1, q, DeterministicRNG(seed))
    pts = [(x, poly_eval(f, x, q)) for x in range(1, t + 1)]
    assert interpolate_at(pts, q) == 12345
    assert interpolate_at(pts, q, at=t + 7) == poly_eval(f, t + 7, q)
    assert interpolate_polynomial(pts, q) == f + [0] * (t - len(f))
    lam = lagrange_coefficients([x for x, _ in pts], q, at=3)
    assert sum(l * y for l, (_, y) in zip(lam, pts)) % q == poly_eval(f, 3, q)


def test_lagrange_rejects_duplicate_points():
    with pytest.raises(InvalidParameter, match="distinct"):
        lagrange_coefficients([1, 2, 2], 101)


@given(st.integers(min_value=0, max_value=2**600))
def test_deterministic_rng_accepts_any_nonnegative_int_seed(seed):
    a, b = DeterministicRNG(seed), DeterministicRNG(seed)
    assert a(40) == b(40) and len(a(7)) == 7
    assert DeterministicRNG(seed + 1)(40) != DeterministicRNG(seed)(40)


def test_deterministic_rng_rejects_negative_seed():
    with pytest.raises(InvalidParameter):
        DeterministicRNG(-1)


@pytest.mark.parametrize("a, p", [(1, 33), (1, 65), (4, 1105), (1, 561)])
def test_sqrt_mod_composite_modulus_raises_instead_of_looping(a, p):
    """A composite p = 1 mod 8 may have no non-residue: the search used to run forever."""
    from pqzk.errors import InvalidParameter
    from pqzk.math import sqrt_mod
    assert p % 8 == 1
    with pytest.raises(InvalidParameter, match="prime"):
        sqrt_mod(a, p)


@pytest.mark.parametrize("p", [0, 1, 2, 4, -7, "7"])
def test_field_helpers_refuse_bad_moduli(p):
    from pqzk.errors import InvalidParameter
    from pqzk.math import legendre, sqrt_mod
    with pytest.raises(InvalidParameter):
        legendre(1, p)
    with pytest.raises(InvalidParameter):
        sqrt_mod(4, p)


def test_inv_refuses_non_ints():
    from pqzk.errors import InvalidParameter
    from pqzk.math import inv
    for a, p in (("1", 7), (1, "7"), (1.0, 7), (3, 1)):
        with pytest.raises(InvalidParameter):
            inv(a, p)
    assert inv(3, 7) == 5 and inv(-4, 7) == 5


@pytest.mark.parametrize("p", [17, 41, 97, 113, 2**255 - 19, 2**192 - 2**64 - 1, 7681, 12289, 8380417])
def test_sqrt_mod_still_finds_roots(p):
    from pqzk.math import sqrt_mod
    for x in (1, 2, 3, 5, 12345):
        r = sqrt_mod(x * x % p, p)
        assert r is not None and r * r % p == x * x % p


@given(st.sampled_from(PRIMES), st.integers(min_value=0), st.integers(min_value=0, max_value=40))
def test_powers_are_successive_powers(p, x, count):
    from pqzk.math.field import powers
    out = powers(x, count, p)
    assert out == [pow(x, i, p) for i in range(count)]
