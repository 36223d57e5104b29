"""A node's home: its configuration, the share store that holds its secrets, and its own files.

    <home>/node.json        {"format": "pqzk-node/1", "id": ID, "store": URI}       (no secret)
    <home>/public.json      the node's public identity, for the committee file
    <home>/committee.pin    the committee file this node accepted (the newest version)
    <home>/nonces/          its sealed single-use FROST nonces (pqzk.tokens.nonces)
<home>/answers/         what it answered each request with, and the ceremonies it joined (answers.Answers)
    <home>/audit.db(.head)  its own audit log: every decision it made, signed with its audit key
    <home>/public_key_package   the public key package of the key it holds (public)

The store (a `file:`, `pkcs11:` or `tpm:` URI, opened with the node's secret) holds the identity
record and the FROST key package (`KEY_ID`). `NodeHome.create` makes a new node; `open` gives
an `OpenNode` with everything a running node needs.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..atomicfile import atomic_write
from ..errors import InvalidEncoding, InvalidParameter
from ..files import decode_text, read_bytes
from ..policy.audit import AuditLog
from ..runtime.identity import Keyring
from ..threshold.frost.ciphersuite import get_ciphersuite
from ..threshold.frost.types import KeyPackage, PublicKeyPackage
from ..tokens import ShareMetadata, open_store
from ..tokens.frost import load_key_package, put_key_package
from ..tokens.nonces import FileNonceStore
from .answers import Answers
from .committee import Committee, VersionPin
from .identity import IDENTITY_KEY_ID, IDENTITY_SUITE, NodeIdentity, NodePublic, check_node_id

FORMAT = "pqzk-node/1"
KEY_ID = "frost-key"


class NodeHome:
    """A node's directory: its configuration, public identity, share store, nonces, answers and audit log."""
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @property
    def config_path(self) -> Path:
        """Where the node's configuration (`node.json`) is."""
        return self.path / "node.json"

    @property
    def pin(self) -> VersionPin:
        """The committee file this node accepted (a newer one is checked against it)."""
        return VersionPin(self.path / "committee.pin")

    def config(self) -> dict:
        """The node's configuration (id and store URI), validated; `InvalidEncoding` when malformed."""
        text = decode_text(read_bytes(self.config_path, "node configuration", max_bytes=65536), str(self.config_path))
        try:
            d = json.loads(text)
        except ValueError:
            raise InvalidEncoding(f"{self.config_path}: not JSON") from None
        if not isinstance(d, dict) or d.get("format") != FORMAT or set(d) != {"format", "id", "store"} \
                or not isinstance(d["store"], str):
            raise InvalidEncoding(f"{self.config_path}: not a {FORMAT} configuration")
        check_node_id(d["id"])
        return d

    def create(self, node_id, store_uri: str, secret: str | bytes | None, *, rng=None) -> NodePublic:
        """A new node: its identity generated into the store (created if needed), node.json and
        public.json written. Refuses a home that already has a node."""
        check_node_id(node_id)
        if self.config_path.exists():
            raise InvalidParameter(f"{self.path} already holds a node; refusing to replace it")
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        identity = NodeIdentity.generate(node_id, rng=rng)
        with open_store(store_uri, secret, create=True) as store:
            meta = ShareMetadata(IDENTITY_KEY_ID, node_id if isinstance(node_id, int) else 0,
                                 identity.public.signing_key.to_bytes(), IDENTITY_SUITE, 0)
            store.put(identity.to_record(), meta)
        atomic_write(self.path / "public.json", (json.dumps(identity.public.to_dict(), indent=2) + "\n").encode(),
                     mode=0o644)
        atomic_write(self.config_path, (json.dumps({"format": FORMAT, "id": node_id, "store": store_uri},
                                                   indent=2) + "\n").encode())
        return identity.public

    def public(self) -> NodePublic:
        """The node's public identity (`public.json`), validated."""
        text = decode_text(read_bytes(self.path / "public.json", "node public identity", max_bytes=65536),
                           str(self.path / "public.json"))
        try:
            return NodePublic.from_dict(json.loads(text), str(self.path / "public.json"))
        except ValueError:
            raise InvalidEncoding(f"{self.path / 'public.json'}: not JSON") from None

    def identity(self, secret: str | bytes | None) -> NodeIdentity:
        """The node's secret identity from its store (to sign a committee file, before any
        committee is accepted)."""
        cfg = self.config()
        with open_store(cfg["store"], secret) as store:
            with store.get(IDENTITY_KEY_ID, ciphersuite=IDENTITY_SUITE) as unsealed:
                identity = NodeIdentity.from_record(cfg["id"], bytes(unsealed.value))
        if identity.public != self.public():
            raise InvalidParameter(f"{self.path}: public.json is not this node's identity")
        return identity

    @contextmanager
    def open(self, secret: str | bytes | None, committee: Committee):
        """The running node's state; the committee file is verified and pinned first."""
        cfg = self.config()
        node_id = cfg["id"]
        if node_id not in committee.members:
            raise InvalidParameter(f"node {node_id!r} is not in committee {committee.name!r}")
        committee.verify()
        with open_store(cfg["store"], secret) as store:
            with store.get(IDENTITY_KEY_ID, ciphersuite=IDENTITY_SUITE) as unsealed:
                identity = NodeIdentity.from_record(node_id, bytes(unsealed.value))
            if identity.public != committee.members[node_id]:
                raise InvalidParameter(f"node {node_id!r}'s keys are not the ones in the committee file")
            self.pin.accept(committee)                 # only a file that names this node
            node = OpenNode(self, identity, committee, store)
            try:
                yield node
            finally:
                node.close()


