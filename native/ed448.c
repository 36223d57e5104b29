/* edwards448 (RFC 8032 section 5.2, RFC 7748 section 4.2): x^2 + y^2 = 1 + d x^2 y^2, d = -39081,
 * over the dedicated p448 field of p448.inc. Extended coordinates (Hisil, Wong, Carter, Dawson,
 * "Twisted Edwards curves revisited", 2008) with the complete formulas for a = 1, d non-square;
 * constant-time signed 5-bit fixed-window scalar multiplication with a full scan of the table and
 * one inversion at the end. pqzk_curve_* in curves.c route curve 2 (edwards448) here. */
#include "pqzk_ed448.h"
#include "ed448_internal.h"
#include "p448.inc"

static const gf ED448_D = {{0xffffffffff6756ULL, GF_MASK56, GF_MASK56, GF_MASK56,
                            GF_MASK56 - 1, GF_MASK56, GF_MASK56, GF_MASK56}};  /* -39081 mod p */
/* the prime order of the base point, 2^446 - 13818066809895115352007386748515426880336692474882178609894547503885, big-endian */
static const uint8_t ED448_ORDER_BE[56] = {
    0x3f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7c, 0xca, 0x23, 0xe9,
    0xc4, 0x4e, 0xdb, 0x49, 0xae, 0xd6, 0x36, 0x90, 0x21, 0x6c, 0xc2, 0x72, 0x8d, 0xc5, 0x8f, 0x55,
    0x23, 0x78, 0xc2, 0x92, 0xab, 0x58, 0x44, 0xf3};

typedef struct { gf X, Y, Z, T; } ed448_pt;       /* x = X/Z, y = Y/Z, x y = T/Z */
typedef struct { gf X, Y, Z, dT; } ed448_cached;  /* an addend with d T precomputed */

#define ED448_WINDOW 5
#define ED448_TABLE 16                             /* [1]P .. [16]P: |signed 5-bit digit| <= 16 */
#define ED448_DIGITS 90                            /* ceil(448 / 5): any scalar below 2^448 */

static void pt_identity(ed448_pt *r) { r->X = GF_ZERO; r->Y = GF_ONE; r->Z = GF_ONE; r->T = GF_ZERO; }

static void pt_to_cached(ed448_cached *r, const ed448_pt *p) {
    r->X = p->X; r->Y = p->Y; r->Z = p->Z; gf_mul(&r->dT, &p->T, &ED448_D);
}

/* r = p + q: add-2008-hwcd (a = 1), complete; T3 only when with_t (the next operation adds).
 * The unreduced sums and differences feed multiplications only (bounds in p448.inc). */
static void pt_add(ed448_pt *r, const ed448_pt *p, const ed448_cached *q, int with_t) {
    gf A, B, C, D, E, F, G, H, t, u;
    gf_mul(&A, &p->X, &q->X); gf_mul(&B, &p->Y, &q->Y);
    gf_mul(&C, &p->T, &q->dT); gf_mul(&D, &p->Z, &q->Z);
    gf_add_nr(&t, &p->X, &p->Y); gf_add_nr(&u, &q->X, &q->Y); gf_mul(&E, &t, &u);
    gf_sub(&E, &E, &A); gf_sub_nr(&E, &E, &B);
    gf_sub_nr(&F, &D, &C); gf_add_nr(&G, &D, &C); gf_sub_nr(&H, &B, &A);
    gf_mul(&r->X, &E, &F); gf_mul(&r->Y, &G, &H); gf_mul(&r->Z, &F, &G);
    if (with_t) gf_mul(&r->T, &E, &H);
}

/* r = 2p: dbl-2008-hwcd (a = 1), complete; reads X, Y, Z only; T3 only when with_t. 2 Z^2 is
 * reduced (a subtrahend); the other sums and differences feed multiplications only. */
static void pt_dbl(ed448_pt *r, const ed448_pt *p, int with_t) {
    gf A, B, C, E, F, G, H;
    gf_sqr(&A, &p->X); gf_sqr(&B, &p->Y); gf_sqr(&C, &p->Z); gf_add(&C, &C, &C);
    gf_add_nr(&E, &p->X, &p->Y); gf_sqr(&E, &E); gf_sub(&E, &E, &A); gf_sub_nr(&E, &E, &B);
    gf_add_nr(&G, &A, &B); gf_sub_nr(&F, &G, &C); gf_sub_nr(&H, &A, &B);
    gf_mul(&r->X, &E, &F); gf_mul(&r->Y, &G, &H); gf_mul(&r->Z, &F, &G);
    if (with_t) gf_mul(&r->T, &E, &H);
}

/* all ones when P is the identity (X = 0, Y = Z) */
static gf_word pt_is_identity(const ed448_pt *p) {
    return gf_eq(&p->X, &GF_ZERO) & gf_eq(&p->Y, &p->Z);
}

