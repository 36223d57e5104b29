"""Key ceremonies among running nodes (dkg, refresh, repair, reshare), or --local N to try them.

\b
Against a running committee:
  pqzk ceremony dkg --committee committee.json --coordinator-home coord/ \\
        --nats nats://a:4222 --nats nats://b:4222 --pin-env COORD_PASS
The coordinator invites the nodes; they run the ceremony among themselves
(the coordinator holds no share) and each reports how it ended; the new
public key package is kept in the coordinator's home.

\b
On this machine, to try it (--local N): a private nats-server, N node homes
and N node processes (pqzk node run) in a temporary directory, a committee
file signed by all; then a DKG, the ceremony asked for (after the DKG), and
one policy-governed signing to show the key works; then everything stops.

\b
Exit status 1 when the ceremony aborts (the culprits are those named by
more than half of the nodes' reports; silent nodes are only "unresponsive").
"""
from __future__ import annotations

import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import typer

from ..errors import InvalidParameter
from .errors import EXIT_FAILED, CommandFailed, PqzkTyper
from .nodeargs import (JSON, NATS, PASSWORD_ENV, PIN_ENV, PIN_FILE, TLS_CA, USER, load_committee, load_home,
                       nats_config, open_node, run_async)

app = PqzkTyper(help=__doc__, rich_markup_mode=None, no_args_is_help=True)

COMMITTEE = typer.Option(None, "--committee", help="the committee file (not with --local)")
COORDINATOR_HOME = typer.Option(None, "--coordinator-home", help="the coordinator's home (pqzk node init --id NAME)")
LOCAL = typer.Option(None, "--local", min=2, max=15, help="run everything on this machine with N nodes (a "
                                                         "private broker and N node processes), then stop")
THRESHOLD = typer.Option(None, "--threshold", "-t", min=2, max=15, help="--local: the key's threshold, at least 2 "
                                                                         "(default: a majority)")
MAX_ID = 2**32 - 1


@dataclass
class Where:
    """Where the ceremony runs: a running committee (the network options) or --local N."""
    committee: Optional[Path]
    coordinator_home: Optional[Path]
    nats: Optional[list[str]]
    user: Optional[str]
    password_env: Optional[str]
    tls_ca: Optional[Path]
    pin_file: Optional[Path]
    pin_env: Optional[str]
    local: Optional[int]
    threshold: Optional[int]

    def check(self) -> None:
        """Reject option combinations that cannot both hold (--local with network options, --threshold without
        --local, a network run missing --committee or --coordinator-home) with an `InvalidParameter` naming
        the option."""
        network = [n for n, v in (("--committee", self.committee), ("--coordinator-home", self.coordinator_home),
                                  ("--nats", self.nats), ("--user", self.user), ("--tls-ca", self.tls_ca),
                                  ("--pin-file", self.pin_file), ("--pin-env", self.pin_env)) if v]
        if self.local is not None:
            if network:
                raise InvalidParameter(f"--local runs its own committee: {network[0]} does not go with it")
            return
        if self.threshold is not None:
            raise InvalidParameter("--threshold goes with --local (a running committee's threshold is in its file)")
        if self.committee is None or self.coordinator_home is None:
            raise InvalidParameter("give --committee, --coordinator-home and --nats (a running committee), "
                                   "or --local N")

    def check_ids(self, **given: list[int]) -> None:
        """--local: the nodes are 1..N, so any id given must be one of them (checked before starting)."""
        if self.local is None:
            return
        for option, ids in given.items():
            for i in ids:
                if i > self.local:
                    raise InvalidParameter(f"--{option.replace('_', '-')} {i} is not one of the {self.local} "
                                           "local nodes")


def _ids(values: Optional[list[int]]) -> list[int]:
    return sorted(set(values or []))


# ---- the ceremonies: each builds its invitation from the committee and the key it has now ----
def _dkg(committee, pkp):
    from ..node.service import Invitation
    return Invitation("dkg", tuple(n.node_id for n in committee.nodes), committee.threshold)


def _holders(committee, pkp, given: list[int], what: str) -> tuple[int, ...]:
    if pkp is None:
        raise InvalidParameter("the coordinator knows no key of this committee: run pqzk ceremony dkg first")
    nodes = {n.node_id for n in committee.nodes}
    ids = given or [i for i in sorted(pkp.verifying_shares) if i in nodes]
    unknown = [i for i in ids if i not in nodes]
    if unknown:
        raise InvalidParameter(f"{what} {unknown[0]} is not a node of committee {committee.name!r}")
    return tuple(ids)


