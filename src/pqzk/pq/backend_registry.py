"""One API over several ML-DSA / ML-KEM implementations, found rather than assumed.

Backends, in order of preference:
  openssl    the `cryptography` wheel (OpenSSL 3.5+): the default; seed-form keys only,
             hedged signing only (no caller-supplied randomness), ML-KEM-768/1024 only.
  liboqs     `oqs` (liboqs-python), used only when liboqs's shared library is found. `oqs`
             is never imported before that: its import otherwise runs `git clone` + cmake.
  pqclean    `pqcrypto` (PQClean): expanded keys, HashML-DSA, ML-KEM-512/768/1024.
  reference  dilithium-py / kyber-py (pure Python, slow): every operation, including explicit
             signing randomness, deterministic signing and derandomized encapsulation.

`backend=None` in the public functions picks the first usable backend that supports what was
asked (e.g. `deterministic=True` skips openssl, which cannot do it).
"""
from __future__ import annotations

import ctypes
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import importlib

from .. import discovery
from ..discovery import find_liboqs
from ..errors import BackendUnavailable, InvalidEncoding, InvalidParameter
from .params import MLDSAParams, MLKEMParams


# FIPS 204 §5.4: pre-hash functions allowed in HashML-DSA, with their DER-encoded OIDs.
_NIST_HASH_ARC = bytes.fromhex("0609608648016503040201")[:-1]   # 06 09 60 86 48 01 65 03 04 02 ..
PREHASH = {
    "SHA2-256": (1, lambda m: hashlib.sha256(m).digest()),
    "SHA2-384": (2, lambda m: hashlib.sha384(m).digest()),
    "SHA2-512": (3, lambda m: hashlib.sha512(m).digest()),
    "SHA2-224": (4, lambda m: hashlib.sha224(m).digest()),
    "SHA3-256": (8, lambda m: hashlib.sha3_256(m).digest()),
    "SHA3-384": (9, lambda m: hashlib.sha3_384(m).digest()),
    "SHA3-512": (10, lambda m: hashlib.sha3_512(m).digest()),
    "SHAKE128": (11, lambda m: hashlib.shake_128(m).digest(32)),
    "SHAKE256": (12, lambda m: hashlib.shake_256(m).digest(64)),
}


def prehash_oid_and_digest(prehash: str, message: bytes) -> tuple[bytes, bytes]:
    try:
        last, fn = PREHASH[prehash]
    except KeyError:
        raise InvalidParameter(f"unknown HashML-DSA pre-hash {prehash!r}; expected one of {sorted(PREHASH)}") from None
    return _NIST_HASH_ARC + bytes([last]), fn(message)


def message_prime(message: bytes, ctx: bytes, prehash: str | None) -> bytes:
    """FIPS 204 Algorithms 2/4: M' = 0 || |ctx| || ctx || M, or 1 || |ctx| || ctx || OID || PH(M)."""
    if prehash is None:
        return b"\x00" + bytes([len(ctx)]) + ctx + message
    oid, digest = prehash_oid_and_digest(prehash, message)
    return b"\x01" + bytes([len(ctx)]) + ctx + oid + digest


def external_mu(public_key: bytes, message: bytes, ctx: bytes, prehash: str | None) -> bytes:
    """μ = H(H(pk, 64) || M', 64) (FIPS 204 Algorithm 7, lines 6–7)."""
    tr = hashlib.shake_256(public_key).digest(64)
    return hashlib.shake_256(tr + message_prime(message, ctx, prehash)).digest(64)


@dataclass(frozen=True)
class PQBackendStatus:
    name: str
    usable: bool
    detail: str
    reason: str = ""
    how_to_enable: str = ""
    capabilities: tuple[str, ...] = ()


@dataclass
class _Handles:
    """Per-key cache of backend objects (parsed keys), so repeated use costs no re-parsing."""
    by_backend: dict = field(default_factory=dict)


class PQBackend:
    name = ""
    how_to_enable = ""
    capabilities: frozenset[str] = frozenset()
    mldsa_sets: frozenset[str] = frozenset({"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"})
    mlkem_sets: frozenset[str] = frozenset({"ML-KEM-512", "ML-KEM-768", "ML-KEM-1024"})
    max_context = 255          # FIPS 204 allows 255; a backend may accept fewer

    def status(self) -> PQBackendStatus:  # pragma: no cover - overridden
        raise NotImplementedError

    def supports(self, capability: str, params: MLDSAParams | MLKEMParams | None = None) -> bool:
        if capability not in self.capabilities:
            return False
        if isinstance(params, MLDSAParams):
            return params.name in self.mldsa_sets
        if isinstance(params, MLKEMParams):
            return params.name in self.mlkem_sets
        return True

    def _unavailable(self, reason: str) -> BackendUnavailable:
        return BackendUnavailable(self.name, reason, self.how_to_enable)


