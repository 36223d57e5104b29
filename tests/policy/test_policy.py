"""Policy model, evaluation rules, quorums and changes; hypothesis properties of `evaluate`."""
import copy
import json

import pytest
from hypothesis import given, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, PolicyViolation
from pqzk.policy.evaluate import check_signers, evaluate, explain
from pqzk.policy.model import Policy, load_policy
from pqzk.policy.request import AuthorizationRequest, History, HistoryEntry, PrivateTerms
from pqzk.policy.state import PolicyState

DOC = {
    "version": 1, "name": "treasury",
    "signers": {"1": {"roles": ["ops"]}, "2": {"roles": ["ops"]}, "3": {"roles": ["security"]},
                "4": {"roles": ["security"]}, "5": {"roles": ["ops"]}},
    "quorum": {"min_signers": 3},
    "tiers": [{"above": 10_000, "quorum": {"min_signers": 4, "roles": {"security": 1}}}],
    "limits": {"per_transaction": 50_000, "windows": [{"seconds": 3600, "max_amount": 60_000}]},
    "destinations": {"whitelist": ["alice", "bob"], "blacklist": ["mallory"]},
    "time_lock": {"not_before": 1_000, "cooling_off_seconds": 86_400},
    "post_quantum": {"required_above": 20_000},
    "request_expiry_seconds": 600,
    "change_quorum": {"min_signers": 4, "roles": {"security": 2}},
}
POLICY = Policy.from_dict(DOC)
NOW = 10_000


def req(amount=100, dest="alice", t=NOW, rid=b"r" * 16, version=1):
    return AuthorizationRequest(rid, b"\x11" * 32, t, version, amount, dest)


def with_doc(**changes):
    d = copy.deepcopy(DOC)
    for path, value in changes.items():
        node = d
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return d


@pytest.mark.parametrize("doc,path", [
    (with_doc(version=0), r"\$\.version"),
    (with_doc(limits__per_transaction=-1), r"\$\.limits\.per_transaction"),
    (with_doc(limits__windows=[{"seconds": 0, "max_amount": 5}]), r"\$\.limits\.windows\[0\]\.seconds"),
    (with_doc(quorum={"min_signers": "3"}), r"\$\.quorum\.min_signers"),
    (with_doc(surprise=1), r"\$: Additional properties"),
    (with_doc(quorum={"min_signers": 6}), r"\$\.quorum\.min_signers: 6 exceeds the 5 signers"),
    (with_doc(change_quorum={"min_signers": 2, "roles": {"security": 3}}), r"\$\.change_quorum\.roles\.security"),
    (with_doc(destinations={"whitelist": ["x"], "blacklist": ["x"]}), "both whitelist and blacklist"),
    (with_doc(quorum={"min_signers": 2}), r"\$\.limits\.windows: window limits need quorums that overlap .* 2 of 5"),
    (with_doc(tiers=[{"above": 10, "quorum": {"min_signers": 2}}]), r"\$\.limits\.windows: .* at least 3"),
])
def test_invalid_policies_name_the_path(doc, path):
    with pytest.raises(InvalidEncoding, match=path):
        Policy.from_dict(doc)


def test_window_limits_need_overlapping_quorums():
    """Each signer counts what it signed or saw announced: two quorums with no signer in common
    would each count only their own authorizations. 3 of 5 (or 3 of 4) always share a signer."""
    assert Policy.from_dict(with_doc(quorum={"min_signers": 3})).quorum.min_signers == 3
    four = with_doc(signers={str(i): {"roles": ["ops", "security"]} for i in (1, 2, 3, 4)}, change_quorum={"min_signers": 2})
    Policy.from_dict({**four, "quorum": {"min_signers": 3}})
    with pytest.raises(InvalidEncoding, match="2 of 4 signers"):
        Policy.from_dict({**four, "quorum": {"min_signers": 2}})
    no_window = with_doc(quorum={"min_signers": 2})
    no_window["limits"] = {"per_transaction": 50_000}
    assert Policy.from_dict(no_window).windows == ()           # without a window limit, any quorum


def test_load_toml_and_json(tmp_path):
    j = tmp_path / "p.json"
    j.write_text(json.dumps(DOC))
    assert load_policy(j) == POLICY
    t = tmp_path / "p.toml"
    t.write_text('version = 1\nname = "small"\nquorum = { min_signers = 2 }\n'
                 '[signers]\n1 = {}\n2 = {}\n3 = { roles = ["security"] }\n')
    p = load_policy(t)
    assert p.signers == (1, 2, 3) and p.quorum.min_signers == 2
    t.write_text("version = [")
    with pytest.raises(InvalidEncoding, match="not valid TOML"):
        load_policy(t)
    with pytest.raises(InvalidParameter, match="cannot read policy file .*missing.json: no such file"):
        load_policy(tmp_path / "missing.json")
    assert POLICY.digest() == Policy.from_dict(json.loads(json.dumps(DOC))).digest()
    assert POLICY.digest() != Policy.from_dict(with_doc(name="other")).digest()


