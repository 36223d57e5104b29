"""`pqzk policy validate | explain` and `pqzk audit verify | show`."""
from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.table import Table

from ..errors import InvalidEncoding, VerificationError

app = typer.Typer(help="Custody policies: validate a policy file, explain a decision.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command()
def validate(file: Path, as_json: bool = typer.Option(False, "--json")) -> None:
    """Check a policy (TOML or JSON) against the published schema; errors give the JSON path."""
    from ..policy import load_policy
    from .main import console, emit_json
    try:
        policy = load_policy(file)
    except InvalidEncoding as exc:
        if as_json:
            emit_json({"valid": False, "error": str(exc)})
        else:
            console.print(f"[red]invalid[/]: {exc}")
        raise typer.Exit(1)
    summary = {"valid": True, "name": policy.name, "version": policy.version,
               "signers": list(policy.signers), "digest": policy.digest().hex()}
    if as_json:
        emit_json(summary)
    else:
        console.print(f"[green]valid[/]: policy {policy.name!r} v{policy.version}, "
                      f"{len(policy.signers)} signers, digest {summary['digest'][:16]}…")


@app.command()
def explain(file: Path, request: Path, now: int = typer.Option(None, help="evaluation time (default: now)"),
            as_json: bool = typer.Option(False, "--json")) -> None:
    """Which rules apply to a request (JSON file) and why, and the decision."""
    from ..policy import AuthorizationRequest, History, evaluate, load_policy
    from ..policy import explain as explain_rules
    from .main import console, emit_json
    policy = load_policy(file)
    try:
        req = AuthorizationRequest.from_dict(json.loads(request.read_text()))
    except json.JSONDecodeError as exc:
        raise InvalidEncoding(f"request file {request} is not JSON: {exc}") from None
    t = int(time.time()) if now is None else now
    rows = explain_rules(policy, req, History(), t)
    decision = evaluate(policy, req, History(), t)
    if as_json:
        emit_json({"rules": [dict(zip(("rule", "status", "why"), r)) for r in rows],
                   "decision": {"allowed": decision.allowed, "rule": decision.rule, "detail": decision.detail}})
        return
    table = Table("rule", "status", "why")
    colour = {"pass": "green", "fail": "red", "requires": "yellow"}
    for rule, status, why in rows:
        table.add_row(rule, f"[{colour.get(status, 'dim')}]{status}[/]", why)
    console.print(table)
    verdict = "[green]allowed[/]" if decision.allowed else f"[red]refused[/] by rule {decision.rule!r}"
    console.print(f"decision: {verdict} — {decision.detail}")


@audit_app.command("verify")
def audit_verify(db: Path, public_key: str = typer.Option(None, help="writer's Ed25519 key (hex) to pin"),
                 expect_head: str = typer.Option(None, help="SEQ:HASH remembered earlier (rollback check)"),
                 as_json: bool = typer.Option(False, "--json")) -> None:
    """Check the hash chain, every signature and the signed head; name the first bad record."""
    from ..policy.audit import Head, verify_log
    from .main import console, emit_json
    try:
        pin = bytes.fromhex(public_key) if public_key else None
        head = None
        if expect_head:
            seq, _, h = expect_head.partition(":")
            head = Head(int(seq), bytes.fromhex(h))
    except ValueError:
        raise InvalidEncoding("--public-key must be hex; --expect-head must be SEQ:HEXHASH") from None
    try:
        last = verify_log(db, public_key=pin, expect_head=head)
    except VerificationError as exc:
        if as_json:
            emit_json({"valid": False, "error": str(exc)})
        else:
            console.print(f"[red]audit log invalid[/]: {exc}")
        raise typer.Exit(1)
    if as_json:
        emit_json({"valid": True, "records": last.seq, "head": f"{last.seq}:{last.hash.hex()}"})
    else:
        console.print(f"[green]audit log valid[/]: {last.seq} records, head {last.seq}:{last.hash.hex()}")


@audit_app.command("show")
def audit_show(db: Path, last: int = typer.Option(20, help="how many records from the end")) -> None:
    """Print the last records of a log (contents are public by design)."""
    from ..policy.audit import records
    from .main import console
    rows = list(records(db))[-last:]
    table = Table("seq", "kind", "body", "hash")
    for r in rows:
        table.add_row(str(r.seq), r.kind, json.dumps(r.body)[:80], r.hash.hex()[:16] + "…")
    console.print(table)
