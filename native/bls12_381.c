/* BLS12-381: G1, G2, hash to curve (RFC 9380), optimal ate pairing. ABI in pqzk_bls.h. */
#include <stdlib.h>
#include "pqzk_bls.h"
#include "bls_fields.inc"

#define FE fp
#define F(op) fp_##op
#define PT g1
#define P(op) g1_##op
#define CURVE_B CFP(BLS_B1)
#include "jacobian.inc"
static inline void fp_mul12(fp *r, const fp *a) { fp t; fp_add(&t, a, a); fp_add(&t, &t, &t); fp_add(r, &t, &t); fp_add(r, r, &t); }
#define MUL_B3(r, a) fp_mul12(r, a)   /* 3b = 12 */
#include "proj_ct.inc"
#include "group_undef.inc"
#define FE fp2
#define F(op) fp2_##op
#define PT g2
#define P(op) g2_##op
#define CURVE_B (&BLS_B2)
#include "jacobian.inc"
static inline void fp2_mul_b3(fp2 *r, const fp2 *a) { fp_mul12(&r->c0, &a->c0); fp_mul12(&r->c1, &a->c1); fp2_mul_xi(r, r); }
#define MUL_B3(r, a) fp2_mul_b3(r, a)   /* 3b' = 12 (1 + u) */
#include "proj_ct.inc"
#include "group_undef.inc"

int pqzk_bls_sizes(int which) {
    switch (which) { case 1: return (int)sizeof(g1); case 2: return (int)sizeof(g2); case 3: return (int)sizeof(fp12); default: return -1; }
}

/* ---------------------------------------------------------------- scalars */
/* 32-byte big-endian -> 4 limbs; returns 1 when < r */
static int scalar_load(limb k[4], const uint8_t *in) {
    for (int i = 0; i < 4; i++) k[i] = 0;
    for (int i = 0; i < 32; i++) { int j = 31 - i; k[j / 8] |= (limb)in[i] << (8 * (j % 8)); }
    limb borrow = 0;
    for (int i = 0; i < 4; i++) { u128 d = (u128)k[i] - BLS_R[i] - borrow; borrow = (limb)(d >> 64) & 1; }
    return (int)borrow;
}
/* q = k / d, rem = k mod d for k < 2^256 and d < 2^128, by constant-time binary long division */
static void ct_divmod(limb q[4], limb rem[2], const limb k[4], const limb d[2]) {
    limb rr[3] = {0, 0, 0};
    q[0] = q[1] = q[2] = q[3] = 0;
    for (int i = 255; i >= 0; i--) {
        rr[2] = (rr[2] << 1) | (rr[1] >> 63); rr[1] = (rr[1] << 1) | (rr[0] >> 63);
        rr[0] = (rr[0] << 1) | ((k[i / 64] >> (i % 64)) & 1);
        limb t[3], b;
        u128 x = (u128)rr[0] - d[0]; t[0] = (limb)x; b = (limb)(x >> 64) & 1;
        x = (u128)rr[1] - d[1] - b; t[1] = (limb)x; b = (limb)(x >> 64) & 1;
        x = (u128)rr[2] - b; t[2] = (limb)x; b = (limb)(x >> 64) & 1;
        limb m = (limb)0 - (b ^ 1);
        for (int j = 0; j < 3; j++) rr[j] = (t[j] & m) | (rr[j] & ~m);
        q[i / 64] |= (b ^ 1) << (i % 64);
    }
    rem[0] = rr[0]; rem[1] = rr[1];
}
/* Signed 5-bit digits in [-16, 16] of a value of nl limbs (nwin * 5 > its bit length), most
 * significant first, by a branch-free carry: a chunk plus carry above 16 becomes chunk - 32. */
static void digits5_signed(int8_t *out, const limb *k, int nl, int nwin) {
    int carry = 0;
    for (int w = 0; w < nwin; w++) {
        int chunk = 0;
        for (int b = 0; b < 5; b++) {
            int bit = 5 * w + b;   /* public positions */
            if (bit < 64 * nl) chunk |= (int)((k[bit / 64] >> (bit % 64)) & 1) << b;
        }
        int t = chunk + carry;
        carry = (int)((unsigned)(16 - t) >> 31);   /* t > 16 */
        out[nwin - 1 - w] = (int8_t)(t - 32 * carry);
    }
}

/* ---------------------------------------------------------------- endomorphisms */
static void g1_sigma(g1 *r, const g1 *a) { *r = *a; fp_mul(&r->X, &a->X, CFP(BLS_BETA)); }
static void g2_psi(g2 *r, const g2 *a) {
    fp2 t;
    fp2_conj(&t, &a->X); fp2_mul(&r->X, &t, &BLS_PSI_X);
    fp2_conj(&t, &a->Y); fp2_mul(&r->Y, &t, &BLS_PSI_Y);
    fp2_conj(&r->Z, &a->Z);
}

/* k*P on G1 by GLV: sigma(P) = [-x^2]P, k = k0 + k1 x^2, kP = k0 P + k1 sigma(-P) */
static void g1_mul_ct(g1 *r, const g1 *a, const limb k[4]) {
    u128 x2 = (u128)BLS_X_ABS * BLS_X_ABS;
    limb d[2] = {(limb)x2, (limb)(x2 >> 64)}, q[4], rem[2];
    ct_divmod(q, rem, k, d);
    g1 tab[2][17];
    g1_window_table(tab[0], a);
    for (int i = 0; i < 17; i++) { g1 t; g1_neg(&t, &tab[0][i]); g1_sigma(&tab[1][i], &t); }
    int8_t dg[52];   /* two halves below 2^128: 26 signed 5-bit digits each */
    digits5_signed(dg, rem, 2, 26); digits5_signed(dg + 26, q, 2, 26);
    g1_mul_window(r, tab, 2, dg, 26);
}
/* k*Q on G2 by GLS: psi(Q) = [x]Q, k = sum k_i |x|^i, [|x|^i]Q = (-psi)^i(Q) */
static void g2_mul_ct(g2 *r, const g2 *a, const limb k[4]) {
    limb d[2] = {BLS_X_ABS, 0}, q[4], rem[2], cur[4] = {k[0], k[1], k[2], k[3]}, part[4][1];
    for (int i = 0; i < 3; i++) { ct_divmod(q, rem, cur, d); part[i][0] = rem[0]; memcpy(cur, q, sizeof cur); }
    part[3][0] = cur[0];
    g2 tab[4][17];
    g2_window_table(tab[0], a);
    for (int j = 1; j < 4; j++)
        for (int i = 0; i < 17; i++) { g2 t; g2_psi(&t, &tab[j - 1][i]); g2_neg(&tab[j][i], &t); }
    int8_t dg[52];   /* four parts below 2^64: 13 signed 5-bit digits each */
    for (int i = 0; i < 4; i++) digits5_signed(dg + 13 * i, part[i], 1, 13);
    g2_mul_window(r, tab, 4, dg, 13);
}

