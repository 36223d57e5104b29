"""A committee coordinator's jobs over NATS: key ceremonies by invitation and policy-governed
signing, against nodes that run elsewhere (`pqzk node run`).

The coordinator is a member of the committee file with an identity of its own (a node home
without a share). It holds no secret of the key: it invites, relays through the broker, and
reads what the nodes report (`service.CeremonyCoordinator`) or sign
(`policy.coordinator.AuthorizationCoordinator`). One `Coordinator` is one connection to the
broker (one durable receiver per coordinator id: run one coordinator process per id at a time).

    async with await Coordinator.connect(open_node, nats_config) as c:
        dkg = await c.ceremony(Invitation("dkg", tuple(nodes), threshold))
        auth = await c.authorize(request)
"""
from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence

from ..errors import InvalidParameter
from ..policy.coordinator import AuthorizationCoordinator
from ..policy.model import Policy
from ..policy.request import AuthorizationRequest
from ..policy.state import PolicyState
from ..runtime.frost_parties import FrostPreprocessor
from ..threshold.frost.types import PublicKeyPackage, SigningCommitments
from .home import OpenNode
from .run import NetworkRunner, channel_for
from .service import CeremonyCoordinator, Invitation


def involved(invitation: Invitation) -> list[int]:
    """Every node a ceremony needs: its participants, new members and repair target."""
    ids = set(invitation.participants) | set(invitation.new_members)
    if invitation.target is not None:
        ids.add(invitation.target)
    return sorted(ids)


class Coordinator:
    """One coordinator connected to the broker. `timeout`: seconds of silence before a party's
    timeout step; `patience`: quiet timeouts before a ceremony is given up on (the nodes time
    out first and report why)."""

    def __init__(self, node: OpenNode, nats_node, *, timeout: float = 1.0, patience: int = 15,
                 deadline: float = 300.0, clock: Callable[[], int] | None = None) -> None:
        self.node, self.nats_node = node, nats_node
        self.timeout, self.patience, self.deadline = timeout, patience, deadline
        self.clock = clock or (lambda: int(time.time()))
        self.channel = channel_for(node)

    @classmethod
    async def connect(cls, node: OpenNode, config, **kw) -> "Coordinator":
        """Connect a coordinator node to the broker; `InvalidParameter` if the committee does not list it as a
        coordinator."""
        from ..runtime.transports.nats import NatsNode
        if node.identity.node_id not in [c.node_id for c in node.committee.coordinators]:
            raise InvalidParameter(f"{node.identity.node_id!r} is not a coordinator of committee "
                                   f"{node.committee.name!r}")
        nats_node = await NatsNode.connect(config, node.committee.committee_id, node.identity.node_id,
                                           discard_unrouted=True)
        return cls(node, nats_node, **kw)

    async def close(self) -> None:
        """Disconnect from the broker."""
        await self.nats_node.close()

    async def __aenter__(self) -> "Coordinator":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def _runner(self, idle_limit: int) -> NetworkRunner:
        return NetworkRunner(self.nats_node, self.channel, timeout=self.timeout, idle_limit=idle_limit,
                             deadline=self.deadline)

    @property
    def public_key_package(self) -> PublicKeyPackage | None:
        """The committee's key as the coordinator last learnt it (its home, else the committee file)."""
        return self.node.key()[1]

    async def ceremony(self, invitation: Invitation, *, session: bytes | None = None) -> CeremonyCoordinator:
        """Invite the nodes and wait for every one's report; on success the new public key
        package is kept in the coordinator's home."""
        session = session or secrets.token_bytes(16)
        party = CeremonyCoordinator(invitation, self.node.keyring, session=session, to=involved(invitation),
                                    suite=self.node.committee.suite, patience=self.patience)
        await self._runner(self.patience + 2).run_async([party], party.start(), session)
        if party.result is None and party.error is None:       # the deadline passed
            party.conclude()
        if party.result is not None:
            self.node.keep(None, party.result)
        self.node.audit("note", {"event": "ceremony " + ("finished" if party.result is not None else "failed"),
                                 "session": session.hex(), "protocol": invitation.protocol,
                                 "group_key": party.result.verifying_key.to_bytes().hex()
                                 if party.result is not None else None,
                                 "error": None if party.error is None else str(party.error)[:500]})
        return party

    def _key(self) -> PublicKeyPackage:
        pkp = self.public_key_package
        if pkp is None:
            raise InvalidParameter("the coordinator knows no key of this committee yet: run a DKG first "
                                   "(pqzk ceremony dkg)")
        return pkp

    def policy(self) -> Policy:
        """The committee's policy; `InvalidParameter` when it has none (its nodes sign nothing then)."""
        if self.node.committee.policy is None:
            raise InvalidParameter(f"committee {self.node.committee.name!r} has no policy: its nodes sign nothing")
        return Policy.from_dict(self.node.committee.policy)

    async def preprocess(self, signers: Sequence[int], count: int = 1, *,
                         session: bytes | None = None) -> dict[int, list[SigningCommitments]]:
        """Ask `signers` for `count` commitments each, ahead of time (one-round signing)."""
        session = session or secrets.token_bytes(16)
        pkp = self._key()
        party = FrostPreprocessor(pkp.suite, list(signers), count, self.node.keyring, session=session)
        await self._runner(6).run_async([party], party.start(), session)
        if party.result is None:
            raise party.error or InvalidParameter("no commitments came back")
        return party.result

    async def authorize(self, request: AuthorizationRequest, *, candidates: Sequence[int] | None = None,
                        commitments: dict[int, SigningCommitments] | None = None,
                        session: bytes | None = None) -> AuthorizationCoordinator:
        """One policy-governed signing: the nodes check the request themselves; `result` is the
        Authorization, or `error` says who refused and why. Two rounds, or one with
        `commitments` preprocessed by the signers."""
        session = session or secrets.token_bytes(16)
        pkp = self._key()
        now = self.clock()
        if candidates is None:
            candidates = sorted(pkp.verifying_shares)
        coord = AuthorizationCoordinator(PolicyState(self.policy()), pkp, request, list(candidates),
                                         self.node.keyring, now=now, session=session, commitments=commitments,
                                         roster=self.node.committee.roster())
        await self._runner(8).run_async([coord], coord.start(), session)
        for kind, body in coord.records:
            self.node.audit(kind, body)
        return coord


__all__ = ["Coordinator", "involved"]
