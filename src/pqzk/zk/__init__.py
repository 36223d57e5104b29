"""Zero-knowledge proofs: Fiat–Shamir transcripts, composable sigma protocols, proof of share
possession, Bulletproofs range proofs, set membership and policy-compliance proofs.

Modules: transcript, sigma, possession, range, membership, compliance.
"""
