"""The Python ABI of the compiled core is what the public headers declare (native/native_abi.py),
`pqzk._native.describe()` reports it, and the G1/G2 entry points written once (group_abi.inc)
reject what they must in both groups."""
import importlib.util
import re
from pathlib import Path

import pytest

from pqzk import _native, discovery
from pqzk.groups.bls12_381_native import P

NATIVE = Path(__file__).resolve().parents[2] / "native"


@pytest.fixture(scope="module")
def abi():
    path = NATIVE / "native_abi.py"
    if not path.exists():
        pytest.skip("native sources not beside the tests (installed elsewhere)")
    spec = importlib.util.spec_from_file_location("native_abi", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_extension_exports_exactly_what_the_public_headers_declare(abi):
    declared = abi.declared_functions(abi.public_cdef(NATIVE))
    exported = {name for name in dir(_native.require()) if name.startswith("pqzk_")}
    assert exported == declared       # a stale build or a header/C mismatch shows here
    assert len(declared) > 90 and "pqzk_g2_map_to_curve" in declared and "pqzk_build_flags" in declared


def test_internal_headers_stay_out_of_the_abi(abi):
    internal = [p for p in NATIVE.glob("*.h") if not p.name.startswith("pqzk_")]
    assert internal, "ed448_internal.h is expected"
    for header in internal:
        names = abi.declared_functions(abi.cdef_from_header(header.read_text()))
        assert names and not any(hasattr(_native.lib, n) for n in names), header.name


def test_every_exported_c_function_is_declared_in_a_header(abi):
    """A non-static pqzk_* definition in a .c file that no header (or, for one shared between C
    files, no included .inc prototype) declares would be callable from C only by accident."""
    declared = set().union(*(abi.declared_functions(abi.cdef_from_header(h.read_text()))
                             for h in NATIVE.glob("*.h")))
    for inc in NATIVE.glob("*.inc"):
        declared |= set(re.findall(r"^(?:const\s+)?\w+\s*\*?\s*(pqzk_\w+)\([^)]*\);", inc.read_text(), re.M))
    defined = set()
    for src in NATIVE.glob("*.c"):
        defined |= set(re.findall(r"^(?:const\s+)?\w+\s*\*?\s*(pqzk_\w+)\s*\(", src.read_text(), re.M))
    abi_defs = re.findall(r"^\w+ ABI\((\w+)\)\(", (NATIVE / "group_abi.inc").read_text(), re.M)
    defined |= {f"pqzk_{g}_{op}" for g in ("g1", "g2") for op in abi_defs}
    assert len(abi_defs) == 16
    assert defined - declared == set()


def test_cdef_from_header_keeps_only_prototypes(abi):
    header = """/* a comment; with a semicolon and f(x) */
#ifndef X_H
#define X_H 1
#include <stdint.h>
int pqzk_a(int x,   /* inline; comment */
           const uint8_t *y);   // trailing; comment
void pqzk_b(void);
#endif
"""
    assert abi.cdef_from_header(header) == "int pqzk_a(int x, const uint8_t *y);\nvoid pqzk_b(void);\n"
    assert abi.declared_functions(abi.cdef_from_header(header)) == {"pqzk_a", "pqzk_b"}
    assert abi.cdef_from_header("/* only a comment */\n#define Y 2\n") == ""


def test_abi_version_matches_the_header():
    version = re.search(r"#define PQZK_NATIVE_ABI_VERSION (\d+)", (NATIVE / "pqzk_native.h").read_text())
    if version is None:  # pragma: no cover - sources not beside the tests
        pytest.skip("native sources not beside the tests")
    assert _native.describe().abi_version == int(version.group(1))


# ---------------------------------------------------------------- describe() and discovery
def test_describe_reports_the_loaded_core():
    d = _native.describe()
    assert d.available and d.error == ""
    assert d.components == tuple(_native.components()) and any("BLS12-381" in c for c in d.components)
    assert "-std=c99" in d.build_flags and d.field_kernels == _native.field_kernels()
    status = discovery.probe_native()
    assert status.available and f"ABI {d.abi_version}: " in status.detail
    assert status.extra == {"build_flags": d.build_flags, "field_kernels": d.field_kernels}


def test_describe_and_discovery_when_the_extension_did_not_load(monkeypatch):
    monkeypatch.setattr(_native, "lib", None)
    monkeypatch.setattr(_native, "_IMPORT_ERROR", "libfoo.so: cannot open shared object file")
    d = _native.describe()
    assert not d.available and d.abi_version is None and d.components == ()
    assert d.error == "libfoo.so: cannot open shared object file"
    status = discovery.probe_native()
    assert not status.available and status.reason == d.error and "C compiler" in status.how_to_enable
    monkeypatch.setattr(_native, "_IMPORT_ERROR", None)
    assert _native.describe().error == "not built"


# ---------------------------------------------------------------- group_abi.inc, both groups
GROUPS = {"g1": (1, 48), "g2": (2, 96)}   # size id, bytes of one coordinate (G2: c0 || c1)


def _fe(n: int, values) -> bytes:
    return b"".join(v.to_bytes(48, "big") for v in values)[:n]


def _entry(g: str, op: str):
    """The group's pqzk_<g>_<op>, an output buffer for one point, and a coordinate's size."""
    lib, ffi = _native.require(), _native.ffi
    sid, n = GROUPS[g]
    return getattr(lib, f"pqzk_{g}_{op}"), ffi.new("uint8_t[]", lib.pqzk_bls_sizes(sid)), n


def _non_canonical(coord: bytes):
    """`coord` with p in each of its 48-byte halves in turn."""
    for half in range(len(coord) // 48):
        bad = bytearray(coord)
        bad[48 * half:48 * half + 48] = P.to_bytes(48, "big")
        yield bytes(bad)


@pytest.mark.parametrize("g", GROUPS)
def test_from_affine_rejects_non_canonical_and_off_curve_coordinates(g):
    from_affine, out, n = _entry(g, "from_affine")
    zero, one = _fe(n, [0, 0]), _fe(n, [1, 0])
    for bad in _non_canonical(zero):                  # in x and in y
        assert from_affine(out, bad, one) == -2
        assert from_affine(out, one, bad) == -2
    assert from_affine(out, zero, one) == -3          # 1 != 0 + b


@pytest.mark.parametrize("g", GROUPS)
def test_map_to_curve_rejects_non_canonical_u(g):
    map_to_curve, out, n = _entry(g, "map_to_curve")
    ffi = _native.ffi
    good = _fe(n, [5, 7])
    assert map_to_curve(out, good, ffi.NULL) == 0 and map_to_curve(out, good, good) == 0
    assert getattr(_native.lib, f"pqzk_{g}_in_subgroup")(out) == 1
    for bad in _non_canonical(good):
        assert map_to_curve(out, bad, ffi.NULL) == -2
        assert map_to_curve(out, good, bad) == -2
