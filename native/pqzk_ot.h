/* Bulk kernels of the OT extension and two-party multiplication (pqzk.ot), reached through
 * pqzk.math.bits, pqzk.math.xof and pqzk.math.scalar_vec (each has a Python reference the tests
 * cross-check). Constant time: no branch or memory index depends on the data (lengths, counts and
 * field ids are public).
 * Bit vectors are LSB-first: bit i is (v[i / 8] >> (i % 8)) & 1.
 * pqzk_shake128: FIPS 202 SHAKE128. pqzk_xof_expand: out_i = SHAKE128(prefix || in_i)[0..outlen)
 * for count inputs of inlen bytes. pqzk_bit_transpose: rows x cols bit matrix (rows of cols/8
 * bytes) -> cols x rows (rows, cols multiples of 8). GF(2^128) is F_2[x]/(x^128+x^7+x^2+x+1) with
 * 16-byte little-endian elements (bit i = coefficient of x^i); pqzk_gf128_inner = sum a_j*b_j.
 * pqzk_hash_rows_to_scalars: for row j < nrows, SHAKE128(prefix || u32be(j) || (row_j XOR mask))
 * gives width chunks of nbytes+16 bytes, each reduced modulo the order of field fid (big-endian,
 * canonical nbytes out). Field vectors are canonical big-endian elements of field fid
 * (pqzk_field.h); cadd: out_i = a_i + bits_i * b_i (bits one byte each, 0 or 1); vec_mat:
 * out_k = sum_j a_j * m[j][k]; mat_vec: out_j = sum_k m[j][k] * v[k] (m is n x w, row-major).
 * Return 0, or -1 for a bad field id, a non-canonical element or bad sizes, -3 out of memory. */
#ifndef PQZK_OT_H
#define PQZK_OT_H
#include <stddef.h>
#include <stdint.h>

int pqzk_shake128(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen);
int pqzk_xof_expand(uint8_t *out, size_t outlen, const uint8_t *prefix, size_t plen,
                    const uint8_t *in, size_t inlen, size_t count);
int pqzk_bit_transpose(uint8_t *out, const uint8_t *in, size_t rows, size_t cols);
void pqzk_gf128_mul(uint8_t *out, const uint8_t *a, const uint8_t *b);
int pqzk_gf128_inner(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n);
int pqzk_hash_rows_to_scalars(int fid, uint8_t *out, const uint8_t *prefix, size_t plen, const uint8_t *rows,
                              size_t rowlen, const uint8_t *mask, size_t nrows, size_t width);
int pqzk_fe_vec_add(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n);
int pqzk_fe_vec_sub(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n);
int pqzk_fe_vec_cadd(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b, const uint8_t *bits, size_t n);
int pqzk_fe_vec_mat(int fid, uint8_t *out, const uint8_t *a, const uint8_t *m, size_t n, size_t w);
int pqzk_fe_mat_vec(int fid, uint8_t *out, const uint8_t *m, const uint8_t *v, size_t n, size_t w);
#endif
