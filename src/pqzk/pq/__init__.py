"""Post-quantum layer: ML-DSA / ML-KEM over several backends, IETF composite signatures,
X-Wing, sealed share transport and hybrid (threshold classical + post-quantum) authorization."""
from __future__ import annotations

from .backend_registry import PQBackendStatus, backends, get_backend

__all__ = ["PQBackendStatus", "backends", "get_backend", "seal", "open"]


def __getattr__(name: str):
    # seal/open live in seal.py; imported lazily so `import pqzk.pq` stays light
    if name in ("seal", "open"):
        from . import seal as _seal
        return getattr(_seal, "seal_message" if name == "seal" else "open_message")
    raise AttributeError(name)
