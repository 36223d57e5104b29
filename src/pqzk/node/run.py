"""A running node: the node service assembled from a node's home, driven over a transport.

`build_service` wires the pieces: the committee file's keys (identity, channel), the key package
from the share store, the policy signer (the committee's policy, the node's own clock, its nonces
in the sealed nonce store), the node's audit log. `serve` drives it until stopped — over NATS in
a deployment, over the in-process hub in tests; `step` runs one offline turn (cold signers).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from ..policy.model import Policy
from ..policy.signer import PolicySigner
from ..policy.state import PolicyState
from ..runtime.channel import Channel
from ..runtime.driver import Driver, Transport
from ..runtime.frost_parties import FrostSigner
from ..runtime.transports.files import step as files_step
from ..threshold.frost.types import KeyPackage
from .home import OpenNode
from .service import NodeService


def wall_clock() -> int:
    return int(time.time())


def build_service(node: OpenNode, *, clock: Callable[[], int] = wall_clock, rng=None) -> NodeService:
    """The node's sans-I/O service; its policy signer exists once it holds a key package."""
    committee = node.committee
    coordinator = committee.coordinators[0].node_id if committee.coordinators else None
    policy = Policy.from_dict(committee.policy) if committee.policy is not None else None

    def policy_signer(kp: KeyPackage):
        if policy is None or coordinator is None:
            return None
        frost = FrostSigner(kp, node.keyring, rng=rng, coordinator=coordinator, nonce_store=node.nonce_store())
        return PolicySigner(kp, PolicyState(policy), node.keyring, clock=clock, rng=rng, frost_signer=frost,
                            coordinator=coordinator)

    kp, pkp = node.key()
    return NodeService(committee, node.keyring, key_package=kp, public_key_package=pkp, audit=node.audit,
                       keep=node.keep, policy_factory=policy_signer, rng=rng)


def channel_for(node: OpenNode) -> Channel:
    return Channel(node.identity.node_id, node.committee.committee_id, node.kem_keys())


async def serve(node: OpenNode, transport: Transport, *, timeout: float = 1.0, clock=wall_clock,
                ready: Callable[[Driver], None] | None = None) -> NodeService:
    """Drive the node's service until the driver is stopped (`ready` gets the driver first)."""
    service = build_service(node, clock=clock)
    driver = Driver(service, channel_for(node), transport, timeout=timeout, serve=True)
    if ready is not None:
        ready(driver)
    await driver.run(start=False)
    return service


def step(node: OpenNode, frames: Iterable[bytes], *, clock=wall_clock, timeout: bool = False):
    """One offline turn of a cold node: (frames out, refusals)."""
    return files_step(build_service(node, clock=clock), channel_for(node), frames, timeout=timeout)


__all__ = ["build_service", "channel_for", "serve", "step", "wall_clock"]
