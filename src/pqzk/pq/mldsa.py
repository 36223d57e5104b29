"""ML-DSA (FIPS 204): keygen / sign / verify over any backend, with strict input checks.

Private keys are held in the 32-byte seed form ξ (FIPS 204 §3.6.3 / Algorithm 6) when known,
and/or the expanded skEncode form; backends that need the expanded form get it from
KeyGen_internal (numpy, else reference; cached per key). Signing is hedged by default;
`deterministic=True` uses rnd = 0^32, and `rnd` (32 bytes) or `rng` supplies rnd explicitly (all
need a backend that accepts rnd).

The FIPS 204 internal interface is here too: `sign_internal` / `verify_internal` take M' as
given (Algorithms 7 and 8: no domain separation, no context — for known-answer tests and for
protocols that build M' themselves), and `sign_mu` / `verify_mu` take an external μ =
H(H(pk) || M') that another party computed (`external_mu`). Which backend can do which is in
`pqzk info` ("FIPS 204 Sign_internal …", "signing an external μ", …).
"""
from __future__ import annotations

import hmac
from collections.abc import Callable

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from . import pkcs8
from .backend.base import MLDSAOperations
from .backend.messages import PREHASH
from .backend.messages import external_mu as _external_mu
from .backend_registry import select_backend
from .keys import PQPrivateKey, PQPublicKey, as_public_key, expanded_form, generate, sized
from .params import MAX_CONTEXT, MLDSA, SEED_SIZE_MLDSA, MLDSAParams, mldsa_params

PARAMS = tuple(MLDSA)
MU_SIZE = 64               # μ (FIPS 204 Algorithm 7, line 6)


class MLDSAPublicKey(PQPublicKey):
    """An ML-DSA public key (FIPS 204 pkEncode), checked for its parameter set's length."""
    FAMILY = "ML-DSA"
    PARAMETER_SETS = MLDSA
    lookup = staticmethod(mldsa_params)

    def _checked(self, p: MLDSAParams, key: bytes) -> bytes:
        return sized(key, p.public_key_size, f"{p.name} public key")


class MLDSAPrivateKey(PQPrivateKey):
    """An ML-DSA signing key: seed ξ and/or expanded form, plus its public key. Redacted repr."""
    PUBLIC = MLDSAPublicKey
    SEED_SIZE = SEED_SIZE_MLDSA

    def _checked_expanded(self, p: MLDSAParams, expanded: bytes) -> bytes:
        return sized(expanded, p.expanded_key_size, f"{p.name} expanded private key")

    @classmethod
    def from_expanded(cls, params: str, expanded: bytes) -> MLDSAPrivateKey:
        """A key from its expanded FIPS 204 encoding (skEncode, as NIST's ACVP vectors give it);
        its public key is recomputed, and a key whose parts disagree is refused."""
        from . import fips204
        p = mldsa_params(params)
        expanded = sized(expanded, p.expanded_key_size, f"{p.name} expanded private key")
        pk = fips204.public_from_expanded(expanded, fips204.params(p.name))
        return cls(p.name, MLDSAPublicKey(p.name, pk), expanded=expanded)

    @classmethod
    def from_pkcs8(cls, der: bytes, backend: str | None = None) -> MLDSAPrivateKey:
        """PKCS#8 in any of RFC 9881's forms: seed [0], expandedKey, or both (which must agree)."""
        oid, octets = pkcs8.decode_pkcs8(der, _OID_TO_PARAMS, "ML-DSA")
        params = _OID_TO_PARAMS[oid]
        seed, expanded = pkcs8.decode_seed_or_expanded(octets, "ML-DSA")
        if seed is None:
            return cls.from_expanded(params, expanded)
        key = keygen(params, seed=seed, backend=backend)
        if expanded is not None:
            p = mldsa_params(params)
            if len(expanded) != p.expanded_key_size or not hmac.compare_digest(expanded, _expanded(key, p)):
                raise InvalidEncoding("ML-DSA PKCS#8: the expanded key does not match the seed (both form)")
        return key


_OID_TO_PARAMS = MLDSAPublicKey.oid_to_params()


def _check_ctx(ctx: bytes) -> bytes:
    if not isinstance(ctx, (bytes, bytearray)):
        raise InvalidParameter(f"context must be bytes, got {type(ctx).__name__}")
    if len(ctx) > MAX_CONTEXT:
        raise InvalidParameter(f"context string is {len(ctx)} bytes; FIPS 204 allows at most {MAX_CONTEXT}")
    return bytes(ctx)


def _check_prehash(prehash: str | None) -> None:
    if prehash is not None and prehash not in PREHASH:
        raise InvalidParameter(f"unknown HashML-DSA pre-hash {prehash!r}; expected one of {sorted(PREHASH)}")


def keygen(params: str, seed: bytes | None = None, backend: str | None = None,
           rng: Callable[[int], bytes] | None = None) -> MLDSAPrivateKey:
    """ML-DSA.KeyGen (FIPS 204 Algorithm 1), or KeyGen_internal(ξ) from a 32-byte `seed`.

    Without a seed, a fresh ξ is drawn (from `rng` if given) on seed-capable backends; backends
    without seed keygen (pqclean, liboqs) return an expanded-only key.
    """
    return generate(MLDSAPrivateKey, "mldsa", mldsa_params(params), seed, backend, rng)


