"""The attacks that once made honest parties be blamed (issue 15 §1), kept as regressions, and the
key-lifecycle ceremonies (refresh, reshare, repair) and threshold BLS as runtime parties."""
from __future__ import annotations

import pytest

from pqzk.errors import ProtocolAbort
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import (COORDINATOR, BlsSigner, Corrupt, DkgParticipant, FrostCoordinator, FrostSigner, Kind,
                          RefreshParticipant, RepairParticipant, ReshareParticipant, Simulator, ceremony_outcome,
                          dkg_outcome, dkg_with_honest_quorum, generate_keyrings, run_bls_signing, run_dkg,
                          run_refresh, run_repair, run_reshare, run_signing)
from pqzk.runtime.adversary import Deviant, Deviation
from pqzk.runtime.party import own_notice
from pqzk.runtime.sessions import repair_outcome
from pqzk.threshold import bls, frost

SUITE = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
MSG = b"regression"


@pytest.fixture(scope="module")
def keys():
    return frost.trusted_dealer_keygen(SUITE, 3, 5, rng=DeterministicRNG(b"regressions"))


def _sign_and_verify(kps, pkp, signers):
    sig, _ = run_signing(kps, pkp, MSG, signers, rng=DeterministicRNG(b"sign"))
    frost.verify(SUITE, pkp.verifying_key, MSG, sig)


# ---- DKG ----

@pytest.mark.parametrize("pos", [2, 3, 40, 70, 100, 140])
def test_a_byte_flipped_in_another_partys_echo_slot_convicts_the_flipper(pos):
    """Party 3 alters, in its own (signed) echo, the round 1 message it forwards for party 1:
    the forwarded message no longer carries party 1's signature, so party 3 is convicted — never
    party 1 — and the retry without party 3 completes."""
    plan = [Deviation(at, "flip", pos=pos, bit=0) for at in (3, 4, 5)]     # every copy of the echo alike
    adversaries = {3: lambda p: Deviant(p, plan)}
    parties, _ = run_dkg(SUITE, [1, 2, 3, 4], 3, adversaries=adversaries, rng=DeterministicRNG(pos))
    with pytest.raises(ProtocolAbort) as exc:
        dkg_outcome(parties, [1, 2, 4])
    assert exc.value.culprits == [3]
    kps, pkp, excluded, _ = dkg_with_honest_quorum(SUITE, [1, 2, 3, 4], 3, adversaries=adversaries,
                                                   rng=DeterministicRNG(pos + 1))
    assert excluded == [3] and sorted(kps) == [1, 2, 4]
    _sign_and_verify(kps, pkp, [1, 2, 4])


class WithholdAndAccuse(DkgParticipant):
    """Never sends its share to party 2, then announces it is stuck waiting for party 2."""

    def _deal_shares(self):
        out = [m for m in super()._deal_shares() if m.recipient != 2]
        return out + self._send_all(self.others, self.kinds["abort"],
                                    own_notice("stuck at round 1 waiting for party 2"))


class WithholdAndStayQuiet(DkgParticipant):
    def _deal_shares(self):
        return [m for m in super()._deal_shares() if m.recipient != 2]

    def _send_reveals(self):
        self._pending_reveals.clear()
        return []


class WithholdButReveal(DkgParticipant):
    def _deal_shares(self):
        return [m for m in super()._deal_shares() if m.recipient != 2]


@pytest.mark.parametrize("reorder", [False, True])
def test_withholding_a_share_and_a_false_report_never_name_the_victim(reorder):
    parties, _ = run_dkg(SUITE, [1, 2, 3, 4], 3, adversaries={4: WithholdAndAccuse}, rng=DeterministicRNG(7),
                         reorder=reorder)
    for i in (1, 2, 3):
        err = parties[i].error
        assert err is not None and 2 not in err.culprits + err.unresponsive + err.stopped_by
    with pytest.raises(ProtocolAbort) as exc:
        dkg_outcome(parties, [1, 2, 3])
    assert exc.value.culprits == [] and exc.value.stopped_by == [4]
    kps, pkp, excluded, _ = dkg_with_honest_quorum(SUITE, [1, 2, 3, 4], 3, adversaries={4: WithholdAndAccuse},
                                                   rng=DeterministicRNG(8))
    assert excluded == [4]
    _sign_and_verify(kps, pkp, [1, 2, 3])


