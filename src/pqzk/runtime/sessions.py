"""Run whole FROST signing and DKG sessions in the simulator, and retry without culprits."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..errors import InvalidParameter, ProtocolAbort
from ..math.rand import RandomSource
from ..threshold.frost.types import KeyPackage, PublicKeyPackage
from .dkg_parties import DkgParticipant
from .frost_parties import FrostCoordinator, FrostSigner
from .simulator import Fault, Simulator


def run_signing(key_packages: Mapping[int, KeyPackage], public_key_package: PublicKeyPackage, message: bytes,
                signers: Sequence[int], *, faults: Iterable[Fault] = (), adversaries: Mapping[int, type] | None = None,
                coordinator_cls: type = FrostCoordinator, rng: RandomSource | None = None, reorder: bool = False,
                session: bytes = b"frost") -> tuple[bytes, Simulator]:
    """One FROST signing session; the signature bytes, or ProtocolAbort naming the culprits."""
    adversaries = adversaries or {}
    parties = [adversaries.get(i, FrostSigner)(key_packages[i], rng) for i in signers]
    coord = coordinator_cls(public_key_package, message, signers, session=session)
    sim = Simulator([coord, *parties], faults, rng=rng, reorder=reorder)
    sim.run(coord.start())
    if coord.error is not None:
        raise coord.error
    if coord.result is None:
        raise ProtocolAbort("signing did not complete")
    return coord.result, sim


def sign_with_honest_quorum(key_packages: Mapping[int, KeyPackage], public_key_package: PublicKeyPackage,
                            message: bytes, signers: Sequence[int], **kw) -> tuple[bytes, list[int], list[ProtocolAbort]]:
    """Run signing; after each abort drop the culprits, top the quorum up from the other
    available signers, and retry. Returns (signature, excluded, the aborts seen)."""
    t = public_key_package.min_signers
    available = [i for i in key_packages]
    quorum, excluded, aborts = list(signers), [], []
    for attempt in range(len(available)):
        try:
            sig, _ = run_signing(key_packages, public_key_package, message, quorum,
                                 session=b"frost-%d" % attempt, **kw)
            return sig, excluded, aborts
        except ProtocolAbort as exc:
            if not exc.culprits:
                raise
            aborts.append(exc)
            excluded += [c for c in exc.culprits if c not in excluded]
            quorum = [i for i in quorum if i not in excluded]
            spare = [i for i in available if i not in quorum and i not in excluded]
            quorum += spare[:max(0, t - len(quorum))]
            if len(quorum) < t:
                raise ProtocolAbort("not enough honest signers left", culprits=excluded) from exc
    raise ProtocolAbort("signing did not succeed", culprits=excluded)


def run_dkg(suite, participants: Sequence[int], min_signers: int, *, faults: Iterable[Fault] = (),
            adversaries: Mapping[int, type] | None = None, rng: RandomSource | None = None, reorder: bool = False,
            session: bytes = b"dkg") -> tuple[dict[int, DkgParticipant], Simulator]:
    adversaries = adversaries or {}
    parties = {i: adversaries.get(i, DkgParticipant)(suite, i, participants, min_signers, rng, session)
               for i in participants}
    sim = Simulator(parties, faults, rng=rng, reorder=reorder)
    start = []
    for p in parties.values():
        start += p.start()
    sim.run(start)
    return parties, sim


def dkg_outcome(parties: Mapping[int, DkgParticipant], honest: Iterable[int]
                ) -> tuple[dict[int, KeyPackage], PublicKeyPackage]:
    """The honest parties' key packages if they all finished with one public key package;
    otherwise ProtocolAbort naming the culprits the honest parties blamed."""
    honest = list(honest)
    errors = [parties[i].error for i in honest if parties[i].error is not None]
    if errors or any(parties[i].result is None for i in honest):
        culprits = sorted({c for e in errors for c in e.culprits})
        reasons = "; ".join(sorted({e.reason for e in errors})) or "DKG did not complete"
        raise ProtocolAbort(reasons, culprits=culprits)
    pkps = [parties[i].result[1] for i in honest]
    if any(p != pkps[0] for p in pkps):
        raise ProtocolAbort("honest parties disagree on the public key package")
    return {i: parties[i].result[0] for i in honest}, pkps[0]


def dkg_with_honest_quorum(suite, participants: Sequence[int], min_signers: int, *,
                           adversaries: Mapping[int, type] | None = None, faults: Iterable[Fault] = (),
                           rng: RandomSource | None = None, **kw):
    """Run the DKG; after an abort, restart without the culprits. Returns
    (key packages, public key package, excluded, aborts). Faults apply to the first run only."""
    current, excluded, aborts = list(participants), [], []
    adversaries = dict(adversaries or {})
    faults = list(faults)
    for attempt in range(len(participants)):
        honest = [i for i in current if i not in adversaries]
        parties, _ = run_dkg(suite, current, min_signers, faults=faults if attempt == 0 else (),
                             adversaries={i: c for i, c in adversaries.items() if i in current}, rng=rng,
                             session=b"dkg-%d" % attempt, **kw)
        try:
            kps, pkp = dkg_outcome(parties, honest)
            return kps, pkp, excluded, aborts
        except ProtocolAbort as exc:
            if not exc.culprits:
                raise
            aborts.append(exc)
            excluded += [c for c in exc.culprits if c not in excluded]
            current = [i for i in current if i not in excluded]
            if len(current) < min_signers:
                raise ProtocolAbort("not enough honest participants left", culprits=excluded) from exc
    raise InvalidParameter("DKG did not succeed")
