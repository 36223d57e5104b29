"""Composite ML-DSA signatures, draft-ietf-lamps-pq-composite-sigs-19.

A composite signature is an ML-DSA signature and a traditional signature over one message
representative (draft §4.2 / §4.3):

    M' = Prefix || Label || len(ctx) || ctx || PH(M)
    mldsaSig = ML-DSA.Sign(mldsaSK, M', ctx=Label);  tradSig = Trad.Sign(tradSK, M')
    signature = mldsaSig || tradSig

Both must verify. Keys and signatures serialize as ML-DSA part (fixed length) || traditional
part (draft §5); SPKI and PKCS#8 carry the composite OID with absent parameters (draft §6).
The ML-DSA private part is its 32-byte seed.
"""
from __future__ import annotations

import hashlib
import hmac
from contextlib import contextmanager
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from . import _der, mldsa, pkcs8
from .params import MAX_CONTEXT, MLDSA

PREFIX = b"CompositeAlgorithmSignatures2025"   # draft -19 §4.1 ("436f6d70...32303235")


@dataclass(frozen=True)
class CompositeAlgorithm:
    """One row of the draft's algorithm table (algParams.md): names, OID, pre-hash, components."""
    name: str             # "id-MLDSA65-ECDSA-P256-SHA512"
    oid: str
    label: bytes
    prehash: str          # "SHA256" | "SHA512" | "SHAKE256"
    mldsa: str            # "ML-DSA-65"
    trad: str             # "rsa-pss" | "rsa-pkcs15" | "ecdsa" | "ed25519" | "ed448"
    trad_hash: str = ""   # hash inside the traditional signature (ECDSA / RSA)
    curve: str = ""       # ECDSA curve name (cryptography class name)
    rsa_bits: int = 0

    def ph(self, message: bytes) -> bytes:
        """The algorithm's pre-hash of the message (SHA-256, SHA-512 or SHAKE256 to 64 bytes), as the
        composite draft prescribes."""
        if self.prehash == "SHA256":
            return hashlib.sha256(message).digest()
        if self.prehash == "SHA512":
            return hashlib.sha512(message).digest()
        return hashlib.shake_256(message).digest(64)   # SHAKE256/64 (Ed448 combination)

    @property
    def short(self) -> str:
        """The algorithm's name without the `id-` prefix."""
        return self.name.removeprefix("id-")


def _a(name, n, label, ph, dsa, trad, h="", curve="", bits=0):
    return CompositeAlgorithm(name, f"1.3.6.1.5.5.7.6.{n}", label.encode(), ph, dsa, trad, h, curve, bits)