def _refresh(participants: list[int]):
    def build(committee, pkp):
        from ..node.service import Invitation
        ids = _holders(committee, pkp, participants, "--participant")
        if list(ids) != sorted(pkp.verifying_shares):
            raise InvalidParameter(f"a refresh renews the share of every holder of the key "
                                   f"({sorted(pkp.verifying_shares)}): --participant must name them all, or none")
        return Invitation("refresh", ids, pkp.min_signers, key=pkp.key_version())
    return build


def _repair(target: int, helpers: list[int]):
    def build(committee, pkp):
        from ..node.service import Invitation
        ids = _holders(committee, pkp, [h for h in (helpers or sorted(pkp.verifying_shares if pkp else []))
                                        if h != target], "--helper")
        if target not in {n.node_id for n in committee.nodes}:
            raise InvalidParameter(f"--target {target} is not a node of committee {committee.name!r}")
        if target in helpers:
            raise InvalidParameter("the --target is not one of its own --helper nodes")
        if len(ids) < pkp.min_signers:
            raise InvalidParameter(f"a repair needs at least {pkp.min_signers} helpers, got {len(ids)}")
        return Invitation("repair", ids, pkp.min_signers, target=target, key=pkp.key_version())
    return build


def _reshare(participants: list[int], new_members: list[int], new_threshold: Optional[int]):
    """A reshare deals the key to the committee file's nodes with its threshold: the nodes refuse
    anything else. --new-member / --new-threshold say what the committee file must say (with
    --local, a new committee version is made, signed and the nodes restarted with it first)."""
    def build(committee, pkp):
        from ..node.service import Invitation
        dealers = _holders(committee, pkp, participants, "--participant")
        members = tuple(n.node_id for n in committee.nodes)
        if new_members and tuple(new_members) != tuple(sorted(members)):
            raise InvalidParameter(f"a reshare deals the key to the committee file's nodes {sorted(members)}, "
                                   f"not {new_members}: write a new committee file version with the new members "
                                   "(pqzk committee create --version N; signed by its nodes, endorsed by the "
                                   "previous version's), restart the nodes with it, then reshare")
        if new_threshold is not None and new_threshold != committee.threshold:
            raise InvalidParameter(f"a reshare deals the key with the committee file's threshold "
                                   f"{committee.threshold}, not {new_threshold}: write a new committee file "
                                   "version with that threshold, restart the nodes with it, then reshare")
        if len(dealers) < pkp.min_signers:
            raise InvalidParameter(f"a reshare needs at least {pkp.min_signers} dealers holding the key, "
                                   f"got {len(dealers)}")
        return Invitation("reshare", dealers, pkp.min_signers, new_threshold=committee.threshold,
                          new_members=members, key=pkp.key_version())
    return build


# ---- running ----
def _outcome(party, seconds: float) -> dict:
    pkp = party.result
    return {"protocol": party.invitation.protocol, "session": party.session.hex(),
            "participants": list(party.to),
            "group_key": pkp.verifying_key.to_bytes().hex(), "threshold": pkp.min_signers,
            "holders": sorted(pkp.verifying_shares),
            "reports": {str(i): r.outcome for i, r in sorted(party.reports.items(), key=lambda kv: str(kv[0]))},
            "seconds": round(seconds, 3)}


async def _one(co, config, invitation):
    from ..node.coordinate import Coordinator
    c = await Coordinator.connect(co, config)
    try:
        t = time.monotonic()
        party = await c.ceremony(invitation)
        return party, time.monotonic() - t
    finally:
        await c.close()


def _network(where: Where, build: Callable) -> dict:
    config = nats_config(where.nats, where.user, where.password_env, where.tls_ca)
    committee = load_committee(where.committee)
    home = load_home(where.coordinator_home, "--coordinator-home")
    with open_node(home, where.pin_file, where.pin_env, committee) as co:
        if co.identity.node_id not in [c.node_id for c in committee.coordinators]:
            raise InvalidParameter(f"--coordinator-home holds {co.identity.node_id!r}, not a coordinator of "
                                   f"committee {committee.name!r}")
        invitation = build(committee, co.key()[1])
        party, seconds = run_async(_one(co, config, invitation))
    if party.error is not None:
        raise party.error
    return {"committee": committee.name, **_outcome(party, seconds)}


@contextmanager
def _sigterm_interrupts():
    """SIGTERM is handled like Ctrl-C, so that the local nodes and broker are stopped either way."""
    def handler(_sig, _frame):
        raise KeyboardInterrupt
    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


