/* P-256 (Jacobian, a = -3), secp256k1 (Jacobian, a = 0) and twisted Edwards curves (extended
 * coordinates, complete addition) over the generic field core; constant-time fixed-window scalar
 * multiplication, and a variable-time Pippenger MSM for public inputs. */
#include <stdlib.h>
#include "pqzk_curves.h"
#include "ed448_internal.h"
#include "field_ops.inc"

/* kind: 0 short Weierstrass a = -3, 1 twisted Edwards (a = +-1; b holds d), 2 short Weierstrass a = 0 */
typedef struct { int kind, fid, oid; limb a[8], b[8], gx[8], gy[8]; } pqzk_curve_t;
#include "curve_consts.inc"

typedef struct { limb X[8], Y[8], Z[8], T[8]; } cpt;  /* T only for Edwards */
#define CID_ED448 2  /* edwards448: add, mul, msm and check on the dedicated p448 field of ed448.c */
typedef struct { const pqzk_curve_t *C; const pqzk_field_t *F, *N; int edwards_am1; } ctx;

static int is_edwards(const ctx *c) { return c->C->kind == 1; }

static int ctx_get(ctx *c, int cid) {
    if (cid < 0 || cid >= PQZK_NCURVES) return 0;
    c->C = &PQZK_CURVES[cid]; c->F = pqzk_field_get(c->C->fid); c->N = pqzk_field_get(c->C->oid);
    limb m1[8]; f_neg(c->F, m1, c->F->one);
    c->edwards_am1 = is_edwards(c) && f_eq(c->F, c->C->a, m1);   /* a = -1 (edwards25519) */
    return 1;
}

static void pt_identity(const ctx *c, cpt *r) {
    memset(r, 0, sizeof *r);
    f_copy(c->F, r->Y, c->F->one);
    if (is_edwards(c)) f_copy(c->F, r->Z, c->F->one);
}
static limb pt_is_identity(const ctx *c, const cpt *p) {
    if (!is_edwards(c)) return f_is_zero(c->F, p->Z);
    return f_is_zero(c->F, p->X) & f_eq(c->F, p->Y, p->Z);
}
static void pt_sel(const ctx *c, cpt *r, const cpt *a, const cpt *b, limb bit) {
    f_sel(c->F, r->X, a->X, b->X, bit); f_sel(c->F, r->Y, a->Y, b->Y, bit);
    f_sel(c->F, r->Z, a->Z, b->Z, bit); f_sel(c->F, r->T, a->T, b->T, bit);
}

/* ---- short Weierstrass, a = -3 ---- */
static void w_dbl(const ctx *c, cpt *r, const cpt *p) {  /* dbl-2001-b */
    const pqzk_field_t *F = c->F;
    limb delta[8], gamma[8], beta[8], alpha[8], t[8], u[8], X3[8], Y3[8], Z3[8];
    f_sqr(F, delta, p->Z); f_sqr(F, gamma, p->Y); f_mul(F, beta, p->X, gamma);
    f_sub(F, t, p->X, delta); f_add(F, u, p->X, delta); f_mul(F, alpha, t, u);
    f_add(F, t, alpha, alpha); f_add(F, alpha, t, alpha);
    f_sqr(F, X3, alpha); f_add(F, t, beta, beta); f_add(F, t, t, t); f_add(F, u, t, t); f_sub(F, X3, X3, u);
    f_add(F, Z3, p->Y, p->Z); f_sqr(F, Z3, Z3); f_sub(F, Z3, Z3, gamma); f_sub(F, Z3, Z3, delta);
    f_sub(F, t, t, X3); f_mul(F, Y3, alpha, t);
    f_sqr(F, u, gamma); f_add(F, u, u, u); f_add(F, u, u, u); f_add(F, u, u, u); f_sub(F, Y3, Y3, u);
    f_copy(F, r->X, X3); f_copy(F, r->Y, Y3); f_copy(F, r->Z, Z3);
}
/* ---- short Weierstrass, a = 0 ---- */
static void w0_dbl(const ctx *c, cpt *r, const cpt *p) {  /* dbl-2009-l */
    const pqzk_field_t *F = c->F;
    limb A[8], B[8], C[8], D[8], E[8], G[8], t[8], Z3[8];
    f_sqr(F, A, p->X); f_sqr(F, B, p->Y); f_sqr(F, C, B);
    f_add(F, t, p->X, B); f_sqr(F, t, t); f_sub(F, t, t, A); f_sub(F, t, t, C); f_add(F, D, t, t);
    f_add(F, E, A, A); f_add(F, E, E, A); f_sqr(F, G, E);
    f_mul(F, Z3, p->Y, p->Z); f_add(F, Z3, Z3, Z3);
    f_sub(F, r->X, G, D); f_sub(F, r->X, r->X, D);
    f_sub(F, t, D, r->X); f_mul(F, t, t, E);
    f_add(F, C, C, C); f_add(F, C, C, C); f_add(F, C, C, C);
    f_sub(F, r->Y, t, C); f_copy(F, r->Z, Z3);
}

