"""Oblivious transfer, usable on its own: endemic base OT (Masny–Rindal), KOS15 OT extension,
and two-party multiplication as random vector OLE (DKLs23 Protocol 5.2).

    base       BaseOtReceiver / BaseOtSender: one-round batches of 1-out-of-2 OT on secp256k1
    extension  receive / send: many random OTs with scalar-vector messages from 128 base OTs
    vole       VoleReceiver / send: additive shares of a·b for Alice's vector a and Bob's random b
    setup      PairwiseOt: both directions' seeds between two parties (what DKLs23 keys store)

docs/ecdsa.md says which variants and why, and their security levels.
"""
from . import base, extension, vole
from .setup import PairwiseOt, OtSetupMessage

__all__ = ["base", "extension", "vole", "PairwiseOt", "OtSetupMessage"]
