"""`pqzk token`: share stores on tokens (PKCS#11, TPM 2.0) and in sealed files.

PINs and passphrases come from a prompt (default), a file (--pin-file) or an environment variable
(--pin-env NAME) — never from the command line itself. Output files are written atomically and never
replaced without --force.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from ..encoding import from_hex
from .errors import PqzkTyper
from .files import check_output, read_document, read_input, write_output

app = PqzkTyper(help="Share stores: PKCS#11 token, TPM 2.0, sealed file (URIs pkcs11:, tpm:, file:).",
                no_args_is_help=True)
MAX_SECRET_FILE = 4096
MAX_KEY_FILE = 64 * 1024
MAX_BACKUP_FILE = 1 << 20

URI = typer.Argument(..., help="store URI: file:/dir | pkcs11:token=LABEL[?module-path=...] | tpm:/dir[?tcti=...&pcrs=sha256:0,7]")
PIN_FILE = typer.Option(None, "--pin-file", help="read the PIN/passphrase from this file (first line)")
PIN_ENV = typer.Option(None, "--pin-env", help="read the PIN/passphrase from this environment variable")
NO_PIN = typer.Option(False, "--no-pin", help="tpm: only — the sealed objects have no auth value")
JSON = typer.Option(False, "--json", help="machine-readable output")


def read_secret(pin_file: Optional[Path], pin_env: Optional[str], what: str = "PIN or passphrase",
                *, confirm: bool = False, options: str = "--pin") -> str:
    """PIN from a file, an environment variable, or a hidden prompt — in that order. `options`
    is the prefix of the options that give it (`--pin`, `--recovery-pin`), for the messages."""
    from ..errors import InvalidEncoding, InvalidParameter
    from ..files import decode_text
    if pin_file is not None and pin_env is not None:
        raise InvalidParameter(f"give either {options}-file or {options}-env, not both")
    if pin_file is not None:
        data = read_input(pin_file, f"{what} file", max_bytes=MAX_SECRET_FILE)
        try:
            lines = decode_text(data, f"{what} file {pin_file}").splitlines()
        except InvalidEncoding:
            raise InvalidParameter(f"{what} file {pin_file} is not UTF-8 text") from None
        if not lines or not lines[0]:
            raise InvalidParameter(f"{what} file {pin_file} is empty")
        return lines[0]
    if pin_env is not None:
        value = os.environ.get(pin_env)
        if not value:
            raise InvalidParameter(f"environment variable {pin_env} is not set")
        return value
    if not sys.stdin.isatty():
        raise InvalidParameter(f"no {what}: use {options}-file or {options}-env when not on a terminal")
    return typer.prompt(what, hide_input=True, confirmation_prompt=confirm)


@contextmanager
def _robust(uri: str, store):
    """A store whose library errors are pqzk errors. A raw exception from a token library (e.g. a
    PKCS#11 module path that is not a PKCS#11 library) becomes a TokenError naming the store and
    the exception's type only: its message could quote anything."""
    from ..errors import PqzkError, TokenError
    try:
        with store as opened:
            yield opened
    except PqzkError:
        raise
    except Exception as exc:        # noqa: BLE001 - a library's raw exception, reported cleanly
        raise TokenError(f"store {uri}: the token library failed ({type(exc).__name__})") from None


def _open(uri: str, pin_file, pin_env, no_pin: bool = False, create: bool = False, upgrade: bool = False):
    from ..errors import PqzkError, TokenError
    from ..tokens import open_store
    secret = None if no_pin and uri.startswith("tpm:") else read_secret(pin_file, pin_env, confirm=create and not uri.startswith("pkcs11:"))
    try:
        store = open_store(uri, secret, create=create, upgrade=upgrade)
    except PqzkError:
        raise
    except Exception as exc:        # noqa: BLE001 - see _robust
        raise TokenError(f"cannot open store {uri}: the token library failed ({type(exc).__name__})") from None
    return _robust(uri, store)


def _hex_option(value: Optional[str], option: str) -> Optional[bytes]:
    return None if value is None else from_hex(value, option)


def _out(as_json: bool, data: dict, text: str) -> None:
    from .main import console, emit_json
    if as_json:
        emit_json(data)
    else:
        console.print(text)


def _meta_dict(m) -> dict:
    return {"key_id": m.key_id, "party_id": m.party_id, "ciphersuite": m.ciphersuite,
            "threshold": m.threshold, "group_public_key": m.group_public_key.hex(), "format_version": m.format_version}


@app.command()
def init(uri: str = URI, pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
         no_pin: bool = NO_PIN,
         upgrade: bool = typer.Option(False, "--upgrade", help="file:/tpm: store made by an older pqzk: check "
                                      "the passphrase against every record, then add the verifier it lacks"),
         as_json: bool = JSON) -> None:
    """Create a store (a PKCS#11 token must already be initialised: this adds the sealing key).
    An existing store is only opened, and refused if the PIN/passphrase does not open it."""
    with _open(uri, pin_file, pin_env, no_pin, create=True, upgrade=upgrade) as store:
        info = {"uri": uri, "created": True}
        mech = getattr(store, "mechanisms", None)
        if mech is not None:
            info["mechanisms"] = mech.describe()
        _out(as_json, info, f"store ready: {uri}" + (f"\n{info['mechanisms']}" if mech else ""))


@app.command("list")
def list_(uri: str = URI, pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
          no_pin: bool = NO_PIN, as_json: bool = JSON) -> None:
    """Shares in a store (public metadata only)."""
    from rich.table import Table
    with _open(uri, pin_file, pin_env, no_pin) as store:
        metas = store.list()
    if as_json:
        _out(True, {"uri": uri, "shares": [_meta_dict(m) for m in metas]}, "")
        return
    table = Table("key id", "party", "ciphersuite", "t", "group public key")
    for m in metas:
        table.add_row(m.key_id, str(m.party_id), m.ciphersuite, str(m.threshold), m.group_public_key.hex()[:24] + "…")
    from .main import console
    console.print(table)


@app.command("import")
def import_(uri: str = URI,
            key_id: Optional[str] = typer.Option(None, help="key id for a raw share (--share-file)"),
            share_file: Optional[Path] = typer.Option(None, help="file holding the share bytes as hex"),
            party: Optional[int] = typer.Option(None, min=1, max=2**32 - 1, help="party identifier (raw share)"),
            group_public_key: Optional[str] = typer.Option(None, help="group public key, hex"),
            ciphersuite: Optional[str] = typer.Option(None, help="ciphersuite name (raw share; default "
                                                                  "FROST-secp256k1-SHA256-v1)"),
            threshold: Optional[int] = typer.Option(None, min=1, max=2**32 - 1, help="threshold t (raw share)"),
            max_signers: Optional[int] = typer.Option(None, min=1, max=2**32 - 1,
                                                      help="number of signers n, if known (raw share): "
                                                      "checks t <= n and party <= n"),
            backup: Optional[Path] = typer.Option(None, help="a backup made by export-backup"),
            recovery_key: Optional[Path] = typer.Option(None, help="recovery private key file (for --backup)"),
            recovery_pin_file: Optional[Path] = typer.Option(None, help="recovery key passphrase file"),
            recovery_pin_env: Optional[str] = typer.Option(None, help="recovery key passphrase env var"),
            overwrite: bool = typer.Option(False, help="replace an existing share"),
            pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV, no_pin: bool = NO_PIN,
            as_json: bool = JSON) -> None:
    """Import a share: raw (--share-file + metadata) or from a backup (--backup + --recovery-key).
    A raw share is checked against its group first: a FROST key package (as `pqzk frost keygen`
    writes) or a threshold BLS share (identifier || value)."""
    from ..errors import InvalidParameter
    from ..files import decode_text
    from ..tokens import ShareMetadata
    gpk = _hex_option(group_public_key, "--group-public-key")
    raw_options = {"--key-id": key_id, "--share-file": share_file, "--party": party, "--threshold": threshold,
                   "--ciphersuite": ciphersuite}
    backup_options = {"--recovery-key": recovery_key, "--recovery-pin-file": recovery_pin_file,
                      "--recovery-pin-env": recovery_pin_env}
    given = [name for name, v in (raw_options if backup is not None else backup_options).items() if v is not None]
    if given:
        raise InvalidParameter(f"{', '.join(given)}: not used " + ("with --backup (a backup carries its share's "
                               "metadata)" if backup is not None else "without --backup"))
    if backup is not None:
        from ..tokens.backup import import_backup, load_recovery_key
        if recovery_key is None:
            raise InvalidParameter("--backup needs --recovery-key")
        backup_data = read_input(backup, "backup file", max_bytes=MAX_BACKUP_FILE)
        key_data = read_input(recovery_key, "recovery key file", max_bytes=MAX_KEY_FILE)
        rpass = read_secret(recovery_pin_file, recovery_pin_env, "recovery key passphrase", options="--recovery-pin")
        rkey = load_recovery_key(key_data, rpass)
        with _open(uri, pin_file, pin_env, no_pin) as store:
            meta = import_backup(backup_data, rkey, store, group_public_key=gpk, overwrite=overwrite)
    else:
        if share_file is None or key_id is None or gpk is None or party is None or threshold is None:
            raise InvalidParameter("give --backup, or --share-file with --key-id, --party, --threshold "
                                   "and --group-public-key")
        text = decode_text(read_input(share_file, "share file", max_bytes=MAX_KEY_FILE), f"share file {share_file}")
        share = from_hex(text.strip(), f"share file {share_file}")
        meta = ShareMetadata(key_id, party, gpk, ciphersuite or "FROST-secp256k1-SHA256-v1", threshold)
        from ..tokens.validate import check_share
        check_share(share, meta, max_signers=max_signers)
        with _open(uri, pin_file, pin_env, no_pin) as store:
            store.put(share, meta, overwrite=overwrite)
    _out(as_json, {"uri": uri, "imported": _meta_dict(meta)}, f"imported {meta.key_id!r} (party {meta.party_id}) into {uri}")


@app.command("recovery-keygen")
def recovery_keygen(out: Path = typer.Option(..., help="recovery private key file (passphrase-sealed)"),
                    public_out: Path = typer.Option(..., help="recovery public key file"),
                    pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
                    force: bool = typer.Option(False, "--force", help="replace existing key files"),
                    as_json: bool = JSON) -> None:
    """Make an offline recovery key (ML-KEM-768 + X25519), its private half sealed by a passphrase.

    Existing key files are never replaced without --force (a replaced recovery key makes every
    backup made to it unrecoverable)."""
    from ..errors import InvalidParameter
    from ..tokens.backup import save_recovery_key
    from ..tokens.recipient import generate
    if Path(out).resolve() == Path(public_out).resolve():
        raise InvalidParameter("--out and --public-out must be different files")
    check_output(out, "recovery key file", force=force)
    check_output(public_out, "recovery public key file", force=force)
    passphrase = read_secret(pin_file, pin_env, "recovery key passphrase", confirm=True)
    key = generate()
    blob = save_recovery_key(key, passphrase)
    pub = key.public_key()
    write_output(out, blob, "recovery key file", force=force, secret=True)
    write_output(public_out, pub.to_bytes(), "recovery public key file", force=force)
    _out(as_json, {"kem": pub.kem, "fingerprint": pub.fingerprint()},
         f"recovery key {pub.kem}, fingerprint {pub.fingerprint().hex()}: keep {out} offline")


def _recovery_public(path: Path):
    """The recovery public key in `path`. The library's message is not repeated: given the
    private key file by mistake, it would quote that file's bytes."""
    from ..errors import InvalidEncoding, InvalidParameter
    from ..tokens.backup import KEY_MAGIC
    from ..tokens.recipient import RecipientPublicKey
    data = read_input(path, "recovery public key file", max_bytes=MAX_KEY_FILE)
    if data.startswith(KEY_MAGIC):
        raise InvalidParameter(f"{path} is a recovery PRIVATE key file; give the public key "
                               "(the --public-out file of recovery-keygen)")
    try:
        return RecipientPublicKey.from_bytes(data)
    except (InvalidEncoding, InvalidParameter):
        raise InvalidEncoding(f"{path} is not a recovery public key (the --public-out file of "
                              "recovery-keygen)") from None


@app.command("export-backup")
def export_backup_(uri: str = URI, key_id: str = typer.Argument(..., help="share to back up"),
                   recovery_public: Path = typer.Option(..., help="recovery public key file"),
                   out: Path = typer.Option(..., help="backup file to write"),
                   pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
                   no_pin: bool = NO_PIN,
                   force: bool = typer.Option(False, "--force", help="replace an existing backup file"),
                   as_json: bool = JSON) -> None:
    """Encrypt a share to an offline recovery key."""
    from ..tokens.backup import export_backup
    pub = _recovery_public(recovery_public)
    check_output(out, "backup file", force=force)
    with _open(uri, pin_file, pin_env, no_pin) as store:
        data = export_backup(store, key_id, pub)
    write_output(out, data, "backup file", force=force, secret=True)
    _out(as_json, {"key_id": key_id, "backup": str(out), "recovery_fingerprint": pub.fingerprint()},
         f"backup of {key_id!r} written to {out} (for recovery key {pub.fingerprint().hex()})")


@app.command()
def keygen(uri: str = URI, key_id: str = typer.Argument(..., help="name of the new signing key"),
           algorithm: str = typer.Option("ed25519", help="ed25519 | ecdsa-p256"),
           pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV, no_pin: bool = NO_PIN,
           as_json: bool = JSON) -> None:
    """Generate a signing key held by the store (in the token for pkcs11:)."""
    with _open(uri, pin_file, pin_env, no_pin) as store:
        pk = store.generate_held_key(key_id, algorithm)
    _out(as_json, {"key_id": key_id, "algorithm": algorithm, "public_key": pk},
         f"{algorithm} key {key_id!r}: public key {pk.hex()}")


@app.command()
def sign(uri: str = URI, key_id: str = typer.Argument(..., help="held signing key"),
         message_file: Path = typer.Option(..., help="file with the message to sign (- for standard input)"),
         pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV, no_pin: bool = NO_PIN,
         as_json: bool = JSON) -> None:
    """Sign a message with a key held by the store (ECDSA P-256: DER; Ed25519: 64 bytes)."""
    msg = read_input(message_file, "message file", allow_stdin=True)
    with _open(uri, pin_file, pin_env, no_pin) as store:
        sig = store.sign_with_held_key(key_id, msg)
        pk = store.held_public_key(key_id)
    _out(as_json, {"key_id": key_id, "public_key": pk, "signature": sig}, sig.hex())


@app.command("bls-sign")
def bls_sign(uri: str = URI, key_id: str = typer.Argument(..., help="threshold BLS share in the store"),
             message: str = typer.Option(..., "--message", "-m", help="message (UTF-8)"),
             group_public_key: Optional[str] = typer.Option(None, help="pin the group public key (hex)"),
             pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV, no_pin: bool = NO_PIN,
             as_json: bool = JSON) -> None:
    """Threshold BLS partial signature σ_i = sk_i·H(m), the share unsealed for this signature only."""
    from ..tokens.bls import bls_partial_sign
    gpk = _hex_option(group_public_key, "--group-public-key")
    with _open(uri, pin_file, pin_env, no_pin) as store:
        partial = bls_partial_sign(store, key_id, message.encode(), group_public_key=gpk)
    _out(as_json, {"identifier": partial.identifier, "partial_signature": partial.signature.hex()},
         f"partial signature of signer {partial.identifier}: {partial.signature.hex()}")


@app.command("import-frost")
def import_frost(uri: str = URI,
                 share_file: Path = typer.Argument(..., help="share-<id>.json written by `pqzk frost keygen`"),
                 key_id: str = typer.Option(..., help="key id in the store"),
                 overwrite: bool = typer.Option(False, help="replace an existing share"),
                 pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV, no_pin: bool = NO_PIN,
                 as_json: bool = JSON) -> None:
    """Copy a FROST share file (format pqzk-frost-share/1) into a store.

    The file is left in place: delete it yourself once the share is in the store (and backed up)."""
    from ..errors import InvalidEncoding
    from ..threshold import frost
    from ..tokens.frost import put_key_package
    doc = read_document(share_file, "share file")
    if doc.get("format") != "pqzk-frost-share/1" or not isinstance(doc.get("ciphersuite"), str) \
            or not isinstance(doc.get("key_package"), str):
        raise InvalidEncoding(f"{share_file}: not a pqzk-frost-share/1 document")
    suite = frost.get_ciphersuite(doc["ciphersuite"])
    key_package = from_hex(doc["key_package"], f"{share_file}: field 'key_package'")
    kp = frost.KeyPackage.from_bytes(suite, key_package)
    with _open(uri, pin_file, pin_env, no_pin) as store:
        meta = put_key_package(store, key_id, kp, overwrite=overwrite)
    _out(as_json, {"uri": uri, "imported": _meta_dict(meta)},
         f"imported FROST share {meta.party_id} as {key_id!r}; delete {share_file} once backed up")
