"""The runtime's scheduling choices come from its rng (OS CSPRNG by default), not `random`."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pqzk
from pqzk.errors import InvalidParameter
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import Corrupt, Message, Simulator

SRC = Path(pqzk.__file__).parent
FINISHED = ["math", "hashing", "groups", "sharing", "dkg", "threshold", "runtime", "pq"]


class Echo:
    def __init__(self, pid):
        self.id, self.got = pid, []

    def receive(self, msg):
        self.got.append(msg.payload)
        return []


def _order(seed: bytes) -> list[bytes]:
    a, b = Echo("a"), Echo("b")
    sim = Simulator([a, b], rng=DeterministicRNG(seed), reorder=True)
    sim.send([Message("a", "b", "x", bytes([i])) for i in range(12)])
    sim.run()
    return b.got


def test_reordering_is_reproducible_from_the_rng_and_depends_on_it():
    first = _order(b"one")
    assert sorted(first) == [bytes([i]) for i in range(12)]
    assert _order(b"one") == first
    assert any(_order(s) != first for s in (b"two", b"three", b"four"))


def test_schedule_randrange_is_in_range_and_refuses_empty():
    sim = Simulator([], rng=DeterministicRNG(b"r"))
    draws = [sim.rand.randrange(5) for _ in range(200)]
    assert set(draws) == {0, 1, 2, 3, 4}
    with pytest.raises(InvalidParameter):
        sim.rand.randrange(0)


def test_corrupt_flips_exactly_one_bit():
    a, b = Echo("a"), Echo("b")
    sim = Simulator([a, b], faults=[Corrupt(sender="a")], rng=DeterministicRNG(b"c"))
    sim.send([Message("a", "b", "x", bytes(16))])
    sim.run()
    assert len(b.got) == 1 and sum(bin(x).count("1") for x in b.got[0]) == 1


@pytest.mark.parametrize("area", FINISHED)
def test_no_finished_module_imports_the_random_module(area):
    for path in sorted((SRC / area).rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            assert "random" not in names, f"{path.relative_to(SRC)} imports random"


@pytest.mark.parametrize("data", [None, 7, "request"])
def test_decode_sign_request_refuses_non_bytes(data):
    from pqzk.errors import InvalidParameter
    from pqzk.runtime.frost_parties import decode_sign_request
    from pqzk.threshold import frost
    with pytest.raises(InvalidParameter, match="must be bytes"):
        decode_sign_request(frost.get_ciphersuite("FROST-ED25519-SHA512-v1"), data)
