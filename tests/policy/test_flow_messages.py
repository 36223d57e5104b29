"""The authorization and policy-change message bodies: one per kind, one encoding each, strict decoding."""
import json

import pytest
from flow_fixtures import DOC, POLICY, group, req
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, PolicyViolation
from pqzk.math.rand import DeterministicRNG
from pqzk.policy import Quorum
from pqzk.policy.authorization import Authorization
from pqzk.policy.messages import (BODIES, AuthAccept, AuthCancel, AuthDirect, AuthRefuse, AuthRequest, AuthResult, AuthShare,
                                  AuthSign, ChangeAccept, ChangeRefuse, ChangeRequest, ChangeResult, ChangeShare,
                                  ChangeSign, PayloadReader, Refusal)
from pqzk.policy.request import AuthorizationRequest, PrivateTerms
from pqzk.runtime.messages import Kind
from pqzk.threshold.frost import core
from pqzk.threshold.frost.types import SignatureShare


def suite():
    return group()[1].suite


def commitments(ids=(1, 2, 3)):
    kps = group()[0]
    rng = DeterministicRNG(b"messages test")
    return tuple(core.commit(suite(), i, kps[i].signing_share, rng)[1] for i in ids)


def bodies():
    """A valid body of every kind."""
    s = suite()
    cl = commitments()
    share = SignatureShare(s, 2, 123456789)
    auth = Authorization(s.name, bytes(32), bytes(32), 1, bytes(32), (1, 2, 3), bytes(64), ((1, b"pq1"), (2, b"pq2")))
    private = AuthorizationRequest(b"\x01" * 16, b"\x02" * 32, 10_000, 1,
                                   private=PrivateTerms(5_000, b"\xcc" * 9, b"\xab" * 7))
    key = bytes(range(32))
    return [
        AuthRequest(req(amount=700, dest="bob"), key), AuthRequest(private, key),
        AuthAccept(cl[0], Quorum(4, (("security", 1),)), True), AuthAccept(cl[1], Quorum(3), False),
        AuthRefuse("blacklist", "destination is blacklisted"), AuthSign((1, 2, 3), b"\x00" * 32, cl),
        AuthDirect(req(amount=50), (1, 2, 3), b"\x01" * 32, cl, key),
        AuthCancel(), AuthShare(share, b""), AuthShare(share, b"ml-dsa signature"), AuthResult(auth, req(amount=700, dest="bob")),
        ChangeRequest(POLICY.to_dict(), key), ChangeAccept(cl[2]), ChangeRefuse("policy_version", "must be version 2"),
        ChangeSign((1, 2, 3), 96_400, b"\x07" * 32, cl), ChangeShare(share),
        ChangeResult(POLICY, (1, 3, 4), 96_400, 10_000, b"\x05" * 64),
    ]


def decode(body_or_cls, payload):
    cls = body_or_cls if isinstance(body_or_cls, type) else type(body_or_cls)
    return cls.from_payload(payload, suite())


def test_every_policy_kind_has_one_body():
    kinds = {k for k in Kind if k.value.startswith(("auth_", "change_"))}
    assert set(BODIES) == kinds
    assert {type(b).KIND for b in bodies()} == kinds
    assert all(BODIES[k].KIND == k for k in kinds)


@pytest.mark.parametrize("body", bodies(), ids=lambda b: type(b).__name__)
def test_round_trip_is_canonical_json(body):
    payload = body.to_payload()
    assert decode(body, payload) == body
    doc = json.loads(payload)
    assert json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() == payload
    # bytes-like payloads decode the same
    assert decode(body, bytearray(payload)) == body and decode(body, memoryview(payload)) == body


def test_frost_bodies_need_the_receivers_suite():
    body = AuthShare(SignatureShare(suite(), 2, 5))
    with pytest.raises(InvalidParameter, match="ciphersuite"):
        AuthShare.from_payload(body.to_payload())
    # bodies without FROST values decode without one
    assert AuthCancel.from_payload(b"{}") == AuthCancel()
    with pytest.raises(InvalidParameter, match="must be bytes"):
        AuthCancel.from_payload("{}")


