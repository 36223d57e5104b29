"""Responses a policy declares to detected misbehaviour (its optional `responses` section), and
how active responses transform the policy.

A response is data: on `count` events of one kind (within `window_seconds`), do these actions —
quarantine the parties the event names, raise every quorum by `by`, require post-quantum evidence
`above` an amount, freeze requests `above` an amount, trigger a proactive refresh, propose a
reshare without the parties named. Each timed action lasts `duration_seconds` (at most 90 days).
`effective_policy` applies the active ones to a base policy, giving the policy `evaluate` and
the signers use meanwhile: quarantined signers leave the signer set, quorums rise (never above
the signers left), the post-quantum threshold and the per-transaction limit fall. The state
machine that decides which are active is `pqzk.policy.responder`.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..errors import InvalidEncoding
from .model import Policy

ACTIONS = ("quarantine", "raise_quorum", "require_post_quantum", "freeze_above", "refresh", "propose_reshare")
TIMED = ("quarantine", "raise_quorum", "require_post_quantum", "freeze_above", "refresh")
NAMING = ("quarantine", "propose_reshare")             # act on the parties an event names
DEFAULT_RATE = (20, 3600)                               # events per source per seconds
DEFAULT_UNAUTHENTICATED_RATE = (20, 3600)               # unauthenticated events in all, per seconds
DEFAULT_PROPOSAL_SECONDS = 7 * 86_400                  # how long a proposal waits for its quorum


@dataclass(frozen=True)
class Response:
    """One action of a rule. `duration_seconds`: how long it lasts (for `refresh`: the cooldown
    before another; for `propose_reshare`: how long the proposal waits for approval)."""
    action: str
    duration_seconds: int | None = None
    by: int | None = None
    above: int | None = None
    approval: str = "automatic"            # "quorum": proposed, active only once a quorum approves

    def to_dict(self) -> dict:
        """The declared response as policy-document data (what `responses` in the policy file holds)."""
        out: dict = {"action": self.action}
        for k in ("duration_seconds", "by", "above"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        if self.approval != "automatic":
            out["approval"] = self.approval
        return out


@dataclass(frozen=True)
class Rule:
    """On `count` events of kind `on` within `window_seconds`, do `do`: counted per party named
    when the rule acts on parties (quarantine, propose_reshare), else per subject (a requester,
    a store, a log). Only authenticated events count unless `authenticated` is false,
    which no rule that quarantines or proposes a reshare may say."""
    on: str
    do: tuple[Response, ...]
    count: int = 1
    window_seconds: int | None = None
    authenticated: bool = True


@dataclass(frozen=True)
class ResponsePolicy:
    """The `responses` section: rules, the most parties quarantined at once, rate limits."""
    rules: tuple[Rule, ...]
    max_quarantined: int
    rate_limit: tuple[int, int] = DEFAULT_RATE
    unauthenticated_rate_limit: tuple[int, int] = DEFAULT_UNAUTHENTICATED_RATE


def _bad(path: str, message: str) -> InvalidEncoding:
    return InvalidEncoding(f"policy $.responses{path}: {message}")


def _response(path: str, d: dict) -> Response:
    r = Response(d["action"], d.get("duration_seconds"), d.get("by"), d.get("above"), d.get("approval", "automatic"))
    if r.action in TIMED and r.duration_seconds is None:
        raise _bad(f"{path}.duration_seconds", f"required for {r.action} (every response is bounded in time)")
    if r.action == "raise_quorum" and r.by is None:
        raise _bad(f"{path}.by", "required for raise_quorum")
    if r.action in ("require_post_quantum", "freeze_above") and r.above is None:
        raise _bad(f"{path}.above", f"required for {r.action}")
    extra = [k for k, ok in (("by", r.action == "raise_quorum"),
                             ("above", r.action in ("require_post_quantum", "freeze_above"))) if k in d and not ok]
    if extra:
        raise _bad(f"{path}.{extra[0]}", f"does not apply to {r.action}")
    if r.action == "propose_reshare":
        if "approval" in d and r.approval != "quorum":
            raise _bad(f"{path}.approval", "a reshare is always approved by a quorum")
        r = replace(r, approval="quorum")
    return r


def parse_responses(policy: Policy) -> ResponsePolicy | None:
    """The policy's `responses` section (schema-checked already), with what a schema cannot say."""
    doc = policy.source.get("responses")
    if doc is None:
        return None
    n = len(policy.signers)
    floor = max([policy.quorum.min_signers, *(t.quorum.min_signers for t in policy.tiers),
                 (policy.change_quorum or policy.quorum).min_signers])
    most = n - floor
    max_q = doc.get("max_quarantined", most)
    if max_q > most:
        raise _bad(".max_quarantined", f"{max_q} would leave fewer signers than a quorum needs "
                                       f"({n} signers, quorums up to {floor}): at most {most}")
    rules = []
    for i, r in enumerate(doc.get("rules", ())):
        do = tuple(_response(f".rules[{i}].do[{j}]", d) for j, d in enumerate(r["do"]))
        rule = Rule(r["on"], do, r.get("count", 1), r.get("window_seconds"), r.get("authenticated", True))
        if not rule.authenticated and any(x.action in NAMING for x in do):
            raise _bad(f".rules[{i}].authenticated", "a rule that quarantines or proposes a reshare counts "
                                                     "authenticated events only (an unauthenticated alarm "
                                                     "cannot name a party)")
        if rule.count > 1 and rule.window_seconds is None:
            raise _bad(f".rules[{i}].window_seconds", "required when count > 1")
        rules.append(rule)

    def rate(key: str, default: tuple[int, int]) -> tuple[int, int]:
        return (doc[key]["events"], doc[key]["seconds"]) if key in doc else default
    return ResponsePolicy(tuple(rules), max_q, rate("rate_limit", DEFAULT_RATE),
                          rate("unauthenticated_rate_limit", DEFAULT_UNAUTHENTICATED_RATE))


