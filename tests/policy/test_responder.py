"""Self-correcting custody: response declarations, the responder's bounds, replay from records,
and the alarm-flooding property (hypothesis)."""
import copy
import json

import pytest
from hypothesis import given, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, PolicyViolation, ProtocolAbort, VerificationError
from pqzk.policy import AuthorizationRequest, History, evaluate
from pqzk.policy.events import Event, EventKind
from pqzk.policy.model import Policy
from pqzk.policy.responder import Responder
from pqzk.policy.responses import effective_policy

T0 = 1_000_000
DAY = 86_400

RESPONSES = {
    "max_quarantined": 2,
    "rate_limit": {"events": 5, "seconds": 60},
    "unauthenticated_rate_limit": {"events": 3, "seconds": 60},
    "rules": [
        {"on": "protocol_abort", "do": [{"action": "quarantine", "duration_seconds": 7 * DAY},
                                        {"action": "propose_reshare"}]},
        {"on": "refused_request", "count": 3, "window_seconds": 600, "authenticated": False,
         "do": [{"action": "require_post_quantum", "above": 1_000, "duration_seconds": DAY},
                {"action": "freeze_above", "above": 5_000, "duration_seconds": DAY}]},
        {"on": "audit_failure", "do": [{"action": "refresh", "duration_seconds": DAY},
                                       {"action": "raise_quorum", "by": 1, "duration_seconds": DAY}]},
        {"on": "pin_failure", "count": 2, "window_seconds": 3600,
         "do": [{"action": "quarantine", "duration_seconds": DAY, "approval": "quorum"}]},
    ],
}
DOC = {
    "version": 1, "name": "treasury",
    "signers": {"1": {"roles": ["ops"]}, "2": {"roles": ["ops"]}, "3": {"roles": ["security"]},
                "4": {"roles": ["security"]}, "5": {"roles": ["ops"]}, "6": {"roles": ["ops"]},
                "7": {"roles": ["ops"]}},
    "quorum": {"min_signers": 4},
    "tiers": [{"above": 10_000, "quorum": {"min_signers": 5, "roles": {"security": 1}}}],
    "limits": {"per_transaction": 50_000},
    "post_quantum": {"required_above": 20_000},
    "responses": RESPONSES,
}
POLICY = Policy.from_dict(DOC)


def abort(*culprits, reason="signature share fails its check"):
    return ProtocolAbort(reason, culprits=culprits)


def named(*culprits, t=T0, source="coordinator"):
    return Event.from_abort(abort(*culprits), time=t, source=source, ceremony="signing")


def doc_with(**responses):
    d = copy.deepcopy(DOC)
    d["responses"] = {**RESPONSES, **responses}
    return d


# ---- declarations ----

def test_policy_without_responses_has_none():
    d = copy.deepcopy(DOC)
    del d["responses"]
    assert Policy.from_dict(d).responses is None
    assert POLICY.responses.max_quarantined == 2 and len(POLICY.responses.rules) == 4
    assert POLICY.responses.rules[0].do[1].approval == "quorum"        # a reshare always needs a quorum


