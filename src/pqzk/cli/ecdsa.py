"""`pqzk ecdsa keygen | sign | verify | address`: threshold ECDSA (DKLs23) on JSON files.

\b
Files (JSON; all binary fields are lowercase hex):
  public.json      format pqzk-ecdsa-public/1: curve, min_signers,
                   max_signers, public_key, chain_code, xpub
                   (secp256k1), public_key_package
  share-<id>.json  format pqzk-ecdsa-share/1: curve, identifier,
                   public_key, key_share (SECRET; mode 0600: the Shamir
                   share, chain code and pairwise OT seeds)
  signature.json   format pqzk-ecdsa-signature/1: curve, public_key
                   (the signing key: the child key for --path), path,
                   signers, hash, digest, signature (r || s, low s),
                   recovery_id, der

\b
keygen runs the DKG, the chain code and the pairwise OT setup, and sign
runs the three DKLs23 rounds, all parties in this process over the
runtime simulator (tests and demonstrations; deployments keep each share
on its own machine, see pqzk.runtime). --path m/44/60/0/0/5 signs under a
BIP-32 child key (non-hardened steps only: hardened derivation needs the
parent secret key, which no party holds). --hash: sha256 (default),
keccak256 (Ethereum) or none (the message is a 32-byte digest).

\b
Files are written atomically and never replaced without --force.
--message-file - reads the message from standard input.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import typer

from ..errors import InvalidEncoding, InvalidParameter
from ..policy.documents import hex_field
from ..threshold.bip32 import parse_path as ecdsa_parse_path
from .errors import PqzkTyper
from .options import (FORCE, JSON_OPT, MSG_FILE_OPT, MSG_HEX_OPT, MSG_OPT, PUBLIC_OPT, SIGNATURE_OPT, emit, json_bytes,
                      key_file_names, read_message, write_key_files)
from .files import check_output, check_output_dir, read_document, write_output

app = PqzkTyper(help=__doc__, rich_markup_mode=None, no_args_is_help=True)
MAX_SIGNERS = 32
FMT_PUBLIC, FMT_SHARE, FMT_SIG = "pqzk-ecdsa-public/1", "pqzk-ecdsa-share/1", "pqzk-ecdsa-signature/1"
HASHES = ("sha256", "keccak256", "none")


def _load(path: Path, fmt: str) -> dict:
    doc = read_document(path, f"{fmt} file")
    if doc.get("format") != fmt:
        raise InvalidEncoding(f"{path}: expected a {fmt!r} document")
    if doc.get("curve") not in ("secp256k1", "p256"):
        raise InvalidEncoding(f"{path}: field 'curve' missing or not secp256k1/p256")
    return doc


def _digest(msg: bytes, hash_name: str) -> bytes:
    if hash_name == "sha256":
        return hashlib.sha256(msg).digest()
    if hash_name == "keccak256":
        from ..threshold.ecdsa.addresses import keccak256
        return keccak256(msg)
    if hash_name == "none":
        if len(msg) != 32:
            raise InvalidParameter("--hash none takes a 32-byte digest as the message")
        return msg
    raise InvalidParameter(f"--hash is one of {', '.join(HASHES)}")


def _public_doc(pub) -> dict:
    doc = {"format": FMT_PUBLIC, "curve": pub.curve, "min_signers": pub.threshold,
           "max_signers": len(pub.public.verifying_shares), "public_key": pub.key.to_bytes().hex(),
           "chain_code": pub.chain_code.hex(), "public_key_package": pub.public.to_bytes().hex()}
    if pub.curve == "secp256k1":
        doc["xpub"] = pub.extended().xpub()
    return doc


def _load_public(path: Path):
    from ..threshold.ecdsa import EcdsaPublicKey, suite_for
    from ..threshold.frost.types import PublicKeyPackage
    doc = _load(path, FMT_PUBLIC)
    pkp = PublicKeyPackage.from_bytes(suite_for(doc["curve"]), hex_field(doc, "public_key_package", str(path)))
    chain = hex_field(doc, "chain_code", str(path))
    if len(chain) != 32:
        raise InvalidEncoding(f"{path}: chain_code must be 32 bytes")
    if pkp.verifying_key.to_bytes() != hex_field(doc, "public_key", str(path)):
        raise InvalidEncoding(f"{path}: public_key differs from the public key package")
    return EcdsaPublicKey(doc["curve"], pkp, chain)


PATH_OPT = typer.Option(None, "--path", help="BIP-32 path of the child key, e.g. m/44/60/0/0/5 (no hardened steps)")
HASH_OPT = typer.Option("sha256", "--hash", help="message digest: sha256, keccak256 or none (message is the digest)")


@app.command()
def keygen(curve: str = typer.Option("secp256k1", "--curve", help="secp256k1 or p256"),
           min_signers: int = typer.Option(2, "--min-signers", "-t", min=2, max=MAX_SIGNERS, help="threshold t"),
           max_signers: int = typer.Option(3, "--max-signers", "-n", min=2, max=MAX_SIGNERS,
                                           help="number of shares n"),
           out_dir: Path = typer.Option(Path("."), "--out-dir", "-o", help="where to write the files"),
           force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Distributed key generation with pairwise OT setup: writes public.json and one share-<id>.json
    per holder (refused if any of them exists, unless --force)."""
    from ..runtime import ecdsa_shares, run_ecdsa_keygen
    from ..threshold.ecdsa.signature import curve_group
    curve_group(curve)
    if not min_signers <= max_signers:
        raise InvalidParameter(f"need min-signers <= max-signers, got {min_signers} of {max_signers}")
    check_output_dir(out_dir, key_file_names(max_signers), "output directory", force=force)
    ids = list(range(1, max_signers + 1))
    parties, _ = run_ecdsa_keygen(curve, ids, min_signers)
    shares = ecdsa_shares(parties, ids)
    pub = shares[1].public_key
    public = _public_doc(pub)
    files = write_key_files(out_dir, public, {
        i: {"format": FMT_SHARE, "curve": curve, "identifier": i,
            "public_key": public["public_key"], "key_share": sh.to_bytes().hex()}
        for i, sh in shares.items()}, force=force)
    emit(as_json, {**public, "share_files": files},
         f"ECDSA {curve}: {min_signers}-of-{max_signers}; public key {public['public_key']}\n"
         + (f"xpub {public['xpub']}\n" if "xpub" in public else "")
         + f"wrote {out_dir / 'public.json'} and {len(files)} share files (secret, mode 0600)")


