"""The bodies of the authorization and policy-change messages, and their one codec.

Each message kind (`runtime.messages.Kind`) has a frozen dataclass here. `to_payload()` gives the
canonical JSON the sender signs (sorted keys, no spaces, lowercase hex for bytes);
`Body.from_payload(payload, suite)` decodes strictly — JSON with exactly the kind's fields, each
of its type, and nothing but the one encoding of the body (it must re-encode to the same bytes) —
and raises `InvalidEncoding` naming the kind and the field. Bodies carrying FROST values
(commitments, shares, a sign request) decode them with the receiver's ciphersuite.

    auth_request    {request, key}                                          AuthRequest
    auth_accept     {commitment, quorum, pq}                                AuthAccept
    auth_refuse     {rule, detail}                                          AuthRefuse
    auth_sign       {signers, sign_request}                                 AuthSign
    auth_direct     {request, signers, sign_request, key}                   AuthDirect
    auth_cancel     {}                                                      AuthCancel
    auth_share      {share, pq_signature}                                   AuthShare
    tmldsa_*        runtime.tmldsa_parties' own binary payloads             (threshold ML-DSA mode)
    auth_result     {authorization}                                         AuthResult
    change_request  {policy, key}                                           ChangeRequest
    change_accept   {commitment}                                            ChangeAccept
    change_refuse   {rule, detail}                                          ChangeRefuse
    change_sign     {signers, effective_at, sign_request}                   ChangeSign
    change_share    {share}                                                 ChangeShare
    change_result   {policy, signers, effective_at, approved_at, signature} ChangeResult

`sign_request` is `runtime.frost_parties`' encoding (u32 length ‖ message ‖ commitment list).
`key` is the version of the key the coordinator expects the signers to hold
(`PublicKeyPackage.key_version`, 32 bytes): a signer holding another version — one refresh
ahead or behind — refuses (rule `key_version`) instead of signing with a share the coordinator
would find invalid and blame it for.

In the threshold ML-DSA mode of post-quantum evidence, the coordinator and T of the signers run
`runtime.tmldsa_parties` after the FROST shares are in, in a session of its own derived from the
authorization's (`threshold_session`); `THRESHOLD_KINDS` are its message kinds, which the policy
parties hand to their threshold ML-DSA party unread (it checks sender, session and signature).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar, TypeVar

from ..encoding import as_bytes
from ..errors import InvalidEncoding, InvalidParameter, PolicyViolation
from ..runtime.frost_parties import decode_sign_request, encode_sign_request
from ..runtime.messages import Kind
from ..threshold.frost.ciphersuite import Ciphersuite
from ..threshold.frost.types import SignatureShare, SigningCommitments
from .authorization import Authorization
from .documents import hex_field, parse_document
from .model import Policy, Quorum, canonical_json
from .request import AuthorizationRequest

T = TypeVar("T")
B = TypeVar("B", bound="Body")
MAX_TEXT = 1000          # a refusal's rule and detail, in characters
MAX_U64 = 2**64 - 1      # times (the change digest encodes effective_at as a u64)
KEY_VERSION_SIZE = 32    # PublicKeyPackage.key_version()
THRESHOLD_KINDS = frozenset(k for k in Kind if k.value.startswith("tmldsa_"))
THRESHOLD_SESSION_SUFFIX = b"/threshold-mldsa"


def threshold_session(session: bytes) -> bytes:
    """The threshold ML-DSA session of an authorization session: its signatures bind it, so a
    threshold message cannot be replayed into another authorization."""
    return session + THRESHOLD_SESSION_SUFFIX


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class PayloadReader:
    """One payload being decoded: a JSON object with exactly `names` as fields; each method reads
    one field and names it in its error."""

    def __init__(self, payload: bytes, kind: Kind, names: Sequence[str]) -> None:
        self.where = f"{kind} payload"
        self.doc = parse_document(payload, self.where)
        if set(self.doc) != set(names):
            raise InvalidEncoding(f"{self.where}: expected exactly the fields {sorted(names)}, "
                                  f"got {sorted(str(k)[:40] for k in self.doc)[:20]}")

    def error(self, key: str, what: str) -> InvalidEncoding:
        """An `InvalidEncoding` naming the payload and the field."""
        return InvalidEncoding(f"{self.where}: field {key!r} {what}")

    def hex(self, key: str) -> bytes:
        """A hex field's bytes."""
        return hex_field(self.doc, key, self.where)

    def hex_decoded(self, key: str, decode: Callable[[bytes], T]) -> T:
        """A hex field decoded by `decode` (a `from_bytes`), its errors naming the field."""
        data = self.hex(key)
        try:
            return decode(data)
        except (InvalidEncoding, InvalidParameter) as exc:
            raise self.error(key, f"does not decode ({exc})") from None

    def checked(self, key: str, ok: Callable[[Any], bool], what: str) -> Any:
        """The field `key` when `ok` accepts it, else an `InvalidEncoding` saying it `what`: the one
        check the typed readers below share."""
        v = self.doc[key]
        if not ok(v):
            raise self.error(key, what)
        return v

    def int(self, key: str, maximum: int = MAX_U64) -> int:
        """An integer field in [0, maximum] (booleans rejected)."""
        return self.checked(key, lambda v: _is_int(v) and 0 <= v <= maximum,
                            f"must be an integer from 0 to {maximum}")

    def bool(self, key: str) -> bool:
        """A boolean field."""
        return self.checked(key, lambda v: isinstance(v, bool), "must be true or false")

    def text(self, key: str) -> str:
        """A string field of bounded length."""
        return self.checked(key, lambda v: isinstance(v, str) and len(v) <= MAX_TEXT,
                            f"must be a string of at most {MAX_TEXT} characters")

    def object(self, key: str) -> dict:
        """A JSON object field."""
        return self.checked(key, lambda v: isinstance(v, dict), "must be an object")

    def key_version(self, key: str) -> bytes:
        """A key-version field (hex, of the key-version size)."""
        v = self.hex(key)
        if len(v) != KEY_VERSION_SIZE:
            raise self.error(key, f"must be a key version ({KEY_VERSION_SIZE} bytes)")
        return v

    def ids(self, key: str) -> tuple[int, ...]:
        """A non-empty, strictly increasing list of signer ids."""
        return tuple(self.checked(
            key, lambda v: isinstance(v, list) and bool(v) and all(_is_int(i) and i > 0 for i in v)
            and v == sorted(set(v)), "must be a non-empty, strictly increasing list of signer identifiers"))

    def quorum(self, key: str) -> Quorum:
        """A quorum field (`min_signers` and optional `roles`, each at least 1)."""
        d = self.object(key)
        roles = d.get("roles", {})
        if set(d) - {"min_signers", "roles"} or not _is_int(d.get("min_signers")) or d["min_signers"] < 1 \
                or not isinstance(roles, dict) or not all(_is_int(n) and n >= 1 for n in roles.values()):
            raise self.error(key, "must be {min_signers: integer >= 1, roles: {role: integer >= 1}}")
        return Quorum.from_dict(d)

    def commitment(self, key: str, suite: Ciphersuite) -> SigningCommitments:
        """A FROST signing commitment field, decoded for `suite`."""
        return self.hex_decoded(key, lambda b: SigningCommitments.from_bytes(suite, b))

    def share(self, key: str, suite: Ciphersuite) -> SignatureShare:
        """A FROST signature share field, decoded for `suite`."""
        return self.hex_decoded(key, lambda b: SignatureShare.from_bytes(suite, b))

    def sign_request(self, key: str, suite: Ciphersuite) -> tuple[bytes, tuple[SigningCommitments, ...]]:
        """A signing request field: the message and the signers' commitments."""
        message, cl = self.hex_decoded(key, lambda b: decode_sign_request(suite, b))
        return message, tuple(cl)


