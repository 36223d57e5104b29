"""What the node commands share (`pqzk node`, `committee`, `ceremony`, `authorize --committee`):
the NATS options, the node passphrase options (as `pqzk token` takes a PIN: a file or an
environment variable, never the command line), and loading homes and committee files with
one-line errors."""
from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from ..errors import InvalidParameter, PqzkError, TokenError

NATS = typer.Option(None, "--nats", help="NATS server URL (nats://host:port or tls://host:port); repeat it "
                                         "for every server of a cluster")
USER = typer.Option(None, "--user", help="NATS user name (per-node credentials; needs --password-env)")
PASSWORD_ENV = typer.Option(None, "--password-env", help="environment variable holding the NATS password")
TLS_CA = typer.Option(None, "--tls-ca", help="PEM file of the CA that signed the NATS servers' certificates "
                                             "(turns TLS on; the client trusts only this CA)")
PIN_FILE = typer.Option(None, "--pin-file", help="read the node's store passphrase/PIN from this file (first line)")
PIN_ENV = typer.Option(None, "--pin-env", help="read the node's store passphrase/PIN from this environment variable")
HOME = typer.Option(..., "--home", help="the node's home directory (pqzk node init)")
COMMITTEE = typer.Option(..., "--committee", help="the committee file, signed by every node")
JSON = typer.Option(False, "--json", help="machine-readable output")
FORCE = typer.Option(False, "--force", help="replace an existing output file")
MAX_CA_FILE = 1 << 20
MAX_ID = 2**32 - 1
_DIGITS = re.compile(r"[1-9][0-9]{0,9}\Z")


def fingerprint(data: bytes) -> str:
    """A short public name for a key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(data).hexdigest()[:16]


def parse_node_id(text: str):
    """`--id`: an integer from 1 (a signer: its FROST identifier) or a name (a coordinator)."""
    from ..node.identity import check_node_id
    if isinstance(text, str) and text.isascii() and text.isdigit():
        if not _DIGITS.match(text) or int(text) > MAX_ID:
            raise InvalidParameter(f"--id {text[:20]}: a signer's id is an integer from 1 to {MAX_ID} "
                                   "(no leading zeros)")
        return int(text)
    return check_node_id(text)


def secret(pin_file: Optional[Path], pin_env: Optional[str], *, confirm: bool = False) -> str:
    """The node's passphrase or PIN from `--pin-file`, `--pin-env` or a prompt (asked twice with `confirm`).
    """
    from .token import read_secret
    return read_secret(pin_file, pin_env, "node passphrase or PIN", confirm=confirm)


def load_home(path: Path, what: str = "--home"):
    """A node home that exists (its node.json is read and checked)."""
    from ..node.home import NodeHome
    p = Path(path)
    if not p.is_dir():
        raise InvalidParameter(f"{what} {p}: no such directory (create a node with pqzk node init)")
    if not (p / "node.json").is_file():
        raise InvalidParameter(f"{what} {p} is not a node home (no node.json; pqzk node init makes one)")
    home = NodeHome(p)
    home.config()
    return home


def load_committee(path: Path):
    """Load and validate a committee file (`pqzk.node.committee.Committee.load`)."""
    from ..node.committee import Committee
    return Committee.load(path)


@contextmanager
def robust_store(uri: str):
    """Errors of a token library reached through a node's store are pqzk errors naming the store
    and the exception's type only (its message could quote anything)."""
    try:
        yield
    except PqzkError:
        raise
    except Exception as exc:        # noqa: BLE001 - a library's raw exception, reported cleanly
        raise TokenError(f"store {uri}: the token library failed ({type(exc).__name__})") from None


@contextmanager
def open_node(home, pin_file, pin_env, committee):
    """The running node (the committee file verified and pinned first), or a one-line error."""
    s = secret(pin_file, pin_env)
    with robust_store(home.config()["store"]):
        with home.open(s, committee) as node:
            yield node


def nats_config(urls: Optional[list[str]], user: Optional[str], password_env: Optional[str],
                tls_ca: Optional[Path]):
    """A `NatsConfig` from the command line, checked before anything connects."""
    import os
    import ssl

    from ..runtime.transports.nats import NatsConfig
    from .files import read_input
    if not urls:
        raise InvalidParameter("give the broker with --nats URL (repeat it for each server of a cluster)")
    password = None
    if (user is None) != (password_env is None):
        raise InvalidParameter("--user and --password-env go together")
    if user is not None:
        if not user or len(user) > 256 or not user.isprintable() or " " in user:
            raise InvalidParameter("--user is a NATS user name (printable, no spaces, at most 256 characters)")
        password = os.environ.get(password_env)
        if not password:
            raise InvalidParameter(f"environment variable {password_env[:64]} (--password-env) is not set")
    ca = None
    if tls_ca is not None:
        read_input(tls_ca, "--tls-ca file", max_bytes=MAX_CA_FILE)
        ca = str(tls_ca)
    config = NatsConfig(servers=tuple(urls), user=user, password=password, ca_file=ca,
                        connect_timeout=3.0)
    try:
        config.tls_context()
    except (ssl.SSLError, OSError, ValueError):
        raise InvalidParameter(f"--tls-ca {tls_ca}: not a PEM CA certificate") from None
    return config


def run_async(coro):
    """Run a coroutine; the nats client's own chatter (reconnect attempts) stays off stderr."""
    import asyncio
    import logging
    logging.getLogger("nats").setLevel(logging.CRITICAL)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    return asyncio.run(coro)


__all__ = ["COMMITTEE", "FORCE", "HOME", "JSON", "NATS", "PASSWORD_ENV", "PIN_ENV", "PIN_FILE", "TLS_CA", "USER",
           "fingerprint", "load_committee", "load_home", "nats_config", "open_node", "parse_node_id",
           "robust_store", "run_async", "secret"]
