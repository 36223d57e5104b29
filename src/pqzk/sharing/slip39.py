"""SLIP-39: Shamir's secret sharing of a master secret as mnemonic word lists.

Two levels: the (encrypted) master secret is split among groups with a group threshold, and each
group's share is split among members with a member threshold. The master secret is first
encrypted with a 4-round Feistel cipher of PBKDF2-HMAC-SHA256 keyed by the passphrase. Each
share is written as 10-bit words with an RS1024 checksum. Spec: SLIP-0039 (satoshilabs/slips),
current version with the extendable-backup flag.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import InvalidEncoding, InvalidParameter, VerificationError
from ..math.rand import RandomSource, random_bytes
from . import gf256

RADIX_BITS = 10
ID_LENGTH_BITS = 15
ITERATION_EXP_LENGTH_BITS = 4
ID_EXP_LENGTH_WORDS = 2                       # identifier, extendable flag, iteration exponent
CHECKSUM_LENGTH_WORDS = 3
METADATA_LENGTH_WORDS = ID_EXP_LENGTH_WORDS + 2 + CHECKSUM_LENGTH_WORDS
MIN_STRENGTH_BITS = 128
MIN_MNEMONIC_LENGTH_WORDS = METADATA_LENGTH_WORDS + (MIN_STRENGTH_BITS + 9) // 10
MAX_SHARE_COUNT = 16
DIGEST_LENGTH_BYTES = 4
BASE_ITERATION_COUNT = 10000
ROUND_COUNT = 4
SECRET_INDEX = 255
DIGEST_INDEX = 254
CUSTOMIZATION_STRING_ORIG = b"shamir"
CUSTOMIZATION_STRING_EXTENDABLE = b"shamir_extendable"


@lru_cache(maxsize=1)
def wordlist() -> tuple[tuple[str, ...], dict[str, int]]:
    """The 1024 SLIP-39 words (package data; provenance and licence in slip39_wordlist.json)."""
    doc = json.loads(resources.files(__package__).joinpath("slip39_wordlist.json").read_text())
    words = tuple(doc["words"])
    if len(words) != 1 << RADIX_BITS:
        raise InvalidEncoding(f"SLIP-39 wordlist has {len(words)} words, expected 1024")
    return words, {w: i for i, w in enumerate(words)}


# ---- RS1024 checksum (SLIP-39 "Checksum") ----
_GEN = (0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009,
        0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120)


def rs1024_polymod(values: Iterable[int]) -> int:
    chk = 1
    for v in values:
        b = chk >> 20
        chk = (chk & 0xFFFFF) << 10 ^ v
        for i in range(10):
            if (b >> i) & 1:
                chk ^= _GEN[i]
    return chk


def rs1024_create_checksum(data: Sequence[int], custom: bytes) -> list[int]:
    """The three RS1024 checksum words of `data` under the customization string."""
    pm = rs1024_polymod(list(custom) + list(data) + [0] * CHECKSUM_LENGTH_WORDS) ^ 1
    return [(pm >> 10 * i) & 1023 for i in reversed(range(CHECKSUM_LENGTH_WORDS))]


def rs1024_verify_checksum(data: Sequence[int], custom: bytes) -> bool:
    """Whether `data` (with its checksum words) has a valid RS1024 checksum."""
    return rs1024_polymod(list(custom) + list(data)) == 1


def _custom(extendable: bool) -> bytes:
    return CUSTOMIZATION_STRING_EXTENDABLE if extendable else CUSTOMIZATION_STRING_ORIG


def _to_words(value: int, count: int) -> list[int]:
    return [(value >> (RADIX_BITS * i)) & 1023 for i in reversed(range(count))]


def _from_words(indices: Iterable[int]) -> int:
    v = 0
    for i in indices:
        v = (v << RADIX_BITS) | i
    return v


# ---- the share and its mnemonic encoding ----
# deliberate look-alike of threshold.frost.types.KeyPackage (duplicates): both are secret-holding
# frozen dataclasses whose __repr__ names their own public fields and redacts the secret one.
@dataclass(frozen=True)
class Slip39Share:
    """One member share with its metadata. Secret: `value` is redacted from repr."""

    identifier: int
    extendable: bool
    iteration_exponent: int
    group_index: int
    group_threshold: int
    group_count: int
    member_index: int
    member_threshold: int
    value: bytes

    def __repr__(self) -> str:
        return (f"Slip39Share(identifier={self.identifier}, group={self.group_index + 1}/"
                f"{self.group_count} (threshold {self.group_threshold}), member="
                f"{self.member_index + 1} (threshold {self.member_threshold}), value=<redacted>)")

    __str__ = __repr__

    def common_parameters(self) -> tuple:
        """The parameters every share of one secret has in common (SLIP-39 checks them when combining)."""
        return (self.identifier, self.extendable, self.iteration_exponent,
                self.group_threshold, self.group_count)

    def group_parameters(self) -> tuple:
        """The parameters every share of one group has in common."""
        return self.common_parameters() + (self.group_index, self.member_threshold)

    def word_indices(self) -> list[int]:
        """The share as word indices: identifier, parameters, value and the RS1024 checksum."""
        id_exp = (self.identifier << (ITERATION_EXP_LENGTH_BITS + 1)
                  | int(self.extendable) << ITERATION_EXP_LENGTH_BITS | self.iteration_exponent)
        params = 0
        for field in (self.group_index, self.group_threshold - 1, self.group_count - 1,
                      self.member_index, self.member_threshold - 1):
            params = params << 4 | field
        value_words = (len(self.value) * 8 + 9) // 10
        data = (_to_words(id_exp, ID_EXP_LENGTH_WORDS) + _to_words(params, 2)
                + _to_words(int.from_bytes(self.value, "big"), value_words))
        return data + rs1024_create_checksum(data, _custom(self.extendable))

    def mnemonic(self) -> str:
        """The share as its SLIP-39 mnemonic words."""
        words, _ = wordlist()
        return " ".join(words[i] for i in self.word_indices())

    @classmethod
    def from_mnemonic(cls, mnemonic: str) -> "Slip39Share":
        """Strict decoding: known words, length, RS1024 checksum, zero padding, parameters."""
        if not isinstance(mnemonic, str):
            raise InvalidEncoding(f"mnemonic must be a str, got {type(mnemonic).__name__}")
        _, index = wordlist()
        data = []
        for pos, w in enumerate(mnemonic.lower().split()):
            if w not in index:
                raise InvalidEncoding(f"mnemonic word {pos + 1} is not in the SLIP-39 wordlist")
            data.append(index[w])
        if len(data) < MIN_MNEMONIC_LENGTH_WORDS:
            raise InvalidEncoding(f"mnemonic has {len(data)} words; at least "
                                  f"{MIN_MNEMONIC_LENGTH_WORDS} are required")
        padding = (RADIX_BITS * (len(data) - METADATA_LENGTH_WORDS)) % 16
        if padding > 8:
            raise InvalidEncoding(f"mnemonic length {len(data)} words is invalid")
        id_exp = _from_words(data[:ID_EXP_LENGTH_WORDS])
        identifier = id_exp >> (ITERATION_EXP_LENGTH_BITS + 1)
        extendable = bool(id_exp >> ITERATION_EXP_LENGTH_BITS & 1)
        exponent = id_exp & ((1 << ITERATION_EXP_LENGTH_BITS) - 1)
        if not rs1024_verify_checksum(data, _custom(extendable)):
            raise InvalidEncoding("mnemonic checksum is invalid (a word is wrong or missing)")
        params = _from_words(data[ID_EXP_LENGTH_WORDS:ID_EXP_LENGTH_WORDS + 2])
        gi, gt, gc, mi, mt = ((params >> (4 * k)) & 15 for k in reversed(range(5)))
        if gt > gc:
            raise InvalidEncoding("mnemonic group threshold exceeds its group count")
        if gi > gc:
            raise InvalidEncoding("mnemonic group index exceeds its group count")
        value_words = data[ID_EXP_LENGTH_WORDS + 2:-CHECKSUM_LENGTH_WORDS]
        nbits = RADIX_BITS * len(value_words) - padding
        value_int = _from_words(value_words)
        if value_int >> nbits:
            raise InvalidEncoding("mnemonic padding bits are not zero")
        value = value_int.to_bytes(nbits // 8, "big")
        if len(value) % 2:
            raise InvalidEncoding("share value length must be an even number of bytes")
        return cls(identifier, extendable, exponent, gi, gt + 1, gc + 1, mi, mt + 1, value)


# ---- encryption of the master secret (SLIP-39 "Encryption of the master secret") ----
def _round(i: int, passphrase: bytes, e: int, salt: bytes, r: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", bytes([i]) + passphrase, salt + r,
                               (BASE_ITERATION_COUNT << e) // ROUND_COUNT, dklen=len(r))


def _salt(identifier: int, extendable: bool) -> bytes:
    return b"" if extendable else CUSTOMIZATION_STRING_ORIG + identifier.to_bytes(2, "big")


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b))


def encrypt(master_secret: bytes, passphrase: bytes, iteration_exponent: int,
            identifier: int, extendable: bool) -> bytes:
    """SLIP-39's Feistel encryption of the master secret under the passphrase (PBKDF2 rounds)."""
    half = len(master_secret) // 2
    l, r = master_secret[:half], master_secret[half:]
    salt = _salt(identifier, extendable)
    for i in range(ROUND_COUNT):
        l, r = r, _xor(l, _round(i, passphrase, iteration_exponent, salt, r))
    return r + l


