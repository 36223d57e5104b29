"""`pqzk bls keygen | partial-sign | combine | verify | aggregate`: threshold BLS on JSON files.

\b
Files (JSON; binary fields are lowercase hex):
  public.json     pqzk-bls-public/1: ciphersuite, threshold, parties,
                  public_key (the group key), proof_of_possession,
                  commitment (Feldman), verification_keys {id: key}
  share-<id>.json pqzk-bls-share/1: ciphersuite, identifier, public_key,
                  verification_key, share (SECRET; mode 0600)
  partial.json    pqzk-bls-partial/1: ciphersuite, identifier, public_key,
                  partial_signature (`pqzk token bls-sign --json` output is
                  read as well)
  signature.json  pqzk-bls-signature/1: ciphersuite, public_key,
                  proof_of_possession, message_sha256, signature
  aggregate.json  pqzk-bls-aggregate/1: ciphersuite, signers [{public_key,
                  proof_of_possession, message_sha256}], signature

\b
keygen deals the key in this process (trusted dealer: Feldman VSS; the
dealer also proves possession of the group key). combine checks the
partials against the signers' verification keys and names the bad ones
(exit 1). aggregate adds signatures of one message by several keys, each
with its proof of possession checked; verify takes a signature or an
aggregate (FastAggregateVerify). Ciphersuite: BLS_SIG_BLS12381G2_XMD:
SHA-256_SSWU_RO_POP_ (Ethereum's) unless --ciphersuite says otherwise.

\b
Files are written atomically and never replaced without --force.
--message-file - reads the message from standard input.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

import typer

from ..errors import InvalidEncoding, InvalidParameter
from ..policy.documents import hex_field
from .errors import PqzkTyper
from .files import check_output, check_output_dir, read_document, write_output
from .options import (FORCE, JSON_OPT, MSG_FILE_OPT, MSG_HEX_OPT, MSG_OPT, PUBLIC_OPT, emit, json_bytes,
                      key_file_names, read_message, write_key_files)

app = PqzkTyper(help=__doc__, rich_markup_mode=None, no_args_is_help=True)
MAX_PARTIES = 64
FMT_PUBLIC, FMT_SHARE = "pqzk-bls-public/1", "pqzk-bls-share/1"
FMT_PARTIAL, FMT_SIG, FMT_AGG = "pqzk-bls-partial/1", "pqzk-bls-signature/1", "pqzk-bls-aggregate/1"


def _suite(name: object, where: str):
    from ..threshold import bls
    if not isinstance(name, str):
        raise InvalidEncoding(f"{where}: field 'ciphersuite' missing or not a string")
    return bls.get_ciphersuite(name)


def _load(path: Path, fmt: str) -> dict:
    doc = read_document(path, f"{fmt} file")
    if doc.get("format") != fmt:
        raise InvalidEncoding(f"{path}: expected a {fmt!r} document")
    return doc


def _int_field(doc: dict, name: str, where: str, lo: int = 1, hi: int = MAX_PARTIES) -> int:
    v = doc.get(name)
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise InvalidEncoding(f"{where}: field {name!r} missing or not an integer in [{lo}, {hi}]")
    return v


def _load_public(path: Path):
    """The ThresholdKey of public.json, every derived field checked against the commitment."""
    from ..sharing.vss import FeldmanCommitment
    from ..threshold import bls
    doc = _load(path, FMT_PUBLIC)
    where = str(path)
    suite = _suite(doc.get("ciphersuite"), where)
    parties = _int_field(doc, "parties", where)
    commitment = FeldmanCommitment.from_bytes(suite.K, hex_field(doc, "commitment", where))
    key = bls.threshold_key_from_commitment(commitment, range(1, parties + 1), suite)
    if _int_field(doc, "threshold", where) != key.threshold:
        raise InvalidEncoding(f"{where}: threshold differs from the commitment's")
    if hex_field(doc, "public_key", where) != key.group_public_key:
        raise InvalidEncoding(f"{where}: public_key differs from the commitment's")
    vks = doc.get("verification_keys")
    if not isinstance(vks, dict) or sorted(vks) != sorted(str(i) for i in key.identifiers):
        raise InvalidEncoding(f"{where}: verification_keys must map each identifier 1..{parties} to a key")
    for i in key.identifiers:
        if hex_field(vks, str(i), f"{where} verification_keys") != key.verification_key(i):
            raise InvalidEncoding(f"{where}: verification key {i} differs from the commitment's")
    pop = hex_field(doc, "proof_of_possession", where)
    bls.pop_verify(key.group_public_key, pop, suite)
    return key, pop


def _public_doc(key, pop: bytes) -> dict:
    return {"format": FMT_PUBLIC, "ciphersuite": key.suite.name, "threshold": key.threshold,
            "parties": len(key.identifiers), "public_key": key.group_public_key.hex(),
            "proof_of_possession": pop.hex(), "commitment": key.commitment.to_bytes().hex(),
            "verification_keys": {str(i): key.verification_key(i).hex() for i in key.identifiers}}


@app.command()
def keygen(threshold: int = typer.Option(2, "--threshold", "-t", min=1, max=MAX_PARTIES, help="signatures needed, T"),
           parties: int = typer.Option(3, "--parties", "-n", min=1, max=MAX_PARTIES, help="shares dealt, N"),
           ciphersuite: Optional[str] = typer.Option(None, "--ciphersuite", help="BLS ciphersuite name"),
           out_dir: Path = typer.Option(Path("."), "--out-dir", "-o", help="where to write the files"),
           force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Deal a T-of-N threshold BLS key: public.json and one share-<id>.json per signer (refused
    if any of them exists, unless --force)."""
    from ..threshold import bls
    suite = bls.get_ciphersuite(ciphersuite) if ciphersuite is not None else bls.DEFAULT
    if threshold > parties:
        raise InvalidParameter(f"need threshold <= parties, got {threshold} of {parties}")
    check_output_dir(out_dir, key_file_names(parties), "output directory", force=force)
    secret = bls.keygen()
    shares, key = bls.threshold_keygen(threshold, parties, secret=secret, suite=suite)
    public = _public_doc(key, bls.pop_prove(secret, suite))
    del secret
    files = write_key_files(out_dir, public, {
        i: {"format": FMT_SHARE, "ciphersuite": suite.name, "identifier": i, "public_key": public["public_key"],
            "verification_key": key.verification_key(i).hex(), "share": share.to_bytes(suite.K).hex()}
        for i, share in shares.items()}, force=force)
    emit(as_json, {**public, "share_files": files},
         f"threshold BLS {threshold}-of-{parties} ({suite.name}); group key {public['public_key']}\n"
         f"wrote {out_dir / 'public.json'} and {len(files)} share files (secret, mode 0600)")


