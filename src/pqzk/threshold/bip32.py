"""BIP-32 public (non-hardened) derivation under a threshold key.

The group key K and a jointly random chain code c make an extended public key (xpub). For a
non-hardened index i, I = HMAC-SHA512(c, ser_P(K) || ser_32(i)); the child key is K + I_L·G and
its chain code I_R. Along a path the tweaks add up: child = K + t·G with t = Σ I_L. Signing under
the child key needs only t, which is public: each signer adds t/|signers| to its additive share
(pqzk.threshold.ecdsa.dkls; FROST shifts every share by t: pqzk.threshold.frost.taproot), so no
party learns more than its tweaked share.

Hardened indices (i >= 2^31) hash the parent *secret* key, which no party holds: they are
refused. BIP-32 is defined on secp256k1 only.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from ..errors import InvalidEncoding, InvalidParameter
from ..groups import Element, get_group

HARDENED = 1 << 31
XPUB_VERSION = bytes.fromhex("0488B21E")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def parse_path(path: str | list[int] | tuple[int, ...]) -> tuple[int, ...]:
    """"m/44/60/0/0/5" (or a list of indices) -> indices; hardened steps are refused."""
    if isinstance(path, (list, tuple)):
        steps = list(path)
    else:
        if not isinstance(path, str) or not path.startswith("m") or len(path) > 1000:
            raise InvalidParameter("a derivation path looks like m/44/60/0/0/5")
        parts = path.split("/")
        if parts[0] != "m":
            raise InvalidParameter("a derivation path starts with m/")
        steps = []
        for part in parts[1:]:
            if part.endswith(("'", "h", "H")):
                raise InvalidParameter(f"hardened step {part!r}: hardened derivation needs the parent secret "
                                       "key, which no party of a threshold key holds")
            if not part.isdigit() or (len(part) > 1 and part[0] == "0"):
                raise InvalidParameter(f"bad path step {part!r}")
            steps.append(int(part))
    for i in steps:
        if isinstance(i, bool) or not isinstance(i, int) or i < 0:
            raise InvalidParameter("path steps are non-negative integers")
        if i >= HARDENED:
            raise InvalidParameter(f"hardened index {i}: hardened derivation needs the parent secret key, "
                                   "which no party of a threshold key holds")
    return tuple(steps)


def _b58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, rem = divmod(n, 58)
        out = _B58[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out


def _hash160(data: bytes) -> bytes:
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


@dataclass(frozen=True)
class ExtendedPublicKey:
    """A public key and chain code with their place in the tree (depth, parent fingerprint,
    child number): what `xpub` serializes."""
    key: Element
    chain_code: bytes
    depth: int = 0
    parent_fingerprint: bytes = bytes(4)
    child_number: int = 0

    def __post_init__(self) -> None:
        if self.key.group is not get_group("secp256k1"):
            raise InvalidParameter("BIP-32 is defined on secp256k1 only")
        if len(self.chain_code) != 32:
            raise InvalidParameter("a chain code is 32 bytes")

    def fingerprint(self) -> bytes:
        """The key's BIP-32 fingerprint: the first 4 bytes of HASH160 of the public key."""
        return _hash160(self.key.to_bytes())[:4]

    def xpub(self) -> str:
        """The key as a Base58Check `xpub` string."""
        return _b58check(XPUB_VERSION + bytes([self.depth]) + self.parent_fingerprint
                         + self.child_number.to_bytes(4, "big") + self.chain_code + self.key.to_bytes())

    def child(self, i: int) -> tuple["ExtendedPublicKey", int]:
        """(the child at non-hardened index i, its tweak I_L)."""
        parse_path([i])
        g = self.key.group
        mac = hmac.new(self.chain_code, self.key.to_bytes() + i.to_bytes(4, "big"), hashlib.sha512).digest()
        il = int.from_bytes(mac[:32], "big")
        if il >= g.order:
            raise InvalidParameter(f"index {i} gives an invalid child (I_L >= n): BIP-32 says to use the next index")
        key = self.key + g.base_mult(il)
        if key.is_identity():
            raise InvalidParameter(f"index {i} gives the point at infinity: BIP-32 says to use the next index")
        return ExtendedPublicKey(key, mac[32:], self.depth + 1, self.fingerprint(), i), il

    def derive(self, path) -> tuple["ExtendedPublicKey", int]:
        """(the extended key at `path` below this one, the total tweak t: child = key + t·G)."""
        node, tweak = self, 0
        for i in parse_path(path):
            node, il = node.child(i)
            tweak = (tweak + il) % self.key.group.order
        return node, tweak


def parse_xpub(text: str) -> ExtendedPublicKey:
    """Strict base58check xpub decoding."""
    if not isinstance(text, str) or not text or any(ch not in _B58 for ch in text):
        raise InvalidEncoding("xpub is not base58")
    n = 0
    for ch in text:
        n = n * 58 + _B58.index(ch)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    raw = b"\x00" * (len(text) - len(text.lstrip("1"))) + raw
    if len(raw) != 82 or hashlib.sha256(hashlib.sha256(raw[:78]).digest()).digest()[:4] != raw[78:]:
        raise InvalidEncoding("xpub has a bad length or checksum")
    if raw[:4] != XPUB_VERSION:
        raise InvalidEncoding("not a mainnet xpub")
    key = get_group("secp256k1").decode(raw[45:78])
    return ExtendedPublicKey(key, raw[13:45], raw[4], raw[5:9], int.from_bytes(raw[9:13], "big"))


__all__ = ["HARDENED", "ExtendedPublicKey", "parse_path", "parse_xpub"]
