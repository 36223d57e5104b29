"""The flow writes every step to the audit log; a property over random requests."""
import hashlib
import sqlite3

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flow_fixtures import NOW, POLICY, custody, doc_v2, group, req
from hypothesis import given, settings, strategies as st

from pqzk.errors import PolicyViolation, VerificationError
from pqzk.policy import History, Policy, evaluate
from pqzk.policy.audit import AuditLog, records, verify_log
from pqzk.policy.authorization import verify_authorization
from pqzk.runtime import Silent, SimulatorRunner


def test_audit_log_has_every_step_and_verifies(tmp_path):
    db = tmp_path / "audit.db"
    key = Ed25519PrivateKey.generate()
    with AuditLog(db, key) as log:
        c = custody(audit=log)
        ok = c.authorize(req(amount=700), NOW)
        refused = c.authorize(req(dest="mallory"), NOW)
        by_signers = c.authorize(req(dest="eve"), NOW, precheck=False)
        silent = c.authorize(req(), NOW, runner=SimulatorRunner([Silent(sender=4)]))
        try:
            c.change_policy(Policy.from_dict(doc_v2()), [1, 2, 5], NOW)
        except PolicyViolation:
            pass
        c.change_policy(Policy.from_dict(doc_v2()), [1, 3, 4, 5], NOW)
        head = log.head()
    verify_log(db, key.public_key().public_bytes_raw(), expect_head=head)
    recs = list(records(db))
    kinds = [r.kind for r in recs]
    assert kinds.count("request") == 4 and kinds.count("authorization") == 2 and kinds.count("policy_change") == 2
    auths = [r.body for r in recs if r.kind == "authorization"]
    assert auths[0]["authorization"]["digest"] == ok.authorization.digest().hex()
    assert auths[1]["request_digest"] == silent.request.digest().hex()
    finals = [r.body for r in recs if r.kind == "decision" and r.body.get("final")]
    assert [f["rule"] for f in finals] == ["blacklist", "whitelist"]
    signer_refusals = [r.body for r in recs if r.kind == "decision" and r.body["by"].startswith("signer")
                       and not r.body["allowed"]]
    assert len(signer_refusals) == 5 and {b["rule"] for b in signer_refusals} == {"whitelist"}
    assert refused.error.rule == "blacklist" and by_signers.error.rule == "whitelist"
    changes = [r.body for r in recs if r.kind == "policy_change"]
    assert [ch["approved"] for ch in changes] == [False, True]
    assert changes[1]["effective_at"] == NOW + 86_400
    # the policy change is signed by the group: an ordinary Ed25519 signature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    Ed25519PublicKey.from_public_bytes(group()[1].verifying_key.to_bytes()).verify(
        bytes.fromhex(changes[1]["signature"]), bytes.fromhex(changes[1]["digest"]))
    # tampering with a flow record is detected and located
    conn = sqlite3.connect(db)
    seq = next(r.seq for r in recs if r.kind == "authorization")
    conn.execute("UPDATE records SET body = replace(body, 'allowed', 'refused') WHERE seq = ?", (seq - 1,))
    conn.commit()
    conn.close()
    try:
        verify_log(db)
    except VerificationError as exc:
        assert f"record {seq - 1}" in str(exc)
    else:
        raise AssertionError("a modified record must be detected")


AMOUNTS = st.integers(min_value=0, max_value=70_000)
DESTS = st.sampled_from(["alice", "bob", "mallory", "eve"])
AGES = st.integers(min_value=-400, max_value=900)


@settings(max_examples=25)
@given(st.lists(st.tuples(AMOUNTS, DESTS, AGES), min_size=1, max_size=4))
def test_flow_authorizes_exactly_what_the_policy_allows(reqs):
    """Signers decide (the coordinator asks regardless): an authorization exists iff the pure
    evaluation allows the request, and it verifies; every refusal names the evaluated rule."""
    c = custody()
    history = History()
    for amount, dest, age in reqs:
        r = req(amount=amount, dest=dest, t=NOW - age)
        expected = evaluate(POLICY, r, history, NOW)
        out = c.authorize(r, NOW, precheck=False)
        if expected.allowed:
            auth = out.unwrap()
            verify_authorization(auth, r, POLICY, group()[1], roster=group()[3])
            assert auth.pq == expected.pq_required
            history = c.history
        else:
            assert out.authorization is None and out.error.rule == expected.rule
            assert {rule for rule, _ in out.refusals.values()} == {expected.rule}
    assert c.history.spent_since(NOW - 3600) <= 60_000


def test_request_summary_hides_the_proof_but_binds_it():
    import dataclasses

    from pqzk.policy.coordinator import request_summary
    from pqzk.policy.request import PrivateTerms
    r = req()
    s = request_summary(r)
    assert s["digest"] == r.digest().hex() and s["amount"] == r.amount and s["destination"] == r.destination
    p = dataclasses.replace(r, amount=None, destination=None, private=PrivateTerms(5_000, b"C" * 99, b"P" * 1000))
    s = request_summary(p)
    assert s["digest"] == p.digest().hex() and "amount" not in s and "destination" not in s
    assert s["private"] == {"max_amount": 5_000, "commitments": (b"C" * 99).hex(),
                            "proof_sha256": hashlib.sha256(b"P" * 1000).hexdigest()}


FAULTS = st.sampled_from(["Drop", "Duplicate", "Delay", "Corrupt"])
KINDS = st.sampled_from(["auth_request", "auth_accept", "auth_sign", "auth_share", "auth_result", None])


@settings(max_examples=20)
@given(st.lists(st.tuples(FAULTS, KINDS, st.integers(1, 5)), max_size=3), st.sampled_from([500, 15_000, 25_000]),
       st.booleans())
def test_faults_never_yield_a_bad_authorization(faults, amount, reorder):
    """Whatever messages are lost, repeated, delayed or corrupted: either an Authorization that
    verifies, or an error (PolicyViolation / ProtocolAbort naming only candidates)."""
    from pqzk.errors import ProtocolAbort
    from pqzk.runtime import simulator
    c = custody()
    fs = [getattr(simulator, name)(sender=i if kind in ("auth_accept", "auth_share") else None,
                                   recipient=i if kind not in ("auth_accept", "auth_share") else None,
                                   kind=kind, count=1) for name, kind, i in faults]
    r = req(amount=amount)
    out = c.authorize(r, NOW, runner=SimulatorRunner(fs, reorder=reorder))
    if not faults:
        assert out.allowed               # any delivery order completes
    if out.authorization is not None:
        verify_authorization(out.authorization, r, POLICY, group()[1], roster=group()[3])
    else:
        assert isinstance(out.error, (PolicyViolation, ProtocolAbort))
        assert set(getattr(out.error, "culprits", [])) <= {1, 2, 3, 4, 5}
