"""Private requests: committed amount and destination, a compliance proof the signers verify."""
import dataclasses
import hashlib

import pytest
from flow_fixtures import DOC, NOW, POLICY, custody, group, req

from pqzk.errors import PolicyViolation, VerificationError
from pqzk.policy import Policy
from pqzk.policy.authorization import verify_authorization
from pqzk.policy.private import compliance_policy, private_request, verify_private_terms
from pqzk.policy.request import PrivateTerms

TX = hashlib.sha256(b"private tx").digest()


@pytest.fixture(scope="module")
def private():
    """A private request for 3 000 to 'bob', proven ≤ 5 000 (and a second one for swaps)."""
    r1, opening = private_request(POLICY, 3_000, "bob", TX, NOW, max_amount=5_000)
    r2, _ = private_request(POLICY, 4_000, "alice", hashlib.sha256(b"other tx").digest(), NOW, max_amount=5_000)
    return r1, r2, opening


def test_private_request_is_authorized_without_revealing_values(private):
    r, _, opening = private
    assert r.amount is None and r.destination is None and "redacted" in repr(opening)
    assert b"bob" not in r.private.commitments + r.private.proof
    c = custody()
    out = c.authorize(r, NOW)
    auth = out.unwrap()
    verify_authorization(auth, r, POLICY, group()[1])
    # charged at the proven bound against the window
    assert c.history.spent_since(0) == 5_000
    assert all(s.history.spent_since(0) == 5_000 for s in c.signers.values())


def _with(r, **terms):
    return dataclasses.replace(r, private=dataclasses.replace(r.private, **terms))


def test_proof_for_other_commitments_is_refused(private):
    r1, r2, _ = private
    swapped = _with(r1, commitments=r2.private.commitments)
    out = custody().authorize(swapped, NOW, precheck=False)
    assert out.error.rule == "compliance_proof" and len(out.refusals) == 5
    assert custody().authorize(swapped, NOW).error.rule == "compliance_proof"


def test_proof_for_another_transaction_digest_is_refused(private):
    r1, _, _ = private
    moved = dataclasses.replace(r1, tx_digest=hashlib.sha256(b"a different tx").digest())
    out = custody().authorize(moved, NOW, precheck=False)
    assert out.error.rule == "compliance_proof"


def test_proof_for_another_policy_or_bound_is_refused(private):
    r1, _, _ = private
    other = Policy.from_dict({**DOC, "name": "another treasury"})
    with pytest.raises(PolicyViolation, match="compliance_proof"):
        verify_private_terms(other, r1)
    # claiming a smaller bound than the one proven (to be charged less) fails too
    with pytest.raises(PolicyViolation, match="compliance_proof"):
        verify_private_terms(POLICY, _with(r1, max_amount=2_000))
    out = custody().authorize(_with(r1, max_amount=2_000), NOW, precheck=False)
    assert out.error.rule == "compliance_proof"


def test_malformed_or_missing_proofs_are_refusals(private):
    r1, _, _ = private
    for terms in ({"proof": b""}, {"proof": r1.private.proof[:-1]}, {"commitments": b"\x00" * 99},
                  {"proof": r1.private.proof[:100] + bytes([r1.private.proof[100] ^ 1]) + r1.private.proof[101:]}):
        with pytest.raises(PolicyViolation, match="compliance_proof"):
            verify_private_terms(POLICY, _with(r1, **terms))


def test_private_request_bound_still_obeys_limits_and_tiers(private):
    r1, _, _ = private
    # a bound above the per-transaction limit is refused by the rule, whatever the proof
    out = custody().authorize(_with(r1, max_amount=60_000), NOW, precheck=False)
    assert out.error.rule == "per_transaction_limit"
    # the tier is chosen by the bound: 15 000 needs four signers with a security one
    big, _ = private_request(POLICY, 100, "alice", TX, NOW, max_amount=15_000)
    auth = custody().authorize(big, NOW).unwrap()
    assert len(auth.signers) == 4


def test_private_requests_need_a_whitelist(private):
    r1, _, _ = private
    no_wl = Policy.from_dict({k: v for k, v in DOC.items() if k != "destinations"})
    with pytest.raises(PolicyViolation, match="whitelist"):
        compliance_policy(no_wl, 5_000)


def test_authorization_verifier_rechecks_the_proof(private):
    r1, r2, _ = private
    c = custody()
    auth = c.authorize(r1, NOW).unwrap()
    verify_authorization(auth, r1, POLICY, group()[1])
    forged = _with(r1, commitments=r2.private.commitments)
    with pytest.raises(VerificationError):
        verify_authorization(auth, forged, POLICY, group()[1])
    assert isinstance(r1.private, PrivateTerms) and req().private is None
