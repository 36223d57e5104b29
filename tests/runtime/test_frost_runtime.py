"""Sans-I/O FROST signing and DKG under faults: detected, culprit named, honest quorum completes."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqzk.errors import NonceReuse, ProtocolAbort, ProtocolError
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import (COORDINATOR, Corrupt, Delay, Drop, Duplicate, FrostSigner, Message, Silent, adversary,
                          dkg_outcome, dkg_with_honest_quorum, run_dkg, run_signing, sign_with_honest_quorum)
from pqzk.runtime.frost_parties import encode_sign_request
from pqzk.threshold import frost
from pqzk.threshold.frost import core

MSG = b"runtime test"


@pytest.fixture(scope="module", params=["ed25519", "secp256k1-tr"])
def keys(request):
    suite = frost.get_ciphersuite(request.param)
    kps, pkp = frost.trusted_dealer_keygen(suite, 3, 5, rng=DeterministicRNG(request.param))
    return suite, kps, pkp


def _check(suite, pkp, sig, msg=MSG):
    frost.verify(suite, pkp.verifying_key, msg, sig)


def test_honest_run_and_reordering(keys):
    suite, kps, pkp = keys
    sig, sim = run_signing(kps, pkp, MSG, [1, 3, 5], rng=DeterministicRNG(1))
    _check(suite, pkp, sig)
    assert not sim.refusals
    kinds = [e.msg.kind for e in sim.log if e.what == "deliver"]
    assert kinds.count("commitment") == 3 and kinds.count("signature_share") == 3
    # random delivery order and held-back messages change nothing
    sig2, _ = run_signing(kps, pkp, MSG, [2, 3, 4], rng=DeterministicRNG(2), reorder=True,
                          faults=[Delay(sender=2, kind="commitment", steps=4), Delay(sender=4, kind="signature_share")])
    _check(suite, pkp, sig2)


def test_duplicates_are_harmless_and_nonce_reuse_refused(keys):
    suite, kps, pkp = keys
    sig, sim = run_signing(kps, pkp, MSG, [1, 2, 3], rng=DeterministicRNG(3),
                           faults=[Duplicate(kind="commitment"), Duplicate(kind="signature_share"),
                                   Duplicate(kind="sign_request", recipient=2)])
    _check(suite, pkp, sig)
    # the duplicated signing request would reuse signer 2's nonces: refused
    assert [(p, type(e)) for p, e in sim.refusals] == [(2, NonceReuse)]


@pytest.mark.parametrize("make,culprit", [
    (lambda: Drop(sender=2, kind="commitment"), 2),
    (lambda: Drop(sender=3, kind="signature_share"), 3),
    (lambda: Silent(sender=1), 1),
    (lambda: Corrupt(sender=2, kind="commitment"), 2),
    (lambda: Corrupt(sender=3, kind="signature_share"), 3),
], ids=["drop-commitment", "drop-share", "silent", "corrupt-commitment", "corrupt-share"])
def test_network_faults_are_attributed_then_honest_quorum_signs(keys, make, culprit):
    suite, kps, pkp = keys
    with pytest.raises(ProtocolAbort) as exc:
        run_signing(kps, pkp, MSG, [1, 2, 3], faults=[make()], rng=DeterministicRNG(4))
    assert exc.value.culprits == [culprit]
    sig, excluded, aborts = sign_with_honest_quorum(kps, pkp, MSG, [1, 2, 3], faults=[make()],
                                                    rng=DeterministicRNG(5))
    assert excluded == [culprit] and len(aborts) == 1
    _check(suite, pkp, sig)


@pytest.mark.parametrize("cls", [adversary.WrongShareSigner, adversary.MismatchedCommitmentSigner,
                                 adversary.EquivocatingSigner])
def test_adversarial_signers_are_named_then_honest_quorum_signs(keys, cls):
    suite, kps, pkp = keys
    with pytest.raises(ProtocolAbort) as exc:
        run_signing(kps, pkp, MSG, [2, 4, 5], adversaries={4: cls}, rng=DeterministicRNG(6))
    assert exc.value.culprits == [4]
    sig, excluded, _ = sign_with_honest_quorum(kps, pkp, MSG, [2, 4, 5], adversaries={4: cls},
                                               rng=DeterministicRNG(7))
    assert excluded == [4]
    _check(suite, pkp, sig)


def test_coordinator_nonce_reuse_attempt_is_refused(keys):
    suite, kps, pkp = keys
    sig, sim = run_signing(kps, pkp, MSG, [1, 2, 3], coordinator_cls=adversary.NonceReuseCoordinator,
                           rng=DeterministicRNG(8))
    _check(suite, pkp, sig)
    assert sorted(p for p, e in sim.refusals if isinstance(e, NonceReuse)) == [1, 2, 3]
    assert all("refusing" in str(e) for _, e in sim.refusals)


def test_signer_state_machine_is_single_use(keys):
    suite, kps, pkp = keys
    signers = {i: FrostSigner(kps[i], DeterministicRNG(i)) for i in (1, 2, 3)}
    comms = [core.SigningCommitments.from_bytes(suite, s.receive(Message(COORDINATOR, i, "round1_request", b"", b"s"))[0].payload)
             for i, s in signers.items()]
    req = Message(COORDINATOR, 1, "sign_request", encode_sign_request(suite, MSG, comms), b"s")
    share = signers[1].receive(req)
    assert share[0].kind == "signature_share"
    with pytest.raises(NonceReuse):
        signers[1].receive(req)
    with pytest.raises(NonceReuse):
        signers[1].receive(Message(COORDINATOR, 1, "sign_request", encode_sign_request(suite, b"other", comms), b"s"))
    with pytest.raises(ProtocolError):   # only the coordinator may ask
        signers[2].receive(Message(3, 2, "sign_request", req.payload, b"s"))
    # a repeated round 1 request in the same session returns the same commitment, no new nonces
    again = signers[2].receive(Message(COORDINATOR, 2, "round1_request", b"", b"s"))[0].payload
    assert again == comms[1].to_bytes()


# ---- DKG ----
def test_dkg_runtime_honest_and_signing(keys):
    suite = keys[0]
    parties, sim = run_dkg(suite, [1, 2, 3, 4], 3, rng=DeterministicRNG(10), reorder=True,
                           faults=[Duplicate(kind="dkg_round1"), Delay(sender=2, kind="dkg_round2", steps=5)])
    kps, pkp = dkg_outcome(parties, [1, 2, 3, 4])
    sig, _ = run_signing(kps, pkp, MSG, [1, 2, 4], rng=DeterministicRNG(11))
    _check(suite, pkp, sig)


@pytest.mark.parametrize("make,culprit", [
    (lambda: Silent(sender=3), 3),
    (lambda: Drop(sender=2, kind="dkg_round2", count=1), 2),
    (lambda: Corrupt(sender=4, kind="dkg_round1", count=1), 4),
    (lambda: Drop(sender=1, kind="dkg_echo", count=1), 1),
    (lambda: Drop(sender=3, kind="dkg_complaints", count=1), 3),
], ids=["silent", "drop-round2", "corrupt-round1", "drop-echo", "drop-complaints"])
def test_dkg_network_faults(keys, make, culprit):
    suite = keys[0]
    parties, _ = run_dkg(suite, [1, 2, 3, 4], 2, faults=[make()], rng=DeterministicRNG(12))
    honest = [i for i in (1, 2, 3, 4) if i != culprit]
    with pytest.raises(ProtocolAbort) as exc:
        dkg_outcome(parties, honest)
    assert exc.value.culprits == [culprit]
    kps, pkp, excluded, _ = dkg_with_honest_quorum(suite, [1, 2, 3, 4], 2, faults=[make()],
                                                   rng=DeterministicRNG(18))
    assert excluded == [culprit]
    sig, _ = run_signing(kps, pkp, MSG, sorted(kps)[:2], rng=DeterministicRNG(19))
    _check(suite, pkp, sig)


@pytest.mark.parametrize("cls", [adversary.BadProofParticipant, adversary.EquivocatingDkgParticipant,
                                 adversary.BadShareDkgParticipant])
def test_dkg_adversaries_named_then_honest_participants_complete(keys, cls):
    suite = keys[0]
    parties, _ = run_dkg(suite, [1, 2, 3, 4], 2, adversaries={2: cls}, rng=DeterministicRNG(13))
    with pytest.raises(ProtocolAbort) as exc:
        dkg_outcome(parties, [1, 3, 4])
    assert exc.value.culprits == [2]
    kps, pkp, excluded, aborts = dkg_with_honest_quorum(suite, [1, 2, 3, 4], 2, adversaries={2: cls},
                                                        rng=DeterministicRNG(14))
    assert excluded == [2] and sorted(kps) == [1, 3, 4]
    sig, _ = run_signing(kps, pkp, MSG, [3, 4], rng=DeterministicRNG(15))
    _check(suite, pkp, sig)


def test_dkg_corrupted_share_is_settled_by_reveal(keys):
    """A share damaged in transit draws a complaint; the honest dealer's public reveal settles it."""
    suite = keys[0]
    g = suite.group

    class Flip(Corrupt):
        def act(self, msg, sim):   # change the share value but keep it a canonical scalar
            from pqzk.threshold.frost import dkg as fdkg
            from pqzk.dkg.pedersen import Round2Package
            p = fdkg.decode_round2(suite, msg.payload)
            return [type(msg)(msg.sender, msg.recipient, msg.kind,
                              fdkg.encode_round2(suite, Round2Package(p.sender, p.receiver, (p.share + 1) % g.order)),
                              msg.session)]

    parties, sim = run_dkg(suite, [1, 2, 3], 2, faults=[Flip(sender=1, recipient=3, kind="dkg_round2")],
                           rng=DeterministicRNG(16))
    kps, pkp = dkg_outcome(parties, [1, 2, 3])
    assert any(e.msg and e.msg.kind == "dkg_reveal" for e in sim.log)
    sig, _ = run_signing(kps, pkp, MSG, [1, 3], rng=DeterministicRNG(17))
    _check(suite, pkp, sig)


