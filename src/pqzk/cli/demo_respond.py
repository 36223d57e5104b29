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
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ..policy import Policy
    from ..policy.audit import AuditLog
    from ..runtime import dkg_with_honest_quorum

    check_scenario(scenario)
    policy = Policy.from_dict(scenario["policy"])
    names = {int(k): v for k, v in scenario["parties"].items()}
    if sorted(names) != list(policy.signers):
        raise InvalidEncoding(f"scenario.parties: {sorted(names)} are not the policy's signers "
                              f"{list(policy.signers)}")
    n.step(", ".join(names.values()), f"run a DKG (pqzk.runtime): one {scenario['suite']} key, "
                                      f"any {scenario['threshold']} of {len(names)} sign")
    kps, pkp, _, _ = dkg_with_honest_quorum(scenario["suite"], sorted(names), scenario["threshold"], rng=n.rng)
    n.secret("key shares", "each party its own")
    config = policy.responses
    n.step("custodians", f"adopt a policy declaring {len(config.rules) if config else 0} response rules; at most "
                         f"{config.max_quarantined if config else 0} parties quarantined at once")
    for rule in config.rules if config else ():
        n.public(f"on {rule.on}" + ("" if rule.authenticated else " (even unauthenticated)"),
                 ", ".join(r.action for r in rule.do))
    with tempfile.TemporaryDirectory() as tmp:
        from ..math.rand import random_bytes
        audit_key = Ed25519PrivateKey.from_private_bytes(random_bytes(32, n.rng))
        with AuditLog(Path(tmp) / "audit.db", audit_key) as log:
            story = _Story(n, names, policy, kps, pkp, log, audit_key, scenario["start"])
            for step in scenario["steps"]:
                story.step(step)
            story.journal()


