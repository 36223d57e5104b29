"""X-Wing hybrid KEM (draft-connolly-cfrg-xwing-kem): ML-KEM-768 + X25519 with a SHA3-256
combiner. The 32-byte seed is the decapsulation key; everything else is derived from it."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import x25519

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from ..math.rand import random_bytes
from . import mlkem, pkcs8

XWING_LABEL = b"\\.//^\\"        # draft §5.3: the ASCII art "\./" "/^\"
MLKEM_PARAMS = "ML-KEM-768"
PUBLIC_KEY_SIZE = 1216           # 1184 (ML-KEM-768 ek) + 32 (X25519)
CIPHERTEXT_SIZE = 1120           # 1088 + 32
SEED_SIZE = 32
ESEED_SIZE = 64
SHARED_SECRET_SIZE = 32
OID = "1.3.6.1.4.1.62253.25722"  # id-XWing (draft-connolly-cfrg-xwing-kem, "Use in X.509 PKI")
NAME = "X-Wing"


@dataclass(frozen=True, eq=False)
class XWingPublicKey:
    key: bytes

    def __post_init__(self) -> None:
        key = as_bytes(self.key, "X-Wing public key")
        if len(key) != PUBLIC_KEY_SIZE:
            raise InvalidEncoding(f"X-Wing public key must be {PUBLIC_KEY_SIZE} bytes, got {len(key)}")
        object.__setattr__(self, "key", key)

    @property
    def pk_m(self) -> bytes:
        """The ML-KEM-768 part of the key (its first 1184 bytes)."""
        return self.key[:1184]

    @property
    def pk_x(self) -> bytes:
        """The X25519 part of the key (its last 32 bytes)."""
        return self.key[1184:]

    def to_bytes(self) -> bytes:
        """The X-Wing encapsulation key encoding (ML-KEM-768 key, then X25519 key)."""
        return self.key

    @classmethod
    def from_bytes(cls, data: bytes) -> XWingPublicKey:
        """An X-Wing encapsulation key from its encoding (length checked)."""
        return cls(data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, XWingPublicKey) and self.key == other.key

    def to_spki(self) -> bytes:
        """SubjectPublicKeyInfo: id-XWing, parameters absent, the 1216-byte key as the BIT STRING."""
        return pkcs8.encode_spki(OID, self.key)

    @classmethod
    def from_spki(cls, der: bytes) -> XWingPublicKey:
        """An X-Wing encapsulation key from a DER SubjectPublicKeyInfo with the X-Wing OID."""
        return cls(pkcs8.decode_spki(der, {OID: NAME}, "X-Wing")[1])

    def __hash__(self) -> int:
        return hash(self.key)


@dataclass(frozen=True, eq=False)
class XWingPrivateKey:
    """The 32-byte X-Wing seed with its expanded parts (cached). Redacted repr."""
    seed: bytes
    public_key: XWingPublicKey
    _mlkem: mlkem.MLKEMPrivateKey = field(repr=False, compare=False)
    _x25519: x25519.X25519PrivateKey = field(repr=False, compare=False)

    def __repr__(self) -> str:
        return "XWingPrivateKey(<redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, XWingPrivateKey) and hmac.compare_digest(self.seed, other.seed)

    def __hash__(self) -> int:
        return hash(self.public_key)

    def to_bytes(self) -> bytes:
        """The 32-byte seed: the draft's private key encoding."""
        return self.seed

    @classmethod
    def from_bytes(cls, data: bytes) -> XWingPrivateKey:
        """The key derived from its 32-byte seed (a missing or wrong-length seed is an error, never a fresh
        key)."""
        # keygen(seed=None) would draw a fresh key: a missing seed must not decode to one
        return keygen(seed=as_bytes(data, "X-Wing private key"))

    def to_pkcs8(self) -> bytes:
        """OneAsymmetricKey v0: id-XWing, the privateKey OCTET STRING holding the raw 32-byte seed
        (the draft's "Private key" section; the publicKey field absent)."""
        return pkcs8.encode_pkcs8(OID, self.seed)

    @classmethod
    def from_pkcs8(cls, der: bytes) -> XWingPrivateKey:
        """The key from a DER PKCS#8 structure holding its 32-byte seed under the X-Wing OID."""
        seed = pkcs8.decode_pkcs8(der, {OID: NAME}, "X-Wing")[1]
        if len(seed) != SEED_SIZE:
            raise InvalidEncoding(f"X-Wing PKCS#8: the private key must be the {SEED_SIZE}-byte seed, got {len(seed)} bytes")
        return keygen(seed=seed)


