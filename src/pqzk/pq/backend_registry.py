"""One API over several ML-DSA / ML-KEM implementations, found rather than assumed.

Backends, in order of preference:
  openssl    the `cryptography` wheel (OpenSSL 3.5+): the default; seed-form keys only,
             hedged signing only (no caller-supplied randomness), ML-KEM-768/1024 only.
  liboqs     `oqs` (liboqs-python), used only when liboqs's shared library is found. `oqs`
             is never imported before that: its import otherwise runs `git clone` + cmake.
             What it can do is read from the library found (see docs/liboqs.md).
  pqclean    `pqcrypto` (PQClean): expanded keys, HashML-DSA, ML-KEM-512/768/1024.
  numpy      pqzk's own FIPS 204 (`pqzk.pq.fips204`, numpy + the native NTT), ML-DSA only: every
             ML-DSA operation, including the FIPS 204 internal interface and external μ.
  reference  dilithium-py / kyber-py (pure Python, slow): every operation, including explicit
             signing randomness, deterministic signing and derandomized encapsulation.

`backend=None` in the public functions picks the first usable backend that supports what was
asked (e.g. `deterministic=True` skips openssl, which cannot do it). Each backend declares its
capabilities ("mldsa.sign_prehash", ...); `backends()` and `pqzk info` report them as what each
backend can and cannot do, and why not (`FEATURES`, `missing_because`).

The FIPS 204 internal interface (Sign_internal / Verify_internal on a caller's M', Algorithms 7
and 8) and external μ (signing or verifying a caller-computed μ = H(H(pk) || M')) are the
capabilities "mldsa.sign_internal", "mldsa.verify_internal", "mldsa.sign_mu" and "mldsa.verify_mu";
a backend that has the μ operations gets the internal ones from them (`PQBackend`'s defaults).

Statuses are cached per environment: a change of OQS_INSTALL_PATH or LD_LIBRARY_PATH (a test's
monkeypatch, a shell that sets it later) is seen by the next call; `refresh()` forgets them all.
"""
from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import importlib
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import discovery
from ..discovery import find_liboqs
from ..errors import BackendUnavailable, InvalidEncoding, InvalidParameter
from .params import MLDSA, MLKEM, MLDSAParams, MLKEMParams


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
    "SHA2-512/224": (5, lambda m: hashlib.new("sha512_224", m).digest()),
    "SHA2-512/256": (6, lambda m: hashlib.new("sha512_256", m).digest()),
    "SHA3-224": (7, lambda m: hashlib.sha3_224(m).digest()),
}


def prehash_oid_and_digest(prehash: str, message: bytes) -> tuple[bytes, bytes]:
    """The DER OID and digest of `message` for a HashML-DSA pre-hash name; `InvalidParameter` for an unknown
    one."""
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


def mu(public_key: bytes, message_prime: bytes) -> bytes:
    """μ = H(H(pk, 64) || M', 64) (FIPS 204 Algorithm 7, lines 6–7), computed in `fips204.mu_of`."""
    from .fips204 import mu_of
    return mu_of(public_key, message_prime)


def external_mu(public_key: bytes, message: bytes, ctx: bytes, prehash: str | None) -> bytes:
    """μ of a message signed with ML-DSA.Sign or HashML-DSA.Sign (its M' from `message_prime`)."""
    return mu(public_key, message_prime(message, ctx, prehash))


@dataclass(frozen=True)
class PQBackendStatus:
    name: str
    usable: bool
    detail: str
    reason: str = ""
    how_to_enable: str = ""
    capabilities: tuple[str, ...] = ()
    can: tuple[str, ...] = ()        # FEATURES this backend offers (with its parameter sets)
    cannot: tuple[str, ...] = ()     # FEATURES it lacks, each with why


# What `pqzk info` reports per backend: (key, label, family, capabilities all needed).
FEATURES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("mldsa", "ML-DSA sign/verify", "mldsa", ("mldsa.sign", "mldsa.verify")),
    ("hashml-dsa", "HashML-DSA (pre-hash)", "mldsa", ("mldsa.sign_prehash", "mldsa.verify_prehash")),
    ("mldsa-rnd", "deterministic / caller-supplied-rnd signing", "mldsa", ("mldsa.sign_rnd",)),
    ("mldsa-seed", "ML-DSA keygen from a 32-byte seed", "mldsa", ("mldsa.keygen_seed",)),
    ("mldsa-internal-sign", "FIPS 204 Sign_internal on a given M' (Algorithm 7)", "mldsa", ("mldsa.sign_internal",)),
    ("mldsa-internal-verify", "FIPS 204 Verify_internal on a given M' (Algorithm 8)", "mldsa",
     ("mldsa.verify_internal",)),
    ("mldsa-mu-sign", "signing an external μ", "mldsa", ("mldsa.sign_mu",)),
    ("mldsa-mu-verify", "verifying against an external μ", "mldsa", ("mldsa.verify_mu",)),
    ("mlkem", "ML-KEM encaps/decaps", "mlkem", ("mlkem.encaps", "mlkem.decaps")),
    ("mlkem-seed", "ML-KEM keygen from a 64-byte seed", "mlkem", ("mlkem.keygen_seed",)),
    ("mlkem-derand", "derandomized ML-KEM encaps", "mlkem", ("mlkem.encaps_derand",)),
)
_FAMILY = {"mldsa": MLDSA, "mlkem": MLKEM}