/* signed digits e[i] in [-16, 15] with k = sum e[i] 2^(5 i); k little-endian, below 2^448 (the top
 * window holds at most 3 bits plus a carry, so no carry leaves it) */
static void recode_signed5(int8_t e[ED448_DIGITS], const uint8_t k[56]) {
    int carry = 0;
    for (int i = 0; i < ED448_DIGITS; i++) {
        int w = carry;
        for (int b = 0; b < ED448_WINDOW; b++) {
            int bit = ED448_WINDOW * i + b;
            if (bit < 448) w += ((k[bit >> 3] >> (bit & 7)) & 1) << b;
        }
        carry = (w + 16) >> 5;
        e[i] = (int8_t)(w - (carry << 5));
    }
}

static inline void gf_or_masked(gf *r, const gf *a, gf_word mask) {  /* r |= a & mask */
    GF_UNROLL
    for (int i = 0; i < 8; i++) r->l[i] |= a->l[i] & mask;
}

/* r = [sign(e) |e|] P from tab[j] = [j + 1] P: every entry is read and masked in (the identity
 * for e = 0), so neither branches nor addresses depend on e */
static void table_select(ed448_cached *r, const ed448_cached tab[ED448_TABLE], int8_t e) {
    uint32_t u = (uint32_t)(int32_t)e, neg = u >> 31, abs = (u ^ (0u - neg)) + neg;
    ed448_cached s = {GF_ZERO, GF_ONE, GF_ONE, GF_ZERO};           /* local: no aliasing with tab */
    gf_word m0 = gf_word_is_zero(abs);
    s.Y.l[0] &= m0; s.Z.l[0] &= m0;                                 /* the identity for e = 0 */
    for (uint32_t j = 0; j < ED448_TABLE; j++) {
        gf_word m = gf_word_is_zero((gf_word)(abs ^ (j + 1)));
        gf_or_masked(&s.X, &tab[j].X, m); gf_or_masked(&s.Y, &tab[j].Y, m);
        gf_or_masked(&s.Z, &tab[j].Z, m); gf_or_masked(&s.dT, &tab[j].dT, m);
    }
    gf_word nm = (gf_word)0 - neg;                                    /* -(x, y) = (-x, y) */
    gf_cneg(&s.X, nm); gf_cneg(&s.dT, nm);
    *r = s;
}

/* r = [k] P, k little-endian below 2^448; constant time in k and P. r->T is set when with_t. */
static void ed448_scalarmul(ed448_pt *r, const ed448_pt *p, const uint8_t k[56], int with_t) {
    ed448_cached tab[ED448_TABLE], q;
    ed448_pt acc, t;
    int8_t e[ED448_DIGITS];
    pt_to_cached(&tab[0], p);
    pt_dbl(&t, p, 1); pt_to_cached(&tab[1], &t);
    for (int j = 2; j < ED448_TABLE; j++) {  /* [j + 1] P = [j] P + P */
        pt_add(&t, &t, &tab[0], 1); pt_to_cached(&tab[j], &t);
    }
    recode_signed5(e, k);
    pt_identity(&acc);
    for (int i = ED448_DIGITS - 1; i >= 0; i--) {
        if (i != ED448_DIGITS - 1)
            for (int b = 0; b < ED448_WINDOW; b++) pt_dbl(&acc, &acc, b == ED448_WINDOW - 1);
        table_select(&q, tab, e[i]);
        pt_add(&acc, &acc, &q, i == 0 ? with_t : 0);
    }
    *r = acc;
    memset(e, 0, sizeof e);
}

/* ---- the pqzk_curve ABI layout: flag byte (1 = identity), then x and y big-endian ---- */
static void be56_to_le(uint8_t le[56], const uint8_t *be) {
    for (int i = 0; i < 56; i++) le[i] = be[55 - i];
}

/* canonical coordinates on the curve (the point is public); -2 otherwise */
static int pt_load(ed448_pt *r, const uint8_t *in) {
    uint8_t le[56];
    gf x, y, xx, yy, lhs, rhs;
    if (in[0] > 1) return -2;
    if (in[0] == 1) { pt_identity(r); return 0; }
    be56_to_le(le, in + 1);
    if (!gf_le_is_canonical(le)) return -2;
    gf_from_le(&x, le);
    be56_to_le(le, in + 57);
    if (!gf_le_is_canonical(le)) return -2;
    gf_from_le(&y, le);
    gf_sqr(&xx, &x); gf_sqr(&yy, &y);
    gf_add(&lhs, &xx, &yy);                                            /* x^2 + y^2 */
    gf_mul(&rhs, &xx, &yy); gf_mul(&rhs, &rhs, &ED448_D); gf_add(&rhs, &rhs, &GF_ONE);
    if (!gf_eq(&lhs, &rhs)) return -2;
    r->X = x; r->Y = y; r->Z = GF_ONE; gf_mul(&r->T, &x, &y);
    return 0;
}

