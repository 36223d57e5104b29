"""A walk through pqzk.zk: every kind of proof, proved and verified, with its size and what the
verifier sees. Run:  PYTHONPATH=src python examples/zk_walkthrough.py [group]   (default secp256k1)
"""
from __future__ import annotations

import sys

from pqzk.groups import get_group
from pqzk.sharing.vss import feldman_deal
from pqzk.zk.compliance import CompliancePolicy, commit_transaction, prove_compliance, verify_compliance
from pqzk.zk.generators import pedersen_bases
from pqzk.zk.membership import MemberSet, member_scalar, membership_cost, prove_membership, verify_membership
from pqzk.zk.possession import prove_share_possession, verify_share_possession
from pqzk.zk.range import prove_range, verify_range
from pqzk.zk.sigma import Secret, check_transcript, dleq, pedersen_opening, schnorr


def section(title: str) -> None:
    print(f"\n== {title} ==")


def sees(what: str) -> None:
    print(f"   verifier sees: {what}")


def main(group_name: str = "secp256k1") -> None:
    g = get_group(group_name)
    B, Bt = pedersen_bases(g)
    print(f"group {g.name}: elements {g.element_size} bytes, scalars {g.scalar_size} bytes")

    section("Schnorr proof of knowledge of a discrete logarithm")
    x = Secret("x")
    secret_x = g.random_scalar()
    Y = g.base_mult(secret_x)
    stmt = schnorr(Y, x)
    proof = stmt.prove({x: secret_x}, context=b"walkthrough")
    stmt.verify(proof, context=b"walkthrough")
    print(f"   proof: {len(proof.to_bytes())} bytes (challenge, response)")
    sees(f"Y = {Y.to_bytes().hex()[:24]}…, the proof; never x")

    section("The same proof, interactive (three moves)")
    prover, verifier = stmt.prover({x: secret_x}), stmt.verifier()
    commitments = prover.commit()
    print(f"   prover -> verifier: commitment T = k·G ({len(commitments)} element)")
    challenge = verifier.challenge(commitments)
    print("   verifier -> prover: random challenge c")
    response = prover.respond(challenge)
    print(f"   prover -> verifier: response s = k + c·x ({len(response.responses)} scalar)")
    verifier.check(response)
    print("   verifier checks s·G == T + c·Y: accepted")
    simulated = stmt.simulate()
    print("   a simulator, knowing no x, makes an accepting (T, c, s) too: that is why it leaks nothing")
    check_transcript(stmt, simulated)

    section("Pedersen opening (Okamoto) and DLEQ (Chaum–Pedersen)")
    v, r = Secret("v"), Secret("r")
    C = g.msm([42, 7], [B, Bt])
    op = pedersen_opening(C, v, r, B, Bt)
    op.verify(op.prove({v: 42, r: 7}))
    eq = dleq(secret_x * B, B, secret_x * Bt, Bt, x)
    p_eq = eq.prove({x: secret_x})
    eq.verify(p_eq)
    print(f"   opening proof {len(op.prove({v: 42, r: 7}).to_bytes())} bytes, DLEQ proof {len(p_eq.to_bytes())} bytes")
    sees("C, x·B, x·B~ and the proofs: that C opens and that both logs are equal, not the values")

    section("OR composition: I know the key of ONE of three public keys")
    keys = [g.base_mult(g.random_scalar()) for _ in range(2)] + [Y]
    ring = schnorr(keys[0], x) | schnorr(keys[1], x) | schnorr(keys[2], x)
    p_or = ring.prove({x: secret_x})
    ring.verify(p_or)
    print(f"   proof {len(p_or.to_bytes())} bytes (two branches simulated)")
    sees("three public keys; not which one is the prover's")

    section("Proof of share possession (Feldman VSS, 2-of-3)")
    shares, com = feldman_deal(g, g.random_scalar(), 2, 3)
    p_pos = prove_share_possession(shares[1], com, session_id=b"session-42")
    verify_share_possession(2, com, p_pos, session_id=b"session-42")
    print(f"   proof {len(p_pos)} bytes, bound to session id and party 2")
    sees("the VSS commitments, the identifier 2, the session id; not the share")

    section("Bulletproofs range proof: a committed value is in [0, 2^64)")
    rp, V = prove_range(g, [1_000_000], [g.random_scalar()], 64)
    verify_range(g, V, rp, 64)
    print(f"   proof {len(rp)} bytes = {rp.num_elements} elements + 5 scalars")
    agg, Va = prove_range(g, [1, 2, 3, 4, 5, 6, 7, 8], [g.random_scalar() for _ in range(8)], 64)
    verify_range(g, Va, agg, 64)
    print(f"   8 values aggregated: {len(agg)} bytes (8 separate proofs: {8 * len(rp)} bytes)")
    sees("the commitment V only; the value stays hidden")

    section("Set membership: a committed member of a public set")
    small = [member_scalar(g, n) for n in (b"alice", b"bob", b"carol")]
    p_small, Cm = prove_membership(g, small[1], g.random_scalar(), small)
    verify_membership(g, Cm, small, p_small)
    big = MemberSet(g, list(range(1, 1025)))
    p_big, Cb = prove_membership(g, 777, g.random_scalar(), big)
    verify_membership(g, Cb, big, p_big)
    print(f"   3 members ({p_small.method}): {len(p_small)} bytes; 1024 members ({p_big.method}): {len(p_big)} bytes")
    cost = membership_cost(g, 2**16)
    print(f"   2^16 members (gk): {cost['gk_bytes']} bytes; verify: {cost['gk_verify']}")
    sees("the commitment and the set; not which member")

    section("Policy compliance: amount ≤ limit, recipient whitelisted, time ≥ unlock")
    policy = CompliancePolicy(b"treasury-v3", limit=10_000, whitelist=(b"acme", b"globex"),
                              unlock_time=1_760_000_000, group_name=g.name)
    tx, opening = commit_transaction(policy, 2_500, b"acme", 1_760_000_123)
    digest = b"tx-digest-0001"
    p_c = prove_compliance(policy, tx, opening, digest)
    verify_compliance(policy, tx, digest, p_c)
    print(f"   proof {len(p_c)} bytes (range {len(p_c.range_proof)} + membership {len(p_c.membership)})")
    sees("the policy, the tx digest and three commitments; only that the policy holds")
    print("\nall proofs verified")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "secp256k1")