def _expand(seed: bytes):
    """expandDecapsulationKey (draft §5.2): SHAKE256(sk, 96) → ML-KEM d||z, X25519 scalar."""
    expanded = hashlib.shake_256(seed).digest(96)
    sk_m = mlkem.keygen(MLKEM_PARAMS, seed=expanded[:64])
    sk_x = x25519.X25519PrivateKey.from_private_bytes(expanded[64:96])
    return sk_m, sk_x


def _combiner(ss_m: bytes, ss_x: bytes, ct_x: bytes, pk_x: bytes) -> bytes:
    """Combiner (draft §5.3): SHA3-256(ss_M || ss_X || ct_X || pk_X || XWingLabel)."""
    return hashlib.sha3_256(ss_m + ss_x + ct_x + pk_x + XWING_LABEL).digest()


def keygen(seed: bytes | None = None, rng: Callable[[int], bytes] | None = None) -> XWingPrivateKey:
    """GenerateKeyPair / GenerateKeyPairDerand (draft §5.2)."""
    if seed is None:
        seed = random_bytes(SEED_SIZE, rng)
    if not isinstance(seed, (bytes, bytearray)) or len(seed) != SEED_SIZE:
        raise InvalidEncoding(f"X-Wing seed must be {SEED_SIZE} bytes")
    sk_m, sk_x = _expand(bytes(seed))
    from cryptography.hazmat.primitives import serialization
    pk_x = sk_x.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return XWingPrivateKey(bytes(seed), XWingPublicKey(sk_m.public_key.key + pk_x), sk_m, sk_x)


def _as_public(pk) -> XWingPublicKey:
    if isinstance(pk, XWingPublicKey):
        return pk
    if isinstance(pk, (bytes, bytearray, memoryview)):
        return XWingPublicKey(pk)
    raise InvalidParameter(f"X-Wing public key must be XWingPublicKey or bytes, got {type(pk).__name__}")


def encaps(pk: XWingPublicKey | bytes, eseed: bytes | None = None,
           rng: Callable[[int], bytes] | None = None) -> mlkem.Encapsulation:
    """Encapsulate / EncapsulateDerand (draft §5.4). With `eseed` (64 bytes) it is deterministic."""
    key = _as_public(pk)
    derand = eseed is not None or rng is not None
    if eseed is None:
        eseed = random_bytes(ESEED_SIZE, rng)
    eseed = as_bytes(eseed, "X-Wing eseed")
    if len(eseed) != ESEED_SIZE:
        raise InvalidParameter(f"X-Wing eseed must be {ESEED_SIZE} bytes, got {len(eseed)}")
    ek_x = x25519.X25519PrivateKey.from_private_bytes(eseed[32:64])
    from cryptography.hazmat.primitives import serialization
    ct_x = ek_x.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        ss_x = ek_x.exchange(x25519.X25519PublicKey.from_public_bytes(key.pk_x))
    except ValueError:
        ss_x = bytes(32)   # low-order pk_X: X25519 outputs zero; the draft does not reject (ML-KEM carries it)
    if derand:
        ss_m, ct_m = mlkem.encaps(MLKEM_PARAMS, key.pk_m, m=eseed[:32])
    else:
        ss_m, ct_m = mlkem.encaps(MLKEM_PARAMS, key.pk_m)
    return mlkem.Encapsulation(_combiner(ss_m, ss_x, ct_x, key.pk_x), ct_m + ct_x)


def decaps(sk: XWingPrivateKey, ciphertext: bytes) -> bytes:
    """Decapsulate (draft §5.5)."""
    if not isinstance(sk, XWingPrivateKey):
        raise InvalidParameter(f"sk must be an XWingPrivateKey, got {type(sk).__name__}")
    if not isinstance(ciphertext, (bytes, bytearray)) or len(ciphertext) != CIPHERTEXT_SIZE:
        got = len(ciphertext) if isinstance(ciphertext, (bytes, bytearray)) else type(ciphertext).__name__
        raise InvalidEncoding(f"X-Wing ciphertext must be {CIPHERTEXT_SIZE} bytes, got {got}")
    ct_m, ct_x = bytes(ciphertext[:1088]), bytes(ciphertext[1088:])
    ss_m = mlkem.decaps(MLKEM_PARAMS, sk._mlkem, ct_m)
    try:
        ss_x = sk._x25519.exchange(x25519.X25519PublicKey.from_public_bytes(ct_x))
    except ValueError:
        # low-order ct_X: an all-zero X25519 output; ML-KEM still carries the secret (draft §5.5)
        ss_x = bytes(32)
    return _combiner(ss_m, ss_x, ct_x, sk.public_key.pk_x)
