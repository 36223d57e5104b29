"""Run whole sessions in the simulator (FROST, threshold BLS, threshold ECDSA and threshold ML-DSA
signing; DKG, refresh, reshare, repair; threshold ECDSA keygen, refresh and reshare), and retry
without the parties that were proven to cheat or did not answer.

Each run gives every party a fresh identity (`generate_keyrings`) unless keyrings are passed in,
and a fresh random session id unless one is given. `adversaries` maps a party id to a party class
taking the honest party's constructor arguments, or to a callable that wraps the honest party
(`adversary.Deviant`). Outcomes are judged from the honest parties' own views only.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from ..errors import InvalidParameter, ProtocolAbort
from ..math.rand import RandomSource, random_bytes
from ..threshold.frost.ciphersuite import get_ciphersuite
from ..threshold.frost.types import KeyPackage, PublicKeyPackage
from ..sharing.shamir import Share
from ..threshold import bls
from ..threshold.ecdsa.keys import EcdsaKeyShare, EcdsaPublicKey
from .bls_parties import COMBINER, BlsCombiner, BlsSigner
from .ceremony import Ceremony, party_order
from .dkg_parties import DkgParticipant, RefreshParticipant, ReshareParticipant
from .ecdsa_parties import EcdsaKeygenParticipant, EcdsaRefreshParticipant, EcdsaReshareParticipant, EcdsaSigner
from .frost_parties import COORDINATOR, FrostCoordinator, FrostSigner
from .identity import ED25519, Keyring, generate_keyrings
from .messages import PartyId
from .repair_parties import RepairParticipant
from .simulator import Fault, Simulator
from .tmldsa_parties import TMLDSACoordinator, TMLDSASigner

Adversaries = Mapping[PartyId, type | Callable] | None


def _build(pid: PartyId, honest_cls: type, args: tuple, kwargs: dict, adversaries: Adversaries):
    """The party `pid`: honest, an adversarial subclass, or a wrapper around the honest party."""
    adv = (adversaries or {}).get(pid)
    if adv is None:
        return honest_cls(*args, **kwargs)
    if isinstance(adv, type):
        return adv(*args, **kwargs)
    return adv(honest_cls(*args, **kwargs))


def _keyrings(ids: Iterable[PartyId], keyrings: Mapping[PartyId, Keyring] | None, rng: RandomSource | None,
              scheme: str) -> Mapping[PartyId, Keyring]:
    ids = list(ids)
    if keyrings is None:
        return generate_keyrings(ids, scheme=scheme, rng=rng)
    missing = [i for i in ids if i not in keyrings]
    if missing:
        raise InvalidParameter(f"no keyring for parties {missing}")
    return keyrings


def _session(session: bytes | None, rng: RandomSource | None) -> bytes:
    return random_bytes(16, rng) if session is None else session


def _run_led(lead, parties: list, faults: Iterable[Fault], rng: RandomSource | None, reorder: bool, wire: bool,
             what: str) -> tuple[bytes, Simulator]:
    """Run a session that `lead` (a coordinator or combiner) starts and concludes: its result and the
    simulator, or its ProtocolAbort (one saying `what` did not complete when it stalled)."""
    sim = Simulator([lead, *parties], faults, rng=rng, reorder=reorder, wire=wire)
    sim.run(lead.start())
    if lead.error is not None:
        raise lead.error
    if lead.result is None:
        raise ProtocolAbort(f"{what} did not complete")
    return lead.result, sim


def run_signing(key_packages: Mapping[int, KeyPackage], public_key_package: PublicKeyPackage, message: bytes,
                signers: Sequence[int], *, faults: Iterable[Fault] = (), adversaries: Adversaries = None,
                coordinator_cls: type = FrostCoordinator, rng: RandomSource | None = None, reorder: bool = False,
                session: bytes | None = None, keyrings: Mapping[PartyId, Keyring] | None = None,
                identity_scheme: str = ED25519, wire: bool = False) -> tuple[bytes, Simulator]:
    """One FROST signing session; the signature bytes, or the coordinator's ProtocolAbort."""
    rings = _keyrings([COORDINATOR, *signers], keyrings, rng, identity_scheme)
    parties = [_build(i, FrostSigner, (key_packages[i], rings[i]), {"rng": rng}, adversaries) for i in signers]
    coord = coordinator_cls(public_key_package, message, signers, rings[COORDINATOR],
                            session=_session(session, rng))
    return _run_led(coord, parties, faults, rng, reorder, wire, "signing")


