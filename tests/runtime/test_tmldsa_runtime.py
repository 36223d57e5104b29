"""Threshold ML-DSA signing as runtime parties: honest runs (with reordering, duplicates, delays,
the wire encoding, composite identities), faults, named adversaries (a bad commitment, a bad
response, a forging or equivocating coordinator, a signer that rejects everything), replays
from another session, single-use masks, and strict payload decoding."""
from __future__ import annotations

import functools

import pytest

from pqzk.errors import InvalidEncoding, PolicyViolation, ProtocolAbort, ProtocolError
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import (COORDINATOR, Corrupt, Delay, Drop, Duplicate, Kind, Silent, Simulator, TMLDSACoordinator,
                          TMLDSASigner, generate_keyrings, run_tmldsa_signing, traffic)
from pqzk.runtime import adversary as A
from pqzk.runtime import tmldsa_parties as TP
from pqzk.runtime.identity import COMPOSITE
from pqzk.threshold import mldsa as tm
from pqzk.threshold.mldsa import signing

MSG, CTX = b"transfer 10 to bob", b"runtime"
SIGNERS = [1, 3, 4]


@functools.lru_cache(maxsize=None)
def keys():
    return tm.trusted_dealer_keygen("ML-DSA-44", 3, 4, seed=b"runtime-tmldsa".ljust(32, b"\0"))


def _run(seed=0, **kw):
    pub, shares = keys()
    return run_tmldsa_signing(pub, shares, MSG, SIGNERS, ctx=CTX, rng=DeterministicRNG(seed), **kw)


def _coordinator(sim) -> TMLDSACoordinator:
    return sim.parties[COORDINATOR]


@pytest.mark.parametrize("wire,reorder", [(False, False), (True, False), (False, True), (True, True)])
def test_honest_session_gives_a_fips204_signature(wire, reorder):
    pub, _ = keys()
    sig, sim = _run(seed=1, wire=wire, reorder=reorder)
    tm.verify(pub, MSG, sig, CTX)
    coord = _coordinator(sim)
    assert coord.rounds >= 1 and coord.history[-1].signature == sig
    sent = traffic(sim)
    p = pub.params
    for j in SIGNERS:                                 # 3 messages per round, the paper's sizes at most
        n, size = sent[j]
        assert n == 3 * coord.rounds
        assert size <= coord.rounds * (9 + 32 + signing.reveal_size(p) + signing.response_size(p, p.K))


def test_composite_identities():
    pub, _ = keys()
    sig, _ = _run(seed=2, identity_scheme=COMPOSITE, wire=True)
    tm.verify(pub, MSG, sig, CTX)


@pytest.mark.parametrize("fault", [Duplicate(), Delay(steps=4), Duplicate(kind="tmldsa_reveals"),
                                   Delay(kind="tmldsa_commits", steps=2)], ids=repr)
def test_duplicates_and_delays_do_not_disturb(fault):
    pub, _ = keys()
    sig, sim = _run(seed=3, faults=[fault], reorder=True)
    tm.verify(pub, MSG, sig, CTX)
    assert not any(isinstance(e, ProtocolAbort) for _, e in sim.refusals)


@pytest.mark.parametrize("fault,who", [(Drop(sender=3, kind="tmldsa_commit"), 3),
                                       (Drop(sender=4, kind="tmldsa_reveal"), 4),
                                       (Corrupt(sender=1, kind="tmldsa_response"), 1),
                                       (Corrupt(recipient=3, kind="tmldsa_request", whole=True), 3),
                                       (Silent(sender=4), 4)], ids=repr)
def test_lost_messages_make_the_sender_unresponsive_never_a_culprit(fault, who):
    with pytest.raises(ProtocolAbort) as exc:
        _run(seed=4, faults=[fault])
    assert exc.value.culprits == [] and exc.value.unresponsive == [who]


@pytest.mark.parametrize("cls,reason", [(A.BadRevealTMLDSASigner, "does not match its commitment"),
                                        (A.BadResponseTMLDSASigner, "not short")])