def _mutate(body, **fields):
    d = body.to_dict()
    for k, v in fields.items():
        if v is _DROP:
            del d[k]
        else:
            d[k] = v
    return json.dumps(d, sort_keys=True, separators=(",", ":")).encode()


_DROP = object()
B = {type(b).__name__ + (str(i) if isinstance(b, AuthRequest) else ""): b for i, b in enumerate(bodies())}


@pytest.mark.parametrize("name,fields,why", [
    ("AuthRequest0", {"request": _DROP}, "exactly the fields"),
    ("AuthRequest0", {"extra": 1}, "exactly the fields"),
    ("AuthRequest0", {"request": "x"}, "'request' must be an object"),
    ("AuthRequest0", {"request": {"request_id": "00"}}, "'request' is not a request"),
    ("AuthRequest0", {"key": "00" * 31}, "'key' must be a key version (32 bytes)"),
    ("AuthRequest0", {"key": _DROP}, "exactly the fields"),
    ("AuthDirect", {"key": "zz" * 32}, "'key' is not valid hex"),
    ("ChangeRequest", {"key": 5}, "'key' missing or not a hex string"),
    ("AuthAccept", {"commitment": "zz"}, "'commitment' is not valid hex"),
    ("AuthAccept", {"commitment": 5}, "'commitment' missing or not a hex string"),
    ("AuthAccept", {"commitment": "00" * 10}, "'commitment' does not decode"),
    ("AuthAccept", {"quorum": {"min_signers": 0}}, "'quorum' must be"),
    ("AuthAccept", {"quorum": {"min_signers": 3, "other": 1}}, "'quorum' must be"),
    ("AuthAccept", {"quorum": {"min_signers": 3, "roles": {"a": True}}}, "'quorum' must be"),
    ("AuthAccept", {"pq": 1}, "'pq' must be true or false"),
    ("AuthRefuse", {"rule": 7}, "'rule' must be a string"),
    ("AuthRefuse", {"detail": "x" * 1001}, "'detail' must be a string of at most 1000"),
    ("AuthSign", {"signers": [2, 1, 3]}, "strictly increasing"),
    ("AuthSign", {"signers": [1, 1, 3]}, "strictly increasing"),
    ("AuthSign", {"signers": []}, "non-empty"),
    ("AuthSign", {"signers": [0, 1]}, "signer identifiers"),
    ("AuthSign", {"signers": [True, 2]}, "signer identifiers"),
    ("AuthSign", {"signers": "1,2,3"}, "signer identifiers"),
    ("AuthSign", {"sign_request": "00"}, "'sign_request' does not decode"),
    ("AuthSign", {"sign_request": _DROP}, "exactly the fields"),
    ("AuthShare", {"share": "00" * 3}, "'share' does not decode"),
    ("AuthShare", {"pq_signature": "0"}, "'pq_signature' is not valid hex"),
    ("AuthCancel", {"x": 1}, "exactly the fields"),
    ("AuthResult", {"authorization": "00"}, "'authorization' does not decode"),
    ("ChangeRequest", {"policy": [1]}, "'policy' must be an object"),
    ("ChangeAccept", {"commitment": ""}, "'commitment' does not decode"),
    ("ChangeSign", {"effective_at": -1}, "'effective_at' must be an integer from 0"),
    ("ChangeSign", {"effective_at": 2**64}, "'effective_at' must be an integer from 0"),
    ("ChangeSign", {"effective_at": 1.5}, "'effective_at' must be an integer"),
    ("ChangeSign", {"effective_at": "96400"}, "'effective_at' must be an integer"),
    ("ChangeShare", {"share": None}, "'share' missing or not a hex string"),
    ("ChangeResult", {"policy": {**DOC, "version": 0}}, "'policy' is not a valid policy"),
    ("ChangeResult", {"approved_at": False}, "'approved_at' must be an integer"),
    ("ChangeResult", {"signature": "AB"}, "not in canonical form"),
])
def test_decoding_names_the_kind_and_the_field(name, fields, why):
    body = B[name]
    with pytest.raises(InvalidEncoding, match=f"^{type(body).KIND} payload") as exc:
        decode(body, _mutate(body, **fields))
    assert why in str(exc.value)


