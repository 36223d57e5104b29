"""What a node remembers across restarts and cold steps, and what it refuses to forget: the answers
it sent (a repeated request gets the same answer, never a second commitment), the ceremonies it
joined, the policy changes it adopted (journaled, verified again on start, kept through a key
ceremony), and bounds on what a coordinator can make it hold."""
from __future__ import annotations

import hashlib
import time
from dataclasses import replace

import pytest

from pqzk.errors import InvalidParameter, NonceReuse
from pqzk.math.rand import DeterministicRNG
from pqzk.node.committee import Committee
from pqzk.node.home import NodeHome
from pqzk.node.run import build_service, channel_for, step
from pqzk.policy.change import policy_change_digest
from pqzk.policy.coordinator import AuthorizationCoordinator
from pqzk.policy.messages import AuthRefuse, ChangeResult
from pqzk.policy.model import Policy
from pqzk.policy.request import AuthorizationRequest
from pqzk.policy.state import PolicyState
from pqzk.runtime.frost_parties import FrostPreprocessor
from pqzk.runtime.messages import Kind, Message
from pqzk.threshold import frost

PASS = "memory test passphrase"
NOW = 2_000_000_000
SUITE = "FROST-ED25519-SHA512-v1"
POLICY = {"version": 1, "name": "memory", "quorum": {"min_signers": 2},
          "signers": {str(i): {"roles": ["ops"]} for i in (1, 2, 3)}, "time_lock": {"cooling_off_seconds": 0}}
V2 = {**POLICY, "version": 2, "destinations": {"blacklist": ["mallory"]}}


def resign(c: Committee, nodes) -> Committee:
    c = replace(c, signatures={})
    for h in nodes.values():
        c = c.sign(h.identity(PASS))
    return c


@pytest.fixture
def homes(tmp_path, fast_kdf):
    nodes = {i: NodeHome(tmp_path / f"n{i}") for i in (1, 2, 3)}
    pubs = {i: h.create(i, f"file:{tmp_path / f's{i}'}", PASS) for i, h in nodes.items()}
    coord = NodeHome(tmp_path / "c")
    cpub = coord.create("coordinator", f"file:{tmp_path / 'sc'}", PASS)
    kps, pkp = frost.trusted_dealer_keygen(SUITE, 2, 3, rng=DeterministicRNG(b"memory"))
    c = resign(Committee("memory", 1, tuple(pubs.values()), (cpub,), SUITE, 2, pkp.to_bytes(), POLICY), nodes)
    for i, h in nodes.items():
        with h.open(PASS, c) as n:
            n.keep(kps[i], pkp)
    return nodes, coord, c, kps, pkp


def request(tag: bytes, destination="alice", version=1) -> AuthorizationRequest:
    h = hashlib.sha256(tag).digest()
    return AuthorizationRequest(h[:16], hashlib.sha256(b"tx" + h).digest(), NOW, version, 10, destination)


def cold(home, committee, frames):
    with home.open(PASS, committee) as n:
        out, refused = step(n, frames, clock=lambda: NOW)
    return out, refused


def test_a_repeated_request_gets_the_same_answer_after_a_restart(homes):
    nodes, coord, c, kps, pkp = homes
    with coord.open(PASS, c) as co:
        chan = channel_for(co)
        pre = FrostPreprocessor(pkp.suite, [1], 3, co.keyring, session=b"pre")
        frames = [chan.wrap(m)[1] for m in pre.start()]
        first, _ = cold(nodes[1], c, frames)
        again, _ = cold(nodes[1], c, frames)                 # the inbox stepped twice: the same batch
        batches = [chan.unwrap(f) for f in first + again]
        assert len(batches) == 2 and batches[0].payload == batches[1].payload
        for m in batches:
            pre.receive(m)
        assert pre.error is None and pre.result is not None
        mine = pre.result[1][0]
        other = frost.core.commit(pkp.suite, 2, kps[2].signing_share, DeterministicRNG(b"2"))[1]
        coordinator = AuthorizationCoordinator(PolicyState(Policy.from_dict(POLICY)), pkp, request(b"direct"), [1, 2],
                                               co.keyring, now=NOW, session=b"direct", commitments={1: mine, 2: other})
        to_1 = [chan.wrap(m)[1] for m in coordinator.start() if m.recipient == 1]
        share, _ = cold(nodes[1], c, to_1)
        share_again, refused = cold(nodes[1], c, to_1)       # redelivered after a kill: the same share, no refusal
        assert not refused
        got = [chan.unwrap(f) for f in share + share_again]
        assert [m.kind for m in got] == [Kind.AUTH_SHARE] * 2 and got[0].payload == got[1].payload
    assert len(list((nodes[1].path / "answers").iterdir())) == 2


def test_another_request_in_a_session_is_not_answered_from_the_record(homes):
    """Only the very request is answered again: the record is keyed by session, kind and payload."""
    nodes, coord, c, kps, pkp = homes
    with coord.open(PASS, c) as co:
        chan = channel_for(co)
        a = FrostPreprocessor(pkp.suite, [1], 1, co.keyring, session=b"same")
        b = FrostPreprocessor(pkp.suite, [1], 2, co.keyring, session=b"same")
        (fa,), _ = cold(nodes[1], c, [chan.wrap(m)[1] for m in a.start()])
        (fb,), _ = cold(nodes[1], c, [chan.wrap(m)[1] for m in b.start()])
        assert len(chan.unwrap(fb).payload) == 2 * len(chan.unwrap(fa).payload)


