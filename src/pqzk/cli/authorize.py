"""`pqzk authorize SCENARIO`: run a custody scenario (parties, policy, requests) and print each decision."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table


def authorize(scenario: Path = typer.Argument(..., help="scenario file (TOML or JSON)"),
              audit: Path = typer.Option(None, "--audit", help="write the audit log to this new SQLite file"),
              as_json: bool = typer.Option(False, "--json", help="machine-readable output")) -> None:
    """Run SCENARIO in process (pqzk.runtime): DKG among the parties, then every step in order."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ..errors import InvalidParameter
    from ..policy.audit import AuditLog, verify_log
    from ..policy.scenario import Scenario
    from .files import check_output
    from .main import console, emit_json
    if audit is not None:     # before any work: an audit log is never replaced, not even with --force
        from ..policy.audit_format import default_head_file
        check_output(audit, "audit log", force=False)
        # a head file left by an earlier log of that name would make the new log refuse to start
        check_output(default_head_file(audit), "audit head file", force=False)
    sc = Scenario(scenario)
    log = None
    if audit is not None:
        try:
            log = AuditLog(audit, Ed25519PrivateKey.generate())
        except sqlite3.Error as exc:
            raise InvalidParameter(f"cannot create audit log {audit}: {exc}") from None
    try:
        results = list(sc.run(log))
        head = log.head() if log else None
    finally:
        if log is not None:
            log.close()
    summary = {"scenario": str(scenario), "policy": sc.policy.name, "policy_version": sc.policy.version,
               "group_key": sc.custody.pkp.verifying_key.to_bytes().hex(),
               "steps": [r.to_dict() for r in results]}
    if log is not None:
        verify_log(audit, log.public_key)
        summary["audit"] = {"path": str(audit), "public_key": log.public_key.hex(), "records": head.seq,
                            "head": head.hash.hex(), "verified": True}
    if as_json:
        emit_json(summary)
        return
    console.print(f"policy [bold]{escape(sc.policy.name)}[/] v{sc.policy.version}, "
                  f"{len(sc.policy.signers)} parties, FROST {sc.threshold}-of-{len(sc.policy.signers)} "
                  f"group key {summary['group_key'][:16]}…")
    console.print("parties: " + ", ".join(f"{i} {sc.name_of(i)}" for i in sc.policy.signers))
    table = Table("step", "request", "decision", "rule", "signers", "detail")
    for r in results:
        what = ("policy change" if r.kind == "policy_change" else
                "private (committed)" if r.private else f"{r.amount} → {r.destination}")
        verdict = "[green]allowed[/]" if r.allowed else "[red]refused[/]"
        signers = ",".join(map(str, r.signers)) + (" +PQ" if r.pq else "")
        extra = f"; silent: {r.missing}" if r.missing else ""
        table.add_row(escape(r.name), escape(what), verdict, r.rule, escape(signers), escape(r.detail + extra))
    console.print(table)
    if log is not None:
        console.print(f"audit log {audit}: {head.seq} records, verified; writer key {log.public_key.hex()}")
        console.print(f"  re-check later: pqzk audit verify {audit} --public-key {log.public_key.hex()} "
                      f"--expect-head {head.seq}:{head.hash.hex()}")
