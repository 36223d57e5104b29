"""The numpy backend: pqzk's own FIPS 204 (`pqzk.pq.fips204`: numpy and the native NTT),
byte-identical to dilithium-py and about ten times faster. Every ML-DSA operation, the internal
interface and external μ included; ML-DSA only. Not constant time (Python and numpy)."""
from __future__ import annotations

from ... import discovery
from ..params import MLDSAParams
from .base import MLDSAOperations, PQBackend, PQBackendStatus, ThroughInternal, ThroughMu, fresh_randomness


class NumpyMLDSA(ThroughInternal, ThroughMu, MLDSAOperations):
    """Sign/Verify through Sign_internal/Verify_internal, those through μ (FIPS 204 Algorithms 2–8)."""
    takes_rnd = True

    @staticmethod
    def _p(params: MLDSAParams):
        from .. import fips204
        return fips204, fips204.params(params.name)

    def keygen_seed(self, params: MLDSAParams, seed: bytes) -> tuple[bytes, bytes | None, object]:
        """ML-DSA.KeyGen_internal(ξ) (FIPS 204 Algorithm 6) in pqzk.pq.fips204: (public key, expanded key, the
        expanded key as the handle)."""
        f, p = self._p(params)
        pk, sk = f.keygen_internal(seed, p)     # FIPS 204 Algorithm 6
        return pk, sk, sk

    def sign_mu(self, params, handle, mu_, rnd=None) -> bytes:
        """Sign_internal from an external μ in pqzk.pq.fips204, with the caller's rnd or 32 fresh bytes
        (hedged)."""
        f, p = self._p(params)
        return f.sign_mu(handle, mu_, fresh_randomness(rnd), p)

    def verify_mu(self, params, handle, public_key, mu_, signature) -> bool:
        """Verify_internal against an external μ in pqzk.pq.fips204: True or False."""
        f, p = self._p(params)
        return f.verify_mu(public_key, mu_, signature, p)


class NumpyBackend(PQBackend):
    """pqzk's own ML-DSA (pqzk.pq.fips204: numpy and the native NTT): every ML-DSA operation, caller-supplied
    rnd, external μ and the internal interface included; no ML-KEM."""
    name = "numpy"
    how_to_enable = "pip install numpy, and build pqzk's native extension (pip install .)"
    missing_because = {k: "ML-DSA only (pqzk has no ML-KEM of its own)" for k in ("mlkem", "mlkem-seed", "mlkem-derand")}

    def __init__(self) -> None:
        self.mldsa = NumpyMLDSA(self)

    def status(self) -> PQBackendStatus:
        return self.probed_status(discovery.probe_numpy_mldsa())
