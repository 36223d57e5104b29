"""Nodes: one process each, holding its share and identity in a store, deciding what it signs.

\b
  init   a new node home: its identity generated into the store; prints the
         public identity (public.json) for the committee file
  show   what a home holds (public facts only)
  run    serve the committee over NATS until SIGTERM or SIGINT
  step   a cold node's offline turn: frames from an inbox bundle in, the
         node's answers to an outbox bundle (files carried by hand)

\b
The passphrase (or PIN) of the node's store comes from --pin-file or
--pin-env, never from the command line. Outputs are never replaced without
--force. See docs/network.md.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from ..errors import InvalidParameter
from .errors import PqzkTyper
from .nodeargs import (COMMITTEE, FORCE, HOME, JSON, NATS, PASSWORD_ENV, PIN_ENV, PIN_FILE, TLS_CA, USER,
                       fingerprint, load_committee, load_home, nats_config, open_node, parse_node_id,
                       robust_store, run_async, secret)

app = PqzkTyper(help=__doc__, rich_markup_mode=None, no_args_is_help=True)


def _event(as_json: bool, data: dict, text: str) -> None:
    """One line now (a long-running command): JSON lines under --json."""
    sys.stdout.write((json.dumps(data, sort_keys=True) if as_json else text) + "\n")
    sys.stdout.flush()


def public_summary(public) -> dict:
    """A node's public identity for display: its id and the fingerprints of its signing and KEM keys."""
    return {"id": public.node_id, "signing_key": fingerprint(public.signing_key.to_bytes()),
            "kem_key": fingerprint(public.kem_key.to_bytes())}


@app.command()
def init(home: Path = typer.Option(..., "--home", help="the new node's home directory (new or empty)"),
         node_id: str = typer.Option(..., "--id", help="the node's id: an integer from 1 for a signer (its FROST "
                                                       "identifier), a name such as 'coordinator' for a coordinator"),
         store: Optional[str] = typer.Option(None, "--store", help="share store URI for its secrets: file:DIR | "
                                             "pkcs11:token=LABEL[?module-path=...] | tpm:DIR (default file:HOME/store)"),
         pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV, as_json: bool = JSON) -> None:
    """Create a node: its identity sealed in a store; prints its public identity.

    The identity: a composite ML-DSA-44 + Ed25519 signing key, an X-Wing key, the keys that seal
    its nonces and sign its audit log. Writes HOME/node.json and HOME/public.json."""
    from ..node.home import NodeHome
    from .main import console, emit_json
    nid = parse_node_id(node_id)
    home = Path(home)
    try:
        existed = home.exists()
        if existed and (not home.is_dir() or any(home.iterdir())):
            raise InvalidParameter(f"--home {home} exists and is not an empty directory; a node home is never "
                                   "replaced")
        if not home.parent.is_dir():
            raise InvalidParameter(f"--home {home}: directory {home.parent} does not exist")
    except OSError as exc:
        raise InvalidParameter(f"--home {home}: {exc.strerror or type(exc).__name__}") from None
    uri = store if store is not None else f"file:{home.resolve() / 'store'}"
    passphrase = secret(pin_file, pin_env, confirm=True)
    try:
        with robust_store(uri):
            public = NodeHome(home).create(nid, uri, passphrase)
            audit_key = NodeHome(home).identity(passphrase).audit_key.public_key().public_bytes_raw().hex()
    except BaseException:
        if not existed and home.is_dir() and not any(home.iterdir()):
            home.rmdir()                       # leave no empty home behind
        raise
    summary = {"home": str(home), "store": uri, "public_file": str(home / "public.json"), **public_summary(public),
               "audit_key": audit_key}
    if as_json:
        emit_json({**summary, "public": public.to_dict()})
        return
    console.print(f"node {nid!r} created in {home} (secrets sealed in {uri})")
    console.print(f"  signing key (ML-DSA-44 + Ed25519) {summary['signing_key']}…, "
                  f"X-Wing key {summary['kem_key']}…")
    console.print(f"  public identity: {home / 'public.json'} — give it to whoever writes the committee file")
    console.print(f"  audit log key: {audit_key} — keep it: pqzk audit verify {home / 'audit.db'} "
                  f"--public-key {audit_key}", markup=False)


