"""ML-DSA (FIPS 204): keygen / sign / verify over any backend, with strict input checks.

Private keys are held in the 32-byte seed form ξ (FIPS 204 §3.6.3 / Algorithm 6) when known,
and/or the expanded skEncode form; backends that need the expanded form get it from the
reference KeyGen_internal (cached per key). Signing is hedged by default; `deterministic=True`
uses rnd = 0^32 and `rng` supplies rnd explicitly (both need a backend that accepts rnd).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from ..math.rand import random_bytes
from . import _der
from . import backend_registry as _b
from .params import MAX_CONTEXT, MLDSA, SEED_SIZE_MLDSA, MLDSAParams, mldsa_params

PARAMS = tuple(MLDSA)


@dataclass(frozen=True, eq=False)
class MLDSAPublicKey:
    params: str
    key: bytes
    _handles: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        p = mldsa_params(self.params)
        key = as_bytes(self.key, f"{p.name} public key")
        if len(key) != p.public_key_size:
            raise InvalidEncoding(f"{p.name} public key must be {p.public_key_size} bytes, got {len(key)}")
        object.__setattr__(self, "key", key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MLDSAPublicKey) and (self.params, self.key) == (other.params, other.key)

    def __hash__(self) -> int:
        return hash((self.params, self.key))

    def to_bytes(self) -> bytes:
        return self.key

    @classmethod
    def from_bytes(cls, params: str, data: bytes) -> MLDSAPublicKey:
        return cls(mldsa_params(params).name, data)

    def __repr__(self) -> str:
        return f"MLDSAPublicKey({self.params}, {self.key[:8].hex()}…)"

    def to_spki(self) -> bytes:
        """SubjectPublicKeyInfo, parameters absent (RFC 9881 §4)."""
        return _der.seq(_der.seq(_der.oid(mldsa_params(self.params).oid)), _der.bit_string(self.key))

    @classmethod
    def from_spki(cls, der: bytes) -> MLDSAPublicKey:
        oid, body = _decode_alg_wrapper(der, "SPKI", _der.BIT_STRING)
        if not body or body[0] != 0:
            raise InvalidEncoding("SPKI: BIT STRING must have 0 unused bits")
        return cls(oid, body[1:])


@dataclass(frozen=True, eq=False)
class MLDSAPrivateKey:
    """An ML-DSA signing key: seed ξ and/or expanded form, plus its public key. Redacted repr."""
    params: str
    public_key: MLDSAPublicKey
    seed: bytes | None = None
    expanded: bytes | None = None
    _handles: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        p = mldsa_params(self.params)
        if self.seed is None and self.expanded is None:
            raise InvalidParameter("an ML-DSA private key needs its seed or its expanded form")
        if self.seed is not None and len(self.seed) != SEED_SIZE_MLDSA:
            raise InvalidEncoding(f"{p.name} private seed must be {SEED_SIZE_MLDSA} bytes, got {len(self.seed)}")
        if self.expanded is not None and len(self.expanded) != p.expanded_key_size:
            raise InvalidEncoding(f"{p.name} expanded private key must be {p.expanded_key_size} bytes, got {len(self.expanded)}")
        if self.public_key.params != p.name:
            raise InvalidParameter(f"public key is {self.public_key.params}, private key is {p.name}")

    def __repr__(self) -> str:
        form = "seed" if self.seed is not None else "expanded"
        return f"MLDSAPrivateKey({self.params}, {form} form, <redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        import hmac
        return (isinstance(other, MLDSAPrivateKey) and self.public_key == other.public_key
                and hmac.compare_digest(self.seed or b"", other.seed or b""))

    def __hash__(self) -> int:
        return hash(self.public_key)


    def to_pkcs8(self) -> bytes:
        """OneAsymmetricKey v0 with the seed-only private key choice [0x80 seed] (RFC 9881 §6)."""
        if self.seed is None:
            raise InvalidParameter("only seed-form ML-DSA keys serialize to PKCS#8 here")
        return _der.seq(_der.integer(0), _der.seq(_der.oid(mldsa_params(self.params).oid)),
                        _der.tlv(_der.OCTET_STRING, _der.tlv(0x80, self.seed)))

    @classmethod
    def from_pkcs8(cls, der: bytes, backend: str | None = None) -> MLDSAPrivateKey:
        """Seed-only PKCS#8 (RFC 9881); the expanded and both forms are refused (say so)."""
        params, inner = _decode_alg_wrapper(der, "PKCS#8", _der.OCTET_STRING, version=True)
        tag, seed, end = _der.read(inner)
        if tag != 0x80 or end != len(inner):
            raise InvalidEncoding("PKCS#8: only the seed-only ML-DSA private key form [0] is accepted")
        return keygen(params, seed=seed, backend=backend)