/* ---------------------------------------------------------------- multi-scalar multiplication */
/* k = sum_i d_i |x|^i with 0 <= d_i < |x| (k < r < |x|^4); variable time (public scalars only) */
static void base_x_digits_vartime(limb d[4], const limb k[4]) {
    limb cur[4] = {k[0], k[1], k[2], k[3]};
    for (int i = 0; i < 3; i++) {
        limb rem = 0;
        for (int j = 3; j >= 0; j--) {
            u128 t = ((u128)rem << 64) | cur[j];
            cur[j] = (limb)(t / BLS_X_ABS); rem = (limb)(t % BLS_X_ABS);
        }
        d[i] = rem;
    }
    d[3] = cur[0];
}
static void g1_endo_affine(fp *x, fp *y) { fp_mul(x, x, CFP(BLS_BETA)); fp_neg(y, y); }   /* sigma(-P) = [x^2]P */
static void g2_endo_affine(fp2 *x, fp2 *y) {                                             /* -psi(Q) = [|x|]Q */
    fp2 t;
    fp2_conj(&t, x); fp2_mul(x, &t, &BLS_PSI_X);
    fp2_conj(&t, y); fp2_mul(y, &t, &BLS_PSI_Y); fp2_neg(y, y);
}
/* the same maps on Jacobian or projective (X, Y, Z): both scale X and Y alike (the constant-time msm) */
static void g1_endo(g1 *p) { g1_neg(p, p); g1_sigma(p, p); }
static void g2_endo(g2 *p) { g2_psi(p, p); g2_neg(p, p); }
/* sum k_i P_i with k_i = a_i + b_i x^2 (GLV, 128-bit halves), variable time (public inputs) */
static int g1_msm_vt(g1 *r, const g1 *pts, const limb (*k)[4], size_t n) {
    limb (*parts)[4] = calloc(2 * (n ? n : 1), sizeof(limb[4]));
    if (!parts) return -1;
    for (size_t i = 0; i < n; i++) {
        limb d[4]; base_x_digits_vartime(d, k[i]);
        for (int h = 0; h < 2; h++) {   /* d_2h + d_2h+1 |x| */
            u128 v = (u128)d[2 * h + 1] * BLS_X_ABS + d[2 * h];
            parts[2 * i + h][0] = (limb)v; parts[2 * i + h][1] = (limb)(v >> 64);
        }
    }
    int rc = g1_msm_endo(r, pts, (const limb (*)[4])parts, n, 2, 128, g1_endo_affine);
    free(parts);
    return rc;
}
/* sum k_i Q_i with k_i = sum_j d_ij |x|^j (GLS, 64-bit parts), variable time (public inputs) */
static int g2_msm_vt(g2 *r, const g2 *pts, const limb (*k)[4], size_t n) {
    limb (*parts)[4] = calloc(4 * (n ? n : 1), sizeof(limb[4]));
    if (!parts) return -1;
    for (size_t i = 0; i < n; i++) {
        limb d[4]; base_x_digits_vartime(d, k[i]);
        for (int j = 0; j < 4; j++) parts[4 * i + j][0] = d[j];
    }
    int rc = g2_msm_endo(r, pts, (const limb (*)[4])parts, n, 4, 64, g2_endo_affine);
    free(parts);
    return rc;
}

/* ---------------------------------------------------------------- constant-time multi-scalar multiplication */
/* sum k_i P_i for SECRET scalars: each k_i split as in g1_mul_ct / g2_mul_ct (constant-time
 * division), then the projective ladder of proj_ct.inc over the tables of CT_CHUNK points at a
 * time, which share its doublings; complete additions throughout, so repeated or related points
 * are fine. Returns 0, or -1 when memory runs out. */
#define G1_CT_CHUNK 16   /* 2 x 16 tables of 17 G1 points: 78 KB */
#define G2_CT_CHUNK 8    /* 4 x 8 tables of 17 G2 points: 157 KB */
typedef struct { const void *pts; const limb (*k)[4]; } msm_ct_ctx;
static void g1_msm_ct_prep(const void *ctx, size_t i, g1 (*tab)[17], int8_t *dg) {   /* k = rem + q x^2 */
    const msm_ct_ctx *c = ctx;
    u128 x2 = (u128)BLS_X_ABS * BLS_X_ABS;
    limb d[2] = {(limb)x2, (limb)(x2 >> 64)}, q[4], rem[2];
    ct_divmod(q, rem, c->k[i], d);
    g1 b; g1_proj_from_jac(&b, (const g1 *)c->pts + i);
    g1_proj_table(tab[0], &b);
    for (int e = 0; e < 17; e++) { tab[1][e] = tab[0][e]; g1_endo(&tab[1][e]); }   /* sigma(-P) = [x^2]P */
    digits5_signed(dg, rem, 2, 26); digits5_signed(dg + 26, q, 2, 26);
}
static void g2_msm_ct_prep(const void *ctx, size_t i, g2 (*tab)[17], int8_t *dg) {   /* k = sum_j k_j |x|^j */
    const msm_ct_ctx *c = ctx;
    limb d[2] = {BLS_X_ABS, 0}, q[4], rem[2], cur[4], part[4][1];
    memcpy(cur, c->k[i], sizeof cur);
    for (int j = 0; j < 3; j++) { ct_divmod(q, rem, cur, d); part[j][0] = rem[0]; memcpy(cur, q, sizeof cur); }
    part[3][0] = cur[0];
    g2 b; g2_proj_from_jac(&b, (const g2 *)c->pts + i);
    g2_proj_table(tab[0], &b);
    for (int j = 1; j < 4; j++)   /* [|x|^j]Q = (-psi)^j(Q) */
        for (int e = 0; e < 17; e++) { tab[j][e] = tab[j - 1][e]; g2_endo(&tab[j][e]); }
    for (int j = 0; j < 4; j++) digits5_signed(dg + 13 * j, part[j], 1, 13);
}
static int g1_msm_ct(g1 *r, const g1 *pts, const limb (*k)[4], size_t n) {
    msm_ct_ctx c = {pts, k};
    return g1_proj_msm(r, n, G1_CT_CHUNK, 2, 26, g1_msm_ct_prep, &c);
}
static int g2_msm_ct(g2 *r, const g2 *pts, const limb (*k)[4], size_t n) {
    msm_ct_ctx c = {pts, k};
    return g2_proj_msm(r, n, G2_CT_CHUNK, 4, 13, g2_msm_ct_prep, &c);
}