def _adopt_v2(nodes, coord, c, kps):
    v1, v2 = Policy.from_dict(POLICY), Policy.from_dict(V2)
    approval = frost.sign(SUITE, [kps[1], kps[2]], policy_change_digest(v1, v2, NOW))
    with coord.open(PASS, c) as co:
        chan = channel_for(co)
        announce = co.keyring.sign(Message("coordinator", 1, Kind.CHANGE_RESULT,
                                           ChangeResult(v2, (1, 2), NOW, NOW, approval).to_payload(), b"change-2"))
        frame = chan.wrap(announce)[1]
    out, refused = cold(nodes[1], c, [frame])
    assert not refused and not out
    again, refused = cold(nodes[1], c, [frame])             # announced again: nothing to blame, nothing to do
    assert not refused and not again


def _asks(coord, c, pkp, req):
    with coord.open(PASS, c) as co:
        chan = channel_for(co)
        coordinator = AuthorizationCoordinator(PolicyState(Policy.from_dict(POLICY)), pkp, req, [1, 2], co.keyring,
                                               now=NOW, session=b"ask-" + req.request_id, precheck=False)
        return chan, [chan.wrap(m)[1] for m in coordinator.start() if m.recipient == 1]


def test_an_adopted_policy_change_is_replayed_verified_and_kept_through_a_ceremony(homes):
    nodes, coord, c, kps, pkp = homes
    _adopt_v2(nodes, coord, c, kps)
    with nodes[1].open(PASS, c) as n:
        service = build_service(n, clock=lambda: NOW)
        assert service.policy.state.policy_at(NOW).version == 2
        assert [e["version"] for e in n.notes("policy adopted")] == [2]
        # a refresh renews the share: the policy signer is rebuilt, and keeps what it adopted
        from pqzk.threshold.frost.lifecycle import refresh
        new_kps, new_pkp = refresh(kps, pkp, rng=DeterministicRNG(b"r"))
        service.policy_factory = lambda kp, p, old=service.policy_factory: _forgetful(old(kp, p))

        class Done:
            result = (new_kps[1], new_pkp)
        from pqzk.node.service import _Ceremony
        service._store(_Ceremony(b"s", "coordinator", "refresh", Done, kps[1], pkp), Done)
        assert service.policy.state.policy_at(NOW).version == 2
    for key, rule in ((pkp, "key_version"), (new_pkp, "blacklist")):  # the node now holds the refreshed share
        chan, frames = _asks(coord, c, key, request(b"mallory" + rule.encode(), "mallory", version=2))
        out, _ = cold(nodes[1], c, frames)
        (answer,) = [chan.unwrap(f) for f in out]
        assert answer.kind == Kind.AUTH_REFUSE and AuthRefuse.from_payload(answer.payload).rule == rule


def _forgetful(signer):
    """A policy signer rebuilt from the committee file alone (as one without a journal would be)."""
    from pqzk.policy.state import PolicyState as S
    signer.core.state = S(Policy.from_dict(POLICY))
    return signer


def test_a_newer_policy_in_the_committee_file_supersedes_the_journal_and_an_older_one_never_wins(homes):
    nodes, coord, c, kps, pkp = homes
    _adopt_v2(nodes, coord, c, kps)
    v3 = resign(replace(c, version=2, policy={**V2, "version": 3, "destinations": {}}), nodes)
    with nodes[1].open(PASS, v3) as n:                     # the committee file's version 3 is newer: it wins
        assert build_service(n, clock=lambda: NOW).policy.state.active.version == 3
    other_v1 = resign(replace(c, version=3, policy={**POLICY, "name": "another"}), nodes)
    with nodes[1].open(PASS, other_v1) as n:               # version 1 again, another one: the journal's 2 does not
        with pytest.raises(InvalidParameter, match="adopted policy version 2 .* does not follow"):
            build_service(n, clock=lambda: NOW)


def test_file_nonce_stores_burn_the_oldest_unused_nonces_beyond_a_bound(tmp_path):
    from pqzk.runtime.nonces import FRESH, PREPROCESSED
    from pqzk.tokens.nonces import FileNonceStore
    kps, _ = frost.trusted_dealer_keygen(SUITE, 2, 3, rng=DeterministicRNG(b"n"))
    store = FileNonceStore(tmp_path / "nonces", SUITE, bytes(32))
    rng = DeterministicRNG(b"nonces")
    made = []
    for k in range(5):
        nonces, comm = frost.core.commit(kps[1].suite, 1, kps[1].signing_share, rng)
        store.put(nonces, PREPROCESSED if k < 4 else FRESH)
        made.append(comm.to_bytes())
        time.sleep(0.02)                                    # "oldest" is by file time, for a reopened store
    assert store.expire(PREPROCESSED, 2) == 2 and store.expire(PREPROCESSED, 2) == 0
    with pytest.raises(NonceReuse):
        store.take(made[0])
    reopened = FileNonceStore(tmp_path / "nonces", SUITE, bytes(32))
    assert reopened.kind(made[2]) == PREPROCESSED and reopened.kind(made[1]) is None
    assert reopened.expire(PREPROCESSED, 1) == 1 and reopened.kind(made[2]) is None
    assert reopened.kind(made[3]) == PREPROCESSED and reopened.kind(made[4]) == FRESH    # another kind: kept
    reopened.take(made[3])
    assert reopened.expire(PREPROCESSED, 0) == 0