@pytest.mark.parametrize("request_,history,now,rule", [
    (req(version=2), History(), NOW, "policy_version"),
    (req(), History((HistoryEntry(b"r" * 16, NOW - 5, 100),)), NOW, "replay"),
    (req(t=NOW - 601), History(), NOW, "expiry"),
    (req(t=NOW + 1000), History(), NOW, "expiry"),
    (req(t=500), History(), 500, "not_before"),
    (req(dest="mallory"), History(), NOW, "blacklist"),
    (req(dest="carol"), History(), NOW, "whitelist"),
    (req(amount=50_001), History(), NOW, "per_transaction_limit"),
    (req(amount=20_000), History((HistoryEntry(b"x" * 16, NOW - 100, 45_000),)), NOW, "window_limit[3600s]"),
])
def test_each_rule_fails_alone(request_, history, now, rule):
    d = evaluate(POLICY, request_, history, now)
    assert not d.allowed and d.rule == rule
    with pytest.raises(PolicyViolation) as exc:
        d.raise_if_denied()
    assert exc.value.rule == rule
    assert any(r == rule and status == "fail" for r, status, _ in explain(POLICY, request_, history, now))


def test_allowed_requests_carry_requirements():
    small = evaluate(POLICY, req(amount=100), History(), NOW)
    assert small.allowed and small.quorum.min_signers == 3 and not small.pq_required
    big = evaluate(POLICY, req(amount=25_000), History((HistoryEntry(b"x" * 16, NOW - 4000, 45_000),)), NOW)
    assert big.allowed and big.quorum.min_signers == 4 and big.pq_required
    check_signers(POLICY, big.quorum, [1, 2, 3, 5])
    with pytest.raises(PolicyViolation, match="role 'security'"):
        check_signers(POLICY, big.quorum, [1, 2, 5, 5, 1])
    with pytest.raises(PolicyViolation, match="3 signers"):
        check_signers(POLICY, big.quorum, [1, 2, 3])
    with pytest.raises(PolicyViolation, match=r"\[9\]"):
        check_signers(POLICY, small.quorum, [1, 2, 9])


def test_private_requests_count_their_proven_bound():
    priv = AuthorizationRequest(b"p" * 16, b"\x22" * 32, NOW, 1, private=PrivateTerms(30_000))
    d = evaluate(POLICY, priv, History(), NOW)
    assert d.allowed and d.pq_required and d.quorum.min_signers == 4
    assert evaluate(POLICY, priv, History((HistoryEntry(b"x" * 16, NOW - 1, 40_000),)), NOW).rule == "window_limit[3600s]"
    no_wl = Policy.from_dict(with_doc(destinations={"blacklist": ["mallory"]}))
    assert evaluate(no_wl, priv, History(), NOW).rule == "whitelist"
    with pytest.raises(InvalidParameter):
        AuthorizationRequest(b"p" * 16, b"\x22" * 32, NOW, 1, amount=5, destination="alice", private=PrivateTerms(5))
    with pytest.raises(InvalidParameter):
        AuthorizationRequest(b"short", b"\x22" * 32, NOW, 1, 5, "alice")
    assert AuthorizationRequest.from_dict(priv.to_dict()) == priv
    assert priv.digest() != req().digest()


def test_policy_change_needs_its_quorum_and_waits_for_the_time_lock():
    state = PolicyState(POLICY)
    v2 = Policy.from_dict(with_doc(version=2, limits={"per_transaction": 1}))
    with pytest.raises(PolicyViolation, match="role 'security'"):
        state.propose(v2, [1, 2, 3, 5], NOW)
    with pytest.raises(PolicyViolation, match="version 2"):
        state.propose(Policy.from_dict(with_doc(version=3)), [1, 2, 3, 4], NOW)
    pending = state.propose(v2, [1, 2, 3, 4], NOW)
    with pytest.raises(PolicyViolation, match="already pending"):
        pending.propose(v2, [1, 2, 3, 4], NOW + 1)
    assert pending.policy_at(NOW + 86_399).version == 1          # still locked
    assert pending.policy_at(NOW + 86_400).version == 2
    # requests made for the old version are refused once the new one is active
    assert evaluate(pending.policy_at(NOW + 86_400), req(t=NOW + 86_400), History(), NOW + 86_400).rule == "policy_version"


# ---- properties ----

amounts = st.integers(0, 80_000)
dests = st.sampled_from(["alice", "bob", "carol", "mallory"])


@st.composite
def histories(draw):
    n = draw(st.integers(0, 6))
    return History(tuple(HistoryEntry(bytes([i + 1]) * 16, NOW - draw(st.integers(0, 7200)), draw(st.integers(0, 30_000)))
                         for i in range(n)))


def _breaks_a_rule(r, h, now):
    amount = r.amount
    return (r.request_id in {e.request_id for e in h.entries} or now > r.time + 600 or r.time > now + 300
            or now < 1000 or r.destination in ("mallory", "carol") or amount > 50_000
            or h.spent_since(now - 3600) + amount > 60_000)


@given(amounts, dests, histories(), st.integers(-700, 400), st.binary(min_size=16, max_size=16))
def test_no_request_breaking_a_rule_is_allowed(amount, dest, history, dt, rid):
    r = req(amount, dest, NOW + dt, rid)
    d = evaluate(POLICY, r, history, NOW)
    assert d.allowed == (not _breaks_a_rule(r, history, NOW))


@given(amounts, st.sampled_from(["alice", "bob"]), st.sets(st.integers(1, 5), min_size=1))
def test_compliant_request_with_enough_signers_is_authorized(amount, dest, signers):
    d = evaluate(POLICY, req(min(amount, 50_000), dest), History(), NOW)
    assert d.allowed
    enough = len(signers) >= d.quorum.min_signers and all(
        sum(role in POLICY.roles_of(s) for s in signers) >= k for role, k in d.quorum.roles)
    try:
        check_signers(POLICY, d.quorum, signers)
        assert enough
    except PolicyViolation:
        assert not enough
