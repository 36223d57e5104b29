"""The pqclean backend: PQClean through `pqcrypto`. Expanded keys, HashML-DSA natively,
ML-KEM-512/768/1024; no keygen from a seed, hedged signing only, contexts up to 253 bytes."""
from __future__ import annotations

import importlib

from ... import discovery
from ...errors import InvalidEncoding
from ..params import MLDSAParams, MLKEMParams
from .base import MLDSAOperations, MLKEMOperations, PQBackend, PQBackendStatus
from .messages import prehash_oid_and_digest

_HASH = {"SHA2-224": "Sha224", "SHA2-256": "Sha256", "SHA2-384": "Sha384", "SHA2-512": "Sha512",
         "SHA3-256": "Sha3_256", "SHA3-384": "Sha3_384", "SHA3-512": "Sha3_512",
         "SHAKE128": "Shake128", "SHAKE256": "Shake256", "SHA2-512/224": "Sha512_224",
         "SHA2-512/256": "Sha512_256", "SHA3-224": "Sha3_224"}


def _module(kind: str, params: MLDSAParams | MLKEMParams):
    return importlib.import_module(f"pqcrypto.{kind}." + params.name.lower().replace("-", "_"))


class PQCleanMLDSA(MLDSAOperations):
    """ML-DSA and HashML-DSA (pqcrypto takes PH(M) and the hash's name) on expanded keys."""
    max_context = 253          # pqcrypto 1.0.0 rejects 254- and 255-byte contexts (FIPS 204 allows 255)

    def keygen(self, params: MLDSAParams) -> tuple[bytes, bytes]:
        """ML-DSA.KeyGen by PQClean with its own randomness: (public key, expanded private key)."""
        return _module("sign", params).keygen()

    def sign(self, params, handle, public_key, message, ctx, rnd=None) -> bytes:
        """ML-DSA.Sign with a context through pqcrypto (FIPS 204 Algorithm 2), hedged only: a caller's rnd
        raises BackendUnavailable."""
        self.hedged_only(rnd)
        return _module("sign", params).sign(handle, message, ctx, None)

    def verify(self, params, handle, public_key, message, signature, ctx) -> bool:
        """ML-DSA.Verify with a context through pqcrypto: False for a signature it rejects."""
        return self._verify(params, handle, message, signature, ctx, None)

    def sign_prehash(self, params, handle, public_key, message, ctx, prehash, rnd=None) -> bytes:
        """HashML-DSA.Sign through pqcrypto, which takes PH(M) and the hash's name and builds M' itself; hedged
        only."""
        self.hedged_only(rnd)
        return _module("sign", params).sign(handle, prehash_oid_and_digest(prehash, message)[1], ctx,
                                            self._hash(prehash))

    def verify_prehash(self, params, handle, public_key, message, signature, ctx, prehash) -> bool:
        """HashML-DSA.Verify through pqcrypto (PH(M) and the hash's name): True or False."""
        return self._verify(params, handle, prehash_oid_and_digest(prehash, message)[1], signature, ctx,
                            self._hash(prehash))

    @staticmethod
    def _hash(prehash: str):
        import pqcrypto
        return getattr(pqcrypto.HashAlgorithm, _HASH[prehash])

    @staticmethod
    def _verify(params, public_key, message, signature, ctx, hash_alg) -> bool:
        import pqcrypto
        try:
            _module("sign", params).verify(public_key, message, signature, ctx, hash_alg)
        except (pqcrypto.InvalidSignatureError, ValueError):
            return False
        return True


class PQCleanMLKEM(MLKEMOperations):
    """ML-KEM on expanded decapsulation keys, with pqcrypto's own encapsulation randomness."""

    def keygen(self, params: MLKEMParams) -> tuple[bytes, bytes]:
        """ML-KEM.KeyGen by PQClean with its own randomness: (encapsulation key, expanded dk)."""
        return _module("kem", params).keygen()

    def encaps(self, params, public_key, m=None) -> tuple[bytes, bytes]:
        """ML-KEM.Encaps through pqcrypto with its own randomness (`m` is not used: takes_m is False): (shared
        secret, ciphertext); InvalidEncoding for a key it rejects."""
        try:
            ct, ss = _module("kem", params).encaps(public_key)
        except ValueError:
            raise InvalidEncoding(f"{params.name} encapsulation key rejected") from None
        return ss, ct

    def decaps(self, params, handle, ciphertext) -> bytes:
        """ML-KEM.Decaps through pqcrypto on the expanded dk (implicit rejection); InvalidEncoding if pqcrypto
        refuses."""
        try:   # pqzk made the FIPS 203 §7.3 checks first (mlkem_checks); this is a last line
            return _module("kem", params).decaps(handle, ciphertext)
        except ValueError as exc:
            raise InvalidEncoding(f"{params.name} decapsulation rejected by pqcrypto: {exc}") from None


class PQCleanBackend(PQBackend):
    """PQClean through pqcrypto: ML-DSA with native HashML-DSA and ML-KEM-512/768/1024 on expanded keys; no seed
    keygen, hedged signing only, contexts up to 253 bytes."""
    name = "pqclean"
    how_to_enable = "pip install pqcrypto"
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

    def __init__(self) -> None:
        self.mldsa = PQCleanMLDSA(self)
        self.mlkem = PQCleanMLKEM(self)

    def status(self) -> PQBackendStatus:
        s = discovery.probe_pqclean()
        if s.available:
            try:
                import pqcrypto.kem.ml_kem_768  # noqa: F401
                import pqcrypto.sign.ml_dsa_65  # noqa: F401
            except ImportError as exc:
                return PQBackendStatus(self.name, False, s.detail, f"pqcrypto lacks ML-DSA/ML-KEM ({exc})",
                                       "pip install 'pqcrypto>=1.0'")
        return self.probed_status(s)
