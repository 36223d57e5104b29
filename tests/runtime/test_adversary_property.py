"""No honest party is ever blamed: for every runtime protocol, under any deviation hypothesis
chooses for any coalition below the threshold, the outcome is a valid result or an abort whose
culprits are only deviating parties.

Deviations (`pqzk.runtime.adversary.Deviant`): drop any message, flip any bit of any message
(re-signed by the deviator), send a different version to one recipient (equivocation), inject
arbitrary signed messages of any kind (false complaints, echoes, reveals, abort notices), replay
messages recorded in another session of the same protocol with the same identities, and
impersonate other parties. The network itself is reliable here, so a party that is not heard
from must also be a deviator: `unresponsive` and `stopped_by` are checked the same way.
"""
from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pqzk.errors import PolicyViolation, ProtocolAbort
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import (COMBINER, COORDINATOR, Kind, ceremony_outcome, generate_keyrings, run_bls_signing,
                          run_dkg, run_refresh, run_repair, run_reshare)
from pqzk.runtime.sessions import repair_outcome
from pqzk.runtime.adversary import Deviant, Deviation
from pqzk.threshold import bls, frost
from pqzk.threshold.frost.lifecycle import feldman_commitment

SUITE = frost.get_ciphersuite("FROST-RISTRETTO255-SHA512-v1")
MSG = b"property message"
N, T = 4, 3                      # coalitions of up to T - 1 = 2 deviators


@functools.lru_cache(maxsize=None)
def frost_keys():
    return frost.trusted_dealer_keygen(SUITE, T, N, rng=DeterministicRNG(b"prop-frost"))


@functools.lru_cache(maxsize=None)
def tmldsa_keys():
    from pqzk.threshold import mldsa
    return mldsa.trusted_dealer_keygen("ML-DSA-44", T, N, seed=b"prop-tmldsa".ljust(32, b"\0"))


@functools.lru_cache(maxsize=None)
def bls_keys():
    return bls.threshold_keygen(T, N, rng=DeterministicRNG(b"prop-bls"))


def _kinds(prefix: str) -> list[Kind]:
    return [k for k in Kind if k.value.startswith(prefix)]


# ---- one entry per protocol: its parties, how to run a session, and what counts as valid ----

class Protocol:
    name: str
    kinds: list[Kind]

    def ids(self) -> list:
        raise NotImplementedError

    def run(self, rings, adversaries, seed: int, reorder: bool):
        """Returns (parties or simulator, outcome) where outcome is a result to check or a ProtocolAbort."""
        raise NotImplementedError


def _coordinated(coord, signers, adversaries, seed, reorder, verify):
    """Run a coordinator and its signers (each wrapped by its adversary, if any); the outcome
    the coordinator reaches, checked with `verify` when it is a result."""
    from pqzk.runtime import Simulator

    def build(pid, party):
        return adversaries[pid](party) if pid in adversaries else party

    coord = build(COORDINATOR, coord)
    sim = Simulator([coord, *(build(s.id, s) for s in signers)], rng=DeterministicRNG(seed), reorder=reorder)
    sim.run(coord.start())
    if COORDINATOR in adversaries:
        return sim, None                          # its verdict means nothing; the signers' views are checked
    if coord.error is not None:
        return sim, coord.error
    assert coord.result is not None
    verify(coord.result)
    return sim, coord.result


class FrostSigning(Protocol):
    name, kinds = "frost", [Kind.ROUND1_REQUEST, Kind.COMMITMENT, Kind.SIGN_REQUEST, Kind.SIGNATURE_SHARE]
    signers = [1, 2, 4]

    def ids(self):
        return [COORDINATOR, *self.signers]

    def run(self, rings, adversaries, seed, reorder):
        from pqzk.runtime import FrostCoordinator, FrostSigner
        kps, pkp = frost_keys()
        signers = [FrostSigner(kps[i], rings[i], rng=DeterministicRNG(seed + i)) for i in self.signers]
        coord = FrostCoordinator(pkp, MSG, self.signers, rings[COORDINATOR], session=b"frost-%d" % seed)
        return _coordinated(coord, signers, adversaries, seed, reorder,
                            lambda sig: frost.verify(SUITE, pkp.verifying_key, MSG, sig))


