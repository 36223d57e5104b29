"""Zero-knowledge proofs: Fiat–Shamir transcripts, composable sigma protocols, proof of share
possession, Bulletproofs range proofs, set membership and policy-compliance proofs.

Modules: transcript, sigma, possession, generators, range, membership, compliance.

Every proof runs over any prime-order group of `pqzk.groups` and binds its whole statement in a
SHAKE256 transcript before any commitment. Multi-scalar multiplications go through `group.msm`.
Python big-int arithmetic is not constant time: provers here are for research, teaching and
benchmarks, not for secrets that a co-located attacker can time.
"""