async def _local_jobs(lc, protocol: str, build: Callable, change: Optional[tuple] = None) -> dict:
    import hashlib
    import secrets as _secrets

    from ..policy.authorization import verify_authorization
    from ..policy.request import AuthorizationRequest
    out: dict = {}
    async with lc.coordinator() as c:
        t = time.monotonic()
        dkg = await c.ceremony(_dkg(lc.committee, None))
        if dkg.error is not None:
            raise dkg.error
        out["dkg"] = _outcome(dkg, time.monotonic() - t)
    if change is not None:                # a reshare to other members or threshold: a new committee version
        members = list(change[0]) or [n.node_id for n in lc.committee.nodes]
        threshold = change[1] or lc.committee.threshold
        if (sorted(members), threshold) != ([n.node_id for n in lc.committee.nodes], lc.committee.threshold):
            t = time.monotonic()
            lc.new_version(members, threshold)
            out["new_committee"] = {"version": lc.committee.version, "nodes": sorted(members), "threshold": threshold,
                                "seconds": round(time.monotonic() - t, 3)}
    async with lc.coordinator() as c:
        if protocol != "dkg":
            t = time.monotonic()
            party = await c.ceremony(build(lc.committee, c.public_key_package))
            if party.error is not None:
                raise party.error
            out[protocol] = _outcome(party, time.monotonic() - t)
        pkp = c.public_key_package
        now = c.clock()
        request = AuthorizationRequest(_secrets.token_bytes(16), hashlib.sha256(b"pqzk ceremony --local").digest(),
                                       now, 1, 1, "local")
        t = time.monotonic()
        auth = await c.authorize(request)
        if auth.error is not None:
            raise auth.error
        if auth.result is None:
            raise CommandFailed("the signing after the ceremony got no answer")
        verify_authorization(auth.result, request, c.policy(), pkp)
        out["signing"] = {"signers": list(auth.result.signers), "request": request.to_dict(),
                          "authorization": auth.result.to_dict(), "verified": True,
                          "seconds": round(time.monotonic() - t, 3)}
    return out


def _local(where: Where, protocol: str, build: Callable, change: Optional[tuple] = None) -> dict:
    from .local import LocalCommittee
    start = time.monotonic()
    n = where.local
    t = where.threshold if where.threshold is not None else n // 2 + 1
    if t > n:
        raise InvalidParameter(f"--threshold {t} is more than the {n} nodes")
    try:
        with _sigterm_interrupts(), LocalCommittee(n, t) as lc:
            lc.start_broker()
            lc.create_homes()
            lc.start_nodes()
            jobs = run_async(_local_jobs(lc, protocol, build, change))
            pids = [p.pid for p in lc.procs.values()]
            statuses = lc.stop_nodes()
            timings = {k: round(v, 3) for k, v in lc.timings.items()}
            committee = lc.committee.name
    except KeyboardInterrupt:
        raise CommandFailed("interrupted; the local nodes and broker were stopped", exit_code=EXIT_FAILED) from None
    return {"committee": committee, "local": {"nodes": n, "threshold": t, "pids": pids,
                                              "exit_statuses": {str(i): s for i, s in statuses.items()},
                                              "timings": timings},
            **jobs, "seconds": round(time.monotonic() - start, 3)}


def _run(where: Where, protocol: str, build: Callable, as_json: bool, change: Optional[tuple] = None) -> None:
    from .main import console, emit_json
    where.check()
    result = _local(where, protocol, build, change) if where.local is not None else _network(where, build)
    if as_json:
        emit_json(result)
        return
    if where.local is None:
        console.print(f"{protocol} finished in committee {result['committee']} ({result['seconds']} s): "
                      f"group key {result['group_key']}, {result['threshold']}-of-{len(result['holders'])} "
                      f"held by {result['holders']}; every node reported", markup=False)
        return
    loc = result["local"]
    console.print(f"local committee {result['committee']}: {loc['nodes']} node processes and a private "
                  f"nats-server (setup {loc['timings']})", markup=False)
    if "new_committee" in result:
        v = result["new_committee"]
        console.print(f"  committee version {v['version']}: nodes {v['nodes']}, threshold {v['threshold']}, "
                      f"signed by its nodes, the nodes restarted with it ({v['seconds']} s)", markup=False)
    for name in ("dkg", protocol) if protocol != "dkg" else ("dkg",):
        r = result[name]
        console.print(f"  {name}: group key {r['group_key']}, {r['threshold']}-of-{len(r['holders'])}, "
                      f"{r['seconds']} s", markup=False)
    s = result["signing"]
    console.print(f"  signing: signed by nodes {s['signers']}, authorization verified ({s['seconds']} s)",
                  markup=False)
    console.print(f"  stopped every node and the broker; {result['seconds']} s in all", markup=False)


# Every ceremony command lists the same connection options (--committee ... --threshold) in its
# signature: typer reads options from each function's parameters, so the lists repeat on purpose
# (deliberate look-alikes for `duplicates`: dkg, refresh, repair, reshare); _where makes one Where.
def _where(committee, coordinator_home, nats, user, password_env, tls_ca, pin_file, pin_env, local,
           threshold) -> Where:
    return Where(committee, coordinator_home, nats, user, password_env, tls_ca, pin_file, pin_env, local, threshold)


