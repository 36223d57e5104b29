/* Constant-time helpers shared by the native core. */
#include "pqzk_native.h"

int pqzk_abi_version(void) { return PQZK_NATIVE_ABI_VERSION; }

int pqzk_ct_memeq(const uint8_t *a, const uint8_t *b, size_t n) {
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= (uint8_t)(a[i] ^ b[i]);
    /* (acc - 1) >> 8 is 1 exactly when acc == 0, without a branch on acc. */
    return (int)(((uint32_t)acc - 1u) >> 31);
}
