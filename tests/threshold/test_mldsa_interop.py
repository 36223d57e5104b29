"""Every threshold ML-DSA signature is a FIPS 204 signature: for every supported committee of
every parameter set, signatures on random messages with random contexts verify with OpenSSL
(pyca/cryptography, from the SPKI), dilithium-py, PQClean (pqcrypto) and liboqs when present.

The committees with K ≥ 200 attempts per round (ML-DSA-65 4-of-5, 4-of-6, 5-of-6, 6-of-6 and
ML-DSA-87 4-of-6, 5-of-6) take seconds each in Python: they are marked slow and still run in
`make test` (the whole sweep is about a minute of CPU; `-n 2` spreads it)."""
from __future__ import annotations

import functools

import pytest
from conftest import require_component
from cryptography.hazmat.primitives.serialization import load_der_public_key
from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87

from pqzk.errors import VerificationError
from pqzk.math.rand import DeterministicRNG
from pqzk.pq import backend_registry as B
from pqzk.pq import mldsa
from pqzk.threshold import mldsa as tm

DILITHIUM_PY = {"ML-DSA-44": ML_DSA_44, "ML-DSA-65": ML_DSA_65, "ML-DSA-87": ML_DSA_87}
HEAVY_K = 200


def _cases():
    out = []
    for name, T, N in tm.supported():
        marks = [pytest.mark.slow] if tm.get_params(name, T, N).K >= HEAVY_K else []
        out.append(pytest.param(name, T, N, marks=marks, id=f"{name}-{T}of{N}"))
    return out


@functools.lru_cache(maxsize=None)
def _signed(name: str, T: int, N: int):
    """A key of the committee and signatures by its last T parties on random messages: with an
    empty and a random context (≤ 253 bytes: pqcrypto refuses 254 and 255), or for the heavy
    committees one signature with a random context."""
    rng = DeterministicRNG(f"interop-{name}-{T}-{N}")
    pub, shares = tm.trusted_dealer_keygen(name, T, N, rng=rng)
    quorum = list(range(N - T + 1, N + 1))
    heavy = pub.params.K >= HEAVY_K
    out = []
    for ctx_len in ((1 + rng(1)[0] % 253,) if heavy else (0, rng(1)[0] % 254)):
        msg, ctx = rng(1 + rng(1)[0]), rng(ctx_len)
        out.append((msg, ctx, tm.sign_local(pub, shares, quorum, msg, ctx, rng=rng).signature))
    return pub, out


@pytest.mark.parametrize("name,T,N", _cases())
def test_every_fips204_verifier_accepts(name, T, N):
    require_component(B.status("pqclean").usable, "pqclean backend (pqcrypto)", "pip install pqcrypto")
    pub, sigs = _signed(name, T, N)
    key = load_der_public_key(pub.mldsa_public_key().to_spki())          # OpenSSL, from the SPKI
    for msg, ctx, sig in sigs:
        key.verify(sig, msg, ctx)                                         # raises InvalidSignature otherwise
        assert mldsa.is_valid(name, pub.public_key, msg, sig, ctx, backend="openssl")
        assert DILITHIUM_PY[name].verify(pub.public_key, msg, sig, ctx=ctx)
        mldsa.verify(name, pub.public_key, msg, sig, ctx, backend="pqclean")
        # and nothing else verifies: another message, another context, a flipped bit
        assert not mldsa.is_valid(name, pub.public_key, msg + b"\x00", sig, ctx, backend="openssl")
        assert not DILITHIUM_PY[name].verify(pub.public_key, msg, sig, ctx=ctx + b"x")
        with pytest.raises(VerificationError):
            mldsa.verify(name, pub.public_key, msg, sig[:-1] + bytes([sig[-1] ^ 1]), ctx, backend="pqclean")


@pytest.mark.liboqs
@pytest.mark.parametrize("name,T,N", [("ML-DSA-44", 2, 3), ("ML-DSA-65", 3, 5), ("ML-DSA-87", 4, 6)])
def test_liboqs_verifies(name, T, N):
    status = B.status("liboqs")
    if not status.usable:
        pytest.skip(f"liboqs not available ({status.reason}); enable it with: {status.how_to_enable}")
    pub, sigs = _signed(name, T, N)
    for msg, ctx, sig in sigs:
        mldsa.verify(name, pub.public_key, msg, sig, ctx, backend="liboqs")
