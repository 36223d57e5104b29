"""The policy rules as data (`pqzk.policy.rules`): evaluate, explain, the JSON Schema, the docs table
and the compliance statement's clause names all agree with `RULES`; post-quantum evidence is
required in one place, and every reader of it follows it."""
import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pqzk.errors import PolicyViolation, VerificationError
from pqzk.policy.authorization import verify_authorization
from pqzk.policy.custody import Custody
from pqzk.policy.evaluate import evaluate, explain
from pqzk.policy.model import Policy, schema
from pqzk.policy.request import AuthorizationRequest, History, HistoryEntry, PrivateTerms
from pqzk.policy.rules import (CHECK, CHECKS, FAIL, OTHER_FIELDS, REQUIREMENT, RULES, markdown_table,
                               pq_evidence_required, required_quorum, rule_named)
from pqzk.zk import compliance

from flow_fixtures import group, req
from test_policy import DOC, NOW, POLICY

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policy.md"
TABLE_BEGIN = "<!-- rules table: pqzk.policy.rules.markdown_table() -->\n"
TABLE_END = "<!-- end of rules table -->"
SNAKE = re.compile(r"[a-z]+(_[a-z]+)*")


def _schema_fields(node: dict, prefix: str = "") -> set[str]:
    """The policy's fields as JSON paths below $: a section (an object with properties) is opened,
    anything else (a value, a list, a $ref, a map) is one field."""
    out = set()
    for name, sub in node.get("properties", {}).items():
        path = prefix + name
        out |= _schema_fields(sub, path + ".") if "properties" in sub else {path}
    return out


def test_rule_names_are_unique_snake_case_and_kinds_known():
    names = [r.name for r in RULES]
    assert len(set(names)) == len(names)
    assert all(SNAKE.fullmatch(n) for n in names), names
    assert {r.kind for r in RULES} == {CHECK, REQUIREMENT}
    assert CHECKS == tuple(r for r in RULES if r.kind == CHECK)
    assert rule_named("window_limit[3600s]").name == "window_limit"
    with pytest.raises(KeyError):
        rule_named("window_limits")                 # a prefix of another name is not that rule


def test_schema_fields_agree_with_rules():
    fields = _schema_fields(schema())
    read = {f for r in RULES for f in r.reads}
    assert read <= fields, f"rules read fields the schema does not have: {read - fields}"
    assert set(OTHER_FIELDS) <= fields, set(OTHER_FIELDS) - fields
    assert not read & set(OTHER_FIELDS), read & set(OTHER_FIELDS)
    unclaimed = fields - read - set(OTHER_FIELDS)
    assert not unclaimed, f"schema fields no rule reads (add them to a Rule's reads, or to OTHER_FIELDS): {unclaimed}"


def test_schema_field_enumeration_sees_nested_fields():
    fields = _schema_fields(schema())
    assert {"limits.per_transaction", "limits.windows", "post_quantum.required_above", "quorum"} <= fields
    assert "limits" not in fields and "post_quantum" not in fields


def test_docs_rules_table_is_generated_from_rules():
    text = DOCS.read_text()
    assert text.count(TABLE_BEGIN) == 1 and text.count(TABLE_END) == 1
    table = text.split(TABLE_BEGIN)[1].split(TABLE_END)[0]
    assert table == markdown_table(), ("docs/policy.md's rules table differs from RULES: replace it with "
                                       "pqzk.policy.rules.markdown_table()")
    for rule in RULES:
        assert f"| `{rule.name}` |" in table


def test_compliance_clause_names_agree_with_rules():
    assert all(SNAKE.fullmatch(c) for c in compliance.CLAUSES)
    assert {r.compliance for r in RULES if r.compliance} == set(compliance.CLAUSES)


def _refused_clause(**change) -> str:
    policy = compliance.CompliancePolicy(b"p", limit=100, whitelist=(b"acme",), unlock_time=50, bits=16)
    values = {"amount": 10, "recipient": b"acme", "time": 60} | change
    _, opening = compliance.commit_transaction(policy, **values)
    with pytest.raises(PolicyViolation) as exc:
        compliance.check_policy(policy, opening)
    return exc.value.rule


def test_compliance_refusals_name_the_clauses():
    refused = [_refused_clause(amount=101), _refused_clause(recipient=b"mallory"), _refused_clause(time=49)]
    assert refused == [compliance.AMOUNT_LIMIT, compliance.RECIPIENT_WHITELIST, compliance.UNLOCK_TIME]
    assert set(refused) == set(compliance.CLAUSES)


# One request breaking each check rule alone, under the policy of test_policy (every rule configured).
VIOLATIONS = {
    "policy_version": (req(version=2), History(), NOW),
    "replay": (req(rid=b"r" * 16), History((HistoryEntry(b"r" * 16, NOW - 5, 100),)), NOW),
    "expiry": (req(t=NOW - 601), History(), NOW),
    "not_before": (req(t=500), History(), 500),
    "blacklist": (req(dest="mallory"), History(), NOW),
    "whitelist": (req(dest="carol"), History(), NOW),
    "per_transaction_limit": (req(amount=50_001), History(), NOW),
    "window_limit": (req(amount=20_000), History((HistoryEntry(b"x" * 16, NOW - 100, 45_000),)), NOW),
}


def test_every_check_rule_has_a_violation_here():
    assert set(VIOLATIONS) == {r.name for r in CHECKS}


@pytest.mark.parametrize("rule", CHECKS, ids=lambda r: r.name)
def test_each_rule_violation_is_named_alike_by_evaluate_and_explain(rule):
    request, history, now = VIOLATIONS[rule.name]
    d = evaluate(POLICY, request, history, now)
    assert not d.allowed and rule.covers(d.rule) and d.detail
    failed = [name for name, status, _ in explain(POLICY, request, history, now) if status == FAIL]
    assert failed[0] == d.rule                      # mallory is off the whitelist too: first is what decides