ALGORITHMS: dict[str, CompositeAlgorithm] = {a.name: a for a in (
    _a("id-MLDSA44-RSA2048-PSS-SHA256", 37, "COMPSIG-MLDSA44-RSA2048-PSS-SHA256", "SHA256", "ML-DSA-44", "rsa-pss", "SHA256", bits=2048),
    _a("id-MLDSA44-RSA2048-PKCS15-SHA256", 38, "COMPSIG-MLDSA44-RSA2048-PKCS15-SHA256", "SHA256", "ML-DSA-44", "rsa-pkcs15", "SHA256", bits=2048),
    _a("id-MLDSA44-Ed25519-SHA512", 39, "COMPSIG-MLDSA44-Ed25519-SHA512", "SHA512", "ML-DSA-44", "ed25519"),
    _a("id-MLDSA44-ECDSA-P256-SHA256", 40, "COMPSIG-MLDSA44-ECDSA-P256-SHA256", "SHA256", "ML-DSA-44", "ecdsa", "SHA256", "SECP256R1"),
    _a("id-MLDSA65-RSA3072-PSS-SHA512", 41, "COMPSIG-MLDSA65-RSA3072-PSS-SHA512", "SHA512", "ML-DSA-65", "rsa-pss", "SHA256", bits=3072),
    _a("id-MLDSA65-RSA3072-PKCS15-SHA512", 42, "COMPSIG-MLDSA65-RSA3072-PKCS15-SHA512", "SHA512", "ML-DSA-65", "rsa-pkcs15", "SHA256", bits=3072),
    _a("id-MLDSA65-RSA4096-PSS-SHA512", 43, "COMPSIG-MLDSA65-RSA4096-PSS-SHA512", "SHA512", "ML-DSA-65", "rsa-pss", "SHA384", bits=4096),
    _a("id-MLDSA65-RSA4096-PKCS15-SHA512", 44, "COMPSIG-MLDSA65-RSA4096-PKCS15-SHA512", "SHA512", "ML-DSA-65", "rsa-pkcs15", "SHA384", bits=4096),
    _a("id-MLDSA65-ECDSA-P256-SHA512", 45, "COMPSIG-MLDSA65-ECDSA-P256-SHA512", "SHA512", "ML-DSA-65", "ecdsa", "SHA256", "SECP256R1"),
    _a("id-MLDSA65-ECDSA-P384-SHA512", 46, "COMPSIG-MLDSA65-ECDSA-P384-SHA512", "SHA512", "ML-DSA-65", "ecdsa", "SHA384", "SECP384R1"),
    _a("id-MLDSA65-ECDSA-brainpoolP256r1-SHA512", 47, "COMPSIG-MLDSA65-ECDSA-BP256-SHA512", "SHA512", "ML-DSA-65", "ecdsa", "SHA256", "BrainpoolP256R1"),
    _a("id-MLDSA65-Ed25519-SHA512", 48, "COMPSIG-MLDSA65-Ed25519-SHA512", "SHA512", "ML-DSA-65", "ed25519"),
    _a("id-MLDSA87-ECDSA-P384-SHA512", 49, "COMPSIG-MLDSA87-ECDSA-P384-SHA512", "SHA512", "ML-DSA-87", "ecdsa", "SHA384", "SECP384R1"),
    _a("id-MLDSA87-ECDSA-brainpoolP384r1-SHA512", 50, "COMPSIG-MLDSA87-ECDSA-BP384-SHA512", "SHA512", "ML-DSA-87", "ecdsa", "SHA384", "BrainpoolP384R1"),
    _a("id-MLDSA87-Ed448-SHAKE256", 51, "COMPSIG-MLDSA87-Ed448-SHAKE256", "SHAKE256", "ML-DSA-87", "ed448"),
    _a("id-MLDSA87-RSA3072-PSS-SHA512", 52, "COMPSIG-MLDSA87-RSA3072-PSS-SHA512", "SHA512", "ML-DSA-87", "rsa-pss", "SHA256", bits=3072),
    _a("id-MLDSA87-RSA4096-PSS-SHA512", 53, "COMPSIG-MLDSA87-RSA4096-PSS-SHA512", "SHA512", "ML-DSA-87", "rsa-pss", "SHA384", bits=4096),
    _a("id-MLDSA87-ECDSA-P521-SHA512", 54, "COMPSIG-MLDSA87-ECDSA-P521-SHA512", "SHA512", "ML-DSA-87", "ecdsa", "SHA512", "SECP521R1"),
)}
BY_OID = {a.oid: a for a in ALGORITHMS.values()}
_NAMES_BY_OID = {a.oid: a.short for a in ALGORITHMS.values()}
_HASH = {"SHA256": hashes.SHA256, "SHA384": hashes.SHA384, "SHA512": hashes.SHA512}


def get_algorithm(alg: str | CompositeAlgorithm) -> CompositeAlgorithm:
    """The composite algorithm by name (with or without `id-`); `InvalidParameter` naming the known ones
    otherwise."""
    if isinstance(alg, CompositeAlgorithm):
        return alg
    for key in (alg, f"id-{alg}"):
        if key in ALGORITHMS:
            return ALGORITHMS[key]
    raise InvalidParameter(f"unknown composite algorithm {alg!r}; expected one of {sorted(ALGORITHMS)}")


