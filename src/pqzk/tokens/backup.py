"""Backup and recovery: export a share encrypted to an offline recovery key, re-import it into
another store.

    backup = "PQZKBKP1" || u8 1 || lp32(metadata) || lp16(kem id) || fingerprint(16)
             || lp32(kem ciphertext) || nonce(12) || lp32(AES-256-GCM ciphertext || tag)
    key    = HKDF-SHA256(kem shared secret, info = label || fingerprint)
    AD     = label || everything before the nonce

The recovery private key is kept offline, itself sealed under a passphrase (Argon2id/scrypt).
"""
from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import AuthenticationError, InvalidEncoding, InvalidParameter
from ..math.rand import random_bytes
from .passphrase import KdfParams, PassphraseSealer
from .recipient import RecipientPrivateKey, RecipientPublicKey, _impl
from ..encoding import ByteReader, lp_bytes
from .store import ShareMetadata, ShareStore
from .validate import check_share

MAGIC = b"PQZKBKP1"
KEY_MAGIC = b"PQZKRKEY"
LABEL = b"pqzk/tokens/backup/v1"


def _key(ss: bytes, fingerprint: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=None, info=LABEL + fingerprint).derive(ss)


def _header(meta: ShareMetadata, pub: RecipientPublicKey, kem_ct: bytes) -> bytes:
    return (MAGIC + b"\x01" + lp_bytes(meta.to_bytes(), 4) + lp_bytes(pub.kem.encode(), 2) + pub.fingerprint()
            + lp_bytes(kem_ct, 4))


def export_backup(store: ShareStore, key_id: str, recovery: RecipientPublicKey) -> bytes:
    """The share `key_id`, unsealed for this one operation and encrypted to `recovery`."""
    with store.get(key_id) as share:
        ss, kem_ct = recovery.encapsulate()
        header = _header(share.metadata, recovery, kem_ct)
        nonce = random_bytes(12)
        ct = AESGCM(_key(ss, recovery.fingerprint())).encrypt(nonce, share.value, LABEL + header)
    return header + nonce + lp_bytes(ct, 4)


def _parse(data: bytes) -> tuple[ShareMetadata, str, bytes, bytes, bytes, bytes, bytes]:
    r = ByteReader(data, "share backup")
    if r.take(len(MAGIC)) != MAGIC or r.uint(1) != 1:
        raise InvalidEncoding("share backup: bad magic or version")
    meta = ShareMetadata.from_bytes(r.lp(4))
    kem = r.lp(2).decode("ascii", "replace")
    fpr, kem_ct = r.take(16), r.lp(4)
    header = bytes(data[:r.pos])
    nonce, ct = r.take(12), r.lp(4)
    r.end()
    return meta, kem, fpr, kem_ct, header, nonce, ct


def backup_metadata(data: bytes) -> ShareMetadata:
    """Public metadata of a backup (authenticated only when it is imported)."""
    return _parse(data)[0]


def open_backup(data: bytes, recovery: RecipientPrivateKey) -> tuple[ShareMetadata, bytearray]:
    """(metadata, share bytes) from a backup; AuthenticationError if anything was altered."""
    meta, kem, fpr, kem_ct, header, nonce, ct = _parse(data)
    pub = recovery.public_key()
    if kem != pub.kem or fpr != pub.fingerprint():
        raise InvalidParameter("backup was encrypted to another recovery key")
    try:
        ss = recovery.decapsulate(kem_ct)
        return meta, bytearray(AESGCM(_key(ss, fpr)).decrypt(nonce, ct, LABEL + header))
    except InvalidTag:
        raise AuthenticationError(f"backup of {meta.key_id!r} was altered (AES-GCM tag mismatch)") from None


def import_backup(data: bytes, recovery: RecipientPrivateKey, target: ShareStore, *,
                  group_public_key: bytes | None = None, overwrite: bool = False,
                  validate: bool = True) -> ShareMetadata:
    """Re-import a backup into `target` (any store); WrongGroup if it is for another group. The
    share is checked against its group and ciphersuite first (validate.check_share: anyone holding
    the recovery *public* key can make a backup); `validate=False` keeps opaque bytes of other
    formats importable."""
    meta, share = open_backup(data, recovery)
    try:
        meta.check_group(group_public_key)
        if validate:
            check_share(share, meta)
        target.put(bytes(share), meta, overwrite=overwrite)
    finally:
        share[:] = bytes(len(share))
    return meta


def save_recovery_key(key: RecipientPrivateKey, passphrase: str | bytes, kdf: KdfParams | None = None) -> bytes:
    """The recovery private key sealed under a passphrase, for offline keeping."""
    sealer = PassphraseSealer(passphrase, kdf)
    dek, params = sealer.new_key()
    head = KEY_MAGIC + b"\x01" + lp_bytes(key.kem.encode(), 2) + lp_bytes(params, 2)
    nonce = random_bytes(12)
    return head + nonce + lp_bytes(AESGCM(dek).encrypt(nonce, key.secret, head), 4)


def load_recovery_key(data: bytes, passphrase: str | bytes) -> RecipientPrivateKey:
    """The recovery private key from its passphrase-protected file."""
    r = ByteReader(data, "recovery key file")
    if r.take(len(KEY_MAGIC)) != KEY_MAGIC or r.uint(1) != 1:
        raise InvalidEncoding("recovery key file: bad magic or version")
    kem, params = r.lp(2).decode("ascii", "replace"), r.lp(2)
    _impl(kem)
    head = bytes(data[:r.pos])
    nonce, ct = r.take(12), r.lp(4)
    r.end()
    dek = PassphraseSealer(passphrase).recover_key(params)
    try:
        return RecipientPrivateKey(kem, AESGCM(dek).decrypt(nonce, ct, head))
    except InvalidTag:
        raise AuthenticationError("recovery key file was altered") from None
