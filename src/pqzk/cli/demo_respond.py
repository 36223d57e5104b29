"""Demo chapter: self-correcting custody — detect → respond → recover.

A custody group signs under a policy that declares responses. One signer corrupts its signature
share: the signing aborts naming it (detect); the responder quarantines it and proposes a reshare
(respond); an attacker's flood of unauthenticated alarms changes nothing; a quorum approves, the
committee reshares without the culprit and signing continues with the new shares (recover); the
audit log replays to the same responder state.

The story is a scenario (`run_scenario`): the chapter tells `SCENARIO`, and
`examples/self_correcting/scenario.toml` is the same story as a file to edit and rerun
(`python examples/self_correcting/walkthrough.py [SCENARIO.toml]`).
"""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from ..errors import InvalidEncoding
from .narrate import Narrator

POLICY = {
    "version": 1, "name": "self-correcting treasury",
    "signers": {str(i): {} for i in range(1, 6)},
    "quorum": {"min_signers": 3},
    "limits": {"per_transaction": 50_000},
    "responses": {
        "max_quarantined": 2,
        "rate_limit": {"events": 10, "seconds": 3600},
        "unauthenticated_rate_limit": {"events": 10, "seconds": 3600},
        "rules": [
            {"on": "protocol_abort", "do": [{"action": "quarantine", "duration_seconds": 7 * 86_400},
                                            {"action": "propose_reshare"}]},
            {"on": "protocol_abort", "authenticated": False, "count": 5, "window_seconds": 3600,
             "do": [{"action": "freeze_above", "above": 10_000, "duration_seconds": 3600}]},
        ],
    },
}
SCENARIO = {
    "description": "one signer cheats; the committee notices, shuts it out, and reshares without it",
    "policy": POLICY, "suite": "FROST-ED25519-SHA512-v1", "threshold": 3, "start": 1_700_000_000,
    "parties": {"1": "Ada", "2": "Ben", "3": "Chen", "4": "Dora", "5": "Eli"},
    "steps": [
        {"do": "request", "name": "payroll", "at": 0, "amount": 4_000},
        {"do": "request", "name": "Chen corrupts his share", "at": 60, "amount": 4_000, "cheat": 3,
         "candidates": [1, 2, 3]},
        {"do": "alarms", "name": "an attacker floods alarms", "at": 120, "count": 200, "naming": [1, 2, 4]},
        {"do": "approve", "name": "a quorum approves the reshare", "at": 180, "approvers": [1, 2, 4]},
        {"do": "request", "name": "signing goes on", "at": 240, "amount": 6_000},
        {"do": "replay", "name": "rebuild the responder from the audit log", "at": 300},
    ],
}
STEPS = {"request": {"amount", "cheat", "candidates"}, "alarms": {"count", "naming"}, "approve": {"approvers"},
         "replay": set()}


def _int(d: dict, key: str, where: str, *, low: int = 0, high: int = 2**63 - 1) -> int:
    v = d.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
        raise InvalidEncoding(f"{where}.{key}: an integer in [{low}, {high}] is required")
    return v


def _ids(d: dict, key: str, where: str) -> list[int]:
    v = d.get(key)
    if not isinstance(v, list) or not v or any(not isinstance(i, int) or isinstance(i, bool) or i < 1 for i in v):
        raise InvalidEncoding(f"{where}.{key}: a non-empty list of party identifiers is required")
    return v


def check_scenario(s: dict, where: str = "scenario") -> None:
    """Every field the runner uses, checked before any key is made (InvalidEncoding naming it)."""
    extra = set(s) - {"description", "policy", "suite", "threshold", "start", "parties", "steps"}
    if extra:
        raise InvalidEncoding(f"{where}: unknown field {sorted(extra)[0]!r}")
    _int(s, "threshold", where, low=2, high=64)
    _int(s, "start", where)
    if not isinstance(s.get("parties"), dict) or not s["parties"]:
        raise InvalidEncoding(f"{where}.parties: a table of identifier = name is required")
    if not isinstance(s.get("steps"), list) or not s["steps"]:
        raise InvalidEncoding(f"{where}.steps: a list of steps is required")
    for i, step in enumerate(s["steps"]):
        at = f"{where}.steps[{i}]"
        if not isinstance(step, dict) or step.get("do") not in STEPS:
            raise InvalidEncoding(f"{at}.do: one of {', '.join(STEPS)} is required")
        extra = set(step) - STEPS[step["do"]] - {"do", "name", "at"}
        if extra:
            raise InvalidEncoding(f"{at}: unknown field {sorted(extra)[0]!r} for a {step['do']} step")
        _int(step, "at", at)
        if step["do"] == "request":
            _int(step, "amount", at)
            if "cheat" in step:
                _int(step, "cheat", at, low=1)
            if "candidates" in step:
                _ids(step, "candidates", at)
        elif step["do"] == "alarms":
            _int(step, "count", at, low=1, high=10_000)
            _ids(step, "naming", at)
        elif step["do"] == "approve":
            _ids(step, "approvers", at)