class Body:
    """Base of the message bodies: each has its `KIND`, `to_dict()` (the JSON object it is sent
    as) and `_read(reader, suite)`, the inverse."""
    KIND: ClassVar[Kind]
    NAMES: ClassVar[Sequence[str] | None] = None    # the JSON fields, where they differ from the dataclass's
    NEEDS_SUITE: ClassVar[bool] = False             # decodes FROST values: needs the receiver's ciphersuite

    def to_dict(self) -> dict:
        """The body as the JSON object it is sent as."""
        raise NotImplementedError

    def to_payload(self) -> bytes:
        """The body's canonical JSON: a message payload."""
        return canonical_json(self.to_dict())

    @classmethod
    def _read(cls, r: PayloadReader, suite: Ciphersuite | None):
        raise NotImplementedError

    @classmethod
    def from_payload(cls: type[B], payload: bytes, suite: Ciphersuite | None = None) -> B:
        """The body in `payload`; InvalidEncoding naming the kind and the field otherwise. The
        body must re-encode to exactly `payload`: one encoding per body."""
        if cls.NEEDS_SUITE and suite is None:
            raise InvalidParameter(f"{cls.KIND} payloads decode with the receiver's FROST ciphersuite")
        payload = as_bytes(payload, f"{cls.KIND} payload")
        names = cls.NAMES if cls.NAMES is not None else [f.name for f in fields(cls)]
        r = PayloadReader(payload, cls.KIND, names)
        body = cls._read(r, suite)
        if body.to_payload() != payload:
            raise InvalidEncoding(f"{r.where}: not in canonical form (sorted keys, no spaces, lowercase hex)")
        return body


