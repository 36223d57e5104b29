"""The NATS transport: channel frames between processes and machines through an untrusted NATS
broker, with JetStream for durable delivery.

Subjects (every token is lowercase hex, so any id is a safe subject token):

    <prefix>.<committee>.<session>.<recipient>.<sender>    a point-to-point frame
    <prefix>.<committee>.<session>.all.<sender>            a broadcast to the session's committee

    committee = hex(committee id)   session = hex(session id), "_" for the empty one
    recipient, sender = hex(wire.encode_party(party id))   prefix = "pqzk" (one token, configurable)

One JetStream stream per committee (`stream_name`), capturing `<prefix>.<committee>.>`: file
storage, limits retention (`max_age`, `max_bytes`), frames up to 1 MiB, a 2-minute duplicate
window (each publish carries a fresh `Nats-Msg-Id`, reused by its retries, so a publish retried
after a lost acknowledgement is stored once), `replicas` copies in a cluster.

Receivers are durable pull consumers with explicit acks, `ack_wait` and `max_deliver` (bounded
redelivery), two per receiver: one filtering the frames addressed to it, one the broadcasts.
- `NatsTransport` (a `driver.Transport`) receives one session: filters `…<committee>.<session>.<me>.*`
  and `…<committee>.<session>.all.*`, starting from the session's first frame — a party that
  joins late, or reconnects, catches up on everything the session said.
- `NatsNode` receives every session addressed to a node (`…<committee>.*.<me>.*`, `….*.all.*`),
  so that a long-running node serves sessions others start: `receive()` gives `(session, frame)`,
  `serve(handler)` gives each session its own `Transport` and calls `handler(session, transport)`
  (e.g. to run a `Driver` there).
A frame is acknowledged when its receiver asks for the next one (or closes): a frame the process
did not get to is redelivered, after `ack_wait`, to the same durable consumer — to the node when
it restarts. Frames that come back are harmless: the channel refuses replays, parties ignore
duplicates. A party's own broadcasts are skipped (the subject names the sender). The subject is
only routing: who sent what is decided by the channel and the signatures, never by the subject.

The broker (or anyone who can publish) can drop, delay, duplicate, reorder or alter frames; all
of it is caught by the channel (`pqzk.runtime.channel`) or the parties, and blamed on nobody.
"""
from .config import MAX_FRAME, NatsConfig, connect
from .endpoints import NatsNode, NatsTransport, NodeTransport, SessionView
from .link import NatsLink, ensure_stream
from .subjects import (BROADCAST_TOKEN, committee_token, parse_subject, party_token, session_token, stream_name,
                       subject)

__all__ = ["BROADCAST_TOKEN", "MAX_FRAME", "NatsConfig", "NatsLink", "NatsNode", "NatsTransport", "NodeTransport", "SessionView",
           "committee_token", "connect", "ensure_stream", "parse_subject", "party_token", "session_token",
           "stream_name", "subject"]
