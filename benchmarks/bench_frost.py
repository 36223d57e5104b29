"""FROST (RFC 9591): the cases of ZF frost's performance table, medians only.

ed25519 2-of-3, 67-of-100, 667-of-1000 and 2-of-3 for every ciphersuite: trusted-dealer keygen,
round 1 (one signer), round 2 (one signer), aggregate. "aggregate" is ZF's: aggregate, verify the
signature, and check the shares one by one only if it fails (cheater detection); "aggregate,
verify each share" checks every share first (RFC 9591 section 5.4). DKG 7-of-10: the whole
ceremony in one process (10 participants) and one participant's own work.

Anchors (issue 4): ZF frost on a Ryzen 9 5900X, ed25519 2-of-3: keygen 0.24 ms, round 1 0.08 ms,
round 2 0.12 ms, aggregate 0.22 ms; 667-of-1000 aggregate 31.9 ms. Targets: within 5x; DKG
7-of-10 <= 100 ms (pyfrost: 0.84 s).
"""
from __future__ import annotations

import pytest

from pqzk.math.rand import DeterministicRNG
from pqzk.threshold import frost
from pqzk.threshold.frost import core, dkg

CASES = [("FROST-ED25519-SHA512-v1", 2, 3), ("FROST-ED25519-SHA512-v1", 67, 100),
         ("FROST-ED25519-SHA512-v1", 667, 1000),
         ("FROST-RISTRETTO255-SHA512-v1", 2, 3), ("FROST-ED448-SHAKE256-v1", 2, 3),
         ("FROST-P256-SHA256-v1", 2, 3), ("FROST-secp256k1-SHA256-v1", 2, 3),
         ("FROST-secp256k1-SHA256-TR-v1", 2, 3)]
IDS = [f"{s.split('-')[1]}{'-TR' if s.endswith('-TR-v1') else ''}-{t}of{n}" for s, t, n in CASES]
MSG = b"message to sign"
_cache: dict = {}


def _rounds(suite: str, n: int) -> int:
    if n >= 1000:
        return 3
    if n >= 100:
        return 10
    return 10 if "ED448" in suite or "P256" in suite else 50


def _setup(suite_name: str, t: int, n: int):
    """Keys, round 1 output and signature shares for signers 1..t (built once per case)."""
    key = (suite_name, t, n)
    if key not in _cache:
        suite = frost.get_ciphersuite(suite_name)
        rng = DeterministicRNG(b"bench-frost")
        kps, pkp = frost.trusted_dealer_keygen(suite, t, n, rng=rng)
        signers = list(range(1, t + 1))
        r1 = {i: core.commit(suite, i, kps[i].signing_share, rng) for i in signers}
        cl = [c for _, c in r1.values()]
        shares = [core.sign(suite, i, kps[i].signing_share, pkp.verifying_key, r1[i][0], MSG, cl) for i in signers]
        _cache[key] = suite, kps, pkp, r1, cl, shares
    return _cache[key]


@pytest.mark.parametrize("suite,t,n", CASES, ids=IDS)
def test_keygen(benchmark, suite, t, n):
    benchmark.group = f"frost keygen {t}-of-{n}"
    rng = DeterministicRNG(b"kg")
    benchmark.pedantic(frost.trusted_dealer_keygen, args=(suite, t, n), kwargs={"rng": rng},
                       rounds=_rounds(suite, n), iterations=1)


@pytest.mark.parametrize("suite,t,n", CASES, ids=IDS)
def test_round1(benchmark, suite, t, n):
    s, kps, *_ = _setup(suite, t, n)
    benchmark.group = f"frost round1 {t}-of-{n}"
    benchmark.pedantic(core.commit, args=(s, 1, kps[1].signing_share), rounds=_rounds(suite, 3), iterations=1)