def _sign_request_hex(message: bytes, commitments: Sequence[SigningCommitments]) -> str:
    if not commitments:
        raise InvalidParameter("a sign request names at least one commitment")
    return encode_sign_request(commitments[0].suite, message, commitments).hex()


# ---- the authorization flow ----

def _read_request(r: PayloadReader) -> AuthorizationRequest:
    try:
        return AuthorizationRequest.from_dict(r.object("request"))
    except InvalidParameter as exc:
        raise r.error("request", f"is not a request ({exc})") from None


@dataclass(frozen=True)
class AuthRequest(Body):
    """Check this request; `key`: the version of the key the coordinator signs with."""
    KIND = Kind.AUTH_REQUEST
    request: AuthorizationRequest
    key: bytes

    def to_dict(self) -> dict:
        return {"request": self.request.to_dict(), "key": self.key.hex()}

    @classmethod
    def _read(cls, r, suite):
        return cls(_read_request(r), r.key_version("key"))


@dataclass(frozen=True)
class AuthAccept(Body):
    """The signer allows the request: its FROST commitment, and the quorum and post-quantum
    requirement it found (for the record; the coordinator decides from its own evaluation; which
    kind of evidence — quorum certificate or threshold ML-DSA — is the custody's configuration)."""
    KIND, NEEDS_SUITE = Kind.AUTH_ACCEPT, True
    commitment: SigningCommitments
    quorum: Quorum
    pq: bool

    def to_dict(self) -> dict:
        return {"commitment": self.commitment.to_bytes().hex(), "quorum": self.quorum.to_dict(), "pq": self.pq}

    @classmethod
    def _read(cls, r, suite):
        return cls(r.commitment("commitment", suite), r.quorum("quorum"), r.bool("pq"))


@dataclass(frozen=True)
class Refusal(Body):
    """A signer refuses: the policy rule and why. `AuthRefuse` and `ChangeRefuse` are its kinds."""
    rule: str
    detail: str

    @classmethod
    def of(cls, violation: PolicyViolation) -> "Refusal":
        """The refusal for a policy violation (rule and detail, bounded in length)."""
        return cls(violation.rule[:MAX_TEXT], violation.detail[:MAX_TEXT])

    def to_dict(self) -> dict:
        return {"rule": self.rule, "detail": self.detail}

    @classmethod
    def _read(cls, r, suite):
        return cls(r.text("rule"), r.text("detail"))


