"""Which groups the tests run over: the five non-pairing groups always; the BLS12-381 groups as
soon as their module exists (so they join these tests without editing them)."""
from __future__ import annotations

import importlib.util

from pqzk.groups import get_group, group_names

CORE = ["secp256k1", "ed25519", "ristretto255", "p256", "ed448"]
_EXTRA = ["bls12_381_g1", "bls12_381_g2"] if importlib.util.find_spec("pqzk.groups.bls12_381") else []
NAMES = CORE + [n for n in _EXTRA if n in group_names()]

# groups whose standard encoding cannot represent the identity (SEC1 compressed points)
NO_IDENTITY_ENCODING = {"secp256k1", "p256"}


def group(name: str):
    return get_group(name)
