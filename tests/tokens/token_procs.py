"""Run a snippet in a separate Python process (for two-writer and crash tests)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pqzk

HERE = Path(__file__).resolve().parent
SRC = Path(pqzk.__file__).resolve().parents[1]   # the import root of the pqzk under test (src/ or site-packages)


def _env() -> dict:
    path = os.pathsep.join([str(SRC), str(HERE.parent), str(HERE), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path}


def spawn(code: str, *, stdout=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=_env(),
                            stdout=stdout, stderr=subprocess.PIPE, text=True)


def run(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=_env(),
                          capture_output=True, text=True, timeout=timeout)
