"""pqzk.groups.nums: the one nothing-up-my-sleeve derivation (Pedersen H, vector generators)."""
from __future__ import annotations

import pytest

from pqzk.errors import InvalidParameter
from pqzk.groups import get_group, group_names
from pqzk.groups.nums import nothing_up_my_sleeve
from pqzk.sharing.vss import PEDERSEN_H_DST, pedersen_generator

# pinned: H is a public constant of every Pedersen commitment made so far; it must not drift
PINNED = {
    ("secp256k1", "hash_to_curve"): "03314f2b088163501319e8fdef69ab30fc6e4a9a5fe0048cee904ec7f622024513",
    ("secp256k1", "try_and_increment"): "027e5294734778a739df07e1a0ecb39120bed17abdeb6d5fda64ec44fa35403dfe",
    ("ristretto255", "hash_to_curve"): "a6e89055406e769c87d28aabd5c7fa64c2aa75917485424f69a1d759c913b860",
}


def _no_suite(monkeypatch, g):
    def no_suite(msg, dst):
        raise InvalidParameter("no suite")
    monkeypatch.setattr(g, "hash_to_element", no_suite)


@pytest.mark.parametrize("name, path", sorted(PINNED))
def test_pedersen_generator_known_answers(name, path, monkeypatch):
    g = get_group(name)
    if path == "try_and_increment":
        _no_suite(monkeypatch, g)
        h = pedersen_generator.__wrapped__(g)
    else:
        h = pedersen_generator(g)
    assert h.to_bytes().hex() == PINNED[name, path]
    assert h == nothing_up_my_sleeve(g, name.encode(), PEDERSEN_H_DST)


@pytest.mark.parametrize("name", [n for n in group_names() if not n.startswith("bls12_381")])
def test_fallback_gives_distinct_valid_elements(name, monkeypatch):
    g = get_group(name)
    _no_suite(monkeypatch, g)
    a, b = (nothing_up_my_sleeve(g, m, b"PQZK-TEST-NUMS") for m in (b"a", b"b"))
    assert a != b and not a.is_identity() and a != g.generator()
    assert g.decode(a.to_bytes()) == a
    assert nothing_up_my_sleeve(g, b"a", b"PQZK-TEST-NUMS") == a
    assert nothing_up_my_sleeve(g, b"a", b"PQZK-TEST-NUMS-2") != a


def test_exhausted_try_and_increment_raises_invalid_parameter(monkeypatch):
    g = get_group("secp256k1")
    _no_suite(monkeypatch, g)
    with pytest.raises(InvalidParameter, match="nothing-up-my-sleeve"):
        nothing_up_my_sleeve(g, b"x", b"PQZK-TEST-NUMS", attempts=0)
