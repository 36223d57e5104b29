"""The committee file: who the nodes are, their public keys, the key they share, the policy —
signed by every node it lists.

    {"format": "pqzk-committee/1", "committee": NAME, "version": N,
     "nodes": [{"id", "signing_key", "kem_key"}, ...],          the signers (FROST identifiers)
     "coordinators": [{"id", "signing_key", "kem_key"}, ...],   who may start a session
     "key": {"suite": S, "threshold": T, "public_key_package": HEX or null},
     "policy": {...} or null,
     "signatures": {"<node id>": HEX, ...}}

Each node signs SHA-256 of the canonical JSON of everything but the signatures, with its
composite identity key and the context "pqzk/committee/v1". A committee file is valid only when
every listed node has signed it: a broker, a coordinator or a single node cannot add a member,
swap a key or change the policy. A node remembers the highest version it accepted
(`VersionPin`) and refuses an older one (a stale file replayed).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..atomicfile import atomic_write
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from ..files import decode_text, read_bytes
from ..policy.documents import parse_document
from ..policy.model import canonical_json
from ..runtime.identity import Directory
from ..threshold.frost.ciphersuite import get_ciphersuite
from ..threshold.frost.types import PublicKeyPackage
from .identity import NodeIdentity, NodePublic

FORMAT = "pqzk-committee/1"
CONTEXT = b"pqzk/committee/v1"
MAX_FILE = 1 << 20
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}\Z")


@dataclass(frozen=True)
class Committee:
    name: str
    version: int
    nodes: tuple[NodePublic, ...]
    coordinators: tuple[NodePublic, ...]
    suite: str
    threshold: int
    public_key_package: bytes | None = None
    policy: dict | None = None
    signatures: Mapping[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise InvalidParameter("committee name: 1 to 63 of [a-z0-9-], starting with a letter or digit")
        if isinstance(self.version, bool) or not isinstance(self.version, int) or not 1 <= self.version < 2**32:
            raise InvalidParameter("committee version is an integer in [1, 2^32)")
        ids = [n.node_id for n in self.nodes] + [c.node_id for c in self.coordinators]
        if len(set(map(str, ids))) != len(ids):
            raise InvalidParameter("node and coordinator ids must be distinct")
        if not self.nodes or any(isinstance(n.node_id, bool) or not isinstance(n.node_id, int) for n in self.nodes):
            raise InvalidParameter("nodes are FROST signers: integer ids, at least one")
        get_ciphersuite(self.suite)
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, int) \
                or not 1 <= self.threshold <= len(self.nodes):
            raise InvalidParameter(f"threshold must be in [1, {len(self.nodes)}]")

    @property
    def committee_id(self) -> bytes:
        """The channel's committee id: the name (what subjects and seals are bound to)."""
        return self.name.encode()

    @property
    def members(self) -> dict:
        return {p.node_id: p for p in (*self.nodes, *self.coordinators)}

    def directory(self) -> Directory:
        return Directory({i: p.signing_key for i, p in self.members.items()})

    def kem_public(self) -> dict:
        return {i: p.kem_key for i, p in self.members.items()}

    def roster(self):
        """The nodes' ML-DSA-44 evidence keys as the policy flow's roster (quorum certificates)."""
        from ..pq.hybrid import Roster
        from .identity import PQ_EVIDENCE
        return Roster(PQ_EVIDENCE, {n.node_id: n.pq_key for n in self.nodes}, self.threshold)

    def pkp(self) -> PublicKeyPackage | None:
        if self.public_key_package is None:
            return None
        return PublicKeyPackage.from_bytes(get_ciphersuite(self.suite), self.public_key_package)

    def body(self) -> dict:
        return {"format": FORMAT, "committee": self.name, "version": self.version,
                "nodes": [n.to_dict() for n in self.nodes],
                "coordinators": [c.to_dict() for c in self.coordinators],
                "key": {"suite": self.suite, "threshold": self.threshold,
                        "public_key_package": None if self.public_key_package is None
                        else self.public_key_package.hex()},
                "policy": self.policy}

    def digest(self) -> bytes:
        return hashlib.sha256(CONTEXT + canonical_json(self.body())).digest()

    def sign(self, identity: NodeIdentity) -> "Committee":
        """This file with `identity`'s signature added (it must be one of the nodes)."""
        if identity.node_id not in [n.node_id for n in self.nodes]:
            raise InvalidParameter(f"node {identity.node_id!r} is not in the committee")
        if identity.public.signing_key != self.members[identity.node_id].signing_key:
            raise InvalidParameter(f"node {identity.node_id!r}'s key is not the one in the committee file")
        sigs = dict(self.signatures)
        sigs[str(identity.node_id)] = identity.signer.sign(self.digest())
        return replace(self, signatures=sigs)

    def verify(self) -> None:
        """VerificationError unless every node signed this very content."""
        digest = self.digest()
        missing = [n.node_id for n in self.nodes if str(n.node_id) not in self.signatures]
        if missing:
            raise VerificationError(f"committee file not signed by nodes {missing}")
        extra = set(self.signatures) - {str(n.node_id) for n in self.nodes}
        if extra:
            raise VerificationError(f"committee file signed by parties that are not nodes: {sorted(extra)}")
        for n in self.nodes:
            try:
                n.signing_key.verify(digest, self.signatures[str(n.node_id)])
            except VerificationError:
                raise VerificationError(f"node {n.node_id}'s signature on the committee file does not verify") from None

    def to_json(self) -> str:
        d = self.body()
        d["signatures"] = {k: v.hex() for k, v in sorted(self.signatures.items())}
        return json.dumps(d, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "committee file") -> "Committee":
        d = parse_document(text, where)
        keys = {"format", "committee", "version", "nodes", "coordinators", "key", "policy", "signatures"}
        if not isinstance(d, dict) or set(d) != keys:
            raise InvalidEncoding(f"{where}: needs exactly the fields {sorted(keys)}")
        if d["format"] != FORMAT:
            raise InvalidEncoding(f"{where}: format must be {FORMAT!r}")
        key = d["key"]
        if not isinstance(key, dict) or set(key) != {"suite", "threshold", "public_key_package"}:
            raise InvalidEncoding(f"{where}: key needs suite, threshold and public_key_package")
        if not isinstance(d["nodes"], list) or not isinstance(d["coordinators"], list):
            raise InvalidEncoding(f"{where}: nodes and coordinators are lists")
        if not isinstance(d["signatures"], dict) or not all(isinstance(v, str) for v in d["signatures"].values()):
            raise InvalidEncoding(f"{where}: signatures map node ids to hex")
        if d["policy"] is not None and not isinstance(d["policy"], dict):
            raise InvalidEncoding(f"{where}: policy is an object or null")
        try:
            pkp = None if key["public_key_package"] is None else bytes.fromhex(key["public_key_package"])
            sigs = {k: bytes.fromhex(v) for k, v in d["signatures"].items()}
        except (TypeError, ValueError):
            raise InvalidEncoding(f"{where}: public_key_package and signatures must be hex") from None
        try:
            c = cls(d["committee"], d["version"],
                    tuple(NodePublic.from_dict(n, f"{where}: nodes[{k}]") for k, n in enumerate(d["nodes"])),
                    tuple(NodePublic.from_dict(n, f"{where}: coordinators[{k}]")
                          for k, n in enumerate(d["coordinators"])),
                    key["suite"], key["threshold"], pkp, d["policy"], sigs)
        except InvalidParameter as exc:
            raise InvalidEncoding(f"{where}: {exc}") from None
        if c.public_key_package is not None:
            c.pkp()                                  # decodes strictly, or InvalidEncoding
        return c

    @classmethod
    def load(cls, path: str | Path) -> "Committee":
        data = read_bytes(path, "committee file", max_bytes=MAX_FILE)
        return cls.from_json(decode_text(data, f"committee file {path}"), f"committee file {path}")


class VersionPin:
    """The highest committee version a node accepted, in a small file of its own: an older
    committee file is refused (a stale membership, an old key, a revoked member)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def accepted(self) -> tuple[str, int] | None:
        if not self.path.exists():
            return None
        text = decode_text(read_bytes(self.path, "committee version pin", max_bytes=4096), str(self.path))
        m = re.fullmatch(r"([a-z0-9][a-z0-9-]{0,62}) ([0-9]{1,10})\n", text)
        if m is None:
            raise InvalidEncoding(f"committee version pin {self.path} is damaged")
        return m.group(1), int(m.group(2))

    def accept(self, committee: Committee) -> None:
        """Verify `committee` (every node signed it), refuse it if older than the pinned version
        of the same committee, then pin it."""
        committee.verify()
        pinned = self.accepted()
        if pinned is not None:
            name, version = pinned
            if name != committee.name:
                raise VerificationError(f"this node belongs to committee {name!r}, not {committee.name!r}")
            if committee.version < version:
                raise VerificationError(f"committee file version {committee.version} is older than version "
                                        f"{version} this node already accepted (a stale file)")
        atomic_write(self.path, f"{committee.name} {committee.version}\n".encode())


__all__ = ["FORMAT", "Committee", "VersionPin"]
