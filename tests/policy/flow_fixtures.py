"""Shared setup for the authorization-flow tests: a 3-of-5 FROST-Ed25519 custody group with an
ML-DSA-44 roster, and a policy exercising every rule."""
from __future__ import annotations

import copy
import functools
import hashlib
import os

from pqzk.policy import Policy
from pqzk.policy.custody import Custody
from pqzk.policy.request import AuthorizationRequest
from test_policy import DOC  # the one policy document exercising every rule

SUITE = "FROST-ED25519-SHA512-v1"
POLICY = Policy.from_dict(DOC)
NOW = 10_000


def doc_v2(**changes) -> dict:
    d = copy.deepcopy(DOC)
    d["version"] = 2
    d.update(changes)
    return d


@functools.lru_cache(maxsize=1)
def group():
    """(key packages, public key package, ML-DSA keys, roster) — built once per test process."""
    from pqzk.pq import hybrid, mldsa
    from pqzk.threshold import frost
    kps, pkp = frost.trusted_dealer_keygen(SUITE, 3, 5)
    keys = {i: mldsa.keygen("ML-DSA-44") for i in kps}
    roster = hybrid.Roster("ML-DSA-44", {i: k.public_key for i, k in keys.items()}, 3)
    return kps, pkp, keys, roster


def custody(policy=POLICY, audit=None, pq=True) -> Custody:
    kps, pkp, keys, roster = group()
    return Custody(policy, kps, pkp, pq_keys=keys if pq else None, roster=roster, audit=audit)


_counter = iter(range(1, 1 << 30))


def req(amount=100, dest="alice", t=NOW, version=1, rid=None) -> AuthorizationRequest:
    n = next(_counter)
    rid = rid or hashlib.sha256(b"rid%d" % n).digest()[:16]
    return AuthorizationRequest(rid, hashlib.sha256(b"tx%d" % n).digest(), t, version, amount, dest)


def fresh_id() -> bytes:
    return os.urandom(16)