/* ---------------------------------------------------------------- subgroup checks (Scott) */
static limb g1_subgroup(const g1 *a) {
    g1 s, t;
    g1_sigma(&s, a);
    g1_mul_u64(&t, a, BLS_X_ABS); g1_mul_u64(&t, &t, BLS_X_ABS); g1_neg(&t, &t);
    return g1_eq(&s, &t);
}
static limb g2_subgroup(const g2 *a) {
    g2 s, t;
    g2_psi(&s, a);
    g2_mul_u64(&t, a, BLS_X_ABS); g2_neg(&t, &t);
    return g2_eq(&s, &t);
}

/* ---------------------------------------------------------------- encodings (ZCash) */
/* a coordinate in the ZCash layout: Fp 48 bytes big-endian, Fp2 c1 || c0; from_zcash returns 1
 * when canonical. The encoders and decoders themselves are group_abi.inc's. */
static int fp_from_zcash(fp *r, const uint8_t *in) { return fp_from_bytes(r, in); }
static void fp_to_zcash(uint8_t *out, const fp *a) { fp_to_bytes(out, a); }
static int fp2_from_zcash(fp2 *r, const uint8_t *in) { return fp_from_bytes(&r->c1, in) & fp_from_bytes(&r->c0, in + 48); }
static void fp2_to_zcash(uint8_t *out, const fp2 *a) { fp_to_bytes(out, &a->c1); fp_to_bytes(out + 48, &a->c0); }
/* flags: returns -1 for malformed flags, 1 for a valid infinity, 0 to go on */
static int parse_flags(const uint8_t *in, size_t len, size_t clen, int *sign) {
    int c = in[0] >> 7, inf = (in[0] >> 6) & 1, s = (in[0] >> 5) & 1;
    if (c != (len == clen)) return -1;
    if (inf) {
        if (s || (in[0] & 0x1f)) return -1;
        for (size_t i = 1; i < len; i++) if (in[i]) return -1;
        return 1;
    }
    if (!c && s) return -1;
    *sign = s;
    return 0;
}

/* ---------------------------------------------------------------- hash to curve (RFC 9380) */
/* section 6.6.2 simplified SWU on the isogenous curve, then the 11-isogeny (appendix E.2) */
static void g1_sswu_iso(g1 *r, const fp *u) {
    fp t, tv1, x1, x2, gx1, gx2, y, ny, one;
    fp_set_one(&one);
    fp_sqr(&t, u); fp_mul(&t, &t, CFP(ISO11_Z));                 /* Z u^2 */
    fp_sqr(&tv1, &t); fp_add(&tv1, &tv1, &t); fp_inv(&tv1, &tv1); /* inv0(Z^2 u^4 + Z u^2) */
    limb e = fp_is_zero(&tv1);
    fp_add(&x1, &tv1, &one); fp_mul(&x1, &x1, CFP(ISO11_MBA));
    fp_sel(&x1, CFP(ISO11_BZA), &x1, e);
    fp_sqr(&gx1, &x1); fp_add(&gx1, &gx1, CFP(ISO11_A)); fp_mul(&gx1, &gx1, &x1); fp_add(&gx1, &gx1, CFP(ISO11_B));
    fp_mul(&x2, &t, &x1);
    fp_sqr(&gx2, &x2); fp_add(&gx2, &gx2, CFP(ISO11_A)); fp_mul(&gx2, &gx2, &x2); fp_add(&gx2, &gx2, CFP(ISO11_B));
    fp y1;
    limb s1 = fp_sqrt(&y1, &gx1);
    fp xs, gxs; fp_sel(&xs, &x1, &x2, s1); fp_sel(&gxs, &gx1, &gx2, s1);
    fp_sqrt(&y, &gxs);
    fp_neg(&ny, &y);
    fp_sel(&y, &ny, &y, fp_sgn0(u) ^ fp_sgn0(&y));
    /* isogeny map: Horner evaluation of the four polynomials at xs */
    fp v[4];
    const limb (*const K[4])[6] = {ISO11_XNUM, ISO11_XDEN, ISO11_YNUM, ISO11_YDEN};
    const int L[4] = {ISO11_XNUM_LEN, ISO11_XDEN_LEN, ISO11_YNUM_LEN, ISO11_YDEN_LEN};
    for (int i = 0; i < 4; i++) {
        v[i] = *CFP(K[i][L[i] - 1]);
        for (int j = L[i] - 2; j >= 0; j--) { fp_mul(&v[i], &v[i], &xs); fp_add(&v[i], &v[i], CFP(K[i][j])); }
    }
    fp d, di; fp_mul(&d, &v[1], &v[3]);
    if (fp_is_zero(&d)) { g1_set_inf(r); return; }
    fp_inv(&di, &d);
    fp_mul(&r->X, &v[0], &v[3]); fp_mul(&r->X, &r->X, &di);
    fp_mul(&r->Y, &v[2], &v[1]); fp_mul(&r->Y, &r->Y, &di); fp_mul(&r->Y, &r->Y, &y);
    fp_set_one(&r->Z);
}
/* sqrt(u/v) candidate with one exponentiation (eprint 2019/403 section 4): uv^7 (uv^15)^((p^2-9)/16)
 * times the eighth root of unity that works; returns 1 when u/v is a square. */
