"""cffi (API mode, out-of-line) builder for pqzk's C core, compiled into `pqzk._native_ext`.

The C sources are every `native/*.c`; the ABI exposed to Python is every function declared in the
public headers `native/pqzk_*.h` (one per component), read from them by `native_abi.py`.
Set PQZK_NATIVE_SANITIZE=1 to build with
-fsanitize=address,undefined (then run Python with LD_PRELOAD of libasan, see docs/architecture.md).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import sysconfig
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
# loaded by path: cffi runs this file with native/ not necessarily on sys.path
_spec = importlib.util.spec_from_file_location("native_abi", HERE / "native_abi.py")
native_abi = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(native_abi)


def _require_toolchain() -> None:
    """Stop the install with an actionable message when the C toolchain or headers are missing."""
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(cc) is None and shutil.which("cc") is None:
        sys.exit(
            "pqzk: no C compiler found (looked for %r and 'cc').\n"
            "Install one: on Debian/Ubuntu `apt-get install build-essential`." % cc
        )
    include = sysconfig.get_paths().get("include", "")
    if not Path(include, "Python.h").exists():
        sys.exit(
            "pqzk: Python development headers not found (no Python.h in %r).\n"
            "Install them: on Debian/Ubuntu `apt-get install python3-dev`." % include
        )


def _flags() -> list[str]:
    flags = ["-std=c99", "-O3", "-fno-strict-aliasing", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    if os.environ.get("PQZK_NATIVE_NO_ASM") == "1":  # portable C only (no x86-64 MULX/ADX kernels)
        flags.append("-DPQZK_NO_ASM")
    if os.environ.get("PQZK_NATIVE_SANITIZE") == "1":
        flags += ["-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer",
                  "-fno-sanitize-recover=undefined"]
    return flags


_require_toolchain()
_sources = sorted(str(p.relative_to(HERE.parent)) for p in HERE.glob("*.c"))
_cflags = _flags()
_ldflags = ["-fsanitize=address,undefined"] if os.environ.get("PQZK_NATIVE_SANITIZE") == "1" else []

ffibuilder = FFI()
ffibuilder.cdef(native_abi.public_cdef(HERE))
_includes = "".join(f'#include "{p.name}"\n' for p in native_abi.public_headers(HERE))
ffibuilder.set_source(
    "pqzk._native_ext",
    _includes + f'const char *pqzk_build_flags(void) {{ return "{" ".join(_cflags)}"; }}\n',
    sources=_sources,
    # headers, the included .inc files and the ABI reader: a change to any of them rebuilds the extension
    depends=sorted(str(p.relative_to(HERE.parent))
                   for p in (*HERE.glob("*.h"), *HERE.glob("*.inc"), HERE / "native_abi.py")),
    include_dirs=[str(HERE.relative_to(HERE.parent))],
    extra_compile_args=_cflags,
    extra_link_args=_ldflags,
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
