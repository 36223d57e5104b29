"""Threshold ML-DSA: T-of-N signing (N ≤ 6) whose output is one standard FIPS 204 signature.

After Celi, del Pino, Espitau, Niot, Prest, "Efficient Threshold ML-DSA" (eprint 2026/013,
USENIX Security 2026), which supersedes Borin et al., eprint 2025/1166; checked against the
authors' Go implementation (same keys from the same seed, same commitments, responses and
signatures from the same randomness). A trusted dealer shares the key with replicated short
secret sharing (`sharing`, `keys`); a quorum of exactly T signers runs three rounds with K
attempts in parallel and hyperball rejection sampling (`hyperball`, `signing`); any ML-DSA
verifier (OpenSSL, liboqs, PQClean, dilithium-py) accepts the result under the FIPS 204 public
key. `pqzk.runtime.tmldsa_parties` runs the rounds as signed sans-I/O parties.
See docs/threshold_mldsa.md for the trust assumptions and limits.
"""
from .keys import KeyShare, ThresholdPublicKey, trusted_dealer_keygen
from .params import ThresholdParams, get_params, supported
from .signing import (Attempt, Combination, LocalSigning, SignerNonce, check_responses, combine, commit, mu_for,
                      respond, sign_local)


def verify(public: ThresholdPublicKey, message: bytes, signature: bytes, ctx: bytes = b"",
           backend: str | None = None) -> None:
    """ML-DSA.Verify of a threshold signature (it is an ordinary FIPS 204 signature)."""
    from ...pq import mldsa
    mldsa.verify(public.params.name, public.public_key, message, signature, ctx, backend)


__all__ = ["KeyShare", "ThresholdPublicKey", "trusted_dealer_keygen", "ThresholdParams", "get_params", "supported",
           "Attempt", "Combination", "LocalSigning", "SignerNonce", "check_responses", "combine", "commit",
           "mu_for", "respond", "sign_local", "verify"]
