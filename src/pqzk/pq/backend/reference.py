"""The reference backend: dilithium-py and kyber-py (pure Python, slow). Every operation but
verification from μ, including explicit signing randomness, deterministic signing and
derandomized encapsulation; each family only when its library is installed."""
from __future__ import annotations

from ... import discovery
from ...errors import InvalidEncoding
from ..params import MLDSA, MLKEM, MLDSAParams, MLKEMParams
from .base import (MLDSAOperations, MLKEMOperations, PQBackend, PQBackendStatus, ThroughInternal, cached,
                   fresh_randomness)


def _installed(dist: str) -> bool:
    return cached(("reference-installed", dist), lambda: discovery._version(dist) is not None)


class ReferenceMLDSA(ThroughInternal, MLDSAOperations):
    """dilithium-py's KeyGen_internal, Sign_internal (also on an external μ) and Verify_internal."""
    # deliberate look-alike of ReferenceMLKEM (duplicates): one class per family and library, by the base
    takes_rnd = True

    @property
    def parameter_sets(self) -> frozenset[str]:
        """Every ML-DSA set when dilithium-py is installed, else none."""
        return frozenset(MLDSA) if _installed("dilithium-py") else frozenset()

    @staticmethod
    def _dsa(params: MLDSAParams):
        from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87
        return {"ML-DSA-44": ML_DSA_44, "ML-DSA-65": ML_DSA_65, "ML-DSA-87": ML_DSA_87}[params.name]

    def keygen_seed(self, params: MLDSAParams, seed: bytes) -> tuple[bytes, bytes | None, object]:
        """ML-DSA.KeyGen_internal(ξ) by dilithium-py's key_derive: (public key, expanded key, the expanded key
        as the handle)."""
        pk, sk = self._dsa(params).key_derive(seed)   # FIPS 204 ML-DSA.KeyGen_internal(ξ)
        return pk, sk, sk

    def sign_internal(self, params, handle, public_key, message_prime, rnd=None) -> bytes:
        """Sign_internal(sk, M', rnd) by dilithium-py, with the caller's rnd or 32 fresh bytes (hedged)."""
        return self._dsa(params)._sign_internal(handle, message_prime, fresh_randomness(rnd))

    def verify_internal(self, params, handle, public_key, message_prime, signature) -> bool:
        """Verify_internal(pk, M', σ) by dilithium-py: True or False (False also for a signature it cannot
        parse)."""
        try:
            return bool(self._dsa(params)._verify_internal(handle, message_prime, signature))
        except (ValueError, IndexError):
            return False

    def sign_mu(self, params, handle, mu_, rnd=None) -> bytes:
        """Sign_internal on an external μ by dilithium-py (its external_mu mode), with the caller's rnd or 32
        fresh bytes."""
        return self._dsa(params)._sign_internal(handle, mu_, fresh_randomness(rnd), external_mu=True)


class ReferenceMLKEM(MLKEMOperations):
    """kyber-py's KeyGen_internal(d, z), Encaps_internal(m) and Decaps."""
    # deliberate look-alike of ReferenceMLDSA (duplicates): one class per family and library, by the base
    takes_m = True

    @property
    def parameter_sets(self) -> frozenset[str]:
        """Every ML-KEM set when kyber-py is installed, else none."""
        return frozenset(MLKEM) if _installed("kyber-py") else frozenset()

    @staticmethod
    def _kem(params: MLKEMParams):
        from kyber_py.ml_kem import ML_KEM_512, ML_KEM_768, ML_KEM_1024
        return {"ML-KEM-512": ML_KEM_512, "ML-KEM-768": ML_KEM_768, "ML-KEM-1024": ML_KEM_1024}[params.name]

    def keygen_seed(self, params: MLKEMParams, seed: bytes) -> tuple[bytes, bytes | None, object]:
        """ML-KEM.KeyGen_internal(d, z) by kyber-py's key_derive: (encapsulation key, expanded dk, the dk as the
        handle)."""
        ek, dk = self._kem(params).key_derive(seed)   # FIPS 203 ML-KEM.KeyGen_internal(d, z)
        return ek, dk, dk

    def encaps(self, params, public_key, m=None) -> tuple[bytes, bytes]:
        """ML-KEM.Encaps_internal(ek, m) by kyber-py with the caller's 32-byte m or fresh randomness: (shared
        secret, ciphertext); InvalidEncoding for a key failing the FIPS 203 §7.2 modulus check."""
        try:
            return self._kem(params)._encaps_internal(public_key, fresh_randomness(m))
        except ValueError:
            raise InvalidEncoding(f"{params.name} encapsulation key rejected (FIPS 203 §7.2 modulus check)") from None

    def decaps(self, params, handle, ciphertext) -> bytes:
        """ML-KEM.Decaps by kyber-py on the expanded dk (implicit rejection); InvalidEncoding if kyber-py
        refuses."""
        try:   # pqzk made the FIPS 203 §7.3 checks first (mlkem_checks); this is a last line
            return self._kem(params).decaps(handle, ciphertext)
        except ValueError:
            raise InvalidEncoding(f"{params.name} decapsulation rejected by kyber-py") from None


class ReferenceBackend(PQBackend):
    """dilithium-py and kyber-py (pure Python, slow): every operation but verification from μ, with caller-
    supplied rnd and m; each family only when its library is installed."""
    name = "reference"
    how_to_enable = "pip install dilithium-py kyber-py"
    missing_because = {**{k: "dilithium-py not installed (pip install dilithium-py)"
                          for k in ("mldsa", "hashml-dsa", "mldsa-rnd", "mldsa-seed", "mldsa-internal-sign",
                                    "mldsa-internal-verify", "mldsa-mu-sign")},
                       "mldsa-mu-verify": "dilithium-py has no verification from μ (its Verify_internal "
                                          "hashes M' itself)",
                       **{k: "kyber-py not installed (pip install kyber-py)"
                          for k in ("mlkem", "mlkem-seed", "mlkem-derand")}}

    def __init__(self) -> None:
        self.mldsa = ReferenceMLDSA(self)
        self.mlkem = ReferenceMLKEM(self)

    def status(self) -> PQBackendStatus:
        dsa, kem = discovery._version("dilithium-py"), discovery._version("kyber-py")
        if dsa is None and kem is None:
            return PQBackendStatus(self.name, False, "", "neither dilithium-py nor kyber-py installed", self.how_to_enable)
        parts = [f"dilithium-py {dsa}" if dsa else "no dilithium-py (ML-DSA unavailable)",
                 f"kyber-py {kem}" if kem else "no kyber-py (ML-KEM unavailable: pip install kyber-py)"]
        return self.usable_status(", ".join(parts) + " (pure Python, slow)")
