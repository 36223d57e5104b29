"""Publicly verifiable backup of a share against its Feldman VSS public share (cut-and-choose
with X-Wing). Small κ keeps the tests quick; the verifier's default floor is 128."""
from __future__ import annotations

import pytest

from pqzk.errors import InvalidEncoding, InvalidParameter, VerificationError
from pqzk.groups import get_group
from pqzk.math.rand import DeterministicRNG
from pqzk.sharing.vss import feldman_deal
from pqzk.tokens import pve
from pqzk.tokens.recipient import generate

K = 12
CTX = b"party 2 of group X, backup #1"


@pytest.fixture(scope="module")
def setup():
    g = get_group("secp256k1")
    shares, commitment = feldman_deal(g, 1234567, 2, 3, rng=DeterministicRNG(b"pve"))
    rec = generate("xwing")
    share = shares[1]
    X = commitment.public_share(share.identifier).to_bytes()
    proof = pve.prove(g, share.value, rec.public_key(), CTX, kappa=K)
    return g, share, X, rec, proof


def test_verify_then_recover(setup):
    g, share, X, rec, proof = setup
    pve.verify(proof, rec.public_key(), X, CTX, min_kappa=K)
    assert pve.decrypt(proof, rec, X, CTX, min_kappa=K) == share.value
    assert share.value.to_bytes(32, "big") not in proof.to_bytes()


def test_roundtrip_encoding(setup):
    g, share, X, rec, proof = setup
    again = pve.PVEProof.from_bytes(proof.to_bytes())
    assert again == proof
    raw = proof.to_bytes()
    for bad in (b"", raw[:-1], raw + b"\x00", b"X" + raw[1:]):
        with pytest.raises(InvalidEncoding):
            pve.PVEProof.from_bytes(bad)


def test_other_public_share_context_or_recipient_fails(setup):
    g, share, X, rec, proof = setup
    other_X = g.base_mult(share.value + 1).to_bytes()
    with pytest.raises(VerificationError):
        pve.verify(proof, rec.public_key(), other_X, CTX, min_kappa=K)
    with pytest.raises(VerificationError):
        pve.verify(proof, rec.public_key(), X, CTX + b"!", min_kappa=K)
    with pytest.raises(VerificationError):
        pve.verify(proof, generate("xwing").public_key(), X, CTX, min_kappa=K)


def test_too_few_repetitions_are_refused(setup):
    g, share, X, rec, proof = setup
    with pytest.raises(VerificationError, match="fewer than the 128"):
        pve.verify(proof, rec.public_key(), X, CTX)


@pytest.mark.parametrize("where", ["commitment", "c0", "c1", "value", "seed"])
def test_any_tampering_fails(setup, where):
    g, share, X, rec, proof = setup
    j = 3
    Rs, cts, ops = list(proof.commitments), list(proof.ciphertexts), list(proof.openings)
    flip = lambda b: b[:-1] + bytes([b[-1] ^ 1])  # noqa: E731
    if where == "commitment":
        Rs[j] = g.encode(g.decode(Rs[j]) + g.generator())
    elif where in ("c0", "c1"):
        b = 0 if where == "c0" else 1
        c = list(cts[j])
        c[b] = flip(c[b])
        cts[j] = tuple(c)
    elif where == "value":
        ops[j] = (g.scalar_encode((g.scalar_decode(ops[j][0]) + 1) % g.order), ops[j][1])
    else:
        ops[j] = (ops[j][0], flip(ops[j][1]))
    bad = pve.PVEProof(proof.group, proof.public_share, tuple(Rs), tuple(cts), tuple(ops))
    with pytest.raises((VerificationError, InvalidEncoding)):
        pve.verify(bad, rec.public_key(), X, CTX, min_kappa=K)


def test_prover_who_does_not_know_the_share_fails(setup):
    """Encrypting some other scalar cannot be passed off against X."""
    g, share, X, rec, proof = setup
    wrong = pve.prove(g, (share.value + 5) % g.order, rec.public_key(), CTX, kappa=K)
    forged = pve.PVEProof(wrong.group, X, wrong.commitments, wrong.ciphertexts, wrong.openings)
    with pytest.raises(VerificationError):
        pve.verify(forged, rec.public_key(), X, CTX, min_kappa=K)


def test_needs_an_xwing_recovery_key(setup):
    g, share, X, rec, proof = setup
    with pytest.raises(InvalidParameter):
        pve.prove(g, share.value, generate("mlkem768-x25519").public_key(), CTX, kappa=K)


def test_frost_verifying_share(tmp_path):
    """A FROST signer's share, audited against the public key package's verifying share."""
    from pqzk.threshold import frost
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=DeterministicRNG(b"pve-frost"))
    rec = generate("xwing")
    Y = pkp.verifying_shares[2].to_bytes()
    proof = pve.prove(suite.group, kps[2].signing_share, rec.public_key(), b"frost p2", kappa=8)
    assert pve.decrypt(proof, rec, Y, b"frost p2", min_kappa=8) == kps[2].signing_share


def test_prove_from_a_store(tmp_path):
    from token_stores import FileBackend
    from pqzk.threshold import frost
    from pqzk.tokens.frost import put_key_package
    suite = frost.get_ciphersuite("FROST-secp256k1-SHA256-v1")
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 3, rng=DeterministicRNG(b"pve-store"))
    store = FileBackend(tmp_path).open()
    meta = put_key_package(store, "p3", kps[3])
    rec = generate("xwing")
    proof, ctx = pve.prove_key_package(store, "p3", suite, rec.public_key(), kappa=8)
    assert ctx == meta.to_bytes()
    pve.verify(pve.PVEProof.from_bytes(proof.to_bytes()), rec.public_key(), pkp.verifying_shares[3].to_bytes(),
               ctx, min_kappa=8)
    with pytest.raises(VerificationError):
        pve.verify(proof, rec.public_key(), pkp.verifying_shares[2].to_bytes(), ctx, min_kappa=8)