static limb fp2_sqrt_div(fp2 *r, const fp2 *u, const fp2 *v) {
    fp2 v2, v4, v7, v8, t1, t2, gamma;
    fp2_sqr(&v2, v); fp2_sqr(&v4, &v2); fp2_mul(&v7, &v4, &v2); fp2_mul(&v7, &v7, v); fp2_sqr(&v8, &v4);
    fp2_mul(&t1, u, &v7); fp2_mul(&t2, &t1, &v8);
    fp2_pow_frob(&gamma, &t2, P2M9D16_E0, P2M9D16_E1); fp2_mul(&gamma, &gamma, &t1);
    limb ok = 0; *r = gamma;
    for (int i = 0; i < 4; i++) {
        fp2 c, t; fp2_mul(&c, &ROOTS8[i], &gamma);
        fp2_sqr(&t, &c); fp2_mul(&t, &t, v); fp2_sub(&t, &t, u);
        limb hit = fp2_is_zero(&t) & (ok ^ 1);
        fp2_sel(r, &c, r, hit); ok |= hit;
    }
    return ok;
}
/* simplified SWU to the 3-isogenous curve, in homogeneous coordinates, then the isogeny (E.3),
 * giving a Jacobian point without any inversion */
static void g2_sswu_iso(g2 *r, const fp2 *u) {
    fp2 t2, zt2, tmp, den, num, one, v, uu, y, d2, cand2, uu2;
    fp2_set_one(&one);
    fp2_sqr(&t2, u); fp2_mul(&zt2, &ISO3_Z, &t2);
    fp2_sqr(&tmp, &zt2); fp2_add(&tmp, &tmp, &zt2);                 /* Z t^2 + Z^2 t^4 */
    fp2_mul(&den, &ISO3_A, &tmp); fp2_neg(&den, &den);
    fp2_add(&tmp, &tmp, &one); fp2_mul(&num, &ISO3_B, &tmp);
    fp2_sel(&den, &ISO3_ZA, &den, fp2_is_zero(&den));
    fp2_sqr(&d2, &den); fp2_mul(&v, &d2, &den);                       /* v = D^3 */
    fp2_sqr(&uu, &num); fp2_mul(&uu, &uu, &num);                      /* N^3 + a N D^2 + b D^3 */
    fp2_mul(&tmp, &ISO3_A, &num); fp2_mul(&tmp, &tmp, &d2); fp2_add(&uu, &uu, &tmp);
    fp2_mul(&tmp, &ISO3_B, &v); fp2_add(&uu, &uu, &tmp);
    limb ok = fp2_sqrt_div(&y, &uu, &v);
    fp2_mul(&cand2, &y, &t2); fp2_mul(&cand2, &cand2, u);             /* sqrt candidate for x1: * t^3 */
    fp2_sqr(&tmp, &zt2); fp2_mul(&tmp, &tmp, &zt2); fp2_mul(&uu2, &tmp, &uu);  /* Z^3 t^6 u */
    limb ok2 = 0;
    for (int i = 0; i < 4; i++) {
        fp2 c, t; fp2_mul(&c, &ETAS[i], &cand2);
        fp2_sqr(&t, &c); fp2_mul(&t, &t, &v); fp2_sub(&t, &t, &uu2);
        limb hit = fp2_is_zero(&t) & (ok ^ 1) & (ok2 ^ 1);
        fp2_sel(&y, &c, &y, hit); ok2 |= hit;
    }
    fp2_mul(&tmp, &num, &zt2); fp2_sel(&num, &num, &tmp, ok);         /* x1 = Z t^2 x0 when x0 fails */
    fp2 ny; fp2_neg(&ny, &y);
    fp2_sel(&y, &ny, &y, fp2_sgn0(u) ^ fp2_sgn0(&y));
    fp2_mul(&y, &y, &den);                                            /* (num : y : den) homogeneous */
    /* isogeny map, each polynomial homogenized to degree 3 in (num, den) */
    fp2 zp[4], m[4];
    fp2_set_one(&zp[0]); zp[1] = den; fp2_sqr(&zp[2], &den); fp2_mul(&zp[3], &zp[2], &den);
    const fp2 *K[4] = {ISO3_XNUM, ISO3_XDEN, ISO3_YNUM, ISO3_YDEN};
    for (int i = 0; i < 4; i++) {
        m[i] = K[i][3];
        for (int j = 2; j >= 0; j--) {
            fp2_mul(&m[i], &m[i], &num); fp2_mul(&tmp, &zp[3 - j], &K[i][j]); fp2_add(&m[i], &m[i], &tmp);
        }
    }
    fp2_mul(&m[2], &m[2], &y); fp2_mul(&m[3], &m[3], &den);
    fp2 X, Y, Z;
    fp2_mul(&Z, &m[1], &m[3]); fp2_mul(&X, &m[0], &m[3]); fp2_mul(&Y, &m[1], &m[2]);
    /* homogeneous (X:Y:Z) -> Jacobian (X Z, Y Z^2, Z); Z = 0 is the identity */
    fp2_mul(&r->X, &X, &Z); fp2_sqr(&tmp, &Z); fp2_mul(&r->Y, &Y, &tmp); r->Z = Z;
}
static void g1_clear(g1 *r, const g1 *a) { g1_mul_u64(r, a, BLS_X_ABS + 1); }  /* h_eff = 1 - x */
/* appendix G.3: [x^2 - x - 1]P + [x - 1]psi(P) + psi^2(2P) */
static void g2_clear(g2 *r, const g2 *P) {
    g2 t1, t2, t3, n;
    g2_mul_u64(&t1, P, BLS_X_ABS); g2_neg(&t1, &t1);          /* c1 * P, c1 = x < 0 */
    g2_psi(&t2, P);
    g2_dbl(&t3, P); g2_psi(&t3, &t3); g2_psi(&t3, &t3);
    g2_neg(&n, &t2); g2_add(&t3, &t3, &n);
    g2_add(&t2, &t1, &t2);
    g2_mul_u64(&t2, &t2, BLS_X_ABS); g2_neg(&t2, &t2);
    g2_add(&t3, &t3, &t2);
    g2_neg(&n, &t1); g2_add(&t3, &t3, &n);
    g2_neg(&n, P); g2_add(r, &t3, &n);
}