_OID_TO_PARAMS = {p.oid: p.name for p in MLDSA.values()}


def _decode_alg_wrapper(der: bytes, what: str, body_tag: int, version: bool = False) -> tuple[str, bytes]:
    items = _der.items(_der.read_all(der, _der.SEQUENCE))  # read_all refuses non-bytes (bytes(n) would not)
    if version:
        if not items or items[0] != (_der.INTEGER, b"\x00"):
            raise InvalidEncoding(f"{what}: version must be 0")
        items = items[1:]
    if len(items) != 2 or items[0][0] != _der.SEQUENCE or items[1][0] != body_tag:
        raise InvalidEncoding(f"{what}: expected AlgorithmIdentifier and key")
    alg = _der.items(items[0][1])
    if len(alg) != 1 or alg[0][0] != _der.OID:
        raise InvalidEncoding(f"{what}: ML-DSA AlgorithmIdentifier must be an OID with parameters absent")
    oid = _der.decode_oid(alg[0][1])
    if oid not in _OID_TO_PARAMS:
        raise InvalidEncoding(f"{what}: {oid} is not an ML-DSA OID")
    return _OID_TO_PARAMS[oid], items[1][1]


def _check_ctx(ctx: bytes) -> bytes:
    if not isinstance(ctx, (bytes, bytearray)):
        raise InvalidParameter(f"context must be bytes, got {type(ctx).__name__}")
    if len(ctx) > MAX_CONTEXT:
        raise InvalidParameter(f"context string is {len(ctx)} bytes; FIPS 204 allows at most {MAX_CONTEXT}")
    return bytes(ctx)


def _check_prehash(prehash: str | None) -> None:
    if prehash is not None and prehash not in _b.PREHASH:
        raise InvalidParameter(f"unknown HashML-DSA pre-hash {prehash!r}; expected one of {sorted(_b.PREHASH)}")


def keygen(params: str, seed: bytes | None = None, backend: str | None = None,
           rng: Callable[[int], bytes] | None = None) -> MLDSAPrivateKey:
    """ML-DSA.KeyGen (FIPS 204 Algorithm 1), or KeyGen_internal(ξ) from a 32-byte `seed`.

    Without a seed, a fresh ξ is drawn (from `rng` if given) on seed-capable backends; backends
    without seed keygen (pqclean, liboqs) return an expanded-only key.
    """
    p = mldsa_params(params)
    if seed is not None:
        if not isinstance(seed, (bytes, bytearray)) or len(seed) != SEED_SIZE_MLDSA:
            got = len(seed) if isinstance(seed, (bytes, bytearray)) else type(seed).__name__
            raise InvalidEncoding(f"{p.name} seed must be {SEED_SIZE_MLDSA} bytes, got {got}")
        b = _b.select("mldsa.keygen_seed", p, backend)
    else:
        b = _b.select("mldsa.keygen", p, backend)
    if b.supports("mldsa.keygen_seed", p):
        seed = bytes(seed) if seed is not None else random_bytes(SEED_SIZE_MLDSA, rng)
        pk, expanded, handle = b.mldsa_keygen_seed(p, seed)
        sk = MLDSAPrivateKey(p.name, MLDSAPublicKey(p.name, pk), seed=seed, expanded=expanded)
        sk._handles[b.name] = handle
        return sk
    if rng is not None:
        raise InvalidParameter(f"backend {b.name!r} draws its own keygen randomness; it cannot use rng")
    pk, expanded = b.mldsa_keygen_random(p)
    return MLDSAPrivateKey(p.name, MLDSAPublicKey(p.name, pk), expanded=expanded)


def _expanded(sk: MLDSAPrivateKey, p: MLDSAParams) -> bytes:
    if sk.expanded is not None:
        return sk.expanded
    cached = sk._handles.get("_expanded")
    if cached is None:
        ref = _b.select("mldsa.expand", p, None)
        _, cached, _ = ref.mldsa_keygen_seed(p, sk.seed)
        sk._handles["_expanded"] = cached
    return cached


