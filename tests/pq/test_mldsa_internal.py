"""The FIPS 204 internal interface and external μ in `pqzk.pq.mldsa` (Algorithms 7 and 8):
how they relate to ML-DSA.Sign, what they refuse, and that every capable backend agrees."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, VerificationError
from pqzk.pq import backend_registry as B
from pqzk.pq import fips204, mldsa

P = "ML-DSA-44"
SK = mldsa.keygen(P, seed=bytes(range(32)))
PK = SK.public_key


def _m_prime(message: bytes, ctx: bytes = b"") -> bytes:
    return b"\x00" + bytes([len(ctx)]) + ctx + message


def test_sign_is_sign_internal_on_the_formatted_message():
    for backend in ("numpy", "reference"):
        assert (mldsa.sign(P, SK, b"m", b"ctx", backend=backend, deterministic=True)
                == mldsa.sign_internal(P, SK, _m_prime(b"m", b"ctx"), backend=backend, deterministic=True))


def test_sign_mu_of_external_mu_is_sign():
    mu = mldsa.external_mu(P, PK, b"m", b"ctx")
    assert mu == fips204.mu_of(PK.key, _m_prime(b"m", b"ctx"))
    sig = mldsa.sign_mu(P, SK, mu, rnd=bytes(range(32)))
    assert sig == mldsa.sign(P, SK, b"m", b"ctx", rnd=bytes(range(32)))
    mldsa.verify(P, PK, b"m", sig, b"ctx", backend="openssl")
    mldsa.verify_mu(P, PK, mu, sig, backend="openssl")


def test_external_mu_of_hashml_dsa_signs_the_prehash_form():
    mu = mldsa.external_mu(P, PK, b"m", b"", prehash="SHA2-512")
    sig = mldsa.sign_mu(P, SK, mu, deterministic=True)
    mldsa.verify(P, PK, b"m", sig, prehash="SHA2-512", backend="pqclean")
    with pytest.raises(VerificationError):
        mldsa.verify(P, PK, b"m", sig, backend="pqclean")          # not a pure signature of m


@pytest.mark.parametrize("backend", ["openssl", "numpy", "reference"])
def test_hedged_sign_internal_verifies_everywhere(backend):
    sig = mldsa.sign_internal(P, SK, b"any M'", backend=backend)
    for v in ("openssl", "numpy", "reference"):
        mldsa.verify_internal(P, PK, b"any M'", sig, backend=v)
        with pytest.raises(VerificationError):
            mldsa.verify_internal(P, PK, b"other M'", sig, backend=v)
    for v in ("openssl", "numpy"):
        mldsa.verify_mu(P, PK, fips204.mu_of(PK.key, b"any M'"), sig, backend=v)


def test_the_backends_that_cannot_refuse():
    with pytest.raises(InvalidParameter, match="cannot do mldsa.sign_rnd"):
        mldsa.sign_internal(P, SK, b"x", backend="openssl", deterministic=True)
    with pytest.raises(InvalidParameter, match="cannot do mldsa.sign_internal"):
        mldsa.sign_internal(P, SK, b"x", backend="pqclean")
    with pytest.raises(InvalidParameter, match="cannot do mldsa.verify_mu"):
        mldsa.verify_mu(P, PK, bytes(64), bytes(2420), backend="reference")
    expanded_only = mldsa.MLDSAPrivateKey.from_expanded(P, SK.expanded or fips204.keygen_internal(SK.seed, fips204.params(P))[1])
    with pytest.raises(InvalidParameter, match="seed form"):
        mldsa.sign_mu(P, expanded_only, bytes(64), backend="openssl")
    # without a backend named, one that can is chosen
    assert mldsa.sign_mu(P, expanded_only, bytes(64), deterministic=True) == mldsa.sign_mu(P, SK, bytes(64), deterministic=True)


def test_bad_inputs_are_refused_with_pqzk_errors():
    with pytest.raises(InvalidParameter, match="μ must be 64 bytes"):
        mldsa.sign_mu(P, SK, bytes(63))
    with pytest.raises(InvalidParameter, match="μ must be 64 bytes"):
        mldsa.verify_mu(P, PK, bytes(65), bytes(2420))
    with pytest.raises(InvalidParameter, match="rnd must be 32 bytes"):
        mldsa.sign_internal(P, SK, b"x", rnd=bytes(31))
    with pytest.raises(InvalidParameter, match="at most one"):
        mldsa.sign_internal(P, SK, b"x", rnd=bytes(32), deterministic=True)
    with pytest.raises(InvalidParameter, match="at most one"):
        mldsa.sign(P, SK, b"x", rng=lambda n: bytes(n), rnd=bytes(32))
    with pytest.raises(InvalidParameter, match="must be bytes"):
        mldsa.sign_internal(P, SK, "text")
    with pytest.raises(InvalidParameter):
        mldsa.sign_internal("ML-DSA-65", SK, b"x")
    with pytest.raises(VerificationError, match="2420 bytes"):
        mldsa.verify_internal(P, PK, b"x", bytes(100))
    with pytest.raises(InvalidEncoding):
        mldsa.MLDSAPrivateKey.from_expanded(P, bytes(100))


@settings(max_examples=15, deadline=None)
@given(st.binary(max_size=64), st.binary(min_size=32, max_size=32))
def test_numpy_and_dilithium_py_agree_on_sign_internal_and_sign_mu(message_prime, rnd):
    a = mldsa.sign_internal(P, SK, message_prime, rnd=rnd, backend="numpy")
    assert a == mldsa.sign_internal(P, SK, message_prime, rnd=rnd, backend="reference")
    mu = fips204.mu_of(PK.key, message_prime)
    assert mldsa.sign_mu(P, SK, mu, rnd=rnd, backend="numpy") == mldsa.sign_mu(P, SK, mu, rnd=rnd, backend="reference") == a


def test_a_corrupt_signature_never_verifies_through_mu():
    sig = bytearray(mldsa.sign_internal(P, SK, b"m", deterministic=True))
    mu = fips204.mu_of(PK.key, b"m")
    for i in (0, 100, 2419):
        bad = bytearray(sig)
        bad[i] ^= 1
        for v in ("openssl", "numpy"):
            with pytest.raises(VerificationError):
                mldsa.verify_mu(P, PK, mu, bytes(bad), backend=v)


def test_info_reports_the_internal_interface_per_backend():
    st_ = {s.name: s for s in B.backends()}
    assert "FIPS 204 Sign_internal on a given M' (Algorithm 7)" in st_["numpy"].can
    assert any(c.startswith("verifying against an external μ: dilithium-py") for c in st_["reference"].cannot)
    assert any(c.startswith("FIPS 204 Sign_internal") for c in st_["pqclean"].cannot)
    assert "signing an external μ" in st_["openssl"].can