@pytest.mark.parametrize("change, where", [
    ({"max_quarantined": 3}, "$.responses.max_quarantined"),            # 7 signers, quorums up to 5
    ({"rules": [{"on": "protocol_abort", "do": [{"action": "quarantine"}]}]}, "duration_seconds"),
    ({"rules": [{"on": "velocity", "do": [{"action": "raise_quorum", "duration_seconds": 5}]}]}, ".by"),
    ({"rules": [{"on": "velocity", "do": [{"action": "freeze_above", "duration_seconds": 5}]}]}, ".above"),
    ({"rules": [{"on": "velocity", "do": [{"action": "refresh", "duration_seconds": 5, "by": 1}]}]},
     "does not apply"),
    ({"rules": [{"on": "protocol_abort", "authenticated": False,
                 "do": [{"action": "quarantine", "duration_seconds": 5}]}]}, "authenticated"),
    ({"rules": [{"on": "velocity", "count": 3, "do": [{"action": "refresh", "duration_seconds": 5}]}]},
     "window_seconds"),
    ({"rules": [{"on": "protocol_abort", "do": [{"action": "propose_reshare", "approval": "automatic"}]}]},
     "always approved by a quorum"),
    ({"rules": [{"on": "meteor", "do": [{"action": "refresh", "duration_seconds": 5}]}]}, "$.responses.rules[0].on"),
    ({"rules": [{"on": "velocity", "do": [{"action": "refresh", "duration_seconds": 10**9}]}]},
     "duration_seconds"),
    ({"rules": [{"on": "velocity", "do": []}]}, "$.responses.rules[0].do"),
    ({"rate_limit": {"events": 0, "seconds": 1}}, "$.responses.rate_limit.events"),
    ({"surprise": 1}, "$.responses"),
])
def test_bad_response_declarations_are_refused_with_their_path(change, where):
    with pytest.raises(InvalidEncoding) as e:
        Policy.from_dict(doc_with(**change))
    assert where in str(e.value)


def test_effective_policy_transforms_signers_quorums_limits():
    from pqzk.policy.responses import Active
    active = [Active(1, "quarantine", T0, T0 + 10, 1, party=3), Active(2, "raise_quorum", T0, T0 + 10, 1, value=2),
              Active(3, "require_post_quantum", T0, T0 + 10, 1, value=1_000),
              Active(4, "freeze_above", T0, T0 + 10, 1, value=5_000)]
    eff = effective_policy(POLICY, active)
    assert eff.signers == (1, 2, 4, 5, 6, 7) and eff.version == POLICY.version
    assert eff.quorum.min_signers == 6 and eff.tiers[0].quorum.min_signers == 6      # 7 capped at the 6 left
    assert eff.pq_required_above == 1_000 and eff.per_transaction == 5_000
    assert eff.responses is None and eff.digest() != POLICY.digest()
    assert effective_policy(POLICY, []) is POLICY


# ---- the responder ----

def test_culprit_is_quarantined_and_excluded_from_signer_sets():
    r = Responder(POLICY, key_threshold=4, now=T0)
    actions = r.handle(named(3), T0)
    assert [a.op for a in actions] == ["quarantine", "propose"]
    assert actions[0].party == 3 and actions[0].until == T0 + 7 * DAY and actions[1].parties == (3,)
    eff = r.effective_policy()
    assert 3 not in eff.signers and r.quarantined() == [3]
    from pqzk.policy import check_signers
    with pytest.raises(PolicyViolation, match="not in the policy"):
        check_signers(eff, eff.quorum, [1, 2, 3, 4])
    # the same party named again extends, never duplicates
    again = r.handle(named(3, t=T0 + 100), T0 + 100)
    assert again[0].reason == "extended" and again[0].until == T0 + 100 + 7 * DAY
    assert r.quarantined() == [3] and [a.op for a in again] == ["quarantine"]      # the proposal is pending once
    # and it expires
    assert r.tick(T0 + 100 + 7 * DAY)[0].op == "expire"
    assert r.quarantined() == [] and r.effective_policy().signers == POLICY.signers


def test_quarantines_never_leave_fewer_signers_than_a_quorum():
    r = Responder(POLICY, key_threshold=4, now=T0)
    assert r.handle(named(1), T0)[0].op == "quarantine"
    assert r.handle(named(2), T0)[0].op == "quarantine"
    capped = r.handle(named(5), T0)[0]
    assert capped.op == "capped" and "at most 2" in capped.reason
    assert r.quarantined() == [1, 2]