/* ---- short Weierstrass, any a ---- */
/* add-2007-bl with constant-time handling of the identity; *dbl_case reports P == Q */
static void w_add_ct(const ctx *c, cpt *r, const cpt *p, const cpt *q, limb *dbl_case) {
    const pqzk_field_t *F = c->F;
    limb Z1Z1[8], Z2Z2[8], U1[8], U2[8], S1[8], S2[8], H[8], I[8], J[8], R[8], V[8], t[8];
    cpt s;
    f_sqr(F, Z1Z1, p->Z); f_sqr(F, Z2Z2, q->Z);
    f_mul(F, U1, p->X, Z2Z2); f_mul(F, U2, q->X, Z1Z1);
    f_mul(F, S1, p->Y, q->Z); f_mul(F, S1, S1, Z2Z2);
    f_mul(F, S2, q->Y, p->Z); f_mul(F, S2, S2, Z1Z1);
    f_sub(F, H, U2, U1); f_sub(F, R, S2, S1);
    limb pinf = f_is_zero(F, p->Z), qinf = f_is_zero(F, q->Z);
    *dbl_case = f_is_zero(F, H) & f_is_zero(F, R) & (pinf ^ 1) & (qinf ^ 1);
    f_add(F, I, H, H); f_sqr(F, I, I); f_mul(F, J, H, I); f_add(F, R, R, R); f_mul(F, V, U1, I);
    f_sqr(F, s.X, R); f_sub(F, s.X, s.X, J); f_sub(F, s.X, s.X, V); f_sub(F, s.X, s.X, V);
    f_sub(F, t, V, s.X); f_mul(F, s.Y, R, t); f_mul(F, t, S1, J); f_add(F, t, t, t); f_sub(F, s.Y, s.Y, t);
    f_add(F, s.Z, p->Z, q->Z); f_sqr(F, s.Z, s.Z); f_sub(F, s.Z, s.Z, Z1Z1); f_sub(F, s.Z, s.Z, Z2Z2);
    f_mul(F, s.Z, s.Z, H);
    pt_sel(c, &s, q, &s, pinf);
    pt_sel(c, r, p, &s, qinf & (pinf ^ 1));
}

/* ---- twisted Edwards a x^2 + y^2 = 1 + d x^2 y^2, add-2008-hwcd (complete) ---- */
static void e_add(const ctx *c, cpt *r, const cpt *p, const cpt *q) {
    const pqzk_field_t *F = c->F;
    limb A[8], B[8], C[8], D[8], E[8], G[8], H[8], Fv[8], t[8], u[8];
    f_mul(F, A, p->X, q->X); f_mul(F, B, p->Y, q->Y);
    f_mul(F, C, p->T, q->T); f_mul(F, C, C, c->C->b);
    f_mul(F, D, p->Z, q->Z);
    f_add(F, t, p->X, p->Y); f_add(F, u, q->X, q->Y); f_mul(F, E, t, u); f_sub(F, E, E, A); f_sub(F, E, E, B);
    f_sub(F, Fv, D, C); f_add(F, G, D, C);
    if (f_eq(F, c->C->a, F->one)) f_sub(F, H, B, A); else f_add(F, H, B, A);  /* a = +-1 (public) */
    f_mul(F, r->X, E, Fv); f_mul(F, r->Y, G, H); f_mul(F, r->T, E, H); f_mul(F, r->Z, Fv, G);
}

/* dbl-2008-hwcd for a = +-1; T (an input of additions only) is skipped unless want_t */
static void e_dbl_t(const ctx *c, cpt *r, const cpt *p, int want_t) {
    const pqzk_field_t *F = c->F;
    limb A[8], B[8], C[8], D[8], E[8], G[8], H[8], Fv[8];
    f_sqr(F, A, p->X); f_sqr(F, B, p->Y); f_sqr(F, C, p->Z); f_add(F, C, C, C);
    if (f_eq(F, c->C->a, F->one)) f_copy(F, D, A); else f_neg(F, D, A);
    f_add(F, E, p->X, p->Y); f_sqr(F, E, E); f_sub(F, E, E, A); f_sub(F, E, E, B);
    f_add(F, G, D, B); f_sub(F, Fv, G, C); f_sub(F, H, D, B);
    f_mul(F, r->X, E, Fv); f_mul(F, r->Y, G, H); f_mul(F, r->Z, Fv, G);
    if (want_t) f_mul(F, r->T, E, H);
}
static void e_dbl(const ctx *c, cpt *r, const cpt *p) { e_dbl_t(c, r, p, 1); }