def _expanded(sk: MLDSAPrivateKey, p: MLDSAParams) -> bytes:
    return expanded_form("mldsa", sk, p)


def _private_handle(b: MLDSAOperations, sk: MLDSAPrivateKey, p: MLDSAParams) -> object:
    """The backend's object for `sk` (from the key form it takes), cached on the key."""
    h = sk._handles.get(b.name)
    if h is None:
        h = b.private_handle(p, sk.seed if b.key_form == "seed" else _expanded(sk, p))
        sk._handles[b.name] = h
    return h


def _rnd(deterministic: bool, rng: Callable[[int], bytes] | None, rnd: bytes | None) -> bytes | None:
    """The signer's 32-byte rnd (FIPS 204 Algorithm 2, line 5): 0^32 when deterministic, the
    caller's `rnd` or `rng(32)`, or None for the backend's own fresh randomness (hedged)."""
    if deterministic + (rng is not None) + (rnd is not None) > 1:
        raise InvalidParameter("give at most one of deterministic=True, rnd and rng")
    if deterministic:
        return bytes(32)
    if rng is not None:
        rnd = rng(32)
    if rnd is not None:
        rnd = as_bytes(rnd, "rnd")
        if len(rnd) != 32:
            raise InvalidParameter(f"rnd must be 32 bytes, got {len(rnd)}")
    return rnd


def _signing_key(p: MLDSAParams, sk: MLDSAPrivateKey) -> MLDSAPrivateKey:
    if not isinstance(sk, MLDSAPrivateKey):
        raise InvalidParameter(f"sk must be an MLDSAPrivateKey, got {type(sk).__name__}")
    if sk.params != p.name:
        raise InvalidParameter(f"key is {sk.params} but {p.name} was requested")
    return sk


def _signer(p: MLDSAParams, sk: MLDSAPrivateKey, backend: str | None, ops: tuple[str, ...],
            ctx_len: int = 0) -> MLDSAOperations:
    """The backend that does `ops` for this key's form (and `ctx_len`), named or the first that can."""
    return select_backend("mldsa", ops[0], p, backend, also=ops[1:], ctx_len=ctx_len, key=sk)


def sign(params: str, sk: MLDSAPrivateKey, message: bytes, ctx: bytes = b"", backend: str | None = None,
         deterministic: bool = False, *, prehash: str | None = None,
         rng: Callable[[int], bytes] | None = None, rnd: bytes | None = None) -> bytes:
    """ML-DSA.Sign (FIPS 204 Algorithm 2), or HashML-DSA.Sign (Algorithm 4) with `prehash`.

    Hedged by default (fresh rnd inside the backend); `deterministic=True` uses rnd = 0^32;
    `rnd` (32 bytes) or `rng` supplies rnd (reproducible tests, known-answer vectors).
    """
    p = mldsa_params(params)
    sk = _signing_key(p, sk)
    ctx = _check_ctx(ctx)
    _check_prehash(prehash)
    rnd = _rnd(deterministic, rng, rnd)
    ops = ("sign",) + (("sign_rnd",) if rnd is not None else ()) + (("sign_prehash",) if prehash else ())
    b = _signer(p, sk, backend, ops, len(ctx))
    handle = _private_handle(b, sk, p)
    message = as_bytes(message, "message")
    if prehash is not None:
        return b.sign_prehash(p, handle, sk.public_key.key, message, ctx, prehash, rnd)
    return b.sign(p, handle, sk.public_key.key, message, ctx, rnd)


def _check_mu(mu: bytes) -> bytes:
    mu = as_bytes(mu, "μ")
    if len(mu) != MU_SIZE:
        raise InvalidParameter(f"μ must be {MU_SIZE} bytes, got {len(mu)}")
    return mu


def sign_internal(params: str, sk: MLDSAPrivateKey, message_prime: bytes, *, backend: str | None = None,
                  deterministic: bool = False, rnd: bytes | None = None,
                  rng: Callable[[int], bytes] | None = None) -> bytes:
    """ML-DSA.Sign_internal (FIPS 204 Algorithm 7) on M' exactly as given: no context, no domain
    separation (ML-DSA.Sign builds M' = 0 || |ctx| || ctx || M first). For known-answer tests
    and protocols that build M' themselves; ordinary signing is `sign`. rnd as in `sign`."""
    p = mldsa_params(params)
    sk = _signing_key(p, sk)
    message_prime = as_bytes(message_prime, "M'")
    rnd = _rnd(deterministic, rng, rnd)
    b = _signer(p, sk, backend, ("sign", "sign_internal") + (("sign_rnd",) if rnd is not None else ()))
    return b.sign_internal(p, _private_handle(b, sk, p), sk.public_key.key, message_prime, rnd)