def test_roles_bound_quarantine():
    """Quarantining both security officers would leave no signer set for the tier above 10 000."""
    r = Responder(POLICY, key_threshold=2, now=T0)
    assert r.handle(named(3), T0)[0].op == "quarantine"
    capped = r.handle(named(4), T0)[0]
    assert capped.op == "capped" and "security" in capped.reason and r.quarantined() == [3]


def test_key_threshold_bounds_quarantine():
    r = Responder(POLICY, key_threshold=6, now=T0)
    assert r.handle(named(6), T0)[0].op == "quarantine"
    assert "the key's threshold needs 6" in r.handle(named(7), T0)[0].reason


def test_unauthenticated_alarm_cannot_quarantine():
    r = Responder(POLICY, key_threshold=4, now=T0)
    fake = Event.alarm(EventKind.PROTOCOL_ABORT, time=T0, source="anyone", parties=[1, 2], subject="signing")
    actions = r.handle(fake, T0)
    assert [a.op for a in actions] == ["ignored"] and "authenticated" in actions[0].reason
    assert r.quarantined() == [] and r.pending() == []
    with pytest.raises(InvalidEncoding):
        Event.from_dict({**named(1).to_dict(), "authenticated": "yes"})


def test_repeated_refusals_tighten_then_expire():
    r = Responder(POLICY, key_threshold=4, now=T0)
    req = AuthorizationRequest(b"q" * 16, b"\x01" * 32, T0, 1, 3_000, "bob")
    assert evaluate(r.effective_policy(), req, History(), T0).allowed
    refusal = PolicyViolation("whitelist", "destination is not on the whitelist")
    for k in range(3):
        events = Event.from_refusal(refusal, requester="eve", time=T0 + k, source=f"gateway {k}")
        actions = [a for e in events for a in r.handle(e, T0 + k)]
    assert {a.op for a in actions} == {"require_post_quantum", "freeze_above"}
    d = evaluate(r.effective_policy(), req, History(), T0 + 3)
    assert d.allowed and d.pq_required                        # 3 000 > 1 000: evidence now required
    big = AuthorizationRequest(b"z" * 16, b"\x02" * 32, T0, 1, 6_000, "bob")
    assert evaluate(r.effective_policy(), big, History(), T0 + 3).rule == "per_transaction_limit"
    r.tick(T0 + 2 + DAY)
    assert r.effective_policy() is POLICY


def test_refresh_has_a_cooldown_and_raise_is_capped():
    r = Responder(POLICY, key_threshold=4, now=T0)
    fail = Event(EventKind.AUDIT_FAILURE, T0, "local", (), "node3/audit.db", "record 5 differs", True, "verify_log")
    assert [a.op for a in r.handle(fail, T0)] == ["refresh", "raise_quorum"]
    second = r.handle(fail, T0 + 10)
    assert second[0].op == "capped" and "next one after" in second[0].reason
    assert r.effective_policy().quorum.min_signers == 5


def test_quorum_approved_response_and_lift():
    r = Responder(POLICY, key_threshold=4, now=T0)
    pin = Event(EventKind.PIN_FAILURE, T0, "token-monitor", (6,), "pkcs11:token=node6", "", True, "local token")
    assert r.handle(pin, T0) == []
    [proposal] = r.handle(pin, T0 + 1)
    assert proposal.op == "propose" and r.quarantined() == []        # waits for a quorum
    with pytest.raises(PolicyViolation):
        r.approve(proposal.response, [1, 2], T0 + 2)
    [act] = r.approve(proposal.response, [1, 2, 3, 4], T0 + 2)
    assert act.op == "quarantine" and r.quarantined() == [6]
    with pytest.raises(PolicyViolation):
        r.lift(act.response, [6, 1, 2, 3], T0 + 3)                   # the quarantined one has no vote
    with pytest.raises(InvalidParameter):
        r.lift(999, [1, 2, 3, 4], T0 + 3)
    assert r.lift(act.response, [1, 2, 3, 4], T0 + 3)[0].op == "lift" and r.quarantined() == []


