/* Negacyclic NTTs over Z_q[X]/(X^256+1) for ML-DSA (q = 8380417) and ML-KEM (q = 3329).
 * Values are in the plain domain: inputs must be canonical (0 <= a < q) and outputs are canonical,
 * ordered as in FIPS 204 / FIPS 203 (bit-reversed evaluation order). Every function works on
 * `count` consecutive polynomials of 256 coefficients, in place or into `out`. */
#ifndef PQZK_NTT_H
#define PQZK_NTT_H

#include <stddef.h>
#include <stdint.h>

void pqzk_mldsa_ntt(int32_t *a, size_t count);
void pqzk_mldsa_invntt(int32_t *a, size_t count);
void pqzk_mldsa_pointwise(int32_t *out, const int32_t *a, const int32_t *b, size_t count);

void pqzk_mlkem_ntt(int16_t *a, size_t count);
void pqzk_mlkem_invntt(int16_t *a, size_t count);
void pqzk_mlkem_basemul(int16_t *out, const int16_t *a, const int16_t *b, size_t count);

#endif