def sign_mu(params: str, sk: MLDSAPrivateKey, mu: bytes, *, backend: str | None = None,
            deterministic: bool = False, rnd: bytes | None = None,
            rng: Callable[[int], bytes] | None = None) -> bytes:
    """Sign an external μ = H(H(pk) || M') (FIPS 204 Algorithm 7 from line 7; §6.2 allows μ to be
    computed elsewhere, e.g. by `external_mu` on the client that holds the message)."""
    p = mldsa_params(params)
    sk = _signing_key(p, sk)
    mu = _check_mu(mu)
    rnd = _rnd(deterministic, rng, rnd)
    b = _signer(p, sk, backend, ("sign", "sign_mu") + (("sign_rnd",) if rnd is not None else ()))
    return b.sign_mu(p, _private_handle(b, sk, p), mu, rnd)


def external_mu(params: str, pk: MLDSAPublicKey | bytes, message: bytes, ctx: bytes = b"", *,
                prehash: str | None = None) -> bytes:
    """μ = H(H(pk) || M') for ML-DSA.Sign (or HashML-DSA.Sign with `prehash`) of `message` under
    `ctx`: what a client computes so that a signer holding only μ (`sign_mu`) signs its message."""
    p = mldsa_params(params)
    key = _public(p, pk)
    ctx = _check_ctx(ctx)
    _check_prehash(prehash)
    return _external_mu(key.key, as_bytes(message, "message"), ctx, prehash)


def _public(p: MLDSAParams, pk: MLDSAPublicKey | bytes) -> MLDSAPublicKey:
    return as_public_key(MLDSAPublicKey, p, pk)


def is_valid(params: str, pk: MLDSAPublicKey | bytes, message: bytes, signature: bytes, ctx: bytes = b"",
             backend: str | None = None, *, prehash: str | None = None) -> bool:
    """Boolean form of `verify` (False also for wrong lengths); bad parameters still raise."""
    try:
        verify(params, pk, message, signature, ctx, backend, prehash=prehash)
    except (VerificationError, InvalidEncoding):
        return False
    return True


def verify(params: str, pk: MLDSAPublicKey | bytes, message: bytes, signature: bytes, ctx: bytes = b"",
           backend: str | None = None, *, prehash: str | None = None) -> None:
    """ML-DSA.Verify (FIPS 204 Algorithm 3) / HashML-DSA.Verify (Algorithm 5); raises VerificationError."""
    p = mldsa_params(params)
    ctx = _check_ctx(ctx)
    _check_prehash(prehash)
    message = as_bytes(message, "message")
    b, key, handle = _verifier(p, pk, signature, backend,
                               ("verify",) + (("verify_prehash",) if prehash else ()), len(ctx))
    ok = (b.verify_prehash(p, handle, key.key, message, bytes(signature), ctx, prehash) if prehash is not None
          else b.verify(p, handle, key.key, message, bytes(signature), ctx))
    if not ok:
        raise VerificationError(f"{p.name} signature does not verify")


def _verifier(p: MLDSAParams, pk: MLDSAPublicKey | bytes, signature: bytes, backend: str | None,
              ops: tuple[str, ...], ctx_len: int = 0) -> tuple[MLDSAOperations, MLDSAPublicKey, object]:
    """The public key, a signature of the right length (else VerificationError), the backend
    doing `ops` and its handle for the key (cached on the key)."""
    key = _public(p, pk)
    if not isinstance(signature, (bytes, bytearray)) or len(signature) != p.signature_size:
        got = len(signature) if isinstance(signature, (bytes, bytearray)) else type(signature).__name__
        raise VerificationError(f"{p.name} signature must be {p.signature_size} bytes, got {got}")
    b = select_backend("mldsa", ops[0], p, backend, also=ops[1:], ctx_len=ctx_len)
    handle = key._handles.get(b.name)
    if handle is None:
        handle = key._handles[b.name] = b.public_handle(p, key.key)
    return b, key, handle


def verify_internal(params: str, pk: MLDSAPublicKey | bytes, message_prime: bytes, signature: bytes,
                    backend: str | None = None) -> None:
    """ML-DSA.Verify_internal (FIPS 204 Algorithm 8) on M' exactly as given; raises VerificationError."""
    p = mldsa_params(params)
    message_prime = as_bytes(message_prime, "M'")
    b, key, handle = _verifier(p, pk, signature, backend, ("verify_internal",))
    if not b.verify_internal(p, handle, key.key, message_prime, bytes(signature)):
        raise VerificationError(f"{p.name} signature does not verify (Verify_internal)")


def verify_mu(params: str, pk: MLDSAPublicKey | bytes, mu: bytes, signature: bytes,
              backend: str | None = None) -> None:
    """Verify a signature against an external μ (FIPS 204 Algorithm 8 from line 8); raises
    VerificationError. μ must have been computed for this public key (`external_mu`)."""
    p = mldsa_params(params)
    mu = _check_mu(mu)
    b, key, handle = _verifier(p, pk, signature, backend, ("verify_mu",))
    if not b.verify_mu(p, handle, key.key, mu, bytes(signature)):
        raise VerificationError(f"{p.name} signature does not verify (external μ)")