def _can_use_key(b: _b.PQBackend, sk: MLDSAPrivateKey, p: MLDSAParams) -> bool:
    if b.supports("mldsa.sign_from_seed", p):
        return sk.seed is not None
    return b.supports("mldsa.sign_from_expanded", p)


def _private_handle(b: _b.PQBackend, sk: MLDSAPrivateKey, p: MLDSAParams):
    h = sk._handles.get(b.name)
    if h is None:
        h = b.mldsa_private_handle(p, sk.seed if b.supports("mldsa.sign_from_seed", p) else _expanded(sk, p))
        sk._handles[b.name] = h
    return h


def _signer(p: MLDSAParams, sk: MLDSAPrivateKey, backend: str | None, caps: tuple[str, ...],
            ctx_len: int) -> _b.PQBackend:
    if backend is not None:
        b = _b.select("mldsa.sign", p, backend, also=caps, ctx_len=ctx_len)
        if not _can_use_key(b, sk, p):
            raise InvalidParameter(f"backend {backend!r} signs only from the 32-byte seed form; this key holds only the expanded form")
        return b
    for name in _b.BACKENDS:
        b = _b.BACKENDS[name]
        if (_b.status(name).usable and all(b.supports(c, p) for c in ("mldsa.sign", *caps))
                and _can_use_key(b, sk, p) and ctx_len <= b.max_context):
            return b
    raise InvalidParameter(f"no usable backend can sign with {', '.join(('mldsa.sign', *caps))} for {p.name} with this key form")


def sign(params: str, sk: MLDSAPrivateKey, message: bytes, ctx: bytes = b"", backend: str | None = None,
         deterministic: bool = False, *, prehash: str | None = None,
         rng: Callable[[int], bytes] | None = None) -> bytes:
    """ML-DSA.Sign (FIPS 204 Algorithm 2), or HashML-DSA.Sign (Algorithm 4) with `prehash`.

    Hedged by default (fresh rnd inside the backend); `deterministic=True` uses rnd = 0^32;
    `rng` supplies the 32-byte rnd (reproducible tests).
    """
    p = mldsa_params(params)
    if not isinstance(sk, MLDSAPrivateKey):
        raise InvalidParameter(f"sk must be an MLDSAPrivateKey, got {type(sk).__name__}")
    if sk.params != p.name:
        raise InvalidParameter(f"key is {sk.params} but {p.name} was requested")
    ctx = _check_ctx(ctx)
    _check_prehash(prehash)
    if deterministic and rng is not None:
        raise InvalidParameter("deterministic=True and rng are exclusive")
    rnd = bytes(32) if deterministic else (rng(32) if rng is not None else None)
    caps = (("mldsa.sign_rnd",) if rnd is not None else ()) + (("mldsa.sign_prehash",) if prehash else ())
    b = _signer(p, sk, backend, caps, len(ctx))
    handle = _private_handle(b, sk, p)
    if rnd is not None:
        return b.mldsa_sign(p, handle, sk.public_key.key, as_bytes(message, "message"), ctx, prehash, rnd)
    return b.mldsa_sign(p, handle, sk.public_key.key, as_bytes(message, "message"), ctx, prehash)


def _public(p: MLDSAParams, pk: MLDSAPublicKey | bytes) -> MLDSAPublicKey:
    if isinstance(pk, MLDSAPublicKey):
        if pk.params != p.name:
            raise InvalidParameter(f"public key is {pk.params} but {p.name} was requested")
        return pk
    if isinstance(pk, (bytes, bytearray, memoryview)):
        return MLDSAPublicKey(p.name, pk)
    raise InvalidParameter(f"public key must be MLDSAPublicKey or bytes, got {type(pk).__name__}")


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
    key = _public(p, pk)
    if not isinstance(signature, (bytes, bytearray)) or len(signature) != p.signature_size:
        got = len(signature) if isinstance(signature, (bytes, bytearray)) else type(signature).__name__
        raise VerificationError(f"{p.name} signature must be {p.signature_size} bytes, got {got}")
    b = _b.select("mldsa.verify", p, backend, also=("mldsa.verify_prehash",) if prehash else (),
                  ctx_len=len(ctx))
    handle = key._handles.get(b.name)
    if handle is None:
        handle = key._handles[b.name] = b.mldsa_public_handle(p, key.key)
    if not b.mldsa_verify(p, handle, key.key, as_bytes(message, "message"), bytes(signature), ctx, prehash):
        raise VerificationError(f"{p.name} signature does not verify")