def _excluded(exc: ProtocolAbort) -> list[PartyId]:
    """Whom a retry leaves out: the culprits and the unresponsive; failing those, the parties
    whose abort notice stopped the run (an honest party announces an abort only when it has a
    culprit or an unresponsive party of its own to report, and then those are excluded instead)."""
    return [*exc.culprits, *exc.unresponsive] or list(exc.stopped_by)


def _exclude(exc: ProtocolAbort, excluded: list[PartyId], aborts: list[ProtocolAbort]) -> None:
    """A retry loop's bookkeeping after an abort: note it and add whom it leaves out to `excluded`;
    an abort that leaves nobody out cannot be retried around, so it is raised again."""
    out = _excluded(exc)
    if not out:
        raise exc
    aborts.append(exc)
    excluded.extend([c for c in out if c not in excluded])


def sign_with_honest_quorum(key_packages: Mapping[int, KeyPackage], public_key_package: PublicKeyPackage,
                            message: bytes, signers: Sequence[int], **kw) -> tuple[bytes, list[int], list[ProtocolAbort]]:
    """Run signing; after each abort leave out the culprits and the unresponsive, top the quorum
    up from the other available signers, and retry. Returns (signature, excluded, the aborts).
    Faults apply to every attempt."""
    t = public_key_package.min_signers
    available = list(key_packages)
    quorum, excluded, aborts = list(signers), [], []
    rng = kw.get("rng")
    for _ in range(len(available)):
        try:
            sig, _ = run_signing(key_packages, public_key_package, message, quorum,
                                 session=random_bytes(16, rng), **kw)
            return sig, excluded, aborts
        except ProtocolAbort as exc:
            _exclude(exc, excluded, aborts)
            quorum = [i for i in quorum if i not in excluded]
            spare = [i for i in available if i not in quorum and i not in excluded]
            quorum += spare[:max(0, t - len(quorum))]
            if len(quorum) < t:
                raise ProtocolAbort("not enough signers left", culprits=[c for a in aborts for c in a.culprits],
                                    unresponsive=[c for a in aborts for c in a.unresponsive]) from exc
    raise ProtocolAbort("signing did not succeed", culprits=[c for a in aborts for c in a.culprits])


def run_ceremony(parties: Mapping[PartyId, Ceremony], *, faults: Iterable[Fault] = (),
                 rng: RandomSource | None = None, reorder: bool = False, wire: bool = False) -> Simulator:
    """Start every party and deliver until quiet."""
    sim = Simulator(parties, faults, rng=rng, reorder=reorder, wire=wire)
    start = []
    for p in parties.values():
        start += p.start()
    sim.run(start)
    return sim


def _combined_abort(parties: Mapping[PartyId, object], honest: Sequence[PartyId], what: str) -> None:
    """ProtocolAbort joining the honest parties' own verdicts, if any of them aborted."""
    errors = [parties[i].error for i in honest if parties[i].error is not None]
    if errors:
        culprits = {c for e in errors for c in e.culprits}
        unresponsive = {c for e in errors for c in e.unresponsive}
        stopped_by = {c for e in errors for c in e.stopped_by}
        reasons = "; ".join(sorted({e.reason for e in errors}))
        raise ProtocolAbort(reasons, culprits=culprits, unresponsive=unresponsive, stopped_by=stopped_by)


