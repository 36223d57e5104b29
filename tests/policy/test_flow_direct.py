"""One-round authorization over preprocessed commitments (auth_direct): the signers still check
every request against their own policy, and each preprocessed commitment signs once."""
from __future__ import annotations

import hashlib

import pytest

from pqzk.errors import InvalidParameter, PolicyViolation
from pqzk.policy import Policy
from pqzk.policy.authorization import verify_authorization
from pqzk.policy.coordinator import AuthorizationCoordinator
from pqzk.policy.custody import Custody
from pqzk.policy.request import AuthorizationRequest
from pqzk.runtime import Kind, Simulator
from pqzk.runtime.frost_parties import CommitmentPool, FrostPreprocessor
from pqzk.threshold import frost

POLICY = Policy.from_dict({"version": 1, "name": "direct", "quorum": {"min_signers": 3},
                           "signers": {str(i): {"roles": ["ops"]} for i in (1, 2, 3, 4)},
                           "destinations": {"blacklist": ["mallory"]}})
NOW = 1000


@pytest.fixture(scope="module")
def group():
    return frost.trusted_dealer_keygen("FROST-ED25519-SHA512-v1", 3, 4)


def _custody(group, batch=3):
    kps, pkp = group
    c = Custody(POLICY, kps, pkp)
    c.now = NOW                                       # the signers' clock
    pre = FrostPreprocessor(pkp.suite, [1, 2, 3, 4], batch, c.keyrings["coordinator"], session=b"pre")
    Simulator([pre, *c.signers.values()]).run(pre.start())
    pool = CommitmentPool()
    pool.add(pre.result)
    return c, pool


def _request(tag: bytes, dest="alice", amount=10):
    h = hashlib.sha256(tag).digest()
    return AuthorizationRequest(h[:16], hashlib.sha256(b"tx" + h).digest(), NOW, 1, amount, dest)


def _run(c, request, commitments, session, precheck=True):
    coord = AuthorizationCoordinator(c.state, c.pkp, request, [1, 2, 3, 4], c.keyrings["coordinator"], now=NOW,
                                     session=session, commitments=commitments, precheck=precheck)
    sim = Simulator([coord, *c.signers.values()])
    sim.run(coord.start())
    return coord, sim


def test_one_round_authorization(group):
    c, pool = _custody(group)
    r = _request(b"one")
    coord, sim = _run(c, r, pool.take([1, 2, 4]), b"s1")
    verify_authorization(coord.result, r, POLICY, c.pkp)
    kinds = [e.msg.kind for e in sim.log if e.what == "deliver"]
    assert kinds[:3] == [Kind.AUTH_DIRECT] * 3 and kinds[3:6] == [Kind.AUTH_SHARE] * 3


def test_the_signers_still_check_the_policy(group):
    c, pool = _custody(group)
    coord, _ = _run(c, _request(b"bad", dest="mallory"), pool.take([1, 2, 3]), b"s2", precheck=False)  # a lax one
    assert coord.result is None and isinstance(coord.error, PolicyViolation)
    assert all(c.signers[i].refusals[-1][1].rule == "blacklist" for i in (1, 2, 3))


def test_a_preprocessed_commitment_signs_only_once(group):
    c, pool = _custody(group)
    comms = pool.take([1, 2, 3])
    first, _ = _run(c, _request(b"first"), comms, b"s3")
    assert first.result is not None
    again, _ = _run(c, _request(b"second"), comms, b"s4")
    assert again.result is None and isinstance(again.error, PolicyViolation) and again.error.rule == "signing_request"


def test_a_quorum_is_needed_up_front(group):
    c, pool = _custody(group)
    coord, _ = _run(c, _request(b"few"), pool.take([1, 2]), b"s5")
    assert isinstance(coord.error, PolicyViolation) and coord.error.rule == "quorum"
    with pytest.raises(InvalidParameter):
        AuthorizationCoordinator(c.state, c.pkp, _request(b"x"), [1, 2, 3], c.keyrings["coordinator"], now=NOW,
                                 commitments={4: pool.take([4])[4]})


def test_a_candidate_not_asked_still_counts_the_authorization(group):
    """One round asks only the preprocessed signers; the others learn the authorization from its
    announcement (with the request), so every signer's window limits agree."""
    c, pool = _custody(group)
    r = _request(b"counted", amount=40)
    coord, _ = _run(c, r, pool.take([1, 2, 3]), b"s9")
    assert coord.result is not None
    assert all(c.signers[i].history.spent_since(0) == 40 for i in (1, 2, 3, 4))
