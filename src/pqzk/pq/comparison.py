"""Side-by-side cost of classical, post-quantum, composite, threshold (FROST, threshold BLS,
threshold ML-DSA) and hybrid authorization, measured on this machine in one run (what
`pqzk compare` prints and plots).

Each scheme is measured by a small function; a scheme whose module or backend is missing is
reported as unavailable with the reason, never faked.
"""
from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ..errors import BackendUnavailable

MSG = b"pqzk compare: authorize transfer #42"


@dataclass
class SchemeResult:
    scheme: str
    family: str                    # classical | post-quantum | composite | threshold | hybrid
    available: bool
    reason: str = ""
    public_key_bytes: int | None = None
    signature_bytes: int | None = None
    authorization_bytes: int | None = None    # everything a verifier receives besides the key
    keygen_ms: float | None = None
    sign_ms: float | None = None
    verify_ms: float | None = None
    rounds: int | None = None
    bytes_per_party: int | None = None        # sent by each signer during one signing
    notes: str = ""
    parallel_attempts: int | None = None      # K: attempts per signing round (threshold ML-DSA)

    def as_dict(self) -> dict:
        """The result as a plain dict (for `--json` and the Markdown table)."""
        return asdict(self)


def _median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


@dataclass
class Settings:
    threshold: int = 3
    parties: int = 5
    repeat: int = 5
    composites: tuple[str, ...] = ("id-MLDSA44-Ed25519-SHA512", "id-MLDSA65-Ed25519-SHA512",
                                   "id-MLDSA65-ECDSA-P256-SHA512", "id-MLDSA65-ECDSA-P384-SHA512",
                                   "id-MLDSA87-Ed448-SHAKE256", "id-MLDSA44-RSA2048-PSS-SHA256")
    hybrid_params: str = "ML-DSA-65"
    frost_suite: str = "FROST-ED25519-SHA512-v1"
    extra: dict = field(default_factory=dict)


def _ed25519(s: Settings) -> SchemeResult:
    from cryptography.hazmat.primitives.asymmetric import ed25519
    kg, sk = _median_ms(ed25519.Ed25519PrivateKey.generate, s.repeat)
    sg, sig = _median_ms(lambda: sk.sign(MSG), s.repeat)
    pk = sk.public_key()
    vf, _ = _median_ms(lambda: pk.verify(sig, MSG), s.repeat)
    return SchemeResult("Ed25519", "classical", True, "", 32, len(sig), len(sig), kg, sg, vf, 1, len(sig), "OpenSSL")


def _ecdsa_p256(s: Settings) -> SchemeResult:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    kg, sk = _median_ms(lambda: ec.generate_private_key(ec.SECP256R1()), s.repeat)
    sg, sig = _median_ms(lambda: sk.sign(MSG, ec.ECDSA(hashes.SHA256())), s.repeat)
    pk = sk.public_key()
    vf, _ = _median_ms(lambda: pk.verify(sig, MSG, ec.ECDSA(hashes.SHA256())), s.repeat)
    return SchemeResult("ECDSA-P256", "classical", True, "", 33, 72, len(sig), kg, sg, vf, 1, len(sig),
                        "OpenSSL; DER signature ≤ 72 bytes, compressed key 33")


def _bls(s: Settings) -> SchemeResult:
    from ..threshold import bls
    kg, sk = _median_ms(lambda: bls.keygen(), s.repeat)
    pk = bls.sk_to_pk(sk)
    sg, sig = _median_ms(lambda: bls.sign(sk, MSG), s.repeat)
    vf, _ = _median_ms(lambda: bls.verify(pk, MSG, sig), s.repeat)
    return SchemeResult("BLS (min-pk)", "classical", True, "", len(pk), len(sig), len(sig), kg, sg, vf, 1, len(sig),
                        "BLS12-381, pqzk native core")


def _frost_setup(s: Settings):
    from ..threshold import frost
    suite = frost.get_ciphersuite(s.frost_suite)
    kg, (kps, pub) = _median_ms(lambda: frost.trusted_dealer_keygen(suite, s.threshold, s.parties), s.repeat)
    return frost, suite, kg, kps, pub


