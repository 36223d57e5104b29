"""TPM 2.0 share store (tpm2-pytss; tested against the swtpm simulator).

Each record's 32-byte data key is a TPM *sealed data object* (keyedhash) created under the owner
hierarchy's storage primary key (the standard ECC P-256 SRK template, re-derived on each
connection), optionally protected by an auth value (the PIN) and/or a PCR policy. The sealed
object's public/private blobs are the record's sealer params; they can only be loaded and unsealed
by the same TPM. The share itself is AES-256-GCM encrypted under that key (envelope.py), with the
metadata as associated data. The sealed object is dictionary-attack protected: one wrong PIN costs
one DA failure; it is never retried here.

ECDSA P-256 signing keys held by this store are TPM objects (signing happens in the TPM, behind
the same auth value); Ed25519 keys — not a TPM 2.0 algorithm — are sealed like shares and used in
host memory for one signature. See docs/tokens.md.
"""
from __future__ import annotations

import os
from typing import Callable

from ..encoding import ByteReader, lp_bytes
from ..errors import BackendUnavailable, InvalidEncoding, InvalidParameter
from ..math.rand import random_bytes
from .errors import PinLocked, TokenAbsent, TokenError, WrongPin
from .atomic import atomic_write
from .sealed_file import DirectoryShareStore

TKEY_EXT, TKEY_MAGIC = ".tkey", b"PQZKTKEY\x01"
DEFAULT_TCTI_ENV = ("PQZK_TPM_TCTI", "TPM2TOOLS_TCTI", "TCTI")
_SRK_ATTRS = "userwithauth|restricted|decrypt|fixedtpm|fixedparent|sensitivedataorigin|noda"


def _tss():
    # the TSS logs every TPM error code to stderr; the errors it reports are raised here instead
    os.environ.setdefault("TSS2_LOG", "all+none")
    try:
        import tpm2_pytss
    except ImportError as exc:
        raise BackendUnavailable("tpm", f"tpm2-pytss not importable ({exc})",
                                 "apt-get install libtss2-dev pkg-config && pip install tpm2-pytss") from None
    return tpm2_pytss


def parse_tcti(tcti: str | None) -> tuple[str, str | None]:
    """'swtpm:host=127.0.0.1,port=2321' -> ('swtpm', 'host=...'); default from PQZK_TPM_TCTI/TPM2TOOLS_TCTI,
    else the kernel resource manager device."""
    if not tcti:
        tcti = next((os.environ[e] for e in DEFAULT_TCTI_ENV if os.environ.get(e)), "device:/dev/tpmrm0")
    name, _, conf = tcti.partition(":")
    if name not in ("swtpm", "mssim", "device", "tabrmd"):
        raise InvalidParameter(f"unsupported TCTI {name!r} (use swtpm, mssim, device or tabrmd)")
    return name, conf or None


def parse_pcrs(pcrs: str | None) -> str | None:
    """'sha256:0,7' (tpm2-tools syntax), validated; None for no PCR policy."""
    if not pcrs:
        return None
    bank, _, idx = pcrs.partition(":")
    if bank not in ("sha1", "sha256", "sha384") or not idx:
        raise InvalidParameter("pcrs must look like sha256:0,7")
    try:
        nums = sorted({int(i) for i in idx.split(",")})
    except ValueError:
        raise InvalidParameter("pcrs must look like sha256:0,7") from None
    if not all(0 <= n < 24 for n in nums):
        raise InvalidParameter("PCR indices must be in 0..23")
    return f"{bank}:{','.join(map(str, nums))}"


