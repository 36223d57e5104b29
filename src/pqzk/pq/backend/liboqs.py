"""The liboqs backend: liboqs through liboqs-python (`oqs`), used only when liboqs's shared
library is found. `oqs` is never imported before that: its import otherwise runs `git clone` +
cmake. What it can do is read from the library found (see docs/liboqs.md)."""
from __future__ import annotations

import contextlib
import ctypes
import functools
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ... import discovery
from ...discovery import find_liboqs
from ...errors import InvalidEncoding
from ..params import MLDSA, MLKEM, MLDSAParams, MLKEMParams
from .base import MLDSAOperations, MLKEMOperations, PQBackend, PQBackendStatus, ThroughMu, cached


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


class LiboqsMLDSA(ThroughMu, MLDSAOperations):
    """ML-DSA with context strings (hedged only; keys from `OQS_SIG_keypair` or pqzk's expansion
    of a seed). HashML-DSA, the internal interface and external μ only for the sets whose
    external-μ variant `ML-DSA-*-extmu` the build has (liboqs after 0.16.0): pqzk computes μ
    (FIPS 204 Algorithm 7, line 6) and liboqs signs it."""
    backend: LiboqsBackend
    _THROUGH_MU = frozenset({"sign_prehash", "verify_prehash", "sign_internal", "verify_internal",
                             "sign_mu", "verify_mu"})

    @property
    def parameter_sets(self) -> frozenset[str]:
        """The ML-DSA sets this liboqs build has enabled (OQS_SIG_alg_is_enabled)."""
        return self.backend.features().mldsa

    def sets_for(self, op: str) -> frozenset[str]:
        sets = super().sets_for(op)
        return sets & self.backend.features().mldsa_extmu if op in self._THROUGH_MU else sets

    def keygen(self, params: MLDSAParams) -> tuple[bytes, bytes]:
        """ML-DSA.KeyGen by liboqs's OQS_SIG_keypair with its own randomness: (public key, expanded private
        key); liboqs has no keygen from a seed."""
        with self.backend.oqs().Signature(params.name) as sig:
            pk = sig.generate_keypair()
            return pk, sig.export_secret_key()

    def sign(self, params, handle, public_key, message, ctx, rnd=None) -> bytes:
        """ML-DSA.Sign with a context through liboqs's sign_with_ctx_str (FIPS 204 Algorithm 2), hedged only: a
        caller's rnd raises BackendUnavailable, a refusal InvalidEncoding."""
        self.hedged_only(rnd)
        with self.backend.oqs().Signature(params.name, handle) as sig:
            return self.backend.call("ML-DSA signing", sig.sign_with_ctx_str, message, ctx)

    def verify(self, params, handle, public_key, message, signature, ctx) -> bool:
        """ML-DSA.Verify with a context through liboqs's verify_with_ctx_str: True or False."""
        with self.backend.oqs().Signature(params.name) as sig:
            return bool(sig.verify_with_ctx_str(message, signature, ctx, public_key))

    def sign_mu(self, params, handle, mu_, rnd=None) -> bytes:
        """Sign an external μ with liboqs's ML-DSA-*-extmu algorithm (the message it signs is μ), hedged only."""
        self.hedged_only(rnd)
        with self.backend.oqs().Signature(f"{params.name}-extmu", handle) as sig:   # the message is μ
            return self.backend.call("ML-DSA signing", sig.sign, mu_)

    def verify_mu(self, params, handle, public_key, mu_, signature) -> bool:
        """Verify against an external μ with liboqs's ML-DSA-*-extmu algorithm: True or False."""
        with self.backend.oqs().Signature(f"{params.name}-extmu") as sig:
            return bool(sig.verify(mu_, signature, public_key))


