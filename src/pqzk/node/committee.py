"""The committee file: who the nodes are, their public keys, the key they share, the policy —
signed by every node it lists.

    {"format": "pqzk-committee/1", "committee": NAME, "version": N,
     "nodes": [{"id", "signing_key", "kem_key"}, ...],          the signers (FROST identifiers)
     "coordinators": [{"id", "signing_key", "kem_key"}, ...],   who may start a session
     "key": {"suite": S, "threshold": T, "public_key_package": HEX or null},
     "policy": {...} or null,
     "signatures": {"<node id>": HEX, ...},
     "endorsements": {"<previous node id>": HEX, ...}}

Each node signs SHA-256 of the canonical JSON of everything but the signatures and endorsements,
with its composite identity key and the context "pqzk/committee/v1". A committee file is valid
only when every listed node has signed it: a broker, a coordinator or a single node cannot add a
member, swap a key or change the policy.

A node remembers the committee file it accepted (`VersionPin`) and refuses an older version (a
stale file replayed), or another file under the same version. A newer version that changes the
members (their ids or keys), the threshold, the ciphersuite or the key must moreover be approved
by at least the previous version's threshold of the previous version's nodes — by their signature
over the new file's digest with their key in the previous version: their own signature as nodes
of the new file when they stay with the same key, or an *endorsement* otherwise
(`Committee.endorse`). Without it the nodes of a new file — say two corrupt ones that a new
version makes a 2-of-2 committee — could vote themselves a reshare of the key.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..atomicfile import atomic_write
from ..encoding import from_hex
from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from ..files import decode_text, read_bytes
from ..policy.documents import exact_fields, parse_document
from ..policy.model import canonical_json
from ..runtime.identity import Directory
from ..threshold.frost.ciphersuite import get_ciphersuite
from ..threshold.frost.types import PublicKeyPackage
from .identity import NodeIdentity, NodePublic

FORMAT = "pqzk-committee/1"
CONTEXT = b"pqzk/committee/v1"
MAX_FILE = 1 << 20
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}\Z")


# deliberate look-alike of zk/sigma.py:SigmaProof, zk/range.py:RangeProof (duplicates): frozen-dataclass field
# declarations, no shared logic
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
    endorsements: Mapping[str, bytes] = field(default_factory=dict)     # previous version's nodes

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
        """Every node and coordinator by id."""
        return {p.node_id: p for p in (*self.nodes, *self.coordinators)}

    def directory(self) -> Directory:
        """The members' signing keys, by id (who may sign messages in this committee)."""
        return Directory({i: p.signing_key for i, p in self.members.items()})

    def kem_public(self) -> dict:
        """The members' X-Wing public keys, by id (for end-to-end sealed channels)."""
        return {i: p.kem_key for i, p in self.members.items()}

    def roster(self):
        """The nodes' ML-DSA-44 evidence keys as the policy flow's roster (quorum certificates)."""
        from ..pq.hybrid import Roster
        from .identity import PQ_EVIDENCE
        return Roster(PQ_EVIDENCE, {n.node_id: n.pq_key for n in self.nodes}, self.threshold)

    def pkp(self) -> PublicKeyPackage | None:
        """The committee's FROST public key package, or None before its DKG."""
        if self.public_key_package is None:
            return None
        return PublicKeyPackage.from_bytes(get_ciphersuite(self.suite), self.public_key_package)

    def body(self) -> dict:
        """The committee file's content without its signatures: what members sign and `digest` hashes."""
        return {"format": FORMAT, "committee": self.name, "version": self.version,
                "nodes": [n.to_dict() for n in self.nodes],
                "coordinators": [c.to_dict() for c in self.coordinators],
                "key": {"suite": self.suite, "threshold": self.threshold,
                        "public_key_package": None if self.public_key_package is None
                        else self.public_key_package.hex()},
                "policy": self.policy}

    def digest(self) -> bytes:
        """SHA-256 over the canonical JSON of `body`, under the committee context: what signatures cover."""
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

    def endorse(self, identity: NodeIdentity) -> "Committee":
        """This file with `identity`'s endorsement added: a node of the previous version approves
        this one (needed when this version changes the members, threshold or key and that node
        does not sign it as a node of its own with the same key). Checked against the previous
        version by `verify_successor`."""
        sigs = dict(self.endorsements)
        sigs[str(identity.node_id)] = identity.signer.sign(self.digest())
        return replace(self, endorsements=sigs)

    def changes_from(self, previous: "Committee") -> list[str]:
        """What this file changes of `previous` that previous's nodes must approve: "nodes" (a
        member added, removed or with other keys), "threshold", "suite", "key"."""
        changed = []
        if {n.node_id: n for n in self.nodes} != {n.node_id: n for n in previous.nodes}:
            changed.append("nodes")
        if self.threshold != previous.threshold:
            changed.append("threshold")
        if self.suite != previous.suite:
            changed.append("suite")
        if self.public_key_package != previous.public_key_package:
            changed.append("key")
        return changed

    def endorsers(self, previous: "Committee") -> list:
        """The nodes of `previous` that approved this very file with their key in `previous`:
        by an endorsement, or by their signature as a node of this file with the same key."""
        digest, mine = self.digest(), self.members
        approved = []
        for n in previous.nodes:
            key = str(n.node_id)
            candidates = [self.endorsements.get(key)]
            if mine.get(n.node_id) is not None and mine[n.node_id].signing_key == n.signing_key:
                candidates.append(self.signatures.get(key))
            for sig in candidates:
                if sig is None:
                    continue
                try:
                    n.signing_key.verify(digest, sig)
                except VerificationError:
                    continue
                approved.append(n.node_id)
                break
        return approved

    def verify_successor(self, previous: "Committee") -> None:
        """VerificationError unless this file may follow `previous` (the file a node accepted):
        signed by every node it lists, of the same committee, not older, not another file under
        the same version, and — when it changes members, threshold, suite or key — approved by
        at least previous's threshold of previous's nodes."""
        self.verify()
        if previous.name != self.name:
            raise VerificationError(f"this node belongs to committee {previous.name!r}, not {self.name!r}")
        if self.version < previous.version:
            raise VerificationError(f"committee file version {self.version} is older than version "
                                    f"{previous.version} this node already accepted (a stale file)")
        if self.version == previous.version:
            if self.digest() != previous.digest():
                raise VerificationError(f"committee file version {self.version} differs from the version "
                                        f"{previous.version} this node accepted: a new content needs a new version")
            return
        changed = self.changes_from(previous)
        if changed:
            approved = self.endorsers(previous)
            if len(approved) < previous.threshold:
                raise VerificationError(
                    f"committee file version {self.version} changes the {', '.join(changed)} of version "
                    f"{previous.version}: it needs the approval of {previous.threshold} of version "
                    f"{previous.version}'s nodes (their signature, or pqzk committee endorse), "
                    f"has {len(approved)}" + (f" ({', '.join(map(str, approved))})" if approved else ""))

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
        """The committee file: its body with signatures and endorsements, as sorted, indented JSON."""
        d = self.body()
        d["signatures"] = {k: v.hex() for k, v in sorted(self.signatures.items())}
        d["endorsements"] = {k: v.hex() for k, v in sorted(self.endorsements.items())}
        return json.dumps(d, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "committee file") -> "Committee":
        """Parse and validate a committee file (exact fields, format, every member); `InvalidEncoding` naming
        what is wrong."""
        d = exact_fields(parse_document(text, where), {
            "format", "committee", "version", "nodes", "coordinators", "key", "policy", "signatures",
            "endorsements"}, where)
        if d["format"] != FORMAT:
            raise InvalidEncoding(f"{where}: format must be {FORMAT!r}")
        key = d["key"]
        if not isinstance(key, dict) or set(key) != {"suite", "threshold", "public_key_package"}:
            raise InvalidEncoding(f"{where}: key needs suite, threshold and public_key_package")
        if not isinstance(d["nodes"], list) or not isinstance(d["coordinators"], list):
            raise InvalidEncoding(f"{where}: nodes and coordinators are lists")
        for what in ("signatures", "endorsements"):
            if not isinstance(d[what], dict) or not all(isinstance(v, str) for v in d[what].values()):
                raise InvalidEncoding(f"{where}: {what} map node ids to hex")
        if d["policy"] is not None and not isinstance(d["policy"], dict):
            raise InvalidEncoding(f"{where}: policy is an object or null")
        pkp = (None if key["public_key_package"] is None
               else from_hex(key["public_key_package"], f"{where}: key.public_key_package"))
        sigs = {k: from_hex(v, f"{where}: signatures[{k!r}]") for k, v in d["signatures"].items()}
        endorsements = {k: from_hex(v, f"{where}: endorsements[{k!r}]") for k, v in d["endorsements"].items()}
        try:
            c = cls(d["committee"], d["version"],
                    tuple(NodePublic.from_dict(n, f"{where}: nodes[{k}]") for k, n in enumerate(d["nodes"])),
                    tuple(NodePublic.from_dict(n, f"{where}: coordinators[{k}]")
                          for k, n in enumerate(d["coordinators"])),
                    key["suite"], key["threshold"], pkp, d["policy"], sigs, endorsements)
        except InvalidParameter as exc:
            raise InvalidEncoding(f"{where}: {exc}") from None
        if c.public_key_package is not None:
            c.pkp()                                  # decodes strictly, or InvalidEncoding
        return c

    @classmethod
    def load(cls, path: str | Path) -> "Committee":
        """Read and parse a committee file (size-bounded, UTF-8)."""
        data = read_bytes(path, "committee file", max_bytes=MAX_FILE)
        return cls.from_json(decode_text(data, f"committee file {path}"), f"committee file {path}")


