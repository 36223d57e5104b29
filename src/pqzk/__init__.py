"""pqzk: authorization with keys no single party holds — threshold classical signatures,
hybrid post-quantum signatures and zero-knowledge proofs, with a native arithmetic core."""
from __future__ import annotations

__version__ = "0.1.0"


def backends():
    """Status of every optional backend (native core, OpenSSL PQ, liboqs, PQClean, tokens)."""
    from .discovery import backends as _backends
    return _backends()


__all__ = ["__version__", "backends"]
