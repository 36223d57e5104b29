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
        key = self._cls(params)[0].from_seed_bytes(seed)
        return key.public_key().public_bytes_raw(), None, key

    def private_handle(self, params: MLDSAParams, key: bytes) -> object:
        return self._cls(params)[0].from_seed_bytes(key)

    def public_handle(self, params: MLDSAParams, public_key: bytes) -> object:
        try:
            return self._cls(params)[1].from_public_bytes(public_key)
        except ValueError:
            raise InvalidEncoding(f"{params.name} public key rejected by OpenSSL") from None

    def sign(self, params, handle, public_key, message, ctx, rnd=None) -> bytes:
        self.hedged_only(rnd)
        return handle.sign(message, ctx)

    def verify(self, params, handle, public_key, message, signature, ctx) -> bool:
        from cryptography.exceptions import InvalidSignature
        try:
            handle.verify(signature, message, ctx)
        except InvalidSignature:
            return False
        return True

    def sign_mu(self, params, handle, mu_, rnd=None) -> bytes:
        self.hedged_only(rnd)
        return handle.sign_mu(mu_)

    def verify_mu(self, params, handle, public_key, mu_, signature) -> bool:
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
        key = self._cls(params)[0].from_seed_bytes(seed)
        return key.public_key().public_bytes_raw(), None, key

    def private_handle(self, params: MLKEMParams, key: bytes) -> object:
        return self._cls(params)[0].from_seed_bytes(key)

    def encaps(self, params: MLKEMParams, public_key: bytes, m: bytes | None = None) -> tuple[bytes, bytes]:
        try:
            pk = self._cls(params)[1].from_public_bytes(public_key)
        except ValueError:
            raise InvalidEncoding(f"{params.name} encapsulation key rejected (FIPS 203 §7.2 modulus check)") from None
        return pk.encapsulate()

    def decaps(self, params: MLKEMParams, handle, ciphertext: bytes) -> bytes:
        return handle.decapsulate(ciphertext)


class OpenSSLBackend(PQBackend):
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