/* ---- generic ---- */
static void pt_add_ct(const ctx *c, cpt *r, const cpt *p, const cpt *q) {  /* P != Q or either is O */
    if (is_edwards(c)) { e_add(c, r, p, q); return; }
    limb d; w_add_ct(c, r, p, q, &d);
}
static void pt_dbl(const ctx *c, cpt *r, const cpt *p) {
    if (is_edwards(c)) e_dbl(c, r, p); else if (c->C->kind == 2) w0_dbl(c, r, p); else w_dbl(c, r, p);
}
static void pt_add(const ctx *c, cpt *r, const cpt *p, const cpt *q) {  /* complete, for public points */
    if (is_edwards(c)) { e_add(c, r, p, q); return; }
    cpt s; limb d; w_add_ct(c, &s, p, q, &d);
    if (d) pt_dbl(c, r, p); else *r = s;
}
/* k < order, sb big-endian bytes; constant-time 4-bit fixed window */
static void pt_mul(const ctx *c, cpt *r, const cpt *p, const uint8_t *k, int sb) {
    cpt tab[16], acc, t;
    pt_identity(c, &tab[0]); tab[1] = *p; pt_dbl(c, &tab[2], p);
    for (int i = 3; i < 16; i++) pt_add_ct(c, &tab[i], &tab[i - 1], p);
    pt_identity(c, &acc);
    for (int w = 0; w < 2 * sb; w++) {
        if (w) for (int i = 0; i < 4; i++) pt_dbl(c, &acc, &acc);
        unsigned d = (w & 1) ? (k[w / 2] & 15u) : (k[w / 2] >> 4);
        pt_identity(c, &t);
        for (unsigned i = 1; i < 16; i++) pt_sel(c, &t, &tab[i], &t, 1 & ~ct_nonzero_mask((limb)(i ^ d)));
        pt_add_ct(c, &acc, &acc, &t);
    }
    *r = acc;
}
static int pt_load(const ctx *c, cpt *r, const uint8_t *in) {
    const pqzk_field_t *F = c->F;
    int fb = F->nbytes;
    if (in[0] > 1) return -2;
    if (in[0] == 1) { pt_identity(c, r); return 0; }
    limb x[8], y[8], l[8], rr[8], t[8];
    if (!f_from_bytes(F, x, in + 1) || !f_from_bytes(F, y, in + 1 + fb)) return -2;
    if (!is_edwards(c)) {  /* y^2 = x^3 + a x + b */
        f_sqr(F, l, y); f_sqr(F, rr, x); f_add(F, rr, rr, c->C->a); f_mul(F, rr, rr, x); f_add(F, rr, rr, c->C->b);
    } else {                /* a x^2 + y^2 = 1 + d x^2 y^2 */
        limb xx[8], yy[8];
        f_sqr(F, xx, x); f_sqr(F, yy, y);
        f_mul(F, l, xx, c->C->a); f_add(F, l, l, yy);
        f_mul(F, t, xx, yy); f_mul(F, t, t, c->C->b); f_add(F, rr, t, F->one);
    }
    if (!f_eq(F, l, rr)) return -2;
    memset(r, 0, sizeof *r);
    f_copy(F, r->X, x); f_copy(F, r->Y, y); f_copy(F, r->Z, F->one); f_mul(F, r->T, x, y);
    return 0;
}
static void pt_store(const ctx *c, uint8_t *out, const cpt *p) {
    const pqzk_field_t *F = c->F;
    int fb = F->nbytes;
    memset(out, 0, 1 + 2 * (size_t)fb);
    if (!is_edwards(c) && f_is_zero(F, p->Z)) { out[0] = 1; return; }
    limb zi[8], x[8], y[8], t[8];
    f_inv(F, zi, p->Z);
    if (!is_edwards(c)) { f_sqr(F, t, zi); f_mul(F, x, p->X, t); f_mul(F, t, t, zi); f_mul(F, y, p->Y, t); }
    else { f_mul(F, x, p->X, zi); f_mul(F, y, p->Y, zi); }
    f_to_bytes(F, out + 1, x); f_to_bytes(F, out + 1 + fb, y);
}
static int scalar_ok(const ctx *c, const uint8_t *k) {
    limb t[8]; return limbs_from_be(t, k, c->N->nbytes, c->N->p, c->N->n);
}

