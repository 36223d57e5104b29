"""A running node: the node service assembled from a node's home, driven over a transport.

`build_service` wires the pieces: the committee file's keys (identity, channel), the key package
from the share store, the policy signer (the committee's policy and the changes the node adopted
since, the node's own clock, its nonces in the sealed nonce store), the node's audit log, the
record of its answers. `serve` drives it until stopped — over NATS in a deployment, over the
in-process hub in tests; `step` runs one offline turn (cold signers). `run_node` ends — raising
what stopped it — if its driver dies: a supervisor sees the process go and restarts it.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from ..encoding import from_hex
from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation, VerificationError
from ..policy.messages import ChangeResult
from ..policy.model import Policy
from ..policy.signer import PolicySigner
from ..policy.state import PolicyState
from ..runtime.channel import Channel
from ..runtime.driver import Driver, Transport
from ..runtime.frost_parties import FrostSigner
from ..runtime.transports.files import step as files_step
from ..threshold.frost.types import KeyPackage, PublicKeyPackage
from .home import OpenNode
from .service import NodeService


def wall_clock() -> int:
    """Seconds since the epoch (the clock policy checks use on a node)."""
    return int(time.time())


def build_service(node: OpenNode, *, clock: Callable[[], int] = wall_clock, rng=None,
                  frost_signer_cls: type = FrostSigner) -> NodeService:
    """The node's sans-I/O service; its policy signer exists once it holds a key package.
    `frost_signer_cls` replaces the FROST signer inside it (adversarial simulations only)."""
    committee = node.committee
    coordinator = committee.coordinators[0].node_id if committee.coordinators else None
    policy = Policy.from_dict(committee.policy) if committee.policy is not None else None

    def policy_signer(kp: KeyPackage, pkp: PublicKeyPackage):
        if policy is None or coordinator is None or pkp is None:
            return None
        frost = frost_signer_cls(kp, node.keyring, rng=rng, coordinator=coordinator, nonce_store=node.nonce_store())
        signer = PolicySigner(kp, PolicyState(policy), node.keyring, public_key_package=pkp, clock=clock, rng=rng,
                              frost_signer=frost, coordinator=coordinator, pq_key=node.identity.pq_key,
                              roster=committee.roster())
        for entry in node.notes("counted"):            # what it signed or saw authorized before a restart
            signer.authorization.remember(from_hex(entry["request_id"], "counted note: request_id"),
                                          from_hex(entry["tx_digest"], "counted note: tx_digest"),
                                          entry["time"], entry["amount"], signed=entry["signed"])
        replay_changes(signer, node.notes("policy adopted"))

        def journal(request, signed: bool) -> None:
            node.audit("note", {"event": "counted", "request_id": request.request_id.hex(),
                                "tx_digest": request.tx_digest.hex(), "time": clock(),
                                "amount": request.charged_amount, "signed": signed})

        def adopted(change: ChangeResult, now: int) -> None:
            node.audit("note", {"event": "policy adopted", "version": change.policy.version, "time": now,
                                "change": change.to_payload().decode()})
        signer.authorization.journal = journal
        signer.change.journal = adopted
        return signer

    kp, pkp = node.key()
    return NodeService(committee, node.keyring, key_package=kp, public_key_package=pkp, audit=node.audit,
                       keep=node.keep, policy_factory=policy_signer, answers=node.answers(), rng=rng)


def replay_changes(signer: PolicySigner, entries: Iterable[dict]) -> None:
    """Adopt again, in order and each verified against the policy it replaces, the policy changes
    a node adopted before (its audit log's "policy adopted" notes), starting from the committee
    file's policy. A change that policy already includes (its version is not newer) is skipped;
    one that does not follow from it is refused (InvalidParameter): an older policy in the
    committee file never silently wins over a change the group approved and the node adopted."""
    for entry in entries:
        try:
            body = ChangeResult.from_payload(entry["change"].encode())
        except (KeyError, AttributeError, InvalidEncoding) as exc:
            raise InvalidParameter(f"the node's audit log holds an unreadable policy change ({exc})") from None
        state = signer.state.at(entry["time"])
        latest = state.pending.policy.version if state.pending is not None else state.active.version
        if body.policy.version <= latest or signer.change.adopted(body):
            continue
        try:
            signer.change.adopt(body, entry["time"])
        except (PolicyViolation, VerificationError, InvalidParameter) as exc:
            raise InvalidParameter(
                f"this node adopted policy version {body.policy.version} (its audit log), which does not follow "
                f"from the committee file's policy (version {signer.state.active.version}): {exc}; start it with "
                f"a committee file whose policy is version {body.policy.version} or later") from None


def channel_for(node: OpenNode) -> Channel:
    """The node's end-to-end channel: its id, committee, X-Wing keys and the committee's directory."""
    return Channel(node.identity.node_id, node.committee.committee_id, node.kem_keys(),
                   directory=node.committee.directory())


async def serve(node: OpenNode, transport: Transport, *, timeout: float = 1.0, clock=wall_clock,
                ready: Callable[[Driver], None] | None = None, frost_signer_cls: type = FrostSigner) -> NodeService:
    """Drive the node's service until the driver is stopped (`ready` gets the driver first)."""
    service = build_service(node, clock=clock, frost_signer_cls=frost_signer_cls)
    driver = Driver(service, channel_for(node), transport, timeout=timeout, serve=True)
    if ready is not None:
        ready(driver)
    await driver.run(start=False)
    return service


def step(node: OpenNode, frames: Iterable[bytes], *, clock=wall_clock, timeout: bool = False):
    """One offline turn of a cold node: (frames out, refusals)."""
    return files_step(build_service(node, clock=clock), channel_for(node), frames, timeout=timeout)




# ---- over NATS ----

async def run_node(node: OpenNode, config, *, stop=None, timeout: float = 0.5, clock=wall_clock,
                   ready: Callable[[Driver], None] | None = None, frost_signer_cls: type = FrostSigner) -> NodeService:
    """A node process's life: connect to the committee's NATS stream (catching up on what was
    addressed to it while it was away), serve every session until `stop` (an asyncio.Event) is set."""
    import asyncio

    from ..runtime.transports.nats import NatsNode, NodeTransport
    nats_node = await NatsNode.connect(config, node.committee.committee_id, node.identity.node_id)
    transport = NodeTransport(nats_node)
    drivers: list[Driver] = []

    def keep(driver: Driver) -> None:
        drivers.append(driver)
        if ready is not None:
            ready(driver)

    loop = asyncio.get_running_loop()
    task = loop.create_task(serve(node, transport, timeout=timeout, clock=clock, ready=keep,
                                  frost_signer_cls=frost_signer_cls))
    waiter = loop.create_task(stop.wait()) if stop is not None else None
    try:
        if waiter is not None:
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if not task.done():                        # stopped: the driver finishes what it is doing
                for d in drivers:
                    d.stop()
        return await task                              # the driver's error, if it died
    finally:
        if waiter is not None:
            waiter.cancel()
        if not task.done():
            task.cancel()
        await transport.close()


class NetworkRunner:
    """A `runtime.runner.SessionRunner` for a coordinator over NATS: its local parties are driven
    over the coordinator's `NatsNode` (one view per session); the other parties are nodes."""

    def __init__(self, nats_node, channel: Channel, *, timeout: float = 1.0, idle_limit: int = 6,
                 deadline: float = 120.0) -> None:
        self.nats_node, self.channel = nats_node, channel
        self.timeout, self.idle_limit, self.deadline = timeout, idle_limit, deadline

    async def run_async(self, parties, initial, session: bytes):
        """Drive the coordinator's one local party through a session over NATS and return it when it finishes.
        """
        import asyncio
        if len(parties) != 1:
            raise InvalidParameter("a network runner drives the coordinator alone; signers are nodes")
        party = parties[0]
        view = self.nats_node.session(session)
        driver = Driver(party, self.channel, view, timeout=self.timeout, idle_limit=self.idle_limit)
        try:
            await driver.send(list(initial))
            await asyncio.wait_for(driver.run(start=False), self.deadline)
        finally:
            await view.close()
        return _Report(driver.stats.frames_in, [(party.id, exc) for _, exc in driver.refusals])


class _Report:
    def __init__(self, steps: int, refusals: list) -> None:
        self.steps, self.refusals = steps, refusals


__all__ = ["NetworkRunner", "build_service", "channel_for", "run_node", "serve", "step", "wall_clock"]