def _frost(s: Settings) -> SchemeResult:
    frost, suite, kg, kps, pub = _frost_setup(s)
    signers = [kps[i] for i in sorted(kps)[: s.threshold]]
    sg, sig = _median_ms(lambda: frost.sign(suite, signers, MSG), s.repeat)
    vf, _ = _median_ms(lambda: frost.verify(suite, pub, MSG, sig), s.repeat)
    g = suite.group
    per_party = 2 * g.element_size + g.scalar_size      # round 1: two commitments; round 2: one share
    return SchemeResult(f"FROST {s.threshold}-of-{s.parties}", "threshold", True, "", g.element_size, len(sig),
                        len(sig), kg, sg, vf, 2, per_party, f"{suite.name}, trusted-dealer keygen, in-process rounds")


def _tbls_setup(s: Settings):
    from ..threshold import bls
    kg, (shares, key) = _median_ms(lambda: bls.threshold_keygen(s.threshold, s.parties), s.repeat)
    return bls, kg, shares, key


def _threshold_bls(s: Settings) -> SchemeResult:
    bls, kg, shares, key = _tbls_setup(s)
    chosen = [shares[i] for i in sorted(shares)[: s.threshold]]

    def sign():
        return bls.combine(key, MSG, [bls.partial_sign(sh, MSG) for sh in chosen])
    sg, sig = _median_ms(sign, s.repeat)
    pk = key.group_public_key
    vf, _ = _median_ms(lambda: bls.verify(pk, MSG, sig), s.repeat)
    return SchemeResult(f"threshold BLS {s.threshold}-of-{s.parties}", "threshold", True, "", len(pk), len(sig),
                        len(sig), kg, sg, vf, 1, len(sig), "sign = partials + verified combine")


def _mldsa(params: str) -> Callable[[Settings], SchemeResult]:
    def run(s: Settings) -> SchemeResult:
        from . import mldsa
        from .params import MLDSA
        p = MLDSA[params]
        kg, sk = _median_ms(lambda: mldsa.keygen(params), s.repeat)
        sk._handles.clear()
        sg, sig = _median_ms(lambda: mldsa.sign(params, sk, MSG), s.repeat)
        vf, _ = _median_ms(lambda: mldsa.verify(params, sk.public_key, MSG, sig), s.repeat)
        return SchemeResult(params, "post-quantum", True, "", p.public_key_size, p.signature_size, len(sig),
                            kg, sg, vf, 1, len(sig), "FIPS 204, openssl backend")
    return run


def _composite(name: str) -> Callable[[Settings], SchemeResult]:
    def run(s: Settings) -> SchemeResult:
        from . import composite as C
        a = C.get_algorithm(name)
        kg, sk = _median_ms(lambda: C.keygen(a), 1 if a.trad.startswith("rsa") else s.repeat)
        sg, sig = _median_ms(lambda: C.sign(sk, MSG), s.repeat)
        vf, _ = _median_ms(lambda: C.verify(sk.public_key, MSG, sig), s.repeat)
        return SchemeResult(a.short, "composite", True, "", len(sk.public_key.to_bytes()), len(sig), len(sig),
                            kg, sg, vf, 1, len(sig), "draft-ietf-lamps-pq-composite-sigs-19")
    return run


def _hybrid_quorum(s: Settings) -> SchemeResult:
    from . import hybrid as H, mldsa
    from .params import MLDSA
    frost, suite, kg_c, kps, pub = _frost_setup(s)
    scheme = H.FrostScheme(suite, pub)
    kg_q, keys = _median_ms(lambda: {i: mldsa.keygen(s.hybrid_params) for i in range(1, s.parties + 1)}, 1)
    roster = H.Roster(s.hybrid_params, {i: k.public_key for i, k in keys.items()}, s.threshold)
    ids = sorted(kps)[: s.threshold]
    sg, qc = _median_ms(lambda: H.authorize_quorum(scheme, [kps[i] for i in ids], roster,
                                                   {i: keys[i] for i in ids}, MSG), s.repeat)
    vf, _ = _median_ms(lambda: H.verify_quorum(scheme, roster, MSG, qc), s.repeat)
    p = MLDSA[s.hybrid_params]
    g = suite.group
    return SchemeResult(f"hybrid quorum cert {s.threshold}-of-{s.parties}", "hybrid", True, "",
                        g.element_size + s.parties * p.public_key_size, len(qc.classical_signature) + s.threshold * p.signature_size,
                        qc.size, kg_c + kg_q, sg, vf, 2, 2 * g.element_size + g.scalar_size + p.signature_size,
                        f"FROST ({suite.name}) + {s.threshold}× {s.hybrid_params}; key = group key + roster of {s.parties}")


