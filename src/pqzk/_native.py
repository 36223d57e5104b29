"""Thin typed access to the compiled core `pqzk._native_ext` (only math/ and groups/ import it)."""
from __future__ import annotations

from .errors import BackendUnavailable

try:
    from ._native_ext import ffi, lib  # type: ignore[import-not-found]
except ImportError as exc:  # pragma: no cover - exercised only on a broken install
    ffi = lib = None
    _IMPORT_ERROR: str | None = str(exc)
else:
    _IMPORT_ERROR = None


def available() -> bool:
    return lib is not None


def require():
    """The cffi `lib`, or BackendUnavailable saying how to build it."""
    if lib is None:
        raise BackendUnavailable(
            "native", f"the compiled extension pqzk._native_ext did not load ({_IMPORT_ERROR})",
            "reinstall with a C compiler and Python headers: `pip install .` (Debian: build-essential python3-dev)")
    return lib


def build_flags() -> str:
    return ffi.string(require().pqzk_build_flags()).decode()


def ct_equal(a: bytes, b: bytes) -> bool:
    """Constant-time equality of two byte strings of the same length (lengths are public)."""
    if len(a) != len(b):
        return False
    return bool(require().pqzk_ct_memeq(a, b, len(a)))
