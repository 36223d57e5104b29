"""Group.hash_to_element against the RFC 9380 vectors of each group's suite (appendix J)."""
from __future__ import annotations

import pytest
from _groups import group
from conftest import load_vectors

from pqzk.errors import InvalidParameter

SUITES = {
    "p256": "P256_XMD_SHA-256_SSWU_RO_.json",
    "secp256k1": "secp256k1_XMD_SHA-256_SSWU_RO_.json",
    "ed25519": "edwards25519_XMD_SHA-512_ELL2_RO_.json",
    "ed448": "edwards448_XOF_SHAKE256_ELL2_RO_.json",
}


def _cases():
    # a missing vector file fails collection: it used to drop the suite silently
    for name, fname in SUITES.items():
        doc = load_vectors(f"hash-to-curve/{fname}")
        assert doc["vectors"], f"{fname} has no vectors"
        for i, v in enumerate(doc["vectors"]):
            yield pytest.param(name, doc["dst"].encode(), v, id=f"{name}-{i}")


@pytest.mark.parametrize("name,dst,v", list(_cases()))
def test_rfc9380_vectors(name, dst, v):
    G = group(name)
    P = G.hash_to_element(v["msg"].encode(), dst)
    assert G.point_to_xy(P) == (int(v["P"]["x"], 16), int(v["P"]["y"], 16))
    # the result is a valid, canonical element of the prime-order group
    assert G.decode(P.to_bytes()) == P


def test_every_suite_has_vectors():
    assert {c.values[0] for c in _cases()} == set(SUITES)


@pytest.mark.parametrize("name", list(SUITES) + ["ristretto255"])
def test_domain_separation_and_bad_input(name):
    G = group(name)
    a = G.hash_to_element(b"msg", b"DST-A")
    assert a == G.hash_to_element(b"msg", b"DST-A")
    assert a != G.hash_to_element(b"msg", b"DST-B") != G.hash_to_element(b"msg2", b"DST-B")
    assert not a.is_identity()
    with pytest.raises(InvalidParameter):
        G.hash_to_element(b"msg", b"")
    with pytest.raises(InvalidParameter):
        G.hash_to_element("msg", b"DST")
