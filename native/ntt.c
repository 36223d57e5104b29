/* NTTs for ML-DSA and ML-KEM, after the structure of the FIPS 204 / FIPS 203 reference code:
 * Montgomery-form twiddles make every butterfly output plain-domain values; no branches or
 * memory accesses depend on coefficient values. */
#include "pqzk_ntt.h"

#include "ntt_tables.inc"

/* On x86-64 GCC, also build AVX2 clones of the transforms, picked at load time by the CPU
 * (the default clone is baseline x86-64, so the extension stays portable). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(PQZK_NO_CLONES)
#define PQZK_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PQZK_CLONES
#endif

#define DQ 8380417
#define DQINV 58728449          /* q^-1 mod 2^32 */
#define D_INV256 16382          /* 2^32 / 256 mod q: Montgomery-reduces to a/256 */
#define KQ 3329
#define KQINV (-3327)           /* q^-1 mod 2^16 */
#define K_INV128 512            /* 2^16 / 128 mod q */

/* ---- ML-DSA, q = 8380417, 32-bit Montgomery ---- */

static int32_t d_montgomery_reduce(int64_t a) {
    int32_t t = (int32_t)((uint32_t)(uint64_t)a * (uint32_t)DQINV);
    return (int32_t)((a - (int64_t)t * DQ) >> 32);          /* |result| < q for |a| < 2^31 q */
}

static int32_t d_reduce32(int32_t a) {                      /* a - round(a/2^23) q, for a < 2^31 - 2^22 */
    int32_t t = (a + (1 << 22)) >> 23;
    return a - t * DQ;
}

static int32_t d_caddq(int32_t a) {                         /* (-q, q) -> [0, q), branch-free */
    return a + ((a >> 31) & DQ);
}

PQZK_CLONES static void mldsa_ntt_one(int32_t a[256]) {
    unsigned k = 0;
    for (unsigned len = 128; len > 0; len >>= 1) {
        for (unsigned start = 0; start < 256; start += 2 * len) {
            int32_t zeta = MLDSA_ZETAS[++k];
            for (unsigned j = start; j < start + len; j++) {
                int32_t t = d_montgomery_reduce((int64_t)zeta * a[j + len]);
                a[j + len] = a[j] - t;
                a[j] = a[j] + t;
            }
        }
    }
    for (unsigned j = 0; j < 256; j++) a[j] = d_caddq(d_reduce32(a[j]));
}

PQZK_CLONES static void mldsa_invntt_one(int32_t a[256]) {
    unsigned k = 256;
    for (unsigned len = 1; len < 256; len <<= 1) {
        for (unsigned start = 0; start < 256; start += 2 * len) {
            int32_t zeta = -MLDSA_ZETAS[--k];
            for (unsigned j = start; j < start + len; j++) {
                int32_t t = a[j];
                a[j] = t + a[j + len];                      /* inputs < q: at most 256 q < 2^31 */
                a[j + len] = d_montgomery_reduce((int64_t)zeta * (t - a[j + len]));
            }
        }
    }
    for (unsigned j = 0; j < 256; j++) a[j] = d_caddq(d_montgomery_reduce((int64_t)D_INV256 * a[j]));
}

void pqzk_mldsa_ntt(int32_t *a, size_t count) {
    for (size_t i = 0; i < count; i++) mldsa_ntt_one(a + 256 * i);
}

void pqzk_mldsa_invntt(int32_t *a, size_t count) {
    for (size_t i = 0; i < count; i++) mldsa_invntt_one(a + 256 * i);
}

void pqzk_mldsa_pointwise(int32_t *out, const int32_t *a, const int32_t *b, size_t count) {
    for (size_t i = 0; i < 256 * count; i++)
        out[i] = (int32_t)((uint64_t)(uint32_t)a[i] * (uint32_t)b[i] % DQ);   /* constant divisor */
}

/* ---- ML-KEM, q = 3329, 16-bit Montgomery ---- */

static int16_t k_montgomery_reduce(int32_t a) {
    int16_t t = (int16_t)(uint16_t)((uint32_t)a * (uint32_t)(uint16_t)KQINV);
    return (int16_t)((a - (int32_t)t * KQ) >> 16);
}

static int16_t k_barrett_reduce(int16_t a) {                /* a mod± q, centred-ish in [0, q] */
    const int32_t v = ((1 << 26) + KQ / 2) / KQ;
    int16_t t = (int16_t)((v * a + (1 << 25)) >> 26);
    return (int16_t)(a - t * KQ);
}

static int16_t k_caddq(int16_t a) {
    return (int16_t)(a + ((a >> 15) & KQ));
}

static int16_t k_fqmul(int16_t a, int16_t b) { return k_montgomery_reduce((int32_t)a * b); }

PQZK_CLONES static void mlkem_ntt_one(int16_t r[256]) {
    unsigned k = 1;
    for (unsigned len = 128; len >= 2; len >>= 1) {
        for (unsigned start = 0; start < 256; start += 2 * len) {
            int16_t zeta = MLKEM_ZETAS[k++];
            for (unsigned j = start; j < start + len; j++) {
                int16_t t = k_fqmul(zeta, r[j + len]);
                r[j + len] = (int16_t)(r[j] - t);
                r[j] = (int16_t)(r[j] + t);
            }
        }
    }
    for (unsigned j = 0; j < 256; j++) r[j] = k_caddq(k_barrett_reduce(r[j]));
}

PQZK_CLONES static void mlkem_invntt_one(int16_t r[256]) {
    unsigned k = 127;
    for (unsigned len = 2; len <= 128; len <<= 1) {
        for (unsigned start = 0; start < 256; start += 2 * len) {
            int16_t zeta = MLKEM_ZETAS[k--];
            for (unsigned j = start; j < start + len; j++) {
                int16_t t = r[j];
                r[j] = k_barrett_reduce((int16_t)(t + r[j + len]));
                r[j + len] = k_fqmul(zeta, (int16_t)(r[j + len] - t));
            }
        }
    }
    for (unsigned j = 0; j < 256; j++) r[j] = k_caddq(k_barrett_reduce(k_fqmul(r[j], K_INV128)));
}

void pqzk_mlkem_ntt(int16_t *a, size_t count) {
    for (size_t i = 0; i < count; i++) mlkem_ntt_one(a + 256 * i);
}

void pqzk_mlkem_invntt(int16_t *a, size_t count) {
    for (size_t i = 0; i < count; i++) mlkem_invntt_one(a + 256 * i);
}

/* FIPS 203 Algorithm 11 MultiplyNTTs / Algorithm 12 BaseCaseMultiply, plain domain. */
void pqzk_mlkem_basemul(int16_t *out, const int16_t *a, const int16_t *b, size_t count) {
    for (size_t p = 0; p < count; p++) {
        const int16_t *x = a + 256 * p, *y = b + 256 * p;
        int16_t *z = out + 256 * p;
        for (unsigned i = 0; i < 128; i++) {
            uint32_t a0 = (uint16_t)x[2 * i], a1 = (uint16_t)x[2 * i + 1];
            uint32_t b0 = (uint16_t)y[2 * i], b1 = (uint16_t)y[2 * i + 1];
            uint32_t g = (uint16_t)MLKEM_GAMMAS[i];
            uint32_t c0 = (a0 * b0 + (a1 * b1 % KQ) * g) % KQ;
            uint32_t c1 = (a0 * b1 + a1 * b0) % KQ;
            z[2 * i] = (int16_t)c0;
            z[2 * i + 1] = (int16_t)c1;
        }
    }
}
