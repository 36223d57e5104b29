"""Distributed key generation: Pedersen DKG with proofs of knowledge, complaints (`pedersen`)."""
from .pedersen import (Complaint, DkgParameters, DkgResult, ProofOfKnowledge, Round1Package, Round1Secret,
                       Round2Package, Round2Secret, check_shares, part1, part2, part3, resolve_complaint,
                       verify_proof_of_knowledge)

__all__ = ["Complaint", "DkgParameters", "DkgResult", "ProofOfKnowledge", "Round1Package", "Round1Secret",
           "Round2Package", "Round2Secret", "check_shares", "part1", "part2", "part3", "resolve_complaint",
           "verify_proof_of_knowledge"]
