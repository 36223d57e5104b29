"""`pqzk policy validate | explain` and `pqzk audit verify | show`."""
from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation, VerificationError
from ..files import read_prefix
from .errors import CommandFailed, PqzkTyper

app = PqzkTyper(help="Custody policies: validate a policy file, explain a decision.", no_args_is_help=True)
audit_app = PqzkTyper(help="The tamper-evident audit log.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="machine-readable output")
MAX_TIME = 2**63 - 1
T = TypeVar("T")
SQLITE_MAGIC = b"SQLite format 3\x00"
# what the audit library may still let through on a damaged file (its own fix is separate): the
# CLI reports any of these as a log that does not verify, never as a traceback
_DAMAGED = (sqlite3.Error, ValueError, TypeError, KeyError, IndexError, UnicodeDecodeError, UnboundLocalError)


@app.command()
def validate(file: Path = typer.Argument(..., help="policy file (.toml or .json)"), as_json: bool = JSON) -> None:
    """Check a policy (TOML or JSON) against the published schema; errors give the JSON path.

    Exit 1 if the policy is invalid, 2 if the file cannot be read."""
    from ..policy import load_policy
    from .main import console, emit_json
    try:
        policy = load_policy(file)
    except InvalidEncoding as exc:
        raise CommandFailed(f"invalid: {exc}", result={"valid": False}, cause=exc) from None
    summary = {"valid": True, "name": policy.name, "version": policy.version,
               "signers": list(policy.signers), "digest": policy.digest().hex()}
    if as_json:
        emit_json(summary)
    else:
        console.print(f"[green]valid[/]: policy {escape(repr(policy.name))} v{policy.version}, "
                      f"{len(policy.signers)} signers, digest {summary['digest'][:16]}…")


def _proof_row(policy, req) -> tuple[tuple[str, str, str], PolicyViolation | None]:
    """A private request's compliance proof, verified here (explain never takes it on trust)."""
    from ..policy.private import verify_private_terms
    try:
        verify_private_terms(policy, req)
    except PolicyViolation as v:
        return ("compliance_proof", "fail", v.detail or v.rule), v
    return ("compliance_proof", "pass", f"proof verified: amount <= {req.private.max_amount}, "
                                        "destination on the whitelist, bound to the transaction"), None


@app.command()
def explain(file: Path = typer.Argument(..., help="policy file (.toml or .json)"),
            request: Path = typer.Argument(..., help="request file (JSON, as AuthorizationRequest.to_dict)"),
            now: int = typer.Option(None, min=0, max=MAX_TIME, help="evaluation time, Unix seconds (default: now)"),
            responses: Path = typer.Option(None, "--responses", help="audit log holding the responder's records: "
                                           "evaluate under the responses active at --now, and show them"),
            audit_key: str = typer.Option(None, "--audit-key", help="the --responses log writer's Ed25519 key "
                                          "(hex) to pin"),
            as_json: bool = JSON) -> None:
    """Which rules apply to a request (JSON file) and why, and the decision (exit 1 if refused).

    A private request's compliance proof is verified; a proof that does not verify refuses it.
    With --responses, the log is verified and the responder replayed from it (exit 1 if either
    fails): the request is evaluated under the effective policy, and the active responses shown."""
    from ..policy import AuthorizationRequest, History, evaluate, load_policy
    from ..policy import explain as explain_rules
    from ..policy.evaluate import Decision
    from .files import read_document
    from .main import console, emit_json
    if audit_key is not None and responses is None:
        raise InvalidParameter("--audit-key pins the --responses log: give --responses too")
    policy = load_policy(file)
    req = AuthorizationRequest.from_dict(read_document(request, "request file"))
    t = int(time.time()) if now is None else now
    active = None
    if responses is not None:
        policy, active = _responses(responses, audit_key, policy, file, t)
    rows = explain_rules(policy, req, History(), t)
    decision = evaluate(policy, req, History(), t)
    if req.private is not None:
        row, failure = _proof_row(policy, req)
        if failure is not None:
            rows = [("whitelist", "fail", "not proven: the compliance proof does not verify")
                    if r[0] == "whitelist" else r for r in rows]
            decision = Decision(False, "compliance_proof", row[2])
        rows = [row] + rows
    result = {"rules": [dict(zip(("rule", "status", "why"), r)) for r in rows],
              "decision": {"allowed": decision.allowed, "rule": decision.rule, "detail": decision.detail}}
    if active is not None:
        result["responses"] = active
    refused = CommandFailed(f"refused by rule {decision.rule!r}: {decision.detail}", result=result,
                            cause=PolicyViolation(decision.rule, decision.detail))
    if as_json:
        if not decision.allowed:
            raise refused
        emit_json(result)
        return
    if active is not None:
        _print_responses(console, active)
    table = Table("rule", "status", "why")
    colour = {"pass": "green", "fail": "red", "requires": "yellow"}
    for rule, status, why in rows:
        table.add_row(escape(rule), f"[{colour.get(status, 'dim')}]{status}[/]", escape(why))
    console.print(table)
    verdict = "[green]allowed[/]" if decision.allowed else f"[red]refused[/] by rule {escape(repr(decision.rule))}"
    console.print(f"decision: {verdict} — {escape(decision.detail)}")
    if not decision.allowed:
        raise refused


def _responses(db: Path, audit_key: str | None, policy, file: Path, now: int):
    """The effective policy at `now` and the responses in force, from the responder's records in
    an audit log (verified, replayed). The log's responder must respond for this very policy."""
    from ..policy.responder import replay_log
    pin = None
    if audit_key is not None:
        try:
            pin = bytes.fromhex(audit_key)
        except ValueError:
            pin = b""
        if len(pin) != 32:
            raise InvalidParameter("--audit-key must be 32 bytes of hex")
    _audit_file(db)
    try:
        responder = _damaged(db, lambda: replay_log(db, public_key=pin))
    except VerificationError as exc:
        raise CommandFailed(f"responses: {exc}", result={"valid": False}, cause=exc) from None
    if responder.base.digest() != policy.digest():
        raise InvalidParameter(f"the responder in {db} responds for policy {responder.base.name!r} "
                               f"v{responder.base.version} (digest {responder.base.digest().hex()[:16]}…), "
                               f"not for {file}")
    if now < responder.now:
        raise InvalidParameter(f"--now {now} is before the responder's last record ({responder.now})")
    effective = responder.effective_policy(now)
    active = {"active": [{**a.to_dict(), "describe": a.describe()} for a in responder.active_at(now)],
              "pending": [p.to_dict() for p in responder.pending(now)],
              "effective_digest": effective.digest().hex()}
    return effective, active


def _print_responses(console, active: dict) -> None:
    if not active["active"] and not active["pending"]:
        console.print("responses: none active")
        return
    table = Table("response", "action", "what", title="active responses")
    for a in active["active"]:
        table.add_row(str(a["id"]), escape(a["action"]), escape(a["describe"]))
    for p in active["pending"]:
        table.add_row(str(p["id"]), escape(p["response"]["action"]),
                      escape(f"proposed for {p['parties']}, awaiting a quorum until {p['expires']}"))
    console.print(table)


def _audit_file(db: Path) -> None:
    """An existing SQLite file, or a clean input error (never a new empty database)."""
    head = read_prefix(db, "audit log", len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        raise InvalidParameter(f"audit log {db} is {'empty' if not head else 'not an SQLite database'}")


def _damaged(db: Path, call: Callable[[], T]) -> T:
    try:
        return call()
    except _DAMAGED as exc:
        raise VerificationError(f"audit log {db} is damaged or not a pqzk audit log "
                                f"({type(exc).__name__})") from None


@audit_app.command("verify")
def audit_verify(db: Path = typer.Argument(..., help="the audit log (SQLite file)"),
                 public_key: str = typer.Option(None, help="writer's Ed25519 key (hex) to pin"),
                 expect_head: str = typer.Option(None, help="SEQ:HASH remembered earlier (rollback check)"),
                 as_json: bool = JSON) -> None:
    """Check the hash chain, every signature and the signed head; name the first bad record.

    Exit 1 if the log does not verify, 2 if the file or an option is unusable."""
    from ..policy.audit import Head, verify_log
    from .main import console, emit_json
    pin = head = None
    try:
        if public_key is not None:
            pin = bytes.fromhex(public_key)
            if len(pin) != 32:
                raise ValueError
        if expect_head is not None:
            seq, sep, h = expect_head.partition(":")
            if not sep or not seq.isascii() or not seq.isdigit() or len(seq) > 19:
                raise ValueError
            head = Head(int(seq), bytes.fromhex(h))
            if len(head.hash) != 32:
                raise ValueError
    except ValueError:
        raise InvalidParameter("--public-key must be 32 bytes of hex; --expect-head must be SEQ:HASH "
                               "(a record number and 32 bytes of hex)") from None
    _audit_file(db)
    try:
        last = _damaged(db, lambda: verify_log(db, public_key=pin, expect_head=head))
    except VerificationError as exc:
        raise CommandFailed(f"audit log invalid: {exc}", result={"valid": False}, cause=exc) from None
    if as_json:
        emit_json({"valid": True, "records": last.seq, "head": f"{last.seq}:{last.hash.hex()}"})
    else:
        console.print(f"[green]audit log valid[/]: {last.seq} records, head {last.seq}:{last.hash.hex()}")


@audit_app.command("show")
def audit_show(db: Path = typer.Argument(..., help="the audit log (SQLite file)"),
               last: int = typer.Option(20, min=1, max=1_000_000, help="how many records from the end"),
               as_json: bool = JSON) -> None:
    """Print the last records of a log (contents are public by design; `verify` checks them)."""
    from ..policy.audit import records
    from .main import console, emit_json
    _audit_file(db)
    rows = _damaged(db, lambda: list(records(db)))[-last:]
    if as_json:
        emit_json({"records": [{"seq": r.seq, "kind": r.kind, "body": r.body, "hash": r.hash.hex()} for r in rows]})
        return
    table = Table("seq", "kind", "body", "hash")
    for r in rows:
        table.add_row(str(r.seq), escape(str(r.kind)), escape(json.dumps(r.body)[:80]), r.hash.hex()[:16] + "…")
    console.print(table)