class AuthRefuse(Refusal):
    """A signer refuses an authorization request: the rule and why."""
    KIND = Kind.AUTH_REFUSE


@dataclass(frozen=True)
class AuthSign(Body):
    """Sign `message` (the authorization digest, or, when post-quantum evidence is required, its
    quorum-certificate or threshold ML-DSA representative) over these `commitments`; `signers` is
    the chosen set."""
    KIND, NEEDS_SUITE, NAMES = Kind.AUTH_SIGN, True, ("signers", "sign_request")
    signers: tuple[int, ...]
    message: bytes
    commitments: tuple[SigningCommitments, ...]

    def to_dict(self) -> dict:
        return {"signers": list(self.signers), "sign_request": _sign_request_hex(self.message, self.commitments)}

    @classmethod
    def _read(cls, r, suite):
        return cls(r.ids("signers"), *r.sign_request("sign_request", suite))


@dataclass(frozen=True)
class AuthDirect(Body):
    """One-round authorization: the request and the signing package together, over commitments
    the signers published ahead of time (preprocessing). Each signer checks the request against
    its policy and that the commitment named for it is one of its unused preprocessed ones."""
    KIND, NEEDS_SUITE, NAMES = Kind.AUTH_DIRECT, True, ("request", "signers", "sign_request", "key")
    request: AuthorizationRequest
    signers: tuple[int, ...]
    message: bytes
    commitments: tuple[SigningCommitments, ...]
    key: bytes

    def to_dict(self) -> dict:
        return {"request": self.request.to_dict(), "signers": list(self.signers),
                "sign_request": _sign_request_hex(self.message, self.commitments), "key": self.key.hex()}

    @classmethod
    def _read(cls, r, suite):
        request = _read_request(r)
        return cls(request, r.ids("signers"), *r.sign_request("sign_request", suite), r.key_version("key"))


@dataclass(frozen=True)
class AuthCancel(Body):
    """Not chosen, or the session is over: discard the commitment."""
    KIND = Kind.AUTH_CANCEL

    def to_dict(self) -> dict:
        return {}

    @classmethod
    def _read(cls, r, suite):
        return cls()


@dataclass(frozen=True)
class AuthShare(Body):
    """The FROST signature share, and the signer's ML-DSA signature when post-quantum evidence is
    a quorum certificate (empty otherwise: none required, or made by the threshold ML-DSA session)."""
    KIND, NEEDS_SUITE = Kind.AUTH_SHARE, True
    share: SignatureShare
    pq_signature: bytes = b""

    def to_dict(self) -> dict:
        return {"share": self.share.to_bytes().hex(), "pq_signature": self.pq_signature.hex()}

    @classmethod
    def _read(cls, r, suite):
        return cls(r.share("share", suite), r.hex("pq_signature"))


@dataclass(frozen=True)
class AuthResult(Body):
    """The Authorization and its request, announced to every candidate: each verifies it and
    counts it — also a candidate that never saw the request (one-round signing asks only the
    preprocessed signers), so every signer's history, and its window limits, agree."""
    KIND = Kind.AUTH_RESULT
    authorization: Authorization
    request: AuthorizationRequest

    def to_dict(self) -> dict:
        return {"authorization": self.authorization.to_bytes().hex(), "request": self.request.to_dict()}

    @classmethod
    def _read(cls, r, suite):
        auth = r.hex_decoded("authorization", Authorization.from_bytes)
        return cls(auth, _read_request(r))


# ---- policy changes ----

@dataclass(frozen=True)
class ChangeRequest(Body):
    """The proposed policy as its document: whether it is a valid policy is the signer's
    decision (a refusal), not a decoding error. `key`: the version of the key that approves it."""
    KIND = Kind.CHANGE_REQUEST
    policy: dict
    key: bytes

    def to_dict(self) -> dict:
        return {"policy": self.policy, "key": self.key.hex()}

    @classmethod
    def _read(cls, r, suite):
        return cls(r.object("policy"), r.key_version("key"))


