"""The standard containers of post-quantum keys: SubjectPublicKeyInfo (RFC 5280), OneAsymmetricKey
(PKCS#8, RFC 5958), EncryptedPrivateKeyInfo with PBES2 (RFC 8018) and PEM (RFC 7468).

Every key type of `pqzk.pq` (ML-DSA, ML-KEM, composite, X-Wing) identifies itself by an OID with
the parameters absent; these helpers do the wrapping once, and each key module says what goes
inside (`keyfiles` picks the module by OID). Decoding is strict DER (`_der`), with bounds on the
password-based KDF so that a hostile file cannot make decryption run for hours.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping

from ..encoding import as_bytes
from ..errors import AuthenticationError, InvalidEncoding, InvalidParameter
from ..math.rand import random_bytes
from . import _der

PUBLIC_LABEL, PRIVATE_LABEL, ENCRYPTED_LABEL = "PUBLIC KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"

# PBES2 (RFC 8018 §6.2) and its parts
_PBES2, _PBKDF2, _SCRYPT = "1.2.840.113549.1.5.13", "1.2.840.113549.1.5.12", "1.3.6.1.4.1.11591.4.11"
_PRF = {"1.2.840.113549.2.7": "sha1", "1.2.840.113549.2.8": "sha224", "1.2.840.113549.2.9": "sha256",
        "1.2.840.113549.2.10": "sha384", "1.2.840.113549.2.11": "sha512"}
_PRF_OID = {v: k for k, v in _PRF.items()}
_AES_CBC = {"2.16.840.1.101.3.4.1.2": 16, "2.16.840.1.101.3.4.1.22": 24, "2.16.840.1.101.3.4.1.42": 32}
DEFAULT_ITERATIONS = 600_000     # PBKDF2-HMAC-SHA256: OWASP's 2023 figure; OpenSSL's default is 2048
MAX_ITERATIONS = 10_000_000      # a file asking for more is refused rather than worked on
MAX_SCRYPT_MEMORY = 1 << 28      # 128·N·r bytes; 256 MiB
NULL = b"\x05\x00"


# -- SubjectPublicKeyInfo and OneAsymmetricKey ---------------------------------------------

def _algorithm(alg: list[tuple[int, bytes]], what: str, known: Mapping[str, object], kind: str) -> str:
    if len(alg) != 1 or alg[0][0] != _der.OID:
        raise InvalidEncoding(f"{what}: the {kind} AlgorithmIdentifier must be an OID with parameters absent")
    oid = _der.decode_oid(alg[0][1])
    if oid not in known:
        article = "an" if kind[:1] in "AEFHILMNORSX" else "a"      # an ML-DSA, an X-Wing, a composite
        raise InvalidEncoding(f"{what}: {oid} is not {article} {kind} OID")
    return oid


def encode_spki(oid: str, public_key: bytes) -> bytes:
    """SubjectPublicKeyInfo { AlgorithmIdentifier { oid } (parameters absent), BIT STRING key }."""
    return _der.seq(_der.seq(_der.oid(oid)), _der.bit_string(bytes(public_key)))


def decode_spki(der: bytes, known: Mapping[str, object], kind: str) -> tuple[str, bytes]:
    """(OID, key bytes) of a SubjectPublicKeyInfo whose OID is one of `known` (a `kind` key)."""
    what = f"{kind} SPKI"
    body = _der.items(_der.read_all(der, _der.SEQUENCE))
    if len(body) != 2 or body[0][0] != _der.SEQUENCE or body[1][0] != _der.BIT_STRING:
        raise InvalidEncoding(f"{what}: expected SEQUENCE {{ AlgorithmIdentifier, BIT STRING }}")
    oid = _algorithm(_der.items(body[0][1]), what, known, kind)
    bits = body[1][1]
    if not bits or bits[0] != 0:
        raise InvalidEncoding(f"{what}: the BIT STRING must have 0 unused bits")
    return oid, bits[1:]


def encode_pkcs8(oid: str, private_key: bytes) -> bytes:
    """OneAsymmetricKey v0 { version 0, AlgorithmIdentifier { oid }, OCTET STRING private_key }."""
    return _der.seq(_der.integer(0), _der.seq(_der.oid(oid)), _der.tlv(_der.OCTET_STRING, bytes(private_key)))


def decode_pkcs8(der: bytes, known: Mapping[str, object], kind: str) -> tuple[str, bytes]:
    """(OID, privateKey octets) of a OneAsymmetricKey v0 (no attributes, no public key) whose OID
    is one of `known` (a `kind` key)."""
    what = f"{kind} PKCS#8"
    body = _der.items(_der.read_all(der, _der.SEQUENCE))
    if not body or body[0] != (_der.INTEGER, b"\x00"):
        raise InvalidEncoding(f"{what}: version must be 0 (v1 keys with attributes or a public key are not read)")
    if len(body) != 3 or body[1][0] != _der.SEQUENCE or body[2][0] != _der.OCTET_STRING:
        raise InvalidEncoding(f"{what}: expected SEQUENCE {{ 0, AlgorithmIdentifier, OCTET STRING }}")
    return _algorithm(_der.items(body[1][1]), what, known, kind), body[2][1]


def algorithm_oid(der: bytes) -> tuple[str, str]:
    """("spki" | "pkcs8" | "encrypted", OID) of a DER key container, without decoding the key:
    how `keyfiles` finds which module reads it."""
    body = _der.items(_der.read_all(der, _der.SEQUENCE))
    if len(body) == 2 and body[0][0] == _der.SEQUENCE and body[1][0] == _der.BIT_STRING:
        kind, alg = "spki", body[0][1]
    elif len(body) >= 3 and body[0][0] == _der.INTEGER and body[1][0] == _der.SEQUENCE:
        kind, alg = "pkcs8", body[1][1]
    elif len(body) == 2 and body[0][0] == _der.SEQUENCE and body[1][0] == _der.OCTET_STRING:
        kind, alg = "encrypted", body[0][1]
    else:
        raise InvalidEncoding("not a SubjectPublicKeyInfo, PKCS#8 or EncryptedPrivateKeyInfo structure")
    items = _der.items(alg)
    if not items or items[0][0] != _der.OID:
        raise InvalidEncoding("key container: AlgorithmIdentifier without an OID")
    return kind, _der.decode_oid(items[0][1])


# -- the private key CHOICE of ML-DSA (RFC 9881) and ML-KEM (RFC 9935) -----------------------

SEED_TAG = 0x80          # seed [0] IMPLICIT OCTET STRING


def encode_seed_or_expanded(seed: bytes | None, expanded: bytes | None) -> bytes:
    """The ML-DSA / ML-KEM private key CHOICE: the seed form [0] when the seed is known (what
    OpenSSL and `cryptography` write), else expandedKey OCTET STRING."""
    if seed is not None:
        return _der.tlv(SEED_TAG, bytes(seed))
    if expanded is None:
        raise InvalidParameter("a private key needs its seed or its expanded form")
    return _der.tlv(_der.OCTET_STRING, bytes(expanded))


def decode_seed_or_expanded(octets: bytes, what: str) -> tuple[bytes | None, bytes | None]:
    """(seed, expanded) from the CHOICE { seed [0], expandedKey OCTET STRING, both SEQUENCE {
    seed OCTET STRING, expandedKey OCTET STRING } }; lengths are the key module's to check."""
    octets = as_bytes(octets, f"{what} private key")
    tag, value, end = _der.read(octets)
    if end != len(octets):
        raise InvalidEncoding(f"{what}: trailing data after the private key")
    if tag == SEED_TAG:
        return value, None
    if tag == _der.OCTET_STRING:
        return None, value
    if tag == _der.SEQUENCE:
        both = _der.items(value)
        if len(both) != 2 or both[0][0] != _der.OCTET_STRING or both[1][0] != _der.OCTET_STRING:
            raise InvalidEncoding(f"{what}: the 'both' form is SEQUENCE {{ seed, expandedKey }}")
        return both[0][1], both[1][1]
    raise InvalidEncoding(f"{what}: private key is none of seed [0], expandedKey, both")


