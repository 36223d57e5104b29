"""ZF frost DKG vectors (vectors_dkg.json) for every ciphersuite, and DKG negative paths."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import load_vectors

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "threshold"))
from frost_helpers import ZF_SUITES, run_dkg, suite_for  # noqa: E402

from pqzk.dkg import pedersen  # noqa: E402
from pqzk.errors import InvalidEncoding, ProtocolAbort, VerificationError  # noqa: E402
from pqzk.math.rand import DeterministicRNG  # noqa: E402
from pqzk.threshold import frost  # noqa: E402
from pqzk.threshold.frost import dkg  # noqa: E402


def _load(folder):
    suite = suite_for(ZF_SUITES[folder])
    v = load_vectors(f"frost/zf/{folder}/vectors_dkg.json")
    return suite, v


@pytest.mark.parametrize("folder", list(ZF_SUITES))
def test_zf_dkg_vectors(folder):
    suite, v = _load(folder)
    g = suite.group
    t, n = int(v["config"]["MIN_PARTICIPANTS"]), int(v["config"]["MAX_PARTICIPANTS"])
    inp = v["inputs"]
    parts = {int(k): p for k, p in inp.items() if k.isdigit()}
    sc = lambda h: g.scalar_decode(bytes.fromhex(h))  # noqa: E731
    # the broadcast round 1 packages, decoded from the vector bytes (proofs must verify)
    r1 = {}
    for i, p in parts.items():
        blob = g.scalar_encode(i) + b"".join(bytes.fromhex(c) for c in p["vss_commitments"]) \
            + bytes.fromhex(p["proof_of_knowledge"])
        r1[i] = dkg.decode_round1(suite, blob, t)
        pedersen.verify_proof_of_knowledge(dkg.dkg_parameters(suite, t, n), r1[i])
    for i, p in parts.items():
        secret, pkg = dkg.part1(suite, i, n, t, coefficients=[sc(p["signing_key"]), sc(p["coefficient"])])
        assert [c.to_bytes().hex() for c in pkg.commitment.coefficients] == p["vss_commitments"]
        others = {j: r1[j] for j in parts if j != i}
        secret2, out = dkg.part2(suite, secret, others, n, t)
        # what i sends to j is what j's vector entry says it received from i
        for j, r2 in out.items():
            assert r2.share == sc(parts[j]["signing_shares"][str(i)])
        received = {j: pedersen.Round2Package(j, i, sc(p["signing_shares"][str(j)])) for j in others}
        kp, pkp = dkg.part3(suite, secret2, others, received, n, t)
        assert kp.signing_share == sc(p["signing_share"])
        assert kp.verifying_share.to_bytes().hex() == p["verifying_share"]
        assert pkp.verifying_key.to_bytes().hex() == inp["verifying_key"]
        for j in parts:
            assert pkp.verifying_shares[j].to_bytes().hex() == parts[j]["verifying_share"]


@pytest.mark.parametrize("folder", ["ed25519", "secp256k1", "secp256k1-tr"])
def test_dkg_then_sign(folder):
    suite = suite_for(ZF_SUITES[folder])
    rng = DeterministicRNG(b"dkg-" + folder.encode())
    kps, pkps = run_dkg(suite, 4, 3, rng)
    assert len(pkps) == 4 and all(p == pkps[0] for p in pkps)
    for i, kp in kps.items():
        assert frost.KeyPackage.from_bytes(suite, kp.to_bytes()) == kp
    sig = frost.sign(suite, [kps[1], kps[2], kps[4]], b"after dkg", rng)
    frost.verify(suite, pkps[0].verifying_key, b"after dkg", sig)


def _run_round1(suite, n, t, rng):
    s1, p1 = {}, {}
    for i in range(1, n + 1):
        s1[i], p1[i] = dkg.part1(suite, i, n, t, rng)
    return s1, p1


def test_bad_proof_of_knowledge_names_the_prover():
    suite = suite_for("secp256k1")
    s1, p1 = _run_round1(suite, 3, 2, DeterministicRNG(1))
    bad = p1[2]
    p1[2] = pedersen.Round1Package(2, bad.commitment, pedersen.ProofOfKnowledge(bad.proof.R, (bad.proof.mu + 1) % suite.group.order))
    with pytest.raises(ProtocolAbort) as exc:
        dkg.part2(suite, s1[1], {2: p1[2], 3: p1[3]}, 3, 2)
    assert exc.value.culprits == [2]
    # a proof replayed under another identifier does not verify either
    with pytest.raises(VerificationError):
        pedersen.verify_proof_of_knowledge(dkg.dkg_parameters(suite, 2, 3),
                                           pedersen.Round1Package(1, p1[3].commitment, p1[3].proof))


def test_bad_share_complaint_and_resolution():
    suite = suite_for("secp256k1")
    params = dkg.dkg_parameters(suite, 2, 3)
    s1, p1 = _run_round1(suite, 3, 2, DeterministicRNG(2))
    s2, to = {}, {}
    for i in s1:
        s2[i], out = dkg.part2(suite, s1[i], {j: p1[j] for j in p1 if j != i}, 3, 2)
        for j, pkg in out.items():
            to.setdefault(j, {})[i] = pkg
    honest_share = to[1][3].share
    to[1][3] = pedersen.Round2Package(3, 1, (honest_share + 5) % suite.group.order)
    complaints = pedersen.check_shares(params, s2[1], to[1])
    assert complaints == [pedersen.Complaint(1, 3)]
    with pytest.raises(ProtocolAbort) as exc:
        dkg.part3(suite, s2[1], {2: p1[2], 3: p1[3]}, to[1], 3, 2)
    assert exc.value.culprits == [3]
    # 3 reveals the bad share: 3 is disqualified; revealing the good one settles it (a reveal that
    # never comes is no proof: see test_resolve_complaint_judges_only_a_revealed_share)
    assert pedersen.resolve_complaint(params, complaints[0], p1[3].commitment, to[1][3].share) == 3
    assert pedersen.resolve_complaint(params, complaints[0], p1[3].commitment, honest_share) is None


def test_round_packages_decode_strictly():
    suite = suite_for("secp256k1")
    _, p1 = _run_round1(suite, 3, 2, DeterministicRNG(3))
    blob = dkg.encode_round1(suite, p1[1])
    assert dkg.encode_round1(suite, dkg.decode_round1(suite, blob, 2)) == blob
    for bad in (blob[:-1], blob + b"\x00", b"\x00" * 32 + blob[32:],
                blob[:32] + b"\x05" + blob[33:]):
        with pytest.raises(InvalidEncoding):
            dkg.decode_round1(suite, bad, 2)
    r2 = pedersen.Round2Package(1, 2, 7)
    assert dkg.decode_round2(suite, dkg.encode_round2(suite, r2)) == r2
    with pytest.raises(InvalidEncoding):
        dkg.decode_round2(suite, dkg.encode_round2(suite, r2)[:-1])
    with pytest.raises(InvalidEncoding):
        dkg.decode_round2(suite, b"\xff" * 96)
