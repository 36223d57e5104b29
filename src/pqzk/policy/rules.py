"""Policy rules as data: one `Rule` per rule, the one definition every reader of a rule uses.

`evaluate` runs the checks of `RULES` in order (the first that fails decides), `explain` shows
every rule's findings, docs/policy.md's rules table is `markdown_table()`, and the tests hold the
JSON Schema (each rule's `reads`) and the compliance statement's clause names
(`pqzk.zk.compliance.CLAUSES`, each rule's `compliance`) to them. Adding a rule is adding a `Rule`
here (and its field to the schema and `Policy`).

A rule's `check` yields `Finding`s: one per rule, or one per instance (`window_limit[3600s]` for
each window). Whether post-quantum evidence is required is `pq_evidence_required`, and the quorum
an amount needs is `required_quorum`: evaluation, the coordinator and `verify_authorization` all
ask them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .model import Policy, Quorum
from .request import AuthorizationRequest, History

MAX_CLOCK_SKEW = 300     # seconds a request's time may run ahead of the evaluator's clock

PASS, FAIL, NOT_APPLICABLE, REQUIRES = "pass", "fail", "n/a", "requires"
CHECK, REQUIREMENT = "check", "requirement"


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one request: the name a refusal carries (an instance name such as
    `window_limit[3600s]` for rules with several), its status (pass, fail, n/a, requires), what
    `explain` shows, and the refusal's detail when it fails."""
    rule: str
    status: str
    why: str
    detail: str = ""


