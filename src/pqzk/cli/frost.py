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

\b
Files are written atomically and never replaced without --force.
--message-file - reads the message from standard input.
Exit status: 0 success, 1 a signature that does not verify,
2 a bad option or file.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import typer

from ..errors import InvalidEncoding, InvalidParameter
from ..policy.documents import hex_field
from .errors import PqzkTyper
from .options import (FORCE, JSON_OPT, MSG_FILE_OPT, MSG_HEX_OPT, MSG_OPT, PUBLIC_OPT, SIGNATURE_OPT, emit, json_bytes,
                      key_file_names, read_message, write_key_files)
from .files import check_output, check_output_dir, read_document, write_output

app = PqzkTyper(help=__doc__, rich_markup_mode=None, no_args_is_help=True)
MAX_SIGNERS = 255

FMT_PUBLIC, FMT_SHARE, FMT_SIG = "pqzk-frost-public/1", "pqzk-frost-share/1", "pqzk-frost-signature/1"


def _load(path: Path, fmt: str) -> dict:
    doc = read_document(path, f"{fmt} file")
    if doc.get("format") != fmt:
        raise InvalidEncoding(f"{path}: expected a {fmt!r} document")
    if not isinstance(doc.get("ciphersuite"), str):
        raise InvalidEncoding(f"{path}: field 'ciphersuite' missing or not a string")
    return doc


def _hex(doc: dict, key: str, path: Path) -> bytes:
    return hex_field(doc, key, str(path))




@app.command()
def keygen(suite: str = typer.Option("FROST-ED25519-SHA512-v1", "--suite", "-s",
                                     help="ciphersuite context string or alias (ed25519, ristretto255, "
                                          "ed448, p256, secp256k1, secp256k1-tr)"),
           min_signers: int = typer.Option(2, "--min-signers", "-t", min=1, max=MAX_SIGNERS, help="threshold t"),
           max_signers: int = typer.Option(3, "--max-signers", "-n", min=1, max=MAX_SIGNERS,
                                           help="number of shares n"),
           out_dir: Path = typer.Option(Path("."), "--out-dir", "-o", help="where to write the files"),
           force: bool = FORCE,
           as_json: bool = typer.Option(False, "--json", help="print the public result as JSON")) -> None:
    """Trusted-dealer key generation: writes public.json and one share-<id>.json per participant
    (refused if any of them exists, unless --force)."""
    from ..threshold import frost
    s = frost.get_ciphersuite(suite)
    if not 1 <= min_signers <= max_signers:
        raise InvalidParameter(f"need 1 <= min-signers <= max-signers, got {min_signers} of {max_signers}")
    check_output_dir(out_dir, key_file_names(max_signers), "output directory", force=force)
    kps, pkp = frost.trusted_dealer_keygen(s, min_signers, max_signers)
    public = {"format": FMT_PUBLIC, "ciphersuite": s.context, "min_signers": min_signers,
              "max_signers": max_signers, "verifying_key": pkp.verifying_key.to_bytes().hex(),
              "verifying_shares": {str(i): Y.to_bytes().hex() for i, Y in pkp.verifying_shares.items()},
              "public_key_package": pkp.to_bytes().hex()}
    files = write_key_files(out_dir, public, {
        i: {"format": FMT_SHARE, "ciphersuite": s.context, "identifier": i,
            "verifying_key": public["verifying_key"], "key_package": kp.to_bytes().hex()}
        for i, kp in kps.items()}, force=force)
    emit(as_json, {**public, "share_files": files},
         f"{s.context}: {min_signers}-of-{max_signers}; group key {public['verifying_key']}\n"
         f"wrote {out_dir / 'public.json'} and {len(files)} share files (secret, mode 0600)")


