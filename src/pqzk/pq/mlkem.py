"""ML-KEM (FIPS 203): keygen (from a 64-byte seed d || z), encaps, decaps over any backend.

Decapsulation keys are held in seed form when known (FIPS 203 §7.1 allows storing d || z) and/or
the expanded dk; backends that need dk get it from the first backend whose KeyGen_internal
gives dk (liboqs where present, else reference; cached).
The FIPS 203 input checks (§7.2 for encapsulation keys, §7.3 for decapsulation keys and
ciphertexts) are pqzk's own (`mlkem_checks`), made when a key is constructed or decoded and
before any backend runs, so every backend sees only well-formed input.
"""
from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import NamedTuple

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from . import pkcs8
from .backend_registry import select_backend
from .keys import PQPrivateKey, PQPublicKey, as_public_key, expanded_form, generate
from .mlkem_checks import (check_ciphertext, check_decapsulation_key, check_encapsulation_key,
                           embedded_encapsulation_key)
from .params import MLKEM, SEED_SIZE_MLKEM, MLKEMParams, mlkem_params

PARAMS = tuple(MLKEM)
SHARED_SECRET_SIZE = 32


class MLKEMPublicKey(PQPublicKey):
    """An ML-KEM encapsulation key, with the FIPS 203 §7.2 checks (length, modulus)."""
    FAMILY = "ML-KEM"
    PARAMETER_SETS = MLKEM
    lookup = staticmethod(mlkem_params)

    def _checked(self, p: MLKEMParams, key: bytes) -> bytes:
        return check_encapsulation_key(p, key)   # FIPS 203 §7.2


class MLKEMPrivateKey(PQPrivateKey):
    """An ML-KEM decapsulation key (seed d || z and/or expanded dk) with its public key. Redacted repr."""
    PUBLIC = MLKEMPublicKey
    SEED_SIZE = SEED_SIZE_MLKEM

    def _checked_expanded(self, p: MLKEMParams, expanded: bytes) -> bytes:
        dk = check_decapsulation_key(p, expanded)                    # FIPS 203 §7.3
        if embedded_encapsulation_key(p, dk) != self.public_key.key:
            raise InvalidEncoding(f"{p.name} decapsulation key embeds another encapsulation key "
                                  "than this private key's public key")
        return dk

    @classmethod
    def from_pkcs8(cls, der: bytes) -> MLKEMPrivateKey:
        """PKCS#8 in any of RFC 9935's forms: seed [0], expandedKey, or both (which must agree);
        an expanded dk gets the FIPS 203 §7.3 checks."""
        oid, octets = pkcs8.decode_pkcs8(der, _OID_TO_PARAMS, "ML-KEM")
        p = mlkem_params(_OID_TO_PARAMS[oid])
        seed, expanded = pkcs8.decode_seed_or_expanded(octets, "ML-KEM")
        if seed is None:
            dk = check_decapsulation_key(p, expanded)
            return cls(p.name, MLKEMPublicKey(p.name, embedded_encapsulation_key(p, dk)), expanded=dk)
        key = keygen(p.name, seed=seed)
        if expanded is not None and not hmac.compare_digest(bytes(expanded), _expanded(key, p)):
            raise InvalidEncoding("ML-KEM PKCS#8: the expanded key does not match the seed (both form)")
        return key


_OID_TO_PARAMS = MLKEMPublicKey.oid_to_params()


class Encapsulation(NamedTuple):
    shared_secret: bytes
    ciphertext: bytes


def keygen(params: str, seed: bytes | None = None, backend: str | None = None,
           rng: Callable[[int], bytes] | None = None) -> MLKEMPrivateKey:
    """ML-KEM.KeyGen (FIPS 203 Algorithm 19), or KeyGen_internal(d, z) from a 64-byte seed.

    Without a seed, a fresh d || z is drawn (from `rng` if given) on seed-capable backends; a backend
    without seed keygen (pqclean) returns an expanded-only key and refuses `rng` (it cannot use it).
    """
    return generate(MLKEMPrivateKey, "mlkem", mlkem_params(params), seed, backend, rng, " (d || z)")


def _public(p: MLKEMParams, pk) -> MLKEMPublicKey:
    return as_public_key(MLKEMPublicKey, p, pk, "encapsulation key")


def encaps(params: str, pk: MLKEMPublicKey | bytes, backend: str | None = None, *, m: bytes | None = None,
           rng: Callable[[int], bytes] | None = None) -> Encapsulation:
    """ML-KEM.Encaps (FIPS 203 Algorithm 20); `m` (32 bytes) or `rng` gives Encaps_internal's randomness."""
    p = mlkem_params(params)
    key = _public(p, pk)
    if m is None and rng is not None:
        m = rng(32)
    if m is not None:
        m = as_bytes(m, "encapsulation randomness m")
    if m is not None and len(m) != 32:
        raise InvalidParameter(f"encapsulation randomness m must be 32 bytes, got {len(m)}")
    b = select_backend("mlkem", "encaps", p, backend, also=("encaps_derand",) if m is not None else ())
    ss, ct = b.encaps(p, key.key, m)
    return Encapsulation(ss, ct)


def _expanded(sk: MLKEMPrivateKey, p: MLKEMParams) -> bytes:
    return expanded_form("mlkem", sk, p)


def decaps(params: str, sk: MLKEMPrivateKey, ciphertext: bytes, backend: str | None = None) -> bytes:
    """ML-KEM.Decaps (FIPS 203 Algorithm 21): implicit rejection, so a wrong ciphertext of the
    right length yields a pseudorandom key rather than an error; a wrong length raises.

    The §7.3 input checks are made before any backend runs: the ciphertext's type and length
    here; the decapsulation key's length, hash check and embedded key's modulus check when `sk`
    was built and again before a backend first sees its dk."""
    p = mlkem_params(params)
    if not isinstance(sk, MLKEMPrivateKey) or sk.params != p.name:
        raise InvalidParameter(f"sk must be an {p.name} MLKEMPrivateKey")
    ciphertext = check_ciphertext(p, ciphertext)
    b = select_backend("mlkem", "decaps", p, backend, key=sk)
    h = sk._handles.get(b.name)
    if h is None:
        if b.key_form == "seed":
            material = sk.seed
        else:   # the §7.3 checks once more, right before a backend first sees this dk
            material = check_decapsulation_key(p, _expanded(sk, p))
        h = sk._handles[b.name] = b.private_handle(p, material)
    return b.decaps(p, h, ciphertext)
