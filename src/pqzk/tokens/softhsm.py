"""Throw-away SoftHSM2 tokens (demos, benchmarks): a token directory in a temp dir.

SoftHSM2 reads SOFTHSM2_CONF when the library is initialised, so the config is set before the
first load in this process. `softhsm2-util` takes the PINs on its command line: use this only for
ephemeral tokens with random PINs, never for a token that guards anything.
"""
from __future__ import annotations

import atexit
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..discovery import find_softhsm, probe_softhsm
from ..errors import BackendUnavailable
from .errors import TokenError

_CONF: Path | None = None


def _conf() -> Path:
    global _CONF
    from .pkcs11 import _LIBS
    if _CONF is None:
        if _LIBS and os.environ.get("SOFTHSM2_CONF") is None:
            raise TokenError("SoftHSM2 was loaded before a token directory was configured")
        d = Path(tempfile.mkdtemp(prefix="pqzk-softhsm-"))
        atexit.register(shutil.rmtree, d, True)
        (d / "tokens").mkdir()
        (d / "softhsm2.conf").write_text(f"directories.tokendir = {d / 'tokens'}\n"
                                         "objectstore.backend = file\nlog.level = ERROR\n")
        if not _LIBS:
            os.environ["SOFTHSM2_CONF"] = str(d / "softhsm2.conf")
        _CONF = Path(os.environ["SOFTHSM2_CONF"])
    return _CONF


@contextmanager
def ephemeral_token(label: str = "pqzk-demo") -> Iterator[tuple[str, str]]:
    """(pkcs11: URI, random user PIN) of a fresh token; its directory is removed afterwards."""
    st = probe_softhsm()
    tool = shutil.which("softhsm2-util")
    if not st.available or tool is None:
        raise BackendUnavailable("softhsm2", st.reason or "softhsm2-util not found", st.how_to_enable or "apt-get install softhsm2")
    conf = _conf()
    label = f"{label}-{secrets.token_hex(4)}"
    pin, so_pin = secrets.token_hex(8), secrets.token_hex(8)
    res = subprocess.run([tool, "--init-token", "--free", "--label", label, "--so-pin", so_pin, "--pin", pin],
                         capture_output=True, text=True, env={**os.environ, "SOFTHSM2_CONF": str(conf)})
    if res.returncode != 0:
        raise TokenError(f"softhsm2-util could not initialise a token (exit {res.returncode})")
    from .pkcs11 import refresh_modules
    refresh_modules()
    try:
        yield f"pkcs11:token={label}?module-path={find_softhsm()}", pin
    finally:
        subprocess.run([tool, "--delete-token", "--token", label], capture_output=True,
                       env={**os.environ, "SOFTHSM2_CONF": str(conf)})
