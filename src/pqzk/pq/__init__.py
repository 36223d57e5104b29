"""Post-quantum layer: ML-DSA / ML-KEM over several backends, IETF composite signatures,
X-Wing, sealed share transport and hybrid (threshold classical + post-quantum) authorization."""
from __future__ import annotations

from .backend_registry import PQBackendStatus, backends, get_backend

__all__ = ["PQBackendStatus", "backends", "get_backend", "seal", "open", "SealContext"]


def __getattr__(name: str):
    # seal/open live in seal.py; imported lazily so `import pqzk.pq` stays light
    if name in ("seal", "open", "SealContext"):
        from . import sealing
        return getattr(sealing, name)
    raise AttributeError(name)