def decrypt(ems: bytes, passphrase: bytes, iteration_exponent: int,
            identifier: int, extendable: bool) -> bytes:
    """The inverse of `encrypt`: the master secret from the encrypted one and the passphrase."""
    half = len(ems) // 2
    l, r = ems[:half], ems[half:]
    salt = _salt(identifier, extendable)
    for i in reversed(range(ROUND_COUNT)):
        l, r = r, _xor(l, _round(i, passphrase, iteration_exponent, salt, r))
    return r + l


# ---- Shamir in GF(256) with the digest share (SLIP-39 "Sharing a secret") ----
def _digest(random_part: bytes, secret: bytes) -> bytes:
    return hmac.new(random_part, secret, "sha256").digest()[:DIGEST_LENGTH_BYTES]


def _interpolate(points: Sequence[tuple[int, bytes]], x: int) -> bytes:
    return gf256.interpolate([p for p, _ in points], [v for _, v in points], x).tobytes()


def split_secret(threshold: int, count: int, secret: bytes,
                 rng: RandomSource | None = None) -> list[tuple[int, bytes]]:
    """SLIP-39's split of `secret` into `count` shares of which `threshold` recover it (with a digest share
    that detects wrong shares)."""
    if not 1 <= threshold <= count <= MAX_SHARE_COUNT:
        raise InvalidParameter(f"need 1 <= threshold <= count <= {MAX_SHARE_COUNT}, "
                               f"got {threshold}-of-{count}")
    if threshold == 1:
        return [(i, secret) for i in range(count)]
    n = len(secret)
    shares = [(i, random_bytes(n, rng)) for i in range(threshold - 2)]
    random_part = random_bytes(n - DIGEST_LENGTH_BYTES, rng)
    base = shares + [(DIGEST_INDEX, _digest(random_part, secret) + random_part),
                     (SECRET_INDEX, secret)]
    return shares + [(i, _interpolate(base, i)) for i in range(threshold - 2, count)]