def ceremony_outcome(parties: Mapping[PartyId, Ceremony], honest: Iterable[PartyId]) -> dict[PartyId, object]:
    """The honest parties' results if they all finished and agree on the public part; otherwise
    ProtocolAbort with the culprits the honest parties proved and whom they did not hear from."""
    honest = sorted(honest, key=party_order)
    _combined_abort(parties, honest, "ceremony")
    if any(parties[i].result is None for i in honest):
        raise ProtocolAbort("the ceremony did not complete")
    publics = [parties[i].result[1] for i in honest]
    if any(p != publics[0] for p in publics):       # cannot happen: the echoes make them agree
        raise ProtocolAbort("honest parties disagree on the public key package")
    return {i: parties[i].result for i in honest}


def run_dkg(suite, participants: Sequence[int], min_signers: int, *, faults: Iterable[Fault] = (),
            adversaries: Adversaries = None, rng: RandomSource | None = None, reorder: bool = False,
            session: bytes | None = None, keyrings: Mapping[PartyId, Keyring] | None = None,
            identity_scheme: str = ED25519, wire: bool = False) -> tuple[dict[int, DkgParticipant], Simulator]:
    """Run a Pedersen DKG among `participants` in the simulator (with optional faults and adversaries) and
    return the parties and the simulator."""
    rings = _keyrings(participants, keyrings, rng, identity_scheme)
    session = _session(session, rng)
    parties = {i: _build(i, DkgParticipant, (suite, i, participants, min_signers, rings[i]),
                         {"rng": rng, "session": session}, adversaries) for i in participants}
    return parties, run_ceremony(parties, faults=faults, rng=rng, reorder=reorder, wire=wire)


def dkg_outcome(parties: Mapping[int, DkgParticipant], honest: Iterable[int]
                ) -> tuple[dict[int, KeyPackage], PublicKeyPackage]:
    """The honest parties' key packages if they all finished with one public key package;
    otherwise ProtocolAbort naming the culprits the honest parties proved."""
    results = ceremony_outcome(parties, honest)
    pkp = next(iter(results.values()))[1]
    return {i: r[0] for i, r in results.items()}, pkp


def dkg_with_honest_quorum(suite, participants: Sequence[int], min_signers: int, *,
                           adversaries: Adversaries = None, faults: Iterable[Fault] = (),
                           rng: RandomSource | None = None, **kw):
    """Run the DKG; after an abort, restart without the culprits and the unresponsive. Returns
    (key packages, public key package, excluded, aborts). Faults apply to the first run only."""
    current, excluded, aborts = list(participants), [], []
    adversaries = dict(adversaries or {})
    faults = list(faults)
    get_ciphersuite(suite)
    for attempt in range(len(participants)):
        honest = [i for i in current if i not in adversaries]
        parties, _ = run_dkg(suite, current, min_signers, faults=faults if attempt == 0 else (),
                             adversaries={i: c for i, c in adversaries.items() if i in current}, rng=rng, **kw)
        try:
            kps, pkp = dkg_outcome(parties, honest)
            return kps, pkp, excluded, aborts
        except ProtocolAbort as exc:
            _exclude(exc, excluded, aborts)
            current = [i for i in current if i not in excluded]
            if len(current) < min_signers:
                raise ProtocolAbort("not enough participants left", culprits=[c for a in aborts for c in a.culprits],
                                    unresponsive=[c for a in aborts for c in a.unresponsive]) from exc
    raise ProtocolAbort("DKG did not succeed", culprits=[c for a in aborts for c in a.culprits])


def run_refresh(key_packages: Mapping[int, KeyPackage], public_key_package: PublicKeyPackage,
                holders: Sequence[int] | None = None, *, faults: Iterable[Fault] = (), adversaries: Adversaries = None,
                rng: RandomSource | None = None, reorder: bool = False, session: bytes | None = None,
                keyrings: Mapping[PartyId, Keyring] | None = None, identity_scheme: str = ED25519,
                wire: bool = False) -> tuple[dict[int, RefreshParticipant], Simulator]:
    """Proactive refresh among `holders` (default: every key package given)."""
    holders = sorted(holders if holders is not None else key_packages)
    rings = _keyrings(holders, keyrings, rng, identity_scheme)
    session = _session(session, rng)
    parties = {i: _build(i, RefreshParticipant, (key_packages[i], public_key_package, holders, rings[i]),
                         {"rng": rng, "session": session}, adversaries) for i in holders}
    return parties, run_ceremony(parties, faults=faults, rng=rng, reorder=reorder, wire=wire)


