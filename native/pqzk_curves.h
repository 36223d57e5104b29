/* Native P-256, edwards25519, edwards448 and secp256k1 on the generic field core (native/curves.c).
 * Curve ids: 0 P-256, 1 edwards25519, 2 edwards448, 3 secp256k1. A point crosses the ABI as
 * 1 + 2*fb bytes: a flag byte (1 = identity, only needed for the Weierstrass curves) then affine
 * x and y, big-endian, fb bytes each. Scalars are sb bytes big-endian and must be < the group
 * order. Returns 0, or -1 bad id or scalar, -2 non-canonical or off-curve point, -3 out of
 * memory, -4 not in the prime-order subgroup.
 * pqzk_curve_mul and pqzk_curve_msm are constant time in the scalars. edwards448 add, mul, msm and
 * check run on the dedicated p448 field of ed448.c; pqzk_curve_mul_generic is the generic-field
 * pqzk_curve_mul for every curve, kept for tests to cross-check that path (not an API). The *_vartime MSMs
 * (Pippenger) are variable time: public points and scalars only (verification, aggregation).
 * pqzk_ed25519_*: RFC 8032 32-byte point encodings on edwards25519 (strict decoding, no subgroup
 * check); pqzk_ed25519_msm (constant time in the scalars) and pqzk_ed25519_msm_vartime take
 * 32-byte little-endian scalars.
 * pqzk_ristretto255_decode: RFC 9496 decoding to the RFC 8032 encoding of the element's
 * prime-order edwards25519 representative. */
#ifndef PQZK_CURVES_H
#define PQZK_CURVES_H
#include <stddef.h>
#include <stdint.h>

int pqzk_curve_info(int cid, int *fbytes, int *sbytes);
int pqzk_curve_generator(int cid, uint8_t *out);
int pqzk_curve_add(int cid, uint8_t *out, const uint8_t *a, const uint8_t *b);
int pqzk_curve_mul(int cid, uint8_t *out, const uint8_t *a, const uint8_t *k);
int pqzk_curve_mul_generic(int cid, uint8_t *out, const uint8_t *a, const uint8_t *k);
int pqzk_curve_msm(int cid, uint8_t *out, const uint8_t *pts, const uint8_t *ks, size_t n);
int pqzk_curve_check(int cid, const uint8_t *a);
int pqzk_curve_msm_vartime(int cid, uint8_t *out, const uint8_t *pts, const uint8_t *ks, size_t n);
int pqzk_ed25519_decode(uint8_t *out, const uint8_t *in);
int pqzk_ed25519_encode(uint8_t *out, const uint8_t *in);
int pqzk_ed25519_msm(uint8_t *out, const uint8_t *pts, const uint8_t *ks, size_t n);
int pqzk_ed25519_msm_vartime(uint8_t *out, const uint8_t *pts, const uint8_t *ks, size_t n);
int pqzk_ristretto255_decode(uint8_t *out, const uint8_t *in);
#endif