def recover_secret(threshold: int, shares: Sequence[tuple[int, bytes]]) -> bytes:
    """The secret from `threshold` shares, checked against the digest share; `VerificationError` when it
    does not match."""
    if threshold == 1:
        return shares[0][1]
    secret = _interpolate(shares, SECRET_INDEX)
    digest_share = _interpolate(shares, DIGEST_INDEX)
    if not hmac.compare_digest(digest_share[:DIGEST_LENGTH_BYTES],
                               _digest(digest_share[DIGEST_LENGTH_BYTES:], secret)):
        raise VerificationError("SLIP-39 shares do not combine: the digest of the shared secret "
                                "does not match (shares from different sets, or altered)")
    return secret


# ---- the two public operations ----
def generate_mnemonics(group_threshold: int, groups: Sequence[tuple[int, int]],
                       master_secret: bytes, passphrase: bytes = b"", *,
                       iteration_exponent: int = 1, extendable: bool = True,
                       rng: RandomSource | None = None) -> list[list[str]]:
    """Mnemonics for `groups` = [(member_threshold, member_count), ...]; any `group_threshold`
    groups, each with its member threshold of mnemonics, recover `master_secret`."""
    if not isinstance(master_secret, (bytes, bytearray)):
        raise InvalidParameter("master secret must be bytes")
    if len(master_secret) * 8 < MIN_STRENGTH_BITS or len(master_secret) % 2:
        raise InvalidParameter("master secret must be at least 16 bytes and an even number of bytes")
    if not isinstance(passphrase, (bytes, bytearray)) or any(not 32 <= c <= 126 for c in passphrase):
        raise InvalidParameter("passphrase must be printable ASCII bytes")
    if not 0 <= iteration_exponent < 16:
        raise InvalidParameter("iteration exponent must be in 0..15")
    if not 1 <= group_threshold <= len(groups) <= MAX_SHARE_COUNT:
        raise InvalidParameter(f"need 1 <= group threshold <= number of groups <= {MAX_SHARE_COUNT}")
    for mt, mc in groups:
        if mt == 1 and mc > 1:
            raise InvalidParameter("a member threshold of 1 with several members is not allowed; "
                                   "use 1-of-1 for that group")
    identifier = int.from_bytes(random_bytes(2, rng), "big") & ((1 << ID_LENGTH_BITS) - 1)
    ems = encrypt(bytes(master_secret), bytes(passphrase), iteration_exponent, identifier, extendable)
    out = []
    for (gi, group_value), (mt, mc) in zip(split_secret(group_threshold, len(groups), ems, rng), groups):
        out.append([Slip39Share(identifier, extendable, iteration_exponent, gi, group_threshold,
                                len(groups), mi, mt, value).mnemonic()
                    for mi, value in split_secret(mt, mc, group_value, rng)])
    return out


