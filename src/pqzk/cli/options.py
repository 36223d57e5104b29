"""Options and inputs that several `pqzk` groups share (frost, ecdsa, pq, bls, slip39): the
message given as text, hex or a file; --force and --json; passphrases from a file or an
environment variable (never the command line); JSON documents as files."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from ..encoding import from_hex
from ..errors import InvalidParameter
from .files import read_input

MSG_OPT = typer.Option(None, "--message", "-m", help="message as UTF-8 text")
MSG_HEX_OPT = typer.Option(None, "--message-hex", help="message as hex")
MSG_FILE_OPT = typer.Option(None, "--message-file", help="message read from a file (raw bytes; - for standard input)")
FORCE = typer.Option(False, "--force", help="replace existing output files")
JSON_OPT = typer.Option(False, "--json", help="print the result as JSON")
PUBLIC_OPT = typer.Option(Path("public.json"), "--public", "-p", help="public.json from keygen")
SIGNATURE_OPT = typer.Option(Path("signature.json"), "--signature", help="signature.json from sign")
PASSPHRASE_FILE = typer.Option(None, "--passphrase-file", help="read the passphrase from this file (first line)")
PASSPHRASE_ENV = typer.Option(None, "--passphrase-env", help="read the passphrase from this environment variable")


def read_message(message: str | None, message_hex: str | None, message_file: Path | None) -> bytes:
    """Exactly one of --message (UTF-8), --message-hex, --message-file (- for standard input)."""
    given = [m for m in (message, message_hex, message_file) if m is not None]
    if len(given) != 1:
        raise InvalidParameter("give exactly one of --message, --message-hex, --message-file")
    if message is not None:
        return message.encode()
    if message_hex is not None:
        return hex_option(message_hex, "--message-hex")
    return read_input(message_file, "message file", allow_stdin=True)


def hex_option(value: str, option: str) -> bytes:
    """A hex option's value as bytes; InvalidEncoding naming the option otherwise."""
    return from_hex(value, option)


def read_passphrase(passphrase_file: Optional[Path], passphrase_env: Optional[str], what: str, *,
                    confirm: bool = False) -> str:
    """A passphrase from --passphrase-file or --passphrase-env, or a hidden prompt on a terminal
    (the one way `pqzk token` reads PINs: `token.read_secret`)."""
    from .token import read_secret
    return read_secret(passphrase_file, passphrase_env, what, confirm=confirm, options="--passphrase")


def emit(as_json: bool, data: dict, text: str) -> None:
    """A command's result: JSON under --json, else plain lines (not wrapped, so names, paths and
    mnemonics stay whole)."""
    from .main import emit_json
    if as_json:
        emit_json(data)
    else:
        sys.stdout.write(text + "\n")


def json_bytes(doc: dict) -> bytes:
    """A JSON document as written to a file: indented, with a final newline."""
    return (json.dumps(doc, indent=2) + "\n").encode()


def key_file_names(count: int) -> list[str]:
    """The files a dealt key of `count` shares is written to (checked before anything is made)."""
    return ["public.json"] + [f"share-{i}.json" for i in range(1, count + 1)]


def write_key_files(out_dir: Path, public: dict, shares: dict[int, dict], *, force: bool) -> list[str]:
    """A dealt key's files: share-<id>.json for each share document (secret, mode 0600), then
    public.json; returns the share files' paths (what --json lists)."""
    from .files import write_output
    files = []
    for i, doc in shares.items():
        path = out_dir / f"share-{i}.json"
        write_output(path, json_bytes(doc), "share file", force=force, secret=True)
        files.append(str(path))
    write_output(out_dir / "public.json", json_bytes(public), "public key file", force=force)
    return files


__all__ = ["MSG_OPT", "MSG_HEX_OPT", "MSG_FILE_OPT", "FORCE", "JSON_OPT", "PASSPHRASE_FILE", "PASSPHRASE_ENV",
           "read_message", "hex_option", "read_passphrase", "emit", "json_bytes"]