def test_a_withheld_share_is_revealed_on_complaint_or_its_dealer_is_unresponsive():
    parties, sim = run_dkg(SUITE, [1, 2, 3, 4], 3, adversaries={4: WithholdButReveal}, rng=DeterministicRNG(9))
    kps, pkp = dkg_outcome(parties, [1, 2, 3, 4])            # party 2 adopts the publicly revealed share
    assert any(e.msg is not None and e.msg.kind == Kind.DKG_REVEAL for e in sim.log)
    _sign_and_verify(kps, pkp, [2, 3, 4])
    parties, _ = run_dkg(SUITE, [1, 2, 3, 4], 3, adversaries={4: WithholdAndStayQuiet}, rng=DeterministicRNG(10))
    with pytest.raises(ProtocolAbort) as exc:
        dkg_outcome(parties, [1, 2, 3])
    assert exc.value.culprits == [] and exc.value.unresponsive == [4]


@pytest.mark.parametrize("seed", range(36))
def test_an_echo_corrupted_in_transit_names_nobody(seed):
    whole = seed % 2 == 0
    parties, _ = run_dkg(SUITE, [1, 2, 3, 4], 3, faults=[Corrupt(kind="dkg_echo", count=1, whole=whole)],
                         rng=DeterministicRNG(seed), reorder=seed % 3 == 0)
    for p in parties.values():
        assert p.error is None or p.error.culprits == []
    try:
        dkg_outcome(parties, [1, 2, 3, 4])
    except ProtocolAbort as exc:
        assert exc.culprits == [] and len(exc.unresponsive) == 1


# ---- FROST: a coordinator that sends malformed requests ----

@pytest.mark.parametrize("pos,bit", [(p, b) for p in (0, 3, 4, 5, 20, 36, 37, 68, 100) for b in (0, 3, 7)]
                         + [(p, 1) for p in range(200, 245, 1)])
def test_a_malformed_sign_request_never_escapes_the_runtime(keys, pos, bit):
    kps, pkp = keys
    rings = generate_keyrings([COORDINATOR, 1, 2, 3], rng=DeterministicRNG(pos * 8 + bit))
    signers = [FrostSigner(kps[i], rings[i]) for i in (1, 2, 3)]
    plan = [Deviation(at, "flip", pos=pos, bit=bit) for at in (3, 4, 5)]     # the three sign requests
    coord = Deviant(FrostCoordinator(pkp, MSG, [1, 2, 3], rings[COORDINATOR], session=b"s"), plan)
    sim = Simulator([coord, *signers], rng=DeterministicRNG(pos))
    sim.run(coord.start())                                                   # raises nothing
    for pid, exc in sim.refusals:
        assert isinstance(exc, ProtocolAbort) and exc.culprits == [COORDINATOR]
    assert all(e.culprits == [COORDINATOR] for s in signers for e in s.aborts.values())


# ---- refresh, reshare, repair, threshold BLS ----

def test_refresh_keeps_the_key_and_old_and_new_shares_do_not_mix(keys):
    kps, pkp = keys
    parties, _ = run_refresh(kps, pkp, rng=DeterministicRNG(20))
    res = ceremony_outcome(parties, [1, 2, 3, 4, 5])
    new = {i: r[0] for i, r in res.items()}
    new_pkp = res[1][1]
    assert new_pkp.verifying_key == pkp.verifying_key and new_pkp.min_signers == 3
    assert all(new[i].signing_share != kps[i].signing_share for i in new)
    _sign_and_verify(new, new_pkp, [1, 3, 5])
    mixed = {1: kps[1], 3: new[3], 5: new[5]}
    with pytest.raises(ProtocolAbort):
        run_signing(mixed, new_pkp, MSG, [1, 3, 5])


class NonZeroRefresh(RefreshParticipant):
    """Deals shares of a non-zero constant (it would move the key) under a zero-sharing commitment."""

    def share_for(self, receiver):
        return (super().share_for(receiver) + 1) % SUITE.group.order


def test_a_refresh_dealer_that_moves_the_key_is_convicted_by_its_signed_shares(keys):
    kps, pkp = keys
    parties, _ = run_refresh(kps, pkp, adversaries={2: NonZeroRefresh}, rng=DeterministicRNG(21))
    with pytest.raises(ProtocolAbort) as exc:
        ceremony_outcome(parties, [1, 3, 4, 5])
    assert exc.value.culprits == [2]