class Ceremonies(Protocol):
    def judge(self, parties, honest):
        if not honest:
            return None
        try:
            results = ceremony_outcome(parties, honest)
        except ProtocolAbort as exc:
            return exc
        publics = [r[1] for r in results.values()]
        assert all(p == publics[0] for p in publics)
        pkp = publics[0]
        feldman_commitment(pkp)                     # verifying shares lie on one polynomial through the key
        for kp, _ in results.values():
            if kp is not None:
                assert SUITE.group.base_mult(kp.signing_share) == pkp.verifying_shares[kp.identifier]
        return pkp


class Dkg(Ceremonies):
    name, kinds = "dkg", _kinds("dkg_")

    def ids(self):
        return [1, 2, 3, 4]

    def run(self, rings, adversaries, seed, reorder):
        parties, sim = run_dkg(SUITE, self.ids(), T, adversaries=adversaries, keyrings=rings,
                               rng=DeterministicRNG(seed), reorder=reorder, session=b"dkg-%d" % seed)
        return parties, self.judge(parties, [i for i in self.ids() if i not in adversaries])


class Refresh(Ceremonies):
    name, kinds = "refresh", _kinds("refresh_")

    def ids(self):
        return [1, 2, 3, 4]

    def run(self, rings, adversaries, seed, reorder):
        kps, pkp = frost_keys()
        parties, sim = run_refresh(kps, pkp, adversaries=adversaries, keyrings=rings, rng=DeterministicRNG(seed),
                                   reorder=reorder, session=b"refresh-%d" % seed)
        out = self.judge(parties, [i for i in self.ids() if i not in adversaries])
        if out is not None and not isinstance(out, ProtocolAbort):
            assert out.verifying_key == pkp.verifying_key
        return parties, out


class Reshare(Ceremonies):
    """Old holders 1, 2, 4 deal; new holders 2, 4, 5, 6 (with new identifiers) receive, threshold 3."""
    name, kinds = "reshare", _kinds("reshare_")
    dealers = {1: 1, 2: 2, 4: 4}
    receivers = {2: 1, 4: 2, 5: 3, 6: 4}

    def ids(self):
        return [1, 2, 4, 5, 6]

    def run(self, rings, adversaries, seed, reorder):
        kps, pkp = frost_keys()
        parties, sim = run_reshare(kps, pkp, T, self.dealers, self.receivers, adversaries=adversaries,
                                   keyrings=rings, rng=DeterministicRNG(seed), reorder=reorder,
                                   session=b"reshare-%d" % seed)
        out = self.judge(parties, [i for i in self.ids() if i not in adversaries])
        if out is not None and not isinstance(out, ProtocolAbort):
            assert out.verifying_key == pkp.verifying_key and sorted(out.verifying_shares) == [1, 2, 3, 4]
        return parties, out


class Repair(Protocol):
    name, kinds = "repair", _kinds("repair_")
    helpers, target = [1, 2, 3], 4

    def ids(self):
        return [1, 2, 3, 4]

    def run(self, rings, adversaries, seed, reorder):
        kps, pkp = frost_keys()
        parties, sim = run_repair(kps, pkp, self.helpers, self.target, adversaries=adversaries, keyrings=rings,
                                  rng=DeterministicRNG(seed), reorder=reorder, session=b"repair-%d" % seed)
        if self.target in adversaries:
            return parties, None
        try:
            kp = repair_outcome(parties, [i for i in self.ids() if i not in adversaries])
        except ProtocolAbort as exc:
            return parties, exc
        assert kp == kps[self.target]                # the very share that was lost
        return parties, kp


