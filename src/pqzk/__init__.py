"""pqzk: authorization with keys no single party holds — threshold classical signatures,
hybrid post-quantum signatures and zero-knowledge proofs, with a native arithmetic core."""
from __future__ import annotations

__version__ = "0.1.0"


def backends():
    """Status of every optional backend (native core, OpenSSL PQ, liboqs, PQClean, tokens); for
    the post-quantum ones that are usable, `extra["can"]` / `extra["cannot"]` say what each
    offers (HashML-DSA, context strings, deterministic signing, ML-KEM sets, ...) and why not."""
    from .discovery import backends as _backends
    from .pq.backend_registry import describe
    return describe(_backends())


__all__ = ["__version__", "backends"]
