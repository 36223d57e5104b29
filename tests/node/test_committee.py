"""Node identities and the committee file: signed by every node, strictly decoded, never older
than the version a node already accepted."""
from __future__ import annotations

import functools
import json
from dataclasses import replace

import pytest

from pqzk.errors import InvalidEncoding, InvalidParameter, VerificationError
from pqzk.math.rand import DeterministicRNG
from pqzk.node.committee import Committee, VersionPin
from pqzk.node.identity import NodeIdentity, NodePublic


@functools.lru_cache(maxsize=None)
def identities():
    return {i: NodeIdentity.generate(i, rng=DeterministicRNG(b"node%d" % i)) for i in (1, 2, 3)} | {
        "coordinator": NodeIdentity.generate("coordinator", rng=DeterministicRNG(b"coord"))}


def committee(version=1, **changes) -> Committee:
    ids = identities()
    c = Committee("treasury", version, tuple(ids[i].public for i in (1, 2, 3)), (ids["coordinator"].public,),
                  "FROST-ED25519-SHA512-v1", 2, None, {"name": "p"})
    c = replace(c, **changes)
    for i in (1, 2, 3):
        c = c.sign(ids[i])
    return c


def test_identity_record_round_trip_and_redaction():
    ident = identities()[1]
    again = NodeIdentity.from_record(1, ident.to_record())
    assert again.public == ident.public and again.nonce_key == ident.nonce_key
    assert "redacted" in repr(ident) and ident.nonce_key.hex() not in repr(ident)
    for bad in (b"", ident.to_record()[:-1], ident.to_record() + b"x", b"PQZKNODE\x02" + ident.to_record()[9:]):
        with pytest.raises(InvalidEncoding):
            NodeIdentity.from_record(1, bad)
    with pytest.raises(InvalidParameter):
        NodeIdentity.generate(0)


def test_a_committee_signed_by_every_node_verifies_and_round_trips():
    c = committee()
    c.verify()
    back = Committee.from_json(c.to_json())
    assert back == c and back.digest() == c.digest()
    back.verify()
    assert sorted(map(str, c.directory().keys)) == ["1", "2", "3", "coordinator"]


def test_missing_foreign_or_stale_signatures_are_refused():
    ids = identities()
    unsigned = Committee("treasury", 1, tuple(ids[i].public for i in (1, 2, 3)), (), "FROST-ED25519-SHA512-v1", 2)
    with pytest.raises(VerificationError, match=r"not signed by nodes \[1, 2, 3\]"):
        unsigned.verify()
    c = committee()
    changed = replace(c, threshold=3)                          # the signatures were over threshold 2
    with pytest.raises(VerificationError, match="does not verify"):
        changed.verify()
    with pytest.raises(InvalidParameter):                      # the coordinator is not a signing node
        c.sign(ids["coordinator"])
    stranger = NodeIdentity.generate(1, rng=DeterministicRNG(b"stranger"))
    with pytest.raises(InvalidParameter):
        c.sign(stranger)
    extra = replace(c, signatures={**c.signatures, "coordinator": b"x" * 10})
    with pytest.raises(VerificationError, match="not nodes"):
        extra.verify()


@pytest.mark.parametrize("mutate", [
    lambda d: d.pop("policy"),
    lambda d: d.update(format="pqzk-committee/2"),
    lambda d: d.update(version=0),
    lambda d: d.update(version=1.0),
    lambda d: d.update(committee="Bad Name"),
    lambda d: d["key"].update(threshold=4),
    lambda d: d["key"].update(suite="NOPE"),
    lambda d: d["key"].update(public_key_package="zz"),
    lambda d: d["nodes"][0].update(signing_key="00"),
    lambda d: d["nodes"][0].update(id=True),
    lambda d: d["nodes"].append(d["nodes"][0]),
    lambda d: d.update(signatures=[]),
    lambda d: d["signatures"].update({"1": "not hex"}),
    lambda d: d.pop("endorsements"),
    lambda d: d.update(endorsements=[]),
    lambda d: d["endorsements"].update({"1": "not hex"}),
    lambda d: d["endorsements"].update({"1": 7}),
])
def test_malformed_committee_files_are_invalid_encoding(mutate):
    d = json.loads(committee().to_json())
    mutate(d)
    with pytest.raises(InvalidEncoding):
        Committee.from_json(json.dumps(d))


def test_the_version_pin_refuses_a_stale_file(tmp_path):
    pin = VersionPin(tmp_path / "committee.pin")
    assert pin.accepted() is None
    pin.accept(committee(2))
    pin.accept(committee(2))                                   # the same version again is fine
    with pytest.raises(VerificationError, match="older than version 2"):
        pin.accept(committee(1))
    pin.accept(committee(3))
    assert pin.accepted() == ("treasury", 3)
    with pytest.raises(VerificationError, match="belongs to committee"):
        pin.accept(replace(committee(4), name="other", signatures={}).sign(identities()[1]).sign(
            identities()[2]).sign(identities()[3]))
    (tmp_path / "committee.pin").write_text("garbage")
    with pytest.raises(InvalidEncoding):
        pin.accepted()