class BlsSigning(Protocol):
    name, kinds = "bls", [Kind.BLS_REQUEST, Kind.BLS_PARTIAL, Kind.BLS_ABORT]
    signers = [1, 2, 3, 4]

    def ids(self):
        return [COMBINER, *self.signers]

    def run(self, rings, adversaries, seed, reorder):
        shares, key = bls_keys()
        if COMBINER in adversaries:
            return None, None
        try:
            sig, sim = run_bls_signing(shares, key, MSG, self.signers, adversaries=adversaries, keyrings=rings,
                                       rng=DeterministicRNG(seed), reorder=reorder, session=b"bls-%d" % seed)
        except ProtocolAbort as exc:
            return None, exc
        bls.verify(key.group_public_key, MSG, sig)
        return sim, sig


class ThresholdMLDSA(Protocol):
    """ML-DSA-44 3-of-4 (K = 7 attempts per round, rounds restarted inside the session)."""
    name, kinds = "tmldsa", _kinds("tmldsa_")
    signers = [1, 2, 4]

    def ids(self):
        return [COORDINATOR, *self.signers]

    def run(self, rings, adversaries, seed, reorder):
        from pqzk.runtime import TMLDSACoordinator, TMLDSASigner
        from pqzk.threshold import mldsa
        pub, shares = tmldsa_keys()
        signers = [TMLDSASigner(shares[i], rings[i], rng=DeterministicRNG(seed + i)) for i in self.signers]
        coord = TMLDSACoordinator(pub, MSG, self.signers, rings[COORDINATOR], session=b"tmldsa-%d" % seed)
        return _coordinated(coord, signers, adversaries, seed, reorder, lambda sig: mldsa.verify(pub, MSG, sig))


class PolicyFlow(Protocol):
    name, kinds = "policy", _kinds("auth_")
    committee = False           # post-quantum evidence by a threshold ML-DSA committee (policy_tmldsa)

    def ids(self):
        return [COORDINATOR, 1, 2, 3, 4]

    def run(self, rings, adversaries, seed, reorder):
        from pqzk.policy import Policy
        from pqzk.policy.coordinator import AuthorizationCoordinator
        from pqzk.policy.custody import Custody
        from pqzk.policy.request import AuthorizationRequest
        from pqzk.runtime import SimulatorRunner
        import hashlib
        kps, pkp = frost_keys()
        doc = {"version": 1, "name": "prop", "quorum": {"min_signers": 3},
               "signers": {str(i): {"roles": ["ops"]} for i in (1, 2, 3, 4)}}
        pq = {}
        if self.committee:
            doc["post_quantum"] = {"required_above": 0}
            pub, shares = tmldsa_keys()
            pq = {"committee": pub, "committee_shares": shares}
        policy = Policy.from_dict(doc)
        rng = DeterministicRNG(seed)
        c = Custody(policy, kps, pkp, rng=rng, keyrings=rings, runner=SimulatorRunner(rng=rng, reorder=reorder), **pq)
        signers = {i: adversaries[i](c.signers[i]) for i in adversaries if i != COORDINATOR}
        coordinator = adversaries.get(COORDINATOR)
        cls = None if coordinator is None else (lambda *a, **k: coordinator(AuthorizationCoordinator(*a, **k)))
        request = AuthorizationRequest(hashlib.sha256(b"rid%d" % seed).digest()[:16],
                                       hashlib.sha256(b"tx%d" % seed).digest(), 100, 1, 10, "alice")
        out = c.authorize(request, 100, signers=signers, coordinator_cls=cls)
        for pid, exc in out.report.refusals:
            if isinstance(exc, ProtocolAbort):
                self.refusals.append((pid, exc))
        if COORDINATOR in adversaries:
            return out.report, None
        return out.report, out.authorization if out.allowed else out.error

    refusals: list = []


class PolicyThresholdMLDSA(PolicyFlow):
    """The authorization flow with every request needing post-quantum evidence from the custody's
    threshold ML-DSA committee (3-of-4): FROST, then the committee's rounds."""
    name, kinds = "policy_tmldsa", _kinds("auth_") + _kinds("tmldsa_")
    committee = True


@functools.lru_cache(maxsize=None)
def ecdsa_keys():
    from pqzk.threshold import ecdsa
    return ecdsa.keygen_local("secp256k1", T, [1, 2, 3, 4], rng=DeterministicRNG(b"prop-ecdsa"))