def message_representative(alg: str | CompositeAlgorithm, message: bytes, ctx: bytes = b"") -> bytes:
    """M' = Prefix || Label || len(ctx) || ctx || PH(M)   (draft -19 §4.2, step 2)."""
    a = get_algorithm(alg)
    ctx = as_bytes(ctx, "context")
    if len(ctx) > MAX_CONTEXT:
        raise InvalidParameter(f"context string is {len(ctx)} bytes; at most {MAX_CONTEXT} allowed")
    return PREFIX + a.label + bytes([len(ctx)]) + ctx + a.ph(as_bytes(message, "message"))


# -- traditional component ------------------------------------------------------------------

def _pss(a: CompositeAlgorithm) -> padding.PSS:
    h = _HASH[a.trad_hash]()
    return padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size)   # draft §7.2 RSASSA-PSS params


# EdDSA keys are raw bytes of one fixed length: name, length, public and private key classes
_EDDSA = {"ed25519": ("Ed25519", 32, ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey),
          "ed448": ("Ed448", 57, ed448.Ed448PublicKey, ed448.Ed448PrivateKey)}


def _load_eddsa(a: CompositeAlgorithm, data: bytes, kind: str):
    """An Ed25519/Ed448 `kind` ("public" or "private") key from its raw bytes (ValueError if not)."""
    name, size, public, private = _EDDSA[a.trad]
    if len(data) != size:
        raise ValueError(f"{name} {kind} key must be {size} bytes")
    return public.from_public_bytes(data) if kind == "public" else private.from_private_bytes(data)


@contextmanager
def _rejected(a: CompositeAlgorithm, kind: str):
    """What the traditional key loaders raise: any parsing failure becomes InvalidEncoding naming
    the algorithm and whether the `kind` ("public", "private") key was rejected."""
    try:
        yield
    except (ValueError, TypeError, UnsupportedAlgorithm, InvalidEncoding) as exc:
        raise InvalidEncoding(f"{a.short}: traditional {kind} key rejected ({exc})") from None


def _load_trad_public(a: CompositeAlgorithm, data: bytes):
    with _rejected(a, "public"):
        if a.trad in _EDDSA:
            return _load_eddsa(a, data, "public")
        if a.trad == "ecdsa":
            if not data or data[0] != 0x04:
                raise ValueError("ECDSA public key must be an uncompressed point")
            return ec.EllipticCurvePublicKey.from_encoded_point(getattr(ec, a.curve)(), data)
        key = serialization.load_der_public_key(_der.seq(_der.seq(_der.oid("1.2.840.113549.1.1.1"), b"\x05\x00"),
                                                          _der.bit_string(data)))
        if not isinstance(key, rsa.RSAPublicKey) or key.key_size != a.rsa_bits:
            raise ValueError(f"RSA public key must be {a.rsa_bits} bits")
        _der.read_all(data, _der.SEQUENCE)   # RSAPublicKey, no trailing bytes
        return key


def _trad_public_bytes(a: CompositeAlgorithm, key) -> bytes:
    if a.trad in ("ed25519", "ed448"):
        return key.public_bytes_raw()
    if a.trad == "ecdsa":
        return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def _load_trad_private(a: CompositeAlgorithm, data: bytes):
    with _rejected(a, "private"):
        if a.trad in _EDDSA:
            return _load_eddsa(a, data, "private")
        _der.read_all(data, _der.SEQUENCE)
        key = serialization.load_der_private_key(data, password=None)   # RSAPrivateKey / ECPrivateKey
        if a.trad == "ecdsa" and not (isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == getattr(ec, a.curve).name):
            raise ValueError(f"expected an ECPrivateKey on {getattr(ec, a.curve).name}")
        if a.trad.startswith("rsa") and not (isinstance(key, rsa.RSAPrivateKey) and key.key_size == a.rsa_bits):
            raise ValueError(f"expected a {a.rsa_bits}-bit RSAPrivateKey")
        return key