@functools.lru_cache(maxsize=None)
def newcomer():
    return NodeIdentity.generate(4, rng=DeterministicRNG(b"node4"))


def version(v, nodes, threshold, *, signers=None, endorsers=(), base=None):
    """Version `v` of the treasury committee with these node identities and threshold, signed by
    `signers` (default: all its nodes) and endorsed by `endorsers`."""
    ids = identities()
    c = Committee("treasury", v, tuple(n.public for n in nodes), (ids["coordinator"].public,),
                  "FROST-ED25519-SHA512-v1", threshold, None, {"name": "p"})
    if base is not None:
        c = replace(c, **base)
    for n in (nodes if signers is None else signers):
        c = c.sign(n)
    for n in endorsers:
        c = c.endorse(n)
    return c


def test_a_new_version_that_changes_members_threshold_or_key_needs_the_previous_threshold_of_nodes(tmp_path):
    """Two nodes of a new version (one of them new) cannot vote themselves a committee: its nodes
    sign it, but only one of version 1's nodes approves it, and version 1 needs two."""
    ids = identities()
    v1 = version(1, [ids[1], ids[2], ids[3]], 2)
    takeover = version(2, [ids[3], newcomer()], 2)
    assert takeover.changes_from(v1) == ["nodes"] and takeover.endorsers(v1) == [3]
    takeover.verify()                                        # valid on its own: every node it lists signed
    with pytest.raises(VerificationError, match=r"changes the nodes of version 1: it needs the approval of 2 .* has 1"):
        takeover.verify_successor(v1)
    pin = VersionPin(tmp_path / "pin")
    pin.accept(v1)
    with pytest.raises(VerificationError, match="approval"):
        pin.accept(takeover)
    assert pin.committee() == v1                              # nothing pinned
    endorsed = takeover.endorse(ids[1])                       # node 1 leaves, and approves
    assert endorsed.digest() == takeover.digest() and endorsed.endorsers(v1) == [1, 3]
    back = Committee.from_json(endorsed.to_json())
    assert back == endorsed
    pin.accept(back)
    assert pin.committee() == back and pin.accepted() == ("treasury", 2)


def test_approvals_count_only_signatures_with_the_previous_versions_keys():
    ids = identities()
    v1 = version(1, [ids[1], ids[2], ids[3]], 2)
    raised = version(2, [ids[1], ids[2], ids[3]], 3)          # every node stays and signs: approved
    assert raised.changes_from(v1) == ["threshold"] and raised.endorsers(v1) == [1, 2, 3]
    raised.verify_successor(v1)
    rotated = NodeIdentity.generate(2, rng=DeterministicRNG(b"node2-rotated"))
    v2 = version(2, [rotated, newcomer()], 2)                 # node 2's new key signs as a node: not an approval
    assert v2.endorsers(v1) == []
    assert v2.endorse(rotated).endorsers(v1) == []            # nor as an endorsement: not its version 1 key
    assert v2.endorse(ids[2]).endorse(ids[3]).endorsers(v1) == [2, 3]
    forged = replace(v2, endorsements={"1": v2.endorse(ids[3]).endorsements["3"]})     # 3's signature as 1's
    assert forged.endorsers(v1) == []
    keyed = version(2, [ids[1], ids[2], ids[3]], 2, signers=[ids[1], ids[2], ids[3]],
                    base={"public_key_package": None, "suite": "FROST-RISTRETTO255-SHA512-v1"})
    assert keyed.changes_from(v1) == ["suite"]
    policy_only = version(2, [ids[1], ids[2], ids[3]], 2, base={"policy": {"name": "q"}})
    assert policy_only.changes_from(v1) == []                 # signed by every node: nothing more needed
    policy_only.verify_successor(v1)


def test_another_file_under_an_accepted_version_is_refused(tmp_path):
    ids = identities()
    pin = VersionPin(tmp_path / "pin")
    pin.accept(version(1, [ids[1], ids[2], ids[3]], 2))
    pin.accept(version(1, [ids[1], ids[2], ids[3]], 2))      # the same content, signed again: fine
    with pytest.raises(VerificationError, match="new content needs a new version"):
        pin.accept(version(1, [ids[1], ids[2], ids[3]], 3))


def test_loading_from_files(tmp_path):
    p = tmp_path / "committee.json"
    c = committee()                                  # (composite signatures are randomized: keep this one)
    p.write_text(c.to_json())
    assert Committee.load(p) == c
    with pytest.raises(InvalidParameter):
        Committee.load(tmp_path / "missing.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe")
    with pytest.raises(InvalidEncoding):
        Committee.load(tmp_path / "bin.json")
    assert NodePublic.from_dict(identities()[2].public.to_dict()) == identities()[2].public
