"""Backend discovery: `pqzk.backends()` is stable to call, and liboqs is found only as oqs loads it."""
import importlib
import os
import subprocess
import sys

import pqzk
from pqzk.discovery import find_liboqs


def test_backends_callable_repeatedly():
    first = [b.name for b in pqzk.backends()]
    importlib.import_module("pqzk.discovery")   # importing the module must not shadow the function
    assert [b.name for b in pqzk.backends()] == first


def test_versioned_liboqs_alone_is_not_accepted(tmp_path, monkeypatch):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "liboqs.so.9").write_bytes(b"\x7fELF not really")
    monkeypatch.setenv("OQS_INSTALL_PATH", str(tmp_path))
    monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
    path, why = find_liboqs()
    assert path is None and "exact name" in why


def test_info_never_imports_oqs(tmp_path):
    code = "import sys, pqzk; pqzk.backends(); import pqzk.pq; pqzk.pq.backends(); print('oqs' in sys.modules)"
    env = {**os.environ, "OQS_INSTALL_PATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