def _trad_private_bytes(a: CompositeAlgorithm, key) -> bytes:
    if a.trad in ("ed25519", "ed448"):
        return key.private_bytes_raw()
    fmt = serialization.PrivateFormat.TraditionalOpenSSL   # RSAPrivateKey (RFC 8017) / ECPrivateKey (RFC 5915)
    return key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption())


def _trad_sign(a: CompositeAlgorithm, key, m: bytes) -> bytes:
    if a.trad in ("ed25519", "ed448"):
        return key.sign(m)
    if a.trad == "ecdsa":
        return key.sign(m, ec.ECDSA(_HASH[a.trad_hash]()))
    if a.trad == "rsa-pss":
        return key.sign(m, _pss(a), _HASH[a.trad_hash]())
    return key.sign(m, padding.PKCS1v15(), _HASH[a.trad_hash]())


def _trad_verify(a: CompositeAlgorithm, key, sig: bytes, m: bytes) -> bool:
    try:
        if a.trad in ("ed25519", "ed448"):
            key.verify(sig, m)
        elif a.trad == "ecdsa":
            key.verify(sig, m, ec.ECDSA(_HASH[a.trad_hash]()))
        elif a.trad == "rsa-pss":
            key.verify(sig, m, _pss(a), _HASH[a.trad_hash]())
        else:
            key.verify(sig, m, padding.PKCS1v15(), _HASH[a.trad_hash]())
    except InvalidSignature:
        return False
    return True