# deliberate look-alike of ChangeShare below (duplicates): each body sends one FROST value of its own type (a
# commitment, a share), no shared logic
@dataclass(frozen=True)
class ChangeAccept(Body):
    KIND, NEEDS_SUITE = Kind.CHANGE_ACCEPT, True
    commitment: SigningCommitments

    def to_dict(self) -> dict:
        return {"commitment": self.commitment.to_bytes().hex()}

    @classmethod
    def _read(cls, r, suite):
        return cls(r.commitment("commitment", suite))


class ChangeRefuse(Refusal):
    """A signer refuses a policy change: the rule and why."""
    KIND = Kind.CHANGE_REFUSE


@dataclass(frozen=True)
class ChangeSign(Body):
    """Sign the change digest (`message`) of a change taking effect at `effective_at`."""
    KIND, NEEDS_SUITE, NAMES = Kind.CHANGE_SIGN, True, ("signers", "effective_at", "sign_request")
    signers: tuple[int, ...]
    effective_at: int
    message: bytes
    commitments: tuple[SigningCommitments, ...]

    def to_dict(self) -> dict:
        return {"signers": list(self.signers), "effective_at": self.effective_at,
                "sign_request": _sign_request_hex(self.message, self.commitments)}

    @classmethod
    def _read(cls, r, suite):
        return cls(r.ids("signers"), r.int("effective_at"), *r.sign_request("sign_request", suite))


# deliberate look-alike of ChangeAccept above (duplicates): each body sends one FROST value of its own type (a
# commitment, a share), no shared logic
@dataclass(frozen=True)
class ChangeShare(Body):
    KIND, NEEDS_SUITE = Kind.CHANGE_SHARE, True
    share: SignatureShare

    def to_dict(self) -> dict:
        return {"share": self.share.to_bytes().hex()}

    @classmethod
    def _read(cls, r, suite):
        return cls(r.share("share", suite))


@dataclass(frozen=True)
class ChangeResult(Body):
    """An approved change, announced to every signer: the new policy, who approved it, when it
    takes effect, and the group's signature over the change digest."""
    KIND = Kind.CHANGE_RESULT
    policy: Policy
    signers: tuple[int, ...]
    effective_at: int
    approved_at: int
    signature: bytes

    def to_dict(self) -> dict:
        return {"policy": self.policy.to_dict(), "signers": list(self.signers), "effective_at": self.effective_at,
                "approved_at": self.approved_at, "signature": self.signature.hex()}

    @classmethod
    def _read(cls, r, suite):
        try:
            policy = Policy.from_dict(r.object("policy"))
        except InvalidEncoding as exc:
            raise r.error("policy", f"is not a valid policy ({exc})") from None
        return cls(policy, r.ids("signers"), r.int("effective_at"), r.int("approved_at"), r.hex("signature"))


BODIES: dict[Kind, type[Body]] = {b.KIND: b for b in (
    AuthRequest, AuthAccept, AuthRefuse, AuthSign, AuthDirect, AuthCancel, AuthShare, AuthResult,
    ChangeRequest, ChangeAccept, ChangeRefuse, ChangeSign, ChangeShare, ChangeResult)}

__all__ = ["KEY_VERSION_SIZE", "AuthAccept", "AuthCancel", "AuthDirect", "AuthRefuse", "AuthRequest", "AuthResult", "AuthShare", "AuthSign", "BODIES",
           "Body", "ChangeAccept", "ChangeRefuse", "ChangeRequest", "ChangeResult", "ChangeShare", "ChangeSign",
           "PayloadReader", "Refusal", "THRESHOLD_KINDS", "THRESHOLD_SESSION_SUFFIX", "threshold_session"]