class TpmSealer:
    """Data keys sealed by a TPM 2.0 (optionally to a PCR policy and/or an auth value)."""

    sealer_id = "tpm2"
    checks_secret = True    # unsealing the verifier checks the auth value, the PCRs and the TPM

    def __init__(self, tcti: str | None = None, auth: str | bytes | None = None, pcrs: str | None = None) -> None:
        t = _tss()
        from tpm2_pytss import ESAPI, TCTILdr
        self.pcrs = parse_pcrs(pcrs)
        self._auth = auth.encode() if isinstance(auth, str) else (bytes(auth) if auth else b"")
        name, conf = parse_tcti(tcti)
        try:
            self._tcti = TCTILdr(name, conf)
            self._esys = ESAPI(self._tcti)
            self._primary = self._create_primary()
        except t.TSS2_Exception as exc:
            raise TokenAbsent(f"no TPM reachable through TCTI {name} ({exc})") from None

    def __repr__(self) -> str:
        return f"TpmSealer(pcrs={self.pcrs!r}, auth=<redacted>)"

    def _create_primary(self):
        from tpm2_pytss import TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE
        from tpm2_pytss.constants import ESYS_TR
        pub = TPM2B_PUBLIC.parse("ecc256:aes128cfb", objectAttributes=_SRK_ATTRS)
        handle, *_ = self._esys.create_primary(TPM2B_SENSITIVE_CREATE(), pub, ESYS_TR.OWNER)
        return handle

    def close(self) -> None:
        """Flush the primary key and close the TPM connection (never raises)."""
        esys = getattr(self, "_esys", None)
        if esys is not None:
            try:
                self._esys.flush_context(self._primary)
            except Exception:  # noqa: BLE001 — closing a dead connection must not raise
                pass
            esys.close()
            if hasattr(self._tcti, "close"):
                self._tcti.close()
            self._esys = None

    def _policy_session(self, trial: bool):
        from tpm2_pytss import TPMT_SYM_DEF
        from tpm2_pytss.constants import ESYS_TR, TPM2_ALG, TPM2_SE
        sess = self._esys.start_auth_session(ESYS_TR.NONE, ESYS_TR.NONE,
                                             TPM2_SE.TRIAL if trial else TPM2_SE.POLICY,
                                             TPMT_SYM_DEF(algorithm=TPM2_ALG.NULL), TPM2_ALG.SHA256)
        self._esys.policy_pcr(sess, None, self.pcrs)
        if self._auth:
            self._esys.policy_auth_value(sess)
        return sess

    def _errors(self, exc, what: str) -> TokenError:
        from tpm2_pytss.constants import TPM2_RC
        err = exc.error
        if err in (TPM2_RC.AUTH_FAIL, TPM2_RC.BAD_AUTH):
            return WrongPin(f"{what}: the TPM refused the PIN (one dictionary-attack failure counted; not retried)")
        if err == TPM2_RC.LOCKOUT:
            return PinLocked(f"{what}: the TPM is in dictionary-attack lockout")
        if err in (TPM2_RC.POLICY_FAIL, TPM2_RC.PCR_CHANGED, TPM2_RC.VALUE) and self.pcrs:
            return TokenError(f"{what}: the TPM's PCRs ({self.pcrs}) no longer match the sealing policy")
        if err in (TPM2_RC.OBJECT_MEMORY, TPM2_RC.SESSION_MEMORY, TPM2_RC.NV_SPACE, TPM2_RC.MEMORY):
            from .errors import StoreFull
            return StoreFull(f"{what}: TPM out of object/session memory")
        if err == TPM2_RC.INTEGRITY:
            from ..errors import AuthenticationError
            return AuthenticationError(f"{what}: sealed TPM blob was altered (integrity check failed)")
        return TokenError(f"{what}: {exc}")

    def new_key(self, rng: Callable[[int], bytes] | None = None) -> tuple[bytes, bytes]:
        """A fresh data key sealed by the TPM (to the PCR policy and auth value, when set); the params are
        the sealed blobs."""
        import tpm2_pytss as t
        from tpm2_pytss import TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE, TPM2B_SENSITIVE_DATA, TPM2B_AUTH, TPMS_SENSITIVE_CREATE
        key = (rng or random_bytes)(32)
        try:
            if self.pcrs:
                sess = self._policy_session(trial=True)
                try:
                    policy = self._esys.policy_get_digest(sess)
                finally:
                    self._esys.flush_context(sess)
                pub = TPM2B_PUBLIC.parse("keyedhash", objectAttributes="fixedtpm|fixedparent")
                pub.publicArea.authPolicy = policy
            else:
                pub = TPM2B_PUBLIC.parse("keyedhash", objectAttributes="userwithauth|fixedtpm|fixedparent")
            sens = TPM2B_SENSITIVE_CREATE(TPMS_SENSITIVE_CREATE(userAuth=TPM2B_AUTH(self._auth),
                                                                data=TPM2B_SENSITIVE_DATA(key)))
            priv, pub_out, *_ = self._esys.create(self._primary, sens, pub)
        except t.TSS2_Exception as exc:
            raise self._errors(exc, "sealing a data key") from None
        return key, lp_bytes(pub_out.marshal(), 2) + lp_bytes(priv.marshal(), 2) + lp_bytes((self.pcrs or "").encode(), 2)

    def recover_key(self, params: bytes) -> bytes:
        """The data key unsealed by the TPM; a wrong auth value or PCR state fails with the TPM error
        mapped to a `pqzk.errors` exception."""
        import tpm2_pytss as t
        from tpm2_pytss import TPM2B_PRIVATE, TPM2B_PUBLIC
        from tpm2_pytss.constants import ESYS_TR
        r = ByteReader(params, "TPM sealer params")
        pub_b, priv_b, pcrs = r.lp(2), r.lp(2), r.lp(2).decode("ascii", "replace")
        r.end()
        if (pcrs or None) != self.pcrs:
            raise InvalidParameter(f"record is sealed with PCR policy {pcrs or 'none'!r}; store opened with {self.pcrs or 'none'!r}")
        try:
            pub, n1 = TPM2B_PUBLIC.unmarshal(pub_b)
            priv, n2 = TPM2B_PRIVATE.unmarshal(priv_b)
        except Exception:  # noqa: BLE001 — tpm2-pytss raises assorted errors on bad marshal
            raise InvalidEncoding("TPM sealer params: malformed sealed-object blobs") from None
        if n1 != len(pub_b) or n2 != len(priv_b):
            raise InvalidEncoding("TPM sealer params: trailing bytes in sealed-object blobs")
        handle = sess = None
        try:
            handle = self._esys.load(self._primary, priv, pub)
            self._esys.tr_set_auth(handle, self._auth)
            if self.pcrs:
                sess = self._policy_session(trial=False)
                data = self._esys.unseal(handle, session1=sess)
            else:
                data = self._esys.unseal(handle, session1=ESYS_TR.PASSWORD)
            return bytes(data)
        except t.TSS2_Exception as exc:
            raise self._errors(exc, "unsealing a data key") from None
        finally:
            for h in (sess, handle):
                if h is not None:
                    try:
                        self._esys.flush_context(h)
                    except t.TSS2_Exception:
                        pass


    # -- ECDSA P-256 keys that live in the TPM (TPM2_Sign; Ed25519 is not a TPM 2.0 algorithm) --
    def create_signing_key(self) -> tuple[bytes, bytes, bytes]:
        """(SEC1 public key, TPM2B_PUBLIC blob, TPM2B_PRIVATE blob) of a new P-256 key under the SRK."""
        import tpm2_pytss as t
        from tpm2_pytss import TPM2B_AUTH, TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE, TPMS_SENSITIVE_CREATE
        pub = TPM2B_PUBLIC.parse("ecc256:ecdsa-sha256",
                                 objectAttributes="userwithauth|sign|fixedtpm|fixedparent|sensitivedataorigin")
        try:
            priv, pub_out, *_ = self._esys.create(
                self._primary, TPM2B_SENSITIVE_CREATE(TPMS_SENSITIVE_CREATE(userAuth=TPM2B_AUTH(self._auth))), pub)
        except t.TSS2_Exception as exc:
            raise self._errors(exc, "creating a TPM signing key") from None
        return _sec1(pub_out), pub_out.marshal(), priv.marshal()

    def sign_digest(self, pub_blob: bytes, priv_blob: bytes, digest: bytes, expected_public: bytes) -> bytes:
        """Raw r || s from TPM2_Sign(ECDSA, SHA-256) with the key in the blobs."""
        import tpm2_pytss as t
        from tpm2_pytss import TPM2B_DIGEST, TPM2B_PRIVATE, TPM2B_PUBLIC, TPMT_SIG_SCHEME, TPMT_TK_HASHCHECK
        from tpm2_pytss.constants import TPM2_ALG, TPM2_RH, TPM2_ST
        from ..errors import AuthenticationError
        try:
            pub, n1 = TPM2B_PUBLIC.unmarshal(pub_blob)
            priv, n2 = TPM2B_PRIVATE.unmarshal(priv_blob)
        except Exception:  # noqa: BLE001
            raise InvalidEncoding("TPM key blobs are malformed") from None
        if n1 != len(pub_blob) or n2 != len(priv_blob):
            raise InvalidEncoding("TPM key blobs: trailing bytes")
        if _sec1(pub) != expected_public:
            raise AuthenticationError("TPM key blob does not hold the recorded public key")
        handle = None
        try:
            handle = self._esys.load(self._primary, priv, pub)
            self._esys.tr_set_auth(handle, self._auth)
            scheme = TPMT_SIG_SCHEME(scheme=TPM2_ALG.ECDSA)
            scheme.details.ecdsa.hashAlg = TPM2_ALG.SHA256
            sig = self._esys.sign(handle, TPM2B_DIGEST(digest), scheme,
                                  TPMT_TK_HASHCHECK(tag=TPM2_ST.HASHCHECK, hierarchy=TPM2_RH.NULL))
        except t.TSS2_Exception as exc:
            raise self._errors(exc, "signing in the TPM") from None
        finally:
            if handle is not None:
                try:
                    self._esys.flush_context(handle)
                except t.TSS2_Exception:
                    pass
        return (bytes(sig.signature.ecdsa.signatureR).rjust(32, b"\0")
                + bytes(sig.signature.ecdsa.signatureS).rjust(32, b"\0"))