/* ---------------------------------------------------------------- pairing */
typedef struct { fp2 X, Y, Z; } g2proj;

/* doubling step in homogeneous coordinates (Costello, Lange, Naehrig 2010; Aranha et al. 2011,
 * section 4), line for an M-type twist: A = XY/2, B = Y^2, E = 3b'Z^2 = 3 xi (2Z)^2 (3b' = 12 xi),
 * F = 3E, G = (B + F)/2, H = (Y + Z)^2 - Y^2 - Z^2 = Y (2Z), I = E - B, J = X^2; X3 = A (B - F),
 * Y3 = G^2 - 3E^2 = G^2 - E F reduced once (both below (U, 2U) double width, fp2_sqr_wide and
 * fp2_mul_wide), Z3 = B H; the line (I, 3J, -H) scaled by -1 (an Fp factor, which the final
 * exponentiation removes) and returned as (-I, J, H) for line_at with -3 px and py. */
static void dbl_step(g2proj *T, fp2 *l0, fp2 *l1, fp2 *l2) {
    fp2 a, b, e, f, g, h, j, z2, t; fp2w gg, ef;
    fp2_add(&z2, &T->Z, &T->Z);
    fp2_sqr(&t, &z2); fp2_mul_xi(&t, &t); fp2_add(&e, &t, &t); fp2_add(&e, &e, &t);
    fp2_add(&f, &e, &e); fp2_add(&f, &f, &e);
    fp2_mul(&a, &T->X, &T->Y); fp_half(&a.c0, &a.c0); fp_half(&a.c1, &a.c1);
    fp2_sqr(&b, &T->Y);
    fp2_mul(&h, &T->Y, &z2);
    fp2_add(&g, &b, &f); fp_half(&g.c0, &g.c0); fp_half(&g.c1, &g.c1);
    fp2_sqr(&j, &T->X);
    fp2_sub(&t, &b, &f); fp2_mul(&T->X, &a, &t);
    fp2_sqr_wide(&gg, &g); fp2_mul_wide(&ef, &e, &f);
    fp2w_sub(&gg, &gg, &ef, BLS_PU1, BLS_PU2); fp2_redc(&T->Y, &gg);
    fp2_mul(&T->Z, &b, &h);
    fp2_sub(l0, &b, &e); *l1 = j; *l2 = h;
}
/* mixed addition T + Q in homogeneous coordinates (Costello, Lange, Naehrig 2010), line for an
 * M-type twist (j, -theta, lambda), returned as (j, theta, lambda) for line_at with -px and py;
 * Y3 and j are differences of two products, each reduced once */
static void add_step(g2proj *T, const fp2 *qx, const fp2 *qy, fp2 *l0, fp2 *l1, fp2 *l2) {
    fp2 theta, lambda, c, d, e, f, g, h, t; fp2w u, w;
    fp2_mul(&t, qy, &T->Z); fp2_sub(&theta, &T->Y, &t);
    fp2_mul(&t, qx, &T->Z); fp2_sub(&lambda, &T->X, &t);
    fp2_sqr(&c, &theta); fp2_sqr(&d, &lambda);
    fp2_mul(&e, &lambda, &d); fp2_mul(&f, &T->Z, &c); fp2_mul(&g, &T->X, &d);
    fp2_add(&h, &e, &f); fp2_sub(&h, &h, &g); fp2_sub(&h, &h, &g);
    fp2_mul(&T->X, &lambda, &h);
    fp2_sub(&t, &g, &h); fp2_mul_wide(&u, &t, &theta); fp2_mul_wide(&w, &e, &T->Y);   /* Y3, reduced once */
    fp2w_sub(&u, &u, &w, BLS_PU1, BLS_PU2); fp2_redc(&T->Y, &u);
    fp2_mul(&T->Z, &T->Z, &e);
    fp2_mul_wide(&u, &theta, qx); fp2_mul_wide(&w, &lambda, qy);                         /* j, likewise */
    fp2w_sub(&u, &u, &w, BLS_PU1, BLS_PU2); fp2_redc(l0, &u);
    *l1 = theta; *l2 = lambda;
}
/* the line l0 + l1 x v + l2 y v w at P: x = -3 px or -px (the steps' signs and factor folded in),
 * y = py */
static void line_at(fp2 c[3], const fp2 *l0, const fp2 *l1, const fp2 *l2, const fp *x, const fp *y) {
    c[0] = *l0; fp2_mul_fp(&c[1], l1, x); fp2_mul_fp(&c[2], l2, y);
}
/* P = (px, py) affine with mpx = -px and m3px = -3 px (set by miller_loop), Q = (qx, qy), T */
typedef struct { fp px, py, mpx, m3px; fp2 qx, qy; g2proj T; } pair_state;

/* the doubling (add = 0) or addition steps of all n pairs; their lines are multiplied into f two
 * at a time (fp12_mul_014_014), an odd one last alone. first: f is still 1, so the first line
 * product is f itself (the structure is public: n and the loop position only). */
static void miller_steps(fp12 *f, pair_state *s, size_t n, int add, int first) {
    fp2 c[2][3];
    for (size_t k = 0; k < n; k++) {
        fp2 l0, l1, l2;
        if (add) add_step(&s[k].T, &s[k].qx, &s[k].qy, &l0, &l1, &l2); else dbl_step(&s[k].T, &l0, &l1, &l2);
        line_at(c[k & 1], &l0, &l1, &l2, add ? &s[k].mpx : &s[k].m3px, &s[k].py);
        if (k == 1 && first) {   /* f = c + v d w */
            fp2 d[2]; fp12_lines_014_014(&f->c0, d, c[0], c[1]);
            memset(&f->c1.c0, 0, sizeof f->c1.c0); f->c1.c1 = d[0]; f->c1.c2 = d[1];
        } else if (k & 1) fp12_mul_014_014(f, c[0], c[1]);
    }
    if (n == 1 && first) {
        memset(f, 0, sizeof *f); f->c0.c0 = c[0][0]; f->c0.c1 = c[0][1]; f->c1.c1 = c[0][2];
    } else if (n & 1) fp12_mul_014(f, &c[0][0], &c[0][1], &c[0][2]);
}
static void miller_loop(fp12 *f, pair_state *s, size_t n) {
    fp12_set_one(f);
    for (size_t k = 0; k < n; k++) {
        s[k].T.X = s[k].qx; s[k].T.Y = s[k].qy; fp2_set_one(&s[k].T.Z);
        fp_neg(&s[k].mpx, &s[k].px); fp_add(&s[k].m3px, &s[k].mpx, &s[k].mpx); fp_add(&s[k].m3px, &s[k].m3px, &s[k].mpx);
    }
    for (int i = 62; i >= 0; i--) {
        if (i != 62) fp12_sqr(f, f);
        miller_steps(f, s, n, 0, i == 62);
        if ((BLS_X_ABS >> i) & 1) miller_steps(f, s, n, 1, 0);
    }
    fp12_conj(f, f);  /* x < 0 */
}
/* f^(3 (p^12 - 1) / r): easy part, then (x-1)^2 (x+p) (x^2+p^2-1) + 3 (eprint 2020/875).
 * vt: variable-time inversion and compressed squarings (public values: verification) */
