"""A custody group in one process: the signers, a coordinator per session, the audit log.

`Custody` holds every signer's key package (a demo, a test, the `pqzk authorize` command), builds
one `PolicySigner` per signer and, per request or policy change, a coordinator with a fresh session
id; a `SessionRunner` (`pqzk.runtime.runner`) delivers the messages — by default a
`SimulatorRunner` in process, or whatever runner is given (per group or per call: that is where
faults and delivery orders are injected). It appends the coordinator's records to the audit log
and returns an `Outcome`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import InvalidParameter, PqzkError, ProtocolAbort
from ..math.rand import RandomSource, random_bytes
from ..runtime.frost_parties import COORDINATOR
from ..runtime.identity import Keyring, generate_keyrings
from ..runtime.messages import PartyId
from ..runtime.runner import SessionReport, SessionRunner, SimulatorRunner
from ..threshold.frost.types import KeyPackage, PublicKeyPackage
from .audit import AuditLog
from .authorization import Authorization
from .change import PolicyChangeCoordinator
from .coordinator import AuthorizationCoordinator
from .evaluate import Decision
from .model import Policy
from .request import AuthorizationRequest, History
from .signer import PolicySigner
from .state import PolicyState


@dataclass
class Outcome:
    """What one authorization attempt produced; `report` is the runner's (for the in-process
    runner, the Simulator with its log)."""
    request: AuthorizationRequest
    authorization: Authorization | None
    error: PqzkError | None
    decision: Decision | None
    refusals: dict[int, tuple[str, str]] = field(default_factory=dict)
    missing: list[int] = field(default_factory=list)
    signers: list[int] = field(default_factory=list)
    report: SessionReport | None = field(default=None, repr=False)

    @property
    def allowed(self) -> bool:
        """Whether the request was authorized."""
        return self.authorization is not None

    @property
    def rule(self) -> str:
        """"allowed", or the policy rule that refused (`protocol_abort` when a party misbehaved)."""
        if self.authorization is not None:
            return "allowed"
        return getattr(self.error, "rule", "protocol_abort")

    def unwrap(self) -> Authorization:
        """The authorization, or raise the error that refused it."""
        if self.authorization is None:
            raise self.error
        return self.authorization


class Custody:
    """n PolicySigners and a coordinator per session, run by `runner` (default: in process, with
    `rng` for its schedule), with the audit log written after each session. Post-quantum evidence:
    `pq_keys` + `roster` as quorum certificates, or `committee` (a threshold ML-DSA
    ThresholdPublicKey, parties numbered like the FROST identifiers) + `committee_shares` as one
    threshold ML-DSA signature."""

    def __init__(self, state: PolicyState | Policy, key_packages: Mapping[int, KeyPackage],
                 public_key_package: PublicKeyPackage, *, pq_keys: Mapping | None = None, roster=None,
                 committee=None, committee_shares: Mapping | None = None,
                 audit: AuditLog | None = None, rng: RandomSource | None = None,
                 keyrings: Mapping[PartyId, Keyring] | None = None, runner: SessionRunner | None = None) -> None:
        self.state = state if isinstance(state, PolicyState) else PolicyState(state)
        self.pkp = public_key_package
        self.key_packages = dict(key_packages)
        self.roster = roster
        self.committee = committee
        committee_shares = dict(committee_shares or {})
        self.audit = audit
        self.rng = rng
        self.runner = runner if runner is not None else SimulatorRunner(rng=rng)
        self.now = 0
        self.history = History()
        self.sessions = 0
        pq_keys = dict(pq_keys or {})
        missing = set(self.state.active.signers) - set(self.key_packages)
        if missing:
            raise InvalidParameter(f"policy signers {sorted(missing)} have no key package")
        # every party's identity: the signers' and the coordinator's (fresh ones unless given)
        self.keyrings = dict(keyrings) if keyrings is not None else generate_keyrings(
            [COORDINATOR, *self.key_packages], rng=rng)
        self.signers = {i: PolicySigner(kp, self.state, self.keyrings[i], clock=self._clock, public_key_package=self.pkp,
                                        pq_key=pq_keys.get(i), roster=roster, committee=committee,
                                        committee_share=committee_shares.get(i), rng=rng)
                        for i, kp in self.key_packages.items()}

    def _clock(self) -> int:
        return self.now

    def _new_session(self, label: bytes) -> bytes:
        """A session id never used before by these identities: a replayed message of another
        session then fails its session check (signatures bind the session)."""
        self.sessions += 1
        return label + b"-%d-" % self.sessions + random_bytes(16, self.rng)

    def policy_at(self, now: int) -> Policy:
        """The policy in force at time `now`."""
        return self.state.policy_at(now)

    def _log(self, kind: str, body: dict) -> None:
        if self.audit is not None:
            self.audit.append(kind, body)

    def authorize(self, request: AuthorizationRequest, now: int, *, candidates: Sequence[int] | None = None,
                  signers: Mapping[int, PolicySigner] | None = None, coordinator_cls: type | None = None,
                  precheck: bool = True, runner: SessionRunner | None = None) -> Outcome:
        """Run one authorization session at time `now`; the Outcome says what happened.
        `signers` replaces some of the group's signers for this session (another view, an
        adversary), `coordinator_cls` the coordinator, `runner` the group's runner."""
        self.now = now
        session = self._new_session(b"auth")
        parties = dict(self.signers)
        parties.update(signers or {})
        cands = sorted(candidates if candidates is not None else self.policy_at(now).signers)
        coord = (coordinator_cls or AuthorizationCoordinator)(self.state, self.pkp, request, cands,
                                                              self.keyrings[COORDINATOR], now=now,
                                                              history=self.history, roster=self.roster,
                                                              committee=self.committee, session=session,
                                                              precheck=precheck)
        report = (runner or self.runner).run([coord, *(parties[i] for i in cands)], coord.start())
        if coord.error is None and coord.result is None:
            coord._fail(ProtocolAbort("authorization did not complete"))
        for kind, body in coord.records:
            self._log(kind, body)
        if coord.result is not None:
            self.history = coord.history
        return Outcome(request, coord.result, coord.error, coord.decision, dict(coord.refusals),
                       list(coord.missing), list(coord.signers), report)

    def change_policy(self, new: Policy, approvers: Sequence[int], now: int, *,
                      runner: SessionRunner | None = None) -> bytes:
        """A policy change run as a session (pqzk.policy.change): the approvers check it against
        their own view and the active policy's change quorum, the group signs the change digest,
        every signer verifies and adopts it; it takes effect after the cooling-off. Returns the
        FROST signature; raises PolicyViolation or ProtocolAbort."""
        self.now = now
        approvers = sorted(set(approvers))
        unknown = [i for i in approvers if i not in self.signers]
        if unknown:
            raise InvalidParameter(f"unknown approvers {unknown}")
        coord = PolicyChangeCoordinator(self.state, self.pkp, new, approvers, self.keyrings[COORDINATOR], now=now,
                                        announce_to=self.signers, session=self._new_session(b"policy-change"))
        (runner or self.runner).run([coord, *self.signers.values()], coord.start())
        if coord.result is None:
            err = coord.error or ProtocolAbort("policy change did not complete")
            self._log("policy_change", {"approved": False, "rule": getattr(err, "rule", "protocol_abort"),
                                        "detail": getattr(err, "detail", str(err)), "to_version": new.version,
                                        "approvers": approvers})
            raise err
        sig, signers, state = coord.result
        self.state = state
        self._log("policy_change", {"approved": True, "from_version": state.active.version,
                                    "to_version": new.version, "new_digest": new.digest().hex(),
                                    "effective_at": state.pending.effective_at, "approvers": signers,
                                    "digest": coord.digest.hex(), "signature": sig.hex()})
        return sig


__all__ = ["Custody", "Outcome"]