FAULTS = {
    "drop": lambda p: Drop(sender=p, count=1),
    "silent": lambda p: Silent(sender=p),
    "corrupt": lambda p: Corrupt(sender=p, count=1),
    "duplicate": lambda p: Duplicate(sender=p),
    "delay": lambda p: Delay(sender=p, steps=3),
}


@settings(max_examples=25)
@given(seed=st.integers(0, 2**32), fault=st.sampled_from(sorted(FAULTS)), victim=st.sampled_from([1, 2, 3]),
       reorder=st.booleans(), adv=st.sampled_from([None, "wrong", "mismatch"]))
def test_signing_under_random_faults_never_blames_the_honest(seed, fault, victim, reorder, adv):
    """Whatever goes wrong with one party, the run either yields a valid signature or names
    exactly that party; the retry then signs without it."""
    suite = frost.get_ciphersuite("secp256k1")
    kps, pkp = frost.trusted_dealer_keygen(suite, 2, 4, rng=DeterministicRNG(b"prop"))
    adversaries = {victim: {"wrong": adversary.WrongShareSigner,
                            "mismatch": adversary.MismatchedCommitmentSigner}[adv]} if adv else {}
    try:
        sig, _ = run_signing(kps, pkp, MSG, [1, 2, 3], faults=[FAULTS[fault](victim)], adversaries=adversaries,
                             rng=DeterministicRNG(seed), reorder=reorder)
        assert not adversaries and fault in ("duplicate", "delay")
        _check(suite, pkp, sig)
    except ProtocolAbort as exc:
        assert exc.culprits == [victim]
    sig, excluded, _ = sign_with_honest_quorum(kps, pkp, MSG, [1, 2, 3], faults=[FAULTS[fault](victim)],
                                               adversaries=adversaries, rng=DeterministicRNG(seed + 1),
                                               reorder=reorder)
    assert excluded in ([], [victim])
    _check(suite, pkp, sig)


@settings(max_examples=12)
@given(seed=st.integers(0, 2**32), fault=st.sampled_from(sorted(FAULTS)), victim=st.sampled_from([1, 2, 3]),
       reorder=st.booleans())
def test_dkg_under_random_faults_never_blames_the_honest(seed, fault, victim, reorder):
    suite = frost.get_ciphersuite("secp256k1")
    parties, _ = run_dkg(suite, [1, 2, 3], 2, faults=[FAULTS[fault](victim)], rng=DeterministicRNG(seed),
                         reorder=reorder)
    honest = [i for i in (1, 2, 3) if i != victim]
    try:
        kps, pkp = dkg_outcome(parties, honest)
        sig, _ = run_signing(kps, pkp, MSG, honest, rng=DeterministicRNG(seed))
        _check(suite, pkp, sig)
    except ProtocolAbort as exc:
        assert exc.culprits == [victim]