# -- EncryptedPrivateKeyInfo (PBES2) -----------------------------------------------------------

def _passphrase(passphrase: str | bytes) -> bytes:
    if isinstance(passphrase, str):
        passphrase = passphrase.encode()
    passphrase = as_bytes(passphrase, "passphrase")
    if not passphrase:
        raise InvalidParameter("the passphrase is empty")
    return passphrase


def encrypt_pkcs8(der: bytes, passphrase: str | bytes, *, iterations: int | None = None,
                  rng: Callable[[int], bytes] | None = None) -> bytes:
    """EncryptedPrivateKeyInfo: PBES2 with PBKDF2-HMAC-SHA256 (16-byte salt) and AES-256-CBC,
    the scheme `openssl pkcs8 -topk8 -v2 aes-256-cbc` and `cryptography` write."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    iterations = DEFAULT_ITERATIONS if iterations is None else iterations
    if not isinstance(iterations, int) or not 1000 <= iterations <= MAX_ITERATIONS:
        raise InvalidParameter(f"PBKDF2 iterations must be in [1000, {MAX_ITERATIONS}], got {iterations}")
    salt, iv = random_bytes(16, rng), random_bytes(16, rng)
    key = _pbkdf2(_passphrase(passphrase), salt, iterations, "sha256", 32)
    padder = padding.PKCS7(128).padder()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ct = enc.update(padder.update(as_bytes(der, "PKCS#8")) + padder.finalize()) + enc.finalize()
    kdf = _der.seq(_der.oid(_PBKDF2), _der.seq(_der.tlv(_der.OCTET_STRING, salt), _der.integer(iterations),
                                               _der.seq(_der.oid(_PRF_OID["sha256"]), NULL)))
    scheme = _der.seq(_der.oid("2.16.840.1.101.3.4.1.42"), _der.tlv(_der.OCTET_STRING, iv))
    return _der.seq(_der.seq(_der.oid(_PBES2), _der.seq(kdf, scheme)), _der.tlv(_der.OCTET_STRING, ct))


def _pbkdf2(passphrase: bytes, salt: bytes, iterations: int, prf: str, length: int) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
    h = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
         "sha512": hashes.SHA512}[prf]()
    return PBKDF2HMAC(h, length, salt, iterations).derive(passphrase)


def _small_int(value: bytes, what: str) -> int:
    if not value or len(value) > 8 or value[0] & 0x80 or (len(value) > 1 and value[0] == 0 and not value[1] & 0x80):
        raise InvalidEncoding(f"EncryptedPrivateKeyInfo: {what} is not a small positive INTEGER")
    return int.from_bytes(value, "big")


def _derive(kdf: bytes, passphrase: bytes, key_len: int) -> bytes:
    kdf_items = _der.items(kdf)
    if len(kdf_items) != 2 or kdf_items[0][0] != _der.OID or kdf_items[1][0] != _der.SEQUENCE:
        raise InvalidEncoding("EncryptedPrivateKeyInfo: malformed key derivation function")
    oid, params = _der.decode_oid(kdf_items[0][1]), _der.items(kdf_items[1][1])
    if oid == _PBKDF2:
        if not 2 <= len(params) <= 4 or params[0][0] != _der.OCTET_STRING or params[1][0] != _der.INTEGER:
            raise InvalidEncoding("EncryptedPrivateKeyInfo: malformed PBKDF2 parameters")
        salt, iterations, prf, rest = params[0][1], _small_int(params[1][1], "the iteration count"), "sha1", params[2:]
        if rest and rest[0][0] == _der.INTEGER:
            if _small_int(rest[0][1], "the key length") != key_len:
                raise InvalidEncoding("EncryptedPrivateKeyInfo: PBKDF2 key length does not match the cipher")
            rest = rest[1:]
        if rest:
            prf_items = _der.items(rest[0][1]) if rest[0][0] == _der.SEQUENCE else []
            if not prf_items or prf_items[0][0] != _der.OID or len(rest) > 1:
                raise InvalidEncoding("EncryptedPrivateKeyInfo: malformed PBKDF2 PRF")
            prf_oid = _der.decode_oid(prf_items[0][1])
            if prf_oid not in _PRF:
                raise InvalidEncoding(f"EncryptedPrivateKeyInfo: unsupported PBKDF2 PRF {prf_oid}")
            prf = _PRF[prf_oid]
        if not 1 <= iterations <= MAX_ITERATIONS:
            raise InvalidEncoding(f"EncryptedPrivateKeyInfo: {iterations} PBKDF2 iterations "
                                  f"(at most {MAX_ITERATIONS} are worked on)")
        return _pbkdf2(passphrase, salt, iterations, prf, key_len)
    if oid == _SCRYPT:
        if not 4 <= len(params) <= 5 or params[0][0] != _der.OCTET_STRING or any(t != _der.INTEGER for t, _ in params[1:]):
            raise InvalidEncoding("EncryptedPrivateKeyInfo: malformed scrypt parameters")
        n, r, p = (_small_int(v, "an scrypt parameter") for _, v in params[1:4])
        if len(params) == 5 and _small_int(params[4][1], "the key length") != key_len:
            raise InvalidEncoding("EncryptedPrivateKeyInfo: scrypt key length does not match the cipher")
        if n < 2 or n & (n - 1) or not 1 <= r <= 64 or not 1 <= p <= 16 or 128 * n * r > MAX_SCRYPT_MEMORY:
            raise InvalidEncoding(f"EncryptedPrivateKeyInfo: scrypt N={n}, r={r}, p={p} out of bounds "
                                  f"(N a power of two, at most {MAX_SCRYPT_MEMORY >> 20} MiB)")
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
        return Scrypt(params[0][1], key_len, n, r, p).derive(passphrase)
    raise InvalidEncoding(f"EncryptedPrivateKeyInfo: unsupported key derivation {oid} (PBKDF2 and scrypt are read)")


def decrypt_pkcs8(der: bytes, passphrase: str | bytes) -> bytes:
    """The PKCS#8 inside an EncryptedPrivateKeyInfo (PBES2: PBKDF2 or scrypt, AES-CBC);
    AuthenticationError for a wrong passphrase (or a corrupted file: CBC cannot tell them apart)."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    body = _der.items(_der.read_all(der, _der.SEQUENCE))
    if len(body) != 2 or body[0][0] != _der.SEQUENCE or body[1][0] != _der.OCTET_STRING:
        raise InvalidEncoding("EncryptedPrivateKeyInfo: expected SEQUENCE { AlgorithmIdentifier, OCTET STRING }")
    alg = _der.items(body[0][1])
    if len(alg) != 2 or alg[0][0] != _der.OID or _der.decode_oid(alg[0][1]) != _PBES2 or alg[1][0] != _der.SEQUENCE:
        raise InvalidEncoding("EncryptedPrivateKeyInfo: only PBES2 (RFC 8018) is read")
    parts = _der.items(alg[1][1])
    if len(parts) != 2 or parts[0][0] != _der.SEQUENCE or parts[1][0] != _der.SEQUENCE:
        raise InvalidEncoding("EncryptedPrivateKeyInfo: malformed PBES2 parameters")
    scheme = _der.items(parts[1][1])
    if len(scheme) != 2 or scheme[0][0] != _der.OID or scheme[1][0] != _der.OCTET_STRING:
        raise InvalidEncoding("EncryptedPrivateKeyInfo: malformed encryption scheme")
    cipher_oid, iv = _der.decode_oid(scheme[0][1]), scheme[1][1]
    if cipher_oid not in _AES_CBC or len(iv) != 16:
        raise InvalidEncoding(f"EncryptedPrivateKeyInfo: unsupported cipher {cipher_oid} (AES-CBC is read)")
    ct = body[1][1]
    if not ct or len(ct) % 16:
        raise InvalidEncoding("EncryptedPrivateKeyInfo: ciphertext is not whole AES blocks")
    key = _derive(parts[0][1], _passphrase(passphrase), _AES_CBC[cipher_oid])
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = dec.update(ct) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
        _der.read_all(plain, _der.SEQUENCE)
    except (ValueError, InvalidEncoding):
        raise AuthenticationError("the passphrase does not decrypt this private key (wrong passphrase, "
                                  "or the file is corrupt)") from None
    return plain


# -- PEM (RFC 7468) ----------------------------------------------------------------------------

_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----\r?\n?", re.S)


def pem_encode(der: bytes, label: str) -> bytes:
    """Strict RFC 7468 text: 64-character base64 lines between BEGIN/END lines."""
    b64 = base64.b64encode(bytes(der)).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return (f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n").encode()


def pem_decode(data: bytes, what: str = "key file") -> tuple[str, bytes]:
    """(label, DER) of the one PEM block in `data`; text before and after it (comments) is allowed."""
    data = as_bytes(data, what)
    blocks = _PEM.findall(data)
    if len(blocks) != 1:
        raise InvalidEncoding(f"{what}: expected one PEM block, found {len(blocks)}")
    label, body = blocks[0]
    try:
        der = base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidEncoding(f"{what}: the PEM body is not valid base64") from None
    return label.decode(), der


def is_pem(data: bytes) -> bool:
    """Whether the data looks like PEM (a `-----BEGIN ` line in its first 4 KiB) rather than DER."""
    return b"-----BEGIN " in bytes(data[:4096])

