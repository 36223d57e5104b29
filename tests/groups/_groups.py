"""Which groups the tests run over: every registered group (all seven exist now; a missing module
fails the tests instead of silently shrinking the list, as the old existence probe did)."""
from __future__ import annotations

from pqzk.groups import get_group, group_names

CORE = ["secp256k1", "ed25519", "ristretto255", "p256", "ed448"]
NAMES = CORE + ["bls12_381_g1", "bls12_381_g2"]
assert sorted(NAMES) == sorted(group_names())

# groups whose standard encoding cannot represent the identity (SEC1 compressed points)
NO_IDENTITY_ENCODING = {"secp256k1", "p256"}


def group(name: str):
    return get_group(name)