int pqzk_curve_info(int cid, int *fbytes, int *sbytes) {
    ctx c; if (!ctx_get(&c, cid)) return -1;
    *fbytes = c.F->nbytes; *sbytes = c.N->nbytes; return c.C->kind;
}
int pqzk_curve_generator(int cid, uint8_t *out) {
    ctx c; if (!ctx_get(&c, cid)) return -1;
    cpt g; memset(&g, 0, sizeof g);
    f_copy(c.F, g.X, c.C->gx); f_copy(c.F, g.Y, c.C->gy); f_copy(c.F, g.Z, c.F->one); f_mul(c.F, g.T, g.X, g.Y);
    pt_store(&c, out, &g); return 0;
}
int pqzk_curve_add(int cid, uint8_t *out, const uint8_t *a, const uint8_t *b) {
    if (cid == CID_ED448) return pqzk_ed448_add(out, a, b);
    ctx c; if (!ctx_get(&c, cid)) return -1;
    cpt p, q; int rc;
    if ((rc = pt_load(&c, &p, a)) || (rc = pt_load(&c, &q, b))) return rc;
    pt_add(&c, &p, &p, &q); pt_store(&c, out, &p); return 0;
}
/* the generic field core for every curve (the test cross-check of edwards448's dedicated path) */
int pqzk_curve_mul_generic(int cid, uint8_t *out, const uint8_t *a, const uint8_t *k) {
    ctx c; if (!ctx_get(&c, cid)) return -1;
    if (!scalar_ok(&c, k)) return -1;
    cpt p; int rc; if ((rc = pt_load(&c, &p, a))) return rc;
    pt_mul(&c, &p, &p, k, c.N->nbytes); pt_store(&c, out, &p); return 0;
}
int pqzk_curve_mul(int cid, uint8_t *out, const uint8_t *a, const uint8_t *k) {
    if (cid == CID_ED448) return pqzk_ed448_mul(out, a, k);
    return pqzk_curve_mul_generic(cid, out, a, k);
}
int pqzk_curve_msm(int cid, uint8_t *out, const uint8_t *pts, const uint8_t *ks, size_t n) {
    if (cid == CID_ED448) return pqzk_ed448_msm(out, pts, ks, n);
    ctx c; if (!ctx_get(&c, cid)) return -1;
    size_t pl = 1 + 2 * (size_t)c.F->nbytes, sb = (size_t)c.N->nbytes;
    cpt acc, p; int rc;
    pt_identity(&c, &acc);
    for (size_t i = 0; i < n; i++) {
        if (!scalar_ok(&c, ks + i * sb)) return -1;
        if ((rc = pt_load(&c, &p, pts + i * pl))) return rc;
        pt_mul(&c, &p, &p, ks + i * sb, (int)sb);
        pt_add(&c, &acc, &acc, &p);
    }
    pt_store(&c, out, &acc); return 0;
}
/* r = [order] p by double and add (variable time: public points) */
static void pt_mul_order_vartime(const ctx *c, cpt *r, const cpt *p) {
    /* Edwards curves only (Weierstrass ones here have prime order): width-5 NAF of the public
     * order over the odd multiples P..15P, doublings without T unless an addition follows */
    int8_t naf[8 * 64 + 1];
    int len = 0;
    limb k[9] = {0};
    memcpy(k, c->N->p, sizeof(limb) * (size_t)c->N->n);
    while (len < (int)sizeof naf) {
        limb nz = 0;
        for (int i = 0; i < 9; i++) nz |= k[i];
        if (!nz) break;
        int d = 0;
        if (k[0] & 1) {
            d = (int)(k[0] & 31); if (d >= 16) d -= 32;
            limb cy = 0;
            if (d > 0) { SUBB(cy, k[0], (limb)d, k[0]); for (int i = 1; i < 9; i++) SUBB(cy, k[i], 0, k[i]); }
            else { ADDC(cy, k[0], (limb)(-d), k[0]); for (int i = 1; i < 9; i++) ADDC(cy, k[i], 0, k[i]); }
        }
        naf[len++] = (int8_t)d;
        for (int i = 0; i < 8; i++) k[i] = (k[i] >> 1) | (k[i + 1] << 63);
        k[8] >>= 1;
    }
    cpt tab[8], d2, acc;
    tab[0] = *p; e_dbl(c, &d2, p);
    for (int i = 1; i < 8; i++) e_add(c, &tab[i], &tab[i - 1], &d2);
    pt_identity(c, &acc);
    for (int b = len - 1; b >= 0; b--) {
        int d = naf[b];
        if (b != len - 1) e_dbl_t(c, &acc, &acc, d != 0);
        if (!d) continue;
        cpt q = tab[(d > 0 ? d : -d) / 2];
        if (d < 0) { f_neg(c->F, q.X, q.X); f_neg(c->F, q.T, q.T); }   /* -(x, y) = (-x, y) */
        e_add(c, &acc, &acc, &q);
    }
    *r = acc;
}
/* on the curve and [order] P = O (variable time: for public points) */
int pqzk_curve_check(int cid, const uint8_t *a) {
    if (cid == CID_ED448) return pqzk_ed448_check(a);
    ctx c; if (!ctx_get(&c, cid)) return -1;
    cpt p, acc; int rc; if ((rc = pt_load(&c, &p, a))) return rc;
    if (!is_edwards(&c)) return 0;  /* prime order: every curve point is in the group */
    pt_mul_order_vartime(&c, &acc, &p);
    return pt_is_identity(&c, &acc) ? 0 : -4;
}

/* ---- variable-time multi-scalar multiplication (public inputs only) ----
 * Pippenger's bucket method with signed c-bit digits (Bernstein, Doumen, Lange, Oosterwijk,
 * "Faster batch forgery identification", INDOCRYPT 2012, section 4). Its running time and memory
 * accesses depend on the scalars and points, so it is only for public data: verification
 * equations and aggregation of public values. Secret scalars go through pt_mul / pqzk_curve_msm. */

