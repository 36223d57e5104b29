"""BLS12-381 groups and pairing as the registry sees them (`get_group("bls12_381_g1"/"_g2")`).

The native engine (`bls12_381_native`, C in native/bls12_381.c); the pure-Python reference stays
importable as `pqzk.groups.bls12_381_ref` for cross-checks.
"""
from .bls12_381_native import G1, G2, GT, multi_pairing, multi_pairing_is_one, pairing

__all__ = ["G1", "G2", "GT", "multi_pairing", "multi_pairing_is_one", "pairing"]
