"""Policy evaluation: a pure function of (policy, request, history, time) -> Decision.

Rules are checked in a fixed order and the first that fails decides; an allowed decision carries
what the authorization still needs (the quorum for the amount, post-quantum evidence or not).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import PolicyViolation
from .model import Policy, Quorum
from .request import AuthorizationRequest, History

MAX_CLOCK_SKEW = 300     # seconds a request's time may run ahead of the evaluator's clock


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str                     # the rule that decided ("allowed" when every rule passed)
    detail: str
    quorum: Quorum | None = None  # required signers, when allowed
    pq_required: bool = False

    def raise_if_denied(self) -> None:
        """Raise the `PolicyViolation` (rule and detail) when the decision is a refusal."""
        if not self.allowed:
            raise PolicyViolation(self.rule, self.detail)


def _deny(rule: str, detail: str) -> Decision:
    return Decision(False, rule, detail)


def required_quorum(policy: Policy, amount: int) -> Quorum:
    """The strongest tier whose threshold the amount exceeds, else the default quorum."""
    quorum = policy.quorum
    for tier in policy.tiers:
        if amount > tier.above:
            quorum = tier.quorum
    return quorum


def evaluate(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> Decision:
    """Decide a request. For a private request the caller has verified its compliance proof."""
    amount = request.charged_amount
    if request.policy_version != policy.version:
        return _deny("policy_version", f"request is for policy version {request.policy_version}, "
                                       f"the active one is {policy.version}")
    if history.seen(request.request_id):
        return _deny("replay", "this request was already authorized")
    if request.time > now + MAX_CLOCK_SKEW:
        return _deny("expiry", "request is dated in the future")
    if policy.request_expiry_seconds is not None and now > request.time + policy.request_expiry_seconds:
        return _deny("expiry", f"request expired {now - request.time - policy.request_expiry_seconds} s ago")
    if policy.not_before is not None and now < policy.not_before:
        return _deny("not_before", f"policy allows no transaction before {policy.not_before}")
    if request.private is None:
        if request.destination in policy.blacklist:
            return _deny("blacklist", "destination is blacklisted")
        if policy.whitelist is not None and request.destination not in policy.whitelist:
            return _deny("whitelist", "destination is not on the whitelist")
    elif policy.whitelist is None:
        return _deny("whitelist", "a private request needs a policy whitelist to prove membership in")
    if policy.per_transaction is not None and amount > policy.per_transaction:
        return _deny("per_transaction_limit", f"amount exceeds the per-transaction limit {policy.per_transaction}")
    for w in policy.windows:
        spent = history.spent_since(now - w.seconds)
        if spent + amount > w.max_amount:
            return _deny(f"window_limit[{w.seconds}s]",
                         f"{spent} already spent in the last {w.seconds} s; limit {w.max_amount}")
    quorum = required_quorum(policy, amount)
    pq = policy.pq_required_above is not None and amount > policy.pq_required_above
    return Decision(True, "allowed", f"all rules pass; needs {quorum.describe()}"
                    + ("; post-quantum evidence required" if pq else ""), quorum, pq)


def check_signers(policy: Policy, quorum: Quorum, signers: Iterable[int]) -> None:
    """The signer set satisfies the quorum (count and roles), or PolicyViolation('quorum')."""
    signers = sorted(set(signers))
    roles = dict(policy.signer_roles)           # once: per-signer lookups would make this quadratic
    unknown = [s for s in signers if s not in roles]
    if unknown:
        raise PolicyViolation("quorum", f"signers {unknown} are not in the policy")
    if len(signers) < quorum.min_signers:
        raise PolicyViolation("quorum", f"{len(signers)} signers, {quorum.describe()} required")
    for role, k in quorum.roles:
        have = sum(role in roles[s] for s in signers)
        if have < k:
            raise PolicyViolation("quorum", f"{have} signers with role {role!r}, {k} required")


def explain(policy: Policy, request: AuthorizationRequest, history: History, now: int) -> list[tuple[str, str, str]]:
    """Every rule with its status ('pass', 'fail', 'n/a') and why — for `pqzk policy explain`."""
    rows: list[tuple[str, str, str]] = []
    amount = request.charged_amount

    def row(rule: str, applies: bool, ok: bool, why: str) -> None:
        rows.append((rule, ("pass" if ok else "fail") if applies else "n/a", why))

    row("policy_version", True, request.policy_version == policy.version,
        f"request v{request.policy_version}, policy v{policy.version}")
    row("replay", True, not history.seen(request.request_id), "request id not seen before")
    exp = policy.request_expiry_seconds
    row("expiry", True, request.time <= now + MAX_CLOCK_SKEW and (exp is None or now <= request.time + exp),
        f"created {request.time}, now {now}" + (f", valid {exp} s" if exp else ""))
    row("not_before", policy.not_before is not None, policy.not_before is None or now >= policy.not_before,
        f"not before {policy.not_before}")
    if request.private is None:
        row("blacklist", bool(policy.blacklist), request.destination not in policy.blacklist,
            f"{len(policy.blacklist)} blacklisted destinations")
        row("whitelist", policy.whitelist is not None,
            policy.whitelist is None or request.destination in policy.whitelist,
            "destination checked against the whitelist")
    else:
        row("whitelist", True, policy.whitelist is not None, "membership proven in zero knowledge")
    row("per_transaction_limit", policy.per_transaction is not None,
        policy.per_transaction is None or amount <= policy.per_transaction,
        f"amount {amount} vs limit {policy.per_transaction}")
    for w in policy.windows:
        spent = history.spent_since(now - w.seconds)
        row(f"window_limit[{w.seconds}s]", True, spent + amount <= w.max_amount,
            f"{spent} spent + {amount} vs {w.max_amount}")
    q = required_quorum(policy, amount)
    rows.append(("quorum", "requires", q.describe()))
    pq = policy.pq_required_above is not None and amount > policy.pq_required_above
    rows.append(("post_quantum", "requires" if pq else "n/a",
                 f"above {policy.pq_required_above}" if policy.pq_required_above is not None else "not configured"))
    return rows