static void final_exp_impl(fp12 *r, const fp12 *f, int vt) {
    void (*expx)(fp12 *, const fp12 *) = vt ? fp12_exp_by_x_vartime : fp12_exp_by_x;
    fp12 t0, t1, m, y0, y1, y2;
    fp12_conj(&t0, f); fp12_inv_impl(&t1, f, vt); fp12_mul(&m, &t0, &t1);   /* f^(p^6 - 1) */
    fp12_frob_n(&t0, &m, 2); fp12_mul(&m, &t0, &m);                  /* ^(p^2 + 1) */
    fp12_cyc_sqr(&y0, &m);
    expx(&y1, &m);
    fp12_conj(&y2, &m); fp12_mul(&y1, &y1, &y2);                     /* x - 1 */
    expx(&y2, &y1);
    fp12_conj(&y1, &y1); fp12_mul(&y1, &y1, &y2);                    /* (x-1)^2 */
    expx(&y2, &y1);
    fp12_frob(&y1, &y1); fp12_mul(&y1, &y1, &y2);                    /* A = (x-1)^2 (x+p) */
    fp12_mul(&m, &m, &y0);                                           /* m^3 */
    expx(&y0, &y1); expx(&y2, &y0);                                  /* A x^2 */
    fp12_frob_n(&y0, &y1, 2);                                        /* A p^2 */
    fp12_conj(&y1, &y1); fp12_mul(&y1, &y1, &y2); fp12_mul(&y1, &y1, &y0);
    fp12_mul(r, &m, &y1);
}
/* affine coordinates of the m pairs (no identities, so every Z != 0) with one Fp inversion:
 * Montgomery's trick over the G1 Z's and the norms Z0^2 + Z1^2 of the G2 Z's
 * (1/Z = conj(Z)/norm(Z)); d holds 4m scratch elements. Fixed sequence of operations for m. */
static void pair_batch_affine(pair_state *s, const g1 *P, const g2 *Q, size_t m, fp *d, int vt) {
    fp *pre = d + 2 * m, acc, t;
    for (size_t i = 0; i < m; i++) {
        d[2 * i] = P[i].Z;
        fp_sqr(&d[2 * i + 1], &Q[i].Z.c0); fp_sqr(&t, &Q[i].Z.c1); fp_add(&d[2 * i + 1], &d[2 * i + 1], &t);
    }
    fp_set_one(&acc);
    for (size_t k = 0; k < 2 * m; k++) { pre[k] = acc; fp_mul(&acc, &acc, &d[k]); }
    if (vt) fp_inv_vartime(&acc, &acc); else fp_inv(&acc, &acc);
    for (size_t k = 2 * m; k-- > 0;) { fp_mul(&t, &acc, &pre[k]); fp_mul(&acc, &acc, &d[k]); d[k] = t; }  /* d[k] = 1/d[k] */
    for (size_t i = 0; i < m; i++) {
        fp2 zi; fp2_conj(&zi, &Q[i].Z); fp2_mul_fp(&zi, &zi, &d[2 * i + 1]);
        g1_affine_zi(&s[i].px, &s[i].py, &P[i], &d[2 * i]);
        g2_affine_zi(&s[i].qx, &s[i].qy, &Q[i], &zi);
    }
}

/* ---------------------------------------------------------------- ABI */
#define LOAD(T, v, src) T v; memcpy(&v, src, sizeof v)
#define STORE(dst, v) memcpy(dst, &v, sizeof v)
/* body of the msm entry points: copy the raw points, load the scalars (-1 when one is >= r), run
 * `fn` (-2 when memory runs out) */
#define MSM_ABI(T, fn) do { \
    T *pts = malloc(sizeof(T) * (n ? n : 1)); limb (*k)[4] = malloc(sizeof(limb[4]) * (n ? n : 1)); \
    int rc = 0; T r; \
    if (!pts || !k) { rc = -2; goto done; } \
    memcpy(pts, points, sizeof(T) * n); \
    for (size_t i = 0; i < n; i++) if (!scalar_load(k[i], scalars + 32 * i)) { rc = -1; goto done; } \
    if (fn(&r, pts, (const limb (*)[4])k, n)) { rc = -2; goto done; } \
    STORE(out, r); \
done: \
    free(pts); free(k); return rc; \
} while (0)

/* x, y and u cross the ABI as the field's bytes: G1 48 bytes, G2 c0 || c1 (48 bytes each) */
static void g1_generator(g1 *g) { memcpy(&g->X, BLS_G1X, 48); memcpy(&g->Y, BLS_G1Y, 48); fp_set_one(&g->Z); }
static void g2_generator(g2 *g) { g->X = BLS_G2X; g->Y = BLS_G2Y; fp2_set_one(&g->Z); }
static int fp2_from_bytes(fp2 *r, const uint8_t *in) { return fp_from_bytes(&r->c0, in) & fp_from_bytes(&r->c1, in + 48); }

