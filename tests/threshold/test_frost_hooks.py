"""FROST structure: the BIP-340 variant lives in ciphersuite hooks, appendix C's VSS is
pqzk.sharing.vss, the frost modules import each other without a cycle, and an identifiable
abort is a ProtocolError."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from frost_helpers import ZF_SUITES, suite_for

from pqzk.errors import InvalidEncoding, InvalidParameter, ProtocolAbort, ProtocolError, VerificationError
from pqzk.math.rand import DeterministicRNG
from pqzk.sharing.vss import FeldmanCommitment
from pqzk.threshold import frost
from pqzk.threshold.frost import api, core
from pqzk.threshold.frost.ciphersuite import Bip340Hooks, Ciphersuite, SchnorrHooks

FROST_DIR = Path(frost.__file__).parent


def _frost_imports(path: Path) -> set[str]:
    """The sibling frost modules `path` imports, at any depth (lazy imports count: a cycle hidden
    in a function is still a cycle), except under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text())
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
            and getattr(node.test, "id", None) == "TYPE_CHECKING" for n in ast.walk(node)}
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and id(node) not in skip:
            names = [node.module] if node.module else [a.name for a in node.names]
            out |= {n.split(".")[0] for n in names}
    return out


def test_frost_modules_import_without_a_cycle():
    graph = {p.stem: _frost_imports(p) for p in FROST_DIR.glob("*.py") if p.stem != "__init__"}
    assert "lifecycle" not in graph["types"] and "types" in graph["lifecycle"]

    def visit(node, path):
        assert node not in path, f"import cycle: {' -> '.join([*path, node])}"
        for nxt in graph.get(node, ()):
            visit(nxt, [*path, node])
    for module in graph:
        visit(module, [])


def test_unused_key_packages_from_shares_is_gone():
    assert not hasattr(api, "key_packages_from_shares")


def test_protocol_abort_is_a_protocol_error():
    assert issubclass(ProtocolAbort, ProtocolError)
    suite = suite_for("ed25519")
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=DeterministicRNG(b"abort"))
    round1 = [core.commit(suite, i, kps[i].signing_share, DeterministicRNG(i)) for i in (1, 2)]
    cl = [c for _, c in round1]
    shares = [core.sign(suite, i, kps[i].signing_share, pkp.verifying_key, n, b"m", cl)
              for i, (n, _) in zip((1, 2), round1)]
    shares[1] = frost.SignatureShare(suite, 2, (shares[1].share + 1) % suite.group.order)
    with pytest.raises(ProtocolError) as exc:          # caught as a ProtocolError, still names the culprit
        core.aggregate_verified(suite, cl, b"m", pkp.verifying_key, shares, pkp.verifying_shares)
    assert isinstance(exc.value, ProtocolAbort) and exc.value.culprits == [2]


def test_every_suite_names_its_hooks():
    for name in ZF_SUITES:
        suite = suite_for(name)
        assert type(suite.hooks) is (Bip340Hooks if name == "secp256k1-tr" else SchnorrHooks)
    with pytest.raises(InvalidParameter, match="unknown FROST Schnorr variant"):
        Ciphersuite(**{**vars(suite_for("p256")), "variant": "bip-340"})


def test_rfc9591_hooks_change_nothing():
    suite, h = suite_for("secp256k1"), SchnorrHooks()
    g = suite.group
    for k in (1, 2, 3):
        P = g.base_mult(k)
        assert h.effective_verifying_key(P) is P and h.effective_group_commitment(P) is P
        assert h.effective_signing_share(g, k, -P) == k and h.effective_nonce(g, k, -P) == k
        assert h.effective_verifying_share(P, -P) is P and h.effective_commitment_share(P, -P) is P


def test_bip340_hooks_make_key_and_commitment_even():
    suite = suite_for("secp256k1-tr")
    g, h = suite.group, suite.hooks
    odd = next(g.base_mult(k) for k in range(1, 50) if g.base_mult(k).to_bytes()[0] == 3)
    k = next(k for k in range(1, 50) if g.base_mult(k) == odd)
    even = -odd
    assert h.effective_verifying_key(odd) == even and h.effective_verifying_key(even) == even
    assert g.base_mult(h.effective_signing_share(g, k, odd)) == even      # share and key negate together
    assert h.effective_verifying_share(odd, odd) == even
    assert h.effective_group_commitment(odd) == even
    assert g.base_mult(h.effective_nonce(g, k, odd)) == even
    assert h.effective_nonce(g, k, even) == k and h.effective_commitment_share(odd, even) == odd
    assert h.challenge_input(odd, even, b"m") == odd.to_bytes()[1:] + even.to_bytes()[1:] + b"m"
    sig = h.encode_signature(g, even, 7)
    assert len(sig) == h.signature_size(g) == 64 and h.decode_signature(g, sig) == (even, 7)
    with pytest.raises(InvalidEncoding, match="64 bytes"):
        h.decode_signature(g, sig + b"\0")
    assert h.decode_verifying_key(g, odd.to_bytes()[1:]) == even         # x-only: the even-y point
    assert h.decode_verifying_key(g, odd.to_bytes()) == odd


@pytest.mark.parametrize("name", list(ZF_SUITES))
def test_appendix_c_vss_is_the_sharing_feldman_commitment(name):
    suite = suite_for(name)
    g = suite.group
    com = core.vss_commit(suite, [5, 6, 7])
    assert isinstance(com, FeldmanCommitment) and com == FeldmanCommitment.from_polynomial(g, [5, 6, 7])
    shares = core.secret_share_shard(suite, 5, [6, 7], 4)
    assert shares == [(i, (5 + 6 * i + 7 * i * i) % g.order) for i in range(1, 5)]
    for sh in shares:
        core.vss_verify(suite, sh, com)
        core.vss_verify(suite, sh, list(com.coefficients))              # the RFC's list of elements
    with pytest.raises(VerificationError, match="share 2"):
        core.vss_verify(suite, (2, shares[1][1] + 1), com)
    pk, vshares = core.derive_group_info(suite, 4, 3, com)
    assert pk == g.base_mult(5) and vshares == {i: g.base_mult(s) for i, s in shares}
    with pytest.raises(InvalidParameter, match="min_participants"):
        core.derive_group_info(suite, 4, 2, com)


def test_public_key_package_rebuilds_its_feldman_commitment():
    suite = suite_for("ristretto255")
    kps, pkp = frost.trusted_dealer_keygen(suite, 3, 5, rng=DeterministicRNG(b"pkp-commitment"))
    com = pkp.feldman_commitment()
    assert com.public_key == pkp.verifying_key and com.threshold == 3
    for kp in kps.values():
        assert com.public_share(kp.identifier) == kp.verifying_share
    short = frost.PublicKeyPackage(suite, {1: pkp.verifying_shares[1], 2: pkp.verifying_shares[2]},
                                   pkp.verifying_key, 3)
    with pytest.raises(InvalidParameter, match="fewer verifying shares"):
        short.feldman_commitment()
