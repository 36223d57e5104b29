/* Generic Montgomery prime fields (4..7 limbs). Field ids: 0 BLS12-381 Fp, 1 BLS12-381 Fr,
 * 2 P-256 p, 3 P-256 n, 4 2^255-19, 5 ed25519 group order, 6 Ed448 p, 7 Ed448 group order,
 * 8 secp256k1 p, 9 secp256k1 group order.
 * Elements cross the ABI as canonical big-endian bytes of pqzk_field_bytes(fid) bytes.
 * Functions return 0 on success, -1 on a bad field id or a non-canonical input. */
#ifndef PQZK_FIELD_H
#define PQZK_FIELD_H
#include <stddef.h>
#include <stdint.h>

int pqzk_field_count(void);
int pqzk_field_bytes(int fid);
int pqzk_field_modulus(int fid, uint8_t *out);
int pqzk_fe_add(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b);
int pqzk_fe_sub(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b);
int pqzk_fe_mul(int fid, uint8_t *out, const uint8_t *a, const uint8_t *b);
int pqzk_fe_neg(int fid, uint8_t *out, const uint8_t *a);
int pqzk_fe_sqr(int fid, uint8_t *out, const uint8_t *a);
int pqzk_fe_inv(int fid, uint8_t *out, const uint8_t *a);
int pqzk_fe_inv_vartime(int fid, uint8_t *out, const uint8_t *a);
int pqzk_fe_sqrt(int fid, uint8_t *out, const uint8_t *a);
int pqzk_fe_pow(int fid, uint8_t *out, const uint8_t *a, const uint8_t *e, size_t elen);
int pqzk_fe_batch_inv(int fid, uint8_t *out, const uint8_t *in, size_t count);
#endif
