"""`pqzk authorize SCENARIO`: run a custody scenario (parties, policy, requests) in process and print
each decision; `pqzk authorize --committee FILE --coordinator-home DIR --nats URL REQUEST`: ask a
running committee of nodes to authorize one request — each node checks it against the policy
itself — and write the Authorization."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from .nodeargs import NATS, PASSWORD_ENV, PIN_ENV, PIN_FILE, TLS_CA, USER

AUTH_FORMAT = "pqzk-authorization/1"
MAX_ID = 2**32 - 1


def authorize(file: Path = typer.Argument(..., metavar="SCENARIO|REQUEST",
                                          help="scenario file (TOML or JSON); with --committee, a request file "
                                               "(JSON, as pqzk policy explain reads it)"),
              audit: Path = typer.Option(None, "--audit", help="scenario: write the audit log to this new SQLite file"),
              committee: Optional[Path] = typer.Option(None, "--committee",
                                                       help="ask this running committee (its file) instead"),
              coordinator_home: Optional[Path] = typer.Option(None, "--coordinator-home",
                                                              help="with --committee: the coordinator's home"),
              nats: Optional[list[str]] = NATS, user: Optional[str] = USER,
              password_env: Optional[str] = PASSWORD_ENV, tls_ca: Optional[Path] = TLS_CA,
              pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
              signer: Optional[list[int]] = typer.Option(None, "--signer", min=1, max=MAX_ID,
                                                         help="with --committee: a node to ask (repeat; default all)"),
              out: Optional[Path] = typer.Option(None, "--out", "-o", help="with --committee: write the "
                                                 f"Authorization here ({AUTH_FORMAT} JSON)"),
              force: bool = typer.Option(False, "--force", help="replace an existing --out file"),
              as_json: bool = typer.Option(False, "--json", help="machine-readable output")) -> None:
    """Authorize under a policy: a scenario in process, or a request by running nodes (--committee).

    SCENARIO runs in process (pqzk.runtime): a DKG among its parties, then every step in order.
    With --committee, REQUEST goes to the committee's running nodes (pqzk node run) over NATS;
    each checks it against the policy itself, and a quorum signs.

    Exit 1 if the request is refused (the rule is named) or the signing aborts."""
    from ..errors import InvalidParameter
    network = {"--committee": committee, "--coordinator-home": coordinator_home, "--nats": nats,
               "--user": user, "--password-env": password_env, "--tls-ca": tls_ca, "--pin-file": pin_file,
               "--pin-env": pin_env, "--signer": signer, "--out": out, "--force": force or None}
    if committee is not None:
        if audit is not None:
            raise InvalidParameter("--audit goes with a scenario; a coordinator journals in its own home")
        return _network(file, committee, coordinator_home, nats, user, password_env, tls_ca, pin_file, pin_env,
                        signer, out, force, as_json)
    given = [k for k, v in network.items() if v]
    if given:
        raise InvalidParameter(f"{given[0]} goes with --committee (a running committee)")
    _scenario(file, audit, as_json)


def _network(file, committee, coordinator_home, nats, user, password_env, tls_ca, pin_file, pin_env, signer,
             out, force, as_json) -> None:
    import json

    from ..errors import InvalidParameter
    from ..policy.authorization import verify_authorization
    from ..policy.request import AuthorizationRequest
    from .files import check_output, read_document, write_output
    from .main import console, emit_json
    from .nodeargs import load_committee, load_home, nats_config, open_node, run_async
    if coordinator_home is None:
        raise InvalidParameter("--committee needs --coordinator-home (and --nats)")
    if out is not None:
        check_output(out, "authorization file", force=force)
    elif force:
        raise InvalidParameter("--force goes with --out")
    config = nats_config(nats, user, password_env, tls_ca)
    request = AuthorizationRequest.from_dict(read_document(file, "request file"))
    c = load_committee(committee)
    home = load_home(coordinator_home, "--coordinator-home")
    with open_node(home, pin_file, pin_env, c) as co:
        coord = run_async(_sign(co, config, request, sorted(set(signer)) if signer else None))
        pkp = co.key()[1]
    if coord.error is not None:
        raise coord.error
    if coord.result is None:
        raise InvalidParameter("no answer from the nodes in time")      # pragma: no cover - on_idle fails first
    from ..policy.model import Policy
    policy = Policy.from_dict(c.policy)
    verify_authorization(coord.result, request, policy, pkp)
    doc = {"format": AUTH_FORMAT, "committee": c.name, "request": request.to_dict(),
           "authorization": coord.result.to_bytes().hex(), **{"summary": coord.result.to_dict()}}
    if out is not None:
        write_output(out, (json.dumps(doc, indent=2) + "\n").encode(), "authorization file", force=force)
    if as_json:
        emit_json({**doc, "file": None if out is None else str(out)})
        return
    a = coord.result
    console.print(f"authorized by nodes {list(a.signers)} of committee {c.name} under policy "
                  f"{policy.name} v{policy.version}; signature {a.signature.hex()}", markup=False)
    console.print(f"  group key {a.group_key.hex()}; authorization digest {a.digest().hex()}", markup=False)
    if out is not None:
        console.print(f"  wrote {out}", markup=False)


async def _sign(co, config, request, candidates):
    from ..node.coordinate import Coordinator
    c = await Coordinator.connect(co, config)
    try:
        return await c.authorize(request, candidates=candidates)
    finally:
        await c.close()


def _scenario(scenario: Path, audit: Optional[Path], as_json: bool) -> None:
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