def _sec1(pub) -> bytes:
    ecc = pub.publicArea.unique.ecc
    return b"\x04" + bytes(ecc.x).rjust(32, b"\0") + bytes(ecc.y).rjust(32, b"\0")


class TpmShareStore(DirectoryShareStore):
    """ShareStore whose records live in a directory and whose data keys are sealed by the TPM."""

    def __init__(self, directory, *, auth: str | bytes | None = None, tcti: str | None = None,
                 pcrs: str | None = None, create: bool = False, upgrade: bool = False,
                 uri: str | None = None, rng: Callable[[int], bytes] | None = None) -> None:
        sealer = TpmSealer(tcti, auth, pcrs)
        try:
            super().__init__(directory, sealer, uri=uri or f"tpm:{directory}", create=create,
                             upgrade=upgrade, rng=rng)
        except BaseException:
            sealer.close()
            raise

    # ECDSA P-256 held keys are TPM objects (<key id>.tkey holds their blobs); Ed25519 held keys
    # are sealed like shares and used in host memory for one signature (TPM 2.0 has no Ed25519).
    def _tkey(self, key_id: str):
        return self._path(key_id, TKEY_EXT)

    def generate_held_key(self, key_id: str, algorithm: str) -> bytes:
        from . import heldkeys
        from .atomic import locked
        from .errors import ShareExists
        from .store import ShareMetadata
        if heldkeys.check_algorithm(algorithm) != "ecdsa-p256":
            return super().generate_held_key(key_id, algorithm)
        if self._tkey(key_id).exists() or self._path(key_id, ".hkey").exists():
            raise ShareExists(f"held key {key_id!r} already exists in {self.uri}")
        public, pub_blob, priv_blob = self.sealer.create_signing_key()
        meta = ShareMetadata(key_id, 0, public, heldkeys.suite_of(algorithm), 0)
        data = TKEY_MAGIC + lp_bytes(meta.to_bytes(), 4) + lp_bytes(pub_blob, 4) + lp_bytes(priv_blob, 4)
        with locked(self.directory):
            if self._tkey(key_id).exists():
                raise ShareExists(f"held key {key_id!r} already exists in {self.uri}")
            atomic_write(self._tkey(key_id), data)
        return public

    def _read_tkey(self, key_id: str):
        from .store import ShareMetadata
        r = ByteReader(self._tkey(key_id).read_bytes(), "TPM key file")
        if r.take(len(TKEY_MAGIC)) != TKEY_MAGIC:
            raise InvalidEncoding("TPM key file: bad magic")
        meta, pub_blob, priv_blob = ShareMetadata.from_bytes(r.lp(4)), r.lp(4), r.lp(4)
        r.end()
        return meta, pub_blob, priv_blob

    def held_public_key(self, key_id: str) -> bytes:
        if self._tkey(key_id).exists():
            return self._read_tkey(key_id)[0].group_public_key
        return super().held_public_key(key_id)

    def sign_with_held_key(self, key_id: str, message: bytes) -> bytes:
        import hashlib
        from . import heldkeys
        if not self._tkey(key_id).exists():
            return super().sign_with_held_key(key_id, message)
        meta, pub_blob, priv_blob = self._read_tkey(key_id)
        raw = self.sealer.sign_digest(pub_blob, priv_blob, hashlib.sha256(bytes(message)).digest(),
                                      meta.group_public_key)
        return heldkeys.raw_ecdsa_to_der(raw)

    def delete_held_key(self, key_id: str) -> None:
        from .atomic import atomic_delete, locked
        if self._tkey(key_id).exists():
            with locked(self.directory):
                atomic_delete(self._tkey(key_id))
            return
        super().delete_held_key(key_id)

    def close(self) -> None:
        self.sealer.close()
