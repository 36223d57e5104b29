"""Test environments for the token backends: a SoftHSM2 token directory and a swtpm simulator,
both in temporary directories. Fixtures are imported by the test modules that need them."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import require_component
from pqzk.discovery import find_softhsm, probe_softhsm, probe_tpm

SO_PIN = "5678"
USER_PIN = "1234"
def softhsm_dir() -> Path:
    """This process's SoftHSM2 token directory (one per process: SOFTHSM2_CONF must be set
    before the library loads) — the same one pqzk.tokens.softhsm uses for ephemeral tokens."""
    from pqzk.tokens.softhsm import _conf
    return _conf().parent


def init_softhsm_token(label: str, pin: str = USER_PIN, so_pin: str = SO_PIN) -> str:
    """Initialise a fresh token (test-only: softhsm2-util takes the PINs on its command line)."""
    d = softhsm_dir()
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", so_pin,
                    "--pin", pin], check=True, capture_output=True, env={**os.environ, "SOFTHSM2_CONF": str(d / "softhsm2.conf")})
    from pqzk.tokens.pkcs11 import refresh_modules
    refresh_modules()
    return label


def require_softhsm() -> None:
    st = probe_softhsm()
    require_component(st.available and shutil.which("softhsm2-util") is not None, "SoftHSM2",
                      st.how_to_enable or "apt-get install softhsm2")


_counter = [0]


@pytest.fixture
def softhsm_token() -> str:
    """Label of a freshly initialised SoftHSM2 token (user PIN USER_PIN)."""
    require_softhsm()
    _counter[0] += 1
    return init_softhsm_token(f"pqzk-t{os.getpid()}-{_counter[0]}")


def pkcs11_uri(label: str) -> str:
    return f"pkcs11:token={label}?module-path={find_softhsm()}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Swtpm:
    """A swtpm TPM 2.0 simulator in a temp dir, on TCP ports p (commands) and p + 1 (control)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pqzk-swtpm-"))
        for _ in range(5):
            self.port = _free_port()
            self.ctrl = self.port + 1  # the swtpm TCTI expects the control port at port + 1
            self.proc = subprocess.Popen(
                ["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={self.dir}",
                 "--server", f"type=tcp,port={self.port},bindaddr=127.0.0.1",
                 "--ctrl", f"type=tcp,port={self.ctrl},bindaddr=127.0.0.1",
                 "--flags", "not-need-init,startup-clear"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for _ in range(100):
                if self.proc.poll() is not None:
                    break
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                    return
                except OSError:
                    time.sleep(0.05)
            self.stop()
        raise RuntimeError("swtpm did not start")

    @property
    def tcti(self) -> str:
        return f"swtpm:host=127.0.0.1,port={self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def require_tpm() -> None:
    st = probe_tpm()
    require_component(st.available, "swtpm + tpm2-pytss", st.how_to_enable or "pip install tpm2-pytss")


@pytest.fixture(scope="module")
def swtpm():
    require_tpm()
    sim = Swtpm()
    yield sim
    sim.stop()
    shutil.rmtree(sim.dir, ignore_errors=True)
