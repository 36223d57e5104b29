"""pqzk.pq.backends: discovery reports usable/unusable with reasons; liboqs never auto-installs."""
from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pq_probes import fresh_probes  # noqa: F401 - a fixture

import pqzk.pq
from pqzk.errors import BackendUnavailable, InvalidParameter
from pqzk.pq import backend_registry as B
from pqzk.pq.backend import liboqs as L

SRC = str(Path(pqzk.__file__).resolve().parents[1])   # the import root of the pqzk under test (src/ or site-packages)


def test_backends_report_each_with_reason():
    statuses = pqzk.pq.backends()
    assert [s.name for s in statuses] == ["openssl", "liboqs", "pqclean", "numpy", "reference"]
    for s in statuses:
        if s.usable:
            assert s.capabilities, s.name
            # every feature is either offered or missing with a reason, never both, never neither
            labels = [f[1] for f in B.FEATURES]
            for label in labels:
                offered = [c for c in s.can if c.startswith(label)]
                missing = [c for c in s.cannot if c.startswith(label + ":")]
                assert len(offered) + len(missing) == 1, (s.name, label, s.can, s.cannot)
                assert all(len(c.split(": ", 1)[1]) > 10 for c in missing), missing
        else:
            assert s.reason and s.how_to_enable, s.name
            assert not s.can and not s.capabilities
    assert statuses[0].usable, "the cryptography wheel (the default backend) must provide ML-DSA/ML-KEM"


def test_report_follows_declared_capabilities():
    """What `pqzk info` prints is derived from what each backend declares, not written apart."""
    openssl = B.status("openssl")
    assert "ML-KEM encaps/decaps (ML-KEM-768, ML-KEM-1024 only)" in openssl.can
    assert any(c.startswith("deterministic / caller-supplied-rnd signing: ") for c in openssl.cannot)
    assert "HashML-DSA (pre-hash)" in openssl.can
    if B.status("pqclean").usable:
        assert any(c.startswith("ML-DSA context strings of 254-255 bytes: ") for c in B.status("pqclean").cannot)


def test_pqzk_backends_carries_what_each_can_and_cannot_do():
    statuses = {s.name: s for s in pqzk.backends()}
    for name in B.BACKENDS:
        st = B.status(name)
        if st.usable:
            assert statuses[name].extra["can"] == list(st.can)
            assert statuses[name].extra["cannot"] == list(st.cannot)
        else:
            assert "can" not in statuses[name].extra
    assert "can" not in statuses["native"].extra


def test_status_cache_follows_the_environment(monkeypatch, fresh_probes):
    """The bug of issue 15: a test unset OQS_INSTALL_PATH and the 'not found' status stayed
    cached for every test after it. Statuses are now keyed by the environment they were probed in."""
    probes = []

    def fake_loadable():
        root = os.environ.get("OQS_INSTALL_PATH")
        probes.append(root)
        return None, f"probed under {root}"

    monkeypatch.setattr(L, "liboqs_loadable", fake_loadable)
    monkeypatch.setenv("OQS_INSTALL_PATH", "/one")
    assert B.status("liboqs").reason == "probed under /one"
    assert B.status("liboqs").reason == "probed under /one"
    assert probes == ["/one"]                                   # cached while nothing changes
    monkeypatch.setenv("OQS_INSTALL_PATH", "/two")
    assert B.status("liboqs").reason == "probed under /two"
    monkeypatch.delenv("OQS_INSTALL_PATH")
    assert B.status("liboqs").reason == "probed under None"
    monkeypatch.setenv("OQS_INSTALL_PATH", "/one")
    assert B.status("liboqs").reason == "probed under /one"
    monkeypatch.setenv("LD_LIBRARY_PATH", "/elsewhere")       # the system library path counts too
    B.status("liboqs")
    assert probes == ["/one", "/two", None, "/one", "/one"]
    B.refresh()
    B.status("liboqs")
    assert len(probes) == 6


def test_capabilities_come_from_the_library_found(monkeypatch, fresh_probes):
    """liboqs declares what the build it found offers: a minimal build without ML-KEM-512 and
    with the external-mu variant of ML-DSA-65 only (as liboqs after 0.16.0 builds it)."""
    from pqzk.pq.params import MLDSA, MLKEM
    fake = B.LiboqsFeatures("9.9.9", frozenset(MLDSA), frozenset({"ML-DSA-65"}),
                            frozenset({"ML-KEM-768", "ML-KEM-1024"}))
    monkeypatch.setattr(L, "liboqs_loadable", lambda: ("/fake/lib/liboqs.so", ""))
    monkeypatch.setattr(L, "liboqs_features", lambda lib: fake)
    b = B.BACKENDS["liboqs"]
    assert b.supports("mldsa.sign_prehash", MLDSA["ML-DSA-65"])
    assert not b.supports("mldsa.sign_prehash", MLDSA["ML-DSA-44"])
    assert b.supports("mldsa.sign", MLDSA["ML-DSA-44"]) and not b.supports("mldsa.sign_rnd", MLDSA["ML-DSA-44"])
    assert not b.supports("mlkem.encaps", MLKEM["ML-KEM-512"]) and b.supports("mlkem.encaps", MLKEM["ML-KEM-768"])
    can, cannot = b.report()
    assert "HashML-DSA (pre-hash) (ML-DSA-65 only)" in can
    assert "ML-KEM encaps/decaps (ML-KEM-768, ML-KEM-1024 only)" in can
    assert any(c.startswith("deterministic / caller-supplied-rnd signing: liboqs signs hedged only") for c in cannot)
    # the same build without the external-mu variants: HashML-DSA is missing, with the reason
    monkeypatch.setattr(L, "liboqs_features", lambda lib: B.LiboqsFeatures("0.16.0", frozenset(MLDSA), frozenset(),
                                                                            frozenset(MLKEM)))
    B.refresh()
    can, cannot = b.report()
    assert not any(c.startswith("HashML-DSA") for c in can)
    assert any(c.startswith("HashML-DSA (pre-hash): this liboqs build has no HashML-DSA") for c in cannot)


