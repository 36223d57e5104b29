"""The compiled core loads and its helpers agree with Python."""
from hypothesis import given, strategies as st

from pqzk import _native


def test_native_extension_loaded():
    assert _native.available()
    assert "-std=c99" in _native.build_flags()


@given(st.binary(max_size=64), st.binary(max_size=64))
def test_ct_equal_matches_python(a, b):
    assert _native.ct_equal(a, b) == (a == b)
    assert _native.ct_equal(a, a)


def test_components_listed():
    comps = " ".join(_native.components())
    assert "BLS12-381" in comps and "P-256" in comps and "Montgomery fields (10 primes" in comps and "secp256k1" in comps