def _hybrid_composite(s: Settings) -> SchemeResult:
    from . import hybrid as H
    from .params import MLDSA
    from .sealing import OVERHEAD
    frost, suite, kg_c, kps, pub = _frost_setup(s)
    scheme = H.FrostScheme(suite, pub)
    kg_q, (pk, shares) = _median_ms(lambda: H.deal_pq_seed(s.hybrid_params, s.threshold, s.parties), 1)
    ids = sorted(kps)[: s.threshold]
    sg, auth = _median_ms(lambda: H.authorize_composite(scheme, [kps[i] for i in ids], pk, shares[: s.threshold],
                                                        MSG, s.threshold), s.repeat)
    vf, _ = _median_ms(lambda: H.verify_composite(scheme, pk, MSG, auth), s.repeat)
    p = MLDSA[s.hybrid_params]
    g = suite.group
    return SchemeResult(f"hybrid composite {s.threshold}-of-{s.parties}", "hybrid", True, "",
                        g.element_size + p.public_key_size, len(auth.classical_signature) + p.signature_size, auth.size,
                        kg_c + kg_q, sg, vf, 2, 2 * g.element_size + g.scalar_size + 32 + OVERHEAD,
                        f"FROST + one {s.hybrid_params} from a Shamir-shared seed (sealed seed share sent to the combiner)")


THRESHOLD_MLDSA_SETS = ("ML-DSA-44", "ML-DSA-65")


def _threshold_mldsa_unsupported(s: Settings) -> str:
    if not 2 <= s.threshold <= s.parties <= 6:
        return "threshold ML-DSA covers 2 ≤ t ≤ n ≤ 6 (the parameters of eprint 2026/013)"
    return ""


def _threshold_mldsa_sign(params: str, s: Settings, message_of=lambda pub: MSG, ctx: bytes = b""):
    """Dealer keygen, then `repeat` in-process signings by parties 1..t: (keygen ms, sign ms, the
    key, the signing records)."""
    from ..threshold import mldsa as tm
    kg, (pub, shares) = _median_ms(lambda: tm.trusted_dealer_keygen(params, s.threshold, s.parties), s.repeat)
    quorum = list(range(1, s.threshold + 1))
    runs = []

    def sign():
        runs.append(tm.sign_local(pub, shares, quorum, message_of(pub), ctx))
    sg, _ = _median_ms(sign, s.repeat)
    return kg, sg, pub, shares, runs


def _threshold_notes(pub, runs) -> str:
    rounds = statistics.mean(r.rounds for r in runs)
    return (f"eprint 2026/013, trusted dealer; K = {pub.params.K} attempts per signing round, "
            f"{rounds:.2f} signing rounds per signature observed (restarts included in sign ms and B/party); "
            "the output is one standard FIPS 204 signature")


def _threshold_mldsa(params: str) -> Callable[[Settings], SchemeResult]:
    def run(s: Settings) -> SchemeResult:
        from . import mldsa
        from .params import MLDSA
        name = f"threshold {params} {s.threshold}-of-{s.parties}"
        why = _threshold_mldsa_unsupported(s)
        if why:
            return SchemeResult(name, "threshold", False, why)
        kg, sg, pub, _, runs = _threshold_mldsa_sign(params, s)
        sig = runs[-1].signature
        vf, _ = _median_ms(lambda: mldsa.verify(params, pub.public_key, MSG, sig), s.repeat)
        p = MLDSA[params]
        per_party = round(statistics.mean(r.bytes_sent[1] for r in runs))
        return SchemeResult(name, "threshold", True, "", p.public_key_size, p.signature_size, len(sig), kg, sg, vf,
                            3, per_party, _threshold_notes(pub, runs), pub.params.K)
    return run


