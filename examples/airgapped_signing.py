"""Air-gapped signing, 2-of-3, one signer cold: its frames travel by hand.

Three nodes share one FROST Ed25519 key under a policy (any two of the three). Nodes 1 and 2 run
online (`pqzk node run`, over a private NATS broker); node 3 is a cold signer: after the key
ceremony its machine leaves the network for good. The coordinator writes what node 3 must see into
a *bundle* (a file: USB stick, QR codes), an operator carries it over, node 3 takes its whole turn
offline with `pqzk node step --inbox ... --outbox ...`, and the answers come back the same way.

Two trips to the cold machine, then none per signature:
  1. preprocessing: node 3 commits to nonces ahead of time (they stay sealed on its disk);
  2. signing in ONE round: the request and the signing package go to nodes 1 (online) and 3
     (bundle) at once; each checks the request against the policy itself, marks its nonce used
     on disk, and returns its signature share.
A bundle carried twice gets no second signature: node 3 answers with the very share it sent the
first time (recorded before it left), never a new one — the nonce is spent.

A bundle needs no trust: every frame in it is signed by its sender and, when private, sealed to
its recipient (X-Wing + AES-GCM), so whoever carries it learns who talks to whom, and no more.

Run:  python examples/airgapped_signing.py       (needs a nats-server: `make demo` installs one)
"""
from __future__ import annotations

import asyncio
import hashlib
import secrets
import subprocess
import sys

from pqzk.cli.local import PASSPHRASE_VAR, LocalCommittee
from pqzk.node.service import Invitation
from pqzk.policy.authorization import verify_authorization
from pqzk.policy.coordinator import AuthorizationCoordinator
from pqzk.policy.request import AuthorizationRequest
from pqzk.policy.state import PolicyState
from pqzk.runtime.driver import Driver
from pqzk.runtime.frost_parties import FrostPreprocessor
from pqzk.runtime.transports.files import read_bundle, write_bundle

COLD = 3


def say(who: str, text: str) -> None:
    print(f"{who:>20}: {text}")


def public(label: str, value) -> None:
    print(f"{'':>20}  [public] {label}: {value.hex() if isinstance(value, bytes) else value}")


def secret(label: str, holder: str) -> None:
    print(f"{'':>20}  [secret] {label} -- held by {holder}, never printed or sent")


class Relay:
    """The coordinator's transport for one session: NATS for online nodes, a bundle for the cold
    one (frames to it collected in `outbox`; frames carried back pushed with `carried_back`)."""

    def __init__(self, view, cold: int) -> None:
        self.view, self.cold = view, cold
        self.outbox: list[bytes] = []
        self.inbox: list[bytes] = []

    async def send(self, to, frame: bytes, session: bytes | None = None) -> None:
        if to == self.cold:
            self.outbox.append(frame)
        else:
            await self.view.send(to, frame)

    async def receive(self, timeout: float) -> bytes | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.inbox:
                return self.inbox.pop(0)
            left = deadline - loop.time()
            if left <= 0:
                return None
            frame = await self.view.receive(min(0.05, left))
            if frame is not None:
                return frame

    def carried_back(self, frames: list[bytes]) -> None:
        self.inbox.extend(frames)

    async def close(self) -> None:
        await self.view.close()