@dataclass
class OpenNode:
    home: NodeHome
    identity: NodeIdentity
    committee: Committee
    store: object
    _audit: AuditLog | None = None

    @property
    def keyring(self) -> Keyring:
        """The node's keyring: its id and signer, and the committee's directory of signing keys."""
        return Keyring(self.identity.node_id, self.identity.signer, self.committee.directory())

    def kem_keys(self):
        """The node's X-Wing keys with the committee's public ones, for sealed channels."""
        return self.identity.kem_keys(self.committee.kem_public())

    def nonce_store(self) -> FileNonceStore:
        """The node's persistent FROST nonce store (each nonce used once, across restarts)."""
        return FileNonceStore(self.home.path / "nonces", self.committee.suite, self.identity.nonce_key)

    def audit_log(self) -> AuditLog:
        """The node's audit log, opened on first use."""
        if self._audit is None:
            db = self.home.path / "audit.db"
            self._audit = AuditLog(db, self.identity.audit_key)
        return self._audit

    def audit(self, kind: str, body: dict) -> None:
        """Append one record to the node's audit log."""
        self.audit_log().append(kind, body)

    def notes(self, event: str) -> list[dict]:
        """The bodies of this node's audit notes of one event, in order: "counted" (the
        authorizations it signed or saw announced), "policy adopted" (the policy changes it
        adopted) — what it replays when it starts."""
        db = self.home.path / "audit.db"
        if not db.exists():
            return []
        self.audit_log()                      # opening the writer checks the chain and the head file
        from ..policy.audit import records
        return [r.body for r in records(db) if r.kind == "note" and r.body.get("event") == event]

    def counted(self) -> list[dict]:
        """The authorizations this node counted (signed, or saw announced), from its audit log."""
        return self.notes("counted")

    def answers(self) -> Answers:
        """What this node answered each request with, and the ceremonies it joined (HOME/answers)."""
        return Answers(self.home.path / "answers")

    def key(self) -> tuple[KeyPackage | None, PublicKeyPackage | None]:
        """The node's FROST key package from its store (None before a DKG) and the committee's public key
        package."""
        suite = get_ciphersuite(self.committee.suite)
        pkp_path = self.home.path / "public_key_package"
        pkp = PublicKeyPackage.from_bytes(suite, read_bytes(pkp_path, "public key package")) \
            if pkp_path.exists() else self.committee.pkp()
        if not self.store.exists(KEY_ID):
            return None, pkp
        with load_key_package(self.store, KEY_ID, suite) as kp:
            return kp, pkp

    def keep(self, kp: KeyPackage | None, pkp: PublicKeyPackage) -> None:
        """A ceremony's result: the new key package replaces the old one (journaled by the node)."""
        if kp is not None:
            put_key_package(self.store, KEY_ID, kp, overwrite=True)
        atomic_write(self.home.path / "public_key_package", pkp.to_bytes(), mode=0o644)

    def close(self) -> None:
        """Close the audit log, if open."""
        if self._audit is not None:
            self._audit.close()
            self._audit = None


__all__ = ["FORMAT", "KEY_ID", "NodeHome", "OpenNode"]
