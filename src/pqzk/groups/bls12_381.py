"""BLS12-381 groups and pairing as the registry sees them (`get_group("bls12_381_g1"/"_g2")`).

For now the pure-Python reference (`bls12_381_ref`); the native engine replaces these names.
"""
from .bls12_381_ref import (G1, G2, final_exponentiation, miller_loop, multi_pairing,
                            multi_pairing_is_one, pairing)

__all__ = ["G1", "G2", "final_exponentiation", "miller_loop", "multi_pairing", "multi_pairing_is_one",
           "pairing"]
