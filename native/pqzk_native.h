/* pqzk native core: public C ABI. Every function here is declared for cffi in pqzk_native.cdef. */
#ifndef PQZK_NATIVE_H
#define PQZK_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#define PQZK_NATIVE_ABI_VERSION 1

int pqzk_abi_version(void);
const char *pqzk_build_flags(void);

/* Constant-time comparison: returns 1 when a[0..n) == b[0..n), else 0, in time independent of data. */
int pqzk_ct_memeq(const uint8_t *a, const uint8_t *b, size_t n);

#endif
