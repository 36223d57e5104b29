/* BLS12-381 (native/bls12_381.c). Points cross the ABI as opaque Jacobian structs in bytes
 * (G1: 144 bytes, G2: 288, GT: 576, Montgomery form); encodings are the ZCash ones.
 * Scalars are 32-byte big-endian and must be < r (functions return -1 otherwise).
 * Decoders return 0, or -1 bad length/flags, -2 non-canonical coordinate, -3 not on the curve,
 * -4 not in the prime-order subgroup; *_decode_on_curve skips only the subgroup check (for callers
 * that check a result derived from the points instead, see pqzk.threshold.bls.combine).
 * pqzk_g*_msm is variable time (public scalars and points); pqzk_g*_msm_ct is constant time in
 * the scalars and the points (complete projective formulas, for secret scalars). */
#ifndef PQZK_BLS_H
#define PQZK_BLS_H
#include <stddef.h>
#include <stdint.h>

int pqzk_bls_sizes(int which);
/* deliberate look-alike of the G2 list below (duplicates): cffi reads these prototypes as
 * written (native/native_abi.py), so they cannot come from a macro. Both groups' definitions
 * are written once, in group_abi.inc. */
void pqzk_g1_generator(uint8_t *out);
void pqzk_g1_identity(uint8_t *out);
void pqzk_g1_add(uint8_t *out, const uint8_t *a, const uint8_t *b);
void pqzk_g1_neg(uint8_t *out, const uint8_t *a);
int pqzk_g1_mul(uint8_t *out, const uint8_t *a, const uint8_t *k);
int pqzk_g1_eq(const uint8_t *a, const uint8_t *b);
int pqzk_g1_is_identity(const uint8_t *a);
int pqzk_g1_in_subgroup(const uint8_t *a);
void pqzk_g1_encode(uint8_t *out, const uint8_t *a, int compressed);
int pqzk_g1_decode(uint8_t *out, const uint8_t *in, size_t len);
int pqzk_g1_decode_on_curve(uint8_t *out, const uint8_t *in, size_t len);
int pqzk_g1_from_affine(uint8_t *out, const uint8_t *x, const uint8_t *y);
int pqzk_g1_msm(uint8_t *out, const uint8_t *points, const uint8_t *scalars, size_t n);
int pqzk_g1_msm_ct(uint8_t *out, const uint8_t *points, const uint8_t *scalars, size_t n);
int pqzk_g1_map_to_curve(uint8_t *out, const uint8_t *u0, const uint8_t *u1);
void pqzk_g1_clear_cofactor(uint8_t *out, const uint8_t *a);

/* deliberate look-alike of the G1 list above (duplicates): see there. */
void pqzk_g2_generator(uint8_t *out);
void pqzk_g2_identity(uint8_t *out);
void pqzk_g2_add(uint8_t *out, const uint8_t *a, const uint8_t *b);
void pqzk_g2_neg(uint8_t *out, const uint8_t *a);
int pqzk_g2_mul(uint8_t *out, const uint8_t *a, const uint8_t *k);
int pqzk_g2_eq(const uint8_t *a, const uint8_t *b);
int pqzk_g2_is_identity(const uint8_t *a);
int pqzk_g2_in_subgroup(const uint8_t *a);
void pqzk_g2_encode(uint8_t *out, const uint8_t *a, int compressed);
int pqzk_g2_decode(uint8_t *out, const uint8_t *in, size_t len);
int pqzk_g2_decode_on_curve(uint8_t *out, const uint8_t *in, size_t len);
int pqzk_g2_from_affine(uint8_t *out, const uint8_t *x, const uint8_t *y);
int pqzk_g2_msm(uint8_t *out, const uint8_t *points, const uint8_t *scalars, size_t n);
int pqzk_g2_msm_ct(uint8_t *out, const uint8_t *points, const uint8_t *scalars, size_t n);
int pqzk_g2_map_to_curve(uint8_t *out, const uint8_t *u0, const uint8_t *u1);
void pqzk_g2_clear_cofactor(uint8_t *out, const uint8_t *a);
void pqzk_g2_psi(uint8_t *out, const uint8_t *a);

void pqzk_pairing(uint8_t *out, const uint8_t *p, const uint8_t *q);
int pqzk_multi_pairing(uint8_t *out, const uint8_t *ps, const uint8_t *qs, size_t n);
int pqzk_multi_pairing_is_one(const uint8_t *ps, const uint8_t *qs, size_t n, const uint8_t *check);
void pqzk_final_exp_test(uint8_t *out, const uint8_t *in, int vt);
int pqzk_fp2_inv_vartime(uint8_t *out, const uint8_t *in);
void pqzk_gt_one(uint8_t *out);
void pqzk_gt_mul(uint8_t *out, const uint8_t *a, const uint8_t *b);
void pqzk_gt_inv(uint8_t *out, const uint8_t *a);
int pqzk_gt_pow(uint8_t *out, const uint8_t *a, const uint8_t *k);
int pqzk_gt_eq(const uint8_t *a, const uint8_t *b);
int pqzk_gt_is_one(const uint8_t *a);
void pqzk_gt_to_bytes(uint8_t *out, const uint8_t *a);
int pqzk_gt_from_bytes(uint8_t *out, const uint8_t *in);
/* test-only: op 0 fp wide product, 1 reduction, 2 wide subtraction (+ p 2^381 on borrow), 3 fp2_mul, 4 fp2_sqr,
 * 5 fp6_mul, 6 fp12_mul, 7 cyclotomic squaring, 8 sparse (014) multiplication, 9 two sparse lines into
 * an fp12 (b = both lines), 10 the product of two lines (a, b one line each), 11 the 3-scaled compressed
 * squaring, 12 the 3-scaled Granger-Scott squaring, 13 fp12_frob, 14 fp12_frob2; raw LE limbs */
int pqzk_bls_kernel_test(int op, uint8_t *out, const uint8_t *a, const uint8_t *b);
#endif