class LiboqsMLKEM(MLKEMOperations):
    """ML-KEM with seed keygen (d || z) and randomized encapsulation, for the sets the build has."""
    backend: LiboqsBackend

    @property
    def parameter_sets(self) -> frozenset[str]:
        """The ML-KEM sets this liboqs build has enabled (OQS_KEM_alg_is_enabled)."""
        return self.backend.features().mlkem

    def keygen_seed(self, params: MLKEMParams, seed: bytes) -> tuple[bytes, bytes | None, object]:
        """ML-KEM.KeyGen_internal(d, z) by liboqs's generate_keypair_seed: (encapsulation key, expanded dk, no
        handle: decaps takes the dk)."""
        with self.backend.oqs().KeyEncapsulation(params.name) as kem:
            pk = kem.generate_keypair_seed(seed)
            return pk, kem.export_secret_key(), None

    def encaps(self, params, public_key, m=None) -> tuple[bytes, bytes]:
        """ML-KEM.Encaps through liboqs's encap_secret with liboqs's own randomness (`m` is not used: takes_m is
        False): (shared secret, ciphertext); a refusal is InvalidEncoding."""
        with self.backend.oqs().KeyEncapsulation(params.name) as kem:
            ct, ss = self.backend.call("ML-KEM encapsulation", kem.encap_secret, public_key)
            return ss, ct

    def decaps(self, params, handle, ciphertext) -> bytes:
        """ML-KEM.Decaps through liboqs's decap_secret on the expanded dk (implicit rejection); a refusal is
        InvalidEncoding."""
        with self.backend.oqs().KeyEncapsulation(params.name, handle) as kem:
            return self.backend.call("ML-KEM decapsulation", kem.decap_secret, ciphertext)


class LiboqsBackend(PQBackend):
    """liboqs through liboqs-python; what it can do is read from the library found (a minimal
    build may lack parameter sets)."""
    name = "liboqs"
    how_to_enable = discovery.LIBOQS_HOW
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

    def __init__(self) -> None:
        self.mldsa = LiboqsMLDSA(self)
        self.mlkem = LiboqsMLKEM(self)

    @staticmethod
    def location() -> tuple[str | None, str]:
        """liboqs_loadable(), once per environment (finding the system library takes ~25 ms)."""
        return cached(("liboqs-location",), liboqs_loadable)

    def features(self) -> LiboqsFeatures:
        """What the liboqs library found was built with (nothing when none is found), read once per library."""
        lib, _ = self.location()
        return liboqs_features(lib) if lib is not None else _NO_LIBOQS

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
        return self.usable_status(f"liboqs {f.version} ({lib}), liboqs-python {ver}")

    def oqs(self):
        """The `oqs` module, imported only once the library was found (its import would otherwise clone)."""
        if self._oqs is None:
            lib, why = liboqs_loadable()
            if lib is None:
                raise self.unavailable(why)
            if Path(lib).is_absolute():      # a prefix's lib/liboqs.so (a system soname needs none)
                os.environ.setdefault("OQS_INSTALL_PATH", str(Path(lib).parent.parent))
            log = io.StringIO()
            try:
                # oqs logs a line to stdout at import: it would break `pqzk ... --json`
                with contextlib.redirect_stdout(log):
                    import oqs  # noqa: PLC0415 - only after the library was found and loaded
            except (Exception, SystemExit) as exc:  # oqs raises SystemExit when it cannot load liboqs; Ctrl-C still propagates
                raise self.unavailable(f"import oqs failed: {type(exc).__name__}") from None
            _oqs_logs_to_stderr(log)
            type(self)._oqs = oqs
        return self._oqs

    def call(self, what: str, fn, *args):
        """A liboqs-python call; its RuntimeError/ValueError (inputs pqzk checked first) as a pqzk error."""
        try:
            return fn(*args)
        except (RuntimeError, ValueError) as exc:
            raise InvalidEncoding(f"liboqs refused {what}: {exc}") from None


def _oqs_logs_to_stderr(captured: io.StringIO) -> None:
    """oqs's logger was bound to the stdout of its import (our buffer): point it at stderr."""
    import logging
    for handler in logging.getLogger("oqs.oqs").handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is captured:
            handler.setStream(sys.stderr)