@app.command()
def sign(share: list[Path] = typer.Option(None, "--share", help="a share-<id>.json file; repeat for each signer"),
         message: str = MSG_OPT, message_hex: str = MSG_HEX_OPT, message_file: Path = MSG_FILE_OPT,
         hash_name: str = HASH_OPT, path: str = PATH_OPT,
         out: Path = typer.Option(Path("signature.json"), "--out", "-o", help="signature file to write"),
         force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Sign with at least min_signers shares (the three DKLs23 rounds, in this process)."""
    from ..runtime import ecdsa_signing_outcome, run_ecdsa_signing
    from ..threshold.ecdsa import EcdsaKeyShare
    if not share:
        raise InvalidParameter("give the signers' share files with --share")
    digest = _digest(read_message(message, message_hex, message_file), hash_name)
    check_output(out, "signature file", force=force)
    shares = {}
    for p in share:
        doc = _load(p, FMT_SHARE)
        sh = EcdsaKeyShare.from_bytes(hex_field(doc, "key_share", str(p)))
        if sh.identifier in shares:
            raise InvalidParameter(f"{p}: share {sh.identifier} given twice")
        shares[sh.identifier] = sh
    first = next(iter(shares.values()))
    if any(s.public_key != first.public_key for s in shares.values()):
        raise InvalidParameter("the shares belong to different keys")
    if path is not None:
        ecdsa_parse_path(path)                    # "" and hardened steps are refused here
    child, _ = first.public_key.derive(path if path is not None else "m")
    signers = sorted(shares)
    parties, _ = run_ecdsa_signing(shares, signers, digest, path=path if path is not None else ())
    sig = ecdsa_signing_outcome(parties, signers)
    doc = {"format": FMT_SIG, "curve": first.curve, "public_key": child.to_bytes().hex(), "path": path if path is not None else "m",
           "signers": signers, "hash": hash_name, "digest": digest.hex(), "signature": sig.to_bytes().hex(),
           "recovery_id": sig.recovery_id, "der": sig.to_der().hex()}
    write_output(out, json_bytes(doc), "signature file", force=force)
    emit(as_json, doc, f"signed by {signers}: {doc['signature']} (recovery id {sig.recovery_id})\nwrote {out}")


@app.command()   # deliberate look-alike of frost.py's verify (duplicates): typer options stay explicit
def verify(public: Path = PUBLIC_OPT,
           signature: Path = SIGNATURE_OPT,
           message: str = MSG_OPT, message_hex: str = MSG_HEX_OPT, message_file: Path = MSG_FILE_OPT,
           as_json: bool = JSON_OPT) -> None:
    """Verify a signature under the key in public.json, derived along the signature's path (exit
    status 1 if it does not verify)."""
    from ..threshold import ecdsa
    from .main import console, emit_json
    pub = _load_public(public)
    sdoc = _load(signature, FMT_SIG)
    if sdoc["curve"] != pub.curve:
        raise InvalidParameter("signature and public key are on different curves")
    hash_name = sdoc.get("hash")
    if hash_name not in HASHES or not isinstance(sdoc.get("path"), str):
        raise InvalidEncoding(f"{signature}: field 'hash' or 'path' missing or invalid")
    digest = _digest(read_message(message, message_hex, message_file), hash_name)
    rid = sdoc.get("recovery_id")
    if not isinstance(rid, int) or isinstance(rid, bool) or not 0 <= rid <= 3:
        raise InvalidEncoding(f"{signature}: field 'recovery_id' missing or invalid")
    sig = ecdsa.EcdsaSignature.from_bytes(pub.curve, hex_field(sdoc, "signature", str(signature)) + bytes([rid]))
    key, _ = pub.derive(sdoc["path"])
    ecdsa.verify(pub.curve, key, digest, sig)
    if as_json:
        emit_json({"curve": pub.curve, "verified": True, "public_key": key.to_bytes().hex(), "path": sdoc["path"]})
        return
    console.print(f"[green]valid[/] ECDSA {pub.curve} signature under {key.to_bytes().hex()} ({sdoc['path']})")


@app.command()
def address(public: Path = PUBLIC_OPT,
            path: str = PATH_OPT, as_json: bool = JSON_OPT) -> None:
    """Ethereum (EIP-55) and Bitcoin (P2WPKH, and P2TR of the key as a BIP-86 internal key)
    addresses of the key or of its child at --path (secp256k1 keys only)."""
    from ..threshold.ecdsa import addresses
    from .main import console, emit_json
    pub = _load_public(public)
    if pub.curve != "secp256k1":
        raise InvalidParameter("addresses are for secp256k1 keys")
    if path is not None:
        ecdsa_parse_path(path)
    path = path if path is not None else "m"
    key, _ = pub.derive(path)
    out = {"path": path, "public_key": key.to_bytes().hex(), "ethereum": addresses.ethereum(key),
           "p2wpkh": addresses.p2wpkh(key), "p2tr": addresses.p2tr(key)}
    if as_json:
        emit_json(out)
        return
    for k in ("public_key", "ethereum", "p2wpkh", "p2tr"):
        console.print(f"{k:>10}: {out[k]}")