/* affine point: (x, y) on Weierstrass curves; on Edwards curves with a = -1 (y - x, y + x, 2d x y)
 * for madd-2008-hwcd-3, otherwise (x, y, d x y) */
typedef struct { limb x[8], y[8], dxy[8]; } apt;

static void apt_from(const ctx *c, apt *a, const cpt *p) {  /* p affine (Z = 1), finite */
    const pqzk_field_t *F = c->F;
    if (c->edwards_am1) {
        f_sub(F, a->x, p->Y, p->X); f_add(F, a->y, p->Y, p->X);
        f_mul(F, a->dxy, p->T, c->C->b); f_add(F, a->dxy, a->dxy, a->dxy);
        return;
    }
    f_copy(F, a->x, p->X); f_copy(F, a->y, p->Y);
    if (is_edwards(c)) f_mul(F, a->dxy, p->T, c->C->b);
}

/* r += (neg ? -q : q), q affine. Weierstrass: madd-2007-bl with its exceptional cases (r = O,
 * r = q, r = -q) taken by branches; Edwards: add-2008-hwcd with Z2 = 1 (complete). Variable time. */
static void pt_madd_vartime(const ctx *c, cpt *r, const apt *q, int neg) {
    const pqzk_field_t *F = c->F;
    limb qy[8], t[8], u[8];
    if (c->edwards_am1) {  /* madd-2008-hwcd-3 (7M); -(x, y) = (-x, y) swaps y -/+ x, negates 2dxy */
        limb A[8], B[8], C[8], D[8], E[8], Fv[8], G[8], H[8];
        f_sub(F, t, r->Y, r->X); f_add(F, u, r->Y, r->X);
        f_mul(F, A, t, neg ? q->y : q->x); f_mul(F, B, u, neg ? q->x : q->y);
        f_mul(F, C, r->T, q->dxy); if (neg) f_neg(F, C, C);
        f_add(F, D, r->Z, r->Z);
        f_sub(F, E, B, A); f_sub(F, Fv, D, C); f_add(F, G, D, C); f_add(F, H, B, A);
        f_mul(F, r->X, E, Fv); f_mul(F, r->Y, G, H); f_mul(F, r->T, E, H); f_mul(F, r->Z, Fv, G);
        return;
    }
    if (is_edwards(c)) {  /* -(x, y) = (-x, y) */
        limb qx[8], qd[8], A[8], B[8], C[8], E[8], Fv[8], G[8], H[8];
        if (neg) { f_neg(F, qx, q->x); f_neg(F, qd, q->dxy); } else { f_copy(F, qx, q->x); f_copy(F, qd, q->dxy); }
        f_mul(F, A, r->X, qx); f_mul(F, B, r->Y, q->y); f_mul(F, C, r->T, qd);
        f_add(F, t, r->X, r->Y); f_add(F, u, qx, q->y); f_mul(F, E, t, u); f_sub(F, E, E, A); f_sub(F, E, E, B);
        f_sub(F, Fv, r->Z, C); f_add(F, G, r->Z, C);
        if (f_eq(F, c->C->a, F->one)) f_sub(F, H, B, A); else f_add(F, H, B, A);
        f_mul(F, r->X, E, Fv); f_mul(F, r->Y, G, H); f_mul(F, r->T, E, H); f_mul(F, r->Z, Fv, G);
        return;
    }
    if (neg) f_neg(F, qy, q->y); else f_copy(F, qy, q->y);  /* -(x, y) = (x, -y) */
    if (f_is_zero(F, r->Z)) { f_copy(F, r->X, q->x); f_copy(F, r->Y, qy); f_copy(F, r->Z, F->one); return; }
    limb Z1Z1[8], U2[8], S2[8], H[8], HH[8], I[8], J[8], R[8], V[8];
    f_sqr(F, Z1Z1, r->Z); f_mul(F, U2, q->x, Z1Z1);
    f_mul(F, S2, qy, r->Z); f_mul(F, S2, S2, Z1Z1);
    f_sub(F, H, U2, r->X); f_sub(F, R, S2, r->Y);
    if (f_is_zero(F, H)) {
        if (f_is_zero(F, R)) pt_dbl(c, r, r); else pt_identity(c, r);  /* r == q, r == -q */
        return;
    }
    f_sqr(F, HH, H); f_add(F, I, HH, HH); f_add(F, I, I, I);
    f_mul(F, J, H, I); f_add(F, R, R, R); f_mul(F, V, r->X, I);
    f_mul(F, t, r->Y, J); f_add(F, t, t, t);                            /* 2 Y1 J */
    f_add(F, u, r->Z, H); f_sqr(F, u, u); f_sub(F, u, u, Z1Z1); f_sub(F, r->Z, u, HH);
    f_sqr(F, r->X, R); f_sub(F, r->X, r->X, J); f_sub(F, r->X, r->X, V); f_sub(F, r->X, r->X, V);
    f_sub(F, u, V, r->X); f_mul(F, r->Y, R, u); f_sub(F, r->Y, r->Y, t);
}

