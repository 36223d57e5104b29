"""Parameter sets of ML-DSA (FIPS 204 §4, Table 1–2) and ML-KEM (FIPS 203 §8, Table 2–3) as data."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidParameter


@dataclass(frozen=True)
class MLDSAParams:
    name: str               # "ML-DSA-65"
    public_key_size: int
    expanded_key_size: int  # FIPS 204 skEncode length
    signature_size: int
    lam: int                # collision strength λ (bits); c~ has λ/4 bytes
    oid: str


@dataclass(frozen=True)
class MLKEMParams:
    name: str               # "ML-KEM-768"
    encaps_key_size: int
    decaps_key_size: int    # expanded dk (FIPS 203 ML-KEM.KeyGen_internal output)
    ciphertext_size: int
    oid: str


SEED_SIZE_MLDSA = 32       # ξ, FIPS 204 Algorithm 1
SEED_SIZE_MLKEM = 64       # d || z, FIPS 203 §7.1
MAX_CONTEXT = 255          # FIPS 204 §5.2: |ctx| ≤ 255

MLDSA = {
    p.name: p for p in (
        MLDSAParams("ML-DSA-44", 1312, 2560, 2420, 128, "2.16.840.1.101.3.4.3.17"),
        MLDSAParams("ML-DSA-65", 1952, 4032, 3309, 192, "2.16.840.1.101.3.4.3.18"),
        MLDSAParams("ML-DSA-87", 2592, 4896, 4627, 256, "2.16.840.1.101.3.4.3.19"),
    )
}

MLKEM = {
    p.name: p for p in (
        MLKEMParams("ML-KEM-512", 800, 1632, 768, "2.16.840.1.101.3.4.4.1"),
        MLKEMParams("ML-KEM-768", 1184, 2400, 1088, "2.16.840.1.101.3.4.4.2"),
        MLKEMParams("ML-KEM-1024", 1568, 3168, 1568, "2.16.840.1.101.3.4.4.3"),
    )
}


def lookup_params(table: dict, params, what: str):
    """`params` itself when it is one of `table`'s parameter sets, else the set it names; an unknown
    name is InvalidParameter listing the known ones (`what`: "ML-DSA", "ML-KEM")."""
    if isinstance(params, tuple(type(p) for p in table.values())):
        return params
    try:
        return table[params]
    except (KeyError, TypeError):
        raise InvalidParameter(f"unknown {what} parameter set {params!r}; expected one of {sorted(table)}") from None


def mldsa_params(params: str | MLDSAParams) -> MLDSAParams:
    """The ML-DSA parameter set named (or given)."""
    return lookup_params(MLDSA, params, "ML-DSA")


def mlkem_params(params: str | MLKEMParams) -> MLKEMParams:
    """The ML-KEM parameter set named (or given)."""
    return lookup_params(MLKEM, params, "ML-KEM")
