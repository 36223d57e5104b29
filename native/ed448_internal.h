/* edwards448 on the dedicated p448 field (native/ed448.c), between C files only: not part of the
 * Python ABI (only native/pqzk_*.h are). curves.c routes pqzk_curve_add, _mul, _msm and _check for
 * curve 2 (edwards448) here; the layouts and return codes are those of pqzk_curves.h (points 113
 * bytes: flag, x, y big-endian; scalars 56 bytes big-endian, below the group order).
 * pqzk_ed448_mul and pqzk_ed448_msm are constant time in the scalars and points. */
#ifndef PQZK_ED448_INTERNAL_H
#define PQZK_ED448_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

int pqzk_ed448_mul(uint8_t *out, const uint8_t *a, const uint8_t *k);
int pqzk_ed448_add(uint8_t *out, const uint8_t *a, const uint8_t *b);
int pqzk_ed448_msm(uint8_t *out, const uint8_t *pts, const uint8_t *ks, size_t n);
int pqzk_ed448_check(const uint8_t *a);
#endif