/* window width minimising (digits) * (n bucket additions + 2^c bucket-sum additions) */
static int msm_window(size_t n, int bits) {
    int best_c = 2; double best = 1e300;
    for (int c = 2; c <= 15; c++) {  /* digits up to 2^(c-1) fit int16_t */
        double cost = (double)(bits / c + 1) * ((double)n + 2.0 * (double)((size_t)1 << (c - 1)));
        if (cost < best) { best = cost; best_c = c; }
    }
    return best_c;
}

/* r = sum k[i] * a[i]; k[i] < group order (little-endian limbs). Returns 0, or -3 out of memory. */
static int msm_vartime(const ctx *c, cpt *r, const apt *a, const limb (*k)[8], size_t n) {
    pt_identity(c, r);
    if (n == 0) return 0;
    int bits = c->N->bits, w = msm_window(n, bits), nwin = bits / w + 1;
    size_t nb = (size_t)1 << (w - 1);
    int16_t *dig = malloc(sizeof(int16_t) * n * (size_t)nwin);
    cpt *bk = malloc(sizeof(cpt) * nb);
    if (!dig || !bk) { free(dig); free(bk); return -3; }
    /* signed digits in [-2^(w-1), 2^(w-1)]; nwin * w > bits leaves room for the final carry */
    for (size_t i = 0; i < n; i++) {
        int carry = 0;
        for (int j = 0; j < nwin; j++) {
            int d = carry;
            for (int b = 0; b < w && j * w + b < bits; b++) {
                int bit = j * w + b;
                d += (int)((k[i][bit / 64] >> (bit % 64)) & 1) << b;
            }
            carry = d > (1 << (w - 1));
            if (carry) d -= 1 << w;
            dig[i * (size_t)nwin + (size_t)j] = (int16_t)d;
        }
    }
    for (int j = nwin - 1; j >= 0; j--) {
        for (int i = 0; i < w; i++) pt_dbl(c, r, r);
        for (size_t b = 0; b < nb; b++) pt_identity(c, &bk[b]);
        for (size_t i = 0; i < n; i++) {
            int d = dig[i * (size_t)nwin + (size_t)j];
            if (d) pt_madd_vartime(c, &bk[(d > 0 ? d : -d) - 1], &a[i], d < 0);
        }
        /* sum_b (b + 1) * bk[b] by running sums */
        cpt s, t; pt_identity(c, &s); pt_identity(c, &t);
        for (size_t b = nb; b-- > 0;) { pt_add(c, &s, &s, &bk[b]); pt_add(c, &t, &t, &s); }
        pt_add(c, r, r, &t);
    }
    free(dig); free(bk);
    return 0;
}

/* Decode n (point, scalar) pairs with load(), drop identities and zero scalars, and run the MSM. */
typedef int (*pt_loader)(const ctx *c, cpt *r, const uint8_t *in);
typedef void (*scalar_loader)(const ctx *c, uint8_t *be, const uint8_t *in);

static int msm_decode_run(const ctx *c, cpt *r, const uint8_t *pts, size_t pl, pt_loader load,
                          const uint8_t *ks, scalar_loader kload, size_t n) {
    size_t sb = (size_t)c->N->nbytes, m = 0;
    apt *a = malloc(sizeof(apt) * (n ? n : 1));
    limb (*k)[8] = malloc(sizeof(limb[8]) * (n ? n : 1));
    int rc = 0;
    if (!a || !k) { rc = -3; goto done; }
    for (size_t i = 0; i < n; i++) {
        uint8_t be[64];
        cpt p;
        kload(c, be, ks + i * sb);
        memset(k[m], 0, sizeof k[m]);
        if (!limbs_from_be(k[m], be, (int)sb, c->N->p, c->N->n)) { rc = -1; goto done; }
        if ((rc = load(c, &p, pts + i * pl))) goto done;
        limb nz = 0;
        for (int j = 0; j < 8; j++) nz |= k[m][j];
        if (!nz || pt_is_identity(c, &p)) continue;
        apt_from(c, &a[m], &p);
        m++;
    }
    rc = msm_vartime(c, r, a, (const limb (*)[8])k, m);
done:
    free(a); free(k);
    return rc;
}

static void scalar_be(const ctx *c, uint8_t *be, const uint8_t *in) { memcpy(be, in, (size_t)c->N->nbytes); }
static void scalar_le(const ctx *c, uint8_t *be, const uint8_t *in) {
    int sb = c->N->nbytes;
    for (int i = 0; i < sb; i++) be[i] = in[sb - 1 - i];
}

int pqzk_curve_msm_vartime(int cid, uint8_t *out, const uint8_t *pts, const uint8_t *ks, size_t n) {
    ctx c; if (!ctx_get(&c, cid)) return -1;
    cpt r; int rc = msm_decode_run(&c, &r, pts, 1 + 2 * (size_t)c.F->nbytes, pt_load, ks, scalar_be, n);
    if (rc) return rc;
    pt_store(&c, out, &r); return 0;
}