/* affine x, y = X/Z, Y/Z with one inversion; flag byte 0 (the identity is (0, 1)) */
static void pt_store(uint8_t *out, const ed448_pt *p) {
    gf zi, x, y;
    uint8_t le[56];
    gf_inv(&zi, &p->Z);
    gf_mul(&x, &p->X, &zi); gf_mul(&y, &p->Y, &zi);
    out[0] = 0;
    gf_to_le(le, &x);
    for (int i = 0; i < 56; i++) out[1 + i] = le[55 - i];
    gf_to_le(le, &y);
    for (int i = 0; i < 56; i++) out[57 + i] = le[55 - i];
}

/* 1 when the 56-byte big-endian k is below the group order (constant time) */
static int scalar_below_order(const uint8_t *k) {
    gf_word borrow = 0;
    for (int i = 55; i >= 0; i--) borrow = ((gf_word)k[i] - ED448_ORDER_BE[i] - borrow) >> 63;
    return (int)borrow;
}

int pqzk_ed448_mul(uint8_t *out, const uint8_t *a, const uint8_t *k) {
    ed448_pt p;
    uint8_t kl[56];
    int rc;
    if (!scalar_below_order(k)) return -1;
    if ((rc = pt_load(&p, a))) return rc;
    be56_to_le(kl, k);
    ed448_scalarmul(&p, &p, kl, 0);
    pt_store(out, &p);
    memset(kl, 0, sizeof kl);
    return 0;
}

int pqzk_ed448_add(uint8_t *out, const uint8_t *a, const uint8_t *b) {
    ed448_pt p, q;
    ed448_cached qc;
    int rc;
    if ((rc = pt_load(&p, a)) || (rc = pt_load(&q, b))) return rc;
    pt_to_cached(&qc, &q);
    pt_add(&p, &p, &qc, 0);
    pt_store(out, &p);
    return 0;
}

/* sum of k_i P_i, one constant-time scalar multiplication per term (secret scalars) */
int pqzk_ed448_msm(uint8_t *out, const uint8_t *pts, const uint8_t *ks, size_t n) {
    ed448_pt acc, p;
    ed448_cached pc;
    uint8_t kl[56];
    int rc;
    pt_identity(&acc);
    for (size_t i = 0; i < n; i++) {
        if (!scalar_below_order(ks + 56 * i)) return -1;
        if ((rc = pt_load(&p, pts + 113 * i))) return rc;
        be56_to_le(kl, ks + 56 * i);
        ed448_scalarmul(&p, &p, kl, 1);
        pt_to_cached(&pc, &p);
        pt_add(&acc, &acc, &pc, 1);
    }
    pt_store(out, &acc);
    memset(kl, 0, sizeof kl);
    return 0;
}

/* on the curve and [order] P = O (public points) */
int pqzk_ed448_check(const uint8_t *a) {
    ed448_pt p;
    uint8_t kl[56];
    int rc;
    if ((rc = pt_load(&p, a))) return rc;
    be56_to_le(kl, ED448_ORDER_BE);
    ed448_scalarmul(&p, &p, kl, 0);
    return pt_is_identity(&p) ? 0 : -4;
}

/* Test hook: one p448 operation on 56-byte little-endian values below 2^448 (not necessarily
 * reduced); out is the canonical result. op: 0 mul, 1 sqr, 2 add, 3 sub, 4 neg, 5 inv,
 * 6 canonical encoding of a, 7 (((a + b)(a - b) - b)^2 - a with the first three sums and
 * differences unreduced. Returns 0, or for op 6 whether a < p (1/0), or -1 for an unknown op. */
int pqzk_p448_op(int op, uint8_t *out, const uint8_t *a, const uint8_t *b) {
    gf x, y, r, t;
    gf_from_le(&x, a); gf_from_le(&y, b);
    switch (op) {
    case 0: gf_mul(&r, &x, &y); break;
    case 1: gf_sqr(&r, &x); break;
    case 2: gf_add(&r, &x, &y); break;
    case 3: gf_sub(&r, &x, &y); break;
    case 4: gf_neg(&r, &x); break;
    case 5: gf_inv(&r, &x); break;
    case 6: gf_to_le(out, &x); return gf_le_is_canonical(a) ? 1 : 0;
    case 7:
        gf_add_nr(&r, &x, &y); gf_sub_nr(&t, &x, &y); gf_mul(&r, &r, &t);
        gf_sub_nr(&r, &r, &y); gf_sqr(&r, &r); gf_sub(&r, &r, &x);
        break;
    default: return -1;
    }
    gf_to_le(out, &r);
    return 0;
}