# -- openssl (cryptography) -------------------------------------------------------------------

class OpenSSLBackend(PQBackend):
    name = "openssl"
    how_to_enable = "pip install 'cryptography>=50' (wheels bundle OpenSSL 3.5 with ML-DSA and ML-KEM)"
    capabilities = frozenset({"mldsa.keygen", "mldsa.keygen_seed", "mldsa.sign", "mldsa.sign_prehash",
                              "mldsa.verify", "mldsa.verify_prehash", "mldsa.sign_from_seed",
                              "mlkem.keygen", "mlkem.keygen_seed", "mlkem.encaps", "mlkem.decaps",
                              "mlkem.decaps_from_seed"})
    mlkem_sets = frozenset({"ML-KEM-768", "ML-KEM-1024"})

    def status(self) -> PQBackendStatus:
        s = discovery.probe_openssl_pq()
        return PQBackendStatus(self.name, s.available, s.detail, s.reason, s.how_to_enable,
                               tuple(sorted(self.capabilities)) if s.available else ())

    @staticmethod
    def _mldsa_cls(params: MLDSAParams):
        from cryptography.hazmat.primitives.asymmetric import mldsa
        n = params.name[-2:]
        return getattr(mldsa, f"MLDSA{n}PrivateKey"), getattr(mldsa, f"MLDSA{n}PublicKey")

    def mldsa_keygen_seed(self, params: MLDSAParams, seed: bytes) -> tuple[bytes, bytes | None, object]:
        priv_cls, _ = self._mldsa_cls(params)
        key = priv_cls.from_seed_bytes(seed)
        return key.public_key().public_bytes_raw(), None, key

    def mldsa_private_handle(self, params: MLDSAParams, seed: bytes):
        return self._mldsa_cls(params)[0].from_seed_bytes(seed)

    def mldsa_public_handle(self, params: MLDSAParams, public_key: bytes):
        try:
            return self._mldsa_cls(params)[1].from_public_bytes(public_key)
        except ValueError:
            raise InvalidEncoding(f"{params.name} public key rejected by OpenSSL") from None

    def mldsa_sign(self, params, handle, public_key: bytes, message: bytes, ctx: bytes,
                   prehash: str | None) -> bytes:
        if prehash is None:
            return handle.sign(message, ctx)
        return handle.sign_mu(external_mu(public_key, message, ctx, prehash))

    def mldsa_verify(self, params, handle, public_key: bytes, message: bytes, signature: bytes,
                     ctx: bytes, prehash: str | None) -> bool:
        from cryptography.exceptions import InvalidSignature
        try:
            if prehash is None:
                handle.verify(signature, message, ctx)
            else:
                handle.verify_mu(signature, external_mu(public_key, message, ctx, prehash))
        except InvalidSignature:
            return False
        return True

    @staticmethod
    def _mlkem_cls(params: MLKEMParams):
        from cryptography.hazmat.primitives.asymmetric import mlkem
        n = params.name.split("-")[-1]
        return getattr(mlkem, f"MLKEM{n}PrivateKey"), getattr(mlkem, f"MLKEM{n}PublicKey")

    def mlkem_keygen_seed(self, params: MLKEMParams, seed: bytes):
        key = self._mlkem_cls(params)[0].from_seed_bytes(seed)
        return key.public_key().public_bytes_raw(), None, key

    def mlkem_private_handle(self, params: MLKEMParams, seed: bytes):
        return self._mlkem_cls(params)[0].from_seed_bytes(seed)

    def mlkem_encaps(self, params: MLKEMParams, public_key: bytes, m: bytes | None) -> tuple[bytes, bytes]:
        try:
            pk = self._mlkem_cls(params)[1].from_public_bytes(public_key)
        except ValueError:
            raise InvalidEncoding(f"{params.name} encapsulation key rejected (FIPS 203 §7.2 modulus check)") from None
        return pk.encapsulate()

    def mlkem_decaps(self, params: MLKEMParams, handle, ciphertext: bytes) -> bytes:
        return handle.decapsulate(ciphertext)


