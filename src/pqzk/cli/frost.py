"""`pqzk frost keygen | sign | verify`: FROST threshold signatures on JSON files.

\b
Files (JSON; all binary fields are lowercase hex):
  public.json      format pqzk-frost-public/1: ciphersuite,
                   min_signers, max_signers, verifying_key,
                   verifying_shares {id: element}, public_key_package
  share-<id>.json  format pqzk-frost-share/1: ciphersuite, identifier,
                   verifying_key, key_package (SECRET; mode 0600)
  signature.json   format pqzk-frost-signature/1: ciphersuite,
                   verifying_key, signers, message_sha256, signature

\b
Encodings: RFC 9591 section 6 for the ciphersuite (64-byte BIP-340
signatures for FROST-secp256k1-SHA256-TR-v1). `sign` runs both rounds
in one process, for tests and demonstrations; deployments keep each
share on its own machine (see pqzk.runtime).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import typer

from ..errors import InvalidEncoding, InvalidParameter

app = typer.Typer(help=__doc__, rich_markup_mode=None,
                  no_args_is_help=True)

FMT_PUBLIC, FMT_SHARE, FMT_SIG = "pqzk-frost-public/1", "pqzk-frost-share/1", "pqzk-frost-signature/1"


def _load(path: Path, fmt: str) -> dict:
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise InvalidEncoding(f"{path}: not a readable JSON file ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise InvalidEncoding(f"{path}: expected a {fmt!r} document")
    return doc


def _hex(doc: dict, key: str, path: Path) -> bytes:
    value = doc.get(key)
    if not isinstance(value, str):
        raise InvalidEncoding(f"{path}: field {key!r} missing or not a hex string")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise InvalidEncoding(f"{path}: field {key!r} is not valid hex") from None


def _message(message: str | None, message_hex: str | None, message_file: Path | None) -> bytes:
    given = [m for m in (message, message_hex, message_file) if m is not None]
    if len(given) != 1:
        raise InvalidParameter("give exactly one of --message, --message-hex, --message-file")
    if message is not None:
        return message.encode()
    if message_hex is not None:
        try:
            return bytes.fromhex(message_hex)
        except ValueError:
            raise InvalidEncoding("--message-hex is not valid hex") from None
    return Path(message_file).read_bytes()


def _write_secret(path: Path, doc: dict) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(doc, indent=2) + "\n")


MSG_OPT = typer.Option(None, "--message", "-m", help="message as UTF-8 text")
MSG_HEX_OPT = typer.Option(None, "--message-hex", help="message as hex")
MSG_FILE_OPT = typer.Option(None, "--message-file", help="message read from a file (raw bytes)")


@app.command()
def keygen(suite: str = typer.Option("FROST-ED25519-SHA512-v1", "--suite", "-s",
                                     help="ciphersuite context string or alias (ed25519, ristretto255, "
                                          "ed448, p256, secp256k1, secp256k1-tr)"),
           min_signers: int = typer.Option(2, "--min-signers", "-t", help="threshold t"),
           max_signers: int = typer.Option(3, "--max-signers", "-n", help="number of shares n"),
           out_dir: Path = typer.Option(Path("."), "--out-dir", "-o", help="where to write the files"),
           as_json: bool = typer.Option(False, "--json", help="print the public result as JSON")) -> None:
    """Trusted-dealer key generation: writes public.json and one share-<id>.json per participant."""
    from ..threshold import frost
    from .main import console, emit_json
    s = frost.get_ciphersuite(suite)
    kps, pkp = frost.trusted_dealer_keygen(s, min_signers, max_signers)
    out_dir.mkdir(parents=True, exist_ok=True)
    public = {"format": FMT_PUBLIC, "ciphersuite": s.context, "min_signers": min_signers,
              "max_signers": max_signers, "verifying_key": pkp.verifying_key.to_bytes().hex(),
              "verifying_shares": {str(i): Y.to_bytes().hex() for i, Y in pkp.verifying_shares.items()},
              "public_key_package": pkp.to_bytes().hex()}
    (out_dir / "public.json").write_text(json.dumps(public, indent=2) + "\n")
    files = []
    for i, kp in kps.items():
        p = out_dir / f"share-{i}.json"
        _write_secret(p, {"format": FMT_SHARE, "ciphersuite": s.context, "identifier": i,
                          "verifying_key": public["verifying_key"], "key_package": kp.to_bytes().hex()})
        files.append(str(p))
    if as_json:
        emit_json({**public, "share_files": files})
        return
    console.print(f"{s.context}: {min_signers}-of-{max_signers}; group key {public['verifying_key']}")
    console.print(f"wrote {out_dir / 'public.json'} and {len(files)} share files (secret, mode 0600)")


@app.command()
def sign(share: list[Path] = typer.Option(None, "--share", help="a share-<id>.json file; repeat for each signer"),
         store: str = typer.Option(None, "--store", help="share store URI (pkcs11:, tpm:, file:) instead of --share"),
         key_id: list[str] = typer.Option(None, "--key-id", help="key package id in --store; repeat per signer"),
         pin_file: Path = typer.Option(None, "--pin-file", help="--store: read the PIN/passphrase from a file"),
         pin_env: str = typer.Option(None, "--pin-env", help="--store: read the PIN/passphrase from this variable"),
         message: str = MSG_OPT, message_hex: str = MSG_HEX_OPT, message_file: Path = MSG_FILE_OPT,
         out: Path = typer.Option(Path("signature.json"), "--out", "-o", help="signature file to write"),
         as_json: bool = typer.Option(False, "--json", help="print the result as JSON")) -> None:
    """Sign with at least min_signers shares (both FROST rounds, in this process).

    Shares come from share-<id>.json files (--share) or, unsealed only for this signature, from a
    share store (--store URI --key-id ID ...; see `pqzk token import-frost`)."""
    from contextlib import ExitStack

    from ..threshold import frost
    from .main import console, emit_json
    if bool(share) == bool(store):
        raise InvalidParameter("give either --share files or --store with --key-id")
    msg = _message(message, message_hex, message_file)
    kps, suite = [], None
    with ExitStack() as unsealed:
        if store:
            from ..tokens.frost import load_key_package
            from .token import _open
            if not key_id:
                raise InvalidParameter("--store needs at least one --key-id")
            opened = unsealed.enter_context(_open(store, pin_file, pin_env))
            for kid in key_id:
                s = frost.get_ciphersuite(opened.metadata(kid).ciphersuite)
                if suite is not None and s != suite:
                    raise InvalidParameter(f"key {kid!r}: share of another ciphersuite")
                suite = s
                kps.append(unsealed.enter_context(load_key_package(opened, kid, s)))
        else:
            for path in share:
                doc = _load(path, FMT_SHARE)
                s = frost.get_ciphersuite(doc.get("ciphersuite", ""))
                if suite is not None and s != suite:
                    raise InvalidParameter(f"{path}: share of another ciphersuite")
                suite = s
                kps.append(frost.KeyPackage.from_bytes(s, _hex(doc, "key_package", path)))
        sig = frost.sign(suite, kps, msg)
        signers = sorted(kp.identifier for kp in kps)
        vk = kps[0].verifying_key.to_bytes().hex()
    doc = {"format": FMT_SIG, "ciphersuite": suite.context, "verifying_key": vk, "signers": signers,
           "message_sha256": hashlib.sha256(msg).hexdigest(), "signature": sig.hex()}
    out.write_text(json.dumps(doc, indent=2) + "\n")
    if as_json:
        emit_json(doc)
        return
    console.print(f"signed by {doc['signers']}: {sig.hex()}\nwrote {out}")


@app.command()
def verify(public: Path = typer.Option(Path("public.json"), "--public", "-p", help="public.json from keygen"),
           signature: Path = typer.Option(Path("signature.json"), "--signature", help="signature.json from sign"),
           message: str = MSG_OPT, message_hex: str = MSG_HEX_OPT, message_file: Path = MSG_FILE_OPT,
           as_json: bool = typer.Option(False, "--json", help="print the result as JSON")) -> None:
    """Verify a signature against the group key in public.json (exit status 2 if it does not verify)."""
    from ..threshold import frost
    from .main import console, emit_json
    msg = _message(message, message_hex, message_file)
    pub = _load(public, FMT_PUBLIC)
    sdoc = _load(signature, FMT_SIG)
    suite = frost.get_ciphersuite(pub.get("ciphersuite", ""))
    if frost.get_ciphersuite(sdoc.get("ciphersuite", "")) != suite:
        raise InvalidParameter("signature and public key belong to different ciphersuites")
    pkp = frost.PublicKeyPackage.from_bytes(suite, _hex(pub, "public_key_package", public))
    if pkp.verifying_key.to_bytes() != _hex(pub, "verifying_key", public):
        raise InvalidEncoding(f"{public}: verifying_key differs from the public key package")
    frost.verify(suite, pkp.verifying_key, msg, _hex(sdoc, "signature", signature))
    if as_json:
        emit_json({"ciphersuite": suite.context, "verified": True, "verifying_key": pub["verifying_key"]})
        return
    console.print(f"[green]valid[/] {suite.context} signature under {pub['verifying_key']}")
