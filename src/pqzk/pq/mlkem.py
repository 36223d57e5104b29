"""ML-KEM (FIPS 203): keygen (from a 64-byte seed d || z), encaps, decaps over any backend.

Decapsulation keys are held in seed form when known (FIPS 203 §7.1 allows storing d || z) and/or
the expanded dk; backends that need dk get it from the reference KeyGen_internal (cached).
The FIPS 203 input checks (§7.2 for encapsulation keys, §7.3 for decapsulation keys and
ciphertexts) are pqzk's own (`mlkem_checks`), made when a key is constructed or decoded and
before any backend runs, so every backend sees only well-formed input.
"""
from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from ..math.rand import random_bytes
from . import backend_registry as _b
from . import pkcs8
from .mlkem_checks import (check_ciphertext, check_decapsulation_key, check_encapsulation_key,
                           embedded_encapsulation_key)
from .params import MLKEM, SEED_SIZE_MLKEM, MLKEMParams, mlkem_params

PARAMS = tuple(MLKEM)
SHARED_SECRET_SIZE = 32


@dataclass(frozen=True, eq=False)
class MLKEMPublicKey:
    params: str
    key: bytes

    def __post_init__(self) -> None:
        p = mlkem_params(self.params)
        object.__setattr__(self, "key", check_encapsulation_key(p, self.key))   # FIPS 203 §7.2

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MLKEMPublicKey) and (self.params, self.key) == (other.params, other.key)

    def __hash__(self) -> int:
        return hash((self.params, self.key))

    def to_bytes(self) -> bytes:
        """The FIPS 203 encapsulation key encoding."""
        return self.key

    @classmethod
    def from_bytes(cls, params: str, data: bytes) -> MLKEMPublicKey:
        """An encapsulation key of parameter set `params` from its FIPS 203 encoding (length checked)."""
        return cls(mlkem_params(params).name, data)

    def __repr__(self) -> str:
        return f"MLKEMPublicKey({self.params}, {self.key[:8].hex()}…)"

    def to_spki(self) -> bytes:
        """SubjectPublicKeyInfo with the FIPS 203 OID, parameters absent (RFC 9935 §4)."""
        return pkcs8.encode_spki(mlkem_params(self.params).oid, self.key)

    @classmethod
    def from_spki(cls, der: bytes) -> MLKEMPublicKey:
        """An encapsulation key from a DER SubjectPublicKeyInfo with a FIPS 203 OID."""
        oid, key = pkcs8.decode_spki(der, _OID_TO_PARAMS, "ML-KEM")
        return cls(_OID_TO_PARAMS[oid], key)


@dataclass(frozen=True, eq=False)
class MLKEMPrivateKey:
    """An ML-KEM decapsulation key (seed d || z and/or expanded dk) with its public key. Redacted repr."""
    params: str
    public_key: MLKEMPublicKey
    seed: bytes | None = None
    expanded: bytes | None = None
    _handles: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        p = mlkem_params(self.params)
        if not isinstance(self.public_key, MLKEMPublicKey) or self.public_key.params != p.name:
            raise InvalidParameter(f"an {p.name} private key needs its {p.name} MLKEMPublicKey")
        if self.seed is None and self.expanded is None:
            raise InvalidParameter("an ML-KEM private key needs its seed or its expanded form")
        if self.seed is not None:
            seed = as_bytes(self.seed, f"{p.name} seed")
            if len(seed) != SEED_SIZE_MLKEM:
                raise InvalidEncoding(f"{p.name} seed must be {SEED_SIZE_MLKEM} bytes, got {len(seed)}")
            object.__setattr__(self, "seed", seed)
        if self.expanded is not None:
            dk = check_decapsulation_key(p, self.expanded)                    # FIPS 203 §7.3
            if embedded_encapsulation_key(p, dk) != self.public_key.key:
                raise InvalidEncoding(f"{p.name} decapsulation key embeds another encapsulation key "
                                      "than this private key's public key")
            object.__setattr__(self, "expanded", dk)

    def __repr__(self) -> str:
        return f"MLKEMPrivateKey({self.params}, {'seed' if self.seed else 'expanded'} form, <redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, MLKEMPrivateKey) and self.public_key == other.public_key
                and hmac.compare_digest(self.seed or b"", other.seed or b""))

    def __hash__(self) -> int:
        return hash(self.public_key)

    def to_pkcs8(self) -> bytes:
        """OneAsymmetricKey v0 (RFC 9935 §6): the seed form [0] (d || z) when the seed is known,
        else the expandedKey form (dk)."""
        return pkcs8.encode_pkcs8(mlkem_params(self.params).oid, pkcs8.encode_seed_or_expanded(self.seed, self.expanded))

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


