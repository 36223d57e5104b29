/* Constant-time helpers shared by the native core, and the switch between its x86-64 MULX/ADX
 * field kernels (mont_adx.inc) and the portable C. */
#include "pqzk_native.h"
#include "mont.inc"

int pqzk_abi_version(void) { return PQZK_NATIVE_ABI_VERSION; }

int pqzk_ct_memeq(const uint8_t *a, const uint8_t *b, size_t n) {
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= (uint8_t)(a[i] ^ b[i]);
    /* (acc - 1) >> 8 is 1 exactly when acc == 0, without a branch on acc. */
    return (int)(((uint32_t)acc - 1u) >> 31);
}

#if PQZK_HAVE_ADX
int pqzk_mont_asm;  /* read by mont_mul (mont.inc) */
static int asm_available;

__attribute__((constructor)) static void detect_asm(void) {
    __builtin_cpu_init();
    asm_available = __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("adx");
    __atomic_store_n(&pqzk_mont_asm, asm_available, __ATOMIC_RELAXED);
}
#else
static const int asm_available = 0;
#endif

int pqzk_native_asm_available(void) { return asm_available; }

int pqzk_native_asm_active(void) {
#if PQZK_HAVE_ADX
    return pqzk_mont_asm_on();
#else
    return 0;
#endif
}

int pqzk_native_set_asm(int enabled) {
#if PQZK_HAVE_ADX
    return __atomic_exchange_n(&pqzk_mont_asm, enabled && asm_available, __ATOMIC_RELAXED);
#else
    (void)enabled;
    return 0;
#endif
}