#define FE fp
#define F(op) fp_##op
#define PT g1
#define P(op) g1_##op
#define ABI(op) pqzk_g1_##op
#define CURVE_B CFP(BLS_B1)
#define SQRT_DECODE fp_sqrt
#include "group_abi.inc"
#include "group_undef.inc"
#define FE fp2
#define F(op) fp2_##op
#define PT g2
#define P(op) g2_##op
#define ABI(op) pqzk_g2_##op
#define CURVE_B (&BLS_B2)
#define SQRT_DECODE fp2_sqrt_vartime   /* encodings are public */
#include "group_abi.inc"
#include "group_undef.inc"
void pqzk_g2_psi(uint8_t *out, const uint8_t *a) { LOAD(g2, x, a); g2_psi(&x, &x); STORE(out, x); }

/* Scott's G2 test psi(Q) = [x]Q for an affine Q whose [|x|]Q is the Miller loop's T (homogeneous):
 * T = -psi(Q), T finite. The loop's steps are the complete group law away from T = +-Q and T = O,
 * which only a Q outside G2 can reach (it has order below |x| + 1 < r); there they give Z = 0,
 * which stays 0 and fails the test. */
static limb miller_t_is_minus_psi(const pair_state *s) {
    fp2 t, u, v;
    fp2_conj(&t, &s->qx); fp2_mul(&t, &t, &BLS_PSI_X); fp2_mul(&t, &t, &s->T.Z);
    fp2_conj(&u, &s->qy); fp2_mul(&u, &u, &BLS_PSI_Y); fp2_mul(&u, &u, &s->T.Z); fp2_neg(&v, &u);
    return fp2_eq(&t, &s->T.X) & fp2_eq(&v, &s->T.Y) & (fp2_is_zero(&s->T.Z) ^ 1);
}
/* prod e(P_i, Q_i) into *f (vt as in final_exp_impl); with check (n flags, or NULL) *in_g2 is 1 when
 * every flagged Q_i is in G2, tested on the Miller loop's [|x|]Q_i (an identity Q_i is; one whose
 * pair is dropped for an identity P_i by g2_subgroup). 0, or -2 when memory runs out. */
static int multi_pairing_impl(fp12 *f, const uint8_t *ps, const uint8_t *qs, size_t n, int vt,
                              const uint8_t *check, limb *in_g2) {
    size_t cap = n ? n : 1;
    pair_state *s = malloc(sizeof(pair_state) * cap);
    g1 *P = malloc(sizeof(g1) * cap); g2 *Q = malloc(sizeof(g2) * cap); fp *d = malloc(sizeof(fp) * 4 * cap);
    uint8_t *chk = malloc(cap);
    if (!s || !P || !Q || !d || !chk) { free(s); free(P); free(Q); free(d); free(chk); return -2; }
    size_t m = 0;
    limb ok = 1;
    for (size_t i = 0; i < n; i++) {  /* pairs with an identity contribute 1 and are dropped */
        memcpy(&P[m], ps + i * sizeof(g1), sizeof(g1)); memcpy(&Q[m], qs + i * sizeof(g2), sizeof(g2));
        chk[m] = check ? check[i] : 0;
        limb drop = g1_is_inf(&P[m]) | g2_is_inf(&Q[m]);
        if (drop && chk[m] && !g2_is_inf(&Q[m])) ok &= g2_subgroup(&Q[m]);
        m += (size_t)!drop;
    }
    if (m) {
        pair_batch_affine(s, P, Q, m, d, vt); miller_loop(f, s, m);
        for (size_t k = 0; k < m; k++) if (chk[k]) ok &= miller_t_is_minus_psi(&s[k]);
        final_exp_impl(f, f, vt);
    } else fp12_set_one(f);
    if (in_g2) *in_g2 = ok;
    free(s); free(P); free(Q); free(d); free(chk);
    return 0;
}
int pqzk_multi_pairing(uint8_t *out, const uint8_t *ps, const uint8_t *qs, size_t n) {
    fp12 f; int rc = multi_pairing_impl(&f, ps, qs, n, 0, NULL, NULL);
    if (rc == 0) STORE(out, f);
    return rc;
}
/* 1 when prod e(P_i, Q_i) == 1, 0 when not, -2 out of memory; variable time (verification).
 * check (n flags, or NULL): the flagged Q_i, decoded without their subgroup check, must be in G2,
 * else -4; the test reuses the Miller loop's [|x|]Q_i instead of a separate multiplication. */
int pqzk_multi_pairing_is_one(const uint8_t *ps, const uint8_t *qs, size_t n, const uint8_t *check) {
    fp12 f; limb in_g2; int rc = multi_pairing_impl(&f, ps, qs, n, 1, check, &in_g2);
    return rc ? rc : !in_g2 ? -4 : (int)fp12_is_one(&f);
}
/* test hook: the two final exponentiations (constant time, and variable time with compressed
 * squarings) of an Fp12 value in raw form */
void pqzk_final_exp_test(uint8_t *out, const uint8_t *in, int vt) {
    LOAD(fp12, f, in); final_exp_impl(&f, &f, vt); STORE(out, f);
}
void pqzk_pairing(uint8_t *out, const uint8_t *p, const uint8_t *q) { pqzk_multi_pairing(out, p, q, 1); }
/* test hook: the variable-time Fp2 inversion on canonical big-endian c0 || c1 (96 bytes);
 * -1 when not canonical */