def carry(lc: LocalCommittee, frames: list[bytes], name: str) -> list[bytes]:
    """The operator's trip: the bundle to the cold machine, `pqzk node step` there, the answer back."""
    inbox, outbox = lc.dir / f"to-{COLD}-{name}.bundle", lc.dir / f"from-{COLD}-{name}.bundle"
    write_bundle(inbox, frames, force=True)
    say("operator", f"carries {inbox.name} ({inbox.stat().st_size} bytes, {len(frames)} frames) to node {COLD}")
    cmd = [sys.executable, "-m", "pqzk.cli.main", "node", "step", "--home", str(lc.homes[COLD].path),
           "--committee", str(lc.committee_file), "--inbox", str(inbox), "--outbox", str(outbox),
           "--pin-env", PASSPHRASE_VAR, "--force"]
    say(f"node {COLD} (offline)", "pqzk node step --home node-3 --committee committee.json "
                                  f"--inbox {inbox.name} --outbox {outbox.name}")
    run = subprocess.run(cmd, env=lc.env(), capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        raise RuntimeError(f"pqzk node step failed: {run.stderr.strip()}")
    print("\n".join(f"{'':>22}{line}" for line in run.stdout.strip().splitlines()))
    back = read_bundle(outbox)
    say("operator", f"carries {outbox.name} ({outbox.stat().st_size} bytes, {len(back)} frames) back")
    return back


async def story(lc: LocalCommittee) -> dict:
    async with lc.coordinator(timeout=1.0) as c:
        print("\n1. Key ceremony, every node online once")
        dkg = await c.ceremony(Invitation("dkg", (1, 2, 3), 2))
        if dkg.error is not None:
            raise dkg.error
        pkp = dkg.result
        say("nodes 1, 2, 3", "ran a DKG over the broker; each keeps its share in its own sealed store")
        secret("key shares", "nodes 1, 2 and 3, one each")
        public("group public key", pkp.verifying_key.to_bytes())

        lc.procs[COLD].terminate()
        lc.procs[COLD].wait(10)
        say("operator", f"stops node {COLD} and unplugs its machine: from now on it is air-gapped")

        print("\n2. Preprocessing: nonce commitments ahead of time")
        pre = FrostPreprocessor(pkp.suite, [COLD], 1, c.node.keyring, session=secrets.token_bytes(16))
        say("coordinator", f"asks node {COLD} for a commitment (preprocess_request, signed, sealed to node {COLD})")
        for frame in carry(lc, [c.channel.wrap(m)[1] for m in pre.start()], "preprocess"):
            msg = c.channel.unwrap(frame)
            if msg is not None:
                pre.receive(msg)
        if pre.result is None:
            raise RuntimeError("no commitment came back from the cold node")
        secret("nonces behind the commitment", f"node {COLD}, sealed on its disk until used")
        online = await c.preprocess([1], 1)
        say("coordinator", "asks node 1 the same over the broker")
        commitments = {1: online[1][0], COLD: pre.result[COLD][0]}
        public("preprocessed commitments (SHA-256)", {i: hashlib.sha256(cm.to_bytes()).hexdigest()[:16] + "…"
                                                      for i, cm in commitments.items()})

        print("\n3. One-round signing: node 1 online, node 3 by hand")
        h = hashlib.sha256(b"airgapped/" + secrets.token_bytes(8)).digest()
        request = AuthorizationRequest(h[:16], hashlib.sha256(b"tx" + h).digest(), c.clock(), 1, 250, "alice")
        public("request", f"250 to alice, request digest {request.digest().hex()[:16]}…")
        session = secrets.token_bytes(16)
        coord = AuthorizationCoordinator(PolicyState(c.policy()), pkp, request, [1, COLD], c.node.keyring,
                                         now=c.clock(), session=session, commitments=commitments)
        relay = Relay(c.nats_node.session(session), COLD)
        driver = Driver(coord, c.channel, relay, timeout=60.0, idle_limit=1)
        running = asyncio.create_task(driver.run())
        while not relay.outbox:
            await asyncio.sleep(0.01)
        say("coordinator", "sends auth_direct (request + signing package) to node 1 over the broker, and "
                           f"to node {COLD} in a bundle")
        to_cold = list(relay.outbox)
        relay.carried_back(await asyncio.to_thread(carry, lc, to_cold, "sign"))
        await asyncio.wait_for(running, 120)
        await relay.close()
        if coord.error is not None:
            raise coord.error
        verify_authorization(coord.result, request, c.policy(), pkp)
        say("coordinator", "aggregates the two shares: one FROST signature")
        public("signers", list(coord.result.signers))
        public("signature", coord.result.signature)

        print("\n4. The same bundle carried twice")
        from pqzk.policy.messages import AuthShare
        again = [m for m in (c.channel.unwrap(f) for f in carry(lc, to_cold, "sign-again")) if m is not None]
        shares = [AuthShare.from_payload(m.payload, pkp.suite).share for m in again if m.kind == "auth_share"]
        new = [s for s in shares if s != coord.shares[COLD]]
        if new:
            raise RuntimeError("the cold node signed twice with one nonce")
        say(f"node {COLD}", "answers with " + ("the very share it sent the first time (its answers are recorded "
                                                "before they leave): no second signature" if shares else
                                                f"{', '.join(str(m.kind) for m in again) or 'nothing'}")
            + " — that nonce is spent (marked used on disk before the first share left)")
        return {"group_key": pkp.verifying_key.to_bytes().hex(), "signers": list(coord.result.signers),
                "signature": coord.result.signature.hex(), "second_share": bool(new), "same_share_again": bool(shares)}


def main() -> dict:
    with LocalCommittee(3, 2) as lc:
        say("operator", f"starts a private nats-server at {lc.start_broker()}")
        lc.create_homes()
        say("nodes 1, 2, 3", "each made a home (pqzk node init) and signed the committee file: 2-of-3, "
                             "policy 'local' (any two)")
        lc.start_nodes()
        say("operator", "starts the three nodes: pqzk node run --home node-i --committee committee.json --nats ...")
        result = asyncio.run(story(lc))
    print("\nEverything stopped; the temporary homes are gone.")
    return result


if __name__ == "__main__":
    main()
