"""Scalar arguments of the Group API: any int is reduced mod the order (negative ones too);
anything else is an InvalidParameter, never a TypeError from deep inside."""
from __future__ import annotations

import pytest

from pqzk.errors import InvalidParameter
from pqzk.groups import get_group, group_names


@pytest.mark.parametrize("name", group_names())
def test_non_int_scalars_are_invalid_parameters(name):
    g = get_group(name)
    P = g.generator()
    for bad in ("1", 1.0, None, b"\x01"):
        with pytest.raises(InvalidParameter, match="scalar must be an int"):
            g.scalar_mult(bad, P)
        with pytest.raises(InvalidParameter, match="scalar must be an int"):
            g.base_mult(bad)
        with pytest.raises(InvalidParameter, match="scalar must be an int"):
            g.msm([1, bad], [P, P])
        with pytest.raises(InvalidParameter, match="scalar must be an int"):
            g.msm_vartime([1, bad], [P, P])


@pytest.mark.parametrize("name", ["secp256k1", "ed25519", "ristretto255", "p256", "ed448"])
def test_ints_reduce_modulo_the_order(name):
    g = get_group(name)
    P = g.base_mult(5)
    assert g.scalar_mult(-1, P) == -P
    assert g.base_mult(g.order + 5) == P
    assert g.msm([-2, g.order + 3], [P, P]) == P
    assert g.msm_vartime([-2, g.order + 3], [P, P]) == P


@pytest.mark.parametrize("name", ["secp256k1", "ed25519", "p256", "ed448"])
def test_hash_to_scalar_refuses_text(name):
    g = get_group(name)
    with pytest.raises(InvalidParameter, match="must be bytes"):
        g.hash_to_scalar("message", b"DST")
    with pytest.raises(InvalidParameter, match="must be bytes"):
        g.hash_to_scalar(b"message", "DST")
    assert g.hash_to_scalar(memoryview(b"message"), b"DST") == g.hash_to_scalar(b"message", b"DST")