def test_reshare_proposal_approved_names_the_new_committee():
    r = Responder(POLICY, key_threshold=4, now=T0)
    proposal = r.handle(named(5), T0)[1]
    with pytest.raises(PolicyViolation):
        r.approve(proposal.response, [1, 2, 3, 5], T0 + 1)           # 5 is quarantined: not a voter
    [reshare] = r.approve(proposal.response, [1, 2, 3, 4], T0 + 1)
    assert reshare.op == "reshare" and reshare.parties == (5,) and reshare.members == (1, 2, 3, 4, 6, 7)
    assert reshare.value == 4 and r.pending() == []


def test_rebase_ends_responses_about_removed_parties():
    r = Responder(POLICY, key_threshold=4, now=T0)
    r.handle(named(5), T0)
    d = copy.deepcopy(DOC)
    del d["signers"]["5"]
    d["version"], d["responses"]["max_quarantined"] = 2, 1
    actions = r.rebase(Policy.from_dict(d), T0 + 5)
    assert [a.op for a in actions] == ["lift", "expire"] and r.quarantined() == [] and r.pending() == []
    assert actions[0].party == 5 and actions[1].parties == (5,)


def test_rate_limits_bound_what_a_source_can_log():
    r = Responder(POLICY, key_threshold=4, now=T0)
    r.take_records()
    for k in range(50):
        r.handle(Event.alarm("velocity", time=T0, source=f"s{k}", subject="x"), T0)
    assert len(r.take_records()) == 3                # the unauthenticated rate limit, over all sources
    for k in range(50):
        r.handle(named(1, source="one"), T0 + 1)
    assert len(r.take_records()) == 5                # the per-source limit
    assert r.handle(named(2, source="one"), T0 + 2)[-1].op == "ignored"
    assert r.handle(named(2, source="one"), T0 + 61)[0].op == "quarantine"


def test_time_never_goes_backwards_and_inputs_are_checked():
    r = Responder(POLICY, now=T0)
    with pytest.raises(InvalidParameter, match="backwards"):
        r.handle(named(1), T0 - 1)
    with pytest.raises(InvalidParameter):
        r.handle({"kind": "protocol_abort"}, T0)
    with pytest.raises(InvalidParameter):
        r.approve(42, [1, 2, 3, 4], T0)
    with pytest.raises(InvalidParameter):
        Responder(POLICY, key_threshold=8)
    with pytest.raises(InvalidEncoding):
        Event.alarm("velocity", time=-1, source="x")
    with pytest.raises(InvalidEncoding):
        Event.alarm("velocity", time=T0, source="x", parties=[0])


# ---- replay ----

def _busy_responder():
    r = Responder(POLICY, key_threshold=4, now=T0)
    r.handle(named(3), T0)
    for k in range(3):
        r.handle(Event.alarm("refused_request", time=T0 + k, source="gw", subject="eve"), T0 + k)
    proposal = r.pending()[0].id
    r.approve(proposal, [1, 2, 4, 5], T0 + 10)
    r.tick(T0 + DAY + 5)
    r.handle(named(7, t=T0 + DAY + 6), T0 + DAY + 6)
    return r


def test_replay_rebuilds_the_same_state():
    r = _busy_responder()
    bodies = json.loads(json.dumps(r.take_records()))       # as they come back from the audit log
    again = Responder.replay(bodies)
    assert again.active == r.active and again.proposals == r.proposals and again.seq == r.seq
    assert again.effective_policy().digest() == r.effective_policy().digest()


