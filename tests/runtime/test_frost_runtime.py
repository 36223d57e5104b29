"""Sans-I/O FROST signing and DKG under faults: detected; a culprit named only on signed evidence
(network faults make a party unresponsive, never a culprit); an honest quorum completes."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqzk.errors import NonceReuse, ProtocolAbort, ProtocolError
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import (COORDINATOR, Corrupt, Delay, Drop, Duplicate, FrostCoordinator, FrostSigner, Kind, Message,
                          Silent, Simulator, adversary,
                          dkg_outcome, dkg_with_honest_quorum, generate_keyrings, run_dkg, run_signing,
                          sign_with_honest_quorum)
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


@pytest.mark.parametrize("make,silent", [
    (lambda: Drop(sender=2, kind="commitment"), 2),
    (lambda: Drop(sender=3, kind="signature_share"), 3),
    (lambda: Silent(sender=1), 1),
    (lambda: Corrupt(sender=2, kind="commitment"), 2),
    (lambda: Corrupt(sender=3, kind="signature_share"), 3),
    (lambda: Corrupt(sender=COORDINATOR, recipient=3, kind="sign_request", whole=True), 3),
], ids=["drop-commitment", "drop-share", "silent", "corrupt-commitment", "corrupt-share", "corrupt-request"])
def test_network_faults_make_a_party_unresponsive_not_a_culprit(keys, make, silent):
    """A message lost or altered in transit (it no longer verifies) is not evidence against its
    sender: the party is reported unresponsive, and the retry signs without it."""
    suite, kps, pkp = keys
    with pytest.raises(ProtocolAbort) as exc:
        run_signing(kps, pkp, MSG, [1, 2, 3], faults=[make()], rng=DeterministicRNG(4))
    assert exc.value.culprits == [] and exc.value.unresponsive == [silent]
    sig, excluded, aborts = sign_with_honest_quorum(kps, pkp, MSG, [1, 2, 3], faults=[make()],
                                                    rng=DeterministicRNG(5))
    assert excluded == [silent] and len(aborts) == 1
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
    rings = generate_keyrings([COORDINATOR, 1, 2, 3], rng=DeterministicRNG(9))
    coord = rings[COORDINATOR]
    signers = {i: FrostSigner(kps[i], rings[i], rng=DeterministicRNG(i)) for i in (1, 2, 3)}

    def ask(i, kind, payload=b"", session=b"s"):
        return signers[i].receive(coord.sign(Message(COORDINATOR, i, kind, payload, session)))

    comms = [core.SigningCommitments.from_bytes(suite, ask(i, Kind.ROUND1_REQUEST)[0].payload) for i in signers]
    req = encode_sign_request(suite, MSG, comms)
    share = ask(1, Kind.SIGN_REQUEST, req)
    assert share[0].kind == Kind.SIGNATURE_SHARE and rings[1].is_authentic(share[0])
    with pytest.raises(NonceReuse):
        ask(1, Kind.SIGN_REQUEST, req)
    with pytest.raises(NonceReuse):
        ask(1, Kind.SIGN_REQUEST, encode_sign_request(suite, b"other", comms))
    # only the coordinator may ask, and only with its signature: anything else is dropped, unanswered
    assert signers[2].receive(rings[3].sign(Message(3, 2, Kind.SIGN_REQUEST, req, b"s"))) == []
    assert signers[2].receive(Message(COORDINATOR, 2, Kind.SIGN_REQUEST, req, b"s")) == []
    assert [why for _, why in signers[2].rejected] == ["from a party outside this session", "signature does not verify"]
    # a repeated round 1 request in the same session returns the same commitment, no new nonces
    assert ask(2, Kind.ROUND1_REQUEST)[0].payload == comms[1].to_bytes()
    # a request in a session this signer has no commitment in may be a replay: refused, nobody blamed
    with pytest.raises(ProtocolError) as exc:
        ask(3, Kind.SIGN_REQUEST, req, session=b"t")
    assert not isinstance(exc.value, ProtocolAbort)
    # in a session it did commit in, a request naming the commitment of another session convicts the coordinator
    ask(3, Kind.ROUND1_REQUEST, session=b"t")
    with pytest.raises(ProtocolAbort) as exc:
        ask(3, Kind.SIGN_REQUEST, req, session=b"t")
    assert exc.value.culprits == [COORDINATOR]


@pytest.mark.parametrize("payload", [b"", b"\x00\x00\x00\x05ab", b"\x00\x00\x00\x01m" + b"\x01" * 7, b"\xff" * 40])
def test_a_malformed_signed_request_is_refused_naming_the_coordinator(keys, payload):
    """Not an InvalidEncoding escaping the runtime: a ProtocolAbort that names the coordinator,
    whose signature proves it sent the request."""
    suite, kps, pkp = keys
    rings = generate_keyrings([COORDINATOR, 1], rng=DeterministicRNG(10))
    signer = FrostSigner(kps[1], rings[1])
    signer.receive(rings[COORDINATOR].sign(Message(COORDINATOR, 1, Kind.ROUND1_REQUEST, b"", b"s")))
    with pytest.raises(ProtocolAbort) as exc:
        signer.receive(rings[COORDINATOR].sign(Message(COORDINATOR, 1, Kind.SIGN_REQUEST, payload, b"s")))
    assert exc.value.culprits == [COORDINATOR] and signer.aborts[b"s"] is exc.value


class MalformedRequestCoordinator(FrostCoordinator):
    def _on_commitment(self, msg):
        return [self._send(m.recipient, m.kind, m.payload[:-1]) for m in super()._on_commitment(msg)]


def test_a_coordinator_sending_malformed_requests_is_named_by_every_signer(keys):
    suite, kps, pkp = keys
    rings = generate_keyrings([COORDINATOR, 1, 2, 3], rng=DeterministicRNG(12))
    signers = [FrostSigner(kps[i], rings[i]) for i in (1, 2, 3)]
    coord = MalformedRequestCoordinator(pkp, MSG, [1, 2, 3], rings[COORDINATOR], session=b"s")
    sim = Simulator([coord, *signers])
    sim.run(coord.start())                          # nothing escapes the runtime
    assert sorted(p for p, _ in sim.refusals) == [1, 2, 3]
    assert all(isinstance(e, ProtocolAbort) and e.culprits == [COORDINATOR] for _, e in sim.refusals)
    assert coord.error.culprits == [] and coord.error.unresponsive == [1, 2, 3]


def test_equivocation_after_the_result_is_recorded_and_does_not_void_it(keys):
    """An equivocating signer whose second commitment arrives after signing completed: the
    signature stands (the signers signed over one commitment list) and the evidence is kept."""
    suite, kps, pkp = keys

    class HoldSecondCommitment(Delay):
        def matches(self, msg):
            if msg.sender == 4 and msg.kind == Kind.COMMITMENT:
                self.seen = getattr(self, "seen", 0) + 1
                return self.seen == 2
            return False

    sig, sim = run_signing(kps, pkp, MSG, [2, 4, 5], adversaries={4: adversary.EquivocatingSigner},
                           faults=[HoldSecondCommitment(steps=50)], rng=DeterministicRNG(11))
    _check(suite, pkp, sig)
    coord = sim.parties[COORDINATOR]
    assert [e.culprits for e in coord.evidence] == [[4]]


# ---- DKG ----
def test_dkg_runtime_honest_and_signing(keys):
    suite = keys[0]
    parties, sim = run_dkg(suite, [1, 2, 3, 4], 3, rng=DeterministicRNG(10), reorder=True,
                           faults=[Duplicate(kind="dkg_round1"), Delay(sender=2, kind="dkg_round2", steps=5)])
    kps, pkp = dkg_outcome(parties, [1, 2, 3, 4])
    sig, _ = run_signing(kps, pkp, MSG, [1, 2, 4], rng=DeterministicRNG(11))
    _check(suite, pkp, sig)


@pytest.mark.parametrize("make,silent", [
    (lambda: Silent(sender=3), 3),
    (lambda: Drop(sender=2, kind="dkg_round2", count=1), None),      # a missing share: revealed on complaint
    (lambda: Corrupt(sender=4, kind="dkg_round1", count=1), None),   # a lost round 1: forwarded by the echoes
    (lambda: Drop(sender=1, kind="dkg_echo", count=1), 1),
    (lambda: Drop(sender=3, kind="dkg_complaints", count=1), 3),
], ids=["silent", "drop-round2", "corrupt-round1", "drop-echo", "drop-complaints"])
def test_dkg_network_faults(keys, make, silent):
    """Network faults never make a culprit: the DKG recovers, or names the silent party as
    unresponsive; the retry without it completes."""
    suite = keys[0]
    parties, _ = run_dkg(suite, [1, 2, 3, 4], 2, faults=[make()], rng=DeterministicRNG(12))
    if silent is None:
        kps, pkp = dkg_outcome(parties, [1, 2, 3, 4])
        _check(suite, pkp, run_signing(kps, pkp, MSG, [1, 4], rng=DeterministicRNG(19))[0])
        return
    with pytest.raises(ProtocolAbort) as exc:
        dkg_outcome(parties, [1, 2, 3, 4])
    assert exc.value.culprits == [] and exc.value.unresponsive == [silent]
    kps, pkp, excluded, _ = dkg_with_honest_quorum(suite, [1, 2, 3, 4], 2, faults=[make()],
                                                   rng=DeterministicRNG(18))
    assert excluded == [silent]
    sig, _ = run_signing(kps, pkp, MSG, sorted(kps)[:2], rng=DeterministicRNG(19))
    _check(suite, pkp, sig)


@pytest.mark.parametrize("cls", [adversary.BadProofParticipant, adversary.EquivocatingDkgParticipant,
                                 adversary.BadShareDkgParticipant, adversary.WithholdingDkgParticipant])
def test_dkg_adversaries_named_then_honest_participants_complete(keys, cls):
    suite = keys[0]
    parties, _ = run_dkg(suite, [1, 2, 3, 4], 2, adversaries={2: cls}, rng=DeterministicRNG(13))
    with pytest.raises(ProtocolAbort) as exc:
        dkg_outcome(parties, [1, 3, 4])
    if cls is adversary.WithholdingDkgParticipant:   # silence is not proof: unresponsive only
        assert exc.value.culprits == [] and exc.value.unresponsive == [2]
    else:
        assert exc.value.culprits == [2]
    kps, pkp, excluded, aborts = dkg_with_honest_quorum(suite, [1, 2, 3, 4], 2, adversaries={2: cls},
                                                        rng=DeterministicRNG(14))
    assert excluded == [2] and sorted(kps) == [1, 3, 4]
    sig, _ = run_signing(kps, pkp, MSG, [3, 4], rng=DeterministicRNG(15))
    _check(suite, pkp, sig)


def test_dkg_corrupted_share_is_settled_by_reveal(keys):
    """A share damaged in transit no longer verifies, so it counts as missing: the receiver
    complains, the honest dealer reveals the share in public, and the DKG completes."""
    suite = keys[0]
    parties, sim = run_dkg(suite, [1, 2, 3], 2, faults=[Corrupt(sender=1, recipient=3, kind="dkg_round2")],
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
    """Whatever goes wrong with one party's messages, the run yields a valid signature or an
    abort whose culprits are only a cheating signer (network faults make none); the retry then
    signs without it."""
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
        assert set(exc.culprits) <= ({victim} if adversaries else set())
        assert set(exc.unresponsive) <= {victim}
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
    try:
        kps, pkp = dkg_outcome(parties, [1, 2, 3])
        sig, _ = run_signing(kps, pkp, MSG, [1, 2, 3], rng=DeterministicRNG(seed))
        _check(suite, pkp, sig)
    except ProtocolAbort as exc:
        assert exc.culprits == [] and set(exc.unresponsive) <= {victim}