# -- liboqs -----------------------------------------------------------------------------------

def liboqs_loadable() -> tuple[str | None, str]:
    """The liboqs library `oqs` would load, or None and why (see pqzk.discovery.find_liboqs)."""
    return find_liboqs()


class LiboqsBackend(PQBackend):
    name = "liboqs"
    how_to_enable = ("liboqs is in no package registry: git clone https://github.com/open-quantum-safe/liboqs; "
                     "cmake -S liboqs -B build -DBUILD_SHARED_LIBS=ON -DCMAKE_INSTALL_PREFIX=$HOME/oqs; "
                     "cmake --build build --target install; export OQS_INSTALL_PATH=$HOME/oqs; "
                     "pip install 'pqzk[liboqs]'")
    capabilities = frozenset({"mldsa.keygen", "mldsa.sign", "mldsa.verify", "mldsa.sign_from_expanded",
                              "mlkem.keygen", "mlkem.keygen_seed", "mlkem.encaps", "mlkem.decaps",
                              "mlkem.decaps_from_expanded"})
    _oqs = None

    def status(self) -> PQBackendStatus:
        lib, why = liboqs_loadable()
        if lib is None:
            return PQBackendStatus(self.name, False, "", why, self.how_to_enable)
        ver = discovery._version("liboqs-python")
        if ver is None:
            return PQBackendStatus(self.name, False, lib, "liboqs-python (oqs) not installed",
                                   "pip install 'pqzk[liboqs]'")
        return PQBackendStatus(self.name, True, f"{lib}, liboqs-python {ver}", capabilities=tuple(sorted(self.capabilities)))

    def oqs(self):
        if self._oqs is None:
            lib, why = liboqs_loadable()
            if lib is None:
                raise self._unavailable(why)
            os.environ.setdefault("OQS_INSTALL_PATH", str(Path(lib).parent.parent))
            try:
                import oqs  # noqa: PLC0415 - only after the library was found and loaded
            except (Exception, SystemExit) as exc:  # oqs raises SystemExit when it cannot load liboqs; Ctrl-C still propagates
                raise self._unavailable(f"import oqs failed: {type(exc).__name__}") from None
            type(self)._oqs = oqs
        return self._oqs

    def mldsa_keygen_random(self, params: MLDSAParams):
        with self.oqs().Signature(params.name) as sig:
            pk = sig.generate_keypair()
            return pk, sig.export_secret_key()

    def mldsa_sign(self, params, handle, public_key, message, ctx, prehash):
        with self.oqs().Signature(params.name, handle) as sig:
            return sig.sign_with_ctx_str(message, ctx)

    def mldsa_private_handle(self, params, expanded: bytes):
        return expanded

    def mldsa_public_handle(self, params, public_key: bytes):
        return public_key

    def mldsa_verify(self, params, handle, public_key, message, signature, ctx, prehash) -> bool:
        with self.oqs().Signature(params.name) as sig:
            return bool(sig.verify_with_ctx_str(message, signature, ctx, public_key))

    def mlkem_keygen_seed(self, params: MLKEMParams, seed: bytes):
        with self.oqs().KeyEncapsulation(params.name) as kem:
            pk = kem.generate_keypair_seed(seed)
            return pk, kem.export_secret_key(), None

    def mlkem_private_handle(self, params, expanded: bytes):
        return expanded

    def mlkem_encaps(self, params, public_key, m):
        with self.oqs().KeyEncapsulation(params.name) as kem:
            ct, ss = kem.encap_secret(public_key)
            return ss, ct

    def mlkem_decaps(self, params, handle, ciphertext):
        with self.oqs().KeyEncapsulation(params.name, handle) as kem:
            return kem.decap_secret(ciphertext)


# -- pqclean (pqcrypto) -----------------------------------------------------------------------