@pytest.mark.parametrize("tamper", ["actions", "effective", "drop_event", "input", "reorder", "op"])
def test_replay_refuses_records_that_do_not_follow(tamper):
    bodies = json.loads(json.dumps(_busy_responder().take_records()))
    i = next(k for k, b in enumerate(bodies) if b["op"] == "event")
    if tamper == "actions":
        bodies[i]["actions"] = []
    elif tamper == "effective":
        bodies[i]["effective"] = "00" * 32
    elif tamper == "drop_event":
        del bodies[i]
    elif tamper == "input":
        bodies[i]["input"]["event"]["parties"] = [4]
    elif tamper == "reorder":
        bodies[i], bodies[i + 1] = bodies[i + 1], bodies[i]
    else:
        bodies[i]["op"] = "launch"
    with pytest.raises(VerificationError, match="responder record"):
        Responder.replay(bodies)
    with pytest.raises(VerificationError, match="no responder records"):
        Responder.replay([{"event": "counted"}])


def test_replay_from_a_signed_audit_log(tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pqzk.policy.audit import AuditLog
    from pqzk.policy.responder import replay_log
    r = _busy_responder()
    key = Ed25519PrivateKey.generate()
    with AuditLog(tmp_path / "a.db", key) as log:
        log.append("note", {"event": "something else"})
        for body in r.take_records():
            log.append("note", body)
    again = replay_log(tmp_path / "a.db", key.public_key().public_bytes_raw())
    assert again.active == r.active
    with pytest.raises(VerificationError):
        replay_log(tmp_path / "a.db", Ed25519PrivateKey.generate().public_key().public_bytes_raw())


# ---- the flooding property ----

SMALL = {
    "version": 1, "name": "p", "quorum": {"min_signers": 3},
    "responses": {"max_quarantined": 2, "rules": [
        {"on": "protocol_abort", "do": [{"action": "quarantine", "duration_seconds": 500},
                                        {"action": "propose_reshare", "duration_seconds": 800}]},
        {"on": "velocity", "authenticated": False, "do": [{"action": "raise_quorum", "by": 2,
                                                          "duration_seconds": 300}]},
        {"on": "pin_failure", "count": 2, "window_seconds": 100,
         "do": [{"action": "quarantine", "duration_seconds": 400}, {"action": "refresh", "duration_seconds": 50}]},
    ]},
}

events = st.lists(st.tuples(
    st.integers(0, 60),                                                  # time step
    st.sampled_from(list(EventKind)),
    st.booleans(),                                                       # authenticated (if the budget allows)
    st.lists(st.integers(1, 9), max_size=3),                            # parties named
    st.sampled_from(["a", "b", "c"])), max_size=60)


@given(n=st.integers(3, 7), t=st.integers(2, 5), stream=events)
def test_flooding_never_locks_out_the_committee_and_everything_expires(n, t, stream):
    """Whatever an adversary sends — any unauthenticated alarms, and up to n − t authenticated
    culprit namings — the signers left always reach the FROST threshold and every (raised) quorum,
    at most max_quarantined parties are out, and once the events stop, everything expires."""
    t = min(t, n)
    doc = copy.deepcopy(SMALL)
    doc["signers"] = {str(i): {} for i in range(1, n + 1)}
    doc["quorum"]["min_signers"] = min(3, n)
    doc["responses"]["max_quarantined"] = min(2, n - min(3, n))
    policy = Policy.from_dict(doc)
    r = Responder(policy, key_threshold=t, now=0)
    budget = n - t
    now, proven = 0, set()
    for step, kind, auth, parties, subject in stream:
        now += step
        if auth and parties:
            if budget == 0:
                auth = False
            else:
                budget -= 1
        if auth and kind in (EventKind.PROTOCOL_ABORT, EventKind.PIN_FAILURE):
            proven |= set(parties)
        r.handle(Event(kind, now, subject, tuple(parties), subject, "", auth, "test"), now)
        eff = r.effective_policy()
        left = len(eff.signers)
        assert left >= t and left >= eff.quorum.min_signers
        assert len(r.quarantined()) <= policy.responses.max_quarantined
        assert all(a.until <= now + 500 for a in r.active_at())       # each ends within its duration
        assert set(r.quarantined()) <= proven                          # only authenticated namings count
    again = Responder.replay(json.loads(json.dumps(r.records)))      # the same state, tables included
    assert (again.active, again.proposals, again.seq) == (r.active, r.proposals, r.seq)
    assert (again._counters, again._rates, again._unauth) == (r._counters, r._rates, r._unauth)
    r.tick(now + 801)
    assert r.active_at() == [] and r.pending() == [] and r.effective_policy() is policy
    assert Responder.replay(json.loads(json.dumps(r.take_records()))).seq == r.seq


@given(stream=events)
def test_unauthenticated_streams_quarantine_nobody(stream):
    doc = copy.deepcopy(SMALL)
    doc["signers"] = {str(i): {} for i in range(1, 8)}
    r = Responder(Policy.from_dict(doc), key_threshold=3, now=0)
    now = 0
    for step, kind, _, parties, subject in stream:
        now += step
        r.handle(Event.alarm(kind, time=now, source=subject, parties=parties, subject=subject), now)
        assert r.quarantined() == [] and r.pending() == []


def test_velocity_and_pin_events():
    from pqzk.policy import HistoryEntry
    h = History()
    for k, amount in enumerate([4_000, 7_000]):
        h = h.with_entry(HistoryEntry(bytes([k]) * 16, T0 + k, amount))
    assert Event.velocity(h, now=T0 + 10, seconds=60, expected=20_000, source="me") is None
    fast = Event.velocity(h, now=T0 + 10, seconds=60, expected=10_000, source="me")
    assert fast.kind == EventKind.VELOCITY and "11000 authorized" in fast.detail and fast.authenticated
    pin = Event.from_pin_failure("pkcs11:token=node6", party=6, time=T0, source="node6")
    assert pin.parties == (6,) and pin.subject == "pkcs11:token=node6" and pin.authenticated
    r = Responder(POLICY, key_threshold=4, now=T0)
    assert r.handle(pin, T0) == [] and r.handle(pin, T0 + 1)[0].op == "propose"     # 2 tries: proposed


json_values = st.recursive(st.none() | st.booleans() | st.integers(-2, 2**64) | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=3), max_leaves=8)


