"""The openssl backend: OpenSSL 3.5+ through the `cryptography` wheel, the default. Seed-form
keys only, hedged signing only (no caller-supplied randomness), ML-KEM-768/1024 only."""
from __future__ import annotations

from ... import discovery
from ...errors import InvalidEncoding
from ..params import MLDSAParams, MLKEMParams
from .base import MLDSAOperations, MLKEMOperations, PQBackend, PQBackendStatus, ThroughMu


class OpenSSLMLDSA(ThroughMu, MLDSAOperations):
    """ML-DSA through cryptography: pure signing natively; HashML-DSA and the internal interface
    through OpenSSL's external-μ signing and verification."""
    key_form = "seed"

    @staticmethod
    def _cls(params: MLDSAParams):
        from cryptography.hazmat.primitives.asymmetric import mldsa
        n = params.name[-2:]
        return getattr(mldsa, f"MLDSA{n}PrivateKey"), getattr(mldsa, f"MLDSA{n}PublicKey")

    def keygen_seed(self, params: MLDSAParams, seed: bytes) -> tuple[bytes, bytes | None, object]:
        """ML-DSA keygen from a 32-byte seed through cryptography's from_seed_bytes: (public key, None: OpenSSL
        does not export the expanded key, the key object)."""
        key = self._cls(params)[0].from_seed_bytes(seed)
        return key.public_key().public_bytes_raw(), None, key

    def private_handle(self, params: MLDSAParams, key: bytes) -> object:
        """cryptography's private-key object for a 32-byte seed (OpenSSL takes seed-form keys only)."""
        return self._cls(params)[0].from_seed_bytes(key)

    def public_handle(self, params: MLDSAParams, public_key: bytes) -> object:
        """cryptography's public-key object for `public_key`; InvalidEncoding if OpenSSL rejects it."""
        try:
            return self._cls(params)[1].from_public_bytes(public_key)
        except ValueError:
            raise InvalidEncoding(f"{params.name} public key rejected by OpenSSL") from None

    def sign(self, params, handle, public_key, message, ctx, rnd=None) -> bytes:
        """ML-DSA signing through OpenSSL's EVP interface (FIPS 204 Algorithm 2, hedged only: a caller's rnd
        raises BackendUnavailable)."""
        self.hedged_only(rnd)
        return handle.sign(message, ctx)

    def verify(self, params, handle, public_key, message, signature, ctx) -> bool:
        """ML-DSA verification through OpenSSL (FIPS 204 Algorithm 3): False for a signature OpenSSL rejects."""
        from cryptography.exceptions import InvalidSignature
        try:
            handle.verify(signature, message, ctx)
        except InvalidSignature:
            return False
        return True

    def sign_mu(self, params, handle, mu_, rnd=None) -> bytes:
        """Sign an external μ with OpenSSL's external-μ ML-DSA signing, hedged only."""
        self.hedged_only(rnd)
        return handle.sign_mu(mu_)

    def verify_mu(self, params, handle, public_key, mu_, signature) -> bool:
        """Verify against an external μ with OpenSSL's external-μ verification: True or False."""
        from cryptography.exceptions import InvalidSignature
        try:
            handle.verify_mu(signature, mu_)
        except InvalidSignature:
            return False
        return True


class OpenSSLMLKEM(MLKEMOperations):
    """ML-KEM-768/1024 through cryptography: seed-form keys, randomized encapsulation."""
    key_form = "seed"
    parameter_sets = frozenset({"ML-KEM-768", "ML-KEM-1024"})

    @staticmethod
    def _cls(params: MLKEMParams):
        from cryptography.hazmat.primitives.asymmetric import mlkem
        n = params.name.split("-")[-1]
        return getattr(mlkem, f"MLKEM{n}PrivateKey"), getattr(mlkem, f"MLKEM{n}PublicKey")

    def keygen_seed(self, params: MLKEMParams, seed: bytes) -> tuple[bytes, bytes | None, object]:
        """ML-KEM keygen from a 64-byte seed d || z through cryptography: (encapsulation key, None: OpenSSL does
        not export the expanded dk, the key object)."""
        key = self._cls(params)[0].from_seed_bytes(seed)
        return key.public_key().public_bytes_raw(), None, key

    def private_handle(self, params: MLKEMParams, key: bytes) -> object:
        """cryptography's private-key object for a 64-byte seed d || z (seed-form keys only)."""
        return self._cls(params)[0].from_seed_bytes(key)

    def encaps(self, params: MLKEMParams, public_key: bytes, m: bytes | None = None) -> tuple[bytes, bytes]:
        """ML-KEM.Encaps through OpenSSL with its own randomness (`m` is not used: takes_m is False): (shared
        secret, ciphertext); InvalidEncoding for a key OpenSSL rejects."""
        try:
            pk = self._cls(params)[1].from_public_bytes(public_key)
        except ValueError:
            raise InvalidEncoding(f"{params.name} encapsulation key rejected (FIPS 203 §7.2 modulus check)") from None
        return pk.encapsulate()

    def decaps(self, params: MLKEMParams, handle, ciphertext: bytes) -> bytes:
        """ML-KEM.Decaps through OpenSSL on the seed-form key object (implicit rejection)."""
        return handle.decapsulate(ciphertext)


class OpenSSLBackend(PQBackend):
    """OpenSSL 3.5+ through the cryptography wheel, the default (first in PREFERENCE): ML-DSA (seed-form keys, hedged
    signing, external μ) and ML-KEM-768/1024."""
    name = "openssl"
    how_to_enable = "pip install 'cryptography>=50' (wheels bundle OpenSSL 3.5 with ML-DSA and ML-KEM)"
    missing_because = {
        "mldsa-rnd": "OpenSSL signs hedged only through cryptography (no rnd, no deterministic variant); "
                     "so Sign_internal and μ signing here are hedged, and only from a seed-form key",
        "mlkem-derand": "cryptography exposes randomized encapsulation only",
    }

    def __init__(self) -> None:
        self.mldsa = OpenSSLMLDSA(self)
        self.mlkem = OpenSSLMLKEM(self)

    def status(self) -> PQBackendStatus:
        return self.probed_status(discovery.probe_openssl_pq())