def _trad_generate(a: CompositeAlgorithm, rng=None):
    """A fresh traditional key from OpenSSL, or from `rng` (reproducible tests) where the key is
    a plain byte string or scalar: EdDSA seeds, and ECDSA scalars of key_size - 1 bits (always
    below the order of these curves). RSA generation lives inside OpenSSL: no rng there."""
    if rng is not None:
        from ..math.rand import random_bytes
        if a.trad == "ed25519":
            return ed25519.Ed25519PrivateKey.from_private_bytes(random_bytes(32, rng))
        if a.trad == "ed448":
            return ed448.Ed448PrivateKey.from_private_bytes(random_bytes(57, rng))
        if a.trad == "ecdsa":
            curve = getattr(ec, a.curve)()
            bits = curve.key_size - 1
            k = 0
            while k == 0:
                k = int.from_bytes(random_bytes((bits + 7) // 8, rng), "big") >> (-bits % 8)
            return ec.derive_private_key(k, curve)
        raise InvalidParameter(f"{a.short}: RSA keys are generated inside OpenSSL and cannot use rng")
    if a.trad == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if a.trad == "ed448":
        return ed448.Ed448PrivateKey.generate()
    if a.trad == "ecdsa":
        return ec.generate_private_key(getattr(ec, a.curve)())
    return rsa.generate_private_key(public_exponent=65537, key_size=a.rsa_bits)


# -- keys -----------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class CompositePublicKey:
    algorithm: CompositeAlgorithm
    mldsa_key: mldsa.MLDSAPublicKey
    trad_key: bytes
    _trad: object = field(default=None, repr=False, compare=False)

    def to_bytes(self) -> bytes:
        """SerializePublicKey (draft §5.1): mldsaPK || tradPK."""
        return self.mldsa_key.key + self.trad_key

    @classmethod
    def from_bytes(cls, alg: str | CompositeAlgorithm, data: bytes) -> CompositePublicKey:
        """A composite public key from the draft's encoding (ML-DSA key, then the traditional key), each part
        checked."""
        a = get_algorithm(alg)
        data = as_bytes(data, f"{a.short} public key")
        n = MLDSA[a.mldsa].public_key_size
        if len(data) <= n:
            raise InvalidEncoding(f"{a.short} public key must be longer than its {n}-byte ML-DSA part, got {len(data)}")
        return cls(a, mldsa.MLDSAPublicKey(a.mldsa, data[:n]), bytes(data[n:]), _load_trad_public(a, bytes(data[n:])))

    # deliberate look-alike of CompositePrivateKey's PKCS#8 pair (duplicates): the two standard wrappers
    def to_spki(self) -> bytes:
        """SubjectPublicKeyInfo with the composite OID, parameters absent (draft §6)."""
        return pkcs8.encode_spki(self.algorithm.oid, self.to_bytes())

    @classmethod
    def from_spki(cls, der: bytes) -> CompositePublicKey:
        """A composite public key from a DER SubjectPublicKeyInfo with one of the draft's OIDs."""
        oid, key = pkcs8.decode_spki(der, _NAMES_BY_OID, "composite ML-DSA")
        return cls.from_bytes(BY_OID[oid], key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompositePublicKey) and (self.algorithm, self.to_bytes()) == (other.algorithm, other.to_bytes())

    def __hash__(self) -> int:
        return hash((self.algorithm.name, self.to_bytes()))


@dataclass(frozen=True, eq=False)
class CompositePrivateKey:
    """mldsaSeed || tradSK, with the derived public key. Redacted repr."""
    algorithm: CompositeAlgorithm
    mldsa_key: mldsa.MLDSAPrivateKey
    trad_key: bytes
    public_key: CompositePublicKey
    _trad: object = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"CompositePrivateKey({self.algorithm.short}, <redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompositePrivateKey) and hmac.compare_digest(self.to_bytes(), other.to_bytes())

    def __hash__(self) -> int:
        return hash(self.public_key)

    def to_bytes(self) -> bytes:
        """SerializePrivateKey (draft §5.2): mldsaSeed || tradSK."""
        return self.mldsa_key.seed + self.trad_key

    @classmethod
    def from_bytes(cls, alg: str | CompositeAlgorithm, data: bytes) -> CompositePrivateKey:
        """A composite private key from the draft's encoding (the 32-byte ML-DSA seed, then the traditional
        key)."""
        a = get_algorithm(alg)
        data = as_bytes(data, f"{a.short} private key")
        if len(data) <= 32:
            raise InvalidEncoding(f"{a.short} private key must be longer than its 32-byte ML-DSA seed, got {len(data)}")
        dsa = mldsa.keygen(a.mldsa, seed=bytes(data[:32]))
        trad = _load_trad_private(a, bytes(data[32:]))
        tpub = trad.public_key()
        pub = CompositePublicKey(a, dsa.public_key, _trad_public_bytes(a, tpub), tpub)
        return cls(a, dsa, bytes(data[32:]), pub, trad)

    # deliberate look-alike of CompositePublicKey's SPKI pair (duplicates): the two standard wrappers
    def to_pkcs8(self) -> bytes:
        """OneAsymmetricKey v0 { version 0, AlgorithmIdentifier { OID }, OCTET STRING sk } (draft §6)."""
        return pkcs8.encode_pkcs8(self.algorithm.oid, self.to_bytes())

    @classmethod
    def from_pkcs8(cls, der: bytes) -> CompositePrivateKey:
        """A composite private key from a DER PKCS#8 structure with one of the draft's OIDs."""
        oid, octets = pkcs8.decode_pkcs8(der, _NAMES_BY_OID, "composite ML-DSA")
        return cls.from_bytes(BY_OID[oid], octets)


def _trad_public(pk: CompositePublicKey):
    if pk._trad is None:
        object.__setattr__(pk, "_trad", _load_trad_public(pk.algorithm, pk.trad_key))
    return pk._trad


def keygen(alg: str | CompositeAlgorithm, seed: bytes | None = None, *, rng=None) -> CompositePrivateKey:
    """A fresh composite key: ML-DSA from `seed` (or random) and a fresh traditional key.

    `rng` (None: the OS CSPRNG) drives both halves, for reproducible keys; RSA variants refuse it."""
    a = get_algorithm(alg)
    if rng is not None and a.trad not in ("ed25519", "ed448", "ecdsa"):
        raise InvalidParameter(f"{a.short}: RSA keys are generated inside OpenSSL and cannot use rng")
    dsa = mldsa.keygen(a.mldsa, seed=seed, rng=rng if seed is None else None)
    trad = _trad_generate(a, rng)
    tpub = trad.public_key()
    pub = CompositePublicKey(a, dsa.public_key, _trad_public_bytes(a, tpub), tpub)
    return CompositePrivateKey(a, dsa, _trad_private_bytes(a, trad), pub, trad)


def sign(sk: CompositePrivateKey, message: bytes, ctx: bytes = b"", *, backend: str | None = None,
         rng=None) -> bytes:
    """Composite-ML-DSA.Sign (draft §4.2): mldsaSig || tradSig over M'.

    `rng` gives ML-DSA's 32-byte rnd (hedged signing); the traditional half draws its own
    randomness inside OpenSSL for ECDSA and RSA-PSS (EdDSA and RSA PKCS#1 v1.5 are deterministic)."""
    if not isinstance(sk, CompositePrivateKey):
        raise InvalidParameter(f"sk must be a CompositePrivateKey, got {type(sk).__name__}")
    a = sk.algorithm
    m_prime = message_representative(a, message, ctx)
    s1 = mldsa.sign(a.mldsa, sk.mldsa_key, m_prime, a.label, backend=backend, rng=rng)
    trad = sk._trad if sk._trad is not None else _load_trad_private(a, sk.trad_key)
    return s1 + _trad_sign(a, trad, m_prime)


def verify(pk: CompositePublicKey, message: bytes, signature: bytes, ctx: bytes = b"", *,
           backend: str | None = None) -> None:
    """Composite-ML-DSA.Verify (draft §4.3): both components must verify; raises VerificationError."""
    if not isinstance(pk, CompositePublicKey):
        raise InvalidParameter(f"pk must be a CompositePublicKey, got {type(pk).__name__}")
    a = pk.algorithm
    n = MLDSA[a.mldsa].signature_size
    if not isinstance(signature, (bytes, bytearray)) or len(signature) <= n:
        raise VerificationError(f"{a.short} signature must be longer than its {n}-byte ML-DSA part")
    m_prime = message_representative(a, message, ctx)
    mldsa_ok = mldsa.is_valid(a.mldsa, pk.mldsa_key, m_prime, bytes(signature[:n]), a.label, backend=backend)
    trad_ok = _trad_verify(a, _trad_public(pk), bytes(signature[n:]), m_prime)
    if not (mldsa_ok and trad_ok):
        failed = " and ".join(c for c, ok in (("ML-DSA", mldsa_ok), (a.trad, trad_ok)) if not ok)
        raise VerificationError(f"{a.short} composite signature does not verify ({failed} component)")


def is_valid(pk: CompositePublicKey, message: bytes, signature: bytes, ctx: bytes = b"") -> bool:
    """Whether a composite signature verifies: `verify` as a boolean."""
    try:
        verify(pk, message, signature, ctx)
    except VerificationError:
        return False
    return True


def sizes(alg: str | CompositeAlgorithm) -> dict[str, int]:
    """Public key and (maximum) signature sizes in bytes, for comparisons."""
    a = get_algorithm(alg)
    p = MLDSA[a.mldsa]
    trad_pk = {"ed25519": 32, "ed448": 57}.get(a.trad) or (
        {"SECP256R1": 65, "BrainpoolP256R1": 65, "SECP384R1": 97, "BrainpoolP384R1": 97, "SECP521R1": 133}.get(a.curve)
        or a.rsa_bits // 8 + 14)
    trad_sig = {"ed25519": 64, "ed448": 114}.get(a.trad) or (
        {"SECP256R1": 72, "BrainpoolP256R1": 72, "SECP384R1": 104, "BrainpoolP384R1": 104, "SECP521R1": 139}.get(a.curve)
        or a.rsa_bits // 8)
    return {"public_key": p.public_key_size + trad_pk, "signature": p.signature_size + trad_sig}