/* ---- edwards25519 RFC 8032 point encoding ---- */
#define CID_ED25519 1

/* RFC 9496 section 4.1 IS_NEGATIVE: the low bit of the canonical value */
static int fe_is_negative(const ctx *c, const limb *a) {
    limb t[8]; f_from_mont(c->F, t, a); return (int)(t[0] & 1);
}
static void fe_abs(const ctx *c, limb *r, const limb *a) {
    if (fe_is_negative(c, a)) f_neg(c->F, r, a); else f_copy(c->F, r, a);
}
/* RFC 9496 section 4.2 SQRT_RATIO_M1 over 2^255 - 19 (RFC 8032 section 5.1.3 computes the same
 * candidate u v^3 (u v^7)^((p-5)/8)): r = the non-negative sqrt(u/v), or sqrt(i u/v); returns
 * whether u/v was a square. Branches on public values only. */
static int sqrt_ratio_m1(const ctx *c, limb *r, const limb *u, const limb *v) {
    const pqzk_field_t *F = c->F;
    limb v3[8], t[8], chk[8], nu[8], nui[8];
    f_sqr(F, v3, v); f_mul(F, v3, v3, v);                           /* v^3 */
    f_sqr(F, t, v3); f_mul(F, t, t, v); f_mul(F, t, t, u);          /* u v^7 */
    f_pow(F, t, t, ED25519_PM5D8, 4);
    f_mul(F, r, u, v3); f_mul(F, r, r, t);
    f_sqr(F, chk, r); f_mul(F, chk, chk, v);
    f_neg(F, nu, u); f_mul(F, nui, nu, ED25519_SQRT_M1);
    int correct = (int)f_eq(F, chk, u), flipped = (int)f_eq(F, chk, nu), flipped_i = (int)f_eq(F, chk, nui);
    if (flipped | flipped_i) f_mul(F, r, r, ED25519_SQRT_M1);
    fe_abs(c, r, r);
    return correct | flipped;
}

/* RFC 8032 section 5.1.3, strict: y < p, on the curve, x = 0 with the sign bit set rejected.
 * Accepts every curve point (small order and torsion components too: no subgroup check). */
static int ed25519_decode(const ctx *c, cpt *r, const uint8_t *in) {
    const pqzk_field_t *F = c->F;
    uint8_t be[32];
    for (int i = 0; i < 32; i++) be[i] = in[31 - i];
    int sign = be[0] >> 7;
    be[0] &= 0x7f;
    limb y[8], yy[8], u[8], v[8], x[8];
    if (!f_from_bytes(F, y, be)) return -2;
    f_sqr(F, yy, y); f_sub(F, u, yy, F->one);                       /* u = y^2 - 1 */
    f_mul(F, v, yy, c->C->b); f_add(F, v, v, F->one);               /* v = d y^2 + 1 */
    if (!sqrt_ratio_m1(c, x, u, v)) return -2;                      /* u / v is not a square */
    if (f_is_zero(F, x) && sign) return -2;
    if (sign) f_neg(F, x, x);                                       /* x is non-negative (even) */
    memset(r, 0, sizeof *r);
    f_copy(F, r->X, x); f_copy(F, r->Y, y); f_copy(F, r->Z, F->one); f_mul(F, r->T, x, y);
    return 0;
}

static void ed25519_encode(const ctx *c, uint8_t *out, const cpt *p) {
    uint8_t buf[65];
    pt_store(c, buf, p);                                            /* affine x, y big-endian */
    for (int i = 0; i < 32; i++) out[i] = buf[64 - i];
    out[31] |= (uint8_t)((buf[32] & 1) << 7);
}

int pqzk_ed25519_decode(uint8_t *out, const uint8_t *in) {
    ctx c; ctx_get(&c, CID_ED25519);
    cpt p; int rc = ed25519_decode(&c, &p, in);
    if (rc) return rc;
    pt_store(&c, out, &p); return 0;
}
int pqzk_ed25519_encode(uint8_t *out, const uint8_t *in) {
    ctx c; ctx_get(&c, CID_ED25519);
    cpt p; int rc = pt_load(&c, &p, in);
    if (rc) return rc;
    ed25519_encode(&c, out, &p); return 0;
}
/* sum k_i P_i on a twisted Edwards curve, constant time in the (secret) scalars: Straus with
 * 4-bit fixed windows sharing the doublings, a table of 16 multiples per point read by a full
 * scan, and complete additions (the identity needs no branch). ks: n big-endian scalars of sb
 * bytes, each < order. The points are public. Returns 0, or -3 out of memory. */