Check = Callable[[Policy, AuthorizationRequest, History, int], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """A policy rule: its snake_case name, what it means (the docs table), the policy fields it
    reads (JSON paths below `$`, as in the schema), its check, and the compliance-statement clause
    that carries it to a private request (whose amount and destination the signers never see).

    A `check` rule refuses a request when it fails; a `requirement` says what an allowed request
    needs (its quorum, post-quantum evidence) and never fails in `evaluate`."""
    name: str
    kind: str
    description: str
    reads: tuple[str, ...]
    check: Check
    compliance: str | None = None

    def findings(self, policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Iterator[Finding]:
        """This rule's findings for a request (several for a rule with instances)."""
        return self.check(policy, request, history, now)

    def covers(self, finding_rule: str) -> bool:
        """Whether a finding's (or refusal's) rule name is this rule or one of its instances."""
        return finding_rule == self.name or finding_rule.startswith(self.name + "[")


def required_quorum(policy: Policy, amount: int) -> Quorum:
    """The strongest tier whose threshold the amount exceeds, else the default quorum."""
    quorum = policy.quorum
    for tier in policy.tiers:
        if amount > tier.above:
            quorum = tier.quorum
    return quorum


def pq_evidence_required(policy: Policy, request: AuthorizationRequest) -> bool:
    """Whether an authorization of `request` must carry post-quantum evidence: its charged amount
    (a private request's proven bound) is above the policy's `post_quantum.required_above`."""
    above = policy.pq_required_above
    return above is not None and request.charged_amount > above


def _finding(rule: str, applies: bool, ok: bool, why: str, detail: str = "") -> Finding:
    return Finding(rule, (PASS if ok else FAIL) if applies else NOT_APPLICABLE, why, "" if ok else detail)


def _policy_version(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Iterator[Finding]:
    yield _finding("policy_version", True, request.policy_version == policy.version,
                   f"request v{request.policy_version}, policy v{policy.version}",
                   f"request is for policy version {request.policy_version}, the active one is {policy.version}")


def _replay(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Iterator[Finding]:
    yield _finding("replay", True, not history.seen(request.request_id), "request id not seen before",
                   "this request was already authorized")


def _expiry(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Iterator[Finding]:
    exp = policy.request_expiry_seconds
    future = request.time > now + MAX_CLOCK_SKEW
    expired = exp is not None and now > request.time + exp
    detail = ("request is dated in the future" if future
              else f"request expired {now - request.time - exp} s ago" if expired else "")
    yield _finding("expiry", True, not (future or expired),
                   f"created {request.time}, now {now}" + (f", valid {exp} s" if exp else ""), detail)


def _not_before(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Iterator[Finding]:
    nb = policy.not_before
    yield _finding("not_before", nb is not None, nb is None or now >= nb, f"not before {nb}",
                   f"policy allows no transaction before {nb}")


def _blacklist(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Iterator[Finding]:
    if request.private is None:
        yield _finding("blacklist", bool(policy.blacklist), request.destination not in policy.blacklist,
                       f"{len(policy.blacklist)} blacklisted destinations", "destination is blacklisted")


def _whitelist(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Iterator[Finding]:
    wl = policy.whitelist
    if request.private is None:
        yield _finding("whitelist", wl is not None, wl is None or request.destination in wl,
                       "destination checked against the whitelist", "destination is not on the whitelist")
    else:
        yield _finding("whitelist", True, wl is not None, "membership proven in zero knowledge",
                       "a private request needs a policy whitelist to prove membership in")


def _per_transaction(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Iterator[Finding]:
    limit, amount = policy.per_transaction, request.charged_amount
    yield _finding("per_transaction_limit", limit is not None, limit is None or amount <= limit,
                   f"amount {amount} vs limit {limit}", f"amount exceeds the per-transaction limit {limit}")


def _windows(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Iterator[Finding]:
    amount = request.charged_amount
    for w in policy.windows:
        spent = history.spent_since(now - w.seconds)
        yield _finding(f"window_limit[{w.seconds}s]", True, spent + amount <= w.max_amount,
                       f"{spent} spent + {amount} vs {w.max_amount}",
                       f"{spent} already spent in the last {w.seconds} s; limit {w.max_amount}")


def _quorum(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Iterator[Finding]:
    yield Finding("quorum", REQUIRES, required_quorum(policy, request.charged_amount).describe())


def _post_quantum(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Iterator[Finding]:
    above = policy.pq_required_above
    yield Finding("post_quantum", REQUIRES if pq_evidence_required(policy, request) else NOT_APPLICABLE,
                  f"above {above}" if above is not None else "not configured")


RULES: tuple[Rule, ...] = (
    Rule("policy_version", CHECK, "the request names the active policy version",
         ("version",), _policy_version),
    Rule("replay", CHECK, "the request id was not authorized before (the signer's history)",
         (), _replay),
    Rule("expiry", CHECK, f"the request is not older than the expiry, nor dated more than "
                          f"{MAX_CLOCK_SKEW} s in the future", ("request_expiry_seconds",), _expiry),
    Rule("not_before", CHECK, "nothing is authorized before this time",
         ("time_lock.not_before",), _not_before, compliance="unlock_time"),
    Rule("blacklist", CHECK, "the destination is not blacklisted (public requests: a private one "
                             "proves whitelist membership, and the lists are disjoint)",
         ("destinations.blacklist",), _blacklist),
    Rule("whitelist", CHECK, "the destination is on the whitelist (a private request proves it, "
                             "and needs a whitelist)", ("destinations.whitelist",), _whitelist,
         compliance="recipient_whitelist"),
    Rule("per_transaction_limit", CHECK, "the amount (a private request's proven bound) is at most the limit",
         ("limits.per_transaction",), _per_transaction, compliance="amount_limit"),
    Rule("window_limit", CHECK, "`window_limit[<seconds>s]`: the amounts authorized within the last "
                                "`seconds`, plus this one, are at most `max_amount`",
         ("limits.windows",), _windows, compliance="amount_limit"),
    Rule("quorum", REQUIREMENT, "the signers an allowed request needs: the highest tier the amount "
                                "exceeds, else the quorum (count and roles)",
         ("quorum", "tiers", "signers"), _quorum, compliance="amount_limit"),
    Rule("post_quantum", REQUIREMENT, "above this amount the authorization must carry post-quantum evidence",
         ("post_quantum.required_above",), _post_quantum, compliance="amount_limit"),
)
CHECKS: tuple[Rule, ...] = tuple(r for r in RULES if r.kind == CHECK)

# Policy fields no rule of `evaluate` reads, and what reads them instead (the schema test's other half).
OTHER_FIELDS: dict[str, str] = {
    "name": "a label; bound through the policy digest",
    "time_lock.cooling_off_seconds": "policy changes (`PolicyState`, `ChangeSigner`)",
    "change_quorum": "policy changes (`PolicyState`, `ChangeSigner`)",
    # self-correcting custody: the responder turns them into the effective policy these rules read
    "responses.rules": "the responder (`responses.py`, `responder.py`)",
    "responses.max_quarantined": "the responder's bound on quarantines",
    "responses.rate_limit": "the responder's rate limit on authenticated events",
    "responses.unauthenticated_rate_limit": "the responder's rate limit on unauthenticated alarms",
}


def rule_named(name: str) -> Rule:
    """The rule a finding or refusal names (`window_limit[3600s]` is `window_limit`); KeyError if none."""
    for rule in RULES:
        if rule.covers(name):
            return rule
    raise KeyError(name)


def markdown_table() -> str:
    """docs/policy.md's rules table (a test keeps the document equal to it)."""
    lines = ["| rule | kind | reads | meaning | private request: clause |", "|---|---|---|---|---|"]
    for r in RULES:
        reads = ", ".join(f"`{f}`" for f in r.reads) or "—"
        clause = f"`{r.compliance}`" if r.compliance else "—"
        lines.append(f"| `{r.name}` | {r.kind} | {reads} | {r.description} | {clause} |")
    return "\n".join(lines) + "\n"
