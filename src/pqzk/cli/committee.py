"""The committee file: the nodes, their keys, the key and the policy, signed by every node.

\b
  create   an unsigned committee file from the nodes' public.json files
  sign     a node adds its signature (to -o FILE, or in place with --force)
  endorse  a node of the version a node accepted approves a new version
  verify   every node signed this very content (exit 1 if not); with
           --previous, that it may follow that version

\b
A node accepts a committee file only when every node signed it, and never
one older than the version it accepted last (a stale file). To change the
committee — a member, a key, the policy — write a new file with a higher
--version and have every node sign it. A version that changes the nodes,
the threshold or the key must also be approved by the previous version's
threshold of its nodes: those that stay with the same keys approve it by
signing; the others (or when too few stay) with pqzk committee endorse.
Format: docs/network.md.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from .errors import CommandFailed, PqzkTyper
from .nodeargs import FORCE, JSON, PIN_ENV, PIN_FILE, fingerprint, load_committee, load_home, robust_store, secret

app = PqzkTyper(help=__doc__, rich_markup_mode=None, no_args_is_help=True)
FILE = typer.Argument(..., help="the committee file (JSON)")


def summary(c) -> dict:
    """The public facts of a committee file, and which signatures it carries."""
    from ..policy.model import Policy
    policy = None
    if c.policy is not None:
        p = Policy.from_dict(c.policy)
        policy = {"name": p.name, "version": p.version, "digest": p.digest().hex()}
    pkp = c.pkp()
    return {"committee": c.name, "version": c.version, "suite": c.suite, "threshold": c.threshold,
            "nodes": [{"id": n.node_id, "signing_key": fingerprint(n.signing_key.to_bytes())} for n in c.nodes],
            "coordinators": [{"id": n.node_id, "signing_key": fingerprint(n.signing_key.to_bytes())}
                             for n in c.coordinators],
            "group_key": None if pkp is None else pkp.verifying_key.to_bytes().hex(),
            "policy": policy, "digest": c.digest().hex(),
            "signed_by": [n.node_id for n in c.nodes if str(n.node_id) in c.signatures],
            "unsigned_by": [n.node_id for n in c.nodes if str(n.node_id) not in c.signatures],
            "endorsements": sorted(c.endorsements)}


def succession(c, previous) -> dict:
    """How `c` follows `previous`: what it changes, which of previous's nodes approved it, how
    many are needed."""
    changed = c.changes_from(previous)
    return {"previous_version": previous.version, "changes": changed,
            "approved_by": c.endorsers(previous), "approvals_needed": previous.threshold if changed else 0}


def _print(info: dict) -> None:
    from .main import console
    console.print(f"committee {info['committee']} version {info['version']}: {info['suite']}, "
                  f"{info['threshold']}-of-{len(info['nodes'])}", markup=False)
    console.print("  nodes: " + ", ".join(f"{n['id']} ({n['signing_key']}…)" for n in info["nodes"]), markup=False)
    console.print("  coordinators: " + (", ".join(str(n["id"]) for n in info["coordinators"]) or "none"),
                  markup=False)
    p = info["policy"]
    console.print("  policy: " + ("none (its nodes sign nothing)" if p is None else
                                  f"{p['name']} version {p['version']}, digest {p['digest'][:16]}…"), markup=False)
    if info["group_key"]:
        console.print(f"  group key: {info['group_key']}", markup=False)


def _publics(paths: list[Path], what: str) -> list:
    from ..node.identity import NodePublic
    from .files import read_document
    out = []
    for p in paths or []:
        out.append(NodePublic.from_dict(read_document(p, f"{what} public identity"), f"{what} public identity {p}"))
    return out


def _copy_target(file: Path, out: Optional[Path], force: bool, past: str, verb: str) -> Path:
    """Where the signed (or endorsed) copy of a committee file goes: `-o FILE`, or the file itself
    with --force (checked before anything is signed, so that a refusal costs no PIN)."""
    from .files import check_output
    target = Path(out) if out is not None else Path(file)
    if out is None and not force:
        raise InvalidParameter(f"give -o FILE for the {past} copy, or --force to {verb} {file} in place")
    check_output(target, "committee file", force=force)
    return target


@app.command()
def create(name: str = typer.Option(..., "--name", help="the committee's name: 1 to 63 of [a-z0-9-]"),
           threshold: int = typer.Option(..., "--threshold", "-t", min=2, max=2**32 - 1,
                                         help="how many nodes sign (the FROST threshold, at least 2)"),
           suite: str = typer.Option("FROST-ED25519-SHA512-v1", "--suite", "-s",
                                     help="FROST ciphersuite context string or alias (ed25519, ristretto255, "
                                          "ed448, p256, secp256k1, secp256k1-tr)"),
           node: list[Path] = typer.Option(None, "--node", help="a signer's public.json (pqzk node init); repeat "
                                                                "for every node"),
           coordinator: list[Path] = typer.Option(None, "--coordinator", help="a coordinator's public.json; "
                                                                              "repeat for more than one"),
           policy: Optional[Path] = typer.Option(None, "--policy", help="the custody policy (TOML or JSON) the "
                                                                        "nodes enforce; without one they sign nothing"),
           version: int = typer.Option(1, "--version", min=1, max=2**32 - 1,
                                       help="the file's version: a node refuses one older than it accepted"),
           public_key_package: Optional[Path] = typer.Option(
               None, "--public-key-package", help="the key the committee holds (a public_key_package file, as "
                                                  "in the coordinator's home): a node new to the committee learns "
                                                  "it from the file, to take part in a reshare"),
           out: Path = typer.Option(..., "--out", "-o", help="the committee file to write"),
           force: bool = FORCE, as_json: bool = JSON) -> None:
    """Write an unsigned committee file; every node then signs it (pqzk committee sign)."""
    from ..node.committee import Committee
    from ..policy.model import load_policy
    from ..threshold.frost.ciphersuite import get_ciphersuite
    from .files import check_output, write_output
    from .main import emit_json
    check_output(out, "committee file", force=force)
    suite = get_ciphersuite(suite).context
    nodes, coordinators = _publics(node, "node"), _publics(coordinator, "coordinator")
    if not nodes:
        raise InvalidParameter("give every node's public.json with --node")
    if not coordinators:
        raise InvalidParameter("give at least one --coordinator: only a coordinator may start a session")
    bad = [n.node_id for n in nodes if not isinstance(n.node_id, int)]
    if bad:
        raise InvalidParameter(f"nodes sign, so their ids are integers (FROST identifiers); {bad[0]!r} is not: "
                               "give it with --coordinator, or make the node with an integer --id")
    doc = None
    if policy is not None:
        p = load_policy(policy)
        extra = sorted(set(p.signers) - {n.node_id for n in nodes})
        if extra:
            raise InvalidParameter(f"policy {policy} names signers that are not nodes of the committee: {extra}")
        doc = p.to_dict()
    pkp = None
    if public_key_package is not None:
        from ..files import read_bytes
        from ..threshold.frost.types import PublicKeyPackage
        pkp = read_bytes(public_key_package, "public key package", max_bytes=1 << 20)
        try:
            PublicKeyPackage.from_bytes(get_ciphersuite(suite), pkp)
        except InvalidEncoding as exc:
            raise InvalidEncoding(f"--public-key-package {public_key_package}: {exc}") from None
    c = Committee(name, version, tuple(nodes), tuple(coordinators), suite, threshold, pkp, doc)
    write_output(out, c.to_json().encode(), "committee file", force=force)
    info = summary(c)
    if as_json:
        emit_json({**info, "file": str(out)})
        return
    _print(info)
    from .main import console
    console.print(f"wrote {out} (unsigned): each node signs it with "
                  f"pqzk committee sign --home DIR {out} --force", markup=False)


@app.command()
def sign(file: Path = FILE, home: Path = typer.Option(..., "--home", help="the signing node's home"),
         out: Optional[Path] = typer.Option(None, "--out", "-o", help="write the signed file here (default: "
                                                                       "FILE itself, which needs --force)"),
         force: bool = FORCE, pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
         as_json: bool = JSON) -> None:
    """The node at --home adds its signature to the committee file.

    It signs everything but the signatures with its composite identity key."""
    from .files import write_output
    from .main import console, emit_json
    target = _copy_target(file, out, force, "signed", "sign")
    c = load_committee(file)
    h = load_home(home)
    s = secret(pin_file, pin_env)
    with robust_store(h.config()["store"]):
        identity = h.identity(s)
    signed = c.sign(identity)
    write_output(target, signed.to_json().encode(), "committee file", force=force)
    info = summary(signed)
    if as_json:
        emit_json({**info, "signer": identity.node_id, "file": str(target)})
        return
    _print(info)
    left = info["unsigned_by"]
    console.print(f"node {identity.node_id!r} signed; wrote {target}; "
                  + (f"still to sign: {', '.join(map(str, left))}" if left else "every node has signed"), markup=False)


@app.command()
def endorse(file: Path = FILE, home: Path = typer.Option(..., "--home", help="the endorsing node's home: a node "
                                                                             "of the version it accepted"),
            out: Optional[Path] = typer.Option(None, "--out", "-o", help="write the endorsed file here (default: "
                                                                          "FILE itself, which needs --force)"),
            force: bool = FORCE, pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
            as_json: bool = JSON) -> None:
    """A node of the committee version it accepted approves a newer version.

    Needed when the new version changes the nodes, the threshold or the key and
    fewer than the accepted version's threshold of its nodes sign the new one
    with the same keys (a node that leaves, or changes its keys, endorses)."""
    from .files import write_output
    from .main import console, emit_json
    target = _copy_target(file, out, force, "endorsed", "endorse")
    c = load_committee(file)
    h = load_home(home)
    previous = h.pin.committee()
    if previous is None:
        raise InvalidParameter(f"{home} has accepted no committee file yet: it has no version to endorse from")
    if previous.name != c.name:
        raise InvalidParameter(f"{home} belongs to committee {previous.name!r}, not {c.name!r}")
    if c.version <= previous.version:
        raise InvalidParameter(f"version {c.version} is not newer than version {previous.version} this node "
                               "accepted: nothing to endorse")
    s = secret(pin_file, pin_env)
    with robust_store(h.config()["store"]):
        identity = h.identity(s)
    if previous.members.get(identity.node_id) != identity.public or identity.node_id not in \
            [n.node_id for n in previous.nodes]:
        raise InvalidParameter(f"{identity.node_id!r} is not a node of version {previous.version} it accepted")
    endorsed = c.endorse(identity)
    write_output(target, endorsed.to_json().encode(), "committee file", force=force)
    info = {**summary(endorsed), **succession(endorsed, previous)}
    if as_json:
        emit_json({**info, "endorser": identity.node_id, "file": str(target)})
        return
    _print(info)
    console.print(f"node {identity.node_id!r} of version {previous.version} endorsed version {c.version}; wrote "
                  f"{target}; " + _approvals(info), markup=False)


def _approvals(info: dict) -> str:
    if not info["changes"]:
        return "it changes no node, threshold or key (no approval needed)"
    return (f"it changes the {', '.join(info['changes'])}: approved by {len(info['approved_by'])} of the "
            f"{info['approvals_needed']} version {info['previous_version']} nodes needed "
            f"({', '.join(map(str, info['approved_by'])) or 'none'})")


@app.command()
def verify(file: Path = FILE,
           previous: Optional[Path] = typer.Option(None, "--previous", help="the version the nodes accepted: "
                                                                            "check that FILE may follow it"),
           as_json: bool = JSON) -> None:
    """Check that every node listed signed this very content.

    With --previous, also that the file may follow that version: the same
    committee, newer, and — if it changes the nodes, threshold or key —
    approved by the previous version's threshold of its nodes.
    Exit 1 if a signature or an approval is missing or does not verify."""
    from .main import console, emit_json
    c = load_committee(file)
    try:
        info = summary(c)
    except InvalidEncoding as exc:
        raise InvalidEncoding(f"committee file {file}: its policy: {exc}") from None
    prev = None
    if previous is not None:
        prev = load_committee(previous)
        info.update(succession(c, prev))
    try:
        c.verify()
        if prev is not None:
            c.verify_successor(prev)
    except VerificationError as exc:
        raise CommandFailed(f"committee file invalid: {exc}", result={"valid": False, **info}, cause=exc) from None
    if as_json:
        emit_json({"valid": True, **info})
        return
    _print(info)
    console.print(f"[green]valid[/]: signed by every node ({len(info['signed_by'])})")
    if prev is not None:
        console.print(f"  follows version {prev.version}: " + _approvals(info), markup=False)
