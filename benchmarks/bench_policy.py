"""Policy layer benchmarks (medians): end-to-end authorization latency and audit-log throughput.

Authorization: one `Custody.authorize` session run by the in-process simulator — the
coordinator's policy check, every candidate signer's policy check (and compliance-proof
verification for a private request), FROST round 1 and 2, aggregation, the Authorization's own
verification, and the result announced to (and verified by) every signer — for 3-of-5 and
7-of-10 FROST-Ed25519, plain / with post-quantum evidence (one ML-DSA-44 signature per signer,
quorum certificate) / private (compliance proof: Bulletproofs + membership over secp256k1).
Proving is the requester's cost and is measured on its own (`test_requester_prove`).

Audit log: append (one SQLite transaction with synchronous=FULL and two Ed25519 signatures per
record) on a log already holding 10^5 records, and full verification of that 10^5-record log.
records/s is in extra_info (printed with -s). The append benchmark appends 2 000 records per
round; set PQZK_BENCH_AUDIT_APPENDS=100000 to append all 10^5 through `AuditLog.append` (about
3 minutes on a disk doing ~600 fsyncs/s).
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pqzk.atomicfile import atomic_write
from pqzk.policy import AuthorizationRequest, Policy
from pqzk.policy.audit import AuditLog, Head, _head_message, canonical_json, default_head_file, record_hash, verify_log
from pqzk.policy.audit_format import HeadFile
from pqzk.policy.custody import Custody
from pqzk.policy.private import private_request

SUITE = "FROST-ED25519-SHA512-v1"
NOW = 1_700_000_000
AUDIT_RECORDS = 100_000
APPENDS = int(os.environ.get("PQZK_BENCH_AUDIT_APPENDS", "2000"))


def _policy(t: int, n: int) -> Policy:
    return Policy.from_dict({
        "version": 1, "name": f"bench {t}-of-{n}",
        "signers": {str(i): {"roles": ["ops"]} for i in range(1, n + 1)},
        "quorum": {"min_signers": t},
        "limits": {"per_transaction": 1_000_000},
        "destinations": {"whitelist": ["alice", "bob", "carol", "dave"]},
        "post_quantum": {"required_above": 20_000},
    })


_groups: dict = {}


def _custody(t: int, n: int) -> Custody:
    from pqzk.pq import hybrid, mldsa
    from pqzk.threshold import frost
    if (t, n) not in _groups:
        kps, pkp = frost.trusted_dealer_keygen(SUITE, t, n)
        keys = {i: mldsa.keygen("ML-DSA-44") for i in kps}
        roster = hybrid.Roster("ML-DSA-44", {i: k.public_key for i, k in keys.items()}, t)
        _groups[(t, n)] = (kps, pkp, keys, roster)
    kps, pkp, keys, roster = _groups[(t, n)]
    return Custody(_policy(t, n), kps, pkp, pq_keys=keys, roster=roster)


_count = [0]


def _fresh_id() -> bytes:
    _count[0] += 1
    return hashlib.sha256(b"bench-%d" % _count[0]).digest()[:16]


@pytest.mark.parametrize("kind", ["plain", "pq", "private"])
@pytest.mark.parametrize("t,n", [(3, 5), (7, 10)], ids=["3-of-5", "7-of-10"])
def test_authorize(benchmark, t, n, kind):
    custody = _custody(t, n)
    policy = custody.policy_at(NOW)
    amount = 25_000 if kind == "pq" else 2_500

    def setup():
        rid = _fresh_id()
        if kind == "private":        # the requester's proof for a fresh transaction (not timed)
            r, _ = private_request(policy, 2_500, "bob", hashlib.sha256(rid).digest(), NOW, max_amount=5_000,
                                   request_id=rid)
        else:
            r = AuthorizationRequest(rid, hashlib.sha256(rid).digest(), NOW, 1, amount, "alice")
        return (r,), {}

    def run(r):
        return custody.authorize(r, NOW).unwrap()

    rounds = {"plain": 15, "pq": 8, "private": 4}[kind]
    auth = benchmark.pedantic(run, setup=setup, rounds=rounds, iterations=1, warmup_rounds=1)
    assert len(auth.signers) == t and auth.pq == (kind == "pq")
    benchmark.extra_info.update(signers=t, parties=n, authorization_bytes=len(auth.to_bytes()))


def test_requester_prove(benchmark):
    """The requester's side of a private request: commit and prove compliance (not in the latency above)."""
    policy = _custody(3, 5).policy_at(NOW)
    private_request(policy, 2_500, "bob", b"\x01" * 32, NOW, max_amount=5_000)   # warm the generators
    r, _ = benchmark.pedantic(private_request, args=(policy, 2_500, "bob", b"\x02" * 32, NOW),
                              kwargs={"max_amount": 5_000}, rounds=5, iterations=1)
    benchmark.extra_info["proof_bytes"] = len(r.private.proof)


