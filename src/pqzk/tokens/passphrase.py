"""Passphrase sealer: the data key of each record is derived from a passphrase with a memory-hard
KDF — Argon2id (RFC 9106) when `cryptography` provides it, scrypt (RFC 7914) otherwise.

params = u8 kdf || salt(16) || u32 a || u32 b || u32 c || check(16)
  kdf 1 = scrypt (a = log2 N, b = r, c = p); kdf 2 = argon2id (a = memory KiB, b = iterations, c = lanes)
`check` = HMAC-SHA256(key, label)[:16] tells a wrong passphrase (WrongPin) apart from tampering
(AuthenticationError); it gives an attacker nothing the GCM tag does not already give.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from hashlib import sha256
from typing import Callable

from ..encoding import ByteReader, ByteWriter
from ..errors import InvalidEncoding, InvalidParameter
from ..math.rand import random_bytes
from .errors import WrongPin

SCRYPT, ARGON2ID = 1, 2
_CHECK_LABEL = b"pqzk/tokens/passphrase-check/v1"
_BOUNDS = {SCRYPT: ((10, 22), (1, 32), (1, 16)), ARGON2ID: ((8, 1 << 21), (1, 16), (1, 16))}


def argon2_available() -> bool:
    """Whether this `cryptography` has Argon2id (else passphrases use scrypt)."""
    try:
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class KdfParams:
    kdf: int
    a: int
    b: int
    c: int

    @classmethod
    def default(cls) -> "KdfParams":
        """Production KDF parameters: Argon2id (19 MiB, t=2, p=1; OWASP's minimum) or scrypt (N=2^15, r=8,
        p=1)."""
        # Argon2id m=19 MiB, t=2, p=1 (OWASP minimum); scrypt N=2^15, r=8, p=1 (32 MiB).
        return cls(ARGON2ID, 19456, 2, 1) if argon2_available() else cls(SCRYPT, 15, 8, 1)

    @classmethod
    def fast_for_tests(cls, kdf: int | None = None) -> "KdfParams":
        """Tiny KDF parameters so tests run fast (never for real shares)."""
        kdf = kdf or (ARGON2ID if argon2_available() else SCRYPT)
        return cls(ARGON2ID, 64, 1, 1) if kdf == ARGON2ID else cls(SCRYPT, 10, 8, 1)

    def check(self) -> None:
        """Check the KDF id and each parameter against its bounds; `InvalidEncoding` otherwise (a record
        cannot ask for a huge KDF)."""
        if self.kdf not in _BOUNDS:
            raise InvalidEncoding(f"unknown passphrase KDF id {self.kdf}")
        for v, (lo, hi), name in zip((self.a, self.b, self.c), _BOUNDS[self.kdf], "abc"):
            if not lo <= v <= hi:
                raise InvalidEncoding(f"passphrase KDF parameter {name}={v} outside [{lo}, {hi}]")
        if self.kdf == ARGON2ID and self.a < 8 * self.c:
            raise InvalidEncoding("argon2id memory must be at least 8 KiB per lane")
        if self.kdf == ARGON2ID and not argon2_available():
            raise InvalidParameter("record uses Argon2id but this cryptography build lacks it")

    def derive(self, passphrase: bytes, salt: bytes) -> bytes:
        """The 32-byte key derived from the passphrase and salt with these parameters."""
        self.check()
        if self.kdf == SCRYPT:
            from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
            return Scrypt(salt=salt, length=32, n=1 << self.a, r=self.b, p=self.c).derive(passphrase)
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
        return Argon2id(salt=salt, length=32, iterations=self.b, lanes=self.c,
                        memory_cost=self.a).derive(passphrase)


class PassphraseSealer:
    """Data keys derived from a passphrase (Argon2id or scrypt) with a check value, so a wrong passphrase
    is told apart from tampering."""
    sealer_id = "passphrase"
    checks_secret = True

    def __init__(self, passphrase: str | bytes, kdf: KdfParams | None = None) -> None:
        if isinstance(passphrase, str):
            passphrase = passphrase.encode("utf-8")
        if not passphrase:
            raise InvalidParameter("empty passphrase")
        self._passphrase = bytes(passphrase)
        self.kdf = kdf or KdfParams.default()
        self.kdf.check()
        # One KDF run per (parameters, salt) per open store: records written through this sealer
        # share one salt, so unlocking costs one Argon2id/scrypt run, not one per operation.
        self._salt: bytes | None = None
        self._keys: dict[tuple[KdfParams, bytes], bytes] = {}

    def _derive(self, kdf: KdfParams, salt: bytes) -> bytes:
        if (kdf, salt) not in self._keys:
            self._keys[(kdf, salt)] = kdf.derive(self._passphrase, salt)
        return self._keys[(kdf, salt)]

    def __repr__(self) -> str:
        return f"PassphraseSealer(kdf={self.kdf}, passphrase=<redacted>)"

    def new_key(self, rng: Callable[[int], bytes] | None = None) -> tuple[bytes, bytes]:
        """A data key from the passphrase and this store's salt, with the KDF parameters and check value to
        record."""
        if self._salt is None:
            self._salt = (rng or random_bytes)(16)
        salt = self._salt
        key = self._derive(self.kdf, salt)
        k = self.kdf
        return key, ByteWriter("passphrase parameters").uint(k.kdf, 1).put(salt).u32(k.a).u32(k.b).u32(k.c).put(
            _check(key)).to_bytes()

    @staticmethod
    def _parse(params: bytes) -> tuple[KdfParams, bytes]:
        if len(params) != 1 + 16 + 12 + 16:
            raise InvalidEncoding("passphrase sealer params: wrong length")
        r = ByteReader(params[17:29], "passphrase sealer params")
        kdf = KdfParams(params[0], r.u32(), r.u32(), r.u32())
        kdf.check()
        return kdf, bytes(params[1:17])

    def recover_key(self, params: bytes) -> bytes:
        """The data key from the recorded parameters; `WrongPin` when the passphrase is wrong."""
        kdf, salt = self._parse(params)
        key = self._derive(kdf, salt)
        if not hmac.compare_digest(_check(key), params[29:]):
            del self._keys[(kdf, salt)]
            raise WrongPin("wrong passphrase (or the record's KDF parameters were altered)")
        return key

    def adopt(self, params: bytes) -> None:
        """Seal new records with the KDF parameters and salt of `params`, a record (the store's
        verifier) that just opened with this passphrase: a store keeps the KDF chosen when it was
        made, and unlocking it costs one KDF run however many records are read or written."""
        self.recover_key(params)
        self.kdf, self._salt = self._parse(params)


def _check(key: bytes) -> bytes:
    return hmac.new(key, _CHECK_LABEL, sha256).digest()[:16]