def _load_share(path: Path):
    from ..sharing.shamir import Share
    doc = _load(path, FMT_SHARE)
    where = str(path)
    suite = _suite(doc.get("ciphersuite"), where)
    share = Share.from_bytes(suite.K, hex_field(doc, "share", where))
    if share.identifier != _int_field(doc, "identifier", where, 1, suite.K.order - 1):
        raise InvalidEncoding(f"{where}: identifier differs from the share's")
    if suite.K.base_mult(share.value).to_bytes() != hex_field(doc, "verification_key", where):
        raise InvalidEncoding(f"{where}: the share does not match its verification key")
    return suite, share, hex_field(doc, "public_key", where)


@app.command("partial-sign")
def partial_sign(share: Path = typer.Option(..., "--share", help="a share-<id>.json file"),
                 message: str = MSG_OPT, message_hex: str = MSG_HEX_OPT, message_file: Path = MSG_FILE_OPT,
                 out: Path = typer.Option(..., "--out", "-o", help="partial signature file to write"),
                 force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """The partial signature σ_i = sk_i·H(m) of one signer."""
    from ..threshold import bls
    msg = read_message(message, message_hex, message_file)
    check_output(out, "partial signature file", force=force)
    suite, sh, gpk = _load_share(share)
    partial = bls.partial_sign(sh, msg, suite)
    doc = {"format": FMT_PARTIAL, "ciphersuite": suite.name, "identifier": partial.identifier,
           "public_key": gpk.hex(), "partial_signature": partial.signature.hex()}
    write_output(out, json_bytes(doc), "partial signature file", force=force)
    emit(as_json, doc, f"partial signature of signer {partial.identifier}: wrote {out}")


def _load_partial(path: Path, key):
    from ..threshold import bls
    doc = read_document(path, "partial signature file")
    where = str(path)
    if doc.get("format") not in (FMT_PARTIAL, None):
        raise InvalidEncoding(f"{where}: expected a {FMT_PARTIAL!r} document")
    if doc.get("format") == FMT_PARTIAL:      # `pqzk token bls-sign --json` writes no format/ciphersuite
        if _suite(doc.get("ciphersuite"), where) != key.suite:
            raise InvalidParameter(f"{where}: another ciphersuite than the public key's")
        if hex_field(doc, "public_key", where) != key.group_public_key:
            raise InvalidParameter(f"{where}: a partial signature for another key")
    ident = _int_field(doc, "identifier", where, 1, MAX_PARTIES)
    return bls.PartialSignature(ident, hex_field(doc, "partial_signature", where))


@app.command()
def combine(public: Path = PUBLIC_OPT,
            partial: list[Path] = typer.Option(None, "--partial", help="a partial signature file; repeat for each signer"),
            message: str = MSG_OPT, message_hex: str = MSG_HEX_OPT, message_file: Path = MSG_FILE_OPT,
            out: Path = typer.Option(Path("signature.json"), "--out", "-o", help="signature file to write"),
            force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Combine at least T partial signatures into the group signature (checked against the group
    key; bad partials are named, exit 1 when fewer than T good ones remain)."""
    from ..threshold import bls
    if not partial:
        raise InvalidParameter("give the partial signature files with --partial")
    msg = read_message(message, message_hex, message_file)
    check_output(out, "signature file", force=force)
    key, pop = _load_public(public)
    partials = [_load_partial(p, key) for p in partial]
    sig = bls.combine(key, msg, partials)
    doc = {"format": FMT_SIG, "ciphersuite": key.suite.name, "public_key": key.group_public_key.hex(),
           "proof_of_possession": pop.hex(), "message_sha256": hashlib.sha256(msg).hexdigest(),
           "signature": sig.hex()}
    write_output(out, json_bytes(doc), "signature file", force=force)
    emit(as_json, {**doc, "signers": sorted(p.identifier for p in partials)},
         f"combined {len(partials)} partial signatures: {sig.hex()}\nwrote {out}")


def _signer(doc: dict, where: str, suite) -> tuple[bytes, bytes, bytes]:
    from ..threshold import bls
    pk, pop = hex_field(doc, "public_key", where), hex_field(doc, "proof_of_possession", where)
    digest = hex_field(doc, "message_sha256", where)
    if len(digest) != 32:
        raise InvalidEncoding(f"{where}: message_sha256 must be 32 bytes")
    bls.pop_verify(pk, pop, suite)
    return pk, pop, digest


@app.command()
def aggregate(signature: list[Path] = typer.Option(None, "--signature", "-s", help="a signature.json; repeat for each"),
              out: Path = typer.Option(Path("aggregate.json"), "--out", "-o", help="aggregate signature file to write"),
              force: bool = FORCE, as_json: bool = JSON_OPT) -> None:
    """Aggregate the signatures of one message by several BLS keys into one signature (each key's
    proof of possession is checked: without it an aggregate over one message is forgeable)."""
    from ..threshold import bls
    if not signature or len(signature) < 2:
        raise InvalidParameter("give at least two signature files with --signature")
    check_output(out, "aggregate signature file", force=force)
    signers, sigs, suite = [], [], None
    for path in signature:
        doc = _load(path, FMT_SIG)
        s = _suite(doc.get("ciphersuite"), str(path))
        if suite is not None and s != suite:
            raise InvalidParameter(f"{path}: another ciphersuite than {signature[0]}")
        suite = s
        pk, pop, digest = _signer(doc, str(path), suite)
        if signers and digest.hex() != signers[0]["message_sha256"]:
            raise InvalidParameter(f"{path}: signs another message than {signature[0]} (aggregates here are of one message)")
        if any(x["public_key"] == pk.hex() for x in signers):
            raise InvalidParameter(f"{path}: the same key twice")
        signers.append({"public_key": pk.hex(), "proof_of_possession": pop.hex(), "message_sha256": digest.hex()})
        sigs.append(hex_field(doc, "signature", str(path)))
    agg = bls.aggregate(sigs, suite)
    doc = {"format": FMT_AGG, "ciphersuite": suite.name, "signers": signers, "signature": agg.hex()}
    write_output(out, json_bytes(doc), "aggregate signature file", force=force)
    emit(as_json, doc, f"aggregated {len(sigs)} signatures: {agg.hex()}\nwrote {out}")


@app.command()
def verify(signature: Path = typer.Option(Path("signature.json"), "--signature", "-s",
                                          help="signature.json (combine) or aggregate.json (aggregate)"),
           public: Optional[Path] = typer.Option(None, "--public", "-p",
                                                 help="public.json: require the signature to be by this key"),
           message: str = MSG_OPT, message_hex: str = MSG_HEX_OPT, message_file: Path = MSG_FILE_OPT,
           as_json: bool = JSON_OPT) -> None:
    """Verify a signature or an aggregate on the message (exit status 1 if it does not verify)."""
    from ..threshold import bls
    msg = read_message(message, message_hex, message_file)
    doc = read_document(signature, "signature file")
    where = str(signature)
    if doc.get("format") not in (FMT_SIG, FMT_AGG):
        raise InvalidEncoding(f"{where}: expected a {FMT_SIG!r} or {FMT_AGG!r} document")
    suite = _suite(doc.get("ciphersuite"), where)
    sig = hex_field(doc, "signature", where)
    if doc["format"] == FMT_SIG:
        signers = [doc]
    else:
        signers = doc.get("signers")
        if not isinstance(signers, list) or not signers or not all(isinstance(x, dict) for x in signers):
            raise InvalidEncoding(f"{where}: field 'signers' missing or not a list of objects")
    keys = [_signer(x, f"{where} signer {i + 1}", suite)[0] for i, x in enumerate(signers)]
    if public is not None:
        key, _ = _load_public(public)
        if key.suite != suite or key.group_public_key not in keys:
            raise InvalidParameter(f"{signature} is not a signature by the key of {public}")
    if len(keys) == 1:
        bls.verify(keys[0], msg, sig, suite)
    else:
        bls.fast_aggregate_verify(keys, msg, sig, suite)
    emit(as_json, {"verified": True, "ciphersuite": suite.name, "public_keys": [k.hex() for k in keys]},
         f"valid BLS {'aggregate ' if len(keys) > 1 else ''}signature by {len(keys)} key{'s' if len(keys) > 1 else ''}")