def _hybrid_threshold_mldsa(s: Settings) -> SchemeResult:
    from . import hybrid as H
    from .params import MLDSA
    name = f"hybrid threshold ML-DSA {s.threshold}-of-{s.parties}"
    why = _threshold_mldsa_unsupported(s)
    if why:
        return SchemeResult(name, "hybrid", False, why)
    frost, suite, kg_c, kps, pub = _frost_setup(s)
    scheme = H.FrostScheme(suite, pub)
    ids = sorted(kps)[: s.threshold]
    kg_t, sg_t, committee, _, runs = _threshold_mldsa_sign(
        s.hybrid_params, s, lambda c: H.threshold_mldsa_representative(scheme, c, MSG), H.THRESHOLD_MLDSA_CTX)
    rep = H.threshold_mldsa_representative(scheme, committee, MSG)
    sg_c, classical = _median_ms(lambda: scheme.sign([kps[i] for i in ids], rep), s.repeat)
    auth = H.ThresholdMLDSAAuthorization(classical, runs[-1].signature)
    vf, _ = _median_ms(lambda: H.verify_threshold_mldsa(scheme, committee, MSG, auth), s.repeat)
    p = MLDSA[s.hybrid_params]
    g = suite.group
    per_party = 2 * g.element_size + g.scalar_size + round(statistics.mean(r.bytes_sent[1] for r in runs))
    return SchemeResult(name, "hybrid", True, "", g.element_size + p.public_key_size,
                        len(classical) + p.signature_size, auth.size, kg_c + kg_t, sg_c + sg_t, vf, 3, per_party,
                        f"FROST ({suite.name}) + one {s.hybrid_params} by the threshold committee; "
                        "FROST's 2 rounds can run beside the committee's 3 (the policy flow runs them one after "
                        "the other); " + _threshold_notes(committee, runs), committee.params.K)


def schemes(s: Settings) -> list[tuple[str, str, Callable[[Settings], SchemeResult]]]:
    """Every scheme the comparison measures for these settings: name, family, and the function that measures
    it."""
    rows: list[tuple[str, str, Callable[[Settings], SchemeResult]]] = [
        ("Ed25519", "classical", _ed25519), ("ECDSA-P256", "classical", _ecdsa_p256),
        ("BLS (min-pk)", "classical", _bls),
        (f"FROST {s.threshold}-of-{s.parties}", "threshold", _frost),
        (f"threshold BLS {s.threshold}-of-{s.parties}", "threshold", _threshold_bls),
    ]
    rows += [(f"threshold {p} {s.threshold}-of-{s.parties}", "threshold", _threshold_mldsa(p))
             for p in THRESHOLD_MLDSA_SETS]
    rows += [(p, "post-quantum", _mldsa(p)) for p in ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87")]
    rows += [(c.removeprefix("id-"), "composite", _composite(c)) for c in s.composites]
    rows += [(f"hybrid quorum cert {s.threshold}-of-{s.parties}", "hybrid", _hybrid_quorum),
             (f"hybrid composite {s.threshold}-of-{s.parties}", "hybrid", _hybrid_composite),
             (f"hybrid threshold ML-DSA {s.threshold}-of-{s.parties}", "hybrid", _hybrid_threshold_mldsa)]
    return rows


def run(settings: Settings | None = None, progress: Callable[[str], None] | None = None,
        only: Callable[[str], bool] | None = None) -> list[SchemeResult]:
    """Measure every scheme (or those whose name `only` accepts); missing ones come back with
    available=False and the reason."""
    s = settings or Settings()
    out = []
    for name, family, fn in schemes(s):
        if only is not None and not only(name):
            continue
        if progress:
            progress(name)
        try:
            out.append(fn(s))
        except (ImportError, BackendUnavailable, AttributeError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            out.append(SchemeResult(name, family, False, reason))
    return out


def machine() -> dict:
    """The machine a comparison ran on (architecture, processor, CPUs, Python), printed beside the numbers."""
    import platform
    return {"machine": platform.machine(), "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "python": platform.python_version()}