def test_unknown_backend_is_invalid_parameter():
    with pytest.raises(InvalidParameter, match="unknown post-quantum backend"):
        B.get_backend("nope")


def test_unusable_backend_raises_backend_unavailable_with_instructions(monkeypatch, fresh_probes):
    monkeypatch.delenv("OQS_INSTALL_PATH", raising=False)
    monkeypatch.setenv("HOME", "/nonexistent")                 # oqs's own default prefix, ~/_oqs
    if B.liboqs_loadable()[0] is not None:
        pytest.skip("liboqs is installed on the system library path here")
    with pytest.raises(BackendUnavailable) as exc:
        B.get_backend("liboqs")
    assert "cmake" in exc.value.how_to_enable and "OQS_INSTALL_PATH" in exc.value.how_to_enable
    assert "docs/liboqs.md" in exc.value.how_to_enable


def test_openssl_lacks_mlkem512_and_deterministic_signing():
    b = B.BACKENDS["openssl"]
    from pqzk.pq.params import MLDSA, MLKEM
    assert not b.supports("mlkem.encaps", MLKEM["ML-KEM-512"])
    assert b.supports("mlkem.encaps", MLKEM["ML-KEM-768"])
    assert not b.supports("mldsa.sign_rnd", MLDSA["ML-DSA-65"])


_PROBE = textwrap.dedent("""
    import sys, json
    import pqzk, pqzk.pq
    statuses = pqzk.pq.backends()
    from pqzk.pq import mldsa
    sk = mldsa.keygen("ML-DSA-44")                     # default backend: no oqs involvement
    liboqs = [s for s in statuses if s.name == "liboqs"][0]
    print(json.dumps({"oqs_imported": "oqs" in sys.modules, "liboqs_usable": liboqs.usable,
                      "reason": liboqs.reason}))
""")


def _run_probe(tmp_path: Path, extra_env: dict) -> dict:
    import json
    # fake git/cmake on PATH record any attempt to clone or build
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "calls.log"
    for tool in ("git", "cmake"):
        f = bindir / tool
        f.write_text(f"#!/bin/sh\necho {tool} \"$@\" >> {log}\nexit 1\n")
        f.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("OQS_INSTALL_PATH",)}
    env.update({"PATH": f"{bindir}:{env.get('PATH', '')}", "PYTHONPATH": SRC, "HOME": str(tmp_path),
                "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
                "GIT_TERMINAL_PROMPT": "0"})
    env.update(extra_env)
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["calls"] = log.read_text() if log.exists() else ""
    return result


def test_import_and_discovery_never_clone_liboqs(tmp_path):
    res = _run_probe(tmp_path, {})
    if res["liboqs_usable"]:
        pytest.skip("liboqs present on this machine: the no-clone path is not exercised")
    assert res["oqs_imported"] is False
    assert res["calls"] == "", f"tried to run: {res['calls']}"


def test_versioned_only_library_is_refused_without_importing_oqs(tmp_path):
    # a prefix holding only liboqs.so.9: oqs would not load it and would
    # fall back to cloning; the backend must refuse it instead of importing oqs
    prefix = tmp_path / "oqs"
    (prefix / "lib").mkdir(parents=True)
    (prefix / "lib" / "liboqs.so.9").write_bytes(b"not a library")
    res = _run_probe(tmp_path, {"OQS_INSTALL_PATH": str(prefix)})
    assert res["liboqs_usable"] is False
    assert res["oqs_imported"] is False
    assert res["calls"] == ""
    assert "exact name" in res["reason"]


def test_corrupt_library_with_exact_name_is_refused(tmp_path, monkeypatch, fresh_probes):
    prefix = tmp_path / "oqs"
    (prefix / "lib").mkdir(parents=True)
    (prefix / "lib" / "liboqs.so").write_bytes(b"not a library")
    monkeypatch.setenv("OQS_INSTALL_PATH", str(prefix))
    imported_before = "oqs" in sys.modules            # where liboqs is present, earlier tests used it
    lib, why = B.liboqs_loadable()
    if ctypes.util.find_library("oqs") is None:
        assert lib is None and why
    else:                                              # a system liboqs is found first, as oqs would
        assert lib != str(prefix / "lib" / "liboqs.so")
    assert ("oqs" in sys.modules) == imported_before


@pytest.mark.parametrize("raised, escapes", [(SystemExit(1), False), (ImportError("x"), False),
                                             (KeyboardInterrupt(), True)])
def test_oqs_import_failure_is_unavailable_but_ctrl_c_propagates(monkeypatch, tmp_path, raised, escapes, fresh_probes):
    """`import oqs` may SystemExit (it cannot load liboqs): that is BackendUnavailable. A Ctrl-C
    during the import is not swallowed (the handler used to catch BaseException)."""
    import builtins

    from pqzk.errors import BackendUnavailable
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "oqs":
            raise raised
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(L, "liboqs_loadable", lambda: (str(tmp_path / "lib" / "liboqs.so"), ""))
    monkeypatch.setattr(B.LiboqsBackend, "_oqs", None)
    monkeypatch.setenv("OQS_INSTALL_PATH", str(tmp_path))
    monkeypatch.setattr(builtins, "__import__", fake_import)
    backend = B.LiboqsBackend()
    if escapes:
        with pytest.raises(KeyboardInterrupt):
            backend.oqs()
    else:
        with pytest.raises(BackendUnavailable, match="import oqs failed"):
            backend.oqs()