# ---- properties over random policies and requests ----

DESTS = ["a", "b", "c", "d"]


@st.composite
def policies(draw):
    n = draw(st.integers(1, 5))
    doc = {"version": draw(st.integers(1, 2)), "name": "p",
           "signers": {str(i): {"roles": draw(st.lists(st.sampled_from(["ops", "sec"]), unique=True))}
                       for i in range(1, n + 1)},
           "quorum": {"min_signers": n}}
    limits = {}
    if draw(st.booleans()):
        limits["per_transaction"] = draw(st.integers(0, 1000))
    if draw(st.booleans()):
        limits["windows"] = [{"seconds": draw(st.integers(1, 100)), "max_amount": draw(st.integers(0, 2000))}
                             for _ in range(draw(st.integers(1, 3)))]
    if limits:
        doc["limits"] = limits
    whitelist = draw(st.none() | st.sets(st.sampled_from(DESTS)))
    blacklist = draw(st.sets(st.sampled_from(DESTS))) - (whitelist or set())
    dest = {}
    if whitelist is not None:
        dest["whitelist"] = sorted(whitelist)
    if blacklist:
        dest["blacklist"] = sorted(blacklist)
    if dest:
        doc["destinations"] = dest
    if draw(st.booleans()):
        doc["time_lock"] = {"not_before": draw(st.integers(0, 200))}
    if draw(st.booleans()):
        doc["tiers"] = [{"above": draw(st.integers(0, 1000)), "quorum": {"min_signers": n}}]
    if draw(st.booleans()):
        doc["post_quantum"] = {"required_above": draw(st.integers(0, 1000))}
    if draw(st.booleans()):
        doc["request_expiry_seconds"] = draw(st.integers(1, 100))
    return Policy.from_dict(doc)


@st.composite
def cases(draw):
    policy = draw(policies())
    rid = draw(st.sampled_from([b"r" * 16, b"s" * 16]))
    t, version = draw(st.integers(0, 600)), draw(st.integers(1, 2))
    if draw(st.booleans()):
        request = AuthorizationRequest(rid, b"\x11" * 32, t, version, draw(st.integers(0, 1500)),
                                       draw(st.sampled_from(DESTS)))
    else:
        request = AuthorizationRequest(rid, b"\x11" * 32, t, version, private=PrivateTerms(draw(st.integers(0, 1500))))
    history = History(tuple(HistoryEntry(draw(st.sampled_from([b"r" * 16, b"x" * 16])), draw(st.integers(0, 600)),
                                         draw(st.integers(0, 800))) for _ in range(draw(st.integers(0, 3)))))
    return policy, request, history, draw(st.integers(0, 600))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(cases())
def test_evaluate_and_explain_name_the_same_rule(case):
    policy, request, history, now = case
    d = evaluate(policy, request, history, now)
    rows = explain(policy, request, history, now)
    failed = [name for name, status, _ in rows if status == FAIL]
    # every row belongs to a rule, in the order of RULES; requirements never fail
    order = [RULES.index(rule_named(name)) for name, _, _ in rows]
    assert order == sorted(order)
    assert all(rule_named(name).kind == CHECK for name in failed)
    if d.allowed:
        assert not failed
        assert d.pq_required == pq_evidence_required(policy, request)
        assert d.quorum == required_quorum(policy, request.charged_amount)
        assert ("quorum", "requires", d.quorum.describe()) in rows
        assert [s for name, s, _ in rows if name == "post_quantum"] == ["requires" if d.pq_required else "n/a"]
    else:
        assert failed and d.rule == failed[0] and rule_named(d.rule).kind == CHECK


def test_pq_evidence_required_at_its_boundary():
    assert not pq_evidence_required(POLICY, req(amount=20_000))
    assert pq_evidence_required(POLICY, req(amount=20_001))
    private = AuthorizationRequest(b"p" * 16, b"\x22" * 32, NOW, 1, private=PrivateTerms(20_001))
    assert pq_evidence_required(POLICY, private)                   # the proven bound counts
    unset = Policy.from_dict({k: v for k, v in DOC.items() if k != "post_quantum"})
    assert not pq_evidence_required(unset, req(amount=10**12))


def test_verify_authorization_asks_for_evidence_where_the_rule_requires_it():
    from flow_fixtures import custody
    r = req(amount=20_001)
    auth = custody().authorize(r, NOW).authorization
    assert auth.pq
    _, pkp, _, roster = group()
    verify_authorization(auth, r, POLICY, pkp, roster=roster)
    with pytest.raises(VerificationError, match="requires post-quantum evidence"):
        verify_authorization(dataclasses.replace(auth, pq_signatures=()), r, POLICY, pkp, roster=roster)
    edge = req(amount=20_000)
    plain = custody().authorize(edge, NOW).authorization
    assert not plain.pq
    verify_authorization(plain, edge, POLICY, pkp)


def test_a_lax_coordinator_derives_the_requirement_of_a_refused_request():
    """Asked to go ahead with a refused request, the coordinator still derives post-quantum evidence
    from the rule: without a roster it stops there; below the amount the signers refuse."""
    kps, pkp, _, _ = group()
    no_roster = Custody(POLICY, kps, pkp)
    out = no_roster.authorize(req(amount=20_001, dest="mallory"), NOW, precheck=False)
    assert out.authorization is None and out.error.rule == "post_quantum"
    out = no_roster.authorize(req(amount=20_000, dest="mallory"), NOW, precheck=False)
    assert out.authorization is None and out.error.rule == "blacklist"