static int pt_msm_ct_edwards(const ctx *c, cpt *r, const cpt *pts, const uint8_t *ks, size_t n, int sb) {
    cpt *tab = malloc(sizeof(cpt) * 16 * (n ? n : 1));
    if (!tab) return -3;
    for (size_t i = 0; i < n; i++) {
        cpt *t = tab + 16 * i;
        pt_identity(c, &t[0]); t[1] = pts[i]; e_dbl(c, &t[2], &pts[i]);
        for (int j = 3; j < 16; j++) e_add(c, &t[j], &t[j - 1], &pts[i]);
    }
    cpt acc; pt_identity(c, &acc);
    for (int w = 0; w < 2 * sb; w++) {
        if (w) for (int i = 0; i < 4; i++) e_dbl_t(c, &acc, &acc, i == 3);
        for (size_t i = 0; i < n; i++) {
            const uint8_t *k = ks + i * (size_t)sb;
            unsigned d = (w & 1) ? (k[w / 2] & 15u) : (k[w / 2] >> 4);
            cpt t; pt_identity(c, &t);
            for (unsigned j = 1; j < 16; j++) pt_sel(c, &t, &tab[16 * i + j], &t, 1 & ~ct_nonzero_mask((limb)(j ^ d)));
            e_add(c, &acc, &acc, &t);
        }
    }
    *r = acc;
    free(tab);
    return 0;
}
/* constant-time msm on RFC 8032 encodings (points public, decoded strictly; scalars secret,
 * 32-byte little-endian, each < order): -1 bad scalar, -2 bad point, -3 out of memory */
int pqzk_ed25519_msm(uint8_t *out, const uint8_t *pts, const uint8_t *ks, size_t n) {
    ctx c; ctx_get(&c, CID_ED25519);
    cpt *p = malloc(sizeof(cpt) * (n ? n : 1));
    uint8_t *be = malloc(32 * (n ? n : 1));
    int rc = 0;
    if (!p || !be) { rc = -3; goto done; }
    for (size_t i = 0; i < n; i++) {
        scalar_le(&c, be + 32 * i, ks + 32 * i);
        if (!scalar_ok(&c, be + 32 * i)) { rc = -1; goto done; }
        if (ed25519_decode(&c, &p[i], pts + 32 * i)) { rc = -2; goto done; }
    }
    cpt r;
    if ((rc = pt_msm_ct_edwards(&c, &r, p, be, n, 32))) goto done;
    ed25519_encode(&c, out, &r);
done:
    free(p); free(be);
    return rc;
}
int pqzk_ed25519_msm_vartime(uint8_t *out, const uint8_t *pts, const uint8_t *ks, size_t n) {
    ctx c; ctx_get(&c, CID_ED25519);
    cpt r; int rc = msm_decode_run(&c, &r, pts, 32, ed25519_decode, ks, scalar_le, n);
    if (rc) return rc;
    ed25519_encode(&c, out, &r); return 0;
}

/* ---- ristretto255 (RFC 9496) ---- */
/* RFC 9496 section 4.3.1 DECODE, then the prime-order member of the coset P + E[4] that the kit
 * uses as the element's representative: P = Q + T with T in E[4] and order = 1 mod 4, so
 * [order] P = T and Q = P - [order] P. in: 32 bytes; out: Q's RFC 8032 encoding. -2 when in is
 * not a valid encoding. Variable time: ristretto255 encodings are public. */
int pqzk_ristretto255_decode(uint8_t *out, const uint8_t *in) {
    ctx c; ctx_get(&c, CID_ED25519);
    const pqzk_field_t *F = c.F;
    uint8_t be[32];
    for (int i = 0; i < 32; i++) be[i] = in[31 - i];
    limb s[8], ss[8], u1[8], u2[8], u2s[8], v[8], t[8], inv[8], dx[8], dy[8];
    if (!f_from_bytes(F, s, be) || fe_is_negative(&c, s)) return -2;
    f_sqr(F, ss, s); f_sub(F, u1, F->one, ss); f_add(F, u2, F->one, ss); f_sqr(F, u2s, u2);
    f_sqr(F, t, u1); f_mul(F, t, t, c.C->b); f_neg(F, v, t); f_sub(F, v, v, u2s);  /* -d u1^2 - u2^2 */
    f_mul(F, t, v, u2s);
    int was_square = sqrt_ratio_m1(&c, inv, F->one, t);
    f_mul(F, dx, inv, u2); f_mul(F, dy, inv, dx); f_mul(F, dy, dy, v);
    cpt p, lp;
    memset(&p, 0, sizeof p);
    f_add(F, t, s, s); f_mul(F, t, t, dx); fe_abs(&c, p.X, t);
    f_mul(F, p.Y, u1, dy); f_copy(F, p.Z, F->one); f_mul(F, p.T, p.X, p.Y);
    if (!was_square || fe_is_negative(&c, p.T) || f_is_zero(F, p.Y)) return -2;
    pt_mul_order_vartime(&c, &lp, &p);
    f_neg(F, lp.X, lp.X); f_neg(F, lp.T, lp.T);                     /* -(x, y) = (-x, y) */
    e_add(&c, &p, &p, &lp);
    ed25519_encode(&c, out, &p);
    return 0;
}
