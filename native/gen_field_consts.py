"""Generate native/field_consts.inc: Montgomery constants for the field core and BLS12-381.

Run from the repository root with py_ecc installed (for the RFC 9380 isogeny constants):
    python native/gen_field_consts.py > native/field_consts.inc
    python native/gen_field_consts.py bls > native/bls_consts.inc
    python native/gen_field_consts.py curves > native/curve_consts.inc
The output is committed; the build never runs this script.
"""
from __future__ import annotations

import sys

from py_ecc.optimized_bls12_381 import constants as iso

P381 = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
R381 = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
P256P = 2**256 - 2**224 + 2**192 + 2**96 - 1
P256N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P25519 = 2**255 - 19
L25519 = 2**252 + 27742317777372353535851937790883648493
P448 = 2**448 - 2**224 - 1
Q448 = 2**446 - 13818066809895115352007386748515426880336692474882178609894547503885
K1P = 2**256 - 2**32 - 977
K1N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
# RFC 8032 section 5.1.3: sqrt(-1) mod 2^255 - 19 (the square root 2^((p-1)/4))
SQRT_M1_25519 = pow(2, (P25519 - 1) // 4, P25519)

# id, name, modulus, limbs  (the order is the ABI: native_field.py mirrors it)
FIELDS = [
    ("bls12_381_fp", P381, 6),
    ("bls12_381_fr", R381, 4),
    ("p256_p", P256P, 4),
    ("p256_n", P256N, 4),
    ("curve25519_p", P25519, 4),
    ("ed25519_l", L25519, 4),
    ("ed448_p", P448, 7),
    ("ed448_q", Q448, 7),
    ("secp256k1_p", K1P, 4),
    ("secp256k1_n", K1N, 4),
]


def limbs(v: int, n: int) -> str:
    assert 0 <= v < 2 ** (64 * n)
    return "{" + ", ".join(f"0x{(v >> (64 * i)) & (2**64 - 1):016x}ULL" for i in range(n)) + "}"


def legendre(a: int, p: int) -> int:
    return pow(a, (p - 1) // 2, p)


def field_entry(name: str, p: int, n: int) -> str:
    R = 2 ** (64 * n)
    n0 = (-pow(p, -1, 2**64)) % 2**64
    c1 = ((p - 1) & -(p - 1)).bit_length() - 1
    c2 = (p - 1) >> c1
    c3 = (c2 - 1) // 2
    z = 2
    while legendre(z, p) != p - 1:
        z += 1
    c5 = pow(z, c2, p)
    L = 8
    return (f"    {{ /* {name} */ {n}, {(p.bit_length() + 7) // 8}, {p.bit_length()}, 0x{n0:016x}ULL, {c1},\n"
            f"      {limbs(p, L)},\n      {limbs(R * R % p, L)},\n      {limbs(R % p, L)},\n"
            f"      {limbs(p - 2, L)},\n      {limbs(c3, L)},\n      {limbs(c5 * R % p, L)} }},")


# native curves: (name, kind 0 = short Weierstrass a = -3 / 1 = twisted Edwards /
#                2 = short Weierstrass a = 0, field id, order id, a, b or d, gx, gy)
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
CURVES = [
    ("p256", 0, 2, 3, -3, P256_B,
     0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
     0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5),
    ("edwards25519", 1, 4, 5, -1, -121665 * pow(121666, -1, P25519) % P25519,
     15112221349535400772501151409588531511454012693041857206046113283949847762202,
     46316835694926478169428394003475163141307993866256225615783033603165251855960),
    ("edwards448", 1, 6, 7, 1, -39081 % P448,
     224580040295924300187604334099896036246789641632564134246125461686950415467406032909029192869357953282578032075146446173674602635247710,
     298819210078481492676017930443930673437544040154080242095928241372331506189835876003536878655418784733982303233503462500531545062832660),
    ("secp256k1", 2, 8, 9, 0, 7,  # SEC 2 section 2.4.1
     0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8),
]


def curve_entries() -> list[str]:
    out = ["static const pqzk_curve_t PQZK_CURVES[] = {"]
    for name, kind, fid, oid, a, b, gx, gy in CURVES:
        p = FIELDS[fid][1]
        n = FIELDS[fid][2]
        R = 2 ** (64 * n)
        m = lambda v: limbs(v % p * R % p, 8)  # noqa: E731
        out.append(f"    {{ /* {name} */ {kind}, {fid}, {oid},\n      {m(a)},\n      {m(b)},\n      {m(gx)},\n      {m(gy)} }},")
    out.append("};")
    out.append(f"#define PQZK_NCURVES {len(CURVES)}")
    # RFC 8032 section 5.1.3 point decoding on edwards25519: x = u v^3 (u v^7)^((p-5)/8), times sqrt(-1)
    out.append(f"static const limb ED25519_SQRT_M1[8] = {limbs(SQRT_M1_25519 * 2**256 % P25519, 8)};")
    out.append(f"static const limb ED25519_PM5D8[4] = {limbs((P25519 - 5) // 8, 4)};")
    return out


def mont(v: int) -> str:
    return limbs(v % P381 * 2**384 % P381, 6)


def fp2(c: tuple[int, int]) -> str:
    return "{{" + mont(c[0]) + "}, {" + mont(c[1]) + "}}"


def fq2_int(v) -> tuple[int, int]:
    return (int(v.coeffs[0]) % P381, int(v.coeffs[1]) % P381)


def fp2_mul(a, b):
    return ((a[0] * b[0] - a[1] * b[1]) % P381, (a[0] * b[1] + a[1] * b[0]) % P381)


def fp2_pow(a, e):
    r = (1, 0)
    while e:
        if e & 1:
            r = fp2_mul(r, a)
        a = fp2_mul(a, a)
        e >>= 1
    return r


def fp2_inv(a):
    n = pow((a[0] ** 2 + a[1] ** 2) % P381, -1, P381)
    return (a[0] * n % P381, -a[1] * n % P381)


def iso_map_tables(prefix: str, maps, ctype: str, dims: str, render) -> list[str]:
    """The four RFC 9380 isogeny maps (x and y numerators and denominators) as C tables with their
    lengths, each coefficient through `render` (one element of type `ctype`, trailing `dims`)."""
    out = []
    for nm, coeffs in zip(("XNUM", "XDEN", "YNUM", "YDEN"), maps):
        out.append(f"#define {prefix}_{nm}_LEN {len(coeffs)}")
        out.append(f"static const {ctype} {prefix}_{nm}[{len(coeffs)}]{dims} = {{"
                   + ", ".join(render(c) for c in coeffs) + "};")
    return out


def main() -> None:
    out = ["/* Generated by native/gen_field_consts.py: do not edit. */"]
    out.append("static const pqzk_field_t PQZK_FIELDS[] = {")
    out += [field_entry(*f) for f in FIELDS]
    out.append("};")
    out.append(f"#define PQZK_NFIELDS {len(FIELDS)}")
    if "curves" in sys.argv[1:]:
        out = ["/* Generated by native/gen_field_consts.py curves: do not edit. */"] + curve_entries()
    if "curves" in sys.argv[1:]:
        print("\n".join(out))
        return
    if "bls" in sys.argv[1:]:
        out = ["/* Generated by native/gen_field_consts.py bls: do not edit. */"]
    else:
        print("\n".join(out))
        return
    p = P381
    out.append(f"static const limb BLS_P[6] = {limbs(p, 6)};")
    out.append(f"#define BLS_N0 0x{(-pow(p, -1, 2**64)) % 2**64:016x}ULL")
    out.append(f"static const limb BLS_R2[6] = {limbs(2**768 % p, 6)};")
    out.append(f"static const limb BLS_ONE[6] = {mont(1)};")
    out.append(f"static const limb BLS_PM2[6] = {limbs(p - 2, 6)};")
    out.append(f"static const limb BLS_PM3D4[6] = {limbs((p - 3) // 4, 6)};")
    out.append(f"static const limb BLS_PM1D2[6] = {limbs((p - 1) // 2, 6)};")
    out.append(f"static const limb BLS_PP1D4[6] = {limbs((p + 1) // 4, 6)};")
    # lazy reduction's correction constants (bls_fields.inc): U = p 2^381 >= p^2, 2U >= 2 p^2,
    # 4U, and 8U = p R (the reductions' input bound)
    out.append(f"static const limb BLS_PU1[12] = {limbs(p << 381, 12)};")
    out.append(f"static const limb BLS_PU2[12] = {limbs(p << 382, 12)};")
    out.append(f"static const limb BLS_PU4[12] = {limbs(p << 383, 12)};")
    out.append(f"static const limb BLS_PU8[12] = {limbs(p << 384, 12)};")
    out.append(f"static const limb BLS_R[4] = {limbs(R381, 4)};")
    out.append(f"static const limb BLS_B1[6] = {mont(4)};")
    out.append(f"static const limb BLS_TWO_INV[6] = {mont(pow(2, -1, p))};")
    # the 3-scaled cyclotomic squarings (bls_fields.inc): 1/3 and 3^-6
    out.append(f"static const limb BLS_INV3[6] = {mont(pow(3, -1, p))};")
    out.append(f"static const limb BLS_INV3_6[6] = {mont(pow(3, -6, p))};")
    out.append(f"static const limb BLS_THREE[6] = {mont(3)};")
    out.append(f"static const fp2 BLS_B2 = {fp2((4, 4))};")
    # generators
    g1x = 0x17F1D3A73197D7942695638C4FA9AC0FC3688C4F9774B905A14E3A3F171BAC586C55E83FF97A1AEFFB3AF00ADB22C6BB
    g1y = 0x08B3F481E3AAA0F1A09E30ED741D8AE4FCF5E095D5D00AF600DB18CB2C04B3EDD03CC744A2888AE40CAA232946C5E7E1
    from py_ecc.optimized_bls12_381 import G2 as PG2, normalize
    g2x, g2y = normalize(PG2)
    out.append(f"static const limb BLS_G1X[6] = {mont(g1x)};")
    out.append(f"static const limb BLS_G1Y[6] = {mont(g1y)};")
    out.append(f"static const fp2 BLS_G2X = {fp2(fq2_int(g2x))};")
    out.append(f"static const fp2 BLS_G2Y = {fp2(fq2_int(g2y))};")
    # beta: cube root of unity in Fp with sigma(P) = (beta x, y) = [-x^2] P on G1 (checked by tests)
    beta = pow(2, (p - 1) // 3, p)
    assert beta != 1
    import py_ecc.optimized_bls12_381 as pe
    X = -0xD201000000010000
    lam = (-X * X) % R381
    gx, gy = normalize(pe.G1)
    ex, ey = normalize(pe.multiply(pe.G1, lam))
    if int(ex) != int(gx) * beta % p:
        beta = beta * beta % p
    assert int(ex) == int(gx) * beta % p and int(ey) == int(gy)
    out.append(f"static const limb BLS_BETA[6] = {mont(beta)};")
    # psi on the twist: (x, y) -> (conj(x) * PSI_X, conj(y) * PSI_Y)
    xi = (1, 1)
    psi_x = fp2_inv(fp2_pow(xi, (p - 1) // 3))
    psi_y = fp2_inv(fp2_pow(xi, (p - 1) // 2))
    out.append(f"static const fp2 BLS_PSI_X = {fp2(psi_x)};")
    out.append(f"static const fp2 BLS_PSI_Y = {fp2(psi_y)};")
    # Frobenius on Fp12 = Fp2[w]/(w^6 - xi): (c w^i)^p = conj(c) * xi^(i(p-1)/6) w^i
    gam = [fp2_pow(xi, i * (p - 1) // 6) for i in range(6)]
    out.append("static const fp2 BLS_FROB[6] = {" + ", ".join(fp2(g) for g in gam) + "};")
    # fp12_frob's shortcuts: gamma_2 = c u, gamma_3 = d (1 + u), gamma_4 in Fp
    assert gam[2][0] == 0 and gam[3][0] == gam[3][1] and gam[4][1] == 0
    # (c w^i)^(p^2) = c * xi^(i(p^2-1)/6) w^i, the constants in Fp (gamma_3 = -1: xi is no square)
    gam2 = [fp2_pow(xi, i * (p * p - 1) // 6) for i in range(6)]
    assert all(g[1] == 0 for g in gam2) and gam2[3][0] == p - 1
    out.append("static const limb BLS_FROB2[6][6] = {" + ", ".join(mont(g[0]) for g in gam2) + "};")
    # RFC 9380 section 8.8: SSWU constants and isogeny maps
    out.append(f"static const limb ISO11_A[6] = {mont(int(iso.ISO_11_A))};")
    out.append(f"static const limb ISO11_B[6] = {mont(int(iso.ISO_11_B))};")
    out.append(f"static const limb ISO11_Z[6] = {mont(11)};")
    out += iso_map_tables("ISO11", iso.ISO_11_MAP_COEFFICIENTS, "limb", "[6]", lambda c: mont(int(c)))
    A11, B11 = int(iso.ISO_11_A), int(iso.ISO_11_B)
    out.append(f"static const limb ISO11_MBA[6] = {mont(-B11 * pow(A11, -1, p))};")
    out.append(f"static const limb ISO11_BZA[6] = {mont(B11 * pow(11 * A11, -1, p))};")
    A3, B3, Z3 = fq2_int(iso.ISO_3_A), fq2_int(iso.ISO_3_B), fq2_int(iso.ISO_3_Z)
    mba = fp2_mul(B3, fp2_inv(A3))
    out.append(f"static const fp2 ISO3_MBA = {fp2((-mba[0] % p, -mba[1] % p))};")
    out.append(f"static const fp2 ISO3_BZA = {fp2(fp2_mul(B3, fp2_inv(fp2_mul(Z3, A3))))};")
    # eprint 2019/403 section 4 (as in py_ecc): sqrt(u/v) in Fp2 with one exponentiation
    # and a^((p^2-9)/16) = a^e0 conj(a)^e1 with (e1, e0) = divmod((p^2-9)/16, p): a^p = conj(a)
    e1, e0 = divmod((p * p - 9) // 16, p)
    out.append(f"static const limb P2M9D16_E0[6] = {limbs(e0, 6)};")
    out.append(f"static const limb P2M9D16_E1[6] = {limbs(e1, 6)};")
    out.append("static const fp2 ROOTS8[4] = {" + ", ".join(fp2(fq2_int(r)) for r in iso.POSITIVE_EIGHTH_ROOTS_OF_UNITY) + "};")
    out.append("static const fp2 ETAS[4] = {" + ", ".join(fp2(fq2_int(e)) for e in iso.ETAS) + "};")
    out.append(f"static const fp2 ISO3_ZA = {fp2(fp2_mul(fq2_int(iso.ISO_3_Z), fq2_int(iso.ISO_3_A)))};")
    out.append(f"static const fp2 ISO3_A = {fp2(fq2_int(iso.ISO_3_A))};")
    out.append(f"static const fp2 ISO3_B = {fp2(fq2_int(iso.ISO_3_B))};")
    out.append(f"static const fp2 ISO3_Z = {fp2(fq2_int(iso.ISO_3_Z))};")
    out += iso_map_tables("ISO3", iso.ISO_3_MAP_COEFFICIENTS, "fp2", "", lambda c: fp2(fq2_int(c)))
    print("\n".join(out))


if __name__ == "__main__":
    main()
