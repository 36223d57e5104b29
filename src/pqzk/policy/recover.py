"""Carrying out what a responder decided, in process: the reshare a quorum approved, the refresh a
rule triggered — each as a ceremony among the parties (`pqzk.runtime`), with the quarantined
parties kept out of the dealing. Over a network the same steps are `pqzk ceremony reshare |
refresh` (a reshare there is a committee change first: docs/network.md).
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping

from ..errors import InvalidParameter
from ..math.rand import RandomSource
from ..runtime.sessions import ceremony_outcome, run_refresh, run_reshare
from ..threshold.frost.types import KeyPackage, PublicKeyPackage
from .model import Policy
from .responder import Action


def reshare(action: Action, key_packages: Mapping[int, KeyPackage], pkp: PublicKeyPackage, *,
            quarantined: Iterable[int] = (), rng: RandomSource | None = None,
            ) -> tuple[dict[int, KeyPackage], PublicKeyPackage]:
    """The approved `reshare` action: the holders that are neither removed nor quarantined deal
    (at least the key's threshold of them), the action's members receive, with its threshold. The
    group key stays; the removed parties' shares no longer combine with anyone's. ProtocolAbort
    (naming culprits) if a dealer cheats."""
    if not isinstance(action, Action) or action.op != "reshare":
        raise InvalidParameter("reshare carries out a responder's 'reshare' action")
    out = set(action.parties) | set(quarantined)
    dealers = {i: i for i in sorted(key_packages) if i not in out and i in pkp.verifying_shares}
    if len(dealers) < pkp.min_signers:
        raise InvalidParameter(f"{len(dealers)} holders can deal, the key needs {pkp.min_signers}")
    receivers = {i: i for i in action.members}
    parties, _ = run_reshare({i: key_packages[i] for i in dealers}, pkp, action.value, dealers, receivers, rng=rng)
    results = ceremony_outcome(parties, sorted(set(dealers) | set(receivers)))
    new_pkp = next(iter(results.values()))[1]
    return {p: r[0] for p, r in results.items() if r[0] is not None}, new_pkp


def policy_without(policy: Policy, parties: Iterable[int]) -> Policy:
    """The next version of `policy` without `parties` (after a reshare removed them): the change
    to approve with `Custody.change_policy` (time-locked), then `Responder.rebase`. Its
    `max_quarantined` is lowered if the signers left need it."""
    drop = {str(p) for p in parties}
    doc = copy.deepcopy(policy.source)
    doc["version"] = policy.version + 1
    doc["signers"] = {k: v for k, v in doc["signers"].items() if k not in drop}
    responses = doc.get("responses")
    if responses is not None and "max_quarantined" in responses:
        floor = max([policy.quorum.min_signers, *(t.quorum.min_signers for t in policy.tiers),
                     (policy.change_quorum or policy.quorum).min_signers])
        responses["max_quarantined"] = max(0, min(responses["max_quarantined"], len(doc["signers"]) - floor))
    return Policy.from_dict(doc)


def refresh(key_packages: Mapping[int, KeyPackage], pkp: PublicKeyPackage, *, rng: RandomSource | None = None,
            ) -> tuple[dict[int, KeyPackage], PublicKeyPackage]:
    """A triggered proactive refresh among every holder (a refresh cuts no holder off): new shares
    of the same key; old shares no longer combine with new ones."""
    parties, _ = run_refresh(key_packages, pkp, rng=rng)
    results = ceremony_outcome(parties, sorted(key_packages))
    return {i: r[0] for i, r in results.items()}, next(iter(results.values()))[1]


__all__ = ["policy_without", "refresh", "reshare"]