ECDSA_DIGEST = bytes(range(32))


class EcdsaSigning(Protocol):
    """DKLs23 signing among 3 peers (T = 3 of 4), one of them possibly deriving a child key."""
    name, kinds = "ecdsa", _kinds("ecdsa_sign_")
    signers = [1, 2, 4]

    def ids(self):
        return list(self.signers)

    def run(self, rings, adversaries, seed, reorder):
        from pqzk.runtime import ecdsa_signing_outcome, run_ecdsa_signing
        from pqzk.threshold import ecdsa
        shares = ecdsa_keys()
        parties, sim = run_ecdsa_signing(shares, self.signers, ECDSA_DIGEST, path="m/0/%d" % (seed % 3),
                                         adversaries=adversaries, keyrings=rings, rng=DeterministicRNG(seed),
                                         reorder=reorder, session=b"ecdsa-%d" % seed)
        honest = [i for i in self.signers if i not in adversaries]
        if not honest:
            return parties, None
        try:
            sig = ecdsa_signing_outcome(parties, honest)
        except ProtocolAbort as exc:
            return parties, exc
        child, _ = shares[1].public_key.derive("m/0/%d" % (seed % 3))
        ecdsa.verify("secp256k1", child, ECDSA_DIGEST, sig)
        return parties, sig


class EcdsaKeygen(Ceremonies):
    name, kinds = "ecdsa_keygen", _kinds("ecdsa_dkg_") + [Kind.ECDSA_OT_SETUP]

    def ids(self):
        return [1, 2, 3]

    def run(self, rings, adversaries, seed, reorder):
        from pqzk.runtime import run_ecdsa_keygen
        parties, sim = run_ecdsa_keygen("secp256k1", self.ids(), 2, adversaries=adversaries, keyrings=rings,
                                        rng=DeterministicRNG(seed), reorder=reorder, session=b"ekg-%d" % seed)
        honest = [i for i in self.ids() if i not in adversaries]
        if not honest:
            return parties, None
        try:
            results = ceremony_outcome(parties, honest)
        except ProtocolAbort as exc:
            return parties, exc
        shares = {i: r[0] for i, r in results.items()}
        for i, sh in shares.items():               # honest holders' OT seeds match pairwise
            for j, other in shares.items():
                if i < j:
                    assert sh.ot[j].as_alice.keys[0] in other.ot[i].as_bob.pairs[0]
        return parties, results[honest[0]][1]


PROTOCOLS = {p.name: p for p in (FrostSigning(), Dkg(), Refresh(), Reshare(), Repair(), BlsSigning(), ThresholdMLDSA(),
                                 PolicyFlow(), PolicyThresholdMLDSA(), EcdsaSigning(), EcdsaKeygen())}


# ---- the adversary hypothesis drives ----

@st.composite
def deviations(draw, protocol: Protocol, me, pool):
    others = [p for p in protocol.ids() if p != me]
    action = draw(st.sampled_from(["drop", "flip", "equivocate", "inject", "replay", "impersonate"]))
    at = draw(st.one_of(st.integers(0, 6), st.integers(0, 24)))
    if action in ("flip", "equivocate"):
        return Deviation(at, action, pos=draw(st.integers(0, 4096)), bit=draw(st.integers(0, 7)))
    if action == "inject":
        kind = draw(st.sampled_from(protocol.kinds))
        payload = draw(st.one_of(st.binary(max_size=80), st.sampled_from([m.payload for m in pool] or [b""])))
        return Deviation(at, "inject", kind=kind, payload=payload, to=draw(st.sampled_from(others)),
                         broadcast=draw(st.booleans()))
    if action == "replay":
        if not pool:
            return Deviation(at, "drop")
        return Deviation(at, "replay", message=draw(st.sampled_from(pool)), to=draw(st.sampled_from(others)))
    if action == "impersonate":
        return Deviation(at, "impersonate", as_party=draw(st.sampled_from(others)))
    return Deviation(at, action)