def test_a_bad_commitment_or_response_names_its_signer(cls, reason):
    with pytest.raises(ProtocolAbort) as exc:
        _run(seed=5, adversaries={3: cls})
    assert exc.value.culprits == [3] and reason in exc.value.reason


def test_the_honest_signers_also_name_a_bad_reveal():
    pub, shares = keys()
    rings = generate_keyrings([COORDINATOR, *SIGNERS], rng=DeterministicRNG(6))
    signers = {j: (A.BadRevealTMLDSASigner if j == 4 else TMLDSASigner)(shares[j], rings[j], rng=DeterministicRNG(j))
               for j in SIGNERS}

    class Blind(TMLDSACoordinator):                   # forwards the reveals without checking them
        def _check(self, msg, rnd):
            if msg.kind != Kind.TMLDSA_REVEAL:
                super()._check(msg, rnd)

    coord = Blind(pub, MSG, SIGNERS, rings[COORDINATOR], ctx=CTX, session=b"blind")
    sim = Simulator([coord, *signers.values()])
    sim.run(coord.start())
    for j in (1, 3):
        assert signers[j].aborts[b"blind"].culprits == [4]


def test_a_signer_rejecting_everything_is_not_identifiable():
    with pytest.raises(ProtocolAbort) as exc:
        _run(seed=7, adversaries={1: A.RejectingTMLDSASigner}, max_rounds=3)
    assert exc.value.culprits == [] and "3 rounds" in exc.value.reason


@pytest.mark.parametrize("cls,reason", [(A.ForgingTMLDSACoordinator, "did not sign"),
                                        (A.ResendingTMLDSACoordinator, "two different reveal lists")])
def test_signers_name_a_coordinator_that_forges_or_equivocates(cls, reason):
    pub, shares = keys()
    rings = generate_keyrings([COORDINATOR, *SIGNERS], rng=DeterministicRNG(8))
    signers = [TMLDSASigner(shares[j], rings[j], rng=DeterministicRNG(j)) for j in SIGNERS]
    coord = cls(pub, MSG, SIGNERS, rings[COORDINATOR], ctx=CTX, session=b"deviant")
    sim = Simulator([coord, *signers])
    sim.run(coord.start())
    blamed = [(pid, e) for pid, e in sim.refusals if isinstance(e, ProtocolAbort)]
    assert {pid for pid, _ in blamed} == {SIGNERS[0]}
    assert all(e.culprits == [COORDINATOR] and reason in str(e) for _, e in blamed)
    assert signers[0].aborts[b"deviant"].culprits == [COORDINATOR]
    # single-use masks: never two responses from one signer for one round
    sent = [ev.msg.payload[:3] for ev in sim.log if ev.what == "deliver" and ev.msg.kind == Kind.TMLDSA_RESPONSE
            and ev.msg.sender == SIGNERS[0]]
    assert len(sent) == len(set(sent))


def test_replays_from_another_session_blame_nobody():
    """A deviator replays to a signer the coordinator's request and commitment list recorded in
    another session with the same identities: the signer starts that session afresh, then sees
    its own (authentic, old) commitment that is not the one it just made — stale, not evidence."""
    pub, shares = keys()
    rings = generate_keyrings([COORDINATOR, *SIGNERS], rng=DeterministicRNG(9))
    recorded = []
    _, old = run_tmldsa_signing(pub, shares, MSG, SIGNERS, keyrings=rings, rng=DeterministicRNG(10), session=b"old")
    for ev in old.log:
        if ev.what == "deliver" and ev.msg.recipient == 1:
            recorded.append(ev.msg)
    victim = TMLDSASigner(shares[1], rings[1], rng=DeterministicRNG(11))
    refusals = []
    for m in recorded:
        try:
            victim.receive(m)
        except ProtocolError as exc:
            refusals.append(exc)
    assert refusals and not any(isinstance(e, ProtocolAbort) for e in refusals)
    assert any("stale or replayed" in str(e) for e in refusals)
    assert victim.aborts == {}


