"""A node's home: identity generated into its share store, the committee file checked and pinned
on open, the key package kept in the store, the audit log its own."""
from __future__ import annotations

import pytest

from pqzk.errors import InvalidParameter, VerificationError
from pqzk.node.committee import Committee
from pqzk.node.home import NodeHome
from pqzk.policy.audit import verify_log
from pqzk.threshold import frost

PASS = "node passphrase"


pytestmark = pytest.mark.usefixtures("fast_kdf")   # tests/conftest.py


def _homes(tmp_path, n=3):
    homes = {i: NodeHome(tmp_path / f"node{i}") for i in range(1, n + 1)}
    pubs = {i: h.create(i, f"file:{tmp_path / f'store{i}'}", PASS) for i, h in homes.items()}
    coord = NodeHome(tmp_path / "coord")
    cpub = coord.create("coordinator", f"file:{tmp_path / 'store-c'}", PASS)
    return homes, pubs, coord, cpub


def _committee(homes, pubs, cpub, version=1):
    c = Committee("vault", version, tuple(pubs.values()), (cpub,), "FROST-ED25519-SHA512-v1", 2)
    for h in homes.values():
        with _identity(h) as ident:
            c = c.sign(ident)
    return c


class _identity:
    """The node's identity, read from its store (what `pqzk committee sign` does)."""

    def __init__(self, home):
        self.home = home

    def __enter__(self):
        from pqzk.node.identity import IDENTITY_KEY_ID, IDENTITY_SUITE, NodeIdentity
        from pqzk.tokens import open_store
        cfg = self.home.config()
        self.store = open_store(cfg["store"], PASS).__enter__()
        with self.store.get(IDENTITY_KEY_ID, ciphersuite=IDENTITY_SUITE) as u:
            return NodeIdentity.from_record(cfg["id"], bytes(u.value))

    def __exit__(self, *exc):
        self.store.__exit__(*exc)


def test_create_open_keep_and_audit(tmp_path):
    homes, pubs, coord, cpub = _homes(tmp_path)
    c = _committee(homes, pubs, cpub)
    assert homes[1].public() == pubs[1]
    with pytest.raises(InvalidParameter, match="already holds a node"):
        homes[1].create(1, f"file:{tmp_path / 'other'}", PASS)
    kps, pkp = frost.trusted_dealer_keygen("FROST-ED25519-SHA512-v1", 2, 3)
    with homes[1].open(PASS, c) as node:
        assert node.key() == (None, None)
        node.keep(kps[1], pkp)
        node.audit("note", {"event": "test"})
        assert node.keyring.party == 1 and node.nonce_store().suite.name == "FROST-ED25519-SHA512-v1"
        audit_pub = node.identity.audit_key.public_key().public_bytes_raw()
    with homes[1].open(PASS, c) as node:
        assert node.key() == (kps[1], pkp)
    verify_log(tmp_path / "node1" / "audit.db", audit_pub)


def test_open_refuses_stale_foreign_or_mismatched_committees(tmp_path):
    homes, pubs, coord, cpub = _homes(tmp_path)
    v2 = _committee(homes, pubs, cpub, version=2)
    with homes[2].open(PASS, v2):
        pass
    with pytest.raises(VerificationError, match="older than version 2"):
        with homes[2].open(PASS, _committee(homes, pubs, cpub, version=1)):
            pass
    others = dict(pubs)
    others[3] = NodeHome(tmp_path / "x").create(3, f"file:{tmp_path / 'store-x'}", PASS)
    c = Committee("vault", 3, tuple(others.values()), (cpub,), "FROST-ED25519-SHA512-v1", 2)
    homes_x = {1: homes[1], 2: homes[2], 3: NodeHome(tmp_path / "x")}
    for h in homes_x.values():
        with _identity(h) as ident:
            c = c.sign(ident)
    with pytest.raises(InvalidParameter, match="not the ones in the committee file"):
        with homes[3].open(PASS, c):
            pass
    # a file that does not carry this node's keys is not pinned: version 1 still opens
    with homes[3].open(PASS, _committee(homes, pubs, cpub, version=1)):
        pass


def test_identity_reads_the_secret_identity_for_signing_committee_files(tmp_path):
    from pqzk.tokens.errors import WrongPin
    homes, pubs, coord, cpub = _homes(tmp_path, 2)
    assert homes[1].identity(PASS).public == pubs[1] and coord.identity(PASS).public == cpub
    with pytest.raises(WrongPin):
        homes[1].identity("not the passphrase")
    (tmp_path / "node1" / "public.json").write_text((tmp_path / "node2" / "public.json").read_text()
                                                    .replace('"id": 2', '"id": 1'))
    with pytest.raises(InvalidParameter, match="not this node's identity"):
        homes[1].identity(PASS)