def decode_mnemonics(mnemonics: Iterable[str]) -> dict[int, list[Slip39Share]]:
    """Shares grouped by group index, after checking that they belong to one set."""
    groups: dict[int, dict[int, Slip39Share]] = {}
    common = None
    for pos, m in enumerate(mnemonics):
        try:
            s = Slip39Share.from_mnemonic(m)
        except InvalidEncoding as exc:
            raise InvalidEncoding(f"mnemonic #{pos + 1}: {exc}") from None
        if common is None:
            common = s.common_parameters()
        elif s.common_parameters() != common:
            raise InvalidParameter(f"mnemonic #{pos + 1} is not from the same set: identifier, "
                                   "iteration exponent, extendable flag, group threshold and "
                                   "group count must all match")
        members = groups.setdefault(s.group_index, {})
        first = next(iter(members.values()), None)
        if first is not None and first.member_threshold != s.member_threshold:
            raise InvalidParameter(f"mnemonic #{pos + 1}: member threshold differs from the "
                                   f"other shares of group {s.group_index + 1}")
        prev = members.get(s.member_index)
        if prev is not None and prev != s:
            raise InvalidParameter(f"mnemonic #{pos + 1}: duplicate member index "
                                   f"{s.member_index + 1} in group {s.group_index + 1}")
        members[s.member_index] = s
    if common is None:
        raise InvalidParameter("no mnemonics given")
    return {g: list(m.values()) for g, m in groups.items()}


def recover_ems(groups: dict[int, list[Slip39Share]]) -> tuple[bytes, Slip39Share]:
    """The encrypted master secret (and a share carrying its metadata) from decoded groups."""
    any_share = next(iter(groups.values()))[0]
    gt = any_share.group_threshold
    if len(groups) < gt:
        raise InvalidParameter(f"insufficient groups: {len(groups)} given, {gt} required")
    if len(groups) != gt:
        raise InvalidParameter(f"wrong number of groups: {len(groups)} given, exactly {gt} expected")
    group_shares = []
    for g, members in sorted(groups.items()):
        mt = members[0].member_threshold
        if len(members) != mt:
            raise InvalidParameter(f"group {g + 1}: {len(members)} mnemonics given, "
                                   f"exactly {mt} expected")
        if len({len(s.value) for s in members}) != 1:
            raise InvalidParameter(f"group {g + 1}: share values have different lengths")
        group_shares.append((g, recover_secret(mt, [(s.member_index, s.value) for s in members])))
    if len({len(v) for _, v in group_shares}) != 1:
        raise InvalidParameter("groups have share values of different lengths")
    return recover_secret(gt, group_shares), any_share


def combine_mnemonics(mnemonics: Iterable[str], passphrase: bytes = b"") -> bytes:
    """The master secret from a sufficient set of mnemonics and the passphrase.

    A wrong passphrase gives a different master secret, by design (plausible deniability).
    """
    if isinstance(mnemonics, str):
        raise InvalidParameter("give a list of mnemonics, not one string")
    if not isinstance(passphrase, (bytes, bytearray)):
        raise InvalidParameter("passphrase must be bytes (encode it first)")
    ems, meta = recover_ems(decode_mnemonics(list(mnemonics)))
    return decrypt(ems, bytes(passphrase), meta.iteration_exponent, meta.identifier, meta.extendable)


__all__ = ["Slip39Share", "generate_mnemonics", "combine_mnemonics", "decode_mnemonics",
           "recover_ems", "encrypt", "decrypt", "split_secret", "recover_secret", "wordlist",
           "rs1024_create_checksum", "rs1024_verify_checksum"]