@pytest.mark.parametrize("suite,t,n", CASES, ids=IDS)
def test_round2(benchmark, suite, t, n):
    s, kps, pkp, r1, cl, _ = _setup(suite, t, n)
    benchmark.group = f"frost round2 {t}-of-{n}"
    share = benchmark.pedantic(core.sign, args=(s, 1, kps[1].signing_share, pkp.verifying_key, r1[1][0], MSG, cl),
                               rounds=_rounds(suite, n), iterations=1)
    assert share.share


@pytest.mark.parametrize("suite,t,n", CASES, ids=IDS)
def test_aggregate(benchmark, suite, t, n):
    s, kps, pkp, r1, cl, shares = _setup(suite, t, n)
    benchmark.group = f"frost aggregate {t}-of-{n}"
    sig = benchmark.pedantic(core.aggregate_verified, args=(s, cl, MSG, pkp.verifying_key, shares,
                                                            pkp.verifying_shares),
                             rounds=_rounds(suite, n), iterations=1)
    frost.verify(s, pkp.verifying_key, MSG, sig)


@pytest.mark.parametrize("suite,t,n", CASES, ids=IDS)
def test_aggregate_verify_each_share(benchmark, suite, t, n):
    s, kps, pkp, r1, cl, shares = _setup(suite, t, n)
    benchmark.group = f"frost aggregate, verify each share {t}-of-{n}"
    benchmark.pedantic(core.aggregate_verified, args=(s, cl, MSG, pkp.verifying_key, shares, pkp.verifying_shares),
                       kwargs={"verify_each_share": True}, rounds=min(_rounds(suite, n), 10), iterations=1)


def _dkg_all(suite, n, t, rng):
    s1, p1 = {}, {}
    for i in range(1, n + 1):
        s1[i], p1[i] = dkg.part1(suite, i, n, t, rng)
    s2, to = {}, {}
    for i in s1:
        s2[i], out = dkg.part2(suite, s1[i], {j: p1[j] for j in p1 if j != i}, n, t)
        for j, pkg in out.items():
            to.setdefault(j, {})[i] = pkg
    return {i: dkg.part3(suite, s2[i], {j: p1[j] for j in p1 if j != i}, to[i], n, t) for i in s2}


DKG_SUITES = ["FROST-ED25519-SHA512-v1", "FROST-secp256k1-SHA256-v1", "FROST-RISTRETTO255-SHA512-v1"]


@pytest.mark.parametrize("suite", DKG_SUITES, ids=["ED25519", "secp256k1", "RISTRETTO255"])
def test_dkg_7_of_10_all_participants(benchmark, suite):
    benchmark.group = "frost dkg 7-of-10, whole ceremony (10 participants, one process)"
    rng = DeterministicRNG(b"dkg")
    out = benchmark.pedantic(_dkg_all, args=(suite, 10, 7, rng), rounds=5, iterations=1)
    assert len(out) == 10


@pytest.mark.parametrize("suite", DKG_SUITES, ids=["ED25519", "secp256k1", "RISTRETTO255"])
def test_dkg_7_of_10_one_participant(benchmark, suite):
    """Participant 1's own work: part1, verify 9 proofs + deal 9 shares, verify + combine."""
    benchmark.group = "frost dkg 7-of-10, one participant"
    n, t = 10, 7
    rng = DeterministicRNG(b"dkg1")
    s1, p1 = {}, {}
    for i in range(1, n + 1):
        s1[i], p1[i] = dkg.part1(suite, i, n, t, rng)
    to1 = {}
    for i in range(2, n + 1):
        _, out = dkg.part2(suite, s1[i], {j: p1[j] for j in p1 if j != i}, n, t)
        to1[i] = out[1]
    others = {j: p1[j] for j in p1 if j != 1}

    def one():
        sec, pkg = dkg.part1(suite, 1, n, t, rng)
        # the others' packages were made against the original part 1; reuse its secret
        s2, _ = dkg.part2(suite, s1[1], others, n, t)
        return dkg.part3(suite, s2, others, to1, n, t)

    benchmark.pedantic(one, rounds=10, iterations=1)