class VersionPin:
    """The committee file a node (or coordinator) accepted, kept in a file of its own: an older
    version is refused (a stale membership, an old key, a revoked member), and a newer one is
    checked against it (`Committee.verify_successor`: a change of members, threshold or key
    needs the approval of the accepted version's threshold of its nodes)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def committee(self) -> Committee | None:
        """The committee file accepted last, or None."""
        if not self.path.exists():
            return None
        data = read_bytes(self.path, "committee pin", max_bytes=MAX_FILE)
        try:
            return Committee.from_json(decode_text(data, str(self.path)), f"committee pin {self.path}")
        except InvalidEncoding:
            raise InvalidEncoding(f"committee pin {self.path} is damaged") from None

    def accepted(self) -> tuple[str, int] | None:
        """(name, version) of the committee file accepted last, or None."""
        c = self.committee()
        return None if c is None else (c.name, c.version)

    def accept(self, committee: Committee) -> None:
        """Verify `committee` (every node signed it; against the pinned file, if any), then pin it."""
        pinned = self.committee()
        if pinned is None:
            committee.verify()
        else:
            committee.verify_successor(pinned)
            if committee.version == pinned.version:
                return
        atomic_write(self.path, committee.to_json().encode())


__all__ = ["FORMAT", "Committee", "VersionPin"]