# ---- audit log ------------------------------------------------------------------------------

def _bulk_log(path, key: Ed25519PrivateKey, count: int) -> None:
    """A valid log of `count` records, written in one transaction (the same rows `append`
    writes, without one fsync per record) — the fixture for the verify benchmark."""
    with AuditLog(path, key):       # creates the schema and stores the public key
        pass
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("BEGIN")
    prev = bytes(32)
    rows = []
    for seq in range(1, count + 1):
        body = canonical_json({"seq": seq, "request": hashlib.sha256(b"%d" % seq).hexdigest(), "amount": seq % 997})
        h = record_hash(seq, "request", body, prev)
        rows.append((seq, "request", body, prev, h, key.sign(h)))
        prev = h
    conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('head', ?)",
                 (count.to_bytes(8, "big") + prev + key.sign(_head_message(count, prev)),))
    conn.execute("COMMIT")
    log_id = conn.execute("SELECT value FROM meta WHERE key = 'log_id'").fetchone()[0]
    conn.close()
    # the writer's head file, as `append` would leave it (else opening the log re-verifies it all)
    atomic_write(default_head_file(path), HeadFile.sign(key, log_id, Head(count, prev)).to_bytes())


@pytest.fixture(scope="module")
def big_log(tmp_path_factory):
    path = tmp_path_factory.mktemp("audit") / "audit.db"
    key = Ed25519PrivateKey.generate()
    _bulk_log(path, key, AUDIT_RECORDS)
    return path, key


def test_audit_verify_100k(benchmark, big_log):
    path, key = big_log
    head = benchmark.pedantic(verify_log, args=(path, key.public_key().public_bytes_raw()), rounds=2, iterations=1)
    assert head.seq >= AUDIT_RECORDS
    benchmark.extra_info["records"] = head.seq
    benchmark.extra_info["records_per_s"] = round(head.seq / benchmark.stats.stats.median)
    print(f"\naudit verify: {head.seq} records, {benchmark.extra_info['records_per_s']} records/s")


def test_audit_append(benchmark, big_log):
    path, key = big_log
    log = AuditLog(path, key)
    body = {"kind": "decision", "by": "signer 3", "allowed": True, "rule": "allowed", "session": "00" * 8}

    def append_many():
        for _ in range(APPENDS):
            log.append("decision", body)

    t0 = time.perf_counter()
    benchmark.pedantic(append_many, rounds=3 if APPENDS <= 5_000 else 1, iterations=1)
    log.close()
    rate = round(APPENDS / benchmark.stats.stats.median)
    benchmark.extra_info.update(appends_per_round=APPENDS, records_per_s=rate, log_size_before=AUDIT_RECORDS)
    print(f"\naudit append: {APPENDS} records per round on a {AUDIT_RECORDS}-record log, {rate} records/s "
          f"({time.perf_counter() - t0:.1f} s)")