_OID_TO_PARAMS = {p.oid: p.name for p in MLKEM.values()}


class Encapsulation(NamedTuple):
    shared_secret: bytes
    ciphertext: bytes


def keygen(params: str, seed: bytes | None = None, backend: str | None = None,
           rng: Callable[[int], bytes] | None = None) -> MLKEMPrivateKey:
    """ML-KEM.KeyGen (FIPS 203 Algorithm 19), or KeyGen_internal(d, z) from a 64-byte seed."""
    p = mlkem_params(params)
    if seed is not None:
        if not isinstance(seed, (bytes, bytearray)) or len(seed) != SEED_SIZE_MLKEM:
            got = len(seed) if isinstance(seed, (bytes, bytearray)) else type(seed).__name__
            raise InvalidEncoding(f"{p.name} seed must be {SEED_SIZE_MLKEM} bytes (d || z), got {got}")
        b = _b.select("mlkem.keygen_seed", p, backend)
    else:
        b = _b.select("mlkem.keygen", p, backend)
    if b.supports("mlkem.keygen_seed", p):
        seed = bytes(seed) if seed is not None else random_bytes(SEED_SIZE_MLKEM, rng)
        ek, dk, handle = b.mlkem_keygen_seed(p, seed)
        sk = MLKEMPrivateKey(p.name, MLKEMPublicKey(p.name, ek), seed=seed, expanded=dk)
        if handle is not None:
            sk._handles[b.name] = handle
        return sk
    ek, dk = b.mlkem_keygen_random(p)
    return MLKEMPrivateKey(p.name, MLKEMPublicKey(p.name, ek), expanded=dk)


def _public(p: MLKEMParams, pk) -> MLKEMPublicKey:
    if isinstance(pk, MLKEMPublicKey):
        if pk.params != p.name:
            raise InvalidParameter(f"encapsulation key is {pk.params} but {p.name} was requested")
        return pk
    if isinstance(pk, (bytes, bytearray, memoryview)):
        return MLKEMPublicKey(p.name, pk)
    raise InvalidParameter(f"encapsulation key must be MLKEMPublicKey or bytes, got {type(pk).__name__}")


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
    b = _b.select("mlkem.encaps", p, backend, also=("mlkem.encaps_derand",) if m is not None else ())
    ss, ct = b.mlkem_encaps(p, key.key, m)
    return Encapsulation(ss, ct)


def _expanded(sk: MLKEMPrivateKey, p: MLKEMParams) -> bytes:
    if sk.expanded is not None:
        return sk.expanded
    cached = sk._handles.get("_expanded")
    if cached is None:
        _, cached, _ = _b.select("mlkem.expand", p, None).mlkem_keygen_seed(p, sk.seed)
        sk._handles["_expanded"] = cached
    return cached


def _usable(b: _b.PQBackend, sk: MLKEMPrivateKey, p: MLKEMParams) -> bool:
    if b.supports("mlkem.decaps_from_seed", p):
        return sk.seed is not None
    return b.supports("mlkem.decaps_from_expanded", p)


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
    if backend is not None:
        b = _b.select("mlkem.decaps", p, backend)
        if not _usable(b, sk, p):
            raise InvalidParameter(f"backend {backend!r} decapsulates only from the 64-byte seed form; this key has only dk")
    else:
        b = next((_b.BACKENDS[n] for n in _b.BACKENDS if _b.status(n).usable
                  and _b.BACKENDS[n].supports("mlkem.decaps", p) and _usable(_b.BACKENDS[n], sk, p)), None)
        if b is None:
            raise InvalidParameter(f"no usable backend can decapsulate {p.name} with this key form")
    h = sk._handles.get(b.name)
    if h is None:
        if b.supports("mlkem.decaps_from_seed", p):
            material = sk.seed
        else:   # the §7.3 checks once more, right before a backend first sees this dk
            material = check_decapsulation_key(p, _expanded(sk, p))
        h = sk._handles[b.name] = b.mlkem_private_handle(p, material)
    return b.mlkem_decaps(p, h, ciphertext)