@app.command()   # deliberate look-alike of refresh/repair/reshare (duplicates): typer options, see _where
def dkg(committee: Optional[Path] = COMMITTEE, coordinator_home: Optional[Path] = COORDINATOR_HOME,
        nats: Optional[list[str]] = NATS, user: Optional[str] = USER, password_env: Optional[str] = PASSWORD_ENV,
        tls_ca: Optional[Path] = TLS_CA, pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
        local: Optional[int] = LOCAL, threshold: Optional[int] = THRESHOLD, as_json: bool = JSON) -> None:
    """A distributed key generation among every node (no dealer; the committee file's threshold)."""
    where = _where(committee, coordinator_home, nats, user, password_env, tls_ca, pin_file, pin_env, local, threshold)
    _run(where, "dkg", _dkg, as_json)


PARTICIPANT = typer.Option(None, "--participant", min=1, max=MAX_ID,
                           help="a node that takes part (repeat; default: every node holding a share)")


@app.command()   # deliberate look-alike of dkg/repair/reshare (duplicates): typer options, see _where
def refresh(participant: Optional[list[int]] = PARTICIPANT,
            committee: Optional[Path] = COMMITTEE, coordinator_home: Optional[Path] = COORDINATOR_HOME,
            nats: Optional[list[str]] = NATS, user: Optional[str] = USER,
            password_env: Optional[str] = PASSWORD_ENV, tls_ca: Optional[Path] = TLS_CA,
            pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
            local: Optional[int] = LOCAL, threshold: Optional[int] = THRESHOLD, as_json: bool = JSON) -> None:
    """Proactive refresh: new shares of the same key (old shares become useless together with new ones)."""
    where = _where(committee, coordinator_home, nats, user, password_env, tls_ca, pin_file, pin_env, local, threshold)
    where.check_ids(participant=_ids(participant))
    _run(where, "refresh", _refresh(_ids(participant)), as_json)


@app.command()   # deliberate look-alike of dkg/refresh/reshare (duplicates): typer options, see _where
def repair(target: int = typer.Option(..., "--target", min=1, max=MAX_ID, help="the node whose share is rebuilt"),
           helper: Optional[list[int]] = typer.Option(None, "--helper", min=1, max=MAX_ID,
                                                      help="a node that helps (repeat; default: every other holder)"),
           committee: Optional[Path] = COMMITTEE, coordinator_home: Optional[Path] = COORDINATOR_HOME,
           nats: Optional[list[str]] = NATS, user: Optional[str] = USER,
           password_env: Optional[str] = PASSWORD_ENV, tls_ca: Optional[Path] = TLS_CA,
           pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
           local: Optional[int] = LOCAL, threshold: Optional[int] = THRESHOLD, as_json: bool = JSON) -> None:
    """Share repair: helpers rebuild the target node's share, which none of them learns."""
    where = _where(committee, coordinator_home, nats, user, password_env, tls_ca, pin_file, pin_env, local, threshold)
    where.check_ids(target=[target], helper=_ids(helper))
    _run(where, "repair", _repair(target, _ids(helper)), as_json)


@app.command()   # deliberate look-alike of dkg/refresh/repair (duplicates): typer options, see _where
def reshare(participant: Optional[list[int]] = PARTICIPANT,
            new_member: Optional[list[int]] = typer.Option(None, "--new-member", min=1, max=MAX_ID,
                                                           help="a node that holds a share afterwards "
                                                                "(repeat; default: every node)"),
            new_threshold: Optional[int] = typer.Option(None, "--new-threshold", min=1, max=MAX_ID,
                                                        help="the threshold afterwards (default: unchanged)"),
            committee: Optional[Path] = COMMITTEE, coordinator_home: Optional[Path] = COORDINATOR_HOME,
            nats: Optional[list[str]] = NATS, user: Optional[str] = USER,
            password_env: Optional[str] = PASSWORD_ENV, tls_ca: Optional[Path] = TLS_CA,
            pin_file: Optional[Path] = PIN_FILE, pin_env: Optional[str] = PIN_ENV,
            local: Optional[int] = LOCAL, threshold: Optional[int] = THRESHOLD, as_json: bool = JSON) -> None:
    """Reshare: the same key, dealt again to a new set of nodes and/or a new threshold."""
    where = _where(committee, coordinator_home, nats, user, password_env, tls_ca, pin_file, pin_env, local, threshold)
    where.check_ids(participant=_ids(participant), new_member=_ids(new_member))
    build = _reshare(_ids(participant), [] if where.local is not None else _ids(new_member),
                     None if where.local is not None else new_threshold)
    _run(where, "reshare", build, as_json, change=(_ids(new_member), new_threshold))
