"""Thin typed access to the compiled core `pqzk._native_ext` (only math/ and groups/ import it)."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import BackendUnavailable

try:
    from ._native_ext import ffi, lib  # type: ignore[import-not-found]
except ImportError as exc:  # pragma: no cover - exercised only on a broken install
    ffi = lib = None
    _IMPORT_ERROR: str | None = str(exc)
else:
    _IMPORT_ERROR = None


def available() -> bool:
    """True when the compiled extension loaded."""
    return lib is not None


def require():
    """The cffi `lib`, or BackendUnavailable saying how to build it."""
    if lib is None:
        raise BackendUnavailable(
            "native", f"the compiled extension pqzk._native_ext did not load ({_IMPORT_ERROR})",
            "reinstall with a C compiler and Python headers: `pip install .` (Debian: build-essential python3-dev)")
    return lib


def build_flags() -> str:
    """The C compiler flags the extension was built with."""
    return ffi.string(require().pqzk_build_flags()).decode()


def ct_equal(a: bytes, b: bytes) -> bool:
    """Constant-time equality of two byte strings of the same length (lengths are public)."""
    if len(a) != len(b):
        return False
    return bool(require().pqzk_ct_memeq(a, b, len(a)))


def asm_available() -> bool:
    """True when the x86-64 MULX/ADX field kernels are compiled in and this CPU has BMI2 and ADX."""
    return bool(require().pqzk_native_asm_available())


def asm_active() -> bool:
    """True when field multiplications run on the MULX/ADX kernels (else portable C)."""
    return bool(require().pqzk_native_asm_active())


def set_asm(enabled: bool) -> bool:
    """Use the MULX/ADX kernels (where available) or force the portable C; returns the previous
    state. Process-wide: meant for tests and benchmarks comparing the two paths."""
    return bool(require().pqzk_native_set_asm(1 if enabled else 0))


def field_kernels() -> str:
    """Which Montgomery multiplication runs: what `pqzk info` reports."""
    if asm_active():
        return "x86-64 mulx/adcx/adox"
    return "portable C" + (" (mulx/adx available, switched off)" if asm_available() else "")


def components() -> list[str]:
    """The engines compiled into the extension (what `pqzk info` lists next to the build flags)."""
    lib_ = require()
    out = []
    if hasattr(lib_, "pqzk_field_count"):
        out.append(f"Montgomery fields ({lib_.pqzk_field_count()} primes, 4-7 limbs; {field_kernels()})")
    if hasattr(lib_, "pqzk_pairing"):
        out.append("BLS12-381 (G1, G2, pairing, hash to curve)")
    if hasattr(lib_, "pqzk_curve_mul"):
        out.append("P-256, edwards25519, edwards448, secp256k1 (vartime Pippenger MSM)")
    if hasattr(lib_, "pqzk_mldsa_ntt"):
        out.append("NTT (ML-DSA, ML-KEM)")
    return out


@dataclass(frozen=True)
class NativeDescription:
    """What `pqzk info` says of the compiled core: its ABI, engines and build, or why it is missing."""
    available: bool
    abi_version: int | None = None
    components: tuple[str, ...] = ()
    build_flags: str = ""
    field_kernels: str = ""
    error: str = ""                  # why the extension did not load (empty when it did)


def describe() -> NativeDescription:
    """The compiled core as discovery reports it, so that callers need none of this module's internals."""
    if lib is None:
        return NativeDescription(False, error=_IMPORT_ERROR or "not built")
    return NativeDescription(True, int(lib.pqzk_abi_version()), tuple(components()), build_flags(), field_kernels())
