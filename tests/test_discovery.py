"""Backend discovery: `pqzk.backends()` is stable to call, and liboqs is found only as oqs loads it."""
import importlib
import os
import subprocess
import sys
from pathlib import Path

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


def _loadable_library() -> str:
    """Some shared object that dlopen accepts, to stand in for liboqs.so (the native core)."""
    import pqzk._native_ext as ext
    return ext.__file__


def test_liboqs_is_looked_for_in_the_order_oqs_loads_it(tmp_path, monkeypatch):
    """oqs tries the system library first, then <OQS_INSTALL_PATH or ~/_oqs>/lib{,64}/liboqs.so:
    the backend must report the library oqs will really load."""
    prefix = tmp_path / "prefix"
    (prefix / "lib64").mkdir(parents=True)
    (prefix / "lib64" / "liboqs.so").symlink_to(_loadable_library())
    monkeypatch.setenv("OQS_INSTALL_PATH", str(prefix))
    monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
    assert find_liboqs() == (str(prefix / "lib64" / "liboqs.so"), "")
    system = str(tmp_path / "system-liboqs.so")
    Path(system).symlink_to(_loadable_library())
    monkeypatch.setattr("ctypes.util.find_library", lambda name: system if name == "oqs" else None)
    assert find_liboqs() == (system, "")                    # the system library wins, as in oqs
    # without OQS_INSTALL_PATH, oqs looks in ~/_oqs
    monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
    monkeypatch.delenv("OQS_INSTALL_PATH")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert find_liboqs()[0] is None
    (tmp_path / "_oqs" / "lib").mkdir(parents=True)
    (tmp_path / "_oqs" / "lib" / "liboqs.so").symlink_to(_loadable_library())
    assert find_liboqs() == (str(tmp_path / "_oqs" / "lib" / "liboqs.so"), "")


def test_pqzk_backends_is_discovery_plus_what_each_pq_backend_can_do():
    from pqzk.discovery import backends as discovered
    plain = {s.name: s for s in discovered()}
    rich = {s.name: s for s in pqzk.backends()}
    assert list(plain) == list(rich)
    for name, s in rich.items():
        assert (s.available, s.reason) == (plain[name].available, plain[name].reason)
        if name == "openssl":
            assert "ML-DSA sign/verify" in s.extra["can"]
            assert any(c.startswith("deterministic") for c in s.extra["cannot"])


def test_pqzk_info_reports_capabilities_per_backend():
    """`pqzk info` (text and --json) says per post-quantum backend what it can and cannot do."""
    import json

    from typer.testing import CliRunner

    from pqzk.cli.main import app
    res = CliRunner().invoke(app, ["info", "--json"])
    assert res.exit_code == 0, res.output
    info = {b["name"]: b for b in json.loads(res.stdout)["backends"]}
    assert "HashML-DSA (pre-hash)" in info["openssl"]["extra"]["can"]
    assert any(c.startswith("derandomized ML-KEM encaps: ") for c in info["openssl"]["extra"]["cannot"])
    if not info["liboqs"]["available"]:
        assert "docs/liboqs.md" in info["liboqs"]["how_to_enable"]
    text = CliRunner().invoke(app, ["info"], env={"COLUMNS": "400"})
    assert text.exit_code == 0
    assert "can: ML-DSA sign/verify" in text.stdout and "cannot: deterministic" in text.stdout


def test_package_probes_say_what_is_missing_and_how_to_install_it(monkeypatch):
    """probe_pqclean / probe_reference: usable with the installed version, else the distribution
    named as missing with its pip command (one helper, discovery._probe_package)."""
    from pqzk import discovery
    cases = [(discovery.probe_pqclean, "pqclean", "pqcrypto", "pqcrypto 9.9"),
             (discovery.probe_reference, "reference", "dilithium-py", "dilithium-py 9.9 (pure Python, slow)")]
    for probe, name, dist, detail in cases:
        monkeypatch.setattr(discovery, "_version", lambda d: None)
        st = probe()
        assert (st.name, st.available, st.reason, st.how_to_enable) == (
            name, False, f"{dist} not installed", f"pip install {dist}")
        monkeypatch.setattr(discovery, "_version", lambda d, dist=dist: "9.9" if d == dist else None)
        st = probe()
        assert (st.name, st.available, st.detail) == (name, True, detail)