def test_checked_returns_the_accepted_field_and_names_a_refused_one():
    r = PayloadReader(b'{"a":3,"b":"x"}', Kind.AUTH_CANCEL, ["a", "b"])
    assert r.checked("a", lambda v: v == 3, "must be three") == 3
    with pytest.raises(InvalidEncoding, match=r"^auth_cancel payload: field 'b' must be three$"):
        r.checked("b", lambda v: v == 3, "must be three")


@pytest.mark.parametrize("payload,why", [
    (b"", "not valid JSON"), (b"[]", "expected a JSON object"), (b"\xff{}", "not UTF-8"),
    (b'{"rule":"a","rule":"b","detail":""}', "duplicate key"),
    (b'{"detail":"", "rule":"a"}', "canonical form"),                      # a space
    (b'{"rule":"a","detail":""}', "canonical form"),                       # keys out of order
    (b'\xef\xbb\xbf{"detail":"","rule":"a"}', "canonical form"),           # a byte order mark
    (b'{"detail":"\\u0061","rule":"a"}', "canonical form"),                # an escape where none is needed
    (b'{"detail":"","rule":"a"}\n', "canonical form"),
])
def test_one_encoding_per_body(payload, why):
    with pytest.raises(InvalidEncoding, match=why):
        AuthRefuse.from_payload(payload)
    assert AuthRefuse.from_payload(b'{"detail":"","rule":"a"}') == AuthRefuse("a", "")


def test_uppercase_hex_and_nested_variants_are_refused():
    body = B["AuthRequest1"]                        # a private request: hex nested in the request
    d = body.to_dict()
    d["request"]["private"]["proof"] = d["request"]["private"]["proof"].upper()
    with pytest.raises(InvalidEncoding, match="canonical form"):
        AuthRequest.from_payload(json.dumps(d, sort_keys=True, separators=(",", ":")).encode())
    quorum = B["AuthAccept"].to_dict()
    quorum["quorum"]["roles"] = {}                  # an empty role table is written by omitting it
    with pytest.raises(InvalidEncoding, match="canonical form"):
        AuthAccept.from_payload(json.dumps(quorum, sort_keys=True, separators=(",", ":")).encode(), suite())


def test_refusals_carry_the_rule_and_a_bounded_detail():
    v = PolicyViolation("window_limit[3600s]", "x" * 5000)
    r = AuthRefuse.of(v)
    assert isinstance(r, AuthRefuse) and r.rule == v.rule and len(r.detail) == 1000
    assert AuthRefuse.from_payload(r.to_payload()) == r
    assert isinstance(ChangeRefuse.of(v), ChangeRefuse)
    # one kind's refusal is not the other's
    assert AuthRefuse("a", "b") != ChangeRefuse("a", "b") and issubclass(ChangeRefuse, Refusal)


def test_a_sign_request_names_its_commitments():
    with pytest.raises(InvalidParameter, match="at least one commitment"):
        AuthSign((1,), b"m", ()).to_payload()


VALID = [(b, b.to_payload()) for b in bodies()]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(range(len(VALID))), st.integers(0, 10**6), st.integers(1, 255), st.integers(-2, 2))
def test_mutated_payloads_decode_to_their_own_encoding_or_are_refused(k, pos, flip, cut):
    """Whatever a mutated payload decodes to re-encodes to exactly those bytes (so one body has
    one signed encoding); everything else is an InvalidEncoding."""
    body, payload = VALID[k]
    data = bytearray(payload)
    data[pos % len(data)] ^= flip
    data = bytes(data[:len(data) + cut]) if cut < 0 else bytes(data) + b" " * cut
    try:
        got = decode(body, data)
    except InvalidEncoding:
        return
    assert got.to_payload() == data
