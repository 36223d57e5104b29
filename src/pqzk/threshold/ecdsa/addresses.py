"""Addresses of a (threshold) public key: Ethereum (Keccak-256 of the uncompressed key, EIP-55
checksum), Bitcoin P2WPKH (BIP-141/173, bech32) and P2TR (BIP-341/350, bech32m).

Keccak-256 (not SHA3-256: the original padding) comes from a maintained library, pycryptodome;
without it `ethereum` raises BackendUnavailable saying how to install it.
"""
from __future__ import annotations

import hashlib

from ...errors import BackendUnavailable, InvalidParameter
from ...groups import Element, get_group

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32, _BECH32M = 1, 0x2BC830A3


def keccak256(data: bytes) -> bytes:
    """Keccak-256 (Ethereum's hash, not SHA3-256), from pycryptodome; `BackendUnavailable` when it is
    missing."""
    try:
        from Crypto.Hash import keccak
    except ImportError:
        raise BackendUnavailable("keccak", "pycryptodome is not installed",
                                 "pip install pycryptodome (or the kit's [dev] extra)") from None
    return keccak.new(digest_bits=256, data=data).digest()


def _secp(key: Element) -> Element:
    if key.group is not get_group("secp256k1") or key.is_identity():
        raise InvalidParameter("Ethereum and Bitcoin addresses are for secp256k1 keys")
    return key


def eip55(address: str) -> str:
    """The EIP-55 mixed-case checksum form of a 0x-prefixed hex address."""
    body = address.lower().removeprefix("0x")
    if len(body) != 40 or any(c not in "0123456789abcdef" for c in body):
        raise InvalidParameter("an Ethereum address is 20 bytes of hex")
    h = keccak256(body.encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(h[i], 16) >= 8 else c for i, c in enumerate(body))


def ethereum(key: Element) -> str:
    """The EIP-55 checksummed Ethereum address of a secp256k1 public key."""
    x, y = _secp(key).group.point_to_xy(key)
    return eip55("0x" + keccak256(x.to_bytes(32, "big") + y.to_bytes(32, "big"))[-20:].hex())


def _polymod(values) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _segwit(hrp: str, version: int, program: bytes) -> str:
    acc, bits, data = 0, 0, [version]
    for b in program:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    const = _BECH32 if version == 0 else _BECH32M
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = _polymod(expanded + data + [0] * 6) ^ const
    checksum = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in data + checksum)


def p2wpkh(key: Element, hrp: str = "bc") -> str:
    """Native segwit v0 address of the compressed key."""
    h = hashlib.new("ripemd160", hashlib.sha256(_secp(key).to_bytes()).digest()).digest()
    return _segwit(hrp, 0, h)


def p2tr_from_xonly(output_key: bytes, hrp: str = "bc") -> str:
    """Taproot address of an x-only output key (already tweaked, as FROST-secp256k1-TR keys are)."""
    if len(output_key) != 32:
        raise InvalidParameter("an x-only key is 32 bytes")
    return _segwit(hrp, 1, output_key)


def p2tr(internal_key: Element, hrp: str = "bc") -> str:
    """BIP-86 key-path-only Taproot address: the internal key tweaked with an empty script tree."""
    from ..frost.taproot import taproot_tweak
    P = _secp(internal_key)
    if P.to_bytes()[0] == 3:
        P = -P
    Q = P + P.group.base_mult(taproot_tweak(P, b""))
    return p2tr_from_xonly(Q.to_bytes()[1:], hrp)


__all__ = ["keccak256", "eip55", "ethereum", "p2wpkh", "p2tr", "p2tr_from_xonly"]
