"""The post-quantum backends, one module each, in order of preference (what `backend=None` tries
first): openssl, liboqs, pqclean, numpy, reference. `base` defines what a backend is (the
`MLDSABackend` / `MLKEMBackend` Protocols); `pqzk.pq.backend_registry` finds and selects them."""
from __future__ import annotations

from .base import MLDSABackend, MLKEMBackend, PQBackend
from .liboqs import LiboqsBackend
from .numpy import NumpyBackend
from .openssl import OpenSSLBackend
from .pqclean import PQCleanBackend
from .reference import ReferenceBackend

PREFERENCE: tuple[type[PQBackend], ...] = (OpenSSLBackend, LiboqsBackend, PQCleanBackend, NumpyBackend,
                                           ReferenceBackend)

__all__ = ["PREFERENCE", "MLDSABackend", "MLKEMBackend", "PQBackend"]
