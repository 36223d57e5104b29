"""Recipient KEMs for sealing to someone's public key (backups to an offline recovery key, and the
sealed-file store's recipient mode). Pluggable by id:

- "xwing": X-Wing (draft-connolly-cfrg-xwing-kem) from pqzk.pq.xwing — the default when present;
- "mlkem768-x25519": ML-KEM-768 (FIPS 203) + X25519 (RFC 7748) through OpenSSL, secrets combined
  with SHA3-256 over both shared secrets, the X25519 ciphertext and public key, and a label — the
  X-Wing combiner shape with pqzk's own label (so not interoperable with X-Wing). Hybrid: secure if
  either ML-KEM-768 or X25519 is. Kept for records and backups made before X-Wing landed.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from ..encoding import as_bytes, lp_bytes
from ..errors import InvalidEncoding, InvalidParameter

HYBRID = "mlkem768-x25519"
XWING = "xwing"
_LABEL = b"pqzk/tokens/mlkem768-x25519/v1"


def _xwing():
    try:
        from ..pq import xwing
    except ImportError:
        return None
    return xwing


def available_kems() -> tuple[str, ...]:
    """The recipient KEMs usable here: X-Wing when available, and the hybrid ML-KEM-768 + X25519."""
    return (XWING, HYBRID) if _xwing() is not None else (HYBRID,)


def default_kem() -> str:
    """The KEM new recipient keys use: the first available."""
    return available_kems()[0]


# deliberate look-alike of sharing/bytes_shamir.py:BytesShare (duplicates): field declarations and a redacted repr,
# no shared logic
@dataclass(frozen=True)
class RecipientPrivateKey:
    """A KEM decapsulation key (secret: redacted repr)."""

    kem: str
    secret: bytes

    def __repr__(self) -> str:
        return f"RecipientPrivateKey(kem={self.kem!r}, secret=<redacted>)"

    def public_key(self) -> "RecipientPublicKey":
        """The matching recipient public key."""
        return RecipientPublicKey(self.kem, _impl(self.kem).public_from_secret(self.secret))

    def decapsulate(self, ct: bytes) -> bytes:
        """The shared secret of a KEM ciphertext."""
        return _impl(self.kem).decap(self.secret, ct)


@dataclass(frozen=True)
class RecipientPublicKey:
    kem: str
    key: bytes

    def to_bytes(self) -> bytes:
        """The key's encoding: the KEM name (length-prefixed), then the key."""
        return lp_bytes(self.kem.encode(), 1) + self.key

    @classmethod
    def from_bytes(cls, data: bytes) -> "RecipientPublicKey":
        """A recipient public key from its encoding, strictly checked."""
        data = as_bytes(data, "recipient public key")
        if len(data) < 2 or len(data) < 1 + data[0]:
            raise InvalidEncoding("recipient public key: truncated")
        kem = data[1:1 + data[0]].decode("ascii", "replace")
        key = bytes(data[1 + data[0]:])
        _impl(kem).check_public(key)
        return cls(kem, key)

    def fingerprint(self) -> bytes:
        """A 16-byte fingerprint of the key (which recipient a record was sealed to)."""
        return hashlib.sha256(b"pqzk/recipient-fingerprint/v1" + self.to_bytes()).digest()[:16]

    def encapsulate(self) -> tuple[bytes, bytes]:
        """(shared secret, ciphertext)."""
        return _impl(self.kem).encap(self.key)


def generate(kem: str | None = None) -> RecipientPrivateKey:
    """A fresh recipient private key for `kem` (default: `default_kem()`)."""
    kem = kem or default_kem()
    return RecipientPrivateKey(kem, _impl(kem).keygen())