def run_reshare(key_packages: Mapping[int, KeyPackage], public_key_package: PublicKeyPackage,
                new_min_signers: int, dealers: Mapping[PartyId, int], receivers: Mapping[PartyId, int], *,
                faults: Iterable[Fault] = (), adversaries: Adversaries = None, rng: RandomSource | None = None,
                reorder: bool = False, session: bytes | None = None,
                keyrings: Mapping[PartyId, Keyring] | None = None, identity_scheme: str = ED25519,
                wire: bool = False) -> tuple[dict[PartyId, ReshareParticipant], Simulator]:
    """Resharing from `dealers` (party -> old identifier, with key_packages keyed by old
    identifier) to `receivers` (party -> new identifier) with a new threshold."""
    ids = sorted(set(dealers) | set(receivers), key=party_order)
    rings = _keyrings(ids, keyrings, rng, identity_scheme)
    session = _session(session, rng)
    parties = {p: _build(p, ReshareParticipant, (p, public_key_package, new_min_signers, dealers, receivers, rings[p]),
                         {"key_package": key_packages.get(dealers[p]) if p in dealers else None,
                          "rng": rng, "session": session}, adversaries) for p in ids}
    return parties, run_ceremony(parties, faults=faults, rng=rng, reorder=reorder, wire=wire)


def run_repair(key_packages: Mapping[int, KeyPackage], public_key_package: PublicKeyPackage, helpers: Sequence[int],
               target: int, *, faults: Iterable[Fault] = (), adversaries: Adversaries = None,
               rng: RandomSource | None = None, reorder: bool = False, session: bytes | None = None,
               keyrings: Mapping[PartyId, Keyring] | None = None, identity_scheme: str = ED25519,
               wire: bool = False) -> tuple[dict[int, RepairParticipant], Simulator]:
    """Rebuild `target`'s key package with `helpers` (key packages of the helpers only)."""
    ids = sorted([*helpers, target])
    rings = _keyrings(ids, keyrings, rng, identity_scheme)
    session = _session(session, rng)
    parties = {p: _build(p, RepairParticipant, (p, public_key_package, helpers, target, rings[p]),
                         {"key_package": key_packages.get(p) if p in helpers else None, "rng": rng,
                          "session": session}, adversaries) for p in ids}
    return parties, run_ceremony(parties, faults=faults, rng=rng, reorder=reorder, wire=wire)


def repair_outcome(parties: Mapping[int, RepairParticipant], honest: Iterable[int]) -> KeyPackage:
    """The repaired key package if the participant (honest) got it; otherwise ProtocolAbort
    joining the honest parties' verdicts."""
    honest = sorted(honest)
    _combined_abort(parties, honest, "repair")
    target = next(p for p in parties.values() if p.id == p.target)
    if target.result is None:
        raise ProtocolAbort("the repair did not complete")
    return target.result


def run_bls_signing(shares: Mapping[int, Share], key: bls.ThresholdKey, message: bytes, signers: Sequence[int], *,
                    faults: Iterable[Fault] = (), adversaries: Adversaries = None, rng: RandomSource | None = None,
                    reorder: bool = False, session: bytes | None = None,
                    keyrings: Mapping[PartyId, Keyring] | None = None, identity_scheme: str = ED25519,
                    wire: bool = False) -> tuple[bytes, Simulator]:
    """One threshold BLS signing session: the group signature, or the combiner's ProtocolAbort."""
    rings = _keyrings([COMBINER, *signers], keyrings, rng, identity_scheme)
    parties = [_build(i, BlsSigner, (shares[i], key, rings[i]), {}, adversaries) for i in signers]
    combiner = BlsCombiner(key, message, signers, rings[COMBINER], session=_session(session, rng))
    return _run_led(combiner, parties, faults, rng, reorder, wire, "threshold BLS signing")


