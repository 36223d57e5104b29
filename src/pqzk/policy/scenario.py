"""Scenario files for `pqzk authorize`: parties, a policy and a list of steps, run in process.

A scenario (TOML or JSON) names the policy file (relative to the scenario), the FROST ciphersuite
and threshold, optional display names for the parties, and the steps in order:

    policy = "policy.toml"
    suite = "FROST-ED25519-SHA512-v1"     # default
    threshold = 3                          # FROST threshold (default: the policy's quorum)
    post_quantum = "ML-DSA-44"             # each party registers an ML-DSA key of this kind
    seed = "classroom"                     # optional: reproducible (hence public!) keys; demos only

    [parties]
    1 = "Alice"

    [[steps]]                              # a request (the default kind)
    name = "payroll"
    time = 1_700_000_000                   # when the request is made (Unix seconds)
    now = 1_700_000_030                    # when the signers evaluate it (default: time)
    amount = 500
    destination = "alice"
    # optional: private = true, max_amount = 5000, policy_version = 1, replay_of = "payroll",
    #           silent = [3], candidates = [1, 2, 3], lax_coordinator = true

    [[steps]]
    kind = "policy_change"
    policy = "policy_v2.toml"
    approvers = [1, 3, 4, 5]
    now = 1_700_000_100

Keys come from a DKG among the parties run by pqzk.runtime. Each step's result is a `StepResult`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation, PqzkError
from .audit import AuditLog
from .documents import load_document
from .model import SIGNER_ID, load_policy
from .request import AuthorizationRequest

REQUEST_KEYS = {"kind", "name", "time", "now", "amount", "destination", "private", "max_amount", "policy_version",
                "replay_of", "silent", "candidates", "lax_coordinator"}
CHANGE_KEYS = {"kind", "name", "policy", "approvers", "now"}
TOP_KEYS = {"policy", "suite", "threshold", "post_quantum", "seed", "parties", "steps", "description"}


@dataclass
class StepResult:
    name: str
    kind: str
    allowed: bool
    rule: str
    detail: str
    signers: list[int] = field(default_factory=list)
    refusals: dict[int, str] = field(default_factory=dict)
    missing: list[int] = field(default_factory=list)
    private: bool = False
    pq: bool = False
    amount: int | None = None
    destination: str | None = None
    authorization: str = ""          # hex of Authorization.to_bytes()

    def to_dict(self) -> dict:
        """The step's result as a JSON-ready dict (what `pqzk authorize --json` prints)."""
        return {k: v for k, v in self.__dict__.items()}


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _Fields:
    """Type checks of one scenario file; every message names the file and the field's JSON path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, where: str, message: str) -> InvalidEncoding:
        return InvalidEncoding(f"scenario {self.path} {where}: {message}")

    def int(self, d: dict, key: str, where: str, *, minimum: int = 0) -> None:
        v = d.get(key)
        if v is not None and (not _is_int(v) or v < minimum):
            raise self.error(f"{where}.{key}", f"must be an integer >= {minimum}")

    def str(self, d: dict, key: str, where: str) -> None:
        if key in d and not isinstance(d[key], str):
            raise self.error(f"{where}.{key}", "must be a string")

    def bool(self, d: dict, key: str, where: str) -> None:
        if key in d and not isinstance(d[key], bool):
            raise self.error(f"{where}.{key}", "must be true or false")

    def ids(self, d: dict, key: str, where: str, parties: tuple[int, ...]) -> None:
        v = d.get(key)
        if v is None:
            return
        if not isinstance(v, list) or not all(_is_int(i) for i in v):
            raise self.error(f"{where}.{key}", "must be a list of party identifiers")
        unknown = sorted(set(i for i in v if i not in parties))
        if unknown:
            raise self.error(f"{where}.{key}", f"no party {unknown[0]} in the policy (parties: {list(parties)})")


def _int(step: dict, key: str, where: str, default=None) -> int | None:
    v = step.get(key, default)
    if v is not None and not _is_int(v):
        raise InvalidEncoding(f"scenario {where}.{key}: must be an integer")
    return v


def _ids(step: dict, key: str, where: str) -> list[int] | None:
    v = step.get(key)
    if v is None:
        return None
    if not isinstance(v, list) or not all(_is_int(i) for i in v):
        raise InvalidEncoding(f"scenario {where}.{key}: must be a list of party identifiers")
    return v


class Scenario:
    """A loaded scenario: the policy, the steps, and (after `setup`) the custody group.

    Loading checks every field's type, and that every party id a field names (parties, silent,
    candidates, approvers) is a signer of the policy, before any key is generated."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        f = _Fields(self.path)
        doc = load_document(self.path, "scenario")
        extra = set(doc) - TOP_KEYS
        if extra:
            raise f.error("$", f"unknown fields {sorted(extra)}")
        if "policy" not in doc or not isinstance(doc["policy"], str):
            raise f.error("$.policy", "the policy file name is required")
        for key in ("suite", "post_quantum", "description"):
            f.str(doc, key, "$")
        if "seed" in doc and not (isinstance(doc["seed"], str) or _is_int(doc["seed"])):
            raise f.error("$.seed", "must be a string or an integer")
        self.policy = load_policy(self.path.parent / doc["policy"])
        ids = self.policy.signers
        f.int(doc, "threshold", "$", minimum=1)
        self.suite = doc.get("suite", "FROST-ED25519-SHA512-v1")
        self.threshold = doc.get("threshold", self.policy.quorum.min_signers)
        if self.threshold > len(ids):
            raise f.error("$.threshold", f"{self.threshold} exceeds the policy's {len(ids)} parties")
        self.pq_params = doc.get("post_quantum")
        self.seed = doc.get("seed")
        self.description = doc.get("description", "")
        parties = doc.get("parties", {})
        if not isinstance(parties, dict):
            raise f.error("$.parties", "must be a table of id = name")
        self.names = {}
        for k, v in parties.items():
            if not SIGNER_ID.fullmatch(k):
                raise f.error(f"$.parties.{k[:20]}", "not a party identifier (ASCII digits, 1 or more)")
            if int(k) not in ids:
                raise f.error(f"$.parties.{k}", f"no party {k} in the policy (parties: {list(ids)})")
            if not isinstance(v, str):
                raise f.error(f"$.parties.{k}", "the name must be a string")
            self.names[int(k)] = v
        steps = doc.get("steps", [])
        if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
            raise f.error("$.steps", "must be a list of tables")
        for k, s in enumerate(steps):
            where = f"$.steps[{k}]"
            kind = s.get("kind", "request")
            allowed = REQUEST_KEYS if kind == "request" else CHANGE_KEYS if kind == "policy_change" else None
            if allowed is None:
                raise f.error(f"{where}.kind", "must be 'request' or 'policy_change'")
            extra = set(s) - allowed
            if extra:
                raise f.error(where, f"unknown fields {sorted(extra)}")
            for key in ("name", "destination", "replay_of", "policy"):
                f.str(s, key, where)
            for key in ("private", "lax_coordinator"):
                f.bool(s, key, where)
            for key in ("time", "now", "amount", "max_amount", "policy_version"):
                f.int(s, key, where)
            for key in ("silent", "candidates", "approvers"):
                f.ids(s, key, where, ids)
        self.steps = steps
        self.custody = None

    def name_of(self, i: int) -> str:
        """The scenario's name for party `i`, or "party i"."""
        return self.names.get(i, f"party {i}")

    def setup(self, audit: AuditLog | None = None):
        """DKG among the policy's signers (pqzk.runtime), ML-DSA roster, the Custody group."""
        from ..math.rand import DeterministicRNG
        from ..runtime import dkg_with_honest_quorum
        from .custody import Custody
        rng = DeterministicRNG(f"pqzk-scenario/{self.seed}") if self.seed is not None else None
        ids = list(self.policy.signers)
        try:
            kps, pkp, _, _ = dkg_with_honest_quorum(self.suite, ids, self.threshold, rng=rng)
        except (InvalidParameter, KeyError) as exc:
            raise InvalidEncoding(f"scenario: cannot run the DKG ({exc})") from None
        pq_keys = roster = None
        if self.pq_params:
            from ..pq import hybrid, mldsa
            pq_keys = {i: mldsa.keygen(self.pq_params, seed=rng(32) if rng else None) for i in ids}
            roster = hybrid.Roster(self.pq_params, {i: k.public_key for i, k in pq_keys.items()}, self.threshold)
        # the seed makes keys reproducible; signing nonces and blindings stay fresh (OS randomness):
        # a seeded nonce reused after the scenario is edited would leak the key
        self.custody = Custody(self.policy, kps, pkp, pq_keys=pq_keys, roster=roster, audit=audit)
        return self.custody

    def run(self, audit: AuditLog | None = None):
        """Yield a StepResult per step (setting up the group first if needed)."""
        if self.custody is None:
            self.setup(audit)
        made: dict[str, AuthorizationRequest] = {}
        for k, step in enumerate(self.steps):
            where = f"$.steps[{k}]"
            name = str(step.get("name", f"step {k + 1}"))
            if step.get("kind", "request") == "policy_change":
                yield self._change(step, name, where)
            else:
                yield self._request(step, name, where, made)

    def _change(self, step: dict, name: str, where: str) -> StepResult:
        if not isinstance(step.get("policy"), str):
            raise InvalidEncoding(f"scenario {where}.policy: the new policy file is required")
        new = load_policy(self.path.parent / step["policy"])
        approvers = _ids(step, "approvers", where) or []
        now = _int(step, "now", where, self.custody.now)
        try:
            self.custody.change_policy(new, approvers, now)
        except PolicyViolation as v:
            return StepResult(name, "policy_change", False, v.rule, v.detail, signers=sorted(approvers))
        eff = self.custody.state.pending.effective_at
        return StepResult(name, "policy_change", True, "allowed",
                          f"policy v{new.version} approved, effective at {eff}", signers=sorted(approvers))

    def _request(self, step: dict, name: str, where: str, made: dict) -> StepResult:
        from ..runtime import Silent, SimulatorRunner
        c = self.custody
        if "replay_of" in step:
            if step["replay_of"] not in made:
                raise InvalidEncoding(f"scenario {where}.replay_of: no earlier step named {step['replay_of']!r}")
            r = made[step["replay_of"]]
            t = r.time
        else:
            t = _int(step, "time", where)
            if t is None:
                raise InvalidEncoding(f"scenario {where}.time: required")
            amount, dest = _int(step, "amount", where), step.get("destination")
            if amount is None or not isinstance(dest, str):
                raise InvalidEncoding(f"scenario {where}: amount and destination are required")
            version = _int(step, "policy_version", where, c.policy_at(_int(step, "now", where, t)).version)
            seed = hashlib.sha256(f"pqzk-scenario/{self.path.name}/{k_name(name, made)}".encode()).digest()
            tx = hashlib.sha256(b"tx/" + seed).digest()
            if step.get("private"):
                from .private import private_request
                pol = c.policy_at(_int(step, "now", where, t))
                try:
                    r, _ = private_request(pol, amount, dest, tx, t, max_amount=_int(step, "max_amount", where),
                                           request_id=seed[:16])
                except PqzkError as exc:
                    return StepResult(name, "request", False, getattr(exc, "rule", "compliance_proof"), str(exc),
                                      private=True)
                r = AuthorizationRequest(r.request_id, r.tx_digest, r.time, version, private=r.private)
            else:
                r = AuthorizationRequest(seed[:16], tx, t, version, amount, dest)
        made[name] = r
        now = _int(step, "now", where, t)
        silent = _ids(step, "silent", where)
        runner = SimulatorRunner([Silent(sender=i) for i in silent], rng=c.rng) if silent else None
        out = c.authorize(r, now, candidates=_ids(step, "candidates", where), runner=runner,
                          precheck=not step.get("lax_coordinator", False))
        auth = out.authorization
        detail = out.decision.detail if auth is not None else getattr(out.error, "detail", None) or str(out.error)
        return StepResult(name, "request", auth is not None, out.rule, detail,
                          signers=list(auth.signers) if auth else [],
                          refusals={i: rule for i, (rule, _) in out.refusals.items()}, missing=out.missing,
                          private=r.private is not None, pq=bool(auth and auth.pq), amount=r.amount,
                          destination=r.destination, authorization=auth.to_bytes().hex() if auth else "")


def k_name(name: str, made: dict) -> str:
    """A unique label per request step (names may repeat)."""
    return f"{name}#{len(made)}"