def test_approval_hook_refuses_before_committing():
    def veto(message, ctx, session):
        raise PolicyViolation("amount", "too much")
    pub, shares = keys()
    rings = generate_keyrings([COORDINATOR, *SIGNERS], rng=DeterministicRNG(12))
    with pytest.raises(ProtocolAbort) as exc:
        run_tmldsa_signing(pub, shares, MSG, SIGNERS, keyrings=rings,
                           adversaries={3: lambda s: TMLDSASigner(s.share, s.keyring, approve=veto)})
    assert exc.value.unresponsive == [3] and exc.value.culprits == []


def test_signer_refuses_requests_it_must_not_serve():
    pub, shares = keys()
    rings = generate_keyrings([COORDINATOR, *SIGNERS], rng=DeterministicRNG(13))
    s = TMLDSASigner(shares[1], rings[1])
    c = rings[COORDINATOR]
    req = TP.Request(TP.key_id(pub.public_key), (1, 3, 4), b"", MSG)

    def send(payload, session=b"s", kind=Kind.TMLDSA_REQUEST):
        from pqzk.runtime.messages import Message
        return s.receive(c.sign(Message(COORDINATOR, 1, kind, payload, session)))

    with pytest.raises(ProtocolError):                                        # round 1 of an unknown session
        send(TP.encode_request(1, req))
    with pytest.raises(ProtocolError):                                        # another key
        send(TP.encode_request(0, TP.Request(bytes(16), (1, 3, 4), b"", MSG)))
    with pytest.raises(ProtocolAbort) as exc:                                 # not in the quorum
        send(TP.encode_request(0, TP.Request(req.key, (2, 3, 4), b"", MSG)), b"s2")
    assert exc.value.culprits == [COORDINATOR]
    with pytest.raises(ProtocolAbort):                                        # malformed
        send(b"\x01\x00", b"s3")
    first = send(TP.encode_request(0, req), b"s4")
    assert send(TP.encode_request(0, req), b"s4") == first                    # repeated: same answer
    with pytest.raises(ProtocolAbort):                                        # a different request, same session
        send(TP.encode_request(0, TP.Request(req.key, (1, 3, 4), b"x", MSG)), b"s4")
    with pytest.raises(ProtocolError):                                        # round 1 before round 0 answered
        send(TP.encode_request(1, req), b"s4")
    with pytest.raises(ProtocolError):                                        # lists in a session it never saw
        send(TP._head(0) + b"\x00", b"s5", Kind.TMLDSA_COMMITS)
    assert send(b"", b"s4", Kind.TMLDSA_RESPONSE) == []                       # not for a signer: dropped
    assert s.rejected


@pytest.mark.parametrize("payload", [b"", b"\x02\x00\x00", b"\x01\x00", b"\x01\x00\x00" + bytes(16) + b"\x02\x03\x01",
                                     b"\x01\x00\x00" + bytes(16) + b"\x01\x01\x00\x00\x00\x00\x00\xff"])
def test_request_decoding_is_strict(payload):
    with pytest.raises(InvalidEncoding):
        TP.decode_request(payload)


def test_forwarded_list_decoding_is_strict():
    for bad in (b"\x01\x00\x00\x01", b"\x01\x00\x00\x01\x01\x00\x01", b"\x01\x00\x00\x00\x00"):
        with pytest.raises(InvalidEncoding):
            TP.decode_forwarded(bad, "list")
    assert TP.decode_forwarded(b"\x01\x00\x07\x00", "list") == (7, [])


def test_coordinator_rejects_bad_arguments():
    pub, _ = keys()
    rings = generate_keyrings([COORDINATOR], rng=DeterministicRNG(14))
    from pqzk.errors import InvalidParameter
    with pytest.raises(InvalidParameter):
        TMLDSACoordinator(pub, MSG, [1, 2], rings[COORDINATOR])
    with pytest.raises(InvalidParameter):
        TMLDSACoordinator(pub, MSG, [1, 2, 3], rings[COORDINATOR], ctx=bytes(300))