# ---- threshold ECDSA (DKLs23) ----

def run_ecdsa_keygen(curve: str, participants: Sequence[int], min_signers: int, *, faults: Iterable[Fault] = (),
                     adversaries: Adversaries = None, rng: RandomSource | None = None, reorder: bool = False,
                     session: bytes | None = None, keyrings: Mapping[PartyId, Keyring] | None = None,
                     identity_scheme: str = ED25519, wire: bool = False
                     ) -> tuple[dict[int, EcdsaKeygenParticipant], Simulator]:
    """DKG, chain code and pairwise OT setup; judge with `ceremony_outcome` (results are
    (EcdsaKeyShare, EcdsaPublicKey))."""
    rings = _keyrings(participants, keyrings, rng, identity_scheme)
    session = _session(session, rng)
    parties = {i: _build(i, EcdsaKeygenParticipant, (curve, i, participants, min_signers, rings[i]),
                         {"rng": rng, "session": session}, adversaries) for i in participants}
    return parties, run_ceremony(parties, faults=faults, rng=rng, reorder=reorder, wire=wire)


def run_ecdsa_refresh(shares: Mapping[int, EcdsaKeyShare], holders: Sequence[int] | None = None, *,
                      faults: Iterable[Fault] = (), adversaries: Adversaries = None, rng: RandomSource | None = None,
                      reorder: bool = False, session: bytes | None = None,
                      keyrings: Mapping[PartyId, Keyring] | None = None, identity_scheme: str = ED25519,
                      wire: bool = False) -> tuple[dict[int, EcdsaRefreshParticipant], Simulator]:
    """Proactive refresh of an ECDSA key among `holders` (default: every share given)."""
    holders = sorted(holders if holders is not None else shares)
    rings = _keyrings(holders, keyrings, rng, identity_scheme)
    session = _session(session, rng)
    parties = {i: _build(i, EcdsaRefreshParticipant, (shares[i], holders, rings[i]),
                         {"rng": rng, "session": session}, adversaries) for i in holders}
    return parties, run_ceremony(parties, faults=faults, rng=rng, reorder=reorder, wire=wire)


def run_ecdsa_reshare(shares: Mapping[int, EcdsaKeyShare], public: EcdsaPublicKey, new_min_signers: int,
                      dealers: Mapping[PartyId, int], receivers: Mapping[PartyId, int], *,
                      faults: Iterable[Fault] = (), adversaries: Adversaries = None, rng: RandomSource | None = None,
                      reorder: bool = False, session: bytes | None = None,
                      keyrings: Mapping[PartyId, Keyring] | None = None, identity_scheme: str = ED25519,
                      wire: bool = False) -> tuple[dict[PartyId, EcdsaReshareParticipant], Simulator]:
    """Resharing from `dealers` (party -> old identifier; `shares` keyed by old identifier) to
    `receivers` (party -> new identifier) with a new threshold; new holders run the OT setup."""
    ids = sorted(set(dealers) | set(receivers), key=party_order)
    rings = _keyrings(ids, keyrings, rng, identity_scheme)
    session = _session(session, rng)
    parties = {p: _build(p, EcdsaReshareParticipant, (p, public, new_min_signers, dealers, receivers, rings[p]),
                         {"share": shares.get(dealers[p]) if p in dealers else None, "rng": rng,
                          "session": session}, adversaries) for p in ids}
    return parties, run_ceremony(parties, faults=faults, rng=rng, reorder=reorder, wire=wire)