def test_reshare_to_a_new_committee_and_threshold(keys):
    kps, pkp = keys
    dealers = {1: 1, 2: 2, 5: 5}
    receivers = {2: 1, 5: 2, "carol": 3, "dave": 4}
    parties, _ = run_reshare(kps, pkp, 2, dealers, receivers, rng=DeterministicRNG(22))
    res = ceremony_outcome(parties, [1, 2, 5, "carol", "dave"])
    assert res[1][0] is None                                  # a dealer leaving the committee holds nothing
    new = {r[0].identifier: r[0] for r in res.values() if r[0] is not None}
    new_pkp = res["carol"][1]
    assert sorted(new) == [1, 2, 3, 4] and new_pkp.min_signers == 2
    assert new_pkp.verifying_key == pkp.verifying_key
    _sign_and_verify(new, new_pkp, [3, 4])


class WrongSubsharing(ReshareParticipant):
    """Sub-shares something other than its own share (commits to another C_0)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        deal = self.scheme.deal

        def other(rng):
            coeffs, _ = deal(rng)
            coeffs = ((coeffs[0] + 1) % SUITE.group.order,) + coeffs[1:]
            from pqzk.sharing.vss import FeldmanCommitment
            return coeffs, FeldmanCommitment.from_polynomial(SUITE.group, coeffs).to_bytes()
        self.scheme.deal = other


def test_a_resharing_dealer_that_does_not_reshare_its_share_is_convicted(keys):
    kps, pkp = keys
    parties, _ = run_reshare(kps, pkp, 3, {1: 1, 2: 2, 3: 3}, {1: 1, 2: 2, 3: 3, 4: 4},
                             adversaries={2: WrongSubsharing}, rng=DeterministicRNG(23))
    with pytest.raises(ProtocolAbort) as exc:
        ceremony_outcome(parties, [1, 3, 4])
    assert exc.value.culprits == [2]


class BadSigma(RepairParticipant):
    def sigma_value(self, sigma):
        return (sigma + 1) % SUITE.group.order


class BadPrivateDelta(RepairParticipant):
    """Sends helper 3 a delta that does not match the commitment it published for it."""

    def _send(self, to, kind, payload, session=None):
        if kind == Kind.REPAIR_DELTA and to == 3:
            payload = SUITE.group.scalar_encode((SUITE.group.scalar_decode(payload) + 1) % SUITE.group.order)
        return super()._send(to, kind, payload, session)


def test_repair_rebuilds_the_lost_share_and_names_cheating_helpers(keys):
    kps, pkp = keys
    helpers = {i: kps[i] for i in (1, 2, 3)}
    parties, _ = run_repair(helpers, pkp, [1, 2, 3], 5, rng=DeterministicRNG(24))
    assert repair_outcome(parties, [1, 2, 3, 5]) == kps[5]
    for cls, culprit in ((BadSigma, 2), (BadPrivateDelta, 2)):
        parties, _ = run_repair(helpers, pkp, [1, 2, 3], 5, adversaries={2: cls}, rng=DeterministicRNG(25))
        with pytest.raises(ProtocolAbort) as exc:
            repair_outcome(parties, [1, 3, 5])
        assert exc.value.culprits == [culprit]


class WrongPartial(BlsSigner):
    def partial(self, message):
        return super().partial(message + b"!")


def test_threshold_bls_parties_name_bad_partials():
    shares, key = bls.threshold_keygen(3, 5, rng=DeterministicRNG(b"bls"))
    sig, sim = run_bls_signing(shares, key, MSG, [1, 2, 3, 4], adversaries={2: WrongPartial})
    bls.verify(key.group_public_key, MSG, sig)
    assert list(sim.parties["combiner"].culprits) == [2]
    with pytest.raises(ProtocolAbort) as exc:
        run_bls_signing(shares, key, MSG, [1, 2, 3], adversaries={2: WrongPartial})
    assert exc.value.culprits == [2]
    with pytest.raises(ProtocolAbort) as exc:
        run_bls_signing(shares, key, MSG, [1, 2, 3], faults=[Corrupt(sender=3)])
    assert exc.value.culprits == [] and exc.value.unresponsive == [3]
