"""FROST threshold Schnorr signatures (RFC 9591) for five ciphersuites plus secp256k1-tr.

    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    key_packages, public = frost.trusted_dealer_keygen(suite, 2, 3)
    sig = frost.sign(suite, [key_packages[1], key_packages[3]], b"msg")
    frost.verify(suite, public.verifying_key, b"msg", sig)   # raises VerificationError

The round functions with RFC names are in `frost.core`; DKG in `frost.dkg`; refresh, reshare and
repair in `frost.lifecycle`; BIP-340/Taproot in `frost.taproot`; parties as state machines in
pqzk.runtime.
"""
from . import core, dkg, lifecycle, taproot
from .api import sign, trusted_dealer_keygen, verify
from .ciphersuite import CIPHERSUITES, Ciphersuite, HashSpec, ciphersuite_names, get_ciphersuite
from .core import (aggregate, aggregate_verified, commit, compute_binding_factors, compute_challenge,
                   compute_group_commitment, derive_interpolating_value, encode_group_commitment_list,
                   nonce_generate, verify_signature, verify_signature_share)
from .types import (KeyPackage, PublicKeyPackage, Signature, SignatureShare, SigningCommitments,
                    SigningNonces)

__all__ = [
    "core", "dkg", "lifecycle", "taproot", "sign", "trusted_dealer_keygen", "verify", "CIPHERSUITES", "Ciphersuite", "HashSpec",
    "ciphersuite_names", "get_ciphersuite", "aggregate", "aggregate_verified", "commit",
    "compute_binding_factors", "compute_challenge", "compute_group_commitment",
    "derive_interpolating_value", "encode_group_commitment_list", "nonce_generate", "verify_signature",
    "verify_signature_share", "KeyPackage", "PublicKeyPackage", "Signature", "SignatureShare",
    "SigningCommitments", "SigningNonces",
]