int pqzk_fp2_inv_vartime(uint8_t *out, const uint8_t *in) {
    fp2 a;
    if (!fp_from_bytes(&a.c0, in) || !fp_from_bytes(&a.c1, in + 48)) return -1;
    fp2_inv_vartime(&a, &a);
    fp_to_bytes(out, &a.c0); fp_to_bytes(out + 48, &a.c1);
    return 0;
}
void pqzk_gt_one(uint8_t *out) { fp12 f; fp12_set_one(&f); STORE(out, f); }
void pqzk_gt_mul(uint8_t *out, const uint8_t *a, const uint8_t *b) { LOAD(fp12, x, a); LOAD(fp12, y, b); fp12_mul(&x, &x, &y); STORE(out, x); }
void pqzk_gt_inv(uint8_t *out, const uint8_t *a) { LOAD(fp12, x, a); fp12_conj(&x, &x); STORE(out, x); }  /* unitary */
/* a^k for k < r (constant-time 4-bit window with cyclotomic squarings) */
static void gt_pow_impl(fp12 *r, const fp12 *a, const limb k[4], int cyclotomic) {
    fp12 tab[16], acc;
    fp12_set_one(&tab[0]); tab[1] = *a;
    for (int i = 2; i < 16; i++) fp12_mul(&tab[i], &tab[i - 1], a);
    fp12_set_one(&acc);
    for (int w = 63; w >= 0; w--) {
        for (int i = 0; i < 4; i++) { if (cyclotomic) fp12_cyc_sqr(&acc, &acc); else fp12_sqr(&acc, &acc); }
        unsigned d = (unsigned)((k[w / 16] >> (4 * (w % 16))) & 15);
        fp12 t; fp12_set_one(&t);
        for (unsigned i = 1; i < 16; i++) {
            limb hit = 1 & ~ct_nonzero_mask((limb)(i ^ d));
            fp *dst = (fp *)&t; const fp *src = (const fp *)&tab[i];
            for (int j = 0; j < 12; j++) fp_sel(&dst[j], &src[j], &dst[j], hit);
        }
        fp12_mul(&acc, &acc, &t);
    }
    *r = acc;
}
int pqzk_gt_pow(uint8_t *out, const uint8_t *a, const uint8_t *k) {
    limb s[4]; if (!scalar_load(s, k)) return -1;
    LOAD(fp12, x, a); gt_pow_impl(&x, &x, s, 1); STORE(out, x); return 0;
}
int pqzk_gt_eq(const uint8_t *a, const uint8_t *b) { LOAD(fp12, x, a); LOAD(fp12, y, b); return (int)fp12_eq(&x, &y); }
int pqzk_gt_is_one(const uint8_t *a) { LOAD(fp12, x, a); return (int)fp12_is_one(&x); }
void pqzk_gt_to_bytes(uint8_t *out, const uint8_t *a) {
    LOAD(fp12, x, a); const fp *c = (const fp *)&x;
    for (int i = 0; i < 12; i++) fp_to_bytes(out + 48 * i, &c[i]);
}
/* canonical coefficients, and the element must have order r (x^r == 1, x != 0) */
int pqzk_gt_from_bytes(uint8_t *out, const uint8_t *in) {
    fp12 x; fp *c = (fp *)&x;
    for (int i = 0; i < 12; i++) if (!fp_from_bytes(&c[i], in + 48 * i)) return -2;
    fp12 t; limb rm1[4]; memcpy(rm1, BLS_R, sizeof rm1); rm1[0] -= 1;  /* x^(r-1) * x == 1 */
    gt_pow_impl(&t, &x, rm1, 0); fp12_mul(&t, &t, &x);
    if (!fp12_is_one(&t)) return -4;
    STORE(out, x); return 0;
}

/* Test-only: the tower kernels on raw little-endian limbs (no canonicity check), for the
 * cross-checks against Python integers (tests/native/test_bls_lazy.py). Elements are Montgomery
 * residues as stored; the double-width ones (fpw) are 12 limbs. Returns -1 on an unknown op. */
static void limbs_load_le(limb *r, const uint8_t *in, int n) {
    for (int i = 0; i < n; i++) { r[i] = 0; for (int k = 0; k < 8; k++) r[i] |= (limb)in[8 * i + k] << (8 * k); }
}
static void limbs_store_le(uint8_t *out, const limb *a, int n) {
    for (int i = 0; i < n; i++) for (int k = 0; k < 8; k++) out[8 * i + k] = (uint8_t)(a[i] >> (8 * k));
}
int pqzk_bls_kernel_test(int op, uint8_t *out, const uint8_t *a, const uint8_t *b) {
    limb x[72], y[72], r[72];
    static const int in_a[15] = {6, 12, 12, 12, 12, 36, 72, 72, 72, 72, 36, 72, 72, 72, 72};
    static const int in_b[15] = {6, 0, 12, 12, 0, 36, 72, 0, 36, 72, 36, 0, 0, 0, 0};
    static const int out_n[15] = {12, 6, 12, 12, 12, 36, 72, 72, 72, 72, 72, 72, 72, 72, 72};
    if (op < 0 || op > 14) return -1;
    limbs_load_le(x, a, in_a[op]);
    if (in_b[op]) limbs_load_le(y, b, in_b[op]);
    switch (op) {
    case 0: fp_mul_wide((fpw *)r, (const fp *)x, (const fp *)y); break;
    case 1: fp_redc((fp *)r, (const fpw *)x); break;
    case 2: fpw_sub((fpw *)r, (const fpw *)x, (const fpw *)y, BLS_PU1); break;
    case 3: fp2_mul((fp2 *)r, (const fp2 *)x, (const fp2 *)y); break;
    case 4: fp2_sqr((fp2 *)r, (const fp2 *)x); break;
    case 5: fp6_mul((fp6 *)r, (const fp6 *)x, (const fp6 *)y); break;
    case 6: fp12_mul((fp12 *)r, (const fp12 *)x, (const fp12 *)y); break;
    case 7: fp12_cyc_sqr((fp12 *)r, (const fp12 *)x); break;
    case 8: { const fp2 *c = (const fp2 *)y; memcpy(r, x, sizeof(fp12)); fp12_mul_014((fp12 *)r, &c[0], &c[1], &c[2]); break; }
    case 9: { const fp2 *c = (const fp2 *)y; memcpy(r, x, sizeof(fp12)); fp12_mul_014_014((fp12 *)r, &c[0], &c[3]); break; }
    case 10: {   /* the product of two lines, as the first Miller step sets f: c + v d w */
        fp12 *g = (fp12 *)r; fp2 d[2];
        fp12_lines_014_014(&g->c0, d, (const fp2 *)x, (const fp2 *)y);
        memset(&g->c1.c0, 0, sizeof g->c1.c0); g->c1.c1 = d[0]; g->c1.c2 = d[1];
        break;
    }
    /* the 3-scaled squarings (g0 and g4 of the compressed one are passed through) and Frobenius */
    case 11: memcpy(r, x, sizeof(fp12)); fp12_cyc_sqr_compressed((fp12 *)r, (const fp12 *)x); break;
    case 12: fp12_cyc_sqr3((fp12 *)r, (const fp12 *)x); break;
    case 13: fp12_frob((fp12 *)r, (const fp12 *)x); break;
    default: fp12_frob2((fp12 *)r, (const fp12 *)x);
    }
    limbs_store_le(out, r, out_n[op]);
    return 0;
}