class PQBackend:
    """Base of the post-quantum backends: name, how to enable, capabilities and parameter sets, and what it
    can and cannot do."""
    name = ""
    how_to_enable = ""
    capabilities: frozenset[str] = frozenset()
    mldsa_sets: frozenset[str] = frozenset({"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"})
    mlkem_sets: frozenset[str] = frozenset({"ML-KEM-512", "ML-KEM-768", "ML-KEM-1024"})
    max_context = 255          # FIPS 204 allows 255; a backend may accept fewer
    missing_because: dict[str, str] = {}   # FEATURES key -> why this backend lacks it

    def status(self) -> PQBackendStatus:  # pragma: no cover - overridden
        """Whether the backend is usable here, with its version, capabilities, and how to enable it when not.
        """
        raise NotImplementedError

    def report(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(can, cannot): every FEATURES entry, with the parameter sets it covers or why it is missing."""
        can, cannot = [], []
        for key, label, family, caps in FEATURES:
            sets = [p for n, p in _FAMILY[family].items() if all(self.supports(c, p) for c in caps)]
            if not sets:
                cannot.append(f"{label}: {self.missing_because.get(key, 'not offered by this backend')}")
            elif len(sets) == len(_FAMILY[family]):
                can.append(label)
            else:
                can.append(f"{label} ({', '.join(p.name for p in sets)} only)")
        if any(self.supports("mldsa.sign", p) for p in MLDSA.values()):
            (can if self.max_context == 255 else cannot).append(
                "ML-DSA context strings up to 255 bytes" if self.max_context == 255
                else f"ML-DSA context strings of {self.max_context + 1}-255 bytes: "
                     f"{self.missing_because.get('context', 'refused by this backend')}")
        return tuple(can), tuple(cannot)

    def _usable_status(self, detail: str) -> PQBackendStatus:
        can, cannot = self.report()
        return PQBackendStatus(self.name, True, detail, capabilities=tuple(sorted(self.capabilities)),
                               can=can, cannot=cannot)

    def supports(self, capability: str, params: MLDSAParams | MLKEMParams | None = None) -> bool:
        """Whether the backend offers `capability` (for the parameter set `params`, when given)."""
        if capability not in self.capabilities:
            return False
        if isinstance(params, MLDSAParams):
            return params.name in self.mldsa_sets
        if isinstance(params, MLKEMParams):
            return params.name in self.mlkem_sets
        return True

    def _unavailable(self, reason: str) -> BackendUnavailable:
        return BackendUnavailable(self.name, reason, self.how_to_enable)

    # FIPS 204 internal interface from the external-μ operations (a backend with its own overrides)
    def mldsa_sign_internal(self, params: MLDSAParams, handle, public_key: bytes, message_prime: bytes,
                            rnd: bytes | None = None) -> bytes:
        """Sign_internal(sk, M', rnd): μ = H(H(pk) || M'), then the μ signer (rnd None: hedged)."""
        return self.mldsa_sign_mu(params, handle, mu(public_key, message_prime), rnd)

    def mldsa_verify_internal(self, params: MLDSAParams, handle, public_key: bytes, message_prime: bytes,
                              signature: bytes) -> bool:
        """Verify_internal(pk, M', σ) through the μ verifier."""
        return self.mldsa_verify_mu(params, handle, public_key, mu(public_key, message_prime), signature)

    def mldsa_sign_mu(self, params: MLDSAParams, handle, mu_: bytes, rnd: bytes | None = None) -> bytes:  # pragma: no cover
        """Sign an external μ (FIPS 204 Algorithm 7 from step 6); `rnd` None signs hedged."""
        raise self._unavailable("no external-μ signing")

    def mldsa_verify_mu(self, params: MLDSAParams, handle, public_key: bytes, mu_: bytes,
                        signature: bytes) -> bool:  # pragma: no cover
        """Verify a signature on an external μ."""
        raise self._unavailable("no external-μ verification")


# -- probes, cached per environment ------------------------------------------------------------

# What discovery depends on that a process (or a test's monkeypatch) may change.
_ENVIRONMENT = ("OQS_INSTALL_PATH", "LD_LIBRARY_PATH")
_CACHE: dict[tuple, tuple[tuple, object]] = {}


def _cached(key: tuple, compute):
    """compute(), remembered until one of the _ENVIRONMENT variables changes (or `refresh()`):
    a status probed under one OQS_INSTALL_PATH is never served under another."""
    env = tuple(os.environ.get(v) for v in _ENVIRONMENT)
    hit = _CACHE.get(key)
    if hit is None or hit[0] != env:
        hit = _CACHE[key] = (env, compute())
    return hit[1]


# -- openssl (cryptography) -------------------------------------------------------------------

class OpenSSLBackend(PQBackend):
    """ML-DSA and ML-KEM from the OpenSSL 3.5 that the `cryptography` wheel bundles: the default backend
    (keys held as seeds)."""
    name = "openssl"
    how_to_enable = "pip install 'cryptography>=50' (wheels bundle OpenSSL 3.5 with ML-DSA and ML-KEM)"
    capabilities = frozenset({"mldsa.keygen", "mldsa.keygen_seed", "mldsa.sign", "mldsa.sign_prehash",
                              "mldsa.verify", "mldsa.verify_prehash", "mldsa.sign_from_seed",
                              "mldsa.sign_internal", "mldsa.verify_internal", "mldsa.sign_mu", "mldsa.verify_mu",
                              "mlkem.keygen", "mlkem.keygen_seed", "mlkem.encaps", "mlkem.decaps",
                              "mlkem.decaps_from_seed"})
    mlkem_sets = frozenset({"ML-KEM-768", "ML-KEM-1024"})

    missing_because = {
        "mldsa-rnd": "OpenSSL signs hedged only through cryptography (no rnd, no deterministic variant); "
                     "so Sign_internal and μ signing here are hedged, and only from a seed-form key",
        "mlkem-derand": "cryptography exposes randomized encapsulation only",
    }

    def status(self) -> PQBackendStatus:
        s = discovery.probe_openssl_pq()
        if not s.available:
            return PQBackendStatus(self.name, False, s.detail, s.reason, s.how_to_enable)
        return self._usable_status(s.detail)

    @staticmethod
    def _mldsa_cls(params: MLDSAParams):
        from cryptography.hazmat.primitives.asymmetric import mldsa
        n = params.name[-2:]
        return getattr(mldsa, f"MLDSA{n}PrivateKey"), getattr(mldsa, f"MLDSA{n}PublicKey")

    def mldsa_keygen_seed(self, params: MLDSAParams, seed: bytes) -> tuple[bytes, bytes | None, object]:
        """(public key, None, private key object) for the 32-byte seed ξ; OpenSSL keeps no expanded key for
        pqzk."""
        priv_cls, _ = self._mldsa_cls(params)
        key = priv_cls.from_seed_bytes(seed)
        return key.public_key().public_bytes_raw(), None, key

    def mldsa_private_handle(self, params: MLDSAParams, seed: bytes):
        """The OpenSSL private key object for a seed."""
        return self._mldsa_cls(params)[0].from_seed_bytes(seed)

    def mldsa_public_handle(self, params: MLDSAParams, public_key: bytes):
        """The OpenSSL public key object; `InvalidEncoding` when OpenSSL rejects the key."""
        try:
            return self._mldsa_cls(params)[1].from_public_bytes(public_key)
        except ValueError:
            raise InvalidEncoding(f"{params.name} public key rejected by OpenSSL") from None

    def mldsa_sign(self, params, handle, public_key: bytes, message: bytes, ctx: bytes,
                   prehash: str | None) -> bytes:
        """ML-DSA.Sign with a context; HashML-DSA through external μ (pqzk builds μ)."""
        if prehash is None:
            return handle.sign(message, ctx)
        return handle.sign_mu(external_mu(public_key, message, ctx, prehash))

    def mldsa_verify(self, params, handle, public_key: bytes, message: bytes, signature: bytes,
                     ctx: bytes, prehash: str | None) -> bool:
        """Whether an ML-DSA (or HashML-DSA, through μ) signature verifies."""
        if prehash is not None:
            return self.mldsa_verify_mu(params, handle, public_key,
                                        external_mu(public_key, message, ctx, prehash), signature)
        from cryptography.exceptions import InvalidSignature
        try:
            handle.verify(signature, message, ctx)
        except InvalidSignature:
            return False
        return True

    def mldsa_sign_mu(self, params, handle, mu_: bytes, rnd: bytes | None = None) -> bytes:
        if rnd is not None:     # select() never picks this backend for rnd ("mldsa.sign_rnd")
            raise self._unavailable("OpenSSL signs hedged only through cryptography")
        return handle.sign_mu(mu_)

    def mldsa_verify_mu(self, params, handle, public_key: bytes, mu_: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        try:
            handle.verify_mu(signature, mu_)
        except InvalidSignature:
            return False
        return True

    @staticmethod
    def _mlkem_cls(params: MLKEMParams):
        from cryptography.hazmat.primitives.asymmetric import mlkem
        n = params.name.split("-")[-1]
        return getattr(mlkem, f"MLKEM{n}PrivateKey"), getattr(mlkem, f"MLKEM{n}PublicKey")

    def mlkem_keygen_seed(self, params: MLKEMParams, seed: bytes):
        """(encapsulation key, None, private key object) for the 64-byte seed d ‖ z."""
        key = self._mlkem_cls(params)[0].from_seed_bytes(seed)
        return key.public_key().public_bytes_raw(), None, key

    def mlkem_private_handle(self, params: MLKEMParams, seed: bytes):
        """The OpenSSL private key object for a seed."""
        return self._mlkem_cls(params)[0].from_seed_bytes(seed)

    def mlkem_encaps(self, params: MLKEMParams, public_key: bytes, m: bytes | None) -> tuple[bytes, bytes]:
        """(shared secret, ciphertext), randomized; `InvalidEncoding` when the key fails FIPS 203's modulus
        check."""
        try:
            pk = self._mlkem_cls(params)[1].from_public_bytes(public_key)
        except ValueError:
            raise InvalidEncoding(f"{params.name} encapsulation key rejected (FIPS 203 §7.2 modulus check)") from None
        return pk.encapsulate()

    def mlkem_decaps(self, params: MLKEMParams, handle, ciphertext: bytes) -> bytes:
        """The shared secret of a ciphertext."""
        return handle.decapsulate(ciphertext)


# -- liboqs -----------------------------------------------------------------------------------

def liboqs_loadable() -> tuple[str | None, str]:
    """The liboqs library `oqs` would load, or None and why (see pqzk.discovery.find_liboqs)."""
    return find_liboqs()


@dataclass(frozen=True)
class LiboqsFeatures:
    """What one liboqs build offers, read from the library itself (ctypes; `oqs` not imported)."""
    version: str
    mldsa: frozenset[str]          # ML-DSA-44/65/87 enabled in this build
    mldsa_extmu: frozenset[str]    # ML-DSA-*-extmu (external μ: liboqs after 0.16.0) enabled
    mlkem: frozenset[str]          # ML-KEM-512/768/1024 enabled


_NO_LIBOQS = LiboqsFeatures("", frozenset(), frozenset(), frozenset())


@functools.lru_cache(maxsize=8)
def liboqs_features(lib: str) -> LiboqsFeatures:
    """Ask the library at `lib` which ML-DSA / ML-KEM algorithms it was built with (OQS_*_alg_is_enabled:
    a minimal build may lack some) and whether it has the external-μ ML-DSA variants."""
    try:
        cdll = ctypes.CDLL(lib)
        sig, kem = cdll.OQS_SIG_alg_is_enabled, cdll.OQS_KEM_alg_is_enabled
    except (OSError, AttributeError):
        return _NO_LIBOQS
    for fn in (sig, kem):
        fn.argtypes, fn.restype = [ctypes.c_char_p], ctypes.c_int
    return LiboqsFeatures(
        discovery.liboqs_version(lib),
        frozenset(n for n in MLDSA if sig(n.encode())),
        frozenset(n for n in MLDSA if sig(f"{n}-extmu".encode())),
        frozenset(n for n in MLKEM if kem(n.encode())))


class LiboqsBackend(PQBackend):
    """liboqs through liboqs-python. What it can do is read from the library found (a minimal
    build may lack parameter sets): ML-DSA with context strings (hedged signing only, keys from
    `OQS_SIG_keypair` or pqzk's expansion of a seed), HashML-DSA only where the build has the
    external-μ ML-DSA variants (liboqs after 0.16.0: pqzk computes μ, FIPS 204 Algorithm 7 line 6),
    ML-KEM with seed keygen (d || z) and randomized encapsulation."""
    name = "liboqs"
    how_to_enable = discovery.LIBOQS_HOW
    _BASE = frozenset({"mldsa.keygen", "mldsa.sign", "mldsa.verify", "mldsa.sign_from_expanded",
                       "mlkem.keygen", "mlkem.keygen_seed", "mlkem.encaps", "mlkem.decaps",
                       "mlkem.decaps_from_expanded"})
    _PREHASH = frozenset({"mldsa.sign_prehash", "mldsa.verify_prehash", "mldsa.sign_internal",
                          "mldsa.verify_internal", "mldsa.sign_mu", "mldsa.verify_mu"})
    missing_because = {
        "hashml-dsa": "this liboqs build has no HashML-DSA API nor the external-mu ML-DSA-*-extmu "
                      "algorithms pqzk builds it on (the 0.16.0 release lacks them; its main branch "
                      "after 0.16.0 has them)",
        **{k: "needs the external-mu ML-DSA-*-extmu algorithms (liboqs after 0.16.0; not in this build)"
           for k in ("mldsa-internal-sign", "mldsa-internal-verify", "mldsa-mu-sign", "mldsa-mu-verify")},
        "mldsa-rnd": "liboqs signs hedged only (no caller-supplied rnd, no deterministic variant)",
        "mldsa-seed": "liboqs's ML-DSA API has no keygen from a seed (pqzk expands a seed key itself, with "
                      "the numpy or reference backend, and liboqs signs the expanded key)",
        "mlkem-derand": "liboqs-python does not expose derandomized encapsulation",
    }
    _oqs = None

    @staticmethod
    def location() -> tuple[str | None, str]:
        """liboqs_loadable(), once per environment (finding the system library takes ~25 ms)."""
        return _cached(("liboqs-location",), liboqs_loadable)

    def features(self) -> LiboqsFeatures:
        """What the liboqs found here offers (parameter sets, external-μ variants), read from the library
        without importing `oqs`."""
        lib, _ = self.location()
        return liboqs_features(lib) if lib is not None else _NO_LIBOQS

    @property
    def capabilities(self) -> frozenset[str]:  # type: ignore[override]
        """The base capabilities, plus HashML-DSA and the internal interface when the build has external μ."""
        f = self.features()
        return self._BASE | (self._PREHASH if f.mldsa_extmu else frozenset())

    @property
    def mldsa_sets(self) -> frozenset[str]:  # type: ignore[override]
        """The ML-DSA parameter sets this liboqs build has."""
        return self.features().mldsa

    @property
    def mlkem_sets(self) -> frozenset[str]:  # type: ignore[override]
        """The ML-KEM parameter sets this liboqs build has."""
        return self.features().mlkem

    def supports(self, capability: str, params: MLDSAParams | MLKEMParams | None = None) -> bool:
        if not super().supports(capability, params):
            return False
        if capability in self._PREHASH and isinstance(params, MLDSAParams):
            return params.name in self.features().mldsa_extmu
        return True

    def status(self) -> PQBackendStatus:
        lib, why = self.location()
        if lib is None:
            return PQBackendStatus(self.name, False, "", why, self.how_to_enable)
        ver = discovery._version("liboqs-python")
        if ver is None:
            return PQBackendStatus(self.name, False, lib, "liboqs-python (oqs) not installed",
                                   "pip install 'pqzk[liboqs]'")
        f = liboqs_features(lib)
        if not (f.mldsa or f.mlkem):
            return PQBackendStatus(self.name, False, lib, "this liboqs build has neither ML-DSA nor ML-KEM",
                                   self.how_to_enable)
        return self._usable_status(f"liboqs {f.version} ({lib}), liboqs-python {ver}")

    def oqs(self):
        """The `oqs` module, imported only once liboqs was found (so `oqs` never tries to download and
        build it); `BackendUnavailable` otherwise."""
        if self._oqs is None:
            lib, why = liboqs_loadable()
            if lib is None:
                raise self._unavailable(why)
            if Path(lib).is_absolute():      # a prefix's lib/liboqs.so (a system soname needs none)
                os.environ.setdefault("OQS_INSTALL_PATH", str(Path(lib).parent.parent))
            log = io.StringIO()
            try:
                # oqs logs a line to stdout at import: it would break `pqzk ... --json`
                with contextlib.redirect_stdout(log):
                    import oqs  # noqa: PLC0415 - only after the library was found and loaded
            except (Exception, SystemExit) as exc:  # oqs raises SystemExit when it cannot load liboqs; Ctrl-C still propagates
                raise self._unavailable(f"import oqs failed: {type(exc).__name__}") from None
            _oqs_logs_to_stderr(log)
            type(self)._oqs = oqs
        return self._oqs

    def _call(self, what: str, fn, *args):
        """A liboqs-python call; its RuntimeError/ValueError (inputs pqzk checked first) as a pqzk error."""
        try:
            return fn(*args)
        except (RuntimeError, ValueError) as exc:
            raise InvalidEncoding(f"liboqs refused {what}: {exc}") from None

    def mldsa_keygen_random(self, params: MLDSAParams):
        """(public key, expanded private key) from liboqs's own key generation."""
        with self.oqs().Signature(params.name) as sig:
            pk = sig.generate_keypair()
            return pk, sig.export_secret_key()

    def mldsa_sign(self, params, handle, public_key, message, ctx, prehash):
        """ML-DSA.Sign with a context (hedged); HashML-DSA through the external-μ variant."""
        if prehash is not None:   # HashML-DSA: pqzk builds μ, the extmu variant signs it
            return self.mldsa_sign_mu(params, handle, external_mu(public_key, message, ctx, prehash))
        with self.oqs().Signature(params.name, handle) as sig:
            return self._call("ML-DSA signing", sig.sign_with_ctx_str, message, ctx)

    def mldsa_private_handle(self, params, expanded: bytes):
        """The expanded private key itself (liboqs takes keys as bytes)."""
        return expanded

    def mldsa_public_handle(self, params, public_key: bytes):
        """The public key itself (liboqs takes keys as bytes)."""
        return public_key

    def mldsa_verify(self, params, handle, public_key, message, signature, ctx, prehash) -> bool:
        """Whether an ML-DSA (or HashML-DSA, through μ) signature verifies."""
        if prehash is not None:
            return self.mldsa_verify_mu(params, handle, public_key,
                                        external_mu(public_key, message, ctx, prehash), signature)
        with self.oqs().Signature(params.name) as sig:
            return bool(sig.verify_with_ctx_str(message, signature, ctx, public_key))

    def mldsa_sign_mu(self, params, handle, mu_, rnd=None):
        if rnd is not None:     # select() never picks this backend for rnd ("mldsa.sign_rnd")
            raise self._unavailable("liboqs signs hedged only")
        with self.oqs().Signature(f"{params.name}-extmu", handle) as sig:   # the message is μ
            return self._call("ML-DSA signing", sig.sign, mu_)

    def mldsa_verify_mu(self, params, handle, public_key, mu_, signature) -> bool:
        with self.oqs().Signature(f"{params.name}-extmu") as sig:
            return bool(sig.verify(mu_, signature, public_key))

    def mlkem_keygen_seed(self, params: MLKEMParams, seed: bytes):
        """(encapsulation key, decapsulation key, None) from the seed d ‖ z."""
        with self.oqs().KeyEncapsulation(params.name) as kem:
            pk = kem.generate_keypair_seed(seed)
            return pk, kem.export_secret_key(), None

    def mlkem_private_handle(self, params, expanded: bytes):
        """The decapsulation key itself (liboqs takes keys as bytes)."""
        return expanded

    def mlkem_encaps(self, params, public_key, m):
        """(shared secret, ciphertext), randomized: liboqs has no derandomized encapsulation."""
        with self.oqs().KeyEncapsulation(params.name) as kem:
            ct, ss = self._call("ML-KEM encapsulation", kem.encap_secret, public_key)
            return ss, ct

    def mlkem_decaps(self, params, handle, ciphertext):
        """The shared secret of a ciphertext."""
        with self.oqs().KeyEncapsulation(params.name, handle) as kem:
            return self._call("ML-KEM decapsulation", kem.decap_secret, ciphertext)


def _oqs_logs_to_stderr(captured: io.StringIO) -> None:
    """oqs's logger was bound to the stdout of its import (our buffer): point it at stderr."""
    import logging
    for handler in logging.getLogger("oqs.oqs").handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is captured:
            handler.setStream(sys.stderr)


# -- pqclean (pqcrypto) -----------------------------------------------------------------------

class PQCleanBackend(PQBackend):
    """ML-DSA and ML-KEM from PQClean through the `pqcrypto` package: an independent implementation for
    interoperability tests."""
    name = "pqclean"
    how_to_enable = "pip install pqcrypto"
    capabilities = frozenset({"mldsa.keygen", "mldsa.sign", "mldsa.sign_prehash", "mldsa.verify",
                              "mldsa.verify_prehash", "mldsa.sign_from_expanded",
                              "mlkem.keygen", "mlkem.encaps", "mlkem.decaps", "mlkem.decaps_from_expanded"})
    _HASH = {"SHA2-224": "Sha224", "SHA2-256": "Sha256", "SHA2-384": "Sha384", "SHA2-512": "Sha512",
             "SHA3-256": "Sha3_256", "SHA3-384": "Sha3_384", "SHA3-512": "Sha3_512",
             "SHAKE128": "Shake128", "SHAKE256": "Shake256", "SHA2-512/224": "Sha512_224",
             "SHA2-512/256": "Sha512_256", "SHA3-224": "Sha3_224"}
    max_context = 253          # pqcrypto 1.0.0 rejects 254- and 255-byte contexts (FIPS 204 allows 255)
    missing_because = {
        "context": "pqcrypto 1.0.0 refuses them (such calls pick another backend)",
        "mldsa-rnd": "pqcrypto signs hedged only",
        **{k: "pqcrypto exposes neither ML-DSA's internal functions nor external μ"
           for k in ("mldsa-internal-sign", "mldsa-internal-verify", "mldsa-mu-sign", "mldsa-mu-verify")},
        "mldsa-seed": "pqcrypto has no keygen from a seed (pqzk expands a seed key itself, with the numpy "
                      "or reference backend)",
        "mlkem-seed": "pqcrypto has no keygen from a seed (pqzk expands a seed key with the reference backend)",
        "mlkem-derand": "pqcrypto encapsulates with its own randomness only",
    }

    def status(self) -> PQBackendStatus:
        s = discovery.probe_pqclean()
        if s.available:
            try:
                import pqcrypto.kem.ml_kem_768  # noqa: F401
                import pqcrypto.sign.ml_dsa_65  # noqa: F401
            except ImportError as exc:
                return PQBackendStatus(self.name, False, s.detail, f"pqcrypto lacks ML-DSA/ML-KEM ({exc})",
                                       "pip install 'pqcrypto>=1.0'")
        if not s.available:
            return PQBackendStatus(self.name, False, s.detail, s.reason, s.how_to_enable)
        return self._usable_status(s.detail)

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
        """(public key, expanded private key) from PQClean's key generation."""
        return self._sig(params).keygen()

    def mldsa_private_handle(self, params, expanded):
        """The expanded private key itself (pqcrypto takes keys as bytes)."""
        return expanded

    def mldsa_public_handle(self, params, public_key):
        """The public key itself (pqcrypto takes keys as bytes)."""
        return public_key

    @staticmethod
    def _input(message, prehash):
        # pqcrypto's HashML-DSA takes the digest PH(M), not M
        return message if prehash is None else prehash_oid_and_digest(prehash, message)[1]

    def mldsa_sign(self, params, handle, public_key, message, ctx, prehash):
        """ML-DSA.Sign (or HashML-DSA.Sign with the named pre-hash) with a context."""
        return self._sig(params).sign(handle, self._input(message, prehash), ctx, self._hash(prehash))

    def mldsa_verify(self, params, handle, public_key, message, signature, ctx, prehash) -> bool:
        """Whether an ML-DSA (or HashML-DSA) signature verifies."""
        import pqcrypto
        try:
            self._sig(params).verify(handle, self._input(message, prehash), signature, ctx, self._hash(prehash))
        except (pqcrypto.InvalidSignatureError, ValueError):
            return False
        return True

    def mlkem_keygen_random(self, params):
        """(encapsulation key, decapsulation key) from PQClean's key generation."""
        return self._kem(params).keygen()

    def mlkem_private_handle(self, params, expanded):
        """The decapsulation key itself (pqcrypto takes keys as bytes)."""
        return expanded

    def mlkem_encaps(self, params, public_key, m):
        """(shared secret, ciphertext), randomized; `InvalidEncoding` when the key is rejected."""
        try:
            ct, ss = self._kem(params).encaps(public_key)
        except ValueError:
            raise InvalidEncoding(f"{params.name} encapsulation key rejected") from None
        return ss, ct

    def mlkem_decaps(self, params, handle, ciphertext):
        """The shared secret of a ciphertext (pqzk made the FIPS 203 checks first)."""
        try:   # pqzk made the FIPS 203 §7.3 checks first (mlkem_checks); this is a last line
            return self._kem(params).decaps(handle, ciphertext)
        except ValueError as exc:
            raise InvalidEncoding(f"{params.name} decapsulation rejected by pqcrypto: {exc}") from None


# -- backends that sign through their own Sign_internal -----------------------------------------

class InternalSigner(PQBackend):
    """A backend whose ML-DSA.Sign / Verify (and HashML-DSA's) are its Sign_internal /
    Verify_internal on the M' that `message_prime` builds (FIPS 204 Algorithms 2–5), with keys
    passed as their bytes (expanded private key, public key)."""

    def mldsa_private_handle(self, params, expanded):
        """The expanded private key itself."""
        return expanded

    def mldsa_public_handle(self, params, public_key):
        """The public key itself."""
        return public_key

    def mldsa_sign(self, params, handle, public_key, message, ctx, prehash, rnd: bytes | None = None):
        """ML-DSA.Sign (or HashML-DSA.Sign) as Sign_internal on M' (`rnd` None: hedged)."""
        return self.mldsa_sign_internal(params, handle, public_key, message_prime(message, ctx, prehash), rnd)

    def mldsa_verify(self, params, handle, public_key, message, signature, ctx, prehash) -> bool:
        """ML-DSA.Verify (or HashML-DSA.Verify) as Verify_internal on M'."""
        return self.mldsa_verify_internal(params, handle, public_key, message_prime(message, ctx, prehash), signature)


# -- numpy (pqzk.pq.fips204) ------------------------------------------------------------------

class NumpyBackend(InternalSigner):
    """pqzk's own FIPS 204 (`pqzk.pq.fips204`: numpy and the native NTT), byte-identical to
    dilithium-py and about ten times faster: every ML-DSA operation, the internal interface and
    external μ included. ML-DSA only. Not constant time (Python and numpy)."""
    name = "numpy"
    how_to_enable = "pip install numpy, and build pqzk's native extension (pip install .)"
    capabilities = frozenset({"mldsa.keygen", "mldsa.keygen_seed", "mldsa.sign", "mldsa.sign_rnd",
                              "mldsa.sign_prehash", "mldsa.verify", "mldsa.verify_prehash",
                              "mldsa.sign_from_expanded", "mldsa.expand", "mldsa.sign_internal",
                              "mldsa.verify_internal", "mldsa.sign_mu", "mldsa.verify_mu"})
    mlkem_sets = frozenset()
    missing_because = {k: "ML-DSA only (pqzk has no ML-KEM of its own)"
                       for k in ("mlkem", "mlkem-seed", "mlkem-derand")}

    def status(self) -> PQBackendStatus:
        s = discovery.probe_numpy_mldsa()
        if not s.available:
            return PQBackendStatus(self.name, False, s.detail, s.reason, s.how_to_enable)
        return self._usable_status(s.detail)

    @staticmethod
    def _p(params: MLDSAParams):
        from . import fips204
        return fips204, fips204.params(params.name)

    def mldsa_keygen_seed(self, params, seed):
        """(public key, expanded private key, the same as handle) by FIPS 204 Algorithm 6 from ξ."""
        f, p = self._p(params)
        pk, sk = f.keygen_internal(seed, p)     # FIPS 204 Algorithm 6
        return pk, sk, sk

    def mldsa_sign_mu(self, params, handle, mu_, rnd=None):
        f, p = self._p(params)
        return f.sign_mu(handle, mu_, rnd if rnd is not None else os.urandom(32), p)

    def mldsa_verify_mu(self, params, handle, public_key, mu_, signature) -> bool:
        f, p = self._p(params)
        return f.verify_mu(public_key, mu_, signature, p)


# -- reference (dilithium-py, kyber-py) -------------------------------------------------------

class ReferenceBackend(InternalSigner):
    """The pure-Python references dilithium-py and kyber-py: slow, but every FIPS 204/203 interface, for
    cross-checks."""
    name = "reference"
    how_to_enable = "pip install dilithium-py kyber-py"
    _ALL = frozenset({"mldsa.keygen", "mldsa.keygen_seed", "mldsa.sign", "mldsa.sign_rnd", "mldsa.sign_prehash",
                      "mldsa.verify", "mldsa.verify_prehash", "mldsa.sign_from_expanded", "mldsa.expand",
                      "mldsa.sign_internal", "mldsa.verify_internal", "mldsa.sign_mu",
                      "mlkem.keygen", "mlkem.keygen_seed", "mlkem.encaps", "mlkem.encaps_derand",
                      "mlkem.decaps", "mlkem.decaps_from_expanded", "mlkem.expand"})
    missing_because = {**{k: "dilithium-py not installed (pip install dilithium-py)"
                          for k in ("mldsa", "hashml-dsa", "mldsa-rnd", "mldsa-seed", "mldsa-internal-sign",
                                    "mldsa-internal-verify", "mldsa-mu-sign")},
                       "mldsa-mu-verify": "dilithium-py has no verification from μ (its Verify_internal "
                                          "hashes M' itself)",
                       **{k: "kyber-py not installed (pip install kyber-py)"
                          for k in ("mlkem", "mlkem-seed", "mlkem-derand")}}

    @property
    def capabilities(self) -> frozenset[str]:  # type: ignore[override]
        """The capabilities of whichever of dilithium-py and kyber-py are installed."""
        return _cached(("reference-capabilities",), self._installed_capabilities)

    def _installed_capabilities(self) -> frozenset[str]:
        have_dsa = discovery._version("dilithium-py") is not None
        have_kem = discovery._version("kyber-py") is not None
        return frozenset(c for c in self._ALL if (c.startswith("mldsa") and have_dsa) or (c.startswith("mlkem") and have_kem))

    def status(self) -> PQBackendStatus:
        dsa, kem = discovery._version("dilithium-py"), discovery._version("kyber-py")
        if dsa is None and kem is None:
            return PQBackendStatus(self.name, False, "", "neither dilithium-py nor kyber-py installed", self.how_to_enable)
        parts = [f"dilithium-py {dsa}" if dsa else "no dilithium-py (ML-DSA unavailable)",
                 f"kyber-py {kem}" if kem else "no kyber-py (ML-KEM unavailable: pip install kyber-py)"]
        return self._usable_status(", ".join(parts) + " (pure Python, slow)")

    @staticmethod
    def _dsa(params):
        from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87
        return {"ML-DSA-44": ML_DSA_44, "ML-DSA-65": ML_DSA_65, "ML-DSA-87": ML_DSA_87}[params.name]

    @staticmethod
    def _kem(params):
        from kyber_py.ml_kem import ML_KEM_512, ML_KEM_768, ML_KEM_1024
        return {"ML-KEM-512": ML_KEM_512, "ML-KEM-768": ML_KEM_768, "ML-KEM-1024": ML_KEM_1024}[params.name]

    def mldsa_keygen_seed(self, params, seed):
        """(public key, expanded private key, the same as handle) by ML-DSA.KeyGen_internal(ξ)."""
        pk, sk = self._dsa(params).key_derive(seed)   # FIPS 204 ML-DSA.KeyGen_internal(ξ)
        return pk, sk, sk

    def mldsa_sign_internal(self, params, handle, public_key, message_prime, rnd=None):
        return self._dsa(params)._sign_internal(handle, message_prime, rnd if rnd is not None else os.urandom(32))

    def mldsa_verify_internal(self, params, handle, public_key, message_prime, signature) -> bool:
        try:
            return bool(self._dsa(params)._verify_internal(handle, message_prime, signature))
        except (ValueError, IndexError):
            return False

    def mldsa_sign_mu(self, params, handle, mu_, rnd=None):
        return self._dsa(params)._sign_internal(handle, mu_, rnd if rnd is not None else os.urandom(32),
                                                external_mu=True)

    def mlkem_keygen_seed(self, params, seed):
        """(encapsulation key, decapsulation key, the same as handle) by ML-KEM.KeyGen_internal(d, z)."""
        ek, dk = self._kem(params).key_derive(seed)   # FIPS 203 ML-KEM.KeyGen_internal(d, z)
        return ek, dk, dk

    def mlkem_private_handle(self, params, expanded):
        """The decapsulation key itself."""
        return expanded

    def mlkem_encaps(self, params, public_key, m):
        """(shared secret, ciphertext) by Encaps_internal with `m` (random when None); `InvalidEncoding`
        when the key fails the modulus check."""
        try:
            return self._kem(params)._encaps_internal(public_key, m if m is not None else os.urandom(32))
        except ValueError:
            raise InvalidEncoding(f"{params.name} encapsulation key rejected (FIPS 203 §7.2 modulus check)") from None

    def mlkem_decaps(self, params, handle, ciphertext):
        """The shared secret of a ciphertext (pqzk made the FIPS 203 checks first)."""
        try:   # pqzk made the FIPS 203 §7.3 checks first (mlkem_checks); this is a last line
            return self._kem(params).decaps(handle, ciphertext)
        except ValueError:
            raise InvalidEncoding(f"{params.name} decapsulation rejected by kyber-py") from None


BACKENDS: dict[str, PQBackend] = {b.name: b for b in (OpenSSLBackend(), LiboqsBackend(), PQCleanBackend(),
                                                      NumpyBackend(), ReferenceBackend())}


def status(name: str) -> PQBackendStatus:
    """The backend's status, probed once per environment (see `_cached`)."""
    return _cached(("status", name), BACKENDS[name].status)


def refresh() -> None:
    """Forget every cached probe: the next call looks again (after installing a backend, say)."""
    _CACHE.clear()


def backends() -> list[PQBackendStatus]:
    """Every post-quantum backend, probed afresh: usable or not, why not, and what each can
    and cannot do (`can` / `cannot`, from its declared capabilities)."""
    refresh()
    return [status(n) for n in BACKENDS]


def describe(statuses: list[discovery.BackendStatus]) -> list[discovery.BackendStatus]:
    """`pqzk.backends()`: discovery's statuses, with `extra["can"]` / `extra["cannot"]` added for
    the post-quantum backends that are usable (what `pqzk info` prints)."""
    import dataclasses
    refresh()
    out = []
    for s in statuses:
        if s.name in BACKENDS and status(s.name).usable:
            st = status(s.name)
            s = dataclasses.replace(s, extra={**s.extra, "can": list(st.can), "cannot": list(st.cannot)})
        out.append(s)
    return out


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
