"""pqzk.pq.backends: discovery reports usable/unusable with reasons; liboqs never auto-installs."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pqzk.pq
from pqzk.errors import BackendUnavailable, InvalidParameter
from pqzk.pq import backend_registry as B

SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_backends_report_each_with_reason():
    statuses = pqzk.pq.backends()
    assert [s.name for s in statuses] == ["openssl", "liboqs", "pqclean", "reference"]
    for s in statuses:
        if s.usable:
            assert s.capabilities, s.name
        else:
            assert s.reason and s.how_to_enable, s.name
    assert statuses[0].usable, "the cryptography wheel (the default backend) must provide ML-DSA/ML-KEM"


def test_unknown_backend_is_invalid_parameter():
    with pytest.raises(InvalidParameter, match="unknown post-quantum backend"):
        B.get_backend("nope")


def test_unusable_backend_raises_backend_unavailable_with_instructions(monkeypatch):
    monkeypatch.delenv("OQS_INSTALL_PATH", raising=False)
    if B.liboqs_loadable()[0] is not None:
        pytest.skip("liboqs is installed here")
    B._STATUS.clear()
    with pytest.raises(BackendUnavailable) as exc:
        B.get_backend("liboqs")
    assert "cmake" in exc.value.how_to_enable and "OQS_INSTALL_PATH" in exc.value.how_to_enable


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


def test_corrupt_library_with_exact_name_is_refused(tmp_path, monkeypatch):
    prefix = tmp_path / "oqs"
    (prefix / "lib").mkdir(parents=True)
    (prefix / "lib" / "liboqs.so").write_bytes(b"not a library")
    monkeypatch.setenv("OQS_INSTALL_PATH", str(prefix))
    lib, why = B.liboqs_loadable()
    assert lib is None and why
    assert "oqs" not in sys.modules


@pytest.mark.parametrize("raised, escapes", [(SystemExit(1), False), (ImportError("x"), False),
                                             (KeyboardInterrupt(), True)])
def test_oqs_import_failure_is_unavailable_but_ctrl_c_propagates(monkeypatch, tmp_path, raised, escapes):
    """`import oqs` may SystemExit (it cannot load liboqs): that is BackendUnavailable. A Ctrl-C
    during the import is not swallowed (the handler used to catch BaseException)."""
    import builtins

    from pqzk.errors import BackendUnavailable
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "oqs":
            raise raised
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(B, "liboqs_loadable", lambda: (str(tmp_path / "lib" / "liboqs.so"), ""))
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
