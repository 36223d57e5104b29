"""Post-quantum keys as files: every algorithm of `pqzk.pq` by name and OID, its private key as
PKCS#8 (optionally encrypted) and its public key as SubjectPublicKeyInfo, in PEM or DER.

The formats are the standards' (`pkcs8` has the containers): ML-DSA as RFC 9881 (FIPS 204 OIDs),
ML-KEM as RFC 9935 (FIPS 203 OIDs), composite ML-DSA as draft-ietf-lamps-pq-composite-sigs-19 §6,
X-Wing as draft-connolly-cfrg-xwing-kem ("Use in X.509"). ML-DSA and ML-KEM keys are written in the
seed form, which OpenSSL 3.5+ and `cryptography` read and write the same way.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter
from . import composite, mldsa, mlkem, pkcs8, xwing
from ..math.rand import random_bytes
from .params import MLDSA, MLKEM, SEED_SIZE_MLDSA, SEED_SIZE_MLKEM

PrivateKey = Union[mldsa.MLDSAPrivateKey, mlkem.MLKEMPrivateKey, composite.CompositePrivateKey, xwing.XWingPrivateKey]
PublicKey = Union[mldsa.MLDSAPublicKey, mlkem.MLKEMPublicKey, composite.CompositePublicKey, xwing.XWingPublicKey]
FORMATS = ("pem", "der")


@dataclass(frozen=True)
class Algorithm:
    """One key algorithm: its name (as `pqzk pq keygen` takes it), OID, family and use."""
    name: str
    oid: str
    family: str          # "ML-DSA" | "ML-KEM" | "composite" | "X-Wing"
    use: str             # "signature" | "kem"
    standard: str

    @property
    def signs(self) -> bool:
        """Whether the algorithm signs (else it is a KEM)."""
        return self.use == "signature"


def _algorithms() -> dict[str, Algorithm]:
    out = [Algorithm(p.name, p.oid, "ML-DSA", "signature", "FIPS 204, RFC 9881") for p in MLDSA.values()]
    out += [Algorithm(a.short, a.oid, "composite", "signature", "draft-ietf-lamps-pq-composite-sigs-19")
            for a in composite.ALGORITHMS.values()]
    out += [Algorithm(p.name, p.oid, "ML-KEM", "kem", "FIPS 203, RFC 9935") for p in MLKEM.values()]
    out.append(Algorithm(xwing.NAME, xwing.OID, "X-Wing", "kem", "draft-connolly-cfrg-xwing-kem"))
    return {a.name: a for a in out}


ALGORITHMS = _algorithms()
BY_OID = {a.oid: a for a in ALGORITHMS.values()}


def get_algorithm(name: str) -> Algorithm:
    """An algorithm by name, case-insensitively (composite names with or without "id-")."""
    if not isinstance(name, str):
        raise InvalidParameter(f"algorithm must be a name, got {type(name).__name__}")
    key = name.strip().lower().removeprefix("id-")
    for a in ALGORITHMS.values():
        if a.name.lower() == key:
            return a
    raise InvalidParameter(f"unknown algorithm {name!r}; see `pqzk pq algorithms` "
                           f"(ML-DSA-44/65/87, ML-KEM-512/768/1024, X-Wing, composite such as MLDSA65-Ed25519-SHA512)")


def generate(name: str, *, rng: Callable[[int], bytes] | None = None) -> PrivateKey:
    """A fresh key pair of the named algorithm (the OS CSPRNG, or `rng` for reproducible keys),
    always from a seed, so that its file holds the seed form every reader takes."""
    a = get_algorithm(name)
    if a.family == "ML-DSA":
        return mldsa.keygen(a.name, seed=random_bytes(SEED_SIZE_MLDSA, rng))
    if a.family == "ML-KEM":
        return mlkem.keygen(a.name, seed=random_bytes(SEED_SIZE_MLKEM, rng))
    if a.family == "X-Wing":
        return xwing.keygen(rng=rng)
    return composite.keygen(a.name, rng=rng)


def algorithm_of(key: PrivateKey | PublicKey) -> Algorithm:
    """The algorithm of a key object of `pqzk.pq`."""
    if isinstance(key, (mldsa.MLDSAPrivateKey, mldsa.MLDSAPublicKey, mlkem.MLKEMPrivateKey, mlkem.MLKEMPublicKey)):
        return ALGORITHMS[key.params]
    if isinstance(key, (composite.CompositePrivateKey, composite.CompositePublicKey)):
        return ALGORITHMS[key.algorithm.short]
    if isinstance(key, (xwing.XWingPrivateKey, xwing.XWingPublicKey)):
        return ALGORITHMS[xwing.NAME]
    raise InvalidParameter(f"not a post-quantum key of pqzk: {type(key).__name__}")


def public_key_of(key: PrivateKey) -> PublicKey:
    """The public key of a private key of any algorithm the key files support."""
    algorithm_of(key)
    return key.public_key


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidParameter(f"key file format must be one of {FORMATS}, got {fmt!r}")
    return fmt


def dump_private(key: PrivateKey, fmt: str = "pem", *, passphrase: str | bytes | None = None,
                 iterations: int | None = None) -> bytes:
    """PKCS#8 ("PRIVATE KEY"), or with a passphrase EncryptedPrivateKeyInfo ("ENCRYPTED PRIVATE
    KEY", PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC; `pkcs8.DEFAULT_ITERATIONS` rounds unless
    `iterations` says otherwise); PEM or DER."""
    algorithm_of(key)
    der, label = key.to_pkcs8(), pkcs8.PRIVATE_LABEL
    if passphrase is not None:
        der, label = pkcs8.encrypt_pkcs8(der, passphrase, iterations=iterations), pkcs8.ENCRYPTED_LABEL
    return pkcs8.pem_encode(der, label) if _check_format(fmt) == "pem" else der


def dump_public(key: PublicKey, fmt: str = "pem") -> bytes:
    """SubjectPublicKeyInfo ("PUBLIC KEY"), PEM or DER."""
    algorithm_of(key)
    der = key.to_spki()
    return pkcs8.pem_encode(der, pkcs8.PUBLIC_LABEL) if _check_format(fmt) == "pem" else der


def _der_of(data: bytes, what: str) -> tuple[str | None, bytes]:
    data = as_bytes(data, what)
    if pkcs8.is_pem(data):
        return pkcs8.pem_decode(data, what)
    return None, data


_KINDS = {"spki": pkcs8.PUBLIC_LABEL, "pkcs8": pkcs8.PRIVATE_LABEL, "encrypted": pkcs8.ENCRYPTED_LABEL}


def _identify(data: bytes, what: str) -> tuple[str, Algorithm, bytes]:
    label, der = _der_of(data, what)
    kind, oid = pkcs8.algorithm_oid(der)
    if label is not None and label != _KINDS[kind]:
        raise InvalidEncoding(f"{what}: PEM label {label!r} but the content is a {_KINDS[kind]}")
    if kind == "encrypted":
        return kind, None, der
    if oid not in BY_OID:
        raise InvalidEncoding(f"{what}: {oid} is not an algorithm pqzk reads (see `pqzk pq algorithms`)")
    return kind, BY_OID[oid], der


def is_encrypted(data: bytes) -> bool:
    """Whether a private key file is an EncryptedPrivateKeyInfo (so a passphrase is needed)."""
    return _identify(data, "private key file")[0] == "encrypted"


def load_private(data: bytes, passphrase: str | bytes | None = None) -> PrivateKey:
    """A private key from PKCS#8 or EncryptedPrivateKeyInfo, PEM or DER (found by content)."""
    kind, alg, der = _identify(data, "private key file")
    if kind == "spki":
        raise InvalidEncoding("private key file: this is a public key (SubjectPublicKeyInfo)")
    if kind == "encrypted":
        if passphrase is None:
            raise InvalidParameter("the private key is encrypted: give its passphrase")
        der = pkcs8.decrypt_pkcs8(der, passphrase)
        kind, alg, der = _identify(der, "decrypted private key")
        if kind != "pkcs8":
            raise InvalidEncoding("the encrypted content is not a PKCS#8 private key")
    elif passphrase is not None:
        raise InvalidParameter("a passphrase was given but the private key is not encrypted")
    return _reader(alg, private=True)(der)


def load_public(data: bytes) -> PublicKey:
    """A public key from SubjectPublicKeyInfo, PEM or DER."""
    kind, alg, der = _identify(data, "public key file")
    if kind != "spki":
        raise InvalidEncoding("public key file: this is a private key; give its public key "
                              "(`pqzk pq keygen --public-out` writes it)")
    return _reader(alg, private=False)(der)


def _reader(a: Algorithm, *, private: bool):
    cls = {"ML-DSA": (mldsa.MLDSAPrivateKey, mldsa.MLDSAPublicKey), "ML-KEM": (mlkem.MLKEMPrivateKey, mlkem.MLKEMPublicKey),
           "composite": (composite.CompositePrivateKey, composite.CompositePublicKey),
           "X-Wing": (xwing.XWingPrivateKey, xwing.XWingPublicKey)}[a.family][0 if private else 1]
    return cls.from_pkcs8 if private else cls.from_spki


__all__ = ["Algorithm", "ALGORITHMS", "BY_OID", "FORMATS", "get_algorithm", "generate", "algorithm_of",
           "public_key_of", "dump_private", "dump_public", "load_private", "load_public", "is_encrypted"]
