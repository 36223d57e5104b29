/* edwards448's test hook (native/ed448.c): pqzk_p448_op checks the dedicated p448 field against
 * Python integers; not an API. The curve itself is reached through pqzk_curves.h (curve 2), whose
 * pqzk_curve_* functions route to ed448.c through ed448_internal.h. */
#ifndef PQZK_ED448_H
#define PQZK_ED448_H
#include <stddef.h>
#include <stdint.h>

int pqzk_p448_op(int op, uint8_t *out, const uint8_t *a, const uint8_t *b);
#endif