@app.command()
def show(home: Path = HOME, as_json: bool = JSON) -> None:
    """What a node home holds, public facts only (no passphrase needed).

    Id, store, key fingerprints, the committee version it accepted, the key it holds, its audit log."""
    from ..node.committee import VersionPin
    from ..policy.audit import records
    from .main import console, emit_json
    h = load_home(home)
    cfg, public = h.config(), h.public()
    pinned = VersionPin(h.path / "committee.pin").accepted()
    pkp_path = h.path / "public_key_package"
    group_key = None
    if pkp_path.is_file():
        from ..files import read_bytes
        data = read_bytes(pkp_path, "public key package")
        group_key = {"file": str(pkp_path), "sha256": fingerprint(data)}
    audit = h.path / "audit.db"
    count = None
    if audit.is_file():
        try:
            count = sum(1 for _ in records(audit))
        except Exception:        # noqa: BLE001 - a damaged log: `pqzk audit verify` says what is wrong
            count = "unreadable"
    info = {"home": str(h.path), "store": cfg["store"], **public_summary(public),
            "committee": None if pinned is None else {"name": pinned[0], "version": pinned[1]},
            "public_key_package": group_key, "audit_log": None if count is None else
            {"file": str(audit), "records": count}}
    if as_json:
        emit_json(info)
        return
    console.print(f"node {public.node_id!r} at {h.path}; store {cfg['store']}")
    console.print(f"  signing key {info['signing_key']}…, X-Wing key {info['kem_key']}…")
    console.print("  committee: " + ("none accepted yet" if pinned is None else f"{pinned[0]} version {pinned[1]}"))
    console.print("  key: " + ("none yet" if group_key is None else f"public key package {group_key['sha256']}…"))
    if count is not None:
        console.print(f"  audit log {audit}: {count} records (pqzk audit verify checks it)")


@app.command()
def run(home: Path = HOME, committee: Path = COMMITTEE, nats: Optional[list[str]] = NATS,
        user: Optional[str] = USER, password_env: Optional[str] = PASSWORD_ENV, tls_ca: Optional[Path] = TLS_CA,
        pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV, as_json: bool = JSON) -> None:
    """Serve the committee over NATS until SIGTERM or SIGINT.

    The node joins the ceremonies a coordinator of the committee invites it to and answers
    policy-governed signing requests after checking each against the policy itself. Prints one
    line when ready and one when stopped (JSON lines with --json)."""
    config = nats_config(nats, user, password_env, tls_ca)
    h = load_home(home)
    c = load_committee(committee)
    with open_node(h, pin_file, pin_env, c) as node:
        service = run_async(_serve(node, config, as_json))
    _event(as_json, {"event": "stopped", "node": node.identity.node_id, "sessions": len(service.finished)},
           f"node {node.identity.node_id!r} stopped after {len(service.finished)} ceremonies")


async def _serve(node, config, as_json: bool):
    import asyncio
    import signal

    from ..node.run import run_node
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    c = node.committee
    holds = node.key()[0] is not None

    def ready(_driver) -> None:
        _event(as_json, {"event": "ready", "node": node.identity.node_id, "committee": c.name,
                         "version": c.version, "holds_share": holds},
               f"node {node.identity.node_id!r} serving committee {c.name} (version {c.version}) on "
               f"{', '.join(config.servers)}; {'holds a share' if holds else 'no key yet'}")
    return await run_node(node, config, stop=stop, ready=ready)


@app.command()
def step(home: Path = HOME, committee: Path = COMMITTEE,
         inbox: Path = typer.Option(..., "--inbox", help="frame bundle carried to this node"),
         outbox: Path = typer.Option(..., "--outbox", help="frame bundle to write: this node's answers"),
         timeout: bool = typer.Option(False, "--timeout", help="nothing more is coming: run the node's timeout "
                                                               "step after the inbox (waiting sessions give up)"),
         force: bool = FORCE, pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
         as_json: bool = JSON) -> None:
    """A cold node's offline turn: read the frames addressed to it, decide, write its answers.

    The same node, checks and nonce persistence as `pqzk node run`; no network. Frames for other
    nodes, or that do not verify, are skipped."""
    from ..runtime.transports.files import MAX_BUNDLE, decode_bundle, encode_bundle
    from .files import check_output, read_input, write_output
    from .main import console, emit_json
    check_output(outbox, "outbox bundle", force=force)
    frames = decode_bundle(read_input(inbox, "inbox bundle", max_bytes=MAX_BUNDLE))
    h = load_home(home)
    c = load_committee(committee)
    from ..node.run import step as node_step
    with open_node(h, pin_file, pin_env, c) as node:
        out, refused = node_step(node, frames, timeout=timeout)
        me = node.identity.node_id
    write_output(outbox, encode_bundle(out), "outbox bundle", force=force)
    result = {"node": me, "frames_in": len(frames), "frames_out": len(out), "outbox": str(outbox),
              "refused": [{"kind": str(m.kind), "from": m.sender, "session": m.session.hex(),
                           "error": type(e).__name__, "detail": str(e)[:300]} for m, e in refused]}
    if as_json:
        emit_json(result)
        return
    console.print(f"node {me!r}: {len(frames)} frames in, {len(out)} out → {outbox}")
    for r in result["refused"]:
        console.print(f"  refused {r['kind']} from {r['from']}: {r['error']}: {r['detail']}", markup=False)