class PQCleanBackend(PQBackend):
    name = "pqclean"
    how_to_enable = "pip install pqcrypto"
    capabilities = frozenset({"mldsa.keygen", "mldsa.sign", "mldsa.sign_prehash", "mldsa.verify",
                              "mldsa.verify_prehash", "mldsa.sign_from_expanded",
                              "mlkem.keygen", "mlkem.encaps", "mlkem.decaps", "mlkem.decaps_from_expanded"})
    _HASH = {"SHA2-224": "Sha224", "SHA2-256": "Sha256", "SHA2-384": "Sha384", "SHA2-512": "Sha512",
             "SHA3-256": "Sha3_256", "SHA3-384": "Sha3_384", "SHA3-512": "Sha3_512",
             "SHAKE128": "Shake128", "SHAKE256": "Shake256"}
    max_context = 253          # pqcrypto 1.0.0 rejects 254- and 255-byte contexts (FIPS 204 allows 255)

    def status(self) -> PQBackendStatus:
        s = discovery.probe_pqclean()
        if s.available:
            try:
                import pqcrypto.kem.ml_kem_768  # noqa: F401
                import pqcrypto.sign.ml_dsa_65  # noqa: F401
            except ImportError as exc:
                return PQBackendStatus(self.name, False, s.detail, f"pqcrypto lacks ML-DSA/ML-KEM ({exc})",
                                       "pip install 'pqcrypto>=1.0'")
        return PQBackendStatus(self.name, s.available, s.detail, s.reason, s.how_to_enable,
                               tuple(sorted(self.capabilities)) if s.available else ())

    @staticmethod
    def _sig(params):
        return importlib.import_module("pqcrypto.sign." + params.name.lower().replace("-", "_"))

    @staticmethod
    def _kem(params):
        import importlib
        return importlib.import_module("pqcrypto.kem." + params.name.lower().replace("-", "_"))

    def _hash(self, prehash):
        if prehash is None:
            return None
        import pqcrypto
        return getattr(pqcrypto.HashAlgorithm, self._HASH[prehash])

    def mldsa_keygen_random(self, params):
        return self._sig(params).keygen()

    def mldsa_private_handle(self, params, expanded):
        return expanded

    def mldsa_public_handle(self, params, public_key):
        return public_key

    @staticmethod
    def _input(message, prehash):
        # pqcrypto's HashML-DSA takes the digest PH(M), not M
        return message if prehash is None else prehash_oid_and_digest(prehash, message)[1]

    def mldsa_sign(self, params, handle, public_key, message, ctx, prehash):
        return self._sig(params).sign(handle, self._input(message, prehash), ctx, self._hash(prehash))

    def mldsa_verify(self, params, handle, public_key, message, signature, ctx, prehash) -> bool:
        import pqcrypto
        try:
            self._sig(params).verify(handle, self._input(message, prehash), signature, ctx, self._hash(prehash))
        except (pqcrypto.InvalidSignatureError, ValueError):
            return False
        return True

    def mlkem_keygen_random(self, params):
        return self._kem(params).keygen()

    def mlkem_private_handle(self, params, expanded):
        return expanded

    def mlkem_encaps(self, params, public_key, m):
        try:
            ct, ss = self._kem(params).encaps(public_key)
        except ValueError:
            raise InvalidEncoding(f"{params.name} encapsulation key rejected") from None
        return ss, ct

    def mlkem_decaps(self, params, handle, ciphertext):
        return self._kem(params).decaps(handle, ciphertext)


# -- reference (dilithium-py, kyber-py) -------------------------------------------------------

