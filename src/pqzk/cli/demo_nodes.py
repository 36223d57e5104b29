"""Demo chapter: five nodes in five processes over a private NATS broker — a DKG, a policy-governed
signing, one node killed with SIGKILL, the other four still sign. Who sends what to whom, what is
secret, what the broker sees (`pqzk.cli.local` runs the committee; `pqzk.node` is each node)."""
from __future__ import annotations

import hashlib
import time

from .narrate import Narrator

N, T = 5, 3


def chapter(n: Narrator) -> None:
    """Demo chapter: five node processes over a private NATS broker run a DKG and sign with one node killed
    (skipped, with how to install, when no nats-server is found)."""
    from ..discovery import NATS_HOW, find_nats_server
    from .local import LocalCommittee
    from .nodeargs import run_async
    n.chapter("Nodes over NATS: five processes, one broker, one node killed")
    path, why = find_nats_server()
    if path is None:
        n.step("demo", f"skipped: no nats-server binary ({why}). {NATS_HOW}")
        n.public("skipped", "no nats-server")
        return
    with LocalCommittee(N, T) as lc:
        url = lc.start_broker()
        n.step("operator", f"starts a private nats-server at {url} (JetStream in a temporary directory, "
                           "127.0.0.1 only): the message engine, and untrusted — it only moves frames")
        lc.create_homes()
        n.step("nodes 1-5", "each makes a home with `pqzk node init`: a composite ML-DSA-44 + Ed25519 identity "
                            "key, an X-Wing key, sealed in its own file store")
        n.secret("identity keys and store passphrases", "each node its own")
        n.step("nodes 1-5", "each signs the committee file (ids, public keys, 3-of-5, the policy); a node "
                            "accepts only a file every node signed, and never an older version")
        n.public("committee", f"{lc.committee.name}: nodes 1-5, coordinator 'coordinator', threshold {T}")
        lc.start_nodes()
        n.step("operator", "starts five processes: pqzk node run --home node-i --committee committee.json "
                           f"--nats {url}")
        n.public("node processes (pids)", [p.pid for p in lc.procs.values()])
        run_async(_story(n, lc))
    n.ok("the four running nodes got SIGTERM and stopped, the broker stopped, the temporary directory is gone")


async def _story(n: Narrator, lc) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from ..errors import VerificationError
    from ..math.rand import random_bytes
    from ..node.service import Invitation
    from ..policy.authorization import verify_authorization
    from ..policy.request import AuthorizationRequest
    async with lc.coordinator() as c:
        n.step("coordinator → nodes 1-5", "session_invite to a DKG (private: sealed to each node's X-Wing key, "
                                          "signed by the coordinator); each node checks it against the committee "
                                          "file before joining")
        n.step("nodes ↔ nodes", "dkg_round1 and dkg_echo: commitments and proofs, broadcast in clear but signed; "
                                "dkg_round2: one share per recipient, sealed to it; dkg_complaints: none")
        t = time.monotonic()
        dkg = await c.ceremony(Invitation("dkg", tuple(lc.ids), T))
        if dkg.error is not None:
            raise dkg.error
        n.step("nodes → coordinator", "session_report: finished, and the public key package (the coordinator "
                                      "holds no share)")
        n.secret("key shares", "each node, in its sealed store")
        pkp = dkg.result
        n.public("group public key", pkp.verifying_key.to_bytes())
        n.timing("DKG time", time.monotonic() - t)
        seen = await _broker_view(c.nats_node.link)
        n.public("what the broker stored (frames: broadcasts in clear, private sealed)", seen)
        n.ok("the broker saw who talked to whom and how much; no share, and it could not forge or alter a frame")

        def request(tag: str, amount: int) -> AuthorizationRequest:
            h = hashlib.sha256(f"demo/nodes/{tag}".encode() + random_bytes(8, n.rng)).digest()
            return AuthorizationRequest(h[:16], hashlib.sha256(b"tx" + h).digest(), c.clock(), 1, amount, "alice")

        first = request("first", 40)
        n.step("coordinator → nodes 1-5", "auth_request for 40 to alice; each node checks the policy itself and "
                                          "answers auth_accept with a fresh commitment (its nonce sealed on disk)")
        n.step("coordinator → 3 nodes", "auth_sign; each marks its nonce used on disk before its auth_share "
                                        "leaves the process")
        t = time.monotonic()
        auth = await c.authorize(first)
        if auth.error is not None:
            raise auth.error
        verify_authorization(auth.result, first, c.policy(), pkp)
        Ed25519PublicKey.from_public_bytes(auth.result.group_key).verify(auth.result.signature, auth.result.digest())
        n.public("signers", list(auth.result.signers))
        n.timing("signing time", time.monotonic() - t)
        n.ok("authorized: one FROST signature, a plain Ed25519 signature to OpenSSL")

        victim = auth.result.signers[0]
        lc.kill(victim)
        n.step("operator", f"kill -9 node {victim} (SIGKILL: no goodbye, no clean shutdown)")
        second = request("after the kill", 60)
        n.step("coordinator → nodes 1-5", f"auth_request for 60 to alice; node {victim} never answers")
        t = time.monotonic()
        auth2 = await c.authorize(second)
        if auth2.error is not None:
            raise auth2.error
        verify_authorization(auth2.result, second, c.policy(), pkp)
        if victim in auth2.result.signers:
            raise VerificationError(f"node {victim} is dead but counted as a signer")
        n.public("signers after the kill", list(auth2.result.signers))
        n.timing("signing time after the kill", time.monotonic() - t)
        n.public("nodes still running", lc.running)
        n.ok(f"the other four still answer and three of them sign; node {victim} is not blamed — silence is never "
             "evidence")


async def _broker_view(link) -> dict:
    """What an eavesdropping broker holds for this committee: frames by mode, and their bytes."""
    import asyncio

    from ..runtime.transports.nats import BROADCAST_TOKEN, committee_token
    sub = await link.js.pull_subscribe(f"{link.config.prefix}.{committee_token(link.committee)}.>",
                                       stream=link.stream)
    counts = {"broadcast": 0, "private": 0, "bytes": 0}
    try:
        while True:
            try:
                msgs = await sub.fetch(256, timeout=0.3)
            except (asyncio.TimeoutError, TimeoutError):
                break
            for m in msgs:
                counts["broadcast" if m.subject.split(".")[-2] == BROADCAST_TOKEN else "private"] += 1
                counts["bytes"] += len(m.data)
    finally:
        await sub.unsubscribe()
    return counts
