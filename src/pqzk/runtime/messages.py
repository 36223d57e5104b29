"""Messages exchanged by sans-I/O parties: who sent what to whom, as bytes, signed by the sender.

Every runtime message names its kind (`Kind`), the session it belongs to, its sender and either
one recipient or "everyone in the session" (`broadcast`). The sender signs the canonical encoding
of all of that (`pqzk.runtime.wire`), so a message carries blame only for its author: a message
altered in transit, replayed into another session or re-addressed to another party no longer
verifies and is dropped, never attributed.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, Union

PartyId = Union[int, str]


class Kind(StrEnum):
    """Every message kind of every runtime protocol (the wire carries the value)."""
    # FROST signing (RFC 9591 §5), coordinator <-> signers
    ROUND1_REQUEST = "round1_request"
    COMMITMENT = "commitment"
    SIGN_REQUEST = "sign_request"
    SIGNATURE_SHARE = "signature_share"
    SIGN_ABORT = "sign_abort"
    PREPROCESS_REQUEST = "preprocess_request"     # FROST preprocessing: commitments ahead of time
    COMMITMENT_BATCH = "commitment_batch"
    # verifiable secret-sharing ceremonies: DKG, refresh, reshare (pqzk.runtime.ceremony)
    DKG_ROUND1 = "dkg_round1"
    DKG_ECHO = "dkg_echo"
    DKG_ROUND2 = "dkg_round2"
    DKG_COMPLAINTS = "dkg_complaints"
    DKG_REVEAL = "dkg_reveal"
    DKG_VERDICT = "dkg_verdict"
    DKG_ABORT = "dkg_abort"
    REFRESH_ROUND1 = "refresh_round1"
    REFRESH_ECHO = "refresh_echo"
    REFRESH_ROUND2 = "refresh_round2"
    REFRESH_COMPLAINTS = "refresh_complaints"
    REFRESH_REVEAL = "refresh_reveal"
    REFRESH_VERDICT = "refresh_verdict"
    REFRESH_ABORT = "refresh_abort"
    RESHARE_ROUND1 = "reshare_round1"
    RESHARE_ECHO = "reshare_echo"
    RESHARE_ROUND2 = "reshare_round2"
    RESHARE_COMPLAINTS = "reshare_complaints"
    RESHARE_REVEAL = "reshare_reveal"
    RESHARE_VERDICT = "reshare_verdict"
    RESHARE_ABORT = "reshare_abort"
    # nodes (pqzk.node): a coordinator invites the nodes to a ceremony; nodes report how it ended
    SESSION_INVITE = "session_invite"
    SESSION_REPORT = "session_report"
    # share repair (pqzk.runtime.repair_parties)
    REPAIR_DELTAS = "repair_deltas"
    REPAIR_DELTA = "repair_delta"
    REPAIR_COMPLAINTS = "repair_complaints"
    REPAIR_SIGMA = "repair_sigma"
    REPAIR_ABORT = "repair_abort"
    # threshold BLS signing (pqzk.runtime.bls_parties)
    BLS_REQUEST = "bls_request"
    BLS_PARTIAL = "bls_partial"
    BLS_ABORT = "bls_abort"
    # threshold ML-DSA signing (pqzk.runtime.tmldsa_parties), coordinator <-> signers
    TMLDSA_REQUEST = "tmldsa_request"
    TMLDSA_COMMIT = "tmldsa_commit"
    TMLDSA_COMMITS = "tmldsa_commits"
    TMLDSA_REVEAL = "tmldsa_reveal"
    TMLDSA_REVEALS = "tmldsa_reveals"
    TMLDSA_RESPONSE = "tmldsa_response"
    # the policy-governed authorization flow and policy changes (pqzk.policy.messages)
    AUTH_REQUEST = "auth_request"
    AUTH_ACCEPT = "auth_accept"
    AUTH_REFUSE = "auth_refuse"
    AUTH_SIGN = "auth_sign"
    AUTH_CANCEL = "auth_cancel"
    AUTH_SHARE = "auth_share"
    AUTH_RESULT = "auth_result"
    AUTH_DIRECT = "auth_direct"        # one round: the request and the signing package at once (preprocessed)
    CHANGE_REQUEST = "change_request"
    CHANGE_ACCEPT = "change_accept"
    CHANGE_REFUSE = "change_refuse"
    CHANGE_SIGN = "change_sign"
    CHANGE_SHARE = "change_share"
    CHANGE_RESULT = "change_result"
    # threshold ECDSA, DKLs23 (pqzk.runtime.ecdsa_parties): key ceremonies (as the VSS
    # ceremonies above, plus the pairwise OT setup and chain code), and three-round signing
    ECDSA_DKG_ROUND1 = "ecdsa_dkg_round1"
    ECDSA_DKG_ECHO = "ecdsa_dkg_echo"
    ECDSA_DKG_ROUND2 = "ecdsa_dkg_round2"
    ECDSA_DKG_COMPLAINTS = "ecdsa_dkg_complaints"
    ECDSA_DKG_REVEAL = "ecdsa_dkg_reveal"
    ECDSA_DKG_VERDICT = "ecdsa_dkg_verdict"
    ECDSA_DKG_ABORT = "ecdsa_dkg_abort"
    ECDSA_REFRESH_ROUND1 = "ecdsa_refresh_round1"
    ECDSA_REFRESH_ECHO = "ecdsa_refresh_echo"
    ECDSA_REFRESH_ROUND2 = "ecdsa_refresh_round2"
    ECDSA_REFRESH_COMPLAINTS = "ecdsa_refresh_complaints"
    ECDSA_REFRESH_REVEAL = "ecdsa_refresh_reveal"
    ECDSA_REFRESH_VERDICT = "ecdsa_refresh_verdict"
    ECDSA_REFRESH_ABORT = "ecdsa_refresh_abort"
    ECDSA_RESHARE_ROUND1 = "ecdsa_reshare_round1"
    ECDSA_RESHARE_ECHO = "ecdsa_reshare_echo"
    ECDSA_RESHARE_ROUND2 = "ecdsa_reshare_round2"
    ECDSA_RESHARE_COMPLAINTS = "ecdsa_reshare_complaints"
    ECDSA_RESHARE_REVEAL = "ecdsa_reshare_reveal"
    ECDSA_RESHARE_VERDICT = "ecdsa_reshare_verdict"
    ECDSA_RESHARE_ABORT = "ecdsa_reshare_abort"
    ECDSA_OT_SETUP = "ecdsa_ot_setup"
    ECDSA_SIGN_COMMIT = "ecdsa_sign_commit"
    ECDSA_SIGN_MUL1 = "ecdsa_sign_mul1"
    ECDSA_SIGN_MUL2 = "ecdsa_sign_mul2"
    ECDSA_SIGN_SHARE = "ecdsa_sign_share"
    ECDSA_SIGN_ABORT = "ecdsa_sign_abort"


@dataclass(frozen=True)
class Message:
    """One message: `payload` is bytes in the protocol's strict encoding (so that faults can
    corrupt it and receivers must decode it); `session` separates concurrent runs.

    A broadcast is sent as one copy per recipient, every copy carrying the same signature (the
    signed encoding names no recipient, so copies can be compared and forwarded as evidence).
    `signature` is empty until the sender's `Keyring` signs the message.
    """
    sender: PartyId
    recipient: PartyId | None
    kind: Kind | str
    payload: bytes = b""
    session: bytes = b""
    broadcast: bool = False
    signature: bytes = b""

    def __repr__(self) -> str:
        to = "*" if self.broadcast else self.recipient
        return f"Message({self.sender}->{to} {self.kind}, {len(self.payload)} bytes)"


class Party(Protocol):
    """A protocol participant: messages in, messages out; no I/O, no clock."""
    id: PartyId

    def receive(self, msg: Message) -> list[Message]:
        """Take one message addressed to this party; return the messages it sends in answer."""
