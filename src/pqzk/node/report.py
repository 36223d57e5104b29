"""How a ceremony ended for one node, as it tells the coordinator that invited it (`SESSION_REPORT`,
signed by the node like every message; strictly decoded JSON):

    {"protocol": "dkg" | "refresh" | "reshare" | "repair",
     "outcome": "finished" | "aborted" | "refused",
     "public_key_package": HEX or null,     the key the node now holds (public)
     "holds_share": bool,
     "reason": str,                         why it aborted or refused ("" when finished)
     "culprits": [ID, ...], "unresponsive": [ID, ...]}

A coordinator holds no share and runs no part of a ceremony: the reports are how it learns the
group key and who, by the nodes' own judgement, stopped a ceremony.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..encoding import as_bytes, from_hex
from ..errors import InvalidEncoding, InvalidParameter
from ..policy.documents import exact_fields, parse_document
from ..policy.model import canonical_json
from ..runtime import wire
from ..runtime.messages import PartyId

PROTOCOLS = ("dkg", "refresh", "reshare", "repair")
OUTCOMES = ("finished", "aborted", "refused")
MAX_REASON = 500
MAX_IDS = 1000
MAX_PKP = 1 << 20


@dataclass(frozen=True)
class Report:
    protocol: str
    outcome: str
    public_key_package: bytes | None = None
    holds_share: bool = False
    reason: str = ""
    culprits: tuple[PartyId, ...] = ()
    unresponsive: tuple[PartyId, ...] = ()

    def to_payload(self) -> bytes:
        """The report as canonical JSON (reason truncated), the payload of a `SESSION_REPORT` message."""
        return canonical_json({"protocol": self.protocol, "outcome": self.outcome,
                               "public_key_package": None if self.public_key_package is None
                               else self.public_key_package.hex(),
                               "holds_share": self.holds_share, "reason": self.reason[:MAX_REASON],
                               "culprits": list(self.culprits), "unresponsive": list(self.unresponsive)})

    @classmethod
    def from_payload(cls, payload: bytes) -> "Report":
        """A report from a message payload, strictly validated (size, fields, types); `InvalidEncoding`
        otherwise."""
        payload = as_bytes(payload, "session report")
        if len(payload) > 2 * MAX_PKP + 65536:
            raise InvalidEncoding("session report: too large")
        d = exact_fields(parse_document(payload, "session report"), {
            "protocol", "outcome", "public_key_package", "holds_share", "reason", "culprits", "unresponsive"},
            "session report")
        if d["protocol"] not in PROTOCOLS or d["outcome"] not in OUTCOMES:
            raise InvalidEncoding("session report: unknown protocol or outcome")
        if not isinstance(d["holds_share"], bool) or not isinstance(d["reason"], str) \
                or len(d["reason"]) > MAX_REASON:
            raise InvalidEncoding("session report: holds_share is a boolean, reason a short string")
        pkp = d["public_key_package"]
        if pkp is not None:
            if not isinstance(pkp, str) or len(pkp) > 2 * MAX_PKP:
                raise InvalidEncoding("session report: public_key_package is hex or null")
            pkp = from_hex(pkp, "session report: public_key_package")

        def ids(v, what):
            if not isinstance(v, list) or len(v) > MAX_IDS:
                raise InvalidEncoding(f"session report: {what} is a list of party ids")
            for p in v:
                if isinstance(p, bool) or not isinstance(p, (int, str)):
                    raise InvalidEncoding(f"session report: {what} is a list of party ids")
                try:
                    wire.encode_party(p)
                except InvalidParameter:
                    raise InvalidEncoding(f"session report: {what} holds something that is not a party id") from None
            return tuple(v)

        return cls(d["protocol"], d["outcome"], pkp, d["holds_share"], d["reason"],
                   ids(d["culprits"], "culprits"), ids(d["unresponsive"], "unresponsive"))


__all__ = ["OUTCOMES", "PROTOCOLS", "Report"]