class ReferenceBackend(PQBackend):
    name = "reference"
    how_to_enable = "pip install dilithium-py kyber-py"
    _ALL = frozenset({"mldsa.keygen", "mldsa.keygen_seed", "mldsa.sign", "mldsa.sign_rnd", "mldsa.sign_prehash",
                      "mldsa.verify", "mldsa.verify_prehash", "mldsa.sign_from_expanded", "mldsa.expand",
                      "mlkem.keygen", "mlkem.keygen_seed", "mlkem.encaps", "mlkem.encaps_derand",
                      "mlkem.decaps", "mlkem.decaps_from_expanded", "mlkem.expand"})

    @property
    def capabilities(self) -> frozenset[str]:  # type: ignore[override]
        have_dsa = discovery._version("dilithium-py") is not None
        have_kem = discovery._version("kyber-py") is not None
        return frozenset(c for c in self._ALL if (c.startswith("mldsa") and have_dsa) or (c.startswith("mlkem") and have_kem))

    def status(self) -> PQBackendStatus:
        dsa, kem = discovery._version("dilithium-py"), discovery._version("kyber-py")
        if dsa is None and kem is None:
            return PQBackendStatus(self.name, False, "", "neither dilithium-py nor kyber-py installed", self.how_to_enable)
        parts = [f"dilithium-py {dsa}" if dsa else "no dilithium-py (ML-DSA unavailable)",
                 f"kyber-py {kem}" if kem else "no kyber-py (ML-KEM unavailable: pip install kyber-py)"]
        return PQBackendStatus(self.name, True, ", ".join(parts) + " (pure Python, slow)",
                               capabilities=tuple(sorted(self.capabilities)))

    @staticmethod
    def _dsa(params):
        from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87
        return {"ML-DSA-44": ML_DSA_44, "ML-DSA-65": ML_DSA_65, "ML-DSA-87": ML_DSA_87}[params.name]

    @staticmethod
    def _kem(params):
        from kyber_py.ml_kem import ML_KEM_512, ML_KEM_768, ML_KEM_1024
        return {"ML-KEM-512": ML_KEM_512, "ML-KEM-768": ML_KEM_768, "ML-KEM-1024": ML_KEM_1024}[params.name]

    def mldsa_keygen_seed(self, params, seed):
        pk, sk = self._dsa(params).key_derive(seed)   # FIPS 204 ML-DSA.KeyGen_internal(ξ)
        return pk, sk, sk

    def mldsa_private_handle(self, params, expanded):
        return expanded

    def mldsa_public_handle(self, params, public_key):
        return public_key

    def mldsa_sign(self, params, handle, public_key, message, ctx, prehash, rnd: bytes | None = None):
        if rnd is None:
            rnd = os.urandom(32)
        # FIPS 204 Algorithm 7 with M' built by message_prime (pure or HashML-DSA)
        return self._dsa(params)._sign_internal(handle, message_prime(message, ctx, prehash), rnd)

    def mldsa_verify(self, params, handle, public_key, message, signature, ctx, prehash) -> bool:
        try:
            return bool(self._dsa(params)._verify_internal(handle, message_prime(message, ctx, prehash), signature))
        except (ValueError, IndexError):
            return False

    def mlkem_keygen_seed(self, params, seed):
        ek, dk = self._kem(params).key_derive(seed)   # FIPS 203 ML-KEM.KeyGen_internal(d, z)
        return ek, dk, dk

    def mlkem_private_handle(self, params, expanded):
        return expanded

    def mlkem_encaps(self, params, public_key, m):
        try:
            return self._kem(params)._encaps_internal(public_key, m if m is not None else os.urandom(32))
        except ValueError:
            raise InvalidEncoding(f"{params.name} encapsulation key rejected (FIPS 203 §7.2 modulus check)") from None

    def mlkem_decaps(self, params, handle, ciphertext):
        return self._kem(params).decaps(handle, ciphertext)


BACKENDS: dict[str, PQBackend] = {b.name: b for b in (OpenSSLBackend(), LiboqsBackend(), PQCleanBackend(), ReferenceBackend())}
_STATUS: dict[str, PQBackendStatus] = {}


def status(name: str) -> PQBackendStatus:
    if name not in _STATUS:
        _STATUS[name] = BACKENDS[name].status()
    return _STATUS[name]


def backends() -> list[PQBackendStatus]:
    """Every post-quantum backend: usable or not, why not, and what each can do."""
    _STATUS.clear()
    return [status(n) for n in BACKENDS]


def get_backend(name: str) -> PQBackend:
    """A usable backend by name; BackendUnavailable (with how to enable it) otherwise."""
    if name not in BACKENDS:
        raise InvalidParameter(f"unknown post-quantum backend {name!r}; expected one of {list(BACKENDS)}")
    st = status(name)
    if not st.usable:
        raise BackendUnavailable(name, st.reason, st.how_to_enable)
    return BACKENDS[name]


def select(capability: str, params, backend: str | None, *, also: tuple[str, ...] = (),
           ctx_len: int = 0) -> PQBackend:
    """The named backend (checked to support `capability` for `params`) or the first usable one that does."""
    needed = (capability, *also)
    if backend is not None:
        b = get_backend(backend)
        missing = [c for c in needed if not b.supports(c, params)]
        if missing:
            raise InvalidParameter(f"backend {backend!r} cannot do {', '.join(missing)} for {params.name}")
        if ctx_len > b.max_context:
            raise InvalidParameter(f"backend {backend!r} accepts contexts of at most {b.max_context} bytes, got {ctx_len}")
        return b
    for name in BACKENDS:
        if (status(name).usable and all(BACKENDS[name].supports(c, params) for c in needed)
                and ctx_len <= BACKENDS[name].max_context):
            return BACKENDS[name]
    raise BackendUnavailable("any", f"no usable backend supports {', '.join(needed)} for {params.name}",
                             "see pqzk.pq.backends() for what each backend needs")