POOL_SEED = 2**20          # outside the seeds the test draws: the recorded session never shares their session id


@functools.lru_cache(maxsize=None)
def replay_pool(name: str) -> tuple:
    """Every message of one honest session of `name`, run with the identities the tests use."""
    protocol = PROTOCOLS[name]
    rings = keyrings(name)
    recorded = []

    def recorder(party):
        class Recorder(Deviant):
            def _apply(self, out):
                recorded.extend(out)
                return out
        return Recorder(party, [])

    protocol.run(rings, {pid: recorder for pid in protocol.ids()}, POOL_SEED, False)
    return tuple(recorded[:200])


@functools.lru_cache(maxsize=None)
def keyrings(name: str):
    ids = PROTOCOLS[name].ids()
    return generate_keyrings(ids, rng=DeterministicRNG(b"identities-" + name.encode()))


def _check_blame(protocol, deviators, parties, outcome):
    """culprits and unresponsive of every honest view are deviators only; an outcome that names
    neither falls back on stopped_by (whom a retry leaves out), which must then be deviators too
    (an honest party that stopped the others always has its own reason to report)."""
    errors = []
    if isinstance(outcome, ProtocolAbort):
        errors.append(outcome)
    if isinstance(parties, dict):
        errors += [p.error for pid, p in parties.items() if pid not in deviators and p.error is not None]
    elif parties is not None:                    # a Simulator: the parties' refusals name culprits
        errors += [e for pid, e in parties.refusals if pid not in deviators and isinstance(e, ProtocolAbort)]
        errors += [e for pid, p in parties.parties.items() if pid not in deviators
                   for e in (getattr(p, "aborts", {}) or {}).values()]
    views = parties.values() if isinstance(parties, dict) else parties.parties.values() if parties is not None else []
    for p in views:                               # what honest parties hold against others, even after a success
        if getattr(p, "id", None) in deviators:
            continue
        assert set(getattr(p, "culprits", ())) <= deviators, f"{p!r} holds an honest party guilty"
        for e in getattr(p, "evidence", ()):
            errors.append(e)
    for e in errors:
        assert set(e.culprits) <= deviators, f"honest party blamed: {e!r}"
        assert set(e.unresponsive) <= deviators, f"honest party reported unresponsive: {e!r}"
    if isinstance(outcome, ProtocolAbort) and not outcome.culprits and not outcome.unresponsive:
        assert set(outcome.stopped_by) <= deviators, f"a retry would leave out an honest party: {outcome!r}"


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**16), reorder=st.booleans())
def test_no_honest_party_is_ever_blamed(name, data, seed, reorder):
    protocol = PROTOCOLS[name]
    pool = list(replay_pool(name))
    ids = protocol.ids()
    size = data.draw(st.integers(1, T - 1), label="coalition size")
    deviators = set(data.draw(st.lists(st.sampled_from(ids), min_size=size, max_size=size, unique=True),
                              label="deviators"))
    plans = {d: data.draw(st.lists(deviations(protocol, d, pool), min_size=1, max_size=4), label=f"plan of {d}")
             for d in sorted(deviators, key=str)}
    adversaries = {d: functools.partial(Deviant, plan=plans[d]) for d in deviators}
    protocol.refusals = []
    parties, outcome = protocol.run(keyrings(name), adversaries, seed, reorder)
    _check_blame(protocol, deviators, parties, outcome)
    if isinstance(outcome, ProtocolAbort):
        event(f"abort: {'culprits' if outcome.culprits else 'unresponsive' if outcome.unresponsive else 'other'}")
    else:
        event("valid result" if outcome is not None else "decided by a deviator")
    for pid, exc in protocol.refusals:
        if pid not in deviators:
            assert set(exc.culprits) <= deviators


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_an_honest_session_completes(name):
    """The harness itself: with nobody deviating every protocol yields a valid result."""
    parties, outcome = PROTOCOLS[name].run(keyrings(name), {}, 1, True)
    assert outcome is not None and not isinstance(outcome, (ProtocolAbort, PolicyViolation))