def load_scenario(path: str | Path) -> dict:
    """A scenario file (TOML/JSON); its `policy` is a file name relative to it."""
    from ..policy.documents import load_document
    p = Path(path)
    s = load_document(p, "scenario file")
    if not isinstance(s.get("policy"), str):
        raise InvalidEncoding(f"scenario file {p}.policy: the policy file's name is required")
    s = {**s, "policy": load_document(p.parent / s["policy"], "policy file")}
    check_scenario(s, f"scenario file {p}")
    return s


def run_scenario(n: Narrator, scenario: dict) -> None:
    """Tell a scenario: every step narrated, every response shown with the event that caused it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    from ..policy import AuthorizationRequest, Policy
    from ..policy import recover
    from ..policy.audit import AuditLog
    from ..policy.authorization import verify_authorization
    from ..policy.custody import Custody
    from ..policy.events import Event, EventKind, events_from_outcome
    from ..policy.responder import Responder, replay_log
    from ..runtime import dkg_with_honest_quorum
    from ..runtime.adversary import Deviant, Deviation

    check_scenario(scenario)
    policy = Policy.from_dict(scenario["policy"])
    names = {int(k): v for k, v in scenario["parties"].items()}
    ids = sorted(names)
    if ids != list(policy.signers):
        raise InvalidEncoding(f"scenario.parties: {ids} are not the policy's signers {list(policy.signers)}")
    t0 = scenario["start"]
    who = lambda i: f"{names.get(i, i)} ({i})"                                      # noqa: E731

    n.step(", ".join(names.values()), f"run a DKG (pqzk.runtime): one {scenario['suite']} key, "
                                      f"any {scenario['threshold']} of {len(ids)} sign")
    kps, pkp, _, _ = dkg_with_honest_quorum(scenario["suite"], ids, scenario["threshold"])
    n.secret("key shares", "each party its own")
    rules = policy.responses.rules if policy.responses else ()
    n.step("custodians", f"adopt a policy declaring {len(rules)} response rules; at most "
                         f"{policy.responses.max_quarantined if policy.responses else 0} parties quarantined at once")
    for rule in rules:
        n.public(f"on {rule.on}" + ("" if rule.authenticated else " (even unauthenticated)"),
                 ", ".join(r.action for r in rule.do))

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "audit.db"
        audit_key = Ed25519PrivateKey.generate()
        with AuditLog(db, audit_key) as log:
            responder = Responder(policy, key_threshold=pkp.min_signers, now=t0)

            def journal() -> None:
                for body in responder.take_records():
                    log.append("note", body)

            def respond(actions) -> None:
                journal()
                for a in actions:
                    if a.reason == "extended":
                        continue
                    if a.op in ("quarantine", "raise_quorum", "require_post_quantum", "freeze_above", "refresh"):
                        n.ok(f"respond: {a.op}" + (f" {who(a.party)}" if a.party else "")
                             + (f" {a.value}" if a.value is not None else "") + f" until {a.until}")
                    elif a.op == "propose":
                        n.ok(f"respond: {a.reason} without {[who(p) for p in a.parties]} proposed; "
                             "it waits for a quorum")
                    elif a.op == "capped":
                        n.ok(f"bounded: {a.reason}")
                    elif a.op == "lift":
                        n.ok(f"lifted: {who(a.party)} ({a.reason})")

            custody = Custody(responder.effective_policy(), kps, pkp, audit=log)
            keys = (kps, pkp)
            for step in scenario["steps"]:
                now = t0 + step["at"]
                name = step.get("name", step["do"])
                actions = responder.tick(now)
                respond(actions)
                if step["do"] == "request":
                    h = hashlib.sha256(f"{name}/{now}".encode()).digest()
                    req = AuthorizationRequest(h[:16], hashlib.sha256(b"tx" + h).digest(), now,
                                               responder.base.version,
                                               step["amount"], "alice")
                    effective = responder.effective_policy(now)
                    custody = Custody(effective, keys[0], keys[1], audit=log)
                    cheat = step.get("cheat")
                    swap = {}
                    if cheat is not None:
                        n.step(who(cheat), "flips a bit of its FROST signature share (and signs the message)")
                        swap = {cheat: Deviant(custody.signers[cheat], [Deviation(1, "flip", pos=-3)])}
                    n.step("requester", f"{name}: {step['amount']} to alice")
                    out = custody.authorize(req, now, candidates=step.get("candidates"), signers=swap)
                    if out.authorization is not None:
                        verify_authorization(out.authorization, req, effective, keys[1])
                        Ed25519PublicKey.from_public_bytes(out.authorization.group_key).verify(
                            out.authorization.signature, out.authorization.digest())
                        n.public(f"{name}: signers", list(out.authorization.signers))
                        n.ok("authorized; the signature verifies under the same group key")
                    else:
                        culprits = list(getattr(out.error, "culprits", []))
                        if culprits:
                            n.public("culprits", culprits)
                            n.ok(f"detect: the signing aborts naming {[who(c) for c in culprits]} — proven by "
                                 "its own signed share, never a guess")
                        else:
                            n.public(f"{name}: refused", out.rule)
                        for event in events_from_outcome(out, requester="requester", time=now, source="coordinator"):
                            respond(responder.handle(event, now))
                        n.public("quarantined", responder.quarantined(now))
                elif step["do"] == "alarms":
                    n.step("attacker", f"sends {step['count']} alarms naming {step['naming']}, unsigned, "
                                       "from as many made-up sources")
                    before = responder.seq
                    for k in range(step["count"]):
                        event = Event.alarm(EventKind.PROTOCOL_ABORT, time=now, source=f"alarm-{k}",
                                            parties=step["naming"], subject="signing", detail="trust me")
                        respond(responder.handle(event, now))
                    n.public("alarms recorded (the rest over the rate limit)", responder.seq - before)
                    n.public("quarantined", responder.quarantined(now))
                    n.ok("an unauthenticated alarm names nobody: the quarantine is unchanged")
                elif step["do"] == "approve":
                    pending = [p for p in responder.pending(now) if p.response.action == "propose_reshare"]
                    if not pending:
                        n.ok("no reshare is pending")
                        continue
                    for p in pending:
                        n.step(", ".join(who(i) for i in step["approvers"]),
                               f"approve the reshare without {[who(i) for i in p.parties]} (the change quorum; "
                               "a quarantined party has no vote)")
                        [action] = responder.approve(p.id, step["approvers"], now)
                        respond([action])
                        if action.op != "reshare":
                            continue
                        n.step(", ".join(who(i) for i in ids if i not in action.parties
                                         and i not in responder.quarantined(now)),
                               f"reshare the key to {[who(i) for i in action.members]}, threshold {action.value}")
                        new_kps, new_pkp = recover.reshare(action, keys[0], keys[1],
                                                           quarantined=responder.quarantined(now))
                        assert new_pkp.verifying_key == keys[1].verifying_key
                        keys = (new_kps, new_pkp)
                        n.public("new holders", sorted(new_kps))
                        n.ok("recover: same group key, new shares; the removed party's share combines with "
                             "nobody's any more")
                        new_policy = recover.policy_without(responder.base, action.parties)
                        voters = [i for i in step["approvers"] if i not in action.parties]
                        Custody(responder.effective_policy(now), keys[0], keys[1], audit=log).change_policy(
                            new_policy, voters, now)
                        n.step(", ".join(who(i) for i in voters),
                               f"change the policy to v{new_policy.version} without "
                               f"{[who(i) for i in action.parties]} (time-locked: "
                               f"{responder.base.cooling_off_seconds} s cooling-off)")
                        if responder.base.cooling_off_seconds == 0:
                            respond(responder.rebase(new_policy, now))
                            n.ok("the quarantine ends with the policy change: the culprit is no longer a signer")
                elif step["do"] == "replay":
                    journal()
                    again = replay_log(db, audit_key.public_key().public_bytes_raw())
                    same = (again.active, again.proposals, again.seq) == (responder.active, responder.proposals,
                                                                         responder.seq)
                    n.public("responder records in the audit log", again.seq)
                    n.public("replayed state matches", same)
                    n.ok("every response is in the signed audit log with the event that caused it, and "
                         "replays to the same state")
            journal()


def chapter(n: Narrator) -> None:
    n.chapter("Self-correcting custody: detect, respond, recover")
    run_scenario(n, SCENARIO)
