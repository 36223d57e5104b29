/* The generic field core's ABI (see pqzk_field.h): canonical bytes in and out. */
#include "pqzk_field.h"
#include "field_ops.inc"
#include "field_consts.inc"
#include <stdlib.h>


const pqzk_field_t *pqzk_field_get(int fid) {
    return (fid >= 0 && fid < PQZK_NFIELDS) ? &PQZK_FIELDS[fid] : NULL;
}

int pqzk_field_count(void) { return PQZK_NFIELDS; }

int pqzk_field_bytes(int fid) {
    const pqzk_field_t *F = pqzk_field_get(fid);
    return F ? F->nbytes : -1;
}

int pqzk_field_modulus(int fid, uint8_t *out) {
    const pqzk_field_t *F = pqzk_field_get(fid);
    if (!F) return -1;
    limbs_to_be(out, F->p, F->nbytes);
    return 0;
}

#define LOAD1(F, fid, x, in) \
    const pqzk_field_t *F = pqzk_field_get(fid); limb x[8]; \
    if (!F || !f_from_bytes(F, x, in)) return -1;

int pqzk_fe_add(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b) {
    LOAD1(F, fid, x, a) limb y[8]; if (!f_from_bytes(F, y, b)) return -1;
    f_add(F, x, x, y); f_to_bytes(F, out, x); return 0;
}
int pqzk_fe_sub(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b) {
    LOAD1(F, fid, x, a) limb y[8]; if (!f_from_bytes(F, y, b)) return -1;
    f_sub(F, x, x, y); f_to_bytes(F, out, x); return 0;
}
int pqzk_fe_mul(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b) {
    LOAD1(F, fid, x, a) limb y[8]; if (!f_from_bytes(F, y, b)) return -1;
    f_mul(F, x, x, y); f_to_bytes(F, out, x); return 0;
}
int pqzk_fe_neg(int fid, uint8_t *out, const uint8_t *a) {
    LOAD1(F, fid, x, a) f_neg(F, x, x); f_to_bytes(F, out, x); return 0;
}
int pqzk_fe_sqr(int fid, uint8_t *out, const uint8_t *a) {
    LOAD1(F, fid, x, a) f_sqr(F, x, x); f_to_bytes(F, out, x); return 0;
}
int pqzk_fe_inv(int fid, uint8_t *out, const uint8_t *a) {
    LOAD1(F, fid, x, a) f_inv(F, x, x); f_to_bytes(F, out, x); return 0;
}
int pqzk_fe_inv_vartime(int fid, uint8_t *out, const uint8_t *a) {  /* public a only */
    LOAD1(F, fid, x, a) f_inv_vartime(F, x, x); f_to_bytes(F, out, x); return 0;
}
int pqzk_fe_sqrt(int fid, uint8_t *out, const uint8_t *a) {
    LOAD1(F, fid, x, a) limb r[8];
    int ok = f_sqrt(F, r, x);
    f_to_bytes(F, out, r);
    return ok ? 0 : 1;
}
int pqzk_fe_pow(int fid, uint8_t *out, const uint8_t *a, const uint8_t *e, size_t elen) {
    LOAD1(F, fid, x, a)
    if (elen > 64) return -1;
    limb ex[8] = {0};
    for (size_t i = 0; i < elen; i++) { size_t k = elen - 1 - i; ex[k / 8] |= (limb)e[i] << (8 * (k % 8)); }
    f_pow(F, x, x, ex, 8); f_to_bytes(F, out, x); return 0;
}
/* Montgomery's trick; zeros map to zero without a data-dependent branch. */
int pqzk_fe_batch_inv(int fid, uint8_t *out, const uint8_t *in, size_t count) {
    const pqzk_field_t *F = pqzk_field_get(fid);
    if (!F) return -1;
    if (count == 0) return 0;
    limb (*v)[8] = malloc(sizeof(limb[8]) * count), (*pre)[8] = malloc(sizeof(limb[8]) * count);
    limb *zero = calloc(count, sizeof(limb));
    int rc = 0;
    if (!v || !pre || !zero) { rc = -1; goto done; }
    limb acc[8]; f_copy(F, acc, F->one);
    for (size_t i = 0; i < count; i++) {
        if (!f_from_bytes(F, v[i], in + i * F->nbytes)) { rc = -1; goto done; }
        zero[i] = f_is_zero(F, v[i]);
        f_sel(F, v[i], F->one, v[i], zero[i]);
        f_copy(F, pre[i], acc);
        f_mul(F, acc, acc, v[i]);
    }
    f_inv(F, acc, acc);
    for (size_t i = count; i-- > 0;) {
        limb r[8];
        f_mul(F, r, acc, pre[i]);
        f_mul(F, acc, acc, v[i]);
        limb z[8] = {0};
        f_sel(F, r, z, r, zero[i]);
        f_to_bytes(F, out + i * F->nbytes, r);
    }
done:
    free(v); free(pre); free(zero);
    return rc;
}
