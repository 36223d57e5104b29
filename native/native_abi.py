"""The Python ABI of pqzk's C core, read from its public headers (`native/pqzk_*.h`).

`build_native.py` hands `public_cdef()` to cffi, and tests/native/test_native_abi.py checks the
compiled extension against it, so the declarations cffi sees are the ones the C compiler checks and
cannot drift from them. Headers without the `pqzk_` prefix are internal to the C files.
Standard library only: it runs inside the build before anything is installed.
"""
from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
PUBLIC_HEADERS = "pqzk_*.h"


def cdef_from_header(text: str) -> str:
    """The declarations of one C header as cffi's `cdef` takes them: comments and preprocessor lines
    dropped, one declaration a line (public headers hold prototypes only, no macros cffi needs)."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    code = " ".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return "".join(" ".join(decl.split()) + ";\n" for decl in code.split(";") if decl.strip())


def public_headers(directory: Path = HERE) -> list[Path]:
    """The public headers, in name order (the order of the cdef and of the #includes)."""
    return sorted(directory.glob(PUBLIC_HEADERS))


def public_cdef(directory: Path = HERE) -> str:
    """The whole Python ABI: the declarations of every public header."""
    return "".join(cdef_from_header(p.read_text()) for p in public_headers(directory))


def declared_functions(cdef: str) -> set[str]:
    """The names of the functions a cdef declares."""
    return set(re.findall(r"(\w+)\s*\(", cdef)) - {"void"}
