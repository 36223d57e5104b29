"""`pqzk pq keygen | sign | verify | encaps | decaps | seal | open | algorithms`: post-quantum keys
and operations on standard files.

\b
Keys (docs/pq_cli.md has the formats, OIDs and the openssl commands):
  private key  PKCS#8, PEM "PRIVATE KEY" (SECRET; mode 0600), or with
               --passphrase-file/--passphrase-env an EncryptedPrivateKeyInfo
               "ENCRYPTED PRIVATE KEY" (PBES2: PBKDF2-SHA256, AES-256-CBC)
  public key   SubjectPublicKeyInfo, PEM "PUBLIC KEY"
  --der        DER instead of PEM (reading takes either)
Algorithms: ML-DSA-44/65/87 (FIPS 204), the composite ML-DSA combinations
(draft-ietf-lamps-pq-composite-sigs-19, e.g. MLDSA65-ECDSA-P256-SHA512),
ML-KEM-512/768/1024 (FIPS 203), X-Wing (draft-connolly-cfrg-xwing-kem);
`pqzk pq algorithms` lists them with their OIDs.

\b
Signatures and ciphertexts are raw bytes (what `openssl pkeyutl` reads and
writes); shared secrets are written to files (mode 0600), never printed.
seal/open encrypt a file to an X-Wing key (X-Wing + AES-256-GCM, the
format of pqzk.pq.sealing); --label binds caller-chosen text to it.

\b
Files are written atomically and never replaced without --force.
--message-file - reads the message from standard input.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import AuthenticationError, InvalidParameter
from ..files import DEFAULT_MAX_BYTES
from .errors import EXIT_FAILED, CommandFailed, PqzkTyper
from .files import check_output, read_input, write_output
from .options import (FORCE, JSON_OPT, MSG_FILE_OPT, MSG_HEX_OPT, MSG_OPT, PASSPHRASE_ENV, PASSPHRASE_FILE,
                      emit, hex_option, read_message, read_passphrase)

app = PqzkTyper(help=__doc__, rich_markup_mode=None, no_args_is_help=True)
MAX_KEY_FILE = 64 * 1024
SEAL_PROTOCOL = "pqzk/pq-seal-file/v1"

KEY_OPT = typer.Option(..., "--key", "-k", help="private key file (PKCS#8, PEM or DER; encrypted ones need the passphrase)")
PUBLIC_OPT = typer.Option(..., "--public", "-p", help="public key file (SubjectPublicKeyInfo, PEM or DER)")
CONTEXT_OPT = typer.Option(None, "--context", help="context string (UTF-8, at most 255 bytes; FIPS 204 ctx)")
CONTEXT_HEX_OPT = typer.Option(None, "--context-hex", help="context string as hex")
PREHASH_OPT = typer.Option(None, "--prehash", help="HashML-DSA with this pre-hash (e.g. SHA2-512; ML-DSA keys only)")
LABEL_OPT = typer.Option("", "--label", help="text bound to the sealed file (open needs the same)")


def _context(context: Optional[str], context_hex: Optional[str]) -> bytes:
    if context is not None and context_hex is not None:
        raise InvalidParameter("give --context or --context-hex, not both")
    if context_hex is not None:
        return hex_option(context_hex, "--context-hex")
    return (context or "").encode()


def _load_private(path: Path, passphrase_file: Optional[Path], passphrase_env: Optional[str]):
    from ..pq import keyfiles
    data = read_input(path, "private key file", max_bytes=MAX_KEY_FILE)
    passphrase = None
    if keyfiles.is_encrypted(data):
        passphrase = read_passphrase(passphrase_file, passphrase_env, "key passphrase")
    elif passphrase_file is not None or passphrase_env is not None:
        raise InvalidParameter(f"{path} is not encrypted: drop --passphrase-file/--passphrase-env")
    try:
        return keyfiles.load_private(data, passphrase)
    except AuthenticationError as exc:    # a wrong passphrase is a failed check, like a wrong PIN
        raise CommandFailed(f"{path}: {exc}", exit_code=EXIT_FAILED, cause=exc) from None


def _load_public(path: Path):
    from ..pq import keyfiles
    return keyfiles.load_public(read_input(path, "public key file", max_bytes=MAX_KEY_FILE))


def _require(key, use: str, family: str | None = None):
    from ..pq import keyfiles
    a = keyfiles.algorithm_of(key)
    if a.use != use or (family is not None and a.family != family):
        want = family or {"signature": "signature", "kem": "KEM"}[use]
        raise InvalidParameter(f"this is an {a.name} key ({a.use}); the command needs a {want} key")
    return a


@app.command()
def algorithms(as_json: bool = JSON_OPT) -> None:
    """The algorithms keygen takes, with their OIDs and the standards they follow."""
    from ..pq import keyfiles
    rows = [{"name": a.name, "oid": a.oid, "family": a.family, "use": a.use, "standard": a.standard}
            for a in keyfiles.ALGORITHMS.values()]
    emit(as_json, {"algorithms": rows},
          "\n".join(f"{r['name']:<40} {r['oid']:<26} {r['use']:<9} {r['standard']}" for r in rows))


@app.command()
def keygen(algorithm: str = typer.Argument(..., help="ML-DSA-65, ML-KEM-768, X-Wing, MLDSA65-Ed25519-SHA512, ..."),
           out: Path = typer.Option(..., "--out", "-o", help="private key file to write (mode 0600)"),
           public_out: Optional[Path] = typer.Option(None, "--public-out", help="public key file to write"),
           der: bool = typer.Option(False, "--der", help="write DER instead of PEM"),
           passphrase_file: Optional[Path] = PASSPHRASE_FILE, passphrase_env: Optional[str] = PASSPHRASE_ENV,
           force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Make a key pair: the private key as PKCS#8 (encrypted with a passphrase if one is given),
    the public key as SubjectPublicKeyInfo."""
    from ..pq import keyfiles
    alg = keyfiles.get_algorithm(algorithm)
    check_output(out, "private key file", force=force)
    if public_out is not None:
        check_output(public_out, "public key file", force=force)
        if Path(public_out).resolve() == Path(out).resolve():
            raise InvalidParameter("--out and --public-out name the same file")
    passphrase = None
    if passphrase_file is not None or passphrase_env is not None:
        passphrase = read_passphrase(passphrase_file, passphrase_env, "key passphrase", confirm=True)
    fmt = "der" if der else "pem"
    key = keyfiles.generate(alg.name)
    write_output(out, keyfiles.dump_private(key, fmt, passphrase=passphrase), "private key file",
                 force=force, secret=True)
    if public_out is not None:
        write_output(public_out, keyfiles.dump_public(key.public_key, fmt), "public key file", force=force)
    doc = {"algorithm": alg.name, "oid": alg.oid, "format": fmt, "encrypted": passphrase is not None,
           "private_key_file": str(out), "public_key_file": str(public_out) if public_out else None,
           "public_key_bytes": len(key.public_key.to_bytes())}
    emit(as_json, doc, f"{alg.name} ({alg.oid}): wrote {out} (secret, mode 0600"
                        f"{', encrypted' if passphrase else ''})" + (f" and {public_out}" if public_out else ""))