class _Hybrid:
    """ML-KEM-768 + X25519 with OpenSSL. Secret = ML-KEM seed (64) || X25519 private key (32)."""

    PK = 1184 + 32
    CT = 1088 + 32

    @staticmethod
    def keygen() -> bytes:
        from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
        from cryptography.hazmat.primitives import serialization as s
        m = mlkem.MLKEM768PrivateKey.generate().private_bytes_raw()
        x = x25519.X25519PrivateKey.generate().private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption())
        return m + x

    @staticmethod
    def _split(secret: bytes):
        from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
        if len(secret) != 96:
            raise InvalidEncoding("mlkem768-x25519 private key must be 96 bytes")
        return mlkem.MLKEM768PrivateKey.from_seed_bytes(secret[:64]), x25519.X25519PrivateKey.from_private_bytes(secret[64:])

    @classmethod
    def public_from_secret(cls, secret: bytes) -> bytes:
        m, x = cls._split(secret)
        return m.public_key().public_bytes_raw() + x.public_key().public_bytes_raw()

    @classmethod
    def check_public(cls, pk: bytes) -> None:
        from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
        if len(pk) != cls.PK:
            raise InvalidEncoding(f"mlkem768-x25519 public key must be {cls.PK} bytes, got {len(pk)}")
        try:
            mlkem.MLKEM768PublicKey.from_public_bytes(pk[:1184])
            x25519.X25519PublicKey.from_public_bytes(pk[1184:])
        except ValueError as exc:
            raise InvalidEncoding(f"mlkem768-x25519 public key invalid: {exc}") from None

    @staticmethod
    def _combine(ss_m: bytes, ss_x: bytes, ct_x: bytes, pk_x: bytes) -> bytes:
        return hashlib.sha3_256(_LABEL + ss_m + ss_x + ct_x + pk_x).digest()

    @classmethod
    def encap(cls, pk: bytes) -> tuple[bytes, bytes]:
        from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
        from cryptography.hazmat.primitives import serialization as s
        cls.check_public(pk)
        ss_m, ct_m = mlkem.MLKEM768PublicKey.from_public_bytes(pk[:1184]).encapsulate()
        eph = x25519.X25519PrivateKey.generate()
        ct_x = eph.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
        ss_x = eph.exchange(x25519.X25519PublicKey.from_public_bytes(pk[1184:]))
        return cls._combine(ss_m, ss_x, ct_x, pk[1184:]), ct_m + ct_x

    @classmethod
    def decap(cls, secret: bytes, ct: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import x25519
        if len(ct) != cls.CT:
            raise InvalidEncoding(f"mlkem768-x25519 ciphertext must be {cls.CT} bytes, got {len(ct)}")
        m, x = cls._split(secret)
        try:
            ss_x = x.exchange(x25519.X25519PublicKey.from_public_bytes(ct[1088:]))
        except ValueError:
            raise InvalidEncoding("mlkem768-x25519 ciphertext: invalid X25519 share") from None
        pk_x = x.public_key().public_bytes_raw()
        return cls._combine(m.decapsulate(ct[:1088]), ss_x, ct[1088:], pk_x)


class _XWing:
    """X-Wing through pqzk.pq.xwing. Secret = the 32-byte X-Wing seed (draft §5.2)."""

    @staticmethod
    def _m():
        m = _xwing()
        if m is None:
            raise InvalidParameter("X-Wing is not available in this build (pqzk.pq.xwing missing)")
        return m

    @classmethod
    def keygen(cls) -> bytes:
        return cls._m().keygen().to_bytes()

    @classmethod
    def public_from_secret(cls, secret: bytes) -> bytes:
        return cls._m().keygen(seed=secret).public_key.to_bytes()

    @classmethod
    def check_public(cls, pk: bytes) -> None:
        cls._m().XWingPublicKey(pk)

    @classmethod
    def encap(cls, pk: bytes) -> tuple[bytes, bytes]:
        enc = cls._m().encaps(pk)
        return enc.shared_secret, enc.ciphertext

    @classmethod
    def decap(cls, secret: bytes, ct: bytes) -> bytes:
        m = cls._m()
        return m.decaps(m.keygen(seed=secret), ct)


def _impl(kem: str):
    if kem == HYBRID:
        return _Hybrid
    if kem == XWING:
        return _XWing
    raise InvalidParameter(f"unknown recipient KEM {kem!r} (known: {', '.join(available_kems())})")


class RecipientSealer:
    """Sealer for DirectoryShareStore: each record's data key is encapsulated to a recipient's
    public key. Sealing needs only the public key; unsealing needs the private key."""

    sealer_id = "recipient"
    checks_secret = False   # a writer holds only the public key: nothing to check on open

    def __init__(self, public: RecipientPublicKey, private: RecipientPrivateKey | None = None) -> None:
        self.public, self._private = public, private
        if private is not None and private.public_key() != public:
            raise InvalidParameter("recipient private key does not match the public key")

    def __repr__(self) -> str:
        return f"RecipientSealer(kem={self.public.kem!r}, private={'<redacted>' if self._private else None})"

    def new_key(self, rng: Callable[[int], bytes] | None = None) -> tuple[bytes, bytes]:
        """A data key encapsulated to the recipient; the recorded params are the key's fingerprint and the
        KEM ciphertext."""
        ss, ct = self.public.encapsulate()
        params = self.public.fingerprint() + ct
        return _kdf(ss, params), params

    def recover_key(self, params: bytes) -> bytes:
        """The data key, decapsulated with the recipient private key; `InvalidParameter` without it or for
        another recipient."""
        if self._private is None:
            raise InvalidParameter("this store was opened with the recipient public key only: it can seal, not unseal")
        if params[:16] != self.public.fingerprint():
            raise InvalidParameter("record was sealed to another recipient key")
        return _kdf(self._private.decapsulate(params[16:]), params)


def _kdf(ss: bytes, params: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    return HKDF(hashes.SHA256(), 32, salt=None, info=b"pqzk/tokens/recipient-seal/v1" + params[:16]).derive(ss)
