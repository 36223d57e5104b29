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

/* Field arithmetic kernels: on x86-64 with BMI2 and ADX the Montgomery multiplications use
 * MULX/ADCX/ADOX and the additions and subtractions x86-64 asm (chosen at load time);
 * everywhere else, and when switched off, portable C.
 * available: compiled in and the CPU has the instructions; active: in use now.
 * set_asm(0) forces the portable C, set_asm(1) restores the kernels where available (the tests
 * run every field and group operation both ways); it returns the previous active state. */
int pqzk_native_asm_available(void);
int pqzk_native_asm_active(void);
int pqzk_native_set_asm(int enabled);

#endif