@given(data=st.data())
def test_replay_of_mutated_records_raises_only_verification_errors(data):
    bodies = json.loads(json.dumps(_busy_responder().take_records()))
    i = data.draw(st.integers(0, len(bodies) - 1))
    body = bodies[i]
    path = [body]
    node = body
    while isinstance(node, (dict, list)) and node and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        node = node[key]
    if len(path) == 1:
        bodies[i] = data.draw(json_values)
    else:
        target = body
        for key in path[1:-1]:
            target = target[key]
        target[path[-1]] = data.draw(json_values)
    try:
        Responder.replay(bodies)
    except VerificationError:
        pass


@given(d=st.dictionaries(st.sampled_from(["kind", "time", "source", "parties", "subject", "detail",
                                          "authenticated", "evidence"]), json_values))
def test_event_from_dict_refuses_anything_else_cleanly(d):
    try:
        Event.from_dict(d)
    except InvalidEncoding:
        pass


def test_rebase_with_other_rules_starts_counting_over():
    r = Responder(POLICY, key_threshold=4, now=T0)
    pin = Event.from_pin_failure("pkcs11:token=node6", party=6, time=T0, source="node6")
    assert r.handle(pin, T0) == []                                        # 1 of 2
    same = copy.deepcopy(DOC)
    same["version"] = 2
    r.rebase(Policy.from_dict(same), T0 + 1)                              # the same rules: the count stays
    assert r.handle(pin, T0 + 2)[0].op == "propose"
    other = copy.deepcopy(same)
    other["version"] = 3
    other["responses"]["rules"][3]["count"] = 3
    r.handle(pin, T0 + 3)
    r.rebase(Policy.from_dict(other), T0 + 4)
    assert r._counters == {} and r.handle(pin, T0 + 5) == []