def ecdsa_shares(parties: Mapping[PartyId, object], honest: Iterable[PartyId]) -> dict[int, EcdsaKeyShare]:
    """The honest new holders' shares keyed by identifier (ProtocolAbort as `ceremony_outcome`)."""
    results = ceremony_outcome(parties, honest)
    return {r[0].identifier: r[0] for r in results.values() if r[0] is not None}


def run_ecdsa_signing(shares: Mapping[int, EcdsaKeyShare], signers: Sequence[int], digest: bytes, *, path=(),
                      faults: Iterable[Fault] = (), adversaries: Adversaries = None, rng: RandomSource | None = None,
                      reorder: bool = False, session: bytes | None = None,
                      keyrings: Mapping[PartyId, Keyring] | None = None, identity_scheme: str = ED25519,
                      wire: bool = False) -> tuple[dict[int, EcdsaSigner], Simulator]:
    """One DKLs23 signing session among `signers` (every one a peer); judge with
    `ecdsa_signing_outcome`."""
    rings = _keyrings(signers, keyrings, rng, identity_scheme)
    session = _session(session, rng)
    parties = {i: _build(i, EcdsaSigner, (shares[i], signers, digest, rings[i]),
                         {"session": session, "path": path, "rng": rng}, adversaries) for i in signers}
    return parties, run_ceremony(parties, faults=faults, rng=rng, reorder=reorder, wire=wire)


def ecdsa_signing_outcome(parties: Mapping[int, EcdsaSigner], honest: Iterable[int]):
    """The signature if every honest signer produced one (they agree: it is the same (r, s));
    otherwise ProtocolAbort joining the honest signers' verdicts."""
    honest = sorted(honest)
    _combined_abort(parties, honest, "ECDSA signing")
    sigs = [parties[i].result for i in honest]
    if any(s is None for s in sigs):
        raise ProtocolAbort("ECDSA signing did not complete")
    if any(s != sigs[0] for s in sigs):          # cannot happen: they verify under one key with one R
        raise ProtocolAbort("honest signers produced different signatures")
    return sigs[0]


# ---- threshold ML-DSA ----

def run_tmldsa_signing(public, shares: Mapping[int, object], message: bytes, signers: Sequence[int], *,
                       ctx: bytes = b"", faults: Iterable[Fault] = (), adversaries: Adversaries = None,
                       coordinator_cls: type = TMLDSACoordinator, rng: RandomSource | None = None,
                       reorder: bool = False, session: bytes | None = None,
                       keyrings: Mapping[PartyId, Keyring] | None = None, identity_scheme: str = ED25519,
                       wire: bool = False, max_rounds: int | None = None) -> tuple[bytes, Simulator]:
    """One threshold ML-DSA signing session (`public`: a ThresholdPublicKey, `shares`: KeyShares by
    party; exactly T signers), its rounds restarted inside the session until an attempt passes:
    the FIPS 204 signature, or the coordinator's ProtocolAbort. The coordinator is
    `sim.parties[COORDINATOR]` (its `history` tells what became of every attempt)."""
    rings = _keyrings([COORDINATOR, *signers], keyrings, rng, identity_scheme)
    parties = [_build(i, TMLDSASigner, (shares[i], rings[i]), {"rng": rng}, adversaries) for i in signers]
    extra = {} if max_rounds is None else {"max_rounds": max_rounds}
    coord = coordinator_cls(public, message, signers, rings[COORDINATOR], ctx=ctx, session=_session(session, rng),
                            **extra)
    return _run_led(coord, parties, faults, rng, reorder, wire, "threshold ML-DSA signing")


def traffic(sim: Simulator) -> dict[PartyId, tuple[int, int]]:
    """Per sender: (messages delivered, payload bytes delivered) over the whole run."""
    out: dict[PartyId, list[int]] = {}
    for ev in sim.log:
        if ev.what == "deliver" and ev.msg is not None:
            entry = out.setdefault(ev.msg.sender, [0, 0])
            entry[0] += 1
            entry[1] += len(ev.msg.payload)
    return {p: (n, b) for p, (n, b) in out.items()}