@app.command()
def sign(key: Path = KEY_OPT, message: str = MSG_OPT, message_hex: str = MSG_HEX_OPT,
         message_file: Path = MSG_FILE_OPT, context: Optional[str] = CONTEXT_OPT,
         context_hex: Optional[str] = CONTEXT_HEX_OPT, prehash: Optional[str] = PREHASH_OPT,
         deterministic: bool = typer.Option(False, "--deterministic", help="ML-DSA with rnd = 0 (FIPS 204 "
                                            "deterministic variant; the default is hedged)"),
         out: Path = typer.Option(..., "--out", "-o", help="signature file to write (raw bytes)"),
         passphrase_file: Optional[Path] = PASSPHRASE_FILE, passphrase_env: Optional[str] = PASSPHRASE_ENV,
         force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Sign with an ML-DSA key (pure, or HashML-DSA with --prehash) or a composite key."""
    from ..pq import composite, mldsa
    ctx = _context(context, context_hex)
    msg = read_message(message, message_hex, message_file)
    check_output(out, "signature file", force=force)
    sk = _load_private(key, passphrase_file, passphrase_env)
    a = _require(sk, "signature")
    if a.family == "ML-DSA":
        sig = mldsa.sign(a.name, sk, msg, ctx, deterministic=deterministic, prehash=prehash)
    else:
        if prehash is not None or deterministic:
            raise InvalidParameter("--prehash and --deterministic are for ML-DSA keys (a composite "
                                   "signature pre-hashes by its own definition)")
        sig = composite.sign(sk, msg, ctx)
    write_output(out, sig, "signature file", force=force)
    emit(as_json, {"algorithm": a.name, "signature": sig.hex(), "signature_file": str(out), "context": ctx.hex(),
                    "prehash": prehash}, f"{a.name} signature ({len(sig)} bytes): wrote {out}")


@app.command()
def verify(public: Path = PUBLIC_OPT,
           signature: Path = typer.Option(..., "--signature", "-s", help="signature file (raw bytes)"),
           message: str = MSG_OPT, message_hex: str = MSG_HEX_OPT, message_file: Path = MSG_FILE_OPT,
           context: Optional[str] = CONTEXT_OPT, context_hex: Optional[str] = CONTEXT_HEX_OPT,
           prehash: Optional[str] = PREHASH_OPT, as_json: bool = JSON_OPT) -> None:
    """Verify a signature (exit status 1 if it does not verify)."""
    from ..pq import composite, mldsa
    ctx = _context(context, context_hex)
    msg = read_message(message, message_hex, message_file)
    pk = _load_public(public)
    a = _require(pk, "signature")
    sig = read_input(signature, "signature file", max_bytes=MAX_KEY_FILE)
    if a.family == "ML-DSA":
        mldsa.verify(a.name, pk, msg, sig, ctx, prehash=prehash)
    else:
        if prehash is not None:
            raise InvalidParameter("--prehash is for ML-DSA keys")
        composite.verify(pk, msg, sig, ctx)
    emit(as_json, {"algorithm": a.name, "verified": True}, f"valid {a.name} signature")


@app.command()
def encaps(public: Path = PUBLIC_OPT,
           out: Path = typer.Option(..., "--out", "-o", help="ciphertext file to write (raw bytes)"),
           secret_out: Path = typer.Option(..., "--secret-out", help="shared secret file to write (32 bytes, mode 0600)"),
           force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Encapsulate to an ML-KEM or X-Wing public key: a ciphertext and the shared secret."""
    from ..pq import mlkem, xwing
    for p, what in ((out, "ciphertext file"), (secret_out, "shared secret file")):
        check_output(p, what, force=force)
    if Path(out).resolve() == Path(secret_out).resolve():
        raise InvalidParameter("--out and --secret-out name the same file")
    pk = _load_public(public)
    a = _require(pk, "kem")
    ss, ct = mlkem.encaps(a.name, pk) if a.family == "ML-KEM" else xwing.encaps(pk)
    write_output(secret_out, ss, "shared secret file", force=force, secret=True)
    write_output(out, ct, "ciphertext file", force=force)
    emit(as_json, {"algorithm": a.name, "ciphertext": ct.hex(), "ciphertext_file": str(out),
                    "shared_secret_file": str(secret_out)},
          f"{a.name}: wrote ciphertext {out} ({len(ct)} bytes) and shared secret {secret_out} (secret, mode 0600)")


@app.command()
def decaps(key: Path = KEY_OPT,
           ciphertext: Path = typer.Option(..., "--ciphertext", "-c", help="ciphertext file (raw bytes)"),
           secret_out: Path = typer.Option(..., "--secret-out", help="shared secret file to write (mode 0600)"),
           passphrase_file: Optional[Path] = PASSPHRASE_FILE, passphrase_env: Optional[str] = PASSPHRASE_ENV,
           force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Decapsulate with an ML-KEM or X-Wing private key. ML-KEM rejects implicitly: a wrong
    ciphertext of the right length gives an unrelated secret, not an error (FIPS 203)."""
    from ..pq import mlkem, xwing
    check_output(secret_out, "shared secret file", force=force)
    ct = read_input(ciphertext, "ciphertext file", max_bytes=MAX_KEY_FILE)
    sk = _load_private(key, passphrase_file, passphrase_env)
    a = _require(sk, "kem")
    ss = mlkem.decaps(a.name, sk, ct) if a.family == "ML-KEM" else xwing.decaps(sk, ct)
    write_output(secret_out, ss, "shared secret file", force=force, secret=True)
    emit(as_json, {"algorithm": a.name, "shared_secret_file": str(secret_out)},
          f"{a.name}: wrote shared secret {secret_out} (secret, mode 0600)")


def _seal_context(label: str):
    from ..pq.sealing import SealContext
    return SealContext(SEAL_PROTOCOL, b"file", "pqzk pq seal", "X-Wing recipient", label.encode())


@app.command()
def seal(public: Path = PUBLIC_OPT,
         input_file: Path = typer.Option(..., "--in", "-i", help="file to encrypt (- for standard input)"),
         out: Path = typer.Option(..., "--out", "-o", help="sealed file to write"),
         label: str = LABEL_OPT, force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Encrypt a file to an X-Wing public key (X-Wing + AES-256-GCM; at most 16 MiB)."""
    from ..pq import sealing
    check_output(out, "sealed file", force=force)
    pk = _load_public(public)
    _require(pk, "kem", "X-Wing")
    data = read_input(input_file, "file to seal", max_bytes=DEFAULT_MAX_BYTES, allow_stdin=True)
    sealed = sealing.seal(pk, data, _seal_context(label))
    write_output(out, sealed, "sealed file", force=force)
    emit(as_json, {"sealed_file": str(out), "bytes": len(sealed), "label": label},
          f"sealed {len(data)} bytes to {out} ({len(sealed)} bytes)")


@app.command("open")
def open_(key: Path = KEY_OPT,
          input_file: Path = typer.Option(..., "--in", "-i", help="sealed file"),
          out: Path = typer.Option(..., "--out", "-o", help="file to write the plaintext to (mode 0600)"),
          label: str = LABEL_OPT, passphrase_file: Optional[Path] = PASSPHRASE_FILE,
          passphrase_env: Optional[str] = PASSPHRASE_ENV, force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Decrypt a sealed file with the X-Wing private key (exit status 1 if it does not authenticate:
    another key, another label, or an altered file)."""
    from ..pq import sealing
    check_output(out, "plaintext file", force=force)
    sealed = read_input(input_file, "sealed file", max_bytes=DEFAULT_MAX_BYTES + sealing.OVERHEAD)
    sk = _load_private(key, passphrase_file, passphrase_env)
    _require(sk, "kem", "X-Wing")
    try:
        plain = sealing.open(sk, sealed, _seal_context(label))
    except AuthenticationError as exc:
        raise CommandFailed(str(exc), exit_code=EXIT_FAILED, cause=exc) from None
    write_output(out, plain, "plaintext file", force=force, secret=True)
    emit(as_json, {"plaintext_file": str(out), "bytes": len(plain)}, f"opened {input_file}: wrote {out} ({len(plain)} bytes)")
