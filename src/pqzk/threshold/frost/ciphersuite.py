"""FROST ciphersuites as data (RFC 9591 section 6, plus ZF frost's secp256k1-tr).

A `Ciphersuite` names a group, a context string and the hash functions H1..H5 (and HDKG/HID
for the DKG and identifier derivation) as `HashSpec` records; adding a ciphersuite is adding a
record to `CIPHERSUITES`, not a module of copied code. Where a suite's Schnorr variant departs
from RFC 9591 (BIP-340: x-only keys, even-y key and nonce commitment) it names a `SchnorrHooks`
object, as ZF frost's `Ciphersuite` trait overrides its default methods; the round functions
in `core` call the hooks and never test which variant they run.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...encoding import ByteReader, as_bytes
from ...errors import InvalidEncoding, InvalidParameter, VerificationError
from ...groups import Element, Group, get_group
from ...hashing.expand import hash_to_field, security_length
from .bip340 import bip340_verify, has_even_y, lift_x, x_only
from .taproot import taproot_tweak_key_package, taproot_tweak_public_key_package

if TYPE_CHECKING:
    from .types import KeyPackage, PublicKeyPackage


@dataclass(frozen=True)
class HashSpec:
    """One of the ciphersuite's hash functions, as data.

    kind:
      "mod"     int(hash(prefix || m)) mod order, bytes read in the group's scalar byte order
      "h2f"     RFC 9380 hash_to_field(m, DST=prefix) with `expander`, L = security_length(order)
      "raw"     hash(prefix || m) as bytes (H4, H5)
      "tagged"  BIP-340 tagged hash with tag `prefix`, big-endian int mod order
    """
    kind: str
    hash: str             # "sha256" | "sha512" | "shake256"
    prefix: bytes = b""   # context||label, a fixed prefix (RFC 8032 dom4), DST, or BIP-340 tag
    out_len: int = 0      # output length for SHAKE256 (0: the hash's own digest size)
    expander: str = ""    # for "h2f": e.g. "xmd:sha256"

    def digest(self, data: bytes) -> bytes:
        """The hash of `data` (SHAKE256 to `out_len` bytes)."""
        h = hashlib.new(self.hash, data)
        return h.digest(self.out_len) if self.hash.startswith("shake") else h.digest()


def _tag_hash(tag: bytes, data: bytes) -> bytes:
    t = hashlib.sha256(tag).digest()
    return hashlib.sha256(t + t + data).digest()


class SchnorrHooks:
    """RFC 9591's Schnorr signatures: the default of every hook (ZF frost's `Ciphersuite` trait
    methods `effective_*`, `challenge`, `serialize_signature`, `verify_signature`, `post_dkg`).

    A variant overrides only where it differs; every hook is public data in, public data out,
    except `effective_signing_share` (the signer's own share, never logged)."""

    name = "rfc9591"
    #: DKG proofs of knowledge use an even-y nonce commitment (ZF's secp256k1-tr DKG).
    even_y_nonce = False

    def effective_verifying_key(self, PK: Element) -> Element:
        """The group key signing and share verification use."""
        return PK

    def effective_signing_share(self, g: Group, sk_i: int, PK: Element) -> int:
        """The signing share that goes with `effective_verifying_key(PK)`."""
        return sk_i

    def effective_verifying_share(self, PK_i: Element, PK: Element) -> Element:
        """A participant's verifying share as it goes with `effective_verifying_key(PK)`."""
        return PK_i

    def effective_group_commitment(self, R: Element) -> Element:
        """The group commitment R a signature carries."""
        return R

    def effective_nonce(self, g: Group, k: int, R: Element) -> int:
        """A signer's nonce as it goes with `effective_group_commitment(R)`."""
        return k

    def effective_commitment_share(self, C_i: Element, R: Element) -> Element:
        """A participant's commitment share D_i + rho_i·E_i as it goes with the effective R."""
        return C_i

    def challenge_input(self, R: Element, PK: Element, msg: bytes) -> bytes:
        """H2's input: SerializeElement(R) || SerializeElement(PK) || msg."""
        return R.to_bytes() + PK.to_bytes() + msg

    def signature_size(self, g: Group) -> int:
        """The encoded signature's length: an element and a scalar (RFC 9591)."""
        return g.element_size + g.scalar_size

    def encode_signature(self, g: Group, R: Element, z: int) -> bytes:
        """SerializeElement(R) || SerializeScalar(z)."""
        return R.to_bytes() + g.scalar_encode(z)

    def decode_signature(self, g: Group, data: object) -> tuple[Element, int]:
        """(R, z) from R ‖ z, each strictly decoded; `InvalidEncoding` otherwise (RFC 9591)."""
        r = ByteReader(data, "signature")
        R, z = g.decode(r.take(g.element_size)), g.scalar_decode(r.take(g.scalar_size))
        r.end()
        return R, z

    def decode_verifying_key(self, g: Group, data: bytes) -> Element:
        """A group public key from bytes (the group's element encoding)."""
        return g.decode(data)

    def verify_signature(self, suite: "Ciphersuite", msg: bytes, R: Element, z: int, PK: Element) -> None:
        """z·G == R + c·PK (RFC 9591 appendix B), else VerificationError."""
        c = suite.h2(self.challenge_input(R, PK, msg))
        # The RFC multiplies both sides by the cofactor; our elements are decoded strictly into the
        # prime-order subgroup (no torsion component), where that multiplication changes nothing.
        if suite.group.base_mult(z) != R + c * PK:
            raise VerificationError("signature does not verify")

    def post_dkg(self, kp: "KeyPackage", pkp: "PublicKeyPackage") -> tuple["KeyPackage", "PublicKeyPackage"]:
        """The packages a DKG hands out (ZF `post_dkg`)."""
        return kp, pkp


class Bip340Hooks(SchnorrHooks):
    """BIP-340 Schnorr (ZF frost-secp256k1-tr): x-only keys and R, the group key and the group
    commitment made even-y by negating the shares, the nonces and the commitment shares."""

    name = "bip340"
    even_y_nonce = True

    def effective_verifying_key(self, PK: Element) -> Element:
        return PK if has_even_y(PK) else -PK

    def effective_signing_share(self, g: Group, sk_i: int, PK: Element) -> int:
        return sk_i if has_even_y(PK) else (-sk_i) % g.order

    def effective_verifying_share(self, PK_i: Element, PK: Element) -> Element:
        return PK_i if has_even_y(PK) else -PK_i

    def effective_group_commitment(self, R: Element) -> Element:
        return R if has_even_y(R) else -R

    def effective_nonce(self, g: Group, k: int, R: Element) -> int:
        return k if has_even_y(R) else (g.order - k) % g.order

    def effective_commitment_share(self, C_i: Element, R: Element) -> Element:
        return C_i if has_even_y(R) else -C_i

    def challenge_input(self, R: Element, PK: Element, msg: bytes) -> bytes:
        return x_only(R) + x_only(PK) + msg

    def signature_size(self, g: Group) -> int:
        """64 bytes: BIP-340's x-only R and z."""
        return 64

    def encode_signature(self, g: Group, R: Element, z: int) -> bytes:
        return x_only(R) + g.scalar_encode(z)

    def decode_signature(self, g: Group, data: object) -> tuple[Element, int]:
        """(R, z) from BIP-340's 64 bytes: R lifted to the even-y point, z below the order; `InvalidEncoding` otherwise."""
        data = as_bytes(data, "signature")
        if len(data) != 64:
            raise InvalidEncoding(f"BIP-340 signature must be 64 bytes, got {len(data)}")
        return g.decode(b"\x02" + data[:32]), g.scalar_decode(data[32:])   # x-only R: the even-y point

    def decode_verifying_key(self, g: Group, data: bytes) -> Element:
        """An x-only (32-byte) key is the even-y point; a SEC1 one is taken as it is."""
        data = as_bytes(data, "group public key")
        return lift_x(data) if len(data) == 32 else g.decode(data)

    def verify_signature(self, suite: "Ciphersuite", msg: bytes, R: Element, z: int, PK: Element) -> None:
        bip340_verify(x_only(PK), msg, self.encode_signature(suite.group, R, z))

    def post_dkg(self, kp: "KeyPackage", pkp: "PublicKeyPackage") -> tuple["KeyPackage", "PublicKeyPackage"]:
        """The unspendable Taproot tweak (empty merkle root), as ZF's `post_dkg`."""
        return taproot_tweak_key_package(kp, b""), taproot_tweak_public_key_package(pkp, b"")


HOOKS: dict[str, SchnorrHooks] = {h.name: h for h in (SchnorrHooks(), Bip340Hooks())}


@dataclass(frozen=True)
class Ciphersuite:
    """A FROST ciphersuite: context string, group and hash functions (all data)."""
    context: str
    group_name: str
    H1: HashSpec
    H2: HashSpec
    H3: HashSpec
    H4: HashSpec
    H5: HashSpec
    HDKG: HashSpec
    HID: HashSpec
    # "rfc9591": the RFC's Schnorr; "bip340": x-only keys, even-y R and key, BIP-340 challenge
    variant: str = "rfc9591"
    aliases: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        """The ciphersuite's name: its RFC 9591 context string."""
        return self.context

    @property
    def group(self) -> Group:
        """The ciphersuite's group."""
        return get_group(self.group_name)

    def __post_init__(self) -> None:
        if self.variant not in HOOKS:
            raise InvalidParameter(f"unknown FROST Schnorr variant {self.variant!r}; known: {', '.join(HOOKS)}")

    @property
    def hooks(self) -> SchnorrHooks:
        """Where this suite's Schnorr variant departs from RFC 9591 (see `SchnorrHooks`)."""
        return HOOKS[self.variant]

    @property
    def is_bip340(self) -> bool:
        """Whether signatures are BIP-340 (x-only) ones; only the Taproot helpers ask."""
        return self.variant == "bip340"

    def hash_to_scalar(self, spec: HashSpec, m: bytes) -> int:
        """A scalar from `m` by the hash spec (mod reduction, RFC 9380 hash_to_field, or BIP-340 tagged
        hash)."""
        g = self.group
        if spec.kind == "mod":
            return int.from_bytes(spec.digest(spec.prefix + m), g.scalar_byteorder) % g.order
        if spec.kind == "h2f":
            L = security_length(g.order)
            return hash_to_field(m, spec.prefix, 1, g.order, 1, L, spec.expander)[0][0]
        if spec.kind == "tagged":
            return int.from_bytes(_tag_hash(spec.prefix, m), "big") % g.order
        raise InvalidParameter(f"hash spec of kind {spec.kind!r} does not produce a scalar")

    def hash_to_bytes(self, spec: HashSpec, m: bytes) -> bytes:
        """The raw digest of `m` by a "raw" hash spec; `InvalidParameter` for another kind."""
        if spec.kind != "raw":
            raise InvalidParameter(f"hash spec of kind {spec.kind!r} does not produce bytes")
        return spec.digest(spec.prefix + m)

    # RFC 9591 names
    # deliberate look-alikes of each other (duplicates): one named hook per hash the RFC (and ZF
    # FROST) defines, so callers and test vectors use the standard's names; the logic is in
    # hash_to_scalar / hash_to_bytes.
    def h1(self, m: bytes) -> int:
        """RFC 9591's H1: the binding factors' hash to a scalar."""
        return self.hash_to_scalar(self.H1, m)

    def h2(self, m: bytes) -> int:
        """RFC 9591's H2: the challenge's hash to a scalar."""
        return self.hash_to_scalar(self.H2, m)

    def h3(self, m: bytes) -> int:
        """RFC 9591's H3: the nonce generation's hash to a scalar."""
        return self.hash_to_scalar(self.H3, m)

    def h4(self, m: bytes) -> bytes:
        """RFC 9591's H4: the message hash."""
        return self.hash_to_bytes(self.H4, m)

    def h5(self, m: bytes) -> bytes:
        """RFC 9591's H5: the commitment list hash."""
        return self.hash_to_bytes(self.H5, m)

    def hdkg(self, m: bytes) -> int:
        """The DKG proof-of-knowledge challenge hash (as ZF FROST defines it)."""
        return self.hash_to_scalar(self.HDKG, m)

    def hid(self, m: bytes) -> int:
        """The hash that derives identifiers from names (as ZF FROST defines it)."""
        return self.hash_to_scalar(self.HID, m)

    def __repr__(self) -> str:
        return f"<FROST ciphersuite {self.context}>"


def _eddsa_like(context: str, group: str, hash_name: str, out_len: int, h2: HashSpec,
                aliases: tuple[str, ...]) -> Ciphersuite:
    """RFC 9591 sections 6.1-6.3: raw hashes reduced modulo the order (little-endian)."""
    c = context.encode()
    mod = lambda label: HashSpec("mod", hash_name, c + label, out_len)  # noqa: E731
    raw = lambda label: HashSpec("raw", hash_name, c + label, out_len)  # noqa: E731
    return Ciphersuite(context, group, mod(b"rho"), h2, mod(b"nonce"), raw(b"msg"), raw(b"com"),
                       mod(b"dkg"), mod(b"id"), aliases=aliases)


def _h2f(context: str, group: str, expander: str, h2: HashSpec | None, variant: str,
         aliases: tuple[str, ...]) -> Ciphersuite:
    """RFC 9591 sections 6.4-6.5: hash_to_field with DST = contextString || label."""
    c = context.encode()
    hname = expander.split(":")[1]
    h2f = lambda label: HashSpec("h2f", hname, c + label, 0, expander)  # noqa: E731
    raw = lambda label: HashSpec("raw", hname, c + label)  # noqa: E731
    return Ciphersuite(context, group, h2f(b"rho"), h2 or h2f(b"chal"), h2f(b"nonce"), raw(b"msg"),
                       raw(b"com"), h2f(b"dkg"), h2f(b"id"), variant=variant, aliases=aliases)


CIPHERSUITES: dict[str, Ciphersuite] = {s.context: s for s in (
    # 6.1: H2 is plain SHA-512 so that signatures are RFC 8032 Ed25519 signatures
    _eddsa_like("FROST-ED25519-SHA512-v1", "ed25519", "sha512", 0, HashSpec("mod", "sha512"),
                ("ed25519", "FROST(Ed25519, SHA-512)")),
    # 6.2
    _eddsa_like("FROST-RISTRETTO255-SHA512-v1", "ristretto255", "sha512", 0,
                HashSpec("mod", "sha512", b"FROST-RISTRETTO255-SHA512-v1chal"),
                ("ristretto255", "FROST(ristretto255, SHA-512)")),
    # 6.3: H2 = SHAKE256(dom4(0, "") || m, 114) so that signatures are RFC 8032 Ed448 signatures
    _eddsa_like("FROST-ED448-SHAKE256-v1", "ed448", "shake256", 114,
                HashSpec("mod", "shake256", b"SigEd448\x00\x00", 114),
                ("ed448", "FROST(Ed448, SHAKE256)")),
    # 6.4
    _h2f("FROST-P256-SHA256-v1", "p256", "xmd:sha256", None, "rfc9591",
         ("p256", "p-256", "FROST(P-256, SHA-256)")),
    # 6.5
    _h2f("FROST-secp256k1-SHA256-v1", "secp256k1", "xmd:sha256", None, "rfc9591",
         ("secp256k1", "FROST(secp256k1, SHA-256)")),
    # ZF frost-secp256k1-tr: BIP-340 challenge H2 = tagged_hash("BIP0340/challenge", ...)
    _h2f("FROST-secp256k1-SHA256-TR-v1", "secp256k1", "xmd:sha256",
         HashSpec("tagged", "sha256", b"BIP0340/challenge"), "bip340",
         ("secp256k1-tr", "taproot", "bip340")),
)}

_LOOKUP: dict[str, Ciphersuite] = {}
for _s in CIPHERSUITES.values():
    for _n in (_s.context, *_s.aliases):
        _LOOKUP[_n.lower()] = _s


def get_ciphersuite(name: str | Ciphersuite) -> Ciphersuite:
    """The ciphersuite named by its context string (or a short alias such as 'ed25519')."""
    if isinstance(name, Ciphersuite):
        return name
    try:
        return _LOOKUP[str(name).lower()]
    except KeyError:
        raise InvalidParameter(
            f"unknown FROST ciphersuite {name!r}; known: {', '.join(CIPHERSUITES)}") from None


def ciphersuite_names() -> list[str]:
    """The names of every FROST ciphersuite the kit has."""
    return list(CIPHERSUITES)