class _Story:
    """One scenario's custody group, responder and audit log, told step by step."""

    def __init__(self, n: Narrator, names: dict, policy, kps, pkp, log, audit_key, start: int) -> None:
        from ..policy.responder import Responder
        self.n, self.names, self.log, self.audit_key, self.start = n, names, log, audit_key, start
        self.keys = (kps, pkp)
        self.responder = Responder(policy, key_threshold=pkp.min_signers, now=start)
        self.waiting = None              # a policy change waiting for its cooling-off: (policy, effective_at)

    def who(self, i: int) -> str:
        return f"{self.names.get(i, i)} ({i})"

    def journal(self) -> None:
        for body in self.responder.take_records():
            self.log.append("note", body)

    def respond(self, actions) -> None:
        """Record what the responder did and say it (extensions of a response already told are not)."""
        self.journal()
        for a in actions:
            if a.reason == "extended":
                continue
            if a.op in ("quarantine", "raise_quorum", "require_post_quantum", "freeze_above", "refresh"):
                self.n.ok(f"respond: {a.op}" + (f" {self.who(a.party)}" if a.party else "")
                          + (f" {a.value}" if a.value is not None else "") + f" until {a.until}")
            elif a.op == "propose":
                self.n.ok(f"respond: {a.reason} without {[self.who(p) for p in a.parties]} proposed; "
                          "it waits for a quorum")
            elif a.op == "capped":
                self.n.ok(f"bounded: {a.reason}")
            elif a.op == "lift":
                self.n.ok(f"lifted: {self.who(a.party)} ({a.reason})")

    def custody(self, now: int):
        from ..policy.custody import Custody
        return Custody(self.responder.effective_policy(now), self.keys[0], self.keys[1], audit=self.log, rng=self.n.rng)

    def step(self, step: dict) -> None:
        now = self.start + step["at"]
        self.respond(self.responder.tick(now))
        if self.waiting is not None and now >= self.waiting[1]:
            self.respond(self.responder.rebase(self.waiting[0], now))
            self.waiting = None
        getattr(self, "_" + step["do"])(step, now, step.get("name", step["do"]))

    def _request(self, step: dict, now: int, name: str) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        from ..policy import AuthorizationRequest
        from ..policy.authorization import verify_authorization
        from ..policy.events import events_from_outcome
        from ..runtime.adversary import Deviant, Deviation
        h = hashlib.sha256(f"{name}/{now}".encode()).digest()
        req = AuthorizationRequest(h[:16], hashlib.sha256(b"tx" + h).digest(), now, self.responder.base.version,
                                   step["amount"], "alice")
        custody = self.custody(now)
        swap = {}
        if step.get("cheat") is not None:
            cheat = step["cheat"]
            self.n.step(self.who(cheat), "flips a bit of its FROST signature share (and signs the message)")
            swap = {cheat: Deviant(custody.signers[cheat], [Deviation(1, "flip", pos=-3)])}
        self.n.step("requester", f"{name}: {step['amount']} to alice")
        out = custody.authorize(req, now, candidates=step.get("candidates"), signers=swap)
        if out.authorization is not None:
            verify_authorization(out.authorization, req, custody.policy_at(now), self.keys[1])
            Ed25519PublicKey.from_public_bytes(out.authorization.group_key).verify(
                out.authorization.signature, out.authorization.digest())
            self.n.public(f"{name}: signers", list(out.authorization.signers))
            self.n.ok("authorized; the signature verifies under the same group key")
            return
        culprits = list(getattr(out.error, "culprits", []))
        if culprits:
            self.n.public("culprits", culprits)
            self.n.ok(f"detect: the signing aborts naming {[self.who(c) for c in culprits]} — proven by its own "
                      "signed share, never a guess")
        else:
            self.n.public(f"{name}: refused", out.rule)
        for event in events_from_outcome(out, requester="requester", time=now, source="coordinator"):
            self.respond(self.responder.handle(event, now))
        self.n.public("quarantined", self.responder.quarantined(now))

    def _alarms(self, step: dict, now: int, name: str) -> None:
        from ..policy.events import Event, EventKind
        self.n.step("attacker", f"sends {step['count']} alarms naming {step['naming']}, unsigned, "
                                "from as many made-up sources")
        before = self.responder.seq
        for k in range(step["count"]):
            event = Event.alarm(EventKind.PROTOCOL_ABORT, time=now, source=f"alarm-{k}", parties=step["naming"],
                                subject="signing", detail="trust me")
            self.respond(self.responder.handle(event, now))
        self.n.public("alarms recorded (the rest over the rate limit)", self.responder.seq - before)
        self.n.public("quarantined", self.responder.quarantined(now))
        self.n.ok("an unauthenticated alarm names nobody: the quarantine is unchanged")

    def _approve(self, step: dict, now: int, name: str) -> None:
        pending = [p for p in self.responder.pending(now) if p.response.action == "propose_reshare"]
        if not pending:
            self.n.ok("no reshare is pending")
        for p in pending:
            self.n.step(", ".join(self.who(i) for i in step["approvers"]),
                        f"approve the reshare without {[self.who(i) for i in p.parties]} (the change quorum; "
                        "a quarantined party has no vote)")
            [action] = self.responder.approve(p.id, step["approvers"], now)
            self.respond([action])
            if action.op == "reshare":
                self._reshare(action, step["approvers"], now)

    def _reshare(self, action, approvers: list[int], now: int) -> None:
        from ..policy import recover
        out = set(action.parties) | set(self.responder.quarantined(now))
        self.n.step(", ".join(self.who(i) for i in self.keys[0] if i not in out),
                    f"reshare the key to {[self.who(i) for i in action.members]}, threshold {action.value}")
        kps, pkp = recover.reshare(action, self.keys[0], self.keys[1], quarantined=self.responder.quarantined(now),
                                   rng=self.n.rng)
        if pkp.verifying_key != self.keys[1].verifying_key:
            raise AssertionError("a reshare must keep the group key")
        self.keys = (kps, pkp)
        self.n.public("new holders", sorted(kps))
        self.n.ok("recover: same group key, new shares; the removed party's share combines with nobody's any more")
        new_policy = recover.policy_without(self.responder.base, action.parties)
        voters = [i for i in approvers if i not in action.parties]
        self.custody(now).change_policy(new_policy, voters, now)
        wait = self.responder.base.cooling_off_seconds
        self.n.step(", ".join(self.who(i) for i in voters),
                    f"change the policy to v{new_policy.version} without {[self.who(i) for i in action.parties]} "
                    f"(time-locked: {wait} s cooling-off)")
        self.waiting = (new_policy, now + wait)
        if wait == 0:
            self.respond(self.responder.rebase(new_policy, now))
            self.waiting = None
            self.n.ok("the quarantine ends with the policy change: the culprit is no longer a signer")

    def _replay(self, step: dict, now: int, name: str) -> None:
        from ..policy.responder import replay_log
        self.journal()
        r = self.responder
        again = replay_log(self.log.path, self.audit_key.public_key().public_bytes_raw())
        self.n.public("responder records in the audit log", again.seq)
        self.n.public("replayed state matches", (again.active, again.proposals, again.seq) ==
                      (r.active, r.proposals, r.seq))
        self.n.ok("every response is in the signed audit log with the event that caused it, and replays to "
                  "the same state")


def chapter(n: Narrator) -> None:
    """The demo chapter: tell `SCENARIO` (detect, respond, recover)."""
    n.chapter("Self-correcting custody: detect, respond, recover")
    run_scenario(n, SCENARIO)