@app.command()
def sign(share: list[Path] = typer.Option(None, "--share", help="a share-<id>.json file; repeat for each signer"),
         store: str = typer.Option(None, "--store", help="share store URI (pkcs11:, tpm:, file:) instead of --share"),
         key_id: list[str] = typer.Option(None, "--key-id", help="key package id in --store; repeat per signer"),
         pin_file: Path = typer.Option(None, "--pin-file", help="--store: read the PIN/passphrase from a file"),
         pin_env: str = typer.Option(None, "--pin-env", help="--store: read the PIN/passphrase from this variable"),
         message: str = MSG_OPT, message_hex: str = MSG_HEX_OPT, message_file: Path = MSG_FILE_OPT,
         derive_path: str = typer.Option(None, "--path", help="secp256k1-tr only: sign under the BIP-32 child key at this "
                                                       "path (e.g. m/86/0/0/0/5, no hardened steps), then the BIP-341 tweak"),
         out: Path = typer.Option(Path("signature.json"), "--out", "-o", help="signature file to write"),
         force: bool = FORCE,
         as_json: bool = JSON_OPT) -> None:
    """Sign with at least min_signers shares (both FROST rounds, in this process).

    Shares come from share-<id>.json files (--share) or, unsealed only for this signature, from a
    share store (--store URI --key-id ID ...; see `pqzk token import-frost`)."""
    from contextlib import ExitStack

    from ..threshold import frost
    if bool(share) == bool(store):
        raise InvalidParameter("give either --share files or --store with --key-id")
    if share and (key_id or pin_file is not None or pin_env is not None):
        raise InvalidParameter("--key-id, --pin-file and --pin-env go with --store, not with --share files")
    msg = read_message(message, message_hex, message_file)
    check_output(out, "signature file", force=force)
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
                s = frost.get_ciphersuite(doc["ciphersuite"])
                if suite is not None and s != suite:
                    raise InvalidParameter(f"{path}: share of another ciphersuite")
                suite = s
                kps.append(frost.KeyPackage.from_bytes(s, _hex(doc, "key_package", path)))
        if derive_path is not None:
            from ..threshold.frost.taproot import derive_taproot
            kps = [derive_taproot(kp, None, derive_path)[0] for kp in kps]
        sig = frost.sign(suite, kps, msg)
        signers = sorted(kp.identifier for kp in kps)
        vk = kps[0].verifying_key.to_bytes().hex()
    doc = {"format": FMT_SIG, "ciphersuite": suite.context, "verifying_key": vk, "signers": signers,
           "message_sha256": hashlib.sha256(msg).hexdigest(), "signature": sig.hex()}
    if derive_path is not None:
        doc["path"] = derive_path
    write_output(out, json_bytes(doc), "signature file", force=force)
    emit(as_json, doc, f"signed by {doc['signers']}: {sig.hex()}\nwrote {out}")


@app.command()   # deliberate look-alike of ecdsa.py's verify (duplicates): typer options stay explicit
def verify(public: Path = PUBLIC_OPT,
           signature: Path = SIGNATURE_OPT,
           message: str = MSG_OPT, message_hex: str = MSG_HEX_OPT, message_file: Path = MSG_FILE_OPT,
           as_json: bool = JSON_OPT) -> None:
    """Verify a signature against the group key in public.json (exit status 1 if it does not verify)."""
    from ..threshold import frost
    from .main import console, emit_json
    msg = read_message(message, message_hex, message_file)
    pub = _load(public, FMT_PUBLIC)
    sdoc = _load(signature, FMT_SIG)
    suite = frost.get_ciphersuite(pub["ciphersuite"])
    if frost.get_ciphersuite(sdoc["ciphersuite"]) != suite:
        raise InvalidParameter("signature and public key belong to different ciphersuites")
    pkp = frost.PublicKeyPackage.from_bytes(suite, _hex(pub, "public_key_package", public))
    if pkp.verifying_key.to_bytes() != _hex(pub, "verifying_key", public):
        raise InvalidEncoding(f"{public}: verifying_key differs from the public key package")
    key = pkp.verifying_key
    if "path" in sdoc:                            # signed under a BIP-32 child (secp256k1-tr)
        if not isinstance(sdoc["path"], str):
            raise InvalidEncoding(f"{signature}: field 'path' is not a string")
        from ..threshold.frost.taproot import derive_taproot
        key = derive_taproot(None, pkp, sdoc["path"])[1].verifying_key
    frost.verify(suite, key, msg, _hex(sdoc, "signature", signature))
    if as_json:
        emit_json({"ciphersuite": suite.context, "verified": True, "verifying_key": pub["verifying_key"]})
        return
    console.print(f"[green]valid[/] {suite.context} signature under {pub['verifying_key']}")
