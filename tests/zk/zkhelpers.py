"""Helpers for the zk tests: which groups exist right now (others join as they land)."""
from __future__ import annotations

import pytest

from pqzk.groups import get_group

# prime-order groups the zk layer is meant for, in the order they are tested
CANDIDATES = ["secp256k1", "ristretto255", "bls12_381_g1", "p256", "ed25519", "ed448"]


def available_groups() -> list[str]:
    out = []
    for name in CANDIDATES:
        try:
            get_group(name)
        except (ImportError, AttributeError):
            continue
        out.append(name)
    return out


GROUPS = available_groups()
group_params = pytest.mark.parametrize("gname", GROUPS)