@dataclass(frozen=True)
class Active:
    """A response in force from `since` until `until` (exclusive), caused by input `cause` (the
    sequence number of the responder record that holds the event). `party` for a quarantine,
    `value` the `by`/`above` of the others."""
    id: int
    action: str
    since: int
    until: int
    cause: int
    party: int | None = None
    value: int | None = None

    def to_dict(self) -> dict:
        """The active response as JSON-ready data (`pqzk policy explain --responses --json`)."""
        out = {"id": self.id, "action": self.action, "since": self.since, "until": self.until, "cause": self.cause}
        if self.party is not None:
            out["party"] = self.party
        if self.value is not None:
            out["value"] = self.value
        return out

    def describe(self) -> str:
        """One line for a person: what this response does and until when."""
        what = {"quarantine": f"signer {self.party} quarantined (out of every signer set)",
                "raise_quorum": f"every quorum raised by {self.value}",
                "require_post_quantum": f"post-quantum evidence required above {self.value}",
                "freeze_above": f"requests above {self.value} frozen",
                "refresh": "proactive refresh triggered (no other before the cooldown ends)"}[self.action]
        return f"{what}, until {self.until} (cause: record {self.cause})"


def effective_policy(base: Policy, active: Iterable[Active]) -> Policy:
    """The base policy with the active responses applied (a new Policy, same version, without the
    `responses` section: its digest differs, and authorizations made meanwhile bind it). Raised quorums stop at the signers left;
    InvalidEncoding if the result is not a consistent policy (the responder never lets that be)."""
    active = list(active)
    if not active:
        return base
    doc = copy.deepcopy(base.source)
    doc.pop("responses", None)          # a derived policy: it evaluates requests, it does not respond
    out = {str(a.party) for a in active if a.action == "quarantine"}
    doc["signers"] = {k: v for k, v in doc["signers"].items() if k not in out}
    by = max((a.value for a in active if a.action == "raise_quorum"), default=0)
    left = len(doc["signers"])
    for q in [doc["quorum"], *(t["quorum"] for t in doc.get("tiers", ()))]:
        q["min_signers"] = min(q["min_signers"] + by, max(q["min_signers"], left))
    for action, section, key in (("require_post_quantum", "post_quantum", "required_above"),
                                 ("freeze_above", "limits", "per_transaction")):
        values = [a.value for a in active if a.action == action]
        if values:
            current = doc.get(section, {}).get(key)
            doc.setdefault(section, {})[key] = min(values + ([current] if current is not None else []))
    return Policy.from_dict(doc)


__all__ = ["ACTIONS", "Active", "Response", "ResponsePolicy", "Rule", "effective_policy", "parse_responses"]
